"""A run-wide stop request that long work checks between batches.

The CLI's signal handler calls `request_stop()` on SIGTERM or Ctrl-C; the
extraction calls `check()` between batches of sentences (spaCy pieces, encoder
batches, claim sentences), so a worker thread stops within one batch instead of
finishing a long episode nobody waits for. Nothing here imports Prefect.
"""

from __future__ import annotations

import threading

_STOP = threading.Event()


class RunStopped(Exception):
    """The run was asked to stop (SIGTERM or Ctrl-C) while this work was in progress."""


def request_stop() -> None:
    """Ask every check from now on to raise `RunStopped`."""
    _STOP.set()


def clear() -> None:
    """Forget an earlier stop request (a new run in the same process)."""
    _STOP.clear()


def stop_requested() -> bool:
    return _STOP.is_set()


def check() -> None:
    """Raise `RunStopped` if the run was asked to stop."""
    if _STOP.is_set():
        raise RunStopped("the run was asked to stop")
