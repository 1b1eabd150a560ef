"""Errors of the ingest stage."""

from __future__ import annotations

import os
import re

# Control characters (newlines included) would break the one-line message.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _one_line(value: str) -> str:
    return _CONTROL.sub(lambda match: ascii(match.group())[1:-1], value)


class IngestError(ValueError):
    """A transcript file cannot become an episode; `str()` is one line `"<path>: <problem>"`.

    Attributes:
        path: the file (or sidecar) at fault, as given.
        problem: what is wrong with it, in words.
    """

    def __init__(self, path: str | os.PathLike[str], problem: str) -> None:
        # Both go to `args` so that the error survives pickling (process pools).
        super().__init__(os.fspath(path), problem)
        self.path = os.fspath(path)
        self.problem = problem

    def __str__(self) -> str:
        return f"{_one_line(self.path)}: {_one_line(self.problem)}"


class TranscriptError(ValueError):
    """A problem found in transcript text or bytes, before the file it came from is known.

    Internal to the ingest package: `read_episode` and `parse_transcript` turn it
    into an `IngestError` naming the file.
    """
