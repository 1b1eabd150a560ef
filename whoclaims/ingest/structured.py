"""JSON and YAML documents of turns: diarisation and transcription-service output, hand-made turn lists.

The list of turns sits at the top level or under a common key (`utterances`,
`monologues`, `turns`, `segments`, `paragraphs`, `transcript`, `results`, ...),
possibly nested (`results.channels[0].alternatives[0].paragraphs`). Each turn
names its speaker under `speaker`, `speaker_name`, `name`, `who` or a nested
`speaker: {name: ...}`, and its text under `text`, `content`, `utterance`,
`transcript`, or as a list of word or element objects. Times are seconds,
`hh:mm:ss` strings, or milliseconds (`start_ms`, or integer times far too large
for the number of words). Top-level `title`, `date`, `url`/`source`,
`description`, `show`, `tags` and `speakers` are kept as metadata.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Iterable
from typing import Any

from whoclaims.ingest.decode import normalise_text
from whoclaims.ingest.document import DocumentInfo
from whoclaims.ingest.errors import TranscriptError
from whoclaims.ingest.names import normalise_speaker
from whoclaims.ingest.text import end_times, paragraphs_text, parse_timestamp
from whoclaims.ingest.timed import Segment, merge_segments
from whoclaims.records import ParsedTranscript, RawTurn

# Keys that hold the list of turns, best first: speaker turns before segments before words.
LIST_KEYS = (
    "utterances", "monologues", "turns", "segments", "paragraphs", "transcript", "dialogue", "dialog",
    "conversation", "entries", "lines", "captions", "results", "sentences", "words",
)
# Keys whose first element leads to the turns (Deepgram `channels[0].alternatives[0]`).
_PASS_THROUGH_KEYS = ("channels", "alternatives", "results")
_METADATA_KEYS = ("metadata", "meta", "info", "episode")
_SPEAKER_NAME_KEYS = ("speaker_name", "speakername", "name", "who")
_SPEAKER_KEYS = ("speaker", "speaker_label", "speakerlabel", "spk", "speaker_id", "speakerid", "channel_tag")
_TEXT_KEYS = ("text", "content", "utterance", "transcript", "value", "sentence", "line", "speech", "body")
_PIECE_KEYS = ("elements", "words", "sentences", "tokens", "items")
_WORD_TEXT_KEYS = ("punctuated_word", "text", "word", "value", "content", "token")
_START_KEYS = ("start", "start_time", "starttime", "start_s", "begin", "from", "ts", "start_ts", "offset")
_END_KEYS = ("end", "end_time", "endtime", "end_s", "stop", "to", "end_ts")
_START_MS_KEYS = ("start_ms", "startms", "start_millis", "startoffsetms")
_END_MS_KEYS = ("end_ms", "endms", "end_millis", "endoffsetms")
_MAX_DEPTH = 8
# Above this many seconds per word, integer times are milliseconds (speech runs at 2-3 words a second).
_MS_SECONDS_PER_WORD = 20.0
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.!?;:%)\]}])")


def load_yaml(text: str, *, what: str = "YAML") -> Any:
    """Parse YAML text safely (no tags, no code); errors name the line.

    Raises:
        TranscriptError: invalid YAML.
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise TranscriptError(f"invalid {what}{where}: {error.problem or error.context}") from error
    except yaml.YAMLError as error:
        raise TranscriptError(f"invalid {what}: {error}") from error
    except RecursionError as error:
        raise TranscriptError(f"invalid {what}: nested too deeply") from error


def parse_json(text: str, *, default_speaker: str) -> ParsedTranscript:
    """Parse a JSON document of turns (see the module docstring).

    Raises:
        TranscriptError: invalid JSON, or JSON of another shape.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise TranscriptError(f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}") from error
    except RecursionError as error:
        raise TranscriptError("invalid JSON: nested too deeply") from error
    return parse_turn_data(data, fmt="json", kind="JSON", default_speaker=default_speaker)


def parse_yaml(text: str, *, default_speaker: str) -> ParsedTranscript:
    """Parse a YAML document of turns (see the module docstring).

    Raises:
        TranscriptError: invalid YAML, or YAML of another shape.
    """
    return parse_turn_data(load_yaml(text), fmt="yaml", kind="YAML", default_speaker=default_speaker)


def is_turn_document(data: Any) -> bool:
    """True when parsed JSON/YAML holds a list of turns with some text (for detection)."""
    try:
        _, items = find_turn_list(data, kind="data")
        return any(isinstance(item, dict) and _item_text(item, 0, kind="data") for item in items[:50])
    except TranscriptError:
        return False


def find_turn_list(data: Any, *, kind: str) -> tuple[str, list[Any]]:
    """(where, items) of the list of turns in a parsed document.

    Raises:
        TranscriptError: no such list, or a turn key that holds something else.
    """
    if isinstance(data, list):
        return "top level", data
    if not isinstance(data, dict):
        raise TranscriptError(
            f"{kind} of the wrong shape: the top level is a {type(data).__name__}, "
            "expected a list of turns or an object with 'segments'"
        )
    found = _find_list(data, "", 0, set(), kind=kind)
    if found is None:
        raise TranscriptError(
            f"{kind} of the wrong shape: an object without a 'segments' list or another list of turns "
            f"({', '.join(LIST_KEYS[:6])}, ...) (keys: {sorted(map(str, data))[:10]})"
        )
    return found


def _find_list(node: dict, path: str, depth: int, seen: set[int], *, kind: str) -> tuple[str, list] | None:
    # YAML aliases can make one object appear many times, or contain itself: visit each once.
    if depth > _MAX_DEPTH or id(node) in seen:
        return None
    seen.add(id(node))
    folded = {str(key).casefold(): (str(key), value) for key, value in node.items()}
    for key in LIST_KEYS:
        if key not in folded:
            continue
        name, value = folded[key]
        where = f"{path}{name}"
        if isinstance(value, list) and key in _PASS_THROUGH_KEYS and value and isinstance(value[0], dict) \
                and not _item_text(value[0], 0, kind=kind):
            found = _find_list(value[0], f"{where}[0].", depth + 1, seen, kind=kind)
            if found:
                return found
            continue
        if isinstance(value, list):
            if key in ("sentences", "words", "transcript") and not (value and isinstance(value[0], dict)):
                continue  # word lists are turns only when nothing better is there, and not when empty
            return where, value
        if isinstance(value, dict):
            found = _find_list(value, f"{where}.", depth + 1, seen, kind=kind)
            if found:
                return found
        if isinstance(value, str | type(None)) and key in ("transcript", "results", "text"):
            continue
        raise TranscriptError(f"{kind} of the wrong shape: {where!r} is a {type(value).__name__}, not a list")
    for key in _PASS_THROUGH_KEYS:
        if key in folded and isinstance(folded[key][1], list) and folded[key][1] and isinstance(folded[key][1][0], dict):
            found = _find_list(folded[key][1][0], f"{path}{folded[key][0]}[0].", depth + 1, seen, kind=kind)
            if found:
                return found
    return None


def parse_turn_data(data: Any, *, fmt: str, kind: str, default_speaker: str) -> ParsedTranscript:
    """Turns and metadata of a parsed JSON or YAML document.

    Consecutive items of one speaker merge into one turn; an item without a
    speaker belongs to `default_speaker`.

    Raises:
        TranscriptError: the document holds no list of turns, or an item is malformed.
    """
    from whoclaims.ingest.markdown import front_matter_info

    _, items = find_turn_list(data, kind=kind)
    segments = [_segment(item, index, kind=kind) for index, item in enumerate(items)]
    segments = _milliseconds_to_seconds(items, segments)
    info = DocumentInfo()
    if isinstance(data, dict):
        top: dict[str, Any] = {}
        for key in _METADATA_KEYS:
            nested = data.get(key)
            if isinstance(nested, dict):
                top.update(nested)
        top.update({key: value for key, value in data.items() if str(key).casefold() not in LIST_KEYS})
        info = front_matter_info(top)
    turns = _fill_ends(merge_segments(segments, default_speaker=default_speaker, inherit_speaker=False))
    return ParsedTranscript(
        format=fmt, turns=turns, title=info.title, description=info.description, date=info.date, show=info.show,
        roles=dict(info.roles), url=info.url, tags=info.tags, speaker_names=dict(info.speaker_names),
    )


def _segment(item: Any, index: int, *, kind: str) -> Segment:
    if not isinstance(item, dict):
        raise TranscriptError(f"{kind} of the wrong shape: segment {index} is a {type(item).__name__}, not an object")
    folded = {str(key).casefold(): value for key, value in item.items()}
    text = _item_text(item, index, kind=kind)
    if text is None:
        raise TranscriptError(f"{kind} of the wrong shape: segment {index} has no 'text' string")
    label, role = _speaker(folded, index)
    start, end = _times(folded, index)
    return Segment(
        speaker_name(label) if label else None, paragraphs_text(normalise_text(text).split("\n")), start, end,
        role.casefold() if role else None, label=label,
    )


def _speaker(folded: dict[str, Any], index: int) -> tuple[str | None, str | None]:
    """(speaker as written, role) of one item."""
    role = _optional_string(folded.get("role"), f"segment {index}: 'role'")
    for key in (*_SPEAKER_NAME_KEYS, *_SPEAKER_KEYS):
        value = folded.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, dict):
            nested = {str(name).casefold(): item for name, item in value.items()}
            role = role or _optional_string(nested.get("role"), f"segment {index}: 'speaker.role'")
            value = next((nested[name] for name in ("name", "label", "id") if nested.get(name) not in (None, "")), None)
            if value is None:
                continue
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise TranscriptError(f"segment {index}: '{key}' must be a string, got {value!r:.60}")
        if isinstance(value, int) and key not in _SPEAKER_KEYS:
            continue  # a `name` that is a number is not a speaker's name
        label = " ".join(normalise_text(str(value)).split())
        return (label or None), role
    return None, role


def _fill_ends(turns: tuple[RawTurn, ...]) -> tuple[RawTurn, ...]:
    """A turn without an end ends where the next one starts (documents that give start times only)."""
    ends = end_times([turn.start_s for turn in turns])
    return tuple(
        dataclasses.replace(turn, end_s=end) if turn.end_s is None and end is not None else turn
        for turn, end in zip(turns, ends, strict=True)
    )


def speaker_name(label: str) -> str:
    """Speaker name of a label from a data document: machine labels spelt out (`0` -> `Speaker 0`,
    `A` -> `Speaker A`, as AssemblyAI and Rev.ai number speakers), others normalised."""
    if label.isdigit() or (len(label) == 1 and label.isupper()):
        return f"Speaker {label}"
    return normalise_speaker(label)


def _item_text(item: dict, index: int, *, kind: str) -> str | None:
    """Text of one item: a text field, or its words or elements joined; None when it has none."""
    folded = {str(key).casefold(): value for key, value in item.items()}
    for key in _TEXT_KEYS:
        value = folded.get(key)
        if isinstance(value, str):
            return value
    for key in _PIECE_KEYS:
        pieces = folded.get(key)
        if isinstance(pieces, list) and pieces and all(isinstance(piece, dict) for piece in pieces):
            return _join_pieces(pieces)
    return None


def _join_pieces(pieces: Iterable[dict]) -> str:
    """Words or elements as text: Rev.ai-style elements (typed, spaces included) concatenated,
    words joined by spaces with no space before punctuation."""
    pieces = list(pieces)
    typed = any("type" in piece for piece in pieces)
    texts = []
    for piece in pieces:
        folded = {str(key).casefold(): value for key, value in piece.items()}
        text = next((folded[key] for key in _WORD_TEXT_KEYS if isinstance(folded.get(key), str)), None)
        if text is None and isinstance(folded.get("sentences"), list):
            text = _join_pieces([sentence for sentence in folded["sentences"] if isinstance(sentence, dict)])
        if text is not None:
            texts.append(text)
    if typed:
        return "".join(texts)
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(text.strip() for text in texts))


def _times(folded: dict[str, Any], index: int) -> tuple[float | None, float | None]:
    start = _first_seconds(folded, _START_KEYS, index)
    end = _first_seconds(folded, _END_KEYS, index)
    start_ms = _first_seconds(folded, _START_MS_KEYS, index)
    end_ms = _first_seconds(folded, _END_MS_KEYS, index)
    if start is None and start_ms is not None:
        start = start_ms / 1000
    if end is None and end_ms is not None:
        end = end_ms / 1000
    if start is None or end is None:
        # Rev.ai monologues time their elements only.
        pieces = next((folded[key] for key in _PIECE_KEYS if isinstance(folded.get(key), list)), [])
        timed = [piece for piece in pieces if isinstance(piece, dict)]
        if start is None and timed:
            start = _first_seconds({str(k).casefold(): v for k, v in timed[0].items()}, _START_KEYS, index)
        if end is None and timed:
            end = _first_seconds({str(k).casefold(): v for k, v in timed[-1].items()}, _END_KEYS, index)
    return start, end


def _first_seconds(folded: dict[str, Any], keys: tuple[str, ...], index: int) -> float | None:
    for key in keys:
        if key in folded and folded[key] is not None:
            return _seconds(folded[key], f"segment {index}: {key!r}")
    return None


def _milliseconds_to_seconds(items: list[Any], segments: list[Segment]) -> list[Segment]:
    """Divide times by 1000 when they are integer milliseconds (AssemblyAI's `start`/`end`)."""
    times = [time for segment in segments for time in (segment.start_s, segment.end_s) if time is not None]
    words = sum(len(segment.text.split()) for segment in segments)
    integers = all(
        isinstance(item.get(key), int) for item in items if isinstance(item, dict) for key in ("start", "end") if key in item
    )
    if not times or not words or not integers or max(times) / words <= _MS_SECONDS_PER_WORD:
        return segments
    return [
        Segment(segment.speaker, segment.text,
                segment.start_s / 1000 if segment.start_s is not None else None,
                segment.end_s / 1000 if segment.end_s is not None else None, segment.role, segment.label)
        for segment in segments
    ]


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
