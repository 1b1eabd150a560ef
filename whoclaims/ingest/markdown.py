"""Markdown transcripts: YAML front matter, headings, links and emphasis, removed into a `TextDocument`.

What web clippers and podcast sites produce: front matter between `---` lines
(title, source, published, description, tags, speakers), `#` headings for
chapters, a speaker in bold (`**Jane Doe:**`), a timestamp link after the name
(`Jane Doe [(00:01:02)](https://...)`). The markup goes; the words stay, one
output line per input line, so that the text-layout parsers read the result
like any plain transcript. Headings become `sections`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import html
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from whoclaims.ingest.decode import normalise_text
from whoclaims.ingest.document import DocumentInfo, TextDocument
from whoclaims.ingest.errors import TranscriptError
from whoclaims.ingest.names import normalise_role, normalise_speaker, speaker_headings

_FRONT_MATTER_OPEN = "---"
_FRONT_MATTER_CLOSE = ("---", "...")
# Front matter longer than this many lines is not front matter but a document that opens with a rule.
_MAX_FRONT_MATTER_LINES = 300
_KEY_LINE = re.compile(r"[A-Za-z_][\w .-]{0,40}:(?:[ \t].*)?")

_FENCE = re.compile(r"[ \t]{0,3}(```|~~~)")
_ATX_HEADING = re.compile(r"[ \t]{0,3}(#{1,6})[ \t]+(?P<text>.*?)(?:[ \t]+#+)?[ \t]*")
_SETEXT_UNDERLINE = re.compile(r"[ \t]{0,3}=+[ \t]*")
_RULE = re.compile(r"[ \t]{0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})")
# `[label]: destination "title"`; the destination looks like a link (`<...>`, a path or anchor, a domain),
# so that a transcript's `[Jane Doe]: Yes.` is speech, not a link definition.
_LINK_DEFINITION = re.compile(
    r"""[ \t]{0,3}\[[^\]]+\]:[ \t]+(?:<[^>]*>|\S*[/#]\S*|\S*\w\.\w{2,}\S*)"""
    r"""(?:[ \t]+(?:"[^"]*"|'[^']*'|\([^)]*\)))?[ \t]*""")
_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?")
_BULLET = re.compile(r"^(?P<indent>[ \t]*)[-*+][ \t]+(?=\S)")

_IMAGE = re.compile(r"!\[[^\]\n]*\]\((?:[^()\s]|\([^()\s]*\))*(?:[ \t]+\"[^\"\n]*\")?\)")
_LINK = re.compile(r"\[(?P<text>[^\[\]\n]*(?:\[[^\[\]\n]*\][^\[\]\n]*)*)\]\((?:[^()\s]|\([^()\s]*\))*(?:[ \t]+\"[^\"\n]*\")?\)")
_REFERENCE_LINK = re.compile(r"\[(?P<text>[^\[\]\n]+)\]\[[^\[\]\n]*\]")
_AUTOLINK = re.compile(r"<(?:https?|mailto|ftp):[^<>\s]+>")
_FOOTNOTE = re.compile(r"\[\^[^\]\s]+\]")
_CODE = re.compile(r"`+(?P<text>[^`\n]+?)`+")
_STRONG = re.compile(r"(?<![\w*])\*\*(?=\S)(?P<text>[^\n]+?)(?<=\S)\*\*(?![\w*])|(?<![\w_])__(?=\S)(?P<text2>[^\n]+?)(?<=\S)__(?![\w_])")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])(?P<text>[^*\n]+?)(?<=[^\s*])\*(?![\w*])|(?<![\w_])_(?=[^\s_])(?P<text2>[^_\n]+?)(?<=[^\s_])_(?![\w_])")
_STRIKE = re.compile(r"~~(?=\S)(?P<text>[^\n]+?)(?<=\S)~~")
_HTML_COMMENT = re.compile(r"<!--.*?-->")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:[ \t][^<>\n]*)?/?>")
_ESCAPE = re.compile(r"\\(?P<text>[\\`*_{}\[\]()#+\-.!|>~<])")
# Escaped characters stand aside as private-use characters while the patterns run, one per escape.
_ESCAPE_MARKS = 0xE000
_MAX_ESCAPES = 0x1900
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,30}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
# A bold speaker at the start of a line: `**Jane Doe:** text`, `**Jane Doe**: text`, `**JANE DOE**`.
_BOLD_LEAD = re.compile(r"(?P<indent>[ \t]*)(?:\*\*|__)(?P<name>[^*_\n]{1,60}?)(?P<colon>:?)[ \t]*(?:\*\*|__)(?P<rest>.*)")
_LINK_OR_IMAGE = r"(?:!?\[(?:[^\[\]\n]|!?\[[^\[\]\n]*\]\([^()\s]*\))*\]\((?:[^()\s]|\([^()\s]*\))*(?:[ \t]+\"[^\"\n]*\")?\)|<https?://[^<>\s]+>)"
_LINKS_ONLY = re.compile(rf"[ \t]*{_LINK_OR_IMAGE}(?:[ \t]*[|·•,–-]?[ \t]*{_LINK_OR_IMAGE})*[ \t]*")
_STAMP_START = re.compile(r"[ \t]*(?:\*|_)?[(\[]*[0-9]{1,2}:[0-9]{2}")

_TITLE_KEYS = ("title", "name", "episode_title")
_DATE_KEYS = ("date", "published", "pubDate", "pub_date", "air_date", "aired", "recorded", "published_at", "datePublished")
_URL_KEYS = ("source", "url", "link", "canonical_url", "canonical", "permalink", "original_url", "source_url")
_DESCRIPTION_KEYS = ("description", "summary", "excerpt", "subtitle")
_SHOW_KEYS = ("show", "podcast", "series", "channel", "program", "programme")
_TAG_KEYS = ("tags", "keywords", "categories", "topics")
_ROLE_KEYS = {"host": "host", "hosts": "host", "guest": "guest", "guests": "guest", "moderator": "moderator"}
_WIKILINK = re.compile(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]")


def _unwikilink(value: str) -> str:
    return _WIKILINK.sub(r"\1", value).strip().lstrip("#")


def split_front_matter(lines: list[str]) -> tuple[dict[str, Any] | None, int]:
    """The YAML front matter at the top of `lines` and the number of lines it takes (0 if none).

    Front matter opens on the first line with `---` and closes with `---` or `...`.
    Raises:
        TranscriptError: the block reads as front matter (`key: value` lines) but is not valid YAML
            or not a mapping.
    """
    if not lines or lines[0].strip() != _FRONT_MATTER_OPEN:
        return None, 0
    close = next(
        (index for index in range(1, min(len(lines), _MAX_FRONT_MATTER_LINES)) if lines[index].strip() in _FRONT_MATTER_CLOSE),
        None,
    )
    if close is None:
        return None, 0
    block = lines[1:close]
    first = next((line for line in block if line.strip() and not line.lstrip().startswith("#")), None)
    if first is None or not _KEY_LINE.fullmatch(first.strip()):
        return None, 0  # a horizontal rule, then text
    from whoclaims.ingest.structured import load_yaml

    data = load_yaml("\n".join(block), what=f"YAML front matter (lines 1-{close + 1})")
    if not isinstance(data, dict):
        raise TranscriptError(f"YAML front matter (lines 1-{close + 1}) is a {type(data).__name__}, not a mapping of keys")
    return data, close + 1


def front_matter_info(data: Mapping[str, Any]) -> DocumentInfo:
    """Episode metadata of front matter (or of the top level of a JSON/YAML document).

    Title, date (`date`, `published`, ...), url (`source`, `url`, ...), description,
    show, tags (a list or a comma-separated string; Obsidian `[[links]]` unwrapped)
    and speakers: `speakers` as a list of names or `{name, role, label}` objects, or
    a map of label -> name (or -> `{name, role}`); `host`/`guests` name speakers with a role.
    """
    folded = {str(key).casefold(): value for key, value in data.items()}

    def text(keys: tuple[str, ...]) -> str | None:
        for key in keys:
            value = folded.get(key.casefold())
            found = _metadata_text(value)
            if found:
                return found
        return None

    tags: list[str] = []
    for key in _TAG_KEYS:
        value = folded.get(key)
        items = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else []
        tags.extend(_unwikilink(normalise_text(str(item))) for item in items if isinstance(item, str | int | float))
    names: dict[str, str] = {}
    roles: dict[str, str] = {}
    _read_speakers(folded.get("speakers"), names, roles)
    for key, role in _ROLE_KEYS.items():
        value = folded.get(key)
        for item in value if isinstance(value, list) else [value]:
            name = _metadata_text(item)
            if isinstance(item, str) and name:
                roles.setdefault(normalise_speaker(_unwikilink(name)), role)
    return DocumentInfo(
        title=text(_TITLE_KEYS),
        description=text(_DESCRIPTION_KEYS),
        date=text(_DATE_KEYS),
        show=text(_SHOW_KEYS),
        url=text(_URL_KEYS),
        tags=tuple(dict.fromkeys(tag for tag in tags if tag)),
        speaker_names=names,
        roles=roles,
    )


def _metadata_text(value: Any) -> str | None:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return " ".join(_unwikilink(normalise_text(str(value))).split()) or None
    return None


def _read_speakers(value: Any, names: dict[str, str], roles: dict[str, str]) -> None:
    """Fill label -> name and name -> role from a `speakers` list or map (unusable entries are skipped)."""
    items: list[tuple[str | None, Any]]
    if isinstance(value, dict):
        items = [(str(label), entry) for label, entry in value.items()]
    elif isinstance(value, list):
        items = [(None, entry) for entry in value]
    else:
        return
    for label, entry in items:
        role = None
        if isinstance(entry, dict):
            folded = {str(key).casefold(): item for key, item in entry.items()}
            name = _metadata_text(folded.get("name"))
            role = _metadata_text(folded.get("role"))
            label = label or _metadata_text(folded.get("label"))
        else:
            name = _metadata_text(entry)
        if not name:
            continue
        name = normalise_speaker(name)
        if label and normalise_speaker(label) != name:
            names[label] = name
        if role:
            roles[name] = normalise_role(role) or role


def clean_inline(line: str) -> tuple[str, Counter[str]]:
    """A line without inline Markdown (links, images, emphasis, code, HTML tags), and what was removed."""
    found: Counter[str] = Counter()

    def count(kind: str, replacement: str | None = None):
        def replace(match: re.Match[str]) -> str:
            found[kind] += 1
            if replacement is not None:
                return replacement
            # The kept text: the `text` group (or `text2`, the other spelling's), else the first group.
            groups = match.groupdict()
            return groups.get("text") or groups.get("text2") or match.group(1) or ""
        return replace

    # Escaped characters (`\*`) are set aside first, so that no pattern reads them as markup.
    escaped: dict[int, str] = {}
    if "\\" in line:
        def set_aside(match: re.Match[str]) -> str:
            if len(escaped) >= _MAX_ESCAPES:
                return match.group()
            found["escape"] += 1
            mark = _ESCAPE_MARKS + len(escaped)
            escaped[mark] = match["text"]
            return chr(mark)
        line = _ESCAPE.sub(set_aside, _PRIVATE_USE.sub("", line))
    # Each pattern runs only on lines holding its marker character (most lines hold none).
    if "<" in line:
        line = _HTML_COMMENT.sub(count("html", ""), line)
    if "`" in line:
        line = _CODE.sub(count("code"), line)
    if "[" in line:
        line = _IMAGE.sub(count("image", ""), line)
        line = _LINK.sub(count("link"), line)
        line = _REFERENCE_LINK.sub(count("link"), line)
        line = _FOOTNOTE.sub(count("footnote", ""), line)
    if "<" in line:
        line = _AUTOLINK.sub(count("link", ""), line)
    if "*" in line or "_" in line:
        # Two bold runs that touch (`**Name**` + `**:**` once a link between them is gone) are one.
        line = _STRONG.sub(count("emphasis"), line.replace("****", ""))
        line = _EMPHASIS.sub(count("emphasis"), line)
    if "~" in line:
        line = _STRIKE.sub(count("emphasis"), line)
    if "<" in line:
        line = _HTML_TAG.sub(count("html", ""), line)
    if escaped:
        line = line.translate(escaped)
    if _ENTITY.search(line):
        found["entity"] += 1
        line = _ENTITY.sub(lambda match: html.unescape(match.group()), line)
    return line, found


def _bold_lead(line: str) -> tuple[str, str] | None:
    """(speaker label, line rewritten as `Name: rest`) for a line that opens with a bold label.

    A bold name with a colon (`**Jane:** hi`, `**Jane**: hi`), alone on its line
    (`**JANE DOE**`) or before a stamp (`**Jane** *(00:01:02)*`) is a label; a bold
    phrase that runs into the sentence (`**Ukraine** will win`) is emphasis.
    """
    match = _BOLD_LEAD.fullmatch(line)
    if not match:
        return None
    name = " ".join(match["name"].split()).rstrip(":").strip()
    rest = match["rest"]
    if not name or not name[0].isalpha():
        return None
    if match["colon"] or rest.lstrip().startswith(":"):
        return name, f"{match['indent']}{name}: {rest.lstrip().removeprefix(':').lstrip()}".rstrip()
    if not rest.strip() or _STAMP_START.match(rest):
        return name, f"{match['indent']}{name}{rest}"
    return None


@functools.lru_cache(maxsize=4)
def read_markdown(text: str, *, suffix_says_markdown: bool) -> TextDocument | None:
    """A `TextDocument` of Markdown text, or None when the text shows no Markdown.

    A `.md` file needs one piece of Markdown (front matter, a heading, a link, emphasis,
    code, HTML); any other file needs front matter, a heading and another kind of
    markup, three links, or two bold speaker labels, so that a plain transcript with a
    stray `*aside*` is not read as Markdown.

    Raises:
        TranscriptError: invalid YAML front matter.
    """
    lines = text.split("\n")
    front, skip = split_front_matter(lines)
    found: Counter[str] = Counter()
    if front is not None:
        found["front_matter"] += 1
    out: list[str] = [""] * skip
    sections: dict[int, str] = {}
    hints: set[str] = set()
    fence: str | None = None
    # The first `# heading`: the title, when the front matter gives none.
    first_title: str | None = None
    # Headings that name the speaker of the paragraphs under them (`### Jane Doe`, each recurring).
    titles = {index: " ".join(clean_inline(heading["text"])[0].split()) for index in range(skip, len(lines))
              if (heading := _ATX_HEADING.fullmatch(lines[index]))}
    named = speaker_headings(list(titles.values()))
    for index in range(skip, len(lines)):
        line = lines[index]
        opener = _FENCE.match(line)
        if fence is not None:
            if opener and opener.group(1) == fence:
                fence = None
            out.append("")
            continue
        if opener:
            fence = opener.group(1)
            found["code"] += 1
            out.append("")
            continue
        heading = _ATX_HEADING.fullmatch(line)
        if heading:
            found["heading"] += 1
            title = titles[index]
            if title in named:
                hints.add(title)
                out.append(title)
                continue
            if title:
                sections[index] = title
                if first_title is None and len(heading.group(1)) == 1:
                    first_title = title
            out.append("")
            continue
        if _SETEXT_UNDERLINE.fullmatch(line) and out and out[-1].strip() and index - 1 not in sections:
            found["heading"] += 1
            sections[index - 1] = " ".join(out[-1].split())
            out[-1] = ""
            out.append("")
            continue
        if _RULE.fullmatch(line) or _LINK_DEFINITION.fullmatch(line):
            found["rule" if _RULE.fullmatch(line) else "link"] += 1
            out.append("")
            continue
        while _QUOTE.match(line):
            line = _QUOTE.sub("", line, count=1)
        line = _BULLET.sub(lambda match: match["indent"], line, count=1)
        if _LINKS_ONLY.fullmatch(line) and not _STAMP_START.search(line):
            # A line of nothing but links is navigation (menus, footers, share buttons), not speech.
            found["link"] += 1
            out.append("")
            continue
        lead = _bold_lead(line)
        if lead:
            found["bold_label"] += 1
            hints.add(lead[0])
            line = lead[1]
        line, kinds = clean_inline(line)
        found.update(kinds)
        out.append(line)
    if not _is_markdown(found, suffix_says_markdown=suffix_says_markdown):
        return None
    info = front_matter_info(front) if front else DocumentInfo()
    if info.title is None and first_title is not None:
        info = dataclasses.replace(info, title=first_title)
    return TextDocument(tuple(out), sections, info, frozenset(hints), container="markdown", joiner=" ")


def _is_markdown(found: Counter[str], *, suffix_says_markdown: bool) -> bool:
    strong = {kind: count for kind, count in found.items() if kind not in ("rule", "escape", "entity") and count}
    if suffix_says_markdown:
        return bool(strong) or bool(found["rule"])
    if found["front_matter"]:
        return True
    if found["heading"] and len(strong) >= 2:
        return True
    return found["link"] >= 3 or found["bold_label"] >= 2
