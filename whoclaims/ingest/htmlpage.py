"""Saved HTML pages of transcripts, read with the standard library's `html.parser` into a `TextDocument`.

Each block element (`<p>`, `<div>`, `<li>`, headings, ...) becomes a paragraph;
`<br>` a line break. Scripts, styles, navigation, headers, footers, forms and
elements whose class or id says they are boilerplate (menus, share buttons,
cookie banners, comments) are dropped; when the page has a `<main>` or
`<article>`, only its content is read. A speaker in `<b>`/`<strong>` or a
speaker span at the start of a paragraph (`<p><b>Name:</b> text</p>`,
`<span class="speaker">Name</span>`) becomes a `Name: text` label that the text
layouts accept as a speaker. Headings are sections, except names heading the
answers of two or more recurring speakers (`names.speaker_headings`), which are
speaker lines; `<title>` is the title, and
the description, date and canonical URL come from the page's `<meta>`/`<link>`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

from whoclaims.ingest.decode import normalise_text
from whoclaims.ingest.document import DocumentInfo, TextDocument
from whoclaims.ingest.names import speaker_headings

_SKIPPED = frozenset({
    "script", "style", "noscript", "template", "svg", "math", "nav", "header", "footer", "aside", "form",
    "button", "select", "option", "textarea", "iframe", "object", "embed", "canvas", "map", "dialog", "menu",
    "figcaption", "head", "audio", "video", "picture",
})
_BLOCKS = frozenset({
    "p", "div", "li", "ul", "ol", "dl", "dd", "dt", "blockquote", "section", "article", "main", "body", "table",
    "thead", "tbody", "tr", "td", "th", "pre", "hr", "figure", "details", "summary", "address", "center",
    "h1", "h2", "h3", "h4", "h5", "h6",
})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_VOID = frozenset({"br", "img", "meta", "link", "input", "hr", "wbr", "source", "area", "base", "col", "embed", "param", "track"})
_BOLD = frozenset({"b", "strong"})
_CONTENT = frozenset({"main", "article"})
# Class or id words of boilerplate containers.
_BOILERPLATE = frozenset({
    "nav", "navbar", "navigation", "menu", "breadcrumb", "breadcrumbs", "footer", "sidebar", "cookie",
    "cookies", "consent", "share", "sharing", "social", "subscribe", "newsletter", "related", "comments",
    "comment", "advert", "advertisement", "ads", "promo", "banner", "skip", "masthead", "toolbar", "popup",
    "modal", "signup", "login", "pagination", "byline-share",
})
_CLASS_WORD = re.compile(r"[a-z0-9]+")
_SPEAKER_CLASS = re.compile(r"(?i)speaker|(?:^|[\s_-])name(?:$|[\s_-])|interlocutor")
_SPACE = re.compile(r"\s+")
_STAMP_START = re.compile(r"[(\[]?[0-9]{1,2}:[0-9]{2}")
_LABEL_END = re.compile(r"[.!?,;]$")
_MAX_LEAD_CHARS = 60


def looks_like_html(text: str) -> bool:
    """True for text that is an HTML page (a doctype or `<html>` first, or a page of block tags)."""
    head = text.lstrip()[:2000].lower()
    if head.startswith(("<!doctype html", "<html", "<?xml version")) and "<html" in text[:5000].lower():
        return True
    return head.startswith("<") and bool(re.search(r"<(?:body|head|article|main)\b", head)) and head.count("</") >= 3


@dataclass(slots=True)
class _Block:
    """A paragraph being read: its lines, the tag that opened it, and any speaker lead."""

    lines: list[str] = field(default_factory=list)
    heading: bool = False
    in_content: bool = False
    pre: bool = False
    # Text of the bold or speaker-span run at the paragraph start, while it is still open.
    lead: str | None = None
    lead_open: bool = False


class _PageReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, skipping, content)
        self.skip = 0
        self.content = 0
        self.pre = 0
        self.in_title = False
        self.title: list[str] = []
        self.meta: dict[str, str] = {}
        self.paragraphs: list[_Block] = []
        self.block = _Block()
        self.saw_content = False

    # ---------------------------------------------------------------- structure
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "title":
            self.in_title = True
        elif tag == "meta":
            self._meta(values)
        elif tag == "link" and "canonical" in values.get("rel", "").lower().split():
            self.meta.setdefault("canonical", values.get("href", ""))
        elif tag == "time" and values.get("datetime"):
            self.meta.setdefault("time", values["datetime"])
        if tag == "body" and any(open_tag == "head" for open_tag, _, _ in self.stack):
            self.handle_endtag("head")  # an unclosed <head> ends where the body starts
        if tag in _VOID:
            if tag == "br":
                self._break_line()
            elif tag == "hr":
                self._flush()
            return
        skipping = tag in _SKIPPED or self._boilerplate(values)
        content = tag in _CONTENT or values.get("role", "").lower() == "main"
        self.stack.append((tag, skipping, content))
        if skipping:
            self.skip += 1
        if content:
            self.content += 1
            self.saw_content = True
        if tag == "pre":
            self.pre += 1
        if tag in _BLOCKS:
            self._flush()
            self.block.heading = tag in _HEADINGS
        elif self.skip == 0 and (tag in _BOLD or (tag == "span" and _SPEAKER_CLASS.search(values.get("class", "")))):
            if not self._has_text() and self.block.lead is None:
                self.block.lead = ""
                self.block.lead_open = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if not any(open_tag == tag for open_tag, _, _ in self.stack):
            return
        while self.stack:
            open_tag, skipping, content = self.stack.pop()
            if skipping:
                self.skip -= 1
            if content:
                self.content -= 1
            if open_tag == "pre":
                self.pre -= 1
            if open_tag in _BOLD or open_tag == "span":
                self.block.lead_open = False
            if open_tag in _BLOCKS:
                self._flush()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
            return
        if self.skip:
            return
        if self.pre:
            pieces = data.split("\n")
            for position, piece in enumerate(pieces):
                if position:
                    self._break_line()
                self._add(piece)
            return
        self._add(_SPACE.sub(" ", data))

    # ---------------------------------------------------------------- helpers
    def _meta(self, values: dict[str, str]) -> None:
        key = (values.get("property") or values.get("name") or values.get("itemprop") or "").lower()
        if key and values.get("content"):
            self.meta.setdefault(key, values["content"])

    @staticmethod
    def _boilerplate(values: dict[str, str]) -> bool:
        words = set(_CLASS_WORD.findall(f"{values.get('class', '')} {values.get('id', '')}".lower()))
        role = values.get("role", "").lower()
        return bool(words & _BOILERPLATE) or role in ("navigation", "banner", "contentinfo", "complementary", "search")

    def _has_text(self) -> bool:
        return any(line.strip() for line in self.block.lines)

    def _add(self, text: str) -> None:
        if not text:
            return
        if not self.block.lines:
            self.block.lines.append("")
            self.block.in_content = self.content > 0
        self.block.pre = self.block.pre or self.pre > 0
        self.block.lines[-1] += text
        if self.block.lead_open:
            self.block.lead = (self.block.lead or "") + text

    def _break_line(self) -> None:
        if self.block.lines:
            self.block.lines.append("")

    def _flush(self) -> None:
        block = self.block
        block.lines = [line.rstrip() if block.pre else line.strip() for line in block.lines]
        if any(line.strip() for line in block.lines):
            self.paragraphs.append(block)
        self.block = _Block()


def read_html(text: str) -> TextDocument:
    """A `TextDocument` of an HTML page (see the module docstring)."""
    reader = _PageReader()
    reader.feed(text)
    reader.close()
    reader._flush()
    paragraphs = [block for block in reader.paragraphs if block.in_content or not reader.saw_content]
    leads = Counter(_lead_name(block) for block in paragraphs if not block.heading)
    named = speaker_headings([" ".join(block.lines) for block in paragraphs if block.heading])
    lines: list[str] = []
    sections: dict[int, str] = {}
    hints: set[str] = set()
    for block in paragraphs:
        if lines:
            lines.append("")
        if block.heading:
            title = " ".join(" ".join(block.lines).split())
            if title in named:  # the speaker of the paragraphs under it
                hints.add(title)
                lines.append(title)
                continue
            sections[len(lines)] = title
            lines.append("")
            continue
        name = _lead_name(block)
        written = block.lines
        if name and (block.lead.rstrip().endswith(":") or leads[name] >= 2):
            hints.add(name)
            written = [_label_line(name, block), *block.lines[1:]]
        lines.extend(written)
    meta = reader.meta
    info = DocumentInfo(
        title=_clean(" ".join(reader.title)) or _clean(meta.get("og:title")),
        description=_clean(meta.get("description") or meta.get("og:description")),
        date=_clean(meta.get("article:published_time") or meta.get("datepublished") or meta.get("date")
                    or meta.get("time")),
        url=_clean(meta.get("canonical") or meta.get("og:url")),
    )
    return TextDocument(tuple(lines), sections, info, frozenset(hints), container="html")


def _lead_name(block: _Block) -> str | None:
    """The speaker name a paragraph's bold or speaker-span lead gives, if it reads as a label."""
    if not block.lead or not block.lines:
        return None
    name = " ".join(block.lead.split()).rstrip(":").strip()
    if not name or len(name) > _MAX_LEAD_CHARS or not name[0].isalpha() or _LABEL_END.search(name):
        return None
    return name


def _label_line(name: str, block: _Block) -> str:
    """The first line of a paragraph with a lead, written `Name: rest` (or `Name (01:02) rest`)."""
    first = block.lines[0].strip()
    lead = " ".join(block.lead.split())
    rest = first[len(lead):].strip() if first.startswith(lead) else first.removeprefix(name).strip()
    rest = rest.removeprefix(":").strip()
    if not rest:
        return name
    if _STAMP_START.match(rest):
        return f"{name} {rest}"
    return f"{name}: {rest}"


def _clean(value: str | None) -> str | None:
    return " ".join(normalise_text(value).split()) or None if value else None
