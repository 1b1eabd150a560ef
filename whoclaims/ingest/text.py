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
# A stamp with hours (`1:02:03`): written bare before text, only this form is taken for a time.
LONG_TIMESTAMP = r"[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]{1,3})?"
_STAGE_DIRECTION = re.compile(r"[\[(][^\[\]()]{1,50}[\])]")
# Asides inside a line of speech: press style `(Laughter.)`, `(Applause.)`, `(As interpreted.)`
# (a capital, words, a full stop, in parentheses), or a bracketed or parenthesised aside
# that starts with a word transcribers use for non-speech (`[crosstalk 00:01:02]`, `(inaudible)`).
_ASIDE_WORDS = (
    "laughter|laughs|laughing|chuckles|applause|crosstalk|cross-talk|inaudible|unintelligible|indiscernible|"
    "music|silence|pause|coughs|sighs|interruption|overlapping|cheers|cheering|booing|groans|noise|"
    "as interpreted|via interpreter|through (?:an )?interpreter|interpreted|translated|speaking [a-z]+|"
    "speaks foreign language|foreign language|soundbite|sound bite|"
    "technical difficulties|audio|video|break|recess|off mic|off-mic|mic off|no audio|end of video"
)
STAGE_DIRECTION_INLINE = re.compile(
    rf"\([A-Z][a-z]+(?:[ -][A-Za-z]+){{0,5}}\.\)"
    rf"|[\[(](?i:{_ASIDE_WORDS})\b[^\[\]()\n]{{0,40}}[\])]"
)
# A clock time line of a press transcript (`2:15 P.M. EST`) and its closing `END 2:55 P.M. EST`.
_CLOCK = r"[0-9]{1,2}:[0-9]{2}[ \t]*[AaPp]\.?[ \t]?[Mm]\.?(?:[ \t]+[A-Z]{2,5})?"
CLOCK_LINE = re.compile(_CLOCK)
END_LINE = re.compile(rf"END(?:[ \t]+{_CLOCK})?")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE_LINE = re.compile(
    rf"(?:(?i:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?[ \t]+)?"
    rf"(?:(?i:{_MONTHS})[ \t]+[0-9]{{1,2}}(?:st|nd|rd|th)?,?[ \t]+[0-9]{{4}}"
    rf"|[0-9]{{1,2}}[ \t]+(?i:{_MONTHS}),?[ \t]+[0-9]{{4}}|[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})"
)
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
# Release boilerplate of press transcripts, and words that name the event (the title line).
_PRESS_BOILERPLATE = re.compile(
    r"(?i:the white house|white house|office of the press secretary|for immediate release|"
    r"briefings? (?:&|and) statements|remarks|transcript|press briefings?|immediate release)[ \t]*[.:]?"
)
_PRESS_EVENT = re.compile(
    r"(?i)\b(?:briefing|remarks|press conference|news conference|gaggle|interview|hearing|statement|"
    r"roundtable|town hall|address|conversation|meeting|exchange with|q&a|testimony)\b"
)
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
    if not starts:
        return []
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


def indexed_blocks(lines: Sequence[str]) -> list[tuple[int, list[str]]]:
    """`text_blocks` of `lines`, each with the index of its first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or is_stage_direction(stripped):
            if current:
                blocks.append((start, current))
                current = []
        else:
            if not current:
                start = index
            current.append(stripped)
    if current:
        blocks.append((start, current))
    return blocks


def join_blocks(blocks: Iterable[Sequence[str]], *, joiner: str = "\n") -> str:
    """Turn text of paragraphs: lines joined by `joiner` ("\\n", or " " for rejoined hard-wrapped
    or Markdown lines), paragraphs by "\\n\\n"."""
    return "\n\n".join(joiner.join(block) for block in blocks if block)


def paragraphs_text(lines: Iterable[str], *, joiner: str = "\n", stage_directions_break: bool = True) -> str:
    """Turn text of raw lines (see `text_blocks` and `join_blocks`)."""
    return join_blocks(text_blocks(lines, stage_directions_break=stage_directions_break), joiner=joiner)


def wrap_width(lines: Sequence[str]) -> int | None:
    """The fixed width a text was hard-wrapped at, or None when it was not.

    A hard-wrapped text has paragraphs of several lines whose lines, all but the
    last of each paragraph, end close to one right margin: the next word did not
    fit. A text written a sentence or a label per line does not. Paragraphs end at
    blank lines and at indented lines (hearing records indent each paragraph's
    first line only); paragraphs that never reach the margin (an address block)
    are left out of the count.
    """
    filled = [line.expandtabs(4).rstrip() for line in lines if line.strip()]
    if len(filled) < 6:
        return None
    lengths = sorted(len(line) for line in filled)
    width = lengths[int(len(lengths) * 0.95) - 1]
    if not 30 <= width <= 120:
        return None
    margin = min(len(line) - len(line.lstrip()) for line in filled)
    paragraphs: list[list[int]] = []
    for line in lines:
        line = line.expandtabs(4).rstrip()
        if not line.strip():
            paragraphs.append([])
            continue
        if not paragraphs or len(line) - len(line.lstrip()) > margin:
            paragraphs.append([])
        paragraphs[-1].append(len(line))
    inner = [
        length for paragraph in paragraphs if paragraph and max(paragraph) >= width - 20
        for length in paragraph[:-1]
    ]
    if len(inner) < 3:
        return None
    near = sum(1 for length in inner if width - 20 <= length <= width + 2)
    return width if near >= 0.75 * len(inner) else None


@dataclass(frozen=True, slots=True)
class Preamble:
    """Metadata found before the first turn of a text transcript."""

    title: str | None = None
    description: str | None = None
    date: str | None = None
    show: str | None = None


def read_preamble(blocks: Sequence[Sequence[str]], *, press: bool = False) -> Preamble:
    """Metadata of the paragraphs before the first speaker.

    `Title:`/`Date:`/`Show:`/`Description:` lines give those fields. Otherwise a
    first paragraph of one short line is the title and the remaining paragraphs
    are the description. In a press transcript (`press`), the release boilerplate
    (`For Immediate Release`, `Office of the Press Secretary`, `THE WHITE HOUSE`)
    and time lines (`2:15 P.M. EST`) are dropped, a date line gives the date, and the
    title is the first line that names the event (a briefing, remarks, a hearing...),
    else the first line left; place lines (`East Room`) go to the description.
    """
    fields: dict[str, str] = {}
    rest: list[list[str]] = []
    for block in blocks:
        kept = []
        for line in block:
            match = _META_LINE.fullmatch(line)
            if match:
                fields.setdefault(_META_FIELDS[match["key"].casefold()], match["value"].strip())
            elif press and (CLOCK_LINE.fullmatch(line) or _PRESS_BOILERPLATE.fullmatch(line)):
                continue
            elif press and DATE_LINE.fullmatch(line):
                fields.setdefault("date", line)
            else:
                kept.append(line)
        if kept:
            rest.append(kept)
    if press and "title" not in fields:
        lines = [line for block in rest for line in block]
        title = next((line for line in lines if _PRESS_EVENT.search(line) and len(line) <= MAX_TITLE_CHARS), None)
        if title is None and lines and len(lines[0]) <= MAX_TITLE_CHARS:
            title = lines[0]
        if title is not None:
            fields["title"] = title
            rest = [[line for line in block if line != title] for block in rest]
            rest = [block for block in rest if block]
    if "title" not in fields and rest and len(rest[0]) == 1 and len(rest[0][0]) <= MAX_TITLE_CHARS:
        fields["title"] = rest.pop(0)[0]
    if "description" not in fields and rest:
        fields["description"] = join_blocks(rest)
    return Preamble(**fields)
