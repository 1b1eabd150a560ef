"""Line, paragraph, timestamp and preamble helpers shared by the format parsers.

Lines are the pieces of `text.split("\\n")` of normalised text. A turn's text is
its paragraphs joined by a blank line, each paragraph its stripped lines joined
by "\\n"; stage directions alone on a line (`[Music]`, `(inaudible)`) count as
blank lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Digits are ASCII on purpose: `int()` rejects some Unicode digits that `\d` accepts.
TIMESTAMP = r"(?:[0-9]{1,2}:)?[0-9]{1,3}:[0-9]{2}(?:[.,][0-9]{1,3})?"
_STAGE_DIRECTION = re.compile(r"[\[(][^\[\]()]{1,50}[\])]")
_META_LINE = re.compile(
    r"(?P<key>title|episode title|date|recorded|air date|show|podcast|series|description)"
    r"[ \t]*:[ \t]*(?P<value>\S.*)",
    re.IGNORECASE,
)
_META_FIELDS = {
    "title": "title", "episode title": "title",
    "date": "date", "recorded": "date", "air date": "date",
    "show": "show", "podcast": "show", "series": "show",
    "description": "description",
}
# A first line longer than this is a paragraph of introduction, not a title.
MAX_TITLE_CHARS = 300


def is_stage_direction(line: str) -> bool:
    """True for a bracketed aside alone on a line: `[Music]`, `[Laughter]`, `(inaudible)`."""
    line = line.strip()
    return len(line) <= 52 and _STAGE_DIRECTION.fullmatch(line) is not None


def parse_timestamp(value: str) -> float | None:
    """Seconds of `H:MM:SS`, `MM:SS` or `M:SS` with optional `.mmm`/`,mmm`, or None when not a valid time."""
    main, _, fraction = value.replace(",", ".").partition(".")
    parts = main.split(":")
    if not 2 <= len(parts) <= 3 or not all(part.isascii() and part.isdigit() for part in parts):
        return None
    if fraction and not (fraction.isascii() and fraction.isdigit()):
        return None
    *hours, minutes, seconds = (int(part) for part in parts)
    if seconds >= 60 or (hours and minutes >= 60):
        return None
    total = sum(hours) * 3600 + minutes * 60 + seconds
    return total + (int(fraction) / 10 ** len(fraction) if fraction else 0.0)


def end_times(starts: Sequence[float | None]) -> list[float | None]:
    """End of each turn: the next turn's start, when both are known and the next is not earlier."""
    following = [*starts[1:], None]
    return [
        after if start is not None and after is not None and after >= start else None
        for start, after in zip(starts, following, strict=True)
    ]


def text_blocks(lines: Iterable[str], *, stage_directions_break: bool = True) -> list[list[str]]:
    """Paragraphs of `lines`: runs of stripped non-blank lines.

    Blank lines separate paragraphs, and so do stage directions (dropped) unless
    `stage_directions_break` is False (cue payloads, which are cleaned later).
    """
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        stripped = line.strip()
        if not stripped or (stage_directions_break and is_stage_direction(stripped)):
            if current:
                blocks.append(current)
                current = []
        else:
            current.append(stripped)
    if current:
        blocks.append(current)
    return blocks


def join_blocks(blocks: Iterable[Sequence[str]]) -> str:
    """Turn text of paragraphs: lines joined by "\\n", paragraphs by "\\n\\n"."""
    return "\n\n".join("\n".join(block) for block in blocks if block)


def paragraphs_text(lines: Iterable[str]) -> str:
    """Turn text of raw lines (see `text_blocks` and `join_blocks`)."""
    return join_blocks(text_blocks(lines))


@dataclass(frozen=True, slots=True)
class Preamble:
    """Metadata found before the first turn of a text transcript."""

    title: str | None = None
    description: str | None = None
    date: str | None = None
    show: str | None = None


def read_preamble(blocks: Sequence[Sequence[str]]) -> Preamble:
    """Metadata of the paragraphs before the first speaker.

    `Title:`/`Date:`/`Show:`/`Description:` lines give those fields. Otherwise a
    first paragraph of one short line is the title and the remaining paragraphs
    are the description.
    """
    fields: dict[str, str] = {}
    rest: list[list[str]] = []
    for block in blocks:
        kept = []
        for line in block:
            match = _META_LINE.fullmatch(line)
            if match:
                fields.setdefault(_META_FIELDS[match["key"].casefold()], match["value"].strip())
            else:
                kept.append(line)
        if kept:
            rest.append(kept)
    if "title" not in fields and rest and len(rest[0]) == 1 and len(rest[0][0]) <= MAX_TITLE_CHARS:
        fields["title"] = rest.pop(0)[0]
    if "description" not in fields and rest:
        fields["description"] = join_blocks(rest)
    return Preamble(**fields)
