"""Format detection and the one entry point to every format parser."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Callable

from whoclaims.ingest.errors import IngestError, TranscriptError
from whoclaims.ingest.textformats import (
    find_speaker_headers,
    parse_labelled,
    parse_plain,
    parse_speaker_header,
    scan_labels,
)
from whoclaims.ingest.text import text_blocks
from whoclaims.ingest.timed import WEBVTT_HEADER, parse_json, parse_srt, parse_vtt
from whoclaims.records import ParsedTranscript
from whoclaims.schemas import FORMATS

Parser = Callable[..., ParsedTranscript]
PARSERS: dict[str, Parser] = {
    "speaker_header": parse_speaker_header,
    "inline": parse_labelled,
    "timestamped": parse_labelled,
    "vtt": parse_vtt,
    "srt": parse_srt,
    "json": parse_json,
    "plain": parse_plain,
}
assert set(PARSERS) == set(FORMATS), "every format of whoclaims.schemas.FORMATS needs a parser"

_SUFFIX_FORMATS = {".vtt": "vtt", ".srt": "srt", ".json": "json"}
_SRT_TIMING = re.compile(r"[0-9]{1,2}:[0-9]{2}:[0-9]{2},[0-9]{1,3}[ \t]*-->")
# SRT is recognised by a timing line among the first lines of text.
_SRT_SNIFF_LINES = 20


def detect_format(text: str, *, suffix: str) -> str:
    """Guess the format of normalised transcript text; one of `whoclaims.schemas.FORMATS`.

    `.vtt`, `.srt` and `.json` files are taken at their word; otherwise a
    `WEBVTT` first line, an SRT timing line near the top, or text that parses as
    JSON decide. Among text layouts, accepted `Name:` labels (timed or not) beat
    speaker headers when at least as many; a single label counts only when it
    opens the text. Two or more speaker headers make `speaker_header`; otherwise `plain`.
    """
    suffix = suffix.lower() if suffix.startswith(".") or not suffix else f".{suffix.lower()}"
    if suffix in _SUFFIX_FORMATS:
        return _SUFFIX_FORMATS[suffix]
    lines = text.split("\n")
    head = [line.strip() for line in lines[:200] if line.strip()][:_SRT_SNIFF_LINES]
    if head and WEBVTT_HEADER.fullmatch(head[0]):
        return "vtt"
    if any(_SRT_TIMING.match(line) for line in head):
        return "srt"
    if head and head[0][0] in "[{" and _is_json(text):
        return "json"
    scan = scan_labels(lines)
    labels = scan.timed + scan.untimed
    headers = len(find_speaker_headers(text_blocks(lines)))
    if labels and labels >= headers and (labels >= 2 or scan.leading):
        return scan.format
    if headers >= 2:
        return "speaker_header"
    return "plain"


def _is_json(text: str) -> bool:
    try:
        return isinstance(json.loads(text), list | dict)
    except (ValueError, RecursionError):
        return False


def parse_transcript(
    text: str,
    *,
    format: str,  # noqa: A002 - the name used by the sidecar and schemas
    default_speaker: str,
    source: str | os.PathLike[str] = "<text>",
) -> ParsedTranscript:
    """Parse normalised text (`decode.normalise_text`) as `format`.

    Args:
        text: the transcript, already normalised.
        format: one of `whoclaims.schemas.FORMATS`; the result carries this name.
        default_speaker: speaker of text that names none.
        source: what `IngestError` names (the file).

    Raises:
        IngestError: the text is not of that format.
        ValueError: `format` is not a known format.
    """
    if format not in PARSERS:
        raise ValueError(f"unknown transcript format {format!r}; expected one of {FORMATS}")
    try:
        parsed = PARSERS[format](text, default_speaker=default_speaker)
    except TranscriptError as error:
        raise IngestError(source, f"{format}: {error}") from error
    # One parser reads inline and timestamped labels; a forced format keeps its name.
    return dataclasses.replace(parsed, format=format)
