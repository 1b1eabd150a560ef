"""A text transcript as the text-layout parsers read it: lines, headings, metadata, markup hints.

Plain text becomes a `TextDocument` as it is. Markdown and HTML are first
cleaned of their markup (`markdown.read_markdown`, `htmlpage.read_html`) into
the same shape, so that one set of layout parsers (speaker headers, `Name:`
labels, timestamps, press transcripts) serves every container. Cleaning keeps
one output line per input line where it can, and headings become blank lines
whose text is kept in `sections`.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """Metadata a container carries outside the spoken text (front matter, HTML head, JSON keys)."""

    title: str | None = None
    description: str | None = None
    date: str | None = None
    show: str | None = None
    url: str | None = None
    tags: tuple[str, ...] = ()
    # Speaker label -> canonical name, and canonical name -> role, as the file lists them.
    speaker_names: Mapping[str, str] = field(default_factory=dict)
    roles: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TextDocument:
    """Cleaned text lines of a transcript, with its headings and what its markup says.

    Attributes:
        lines: the text, one string per line, markup removed.
        sections: line index -> heading text; that line itself is blank in `lines`.
        info: metadata found outside the text.
        speaker_hints: labels that the markup itself marks as speakers (bold or a
            speaker span at the start of a paragraph); they are accepted even where a
            label used once would be doubted.
        container: "markdown" or "html" when markup was removed, else None.
        joiner: how the lines of one paragraph are joined in a turn's text ("\\n", or " "
            for Markdown, whose line breaks inside a paragraph are soft).
    """

    lines: tuple[str, ...]
    sections: Mapping[int, str] = field(default_factory=dict)
    info: DocumentInfo = field(default_factory=DocumentInfo)
    speaker_hints: frozenset[str] = frozenset()
    container: str | None = None
    joiner: str = "\n"

    @classmethod
    def from_text(cls, text: str) -> TextDocument:
        """A document of plain normalised text."""
        return cls(tuple(text.split("\n")))

    def section_at(self, index: int) -> str | None:
        """The heading in force at line `index`: the last one at or before it."""
        starts = sorted(self.sections)
        position = bisect.bisect_right(starts, index)
        return self.sections[starts[position - 1]] if position else None
