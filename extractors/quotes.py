"""Direct quotations and who is quoted: the quote marks, and the cue that names the source.

Two steps, each usable alone:

- `find_quotations(text)` finds quotations in plain text: curly double quotes
  (“...”), guillemets («...»), straight double quotes paired by their context,
  and single curly quotes (‘...’) that open after a space or a quote mark and
  close after punctuation (so apostrophes, "don’t" or "allies’ ", never close
  one). A curly quotation left open at the end of the text (a quote that runs
  on into the next paragraph) ends there; an unmatched straight quote is left
  out. Quotations of fewer than `MIN_WORDS` words that do not end a sentence
  are scare quotes ("called it “historic”") and are left out. Nested
  quotations are kept, with their `depth`.
- `attribute_quotations(doc)` names the source of each quotation of a parsed
  `Doc` from the cue around it, in this order:

  1. inside a quotation split by its attribution: `“...,” she said, “...”`
     (both pieces get the source);
  2. after it, in the same sentence: `“...,” Rubio said.`, `“...” said Rubio.`,
     `“...,” according to Rubio.`, `“...,” as Rubio put it.`;
     or a dash and a name (`“...” — Senator Jane Doe, of Ruritania`);
  3. before it: `Rubio said: “...”`, `Rubio told reporters that “...”`,
     `According to Rubio, “...”`, a name and a colon (`Rubio: “...”`,
     `Jane Doe (R-TX): “...”`, `Jane Doe, Senator from Texas: “...”`, also as a
     block quote on the next line), a Markdown link naming the source as in
     article-like text (`[Secretary Marco Rubio](https://...): “...”`);
  4. a heading above a list of quotes (`### **Secretary Marco Rubio on Meet the
     Press**` then `- “...”` items), until the next heading;
  5. a quotation that goes on after its attribution, with nothing but the cue
     between them (`“...,” she said. “...”`) shares the source before it.

  A quotation with no cue gets no source (the caller keeps its default holder);
  a nested quotation with no cue of its own shares its outer one's.

The source is either a token of the parse (a subject such as "Rubio" or "he",
for the caller to resolve through its mentions and coreference) or a name read
from a link or heading text (`name_from_description`: "Former U.S. Ambassador
to Russia Michael McFaul" -> "Michael McFaul").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from extractors.lexicon import AGENT_NOUNS, NOT_NAME_WORDS, SPEECH_CUES, TITLE_WORDS, cue_lemma

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# A quotation shorter than this (in words) counts only when it ends a sentence ("We stand ready.").
MIN_WORDS = 4
# How far (characters) a cue may sit from the quote mark it attributes.
CUE_WINDOW = 120
# How far back (characters) a Markdown link naming a quotation's source may start.
LINK_WINDOW = 400
# The most characters of attribution between the two pieces of a split quotation.
SPLIT_WINDOW = 80

_OPENERS = {"“": "”", "«": "»", "‘": "’"}
_CLOSERS = {"”", "»", "’"}
_WORD = re.compile(r"[^\W\d_][\w’'\-]*")
_SENTENCE_END = re.compile(r"[.!?…]\W*$")
# A Markdown link: [text](target), the target possibly holding one level of brackets.
MARKDOWN_LINK = re.compile(r"\[([^\[\]]+)\]\((?:[^()\s]|\([^()\s]*\))*\)")
# Markdown headings and bold lines: "### **Name on Show**", "**Name:**", "## Name".
_HEADING = re.compile(r"(?:^|(?<=\s))(?:#{1,6}[ \t]*(?:\*\*(?P<bold>[^*\n]+)\*\*|(?P<plain>[^\n#*“”\"]+?)(?=\s+-\s|\n|$))"
                      r"|\*\*(?P<strong>[^*\n]{3,80})\*\*)")
# A name (up to five capitalised words, initials allowed) right before a colon at the end of a text.
_NAME_COLON = re.compile(r"(?P<name>(?:[A-Z][\w’'.\-]*\s+){0,4}[A-Z][\w’'\-]*\.?)\s*:\s*$")
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "ret", "esq", "phd"})
_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those", "our", "my", "your", "their", "his",
                          "her", "its"})


@dataclass(frozen=True)
class Quotation:
    """A quotation in a text: marks at `start` and `end - 1`, quoted words in [inner_start, inner_end)."""

    start: int
    end: int
    inner_start: int
    inner_end: int
    depth: int = 0
    closed: bool = True


@dataclass(frozen=True)
class QuoteSource:
    """Who a quotation is from: a token of the parse to resolve, or a name read from the text."""

    cue: str
    token: Token | None = None
    name: str | None = None
    # The cue token (a speech verb), when the cue is a verb: the resolver reads it like a frame's cue.
    cue_token: Token | None = None
    # Characters of the attribution itself (the cue and the name, a link, a heading), when known.
    span: tuple[int, int] | None = None


@dataclass(frozen=True)
class AttributedQuote:
    """A quotation (one or more pieces, as character ranges of the doc) and its source."""

    pieces: tuple[tuple[int, int], ...]
    source: QuoteSource
    depth: int = 0
    # False when the last piece runs to the end of the text (the quotation goes on in the next paragraph).
    closed: bool = True

    def covered(self, start: int, end: int) -> int:
        """Characters of [start, end) inside the quoted pieces."""
        return sum(max(0, min(end, b) - max(start, a)) for a, b in self.pieces)


# --------------------------------------------------------------------------- finding quotations


def _is_opening(text: str, i: int) -> bool:
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([{—–-/:;“‘*>") and not after.isspace()


def _is_closing(text: str, i: int) -> bool:
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isspace() and (after.isspace() or after in ".,;:!?)]}—–-”’*")


def _is_single_closing(text: str, i: int) -> bool:
    """A ’ that closes a quotation, not an apostrophe: after sentence punctuation, or before punctuation."""
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if before.isalnum() and after.isalnum():
        return False  # don’t, O’Brien
    return before in ".,!?…;:" or after in ",.;:!?)”—–"


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _kept(text: str, inner_start: int, inner_end: int, *, closed: bool) -> bool:
    inner = text[inner_start:inner_end].strip()
    words = _words(inner)
    # Shorter ones count when they end a sentence, run on (unclosed), or break off for an attribution ("The talks,").
    return words >= MIN_WORDS or (words >= 2 and (bool(_SENTENCE_END.search(inner)) or not closed
                                                  or inner.endswith((",", "—", "–"))))


def find_quotations(text: str) -> list[Quotation]:
    """Quotations of `text`, in order of their opening mark (see the module docstring)."""
    found: list[Quotation] = []
    # Curly doubles and guillemets: a stack, so that nested pairs close in order.
    stack: list[tuple[int, str]] = []
    for i, char in enumerate(text):
        if char in {"“", "«"}:
            stack.append((i, _OPENERS[char]))
        elif char in {"”", "»"}:
            if stack and stack[-1][1] == char:
                start, _ = stack.pop()
                found.append(Quotation(start, i + 1, start + 1, i, depth=len(stack)))
            elif not stack and char == "”" and _is_opening(text, i):
                stack.append((i, "”"))  # a right quote typed as the opening mark
    for start, _ in stack:
        found.append(Quotation(start, len(text), start + 1, len(text), depth=0, closed=False))
    # Straight double quotes: paired in order, each mark read as opening or closing by its neighbours.
    opening: int | None = None
    for match in re.finditer('"', text):
        i = match.start()
        if opening is None and _is_opening(text, i):
            opening = i
        elif opening is not None and _is_closing(text, i):
            found.append(Quotation(opening, i + 1, opening + 1, i))
            opening = None
    # An unmatched straight quote is left out: unlike a curly one it says nothing about which side it is on.
    # Single curly quotes: only a clear opening and a clear closing make one.
    for match in re.finditer("‘", text):
        i = match.start()
        if not _is_opening(text, i):
            continue
        # The closing mark lies before any double quote mark or line break: a single quotation
        # never spans the edge of a double one.
        stop = re.compile(r"[“”\"«»\n]").search(text, i + 1)
        for close in re.finditer("’", text[i + 1 : stop.start() if stop else len(text)]):
            j = i + 1 + close.start()
            if _is_single_closing(text, j):
                found.append(Quotation(i, j + 1, i + 1, j))
                break
    found = [q for q in found if _kept(text, q.inner_start, q.inner_end, closed=q.closed)]
    # Depth from containment, whatever the marks.
    found.sort(key=lambda q: (q.start, -q.end))
    result = []
    for quote in found:
        depth = sum(1 for other in found if other is not quote and other.start <= quote.start
                    and quote.end <= other.end and (other.start, other.end) != (quote.start, quote.end))
        result.append(Quotation(quote.start, quote.end, quote.inner_start, quote.inner_end, depth, quote.closed))
    return result


# --------------------------------------------------------------------------- names in descriptions


def _name_words(run: list[str]) -> list[str]:
    """The words of a capitalised run that can be part of a personal name."""
    words = []
    for word in run:
        bare = word.rstrip(".,")
        lower = bare.replace("’", "'").casefold()
        if lower in _SUFFIXES:
            continue  # "Jr.", "(ret.)": after the name, not part of it
        if lower in TITLE_WORDS or lower in AGENT_NOUNS or lower in _DETERMINERS or lower in NOT_NAME_WORDS:
            words = []  # a title or role ends what came before it: "Ambassador" in "U.S. Ambassador Jane Doe"
            continue
        is_initial = len(bare) == 1 and word.endswith(".")
        if word.endswith(".") and not is_initial:
            words = []  # an abbreviation ("Sen.", "U.S.") is not part of a name
            continue
        letters = [c for c in bare if c.isalpha()]
        if len(letters) > 1 and all(c.isupper() for c in letters):
            words = []  # an acronym ("CEO", "NATO")
            continue
        words.append(bare)
    return words


def name_from_description(text: str, *, known: Callable[[str], str | None] | None = None) -> str | None:
    """The person a source description names ("Atlantic Council President and CEO Jane Doe" -> "Jane Doe").

    Parentheticals and suffixes ("(ret.)", "Jr.") are dropped, and so is whatever
    precedes a possessive ("Newsmax’s Ed Henry"). The text splits into runs of
    capitalised words at lower-case words ("to", "on", "and"); titles,
    abbreviations and acronyms inside a run are not name words. A run that
    `known` recognises as a person (returning the canonical name) wins, the last
    one first; otherwise the last two words of the last run of two or more name
    words ("Russia Michael McFaul" -> "Michael McFaul"), else the last single
    name word. None when nothing looks like a name.
    """
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.split(r"[’']s\s+", text)[-1]
    runs: list[list[str]] = [[]]
    for word in text.replace(",", " ").split():
        if word[:1].isupper() or (word[:1].isdigit() and runs[-1]):
            runs[-1].append(word)
        elif runs[-1]:
            runs.append([])
    candidates = [words for words in (_name_words(run) for run in runs if run) if words]
    if not candidates:
        return None
    if known is not None:
        # A whole run only: a surname alone ("Harris") must not stand for a different full name.
        for words in reversed(candidates):
            for size in sorted({min(len(words), 3), min(len(words), 2)}, reverse=True):
                name = known(" ".join(words[-size:]))
                if name is not None:
                    return name
    multi = [words for words in candidates if len(words) >= 2]
    if multi:
        return " ".join(multi[-1][-2:])
    return candidates[-1][-1]


# --------------------------------------------------------------------------- attribution


def _span_tokens(doc: Doc, start: int, end: int) -> list[Token]:
    return [token for token in doc if start <= token.idx and token.idx + len(token) <= end]


def _speech_source(tokens: list[Token], quote_ranges: list[tuple[int, int]], *, after: bool) -> QuoteSource | None:
    """A speech verb among `tokens` with a subject outside the quotations: the source."""
    from extractors.claim_detector import subject_of

    def outside(token: Token) -> bool:
        return not any(a <= token.idx < b for a, b in quote_ranges)

    ordered = tokens if after else list(reversed(tokens))
    for token in ordered:
        if not outside(token):
            continue
        lemma = cue_lemma(token)
        if token.lower_ == "according":
            to = next((c for c in token.children if c.lower_ == "to"), None)
            source = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
            if source is not None and outside(source):
                return QuoteSource("according", token=source, span=_char_range(token, source))
            continue
        if token.pos_ not in {"VERB", "AUX"} or (lemma not in SPEECH_CUES and lemma != "put"):
            continue
        if any(child.dep_ == "auxpass" for child in token.children):
            continue
        subject = subject_of(token)
        if subject is None:  # "said Rubio": the inverted subject may be parsed as an object
            subject = next((c for c in token.children if c.dep_ in {"dobj", "attr", "npadvmod"} and c.i > token.i
                            and (c.pos_ == "PROPN" or c.ent_type_ == "PERSON")), None)
        if subject is None or not outside(subject):
            continue
        if not all(outside(t) for t in subject.subtree if not t.is_punct):
            continue  # the quotation is part of the subject (a title: "Your article “...” argues"), not its words
        if lemma == "put" and not any(c.dep_ == "mark" and c.lower_ == "as" for c in token.children):
            continue  # only "as X put it"
        return QuoteSource(lemma, token=subject, cue_token=token, span=_char_range(token, subject))
    return None


def _boundary_before(doc: Doc, position: int) -> int:
    """Start (character) of the sentence holding `position`, or of the one before when that ends in a colon."""
    token = next((t for t in doc if t.idx <= position < t.idx + max(len(t), 1)), None)
    if token is None:
        token = next((t for t in reversed(doc) if t.idx <= position), None)
    if token is None:
        return 0
    sent = token.sent
    start = sent.start_char
    if start == position or doc.text[start:position].strip() in {"", "-", "*", "—"}:
        previous = doc[sent.start - 1].sent if sent.start > 0 else None
        if previous is not None and previous.text.rstrip().endswith(":"):
            start = previous.start_char
    return start


def attribute_quotations(doc: Doc, *, known: Callable[[str], str | None] | None = None) -> list[AttributedQuote]:
    """Quotations of a parsed `doc` with their sources, where a cue names one (see the module docstring).

    Args:
        doc: a parsed doc (sentences and dependencies).
        known: canonical name of a person named in text, or None (used for link and heading names).

    Returns:
        One entry per attributed quotation (a split quotation is one entry with two pieces); quotations
        without a cue, and nested ones that share their outer quotation's source, are left out.
    """
    text = doc.text
    quotations = find_quotations(text)
    headings = [(m.start(), m.end(), m.group("bold") or m.group("plain") or m.group("strong"))
                for m in _HEADING.finditer(text)]
    results: list[AttributedQuote] = []
    taken: set[int] = set()
    for index, quote in enumerate(quotations):
        if index in taken:
            continue
        pieces = [(quote.inner_start, quote.inner_end)]
        source: QuoteSource | None = None
        # A cue sits outside this quotation and its siblings, though maybe inside an enclosing one.
        ranges = [(q.start, q.end) for q in quotations if q.depth >= quote.depth]
        # 1. split by the attribution: "...," she said, "..."
        following = next((j for j in range(index + 1, len(quotations)) if quotations[j].depth == quote.depth), None)
        if following is not None:
            gap = text[quote.end : quotations[following].start]
            inner = text[quote.inner_start : quote.inner_end].rstrip()
            if 0 < len(gap.strip()) <= SPLIT_WINDOW and inner.endswith((",", "—", "–")) and "\n" not in gap:
                found = _speech_source(_span_tokens(doc, quote.end, quotations[following].start), ranges, after=True)
                if found is not None:
                    source = found
                    nxt = quotations[following]
                    pieces.append((nxt.inner_start, nxt.inner_end))
                    taken.add(following)
        # 2. after it, within its sentence
        if source is None and quote.closed:
            closing = next((t for t in doc if t.idx == quote.end - 1), None)
            if closing is not None:
                limit = min(closing.sent.end_char, quote.end + CUE_WINDOW, *[q.start for q in quotations
                                                                           if q.start >= quote.end] or [len(text)])
                after = _span_tokens(doc, quote.end, limit)
                # Only a cue right after the quote: a few tokens of attribution, not a new clause of the speaker.
                source = _speech_source(after[:6], ranges, after=True)
            if source is None:
                source = _dash_attribution(text, quote.end, known=known)
        # 3. before it
        if source is None:
            boundary = _boundary_before(doc, quote.start)
            previous_end = max([q.end for q in quotations if q.end <= quote.start] or [0])
            boundary = max(boundary, previous_end, quote.start - CUE_WINDOW)
            # A link naming the source may be long (its target): look further back for one.
            link_start = max(previous_end, quote.start - LINK_WINDOW)
            source = _link_or_colon(text[min(boundary, link_start) : quote.start], known=known,
                                    offset=min(boundary, link_start))
            if source is None:
                before = _span_tokens(doc, boundary, quote.start)
                source = _speech_source(before, ranges, after=False)
        # 4. a heading above
        if source is None and quote.depth == 0:
            heading = next((h for h in reversed(headings) if h[1] <= quote.start), None)
            if heading is not None and not any(heading[1] <= h[0] < quote.start for h in headings):
                # "Name on Show", "Name at Event": the source comes before the programme.
                described = re.split(r"\s+(?:on|at)\s+", heading[2].split(":")[0])[0]
                name = name_from_description(described, known=known)
                if name is not None and not _is_generic_heading(heading[2]):
                    source = QuoteSource("heading", name=name, span=(heading[0], heading[1]))
        # 5. a quotation that goes on after its attribution: "“...,” she said. “...”"
        if source is None and results and results[-1].depth == quote.depth:
            previous = results[-1]
            gap = text[previous.pieces[-1][1] : quote.start]
            cue = previous.source.cue_token
            cue_in_gap = cue is not None and previous.pieces[-1][1] <= cue.idx < quote.start
            bare = MARKDOWN_LINK.sub("", gap).strip(" \t()[]-—–*,.")
            if len(gap) <= CUE_WINDOW and "\n\n" not in gap and (cue_in_gap or not bare) and not any(
                    q.start < quote.start and q.end > previous.pieces[-1][1] + 1 and q is not quote
                    and q.depth == quote.depth and q.inner_start > previous.pieces[-1][1] for q in quotations):
                source = QuoteSource("continued", token=previous.source.token, name=previous.source.name,
                                     cue_token=cue, span=previous.source.span)
        if source is not None:
            last = quotations[following] if len(pieces) > 1 and following is not None else quote
            results.append(AttributedQuote(tuple(pieces), source, depth=quote.depth, closed=last.closed))
    return results


def _is_generic_heading(text: str) -> bool:
    """A heading that introduces quotes without naming anyone ("Here’s what they’re saying:")."""
    return not any(word[:1].isupper() for word in text.split()[1:]) or bool(
        re.match(r"\s*(here|what|more|read|watch|see)\b", text, re.IGNORECASE))


def _dash_attribution(text: str, end: int, *, known: Callable[[str], str | None] | None) -> QuoteSource | None:
    """A source named after a dash right after the quotation: "“...” — Senator Jane Doe, of Ruritania"."""
    match = re.match(r"[ \t]*[—–-]{1,2}[ \t]*([A-Z][^\n“”\"—–]{1,80}?)(?=\s*(?:$|\n|[“\"]|\s[—–-]\s|\.\s))", text[end:])
    if match is None:
        return None
    description = re.sub(r"\([^()]*\)", "", match.group(1)).split(",")[0]
    if len(description.split()) > 6:
        return None
    name = name_from_description(description, known=known)
    return QuoteSource("dash", name=name, span=(end, end + match.end())) if name is not None else None


def _char_range(first: Token, second: Token) -> tuple[int, int]:
    start = min(first.idx, second.left_edge.idx)
    end = max(first.idx + len(first), second.idx + len(second))
    return start, end


def _link_or_colon(before: str, *, known: Callable[[str], str | None] | None, offset: int = 0) -> QuoteSource | None:
    """A source named right before a quotation: "[Name](link):", "[Name](link), title:", "Name:".

    `before` is the text before the quotation, starting at character `offset` of the doc.
    """
    stripped = before.rstrip()
    if not stripped.endswith(":"):
        return None
    links = list(MARKDOWN_LINK.finditer(before))
    if links:
        last = links[-1]
        tail = before[last.end() :].strip()
        # "[Name](link):" or "[Name](link), his title:" -- nothing but a short description after the link.
        if len(tail) <= 60 and tail.rstrip(":-— ").count(".") <= 1 and "“" not in tail and '"' not in tail:
            name = name_from_description(last.group(1), known=known)
            if name is not None:
                return QuoteSource("link", name=name, span=(offset + last.start(), offset + len(before)))
    clean = MARKDOWN_LINK.sub(lambda m: m.group(1), stripped)
    clean = re.sub(r"\s*\([^()]*\)", "", clean)  # "Jane Doe (R-TX):"
    clean = re.sub(r"[*_#>\-—\s]+:?$", lambda m: ":" if ":" in m.group(0) else "", clean).rstrip()
    # "Jane Doe, Senator from Texas:": the name before the description.
    described = re.search(r"(?:^|[.!?”\-—*]\s+|^\s*[-*•]\s*)([A-Z][^,:.!?]{1,40}),[^:.!?]{1,60}:$", clean)
    if described is not None:
        name = name_from_description(described.group(1), known=known)
        if name is not None:
            return QuoteSource("colon", name=name, span=(offset + max(0, len(before) - len(described.group(0)) - 1),
                                                         offset + len(before)))
    match = _NAME_COLON.search(clean)
    if match is not None:
        name = name_from_description(match.group("name"), known=known)
        if name is not None:
            return QuoteSource("colon", name=name,
                               span=(offset + max(0, len(stripped) - len(match.group(0))), offset + len(before)))
    return None
