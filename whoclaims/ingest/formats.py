"""Format detection and the one entry point to every format parser.

Formats are of three kinds:

- text layouts, read from plain text (`textformats`): `speaker_header`, `inline`,
  `timestamped`, `press`, `plain`;
- containers whose markup is removed before a text layout is detected inside
  them: `markdown` (front matter, headings, links, emphasis) and `html`;
- captions and data: `vtt`, `srt`, `json`, `yaml`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Callable
from pathlib import PurePath

from whoclaims.ingest.document import TextDocument
from whoclaims.ingest.errors import IngestError, TranscriptError
from whoclaims.ingest.htmlpage import looks_like_html, read_html
from whoclaims.ingest.markdown import read_markdown
from whoclaims.ingest.structured import is_turn_document, load_yaml, parse_json, parse_yaml
from whoclaims.ingest.textformats import TEXT_LAYOUTS, detect_layout, parse_layout
from whoclaims.ingest.timed import WEBVTT_HEADER, parse_srt, parse_vtt
from whoclaims.records import ParsedTranscript
from whoclaims.schemas import FORMATS

_MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mdx")
_SUFFIX_FORMATS = {
    ".vtt": "vtt", ".srt": "srt", ".json": "json", ".yaml": "yaml", ".yml": "yaml",
    ".html": "html", ".htm": "html", ".xhtml": "html",
}
_SRT_TIMING = re.compile(r"[0-9]{1,2}:[0-9]{2}:[0-9]{2},[0-9]{1,3}[ \t]*-->")
# SRT is recognised by a timing line among the first lines of text.
_SRT_SNIFF_LINES = 20
# A YAML document of turns opens with a list item of a mapping, or a key of one.
_YAML_START = re.compile(r"(?:---[ \t]*|%YAML.*|-[ \t]+[\w\"'][\w \"'-]{0,40}:(?:[ \t].*)?|[\w\"'][\w \"'-]{0,40}:(?:[ \t].*)?)")


def _suffix(suffix: str) -> str:
    return suffix.lower() if suffix.startswith(".") or not suffix else f".{suffix.lower()}"


def detect_format(text: str, *, suffix: str) -> str:
    """Guess the format of normalised transcript text; one of `whoclaims.schemas.FORMATS`.

    `.vtt`, `.srt`, `.json`, `.yaml`/`.yml` and `.html` files are taken at their
    word; otherwise a `WEBVTT` first line, an SRT timing line near the top, text
    that parses as JSON, an HTML page, or a YAML list of turns decide. Text with
    Markdown (front matter, headings, links; see `markdown.read_markdown`) is
    `markdown`, whatever layout its speakers take. Otherwise the text layout:
    accepted `Name:` labels (timed or not, press labels) beat speaker headers
    when at least as many; a single label counts only when it opens the text.
    Two or more speaker headers make `speaker_header`; otherwise `plain`.
    """
    suffix = _suffix(suffix)
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
    if looks_like_html(text):
        return "html"
    if head and _YAML_START.fullmatch(head[0]) and _is_yaml_turns(text):
        return "yaml"
    try:
        document = read_markdown(text, suffix_says_markdown=suffix in _MARKDOWN_SUFFIXES)
    except TranscriptError:
        return "markdown"  # invalid front matter: the markdown parser reports it
    if document is not None:
        return "markdown"
    return detect_layout(TextDocument.from_text(text))


def _is_json(text: str) -> bool:
    try:
        return isinstance(json.loads(text), list | dict)
    except (ValueError, RecursionError):
        return False


def _is_yaml_turns(text: str) -> bool:
    try:
        return is_turn_document(load_yaml(text))
    except TranscriptError:
        return False


def text_document(text: str, *, suffix: str = "", container: str | None = None) -> TextDocument:
    """The `TextDocument` a text layout reads: markup removed from Markdown or HTML, else the text as it is.

    Raises:
        TranscriptError: invalid Markdown front matter.
    """
    if container == "html":
        return read_html(text)
    document = read_markdown(text, suffix_says_markdown=container == "markdown" or _suffix(suffix) in _MARKDOWN_SUFFIXES)
    if document is None and container == "markdown":
        return dataclasses.replace(TextDocument.from_text(text), container="markdown")
    return document or TextDocument.from_text(text)


def _parse_container(container: str) -> Callable[..., ParsedTranscript]:
    def parse(text: str, *, default_speaker: str, suffix: str = "") -> ParsedTranscript:
        document = text_document(text, suffix=suffix, container=container)
        return parse_layout(document, layout=detect_layout(document), default_speaker=default_speaker)

    return parse


def _parse_text_layout(layout: str) -> Callable[..., ParsedTranscript]:
    def parse(text: str, *, default_speaker: str, suffix: str = "") -> ParsedTranscript:
        # A forced layout still reads a Markdown or HTML file without its markup.
        container = "html" if looks_like_html(text) else None
        return parse_layout(text_document(text, suffix=suffix, container=container), layout=layout,
                            default_speaker=default_speaker)

    return parse


def _parse_data(parser: Callable[..., ParsedTranscript]) -> Callable[..., ParsedTranscript]:
    def parse(text: str, *, default_speaker: str, suffix: str = "") -> ParsedTranscript:
        del suffix
        return parser(text, default_speaker=default_speaker)

    return parse


PARSERS: dict[str, Callable[..., ParsedTranscript]] = {
    **{layout: _parse_text_layout(layout) for layout in TEXT_LAYOUTS},
    "markdown": _parse_container("markdown"),
    "html": _parse_container("html"),
    "vtt": _parse_data(parse_vtt),
    "srt": _parse_data(parse_srt),
    "json": _parse_data(parse_json),
    "yaml": _parse_data(parse_yaml),
}
assert set(PARSERS) == set(FORMATS), "every format of whoclaims.schemas.FORMATS needs a parser"


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
        source: what `IngestError` names (the file); its suffix tells Markdown files.

    Raises:
        IngestError: the text is not of that format.
        ValueError: `format` is not a known format.
    """
    if format not in PARSERS:
        raise ValueError(f"unknown transcript format {format!r}; expected one of {FORMATS}")
    try:
        parsed = PARSERS[format](text, default_speaker=default_speaker, suffix=PurePath(os.fspath(source)).suffix)
    except TranscriptError as error:
        raise IngestError(source, f"{format}: {error}") from error
    # One parser reads inline and timestamped labels; a forced format keeps its name.
    return dataclasses.replace(parsed, format=format)
