"""Parsers of timed transcripts: WebVTT and SRT captions; the segments JSON and YAML documents share.

Captions and data documents become timed segments; consecutive segments of one
speaker merge into one turn (start of the first, end of the last, texts joined
by a space, since cues cut running speech rather than paragraphs).
"""

from __future__ import annotations

import html
import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from whoclaims.ingest.decode import normalise_text
from whoclaims.ingest.errors import TranscriptError
from whoclaims.ingest.names import accept_label, label_role, normalise_speaker
from whoclaims.ingest.text import is_stage_direction, parse_timestamp, text_blocks
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


@dataclass(frozen=True, slots=True)
class Segment:
    """A timed piece of speech; `speaker` None when the source does not say."""

    speaker: str | None
    text: str
    start_s: float | None = None
    end_s: float | None = None
    role: str | None = None
    # The speaker as the file writes it (`SPEAKER_00`, `0`, `<v Jane Doe>`'s name).
    label: str | None = None


@dataclass(slots=True)
class _Run:
    speaker: str
    role: str | None
    start_s: float | None
    end_s: float | None
    label: str | None
    texts: list[str] = field(default_factory=list)


def merge_segments(segments: Iterable[Segment], *, default_speaker: str, inherit_speaker: bool) -> tuple[RawTurn, ...]:
    """Turns of consecutive segments of one speaker.

    A segment without a speaker takes the previous segment's speaker when
    `inherit_speaker`, else (and at the start) `default_speaker`. Empty segments are skipped.
    """
    runs: list[_Run] = []
    previous: tuple[str, str | None] | None = None
    for segment in segments:
        if segment.speaker:
            speaker, label = segment.speaker, segment.label or segment.speaker
        elif inherit_speaker and previous:
            speaker, label = previous
        else:
            speaker, label = default_speaker, None
        previous = speaker, label
        if not segment.text:
            continue
        last = runs[-1] if runs else None
        if last and last.speaker == speaker and segment.role in (None, last.role):
            last.texts.append(segment.text)
            last.start_s = last.start_s if last.start_s is not None else segment.start_s
            last.end_s = segment.end_s if segment.end_s is not None else last.end_s
        else:
            runs.append(_Run(speaker, segment.role, segment.start_s, segment.end_s, label, [segment.text]))
    return tuple(
        RawTurn(run.speaker, " ".join(run.texts), run.role, run.start_s, run.end_s, label=run.label) for run in runs
    )


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
                segment = Segment(normalise_speaker(name), text, segment.start_s, segment.end_s, label_role(name, role),
                                  " ".join(name.split()))
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
            voice = " ".join(normalise_text(html.unescape(match.group(1))).split()) or None
        if groups and groups[-1][0] == voice:
            groups[-1][1].append(line)
        else:
            groups.append((voice, [line]))
    return [
        Segment(normalise_speaker(voice) if voice else None, _cue_text(lines), start, end, label=voice)
        for voice, lines in groups
    ]


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
