"""Parsers of timed transcripts: WebVTT and SRT captions, JSON diarisation output.

All three become timed segments; consecutive segments of one speaker merge into
one turn (start of the first, end of the last, texts joined by a space, since
cues cut running speech rather than paragraphs).
"""

from __future__ import annotations

import html
import json
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from whoclaims.ingest.decode import normalise_text
from whoclaims.ingest.errors import TranscriptError
from whoclaims.ingest.names import accept_label, label_role, normalise_speaker
from whoclaims.ingest.text import is_stage_direction, paragraphs_text, parse_timestamp, text_blocks
from whoclaims.ingest.textformats import match_label, one_off_label_ok
from whoclaims.records import ParsedTranscript, RawTurn

log = logging.getLogger(__name__)

WEBVTT_HEADER = re.compile(r"WEBVTT(?:[ \t].*)?")
_CUE_TIME = r"(?:[0-9]+:)?[0-9]{1,2}:[0-9]{2}[.,][0-9]{1,3}"
_CUE_TIMING = re.compile(rf"(?P<start>{_CUE_TIME})[ \t]*-->[ \t]*(?P<end>{_CUE_TIME})(?:[ \t].*)?")
_VTT_SKIPPED_BLOCKS = ("NOTE", "STYLE", "REGION")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*)>")
_TAG = re.compile(r"<[^>]*>")
_ASS_OVERRIDE = re.compile(r"\{\\[^}]*\}")
_SEGMENT_LISTS = ("segments", "utterances")
_JSON_METADATA = ("title", "date", "show", "description")


@dataclass(frozen=True, slots=True)
class Segment:
    """A timed piece of speech; `speaker` None when the source does not say."""

    speaker: str | None
    text: str
    start_s: float | None = None
    end_s: float | None = None
    role: str | None = None


@dataclass(slots=True)
class _Run:
    speaker: str
    role: str | None
    start_s: float | None
    end_s: float | None
    texts: list[str] = field(default_factory=list)


def merge_segments(segments: Iterable[Segment], *, default_speaker: str, inherit_speaker: bool) -> tuple[RawTurn, ...]:
    """Turns of consecutive segments of one speaker.

    A segment without a speaker takes the previous segment's speaker when
    `inherit_speaker`, else (and at the start) `default_speaker`. Empty segments are skipped.
    """
    runs: list[_Run] = []
    previous: str | None = None
    for segment in segments:
        speaker = segment.speaker or (previous if inherit_speaker else None) or default_speaker
        previous = speaker
        if not segment.text:
            continue
        last = runs[-1] if runs else None
        if last and last.speaker == speaker and segment.role in (None, last.role):
            last.texts.append(segment.text)
            last.start_s = last.start_s if last.start_s is not None else segment.start_s
            last.end_s = segment.end_s if segment.end_s is not None else last.end_s
        else:
            runs.append(_Run(speaker, segment.role, segment.start_s, segment.end_s, [segment.text]))
    return tuple(RawTurn(run.speaker, " ".join(run.texts), run.role, run.start_s, run.end_s) for run in runs)


def _cue_text(lines: Iterable[str]) -> str:
    """Cue payload lines as one line of text: tags stripped, entities decoded, stage directions dropped."""
    pieces = []
    for line in lines:
        # Entities are decoded after tags are stripped (`&lt;v&gt;` is text), then normalised
        # again, since they can spell line breaks, controls or bidi characters.
        decoded = normalise_text(html.unescape(_ASS_OVERRIDE.sub("", _TAG.sub("", line))))
        for piece in decoded.split("\n"):
            piece = piece.strip()
            if piece and not is_stage_direction(piece):
                pieces.append(piece)
    return " ".join(pieces)


def _timing(line: str) -> tuple[float, float] | None:
    match = _CUE_TIMING.fullmatch(line)
    if not match:
        return None
    start, end = parse_timestamp(match["start"]), parse_timestamp(match["end"])
    if start is None or end is None or end < start:
        return None
    return start, end


def _with_prefix_speakers(segments: Sequence[Segment]) -> list[Segment]:
    """Give segments without a speaker the `Name:` prefix of their text, where that prefix names a speaker."""
    prefixes = [None if segment.speaker else match_label(segment.text) for segment in segments]
    counts = Counter(normalise_speaker(prefix[0]) for prefix in prefixes if prefix)
    result = []
    for segment, prefix in zip(segments, prefixes, strict=True):
        if prefix:
            name, role, _, text = prefix
            if accept_label(name, count=counts[normalise_speaker(name)], one_off_ok=one_off_label_ok(name)):
                segment = Segment(normalise_speaker(name), text, segment.start_s, segment.end_s, label_role(name, role))
        result.append(segment)
    return result


# ---------------------------------------------------------------- WebVTT
def parse_vtt(text: str, *, default_speaker: str) -> ParsedTranscript:
    """Parse WebVTT: `WEBVTT` header, cues with optional ids and settings, `<v Name>` voices.

    NOTE, STYLE and REGION blocks are skipped; other tags are stripped. A cue
    without a voice or `Name:` prefix continues the previous speaker. Malformed
    blocks are skipped with one warning.

    Raises:
        TranscriptError: no `WEBVTT` header, or no valid cue.
    """
    blocks = text_blocks(text.split("\n"), stage_directions_break=False)
    if not blocks or not WEBVTT_HEADER.fullmatch(blocks[0][0]):
        raise TranscriptError("not WebVTT: the first line is not a 'WEBVTT' header")
    segments: list[Segment] = []
    cues = skipped = 0
    for block in blocks[1:]:
        head = block[0]
        if any(head == word or head.startswith((f"{word} ", f"{word}\t")) for word in _VTT_SKIPPED_BLOCKS):
            continue
        at = 0 if "-->" in head else 1 if len(block) > 1 and "-->" in block[1] else None
        timing = _timing(block[at]) if at is not None else None
        if timing is None:
            skipped += 1
            continue
        cues += 1
        segments.extend(_voice_segments(block[at + 1:], *timing))
    if skipped:
        log.warning("skipped %d malformed WebVTT blocks", skipped)
    if not cues:
        raise TranscriptError(f"no WebVTT cues found ({skipped} malformed blocks)")
    turns = merge_segments(_with_prefix_speakers(segments), default_speaker=default_speaker, inherit_speaker=True)
    return ParsedTranscript(format="vtt", turns=turns)


def _voice_segments(payload: Sequence[str], start: float, end: float) -> list[Segment]:
    """Segments of one cue: consecutive payload lines of one `<v>` voice (a voice lasts to the cue's end)."""
    groups: list[tuple[str | None, list[str]]] = []
    voice: str | None = None
    for line in payload:
        match = _VOICE.search(line)
        if match:
            voice = normalise_speaker(html.unescape(match.group(1))) or None
        if groups and groups[-1][0] == voice:
            groups[-1][1].append(line)
        else:
            groups.append((voice, [line]))
    return [Segment(speaker, _cue_text(lines), start, end) for speaker, lines in groups]


# ---------------------------------------------------------------- SRT
def parse_srt(text: str, *, default_speaker: str) -> ParsedTranscript:
    """Parse SRT: numbered cues, `00:00:01,000 --> 00:00:02,000`, optional `Name:` prefix in the text.

    A block without a timing line continues the previous cue's text (a blank line
    inside a cue), unless it starts with a bare number; malformed blocks are skipped with one warning.

    Raises:
        TranscriptError: no valid cue.
    """
    segments: list[Segment] = []
    payloads: list[list[str]] = []
    skipped = 0
    for block in text_blocks(text.split("\n"), stage_directions_break=False):
        at = 1 if block[0].isdigit() and len(block) > 1 else 0
        timing = _timing(block[at])
        if timing is not None:
            payloads.append(list(block[at + 1:]))
            segments.append(Segment(None, "", *timing))
        elif payloads and not block[0].isdigit():
            payloads[-1].extend(block)
        else:
            skipped += 1
    if skipped:
        log.warning("skipped %d malformed SRT blocks", skipped)
    if not segments:
        raise TranscriptError(f"no SRT cues found ({skipped} malformed blocks)")
    segments = [Segment(None, _cue_text(lines), cue.start_s, cue.end_s) for cue, lines in zip(segments, payloads, strict=True)]
    turns = merge_segments(_with_prefix_speakers(segments), default_speaker=default_speaker, inherit_speaker=True)
    return ParsedTranscript(format="srt", turns=turns)


# ---------------------------------------------------------------- JSON
def parse_json(text: str, *, default_speaker: str) -> ParsedTranscript:
    """Parse diarisation JSON: a list of `{speaker, start, end, text}` objects, or an object holding one.

    The list may sit under `segments` or `utterances`; the object's `title`,
    `date`, `show` and `description` become metadata. A segment without a speaker
    belongs to `default_speaker`.

    Raises:
        TranscriptError: invalid JSON, or JSON of another shape.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise TranscriptError(f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}") from error
    except RecursionError as error:
        raise TranscriptError("invalid JSON: nested too deeply") from error
    metadata: dict[str, str | None] = {}
    if isinstance(data, dict):
        key = next((key for key in _SEGMENT_LISTS if key in data), None)
        if key is None:
            raise TranscriptError(
                f"JSON of the wrong shape: an object without a 'segments' list (keys: {sorted(data)[:10]})"
            )
        items = data[key]
        if not isinstance(items, list):
            raise TranscriptError(f"JSON of the wrong shape: {key!r} is a {type(items).__name__}, not a list")
        metadata = {name: _optional_string(data.get(name), name) for name in _JSON_METADATA}
    elif isinstance(data, list):
        items = data
    else:
        raise TranscriptError(
            f"JSON of the wrong shape: the top level is a {type(data).__name__}, "
            "expected a list of segments or an object with 'segments'"
        )
    segments = [_json_segment(item, index) for index, item in enumerate(items)]
    turns = merge_segments(segments, default_speaker=default_speaker, inherit_speaker=False)
    return ParsedTranscript(format="json", turns=turns, **metadata)


def _json_segment(item: Any, index: int) -> Segment:
    if not isinstance(item, dict):
        raise TranscriptError(f"JSON of the wrong shape: segment {index} is a {type(item).__name__}, not an object")
    text = item.get("text")
    if not isinstance(text, str):
        raise TranscriptError(f"JSON of the wrong shape: segment {index} has no 'text' string")
    speaker = item.get("speaker")
    if speaker is not None and (isinstance(speaker, bool) or not isinstance(speaker, str | int)):
        raise TranscriptError(f"segment {index}: 'speaker' must be a string, got {speaker!r:.60}")
    role = _optional_string(item.get("role"), f"segment {index}: 'role'")
    return Segment(
        normalise_speaker(str(speaker)) or None if speaker is not None else None,
        paragraphs_text(normalise_text(text).split("\n")),
        _seconds(item.get("start"), f"segment {index}: 'start'"),
        _seconds(item.get("end"), f"segment {index}: 'end'"),
        role.casefold() if role else None,
    )


def _seconds(value: Any, what: str) -> float | None:
    """Seconds from a number or a `H:MM:SS.mmm` / number string; None when absent."""
    if value is None:
        return None
    seconds: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value) if isinstance(value, float) or abs(value) < 2**53 else math.inf
    elif isinstance(value, str):
        try:
            seconds = float(value)
        except ValueError:
            seconds = parse_timestamp(value.strip())
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        raise TranscriptError(f"{what} must be a non-negative number of seconds, got {value!r:.60}")
    return seconds


def _optional_string(value: Any, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TranscriptError(f"{what} must be a string, got {type(value).__name__}")
    return " ".join(normalise_text(value).split()) or None
