"""Parsers of transcripts whose speakers are written in the running text.

- `speaker_header`: a speaker's name alone on a line, then that speaker's paragraphs.
- `inline` / `timestamped`: `Name: text` lines, optionally with a time
  (`Name (00:01):`, `[00:01:23] Name:`); one parser reads both, because files
  mix them; the format is the kind of label that dominates.
- `plain`: no speakers at all; the whole text is one turn.

Text before the first speaker becomes title and description, never a turn.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from whoclaims.ingest.errors import TranscriptError
from whoclaims.ingest.names import (
    MAX_NAME_CHARS,
    accept_label,
    is_diarisation_label,
    is_role_word,
    label_role,
    normalise_speaker,
)
from whoclaims.ingest.text import (
    TIMESTAMP,
    end_times,
    is_stage_direction,
    join_blocks,
    paragraphs_text,
    parse_timestamp,
    read_preamble,
    text_blocks,
)
from whoclaims.records import ParsedTranscript, RawTurn

# The label is anything but colons and brackets, starting with a letter; `accept_label` judges it.
_LABEL = r"(?P<label>[^\W\d_][^:\[\]()]{0,59}?)"
_TEXT = r"(?P<text>(?:[ \t].*)?)"  # a colon must be followed by a space or end the line: not `10:30`, not `http://`
_INLINE = re.compile(rf"{_LABEL}[ \t]*:{_TEXT}")
_NAME_TIME = re.compile(rf"{_LABEL}[ \t]*[(\[](?P<time>{TIMESTAMP})[)\]][ \t]*:?{_TEXT}")
_TIME_NAME = re.compile(rf"[(\[]?(?P<time>{TIMESTAMP})[)\]]?[ \t]*(?:[-–—|][ \t]*)?{_LABEL}[ \t]*:{_TEXT}")
_TIME_ONLY = re.compile(rf"[(\[]?(?P<time>{TIMESTAMP})[)\]]?")
_HEADER_TIME = re.compile(rf"{_LABEL}[ \t]+[(\[]?(?P<time>{TIMESTAMP})[)\]]?")
# Every label form has its colon within this many characters of the line start.
_LABEL_REACH = 120
_ROLE = re.compile(r"[^\W\d_][\w'’\-]*(?: [^\W\d_][\w'’\-]*){0,3}")
# A header line longer than this cannot be a name (plus an optional ", role").
_MAX_HEADER_CHARS = MAX_NAME_CHARS + 30


def split_label(label: str) -> tuple[str, str | None] | None:
    """Split `NAME, ROLE` into (name, role); None when the part after the comma is not a short role."""
    name, comma, role = label.partition(",")
    name = " ".join(name.split())
    role = " ".join(role.split())
    if not name or (comma and not _ROLE.fullmatch(role)):
        return None
    return name, role or None


# ---------------------------------------------------------------- labelled lines (inline, timestamped)
@dataclass(frozen=True, slots=True)
class _Line:
    """One stripped line, classified: `label` (name, role, time, text after the colon), `time`, `break` or `text`."""

    kind: str
    source: str = ""
    text: str = ""
    name: str = ""
    role: str | None = None
    start_s: float | None = None


_BREAK = _Line("break")


def match_label(line: str) -> tuple[str, str | None, float | None, str] | None:
    """(name, role, start_s, text) of a line that starts with a speaker label of any form, else None.

    Whether the label really names a speaker is for `names.accept_label` to decide.
    """
    if ":" not in line[:_LABEL_REACH]:
        return None
    for pattern in (_NAME_TIME, _TIME_NAME, _INLINE):
        match = pattern.fullmatch(line)
        if not match:
            continue
        time = match.groupdict().get("time")
        start = parse_timestamp(time) if time else None
        parts = split_label(match["label"])
        if parts and (time is None or start is not None):
            return parts[0], parts[1], start, match["text"].strip()
    return None


def _classify(line: str) -> _Line:
    stripped = line.strip()
    if not stripped:
        return _BREAK
    match = _TIME_ONLY.fullmatch(stripped) if ":" in stripped else None
    if match and (start := parse_timestamp(match["time"])) is not None:
        return _Line("time", stripped, start_s=start)
    label = match_label(stripped)
    if label:
        name, role, start, text = label
        return _Line("label", stripped, text, name, role, start)
    if is_stage_direction(stripped):
        return _BREAK
    return _Line("text", stripped, stripped)


def one_off_label_ok(name: str) -> bool:
    """Whether a label used once may name a speaker: several words, or one word in capitals (`MARIA:`).

    A single capitalised word used once is too often a word of speech ("Look: ...").
    """
    return len(name.split()) >= 2 or name.isupper()


@dataclass(slots=True)
class LabelScan:
    """Lines of a text classified, and which labels name speakers."""

    lines: list[_Line]
    # Accepted label as written -> normalised speaker name.
    speakers: dict[str, str]
    timed: int = 0
    untimed: int = 0
    # The first non-blank line is an accepted label (a one-label file is then still `inline`).
    leading: bool = False

    def is_speaker(self, line: _Line) -> bool:
        return line.kind == "label" and line.name in self.speakers

    @property
    def format(self) -> str:
        """`timestamped` when timed labels are at least as many as untimed ones, else `inline`."""
        return "timestamped" if self.timed and self.timed >= self.untimed else "inline"


def scan_labels(lines: Sequence[str]) -> LabelScan:
    """Classify every line and decide which labels are speakers (see `names.accept_label`).

    A label used once counts when `one_off_label_ok`, or when it opens the text.
    """
    classified = [_classify(line) for line in lines]
    labels = [line for line in classified if line.kind == "label"]
    # Decided once per distinct label: a long transcript repeats a handful of them.
    speaker_of = {name: normalise_speaker(name) for name in {line.name for line in labels}}
    counts = Counter(speaker_of[line.name] for line in labels)
    first = next((line for line in classified if line.kind != "break"), None)
    opening = first.name if first is not None and first.kind == "label" else None
    scan = LabelScan(classified, {
        name: speaker for name, speaker in speaker_of.items()
        if accept_label(name, count=counts[speaker], one_off_ok=name == opening or one_off_label_ok(name))
    })
    scan.leading = first is not None and scan.is_speaker(first)
    for line in labels:
        if line.name in scan.speakers:
            if line.start_s is None:
                scan.untimed += 1
            else:
                scan.timed += 1
    return scan


@dataclass(slots=True)
class _Draft:
    speaker: str
    role: str | None
    start_s: float | None
    lines: list[str] = field(default_factory=list)


def parse_labelled(text: str, *, default_speaker: str) -> ParsedTranscript:
    """Parse `Name: text` / `Name (00:01):` / `[00:01] Name:` transcripts.

    Lines without an accepted label continue the current turn. A bare time line
    gives its time to a turn that starts right after it. `end_s` is the next
    turn's start when both are known. `default_speaker` is unused: every turn here has a label.

    Raises:
        TranscriptError: no line carries a speaker label.
    """
    del default_speaker
    scan = scan_labels(text.split("\n"))
    if not scan.speakers:
        raise TranscriptError("no speaker labels found (lines like 'Name: text')")
    preamble: list[str] = []
    drafts: list[_Draft] = []
    pending: float | None = None
    for line in scan.lines:
        if scan.is_speaker(line):
            start = line.start_s if line.start_s is not None else pending
            drafts.append(_Draft(scan.speakers[line.name], label_role(line.name, line.role), start, [line.text]))
            pending = None
            continue
        target = drafts[-1].lines if drafts else preamble
        if line.kind == "time":
            pending = line.start_s
        elif line.kind != "break":
            pending = None
        # Bare times and breaks separate paragraphs; unaccepted labels are text.
        target.append(line.source if line.kind in ("text", "label") else "")
    ends = end_times([draft.start_s for draft in drafts])
    turns = [
        RawTurn(draft.speaker, paragraphs_text(draft.lines), draft.role, draft.start_s, end)
        for draft, end in zip(drafts, ends, strict=True)
    ]
    return _transcript(scan.format, turns, text_blocks(preamble))


# ---------------------------------------------------------------- speaker headers
@dataclass(frozen=True, slots=True)
class Header:
    """A speaker header line: who speaks, in which role, from when (Otter-style `Name  0:03`)."""

    speaker: str
    role: str | None = None
    start_s: float | None = None


def _header_candidate(line: str) -> tuple[str, str | None, float | None] | None:
    """(name, role, start_s) of a line that could be a header: `Name`, `NAME, ROLE`, `Name  0:03`."""
    start = None
    match = _HEADER_TIME.fullmatch(line) if ":" in line else None
    if match:
        start = parse_timestamp(match["time"])
        if start is None:
            return None
        line = match["label"]
    parts = split_label(line)
    return (*parts, start) if parts else None


def find_speaker_headers(blocks: Sequence[Sequence[str]]) -> dict[int, Header]:
    """Blocks that start with a speaker header, by block index.

    A header is the first line of a paragraph, followed by text, that names a
    speaker (`names.accept_label`): a name that recurs as a header, or once a
    name of 2-4 capitalised words, either alone on its line before a paragraph
    or in a text whose recurring headers show the layout. The very first line
    of the text is a title unless the name recurs, is a machine label or a role, or carries a time.
    """
    candidates: list[tuple[int, str, str | None, float | None]] = []
    for index, block in enumerate(blocks):
        line = block[0]
        if len(line) > _MAX_HEADER_CHARS or (len(block) == 1 and index + 1 == len(blocks)):
            continue
        candidate = _header_candidate(line)
        if candidate:
            candidates.append((index, *candidate))
    counts = Counter(normalise_speaker(name) for _, name, _, _ in candidates)
    recurring = {
        index for index, name, _, _ in candidates
        if counts[normalise_speaker(name)] >= 2 and accept_label(name, count=2, one_off_ok=False)
    }
    headers: dict[int, Header] = {}
    for index, name, role, start in candidates:
        if index not in recurring:
            # A lone first line is a title, unless it is a machine label, a role or carries a time.
            if index == 0 and start is None and not (is_diarisation_label(name) or is_role_word(name)):
                continue
            layout_shown = len(blocks[index]) == 1 or bool(recurring)
            if not accept_label(name, count=1, one_off_ok=layout_shown and len(name.split()) >= 2):
                continue
        headers[index] = Header(normalise_speaker(name), label_role(name, role), start)
    return headers


def parse_speaker_header(text: str, *, default_speaker: str) -> ParsedTranscript:
    """Parse transcripts with each speaker's name alone on a line before their paragraphs.

    An Otter-style time after the name (`Jane Doe  0:03`) gives `start_s`; `end_s`
    is the next header's time.

    Raises:
        TranscriptError: no speaker header found.
    """
    del default_speaker  # every turn here has a header
    blocks = text_blocks(text.split("\n"))
    headers = find_speaker_headers(blocks)
    if not headers:
        raise TranscriptError("no speaker headers found (a name alone on a line before each turn)")
    starts = sorted(headers)
    ends = end_times([headers[index].start_s for index in starts])
    turns = []
    for position, index in enumerate(starts):
        following = starts[position + 1] if position + 1 < len(starts) else len(blocks)
        header = headers[index]
        body = [blocks[index][1:], *blocks[index + 1:following]]
        turns.append(RawTurn(header.speaker, join_blocks(body), header.role, header.start_s, ends[position]))
    return _transcript("speaker_header", turns, blocks[:starts[0]])


def _transcript(fmt: str, turns: Sequence[RawTurn], preamble: Sequence[Sequence[str]]) -> ParsedTranscript:
    """A parsed transcript of `turns`, with metadata from the paragraphs before the first speaker."""
    info = read_preamble(preamble)
    return ParsedTranscript(
        format=fmt,
        turns=tuple(turns),
        title=info.title,
        description=info.description,
        date=info.date,
        show=info.show,
    )


# ---------------------------------------------------------------- plain
def parse_plain(text: str, *, default_speaker: str) -> ParsedTranscript:
    """The whole text, as paragraphs, is one turn of `default_speaker`."""
    body = paragraphs_text(text.split("\n"))
    return ParsedTranscript(format="plain", turns=(RawTurn(default_speaker, body),) if body else ())
