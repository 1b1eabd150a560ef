"""Parsers of transcripts whose speakers are written in the running text.

Every parser here reads a `TextDocument`: plain text as it is, or Markdown and
HTML with their markup removed (see `document.py`). The layouts:

- `speaker_header`: a speaker's name alone on a line, then that speaker's paragraphs.
- `inline` / `timestamped`: `Name: text` lines, optionally with a time
  (`Name (00:01):`, `[00:01:23] Name:`, `Name (01:02:03) text`, `Name 01:02:03 text`);
  one parser reads both, because files mix them; the format is the kind of
  label that dominates. A paragraph that opens with a stamp and no name
  (`(01:05:00) And then...`) continues the previous speaker.
- `press`: press and hearing transcripts: labels of titles in capitals
  (`MS. LEAVITT:`, `THE PRESIDENT:`), possibly indented; `Q` / `Q:` questions
  (speaker `Reporter`, role `questioner`, unless a sidecar names them); place,
  date and time lines before the first speaker and an `END` line are metadata.
- `plain`: no speakers at all; the text is one turn (one per section under headings).

In every layout text before the first speaker becomes title and description,
never a turn, and lines hard-wrapped at a fixed width are rejoined.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from whoclaims.ingest.document import TextDocument
from whoclaims.ingest.errors import TranscriptError
from whoclaims.ingest.names import (
    MAX_NAME_CHARS,
    TITLE_WORDS,
    UNKNOWN_SPEAKER,
    accept_label,
    is_capitals,
    is_diarisation_label,
    is_name_like,
    is_role_word,
    is_titled_label,
    label_role,
    normalise_speaker,
)
from whoclaims.ingest.text import (
    CLOCK_LINE,
    END_LINE,
    LONG_TIMESTAMP,
    TIMESTAMP,
    end_times,
    indexed_blocks,
    is_stage_direction,
    join_blocks,
    paragraphs_text,
    parse_timestamp,
    read_preamble,
    wrap_width,
)
from whoclaims.records import ParsedTranscript, RawTurn

# The label is anything but colons and brackets, starting with a letter; `accept_label` judges it.
_LABEL = r"(?P<label>[^\W\d_][^:\[\]()]{0,59}?)"
_TEXT = r"(?P<text>(?:[ \t].*)?)"  # a colon must be followed by a space or end the line: not `10:30`, not `http://`
# `[Jane Doe]: text` too: some exports put the label in brackets.
_INLINE = re.compile(rf"\[?{_LABEL}\]?[ \t]*:{_TEXT}")
_NAME_TIME = re.compile(rf"{_LABEL}[ \t]*[(\[](?P<time>{TIMESTAMP})[)\]][ \t]*:?{_TEXT}")
_TIME_NAME = re.compile(rf"[(\[]?(?P<time>{TIMESTAMP})[)\]]?[ \t]*(?:[-–—|][ \t]*)?{_LABEL}[ \t]*:{_TEXT}")
# `PRESIDENT ZELENSKYY (via interpreter): text`: the note is part of the label, not speech; so
# are two (`Mr. Nebenzia (Russian Federation) (spoke in Russian):`, as UN meeting records write).
_NOTE_LABEL = re.compile(rf"{_LABEL}[ \t]*[(\[](?P<note>[^()\[\]:0-9]{{1,40}})[)\]]"
                         rf"(?:[ \t]*\([^()\[\]:0-9]{{1,40}}\))?[ \t]*:{_TEXT}")
# `Lex Fridman 01:02:03 text`: a bare stamp between the name and the text (text required, so that
# Otter's header lines `Name  0:03` stay headers).
_NAME_BARE_TIME = re.compile(rf"{_LABEL}[ \t]+(?P<time>{TIMESTAMP})(?P<text>[ \t]+\S.*)")
# `John Smith — Text`, `JOHN SMITH – Text` (an em or en dash, not a hyphen, and speech that opens a sentence):
# counted only when the label recurs and two such speakers do (prose's "Putin — who ... —" is not a label).
_NAME_DASH = re.compile(rf"{_LABEL}[ \t]+[—–][ \t]+(?P<text>[\"'“‘(]?[A-Z0-9À-ÝА-Я].*)")
_TIME_ONLY = re.compile(rf"[(\[]?(?P<time>{TIMESTAMP})[)\]]?")
# `Name  0:03` (Otter), `Name [00:00:01]`, `Name - 00:00:01`, `Name | 0:03`.
_HEADER_TIME = re.compile(rf"{_LABEL}(?:[ \t]+[-–—|])?[ \t]+[(\[]?(?P<time>{TIMESTAMP})[)\]]?")
# Happy Scribe's header line: `[00:00:05.20] - Speaker 2`.
_TIME_HEADER = re.compile(rf"[(\[]?(?P<time>{TIMESTAMP})[)\]]?[ \t]*[-–—|]?[ \t]*{_LABEL}")
# A stamp that opens the text after a label (`Speaker1: [00:00:05] text`).
_LEADING_STAMP = re.compile(rf"[(\[](?P<time>{TIMESTAMP})[)\]][ \t]*")
# A paragraph that opens with a stamp but no name: `(01:05:00) text`, `[01:05] text`, `1:05:00 text`.
_STAMPED = re.compile(rf"(?:[(\[](?P<time>{TIMESTAMP})[)\]]|(?P<bare>{LONG_TIMESTAMP}))[ \t]+(?P<text>\S.*)")
# A stamp in brackets or parentheses opening a paragraph: `(00:01:15) text`, `[12:03] text`.
_BRACKETED_STAMP = re.compile(rf"[ \t]*[(\[](?P<time>{TIMESTAMP})[)\]](?:[ \t]+|$)")
_SENTENCE_START = re.compile(r"[\"'“‘(\[]?[A-Z0-9À-ÝА-Я]")
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’)\]]*$")
# A stamp opening a line of a caption-style text: `0:04 text`, `[00:04] text`.
_LINE_STAMP = re.compile(rf"[ \t]*[(\[]?(?P<time>{TIMESTAMP})[)\]]?(?:[ \t]+|$)")
# Press questions: `Q text`, `Q: text`, `Q. text`, or `Q:` alone.
_QUESTION = re.compile(r"Q(?:[ \t]*:|\.(?=[ \t]|$)|(?=[ \t])|$)[ \t]*(?P<text>.*)")
# Hearing records: an indented `Senator Risch. text`, `The Chairman. text`, `Mr. Smith. text`.
_HEARING = re.compile(
    r"(?P<label>(?:The[ \t]+)?(?:(?:Mr|Mrs|Ms|Dr)\.[ \t]+)?[A-Z][A-Za-z'’\-]+(?:[ \t]+[A-Z][A-Za-z'’\-]+){0,3})"
    r"\.(?P<text>[ \t]+\S.*)"
)
# Closed captions (and the news transcripts made from them) mark a change of speaker with `>>`.
_CHEVRONS = re.compile(r">{2,3}[ \t]*")
_WIDE_SPACES = re.compile("[\xa0\u2000-\u200a\u202f\u205f\u3000]")
# Every label form has its colon within this many characters of the line start.
_LABEL_REACH = 120
_ROLE = re.compile(r"[^\W\d_][\w'’\-]*(?: [^\W\d_][\w'’\-]*){0,3}")
_LONG_ROLE = re.compile(r"[^\W\d_][\w'’.\-]*(?: [^\W\d_][\w'’.\-]*){0,7}")
_ROLE_NOTE = re.compile(r"\([^()]{1,40}\)$")
# A header line longer than this cannot be a name (plus an optional ", role").
_MAX_HEADER_CHARS = MAX_NAME_CHARS + 30
# Headings of a table of contents or chapter list (before the first speaker: dropped).
_CONTENTS_HEADING = re.compile(r"(?i)(?:table of )?contents|chapters|timestamps|outline|episode (?:chapters|outline)|index")
QUESTIONER = "Reporter"
QUESTIONER_ROLE = "questioner"
QUESTION_LABEL = "Q"
TEXT_LAYOUTS = ("speaker_header", "inline", "timestamped", "press", "plain")


def split_label(label: str) -> tuple[str, str | None] | None:
    """Split `NAME, ROLE` into (name, role); None when the part after the comma is not a short role."""
    name, comma, role = label.partition(",")
    name = " ".join(name.split())
    role = " ".join(role.split())
    if not name or (comma and not (_ROLE.fullmatch(role) or _capitals_role(name, role))):
        return None
    return name, role or None


def _capitals_role(name: str, role: str) -> bool:
    """A longer role of a label written all in capitals, as television transcripts write them
    (`DONALD TRUMP, PRESIDENT OF THE UNITED STATES`, `JOHN KIRBY, NSC SPOKESMAN (via telephone)`)."""
    role = _ROLE_NOTE.sub("", role).strip()
    return bool(_LONG_ROLE.fullmatch(role)) and name.isupper() and role.isupper()


# ---------------------------------------------------------------- labelled lines (inline, timestamped, press)
@dataclass(frozen=True, slots=True)
class _Line:
    """One line, classified.

    Kinds: `label` (name, role, time, text after the label), `time` (a bare stamp),
    `stamped` (a stamp then text, no name), `end` and `clock` (press `END` and
    time lines), `aside` (a stage direction alone on its line: a paragraph break,
    but text inside a hard-wrapped paragraph), `break` (blank) or `text`.
    """

    kind: str
    source: str = ""
    text: str = ""
    name: str = ""
    role: str | None = None
    start_s: float | None = None
    indent: int = 0
    # The label as written, role included ("MARIA LOPEZ, HOST").
    written: str = ""
    # How the label was written, when that matters for accepting it: "question" (`Q`),
    # "bare_question" (`Q text`, no colon), "hearing" (`Senator Risch.`), "bare_time" (`Name 01:02 text`),
    # "dash" (`Name — text`).
    form: str = ""


_BREAK = _Line("break")
# Label forms that count only when the label recurs (or, for hearings, once the layout shows).
_STRICT_FORMS = ("bare_time", "hearing", "dash")
_GAPS = ("break", "aside")


def match_label(line: str) -> tuple[str, str | None, float | None, str] | None:
    """(name, role, start_s, text) of a line that starts with a speaker label of any form, else None.

    Whether the label really names a speaker is for `names.accept_label` to decide.
    """
    found = _match_label(line)
    return found[:4] if found else None


def _match_label(line: str) -> tuple[str, str | None, float | None, str, str, str] | None:
    """`match_label` plus the label as written and its form ("", "bare_time" or "dash")."""
    if ":" not in line[:_LABEL_REACH]:
        dash = _NAME_DASH.fullmatch(line) if ("—" in line[:_LABEL_REACH] or "–" in line[:_LABEL_REACH]) else None
        parts = split_label(dash["label"]) if dash else None
        if parts:
            return parts[0], parts[1], None, dash["text"].strip(), " ".join(dash["label"].split()), "dash"
        return None
    for pattern in (_NAME_TIME, _TIME_NAME, _INLINE, _NOTE_LABEL, _NAME_BARE_TIME):
        match = pattern.fullmatch(line)
        if not match:
            continue
        time = match.groupdict().get("time")
        start = parse_timestamp(time) if time else None
        parts = split_label(match["label"])
        if parts and (time is None or start is not None):
            form = "bare_time" if pattern is _NAME_BARE_TIME else ""
            text = match["text"].strip()
            stamp = _LEADING_STAMP.match(text) if start is None else None
            if stamp and (seconds := parse_timestamp(stamp["time"])) is not None:
                start, text = seconds, text[stamp.end():]
            return parts[0], parts[1], start, text, " ".join(match["label"].split()), form
    return None


def _single_questions(lines: Sequence[_Line], speakers: dict[str, str], speaker_of: dict[str, str]) -> dict[str, str]:
    """A `Question:` label used once, as a transcript with one question from the floor writes it:
    a question (a capital, a question mark) answered by a speaker's label right after it. Left
    out, the question would run on inside the turn before it, in its speaker's name."""
    found = {}
    for index, line in enumerate(lines):
        if (line.kind != "label" or line.name in speakers or line.name.casefold() != "question"
                or not line.text[:1].isupper() or "?" not in line.text):
            continue
        following = next((other for other in lines[index + 1:] if other.kind not in _GAPS), None)
        if following is not None and following.kind == "label" and following.name in speakers:
            found[line.name] = speaker_of[line.name]
    return found


def _standalone(lines: Sequence[_Line], index: int) -> bool:
    """Whether line `index` is a paragraph of its own (blank lines, or the text's edges, around it):
    a press office's time or `END` line is; a hard-wrapped line that happens to read `2:00 p.m.` is not."""
    return (index == 0 or lines[index - 1].kind in _GAPS) and (index + 1 == len(lines) or lines[index + 1].kind in _GAPS)


def _classify(raw: str) -> _Line:
    original = raw.strip()
    chevrons = _CHEVRONS.match(original)
    if chevrons:
        original = original[chevrons.end():]
        raw = raw.replace(chevrons.group(), "", 1)
    if not original:
        return _BREAK
    # Pages saved from the web put no-break spaces after labels (`MS. LEAVITT:&nbsp; Good`, `Q&nbsp;&nbsp; Thank`):
    # labels are matched with them read as spaces; a line of plain text keeps them.
    raw = _WIDE_SPACES.sub(" ", raw)
    stripped = raw.strip()
    indent = len(raw.expandtabs(4)) - len(raw.expandtabs(4).lstrip())
    match = _TIME_ONLY.fullmatch(stripped) if ":" in stripped else None
    if match and (start := parse_timestamp(match["time"])) is not None:
        return _Line("time", stripped, start_s=start, indent=indent)
    if END_LINE.fullmatch(stripped):
        return _Line("end", stripped, stripped, indent=indent)
    if CLOCK_LINE.fullmatch(stripped):
        return _Line("clock", stripped, stripped, indent=indent)
    question = _QUESTION.fullmatch(stripped)
    if question:
        bare = not stripped[1:].lstrip().startswith(":") and not stripped.startswith("Q.")
        return _Line("label", stripped, question["text"].strip(), QUESTION_LABEL, None, None, indent,
                     QUESTION_LABEL, "bare_question" if bare else "question")
    label = _match_label(stripped)
    # A "label" that could never name a speaker (`(00:31) They end when ... Note:`) is text, or a stamped line.
    if label and not (accept_label(label[0], count=2, one_off_ok=True) or label[0] == QUESTION_LABEL
                      or (is_institution_label(label[0]) and label[1:3] == (None, None))):
        label = None
    if label:
        name, role, start, text, written, form = label
        return _Line("label", stripped, text, name, role, start, indent, written, form)
    hearing = _HEARING.fullmatch(stripped) if indent >= 2 else None
    if hearing and is_titled_label(hearing["label"]):
        name = " ".join(hearing["label"].split())
        return _Line("label", stripped, hearing["text"].strip(), name, None, None, indent, name, "hearing")
    stamped = _STAMPED.fullmatch(stripped)
    if stamped:
        start = parse_timestamp(stamped["time"] or stamped["bare"])
        if start is not None:
            return _Line("stamped", stripped, stamped["text"].strip(), start_s=start, indent=indent)
    if is_stage_direction(stripped):
        return _Line("aside", original, original, indent=indent)
    if chevrons:
        # `>>` without a name: another speaker, whom the captions do not name.
        return _Line("label", original, original, UNKNOWN_SPEAKER, None, None, indent, ">>", "chevrons")
    return _Line("text", original, original, indent=indent)


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
    # Accepted label lines of the press kind: titles in capitals, `Q text`, hearing labels.
    press: int = 0
    # What only press transcripts write: `Q text` lines (no colon), hearing labels, an `END` line after
    # the speech, a time line (`2:15 P.M. EST`) before it.
    press_only: int = 0
    # The first non-blank line is an accepted label (a one-label file is then still `inline`).
    leading: bool = False

    def is_speaker(self, line: _Line) -> bool:
        return line.kind == "label" and line.name in self.speakers

    @property
    def format(self) -> str:
        """`press` when press labels dominate (or `Q` questions and hearing labels occur) and no
        label carries a time; else `timestamped` when timed labels are at least as many as
        untimed ones; else `inline`."""
        if not self.timed and (self.press_only or (self.press and 2 * self.press >= self.untimed)):
            return "press"
        return "timestamped" if self.timed and self.timed >= self.untimed else "inline"


# A press page opens with a place or date line (`The Royal Castle, Warsaw 5:39 P.M. CET`) before
# its one speaker's label; so much before the first label still lets that label open the text.
PREAMBLE_LINES, PREAMBLE_CHARS = 3, 300


def _opening_label(classified: Sequence[_Line]) -> _Line | None:
    """The first label line, when only a short preamble (`PREAMBLE_LINES` lines of at most
    `PREAMBLE_CHARS` characters in all) comes before it; else None."""
    before: list[_Line] = []  # always a short preamble at the top of the loop
    for line in classified:
        if line.kind in _GAPS:
            continue
        if line.kind == "label" and (accept_label(line.name, count=1, one_off_ok=True)
                                     or is_institution_label(line.name)):
            return line
        before.append(line)
        if not _short_preamble(before):
            return None
    return None


def is_institution_label(name: str) -> bool:
    """`The White House`, `The Kremlin`: an institution that speaks for a page. Accepted only
    as the label that opens the text (a statement or article page), never elsewhere."""
    tokens = name.split()
    return len(tokens) >= 2 and tokens[0] == "The" and is_name_like(" ".join(tokens[1:]))


def _short_preamble(lines: Sequence[_Line]) -> bool:
    return len(lines) <= PREAMBLE_LINES and sum(len(line.source.strip()) for line in lines) <= PREAMBLE_CHARS


def _written_only_as(labels: Sequence[_Line], forms: Collection[str]) -> set[str]:
    """The label names written only in `forms` (never also in another form)."""
    return {line.name for line in labels if line.form in forms} - {line.name for line in labels
                                                                    if line.form not in forms}


def scan_labels(lines: Sequence[str], *, hints: Collection[str] = ()) -> LabelScan:
    """Classify every line and decide which labels are speakers (see `names.accept_label`).

    A label used once counts when `one_off_label_ok`, when it opens the text, or when
    the markup marks it as a speaker (`hints`). `Name 01:02 text` labels count only
    when they recur, hearing labels (`Senator Risch.`) once three of them show the
    layout; `Q` questions when they recur beside other speakers (or are all written
    `Q:`), or once in a press transcript (titles in capitals, an `END` line, a time line).
    """
    classified = [_classify(line) for line in lines]
    # `END` and time lines are press metadata only as paragraphs of their own; elsewhere they are text.
    classified = [
        _Line("text", line.source, line.source, indent=line.indent)
        if line.kind in ("end", "clock") and not _standalone(classified, index) else line
        for index, line in enumerate(classified)
    ]
    labels = [line for line in classified if line.kind == "label"]
    # Decided once per distinct label: a long transcript repeats a handful of them.
    speaker_of = {name: normalise_speaker(name) for name in {line.name for line in labels}}
    counts = Counter(speaker_of[line.name] for line in labels)
    strict = _written_only_as(labels, _STRICT_FORMS)
    # Hearing labels once the layout shows (three of them, one name recurring) count even when used once.
    hearing = Counter(speaker_of[line.name] for line in labels if line.form == "hearing")
    hearing_layout = sum(hearing.values()) >= 3 and max(hearing.values(), default=0) >= 2
    first = _opening_label(classified)
    opening = first.name if first is not None else None
    speakers = {}
    for name, speaker in speaker_of.items():
        if name == QUESTION_LABEL or name == UNKNOWN_SPEAKER:
            continue
        if name in hints and (accept_label(name, count=2, one_off_ok=True) or is_titled_label(name)):
            speakers[name] = speaker
        elif name in strict:
            if hearing_layout and speaker in hearing:
                speakers[name] = speaker
            elif counts[speaker] >= 2 and accept_label(name, count=counts[speaker], one_off_ok=False):
                speakers[name] = speaker
        elif accept_label(name, count=counts[speaker], one_off_ok=name == opening or one_off_label_ok(name)):
            speakers[name] = speaker
        elif name == opening and is_institution_label(name):
            speakers[name] = speaker
    speakers.update(_single_questions(classified, speakers, speaker_of))
    dashed = _written_only_as(labels, ("dash",)) & set(speakers)
    if len({speakers[name] for name in dashed}) < 2:
        for name in dashed:
            del speakers[name]
    # An `END` line after the speech, or a time line before it, are written by press offices only.
    spoken = [
        index for index, line in enumerate(classified)
        if line.kind == "label" and (line.name in speakers or line.name == QUESTION_LABEL)
    ]
    press_marks = 0
    if spoken:
        press_marks += sum(1 for line in classified[spoken[0]:] if line.kind == "end")
        press_marks += sum(1 for line in classified[:spoken[0]] if line.kind == "clock")
    titled = any(is_titled_label(name) and is_capitals(name) for name in speakers)
    # `Q` questions: recurring beside other speakers (or all written `Q:`), or once in a press transcript.
    questions = [line for line in labels if line.name == QUESTION_LABEL]
    colon_questions = all(line.form == "question" for line in questions)
    if (len(questions) >= 2 and (speakers or colon_questions)) or (questions and (press_marks or titled)):
        speakers[QUESTION_LABEL] = speaker_of[QUESTION_LABEL]
    if speakers and any(line.form == "chevrons" for line in labels):
        # Unnamed `>>` speaker changes count beside named `>> NAME:` ones: their turns go to `Unknown` (and warn).
        speakers[UNKNOWN_SPEAKER] = UNKNOWN_SPEAKER
    scan = LabelScan(classified, speakers, press_only=press_marks)
    scan.leading = first is not None and scan.is_speaker(first)
    for line in labels:
        if line.name not in scan.speakers:
            continue
        if line.start_s is None:
            scan.untimed += 1
        else:
            scan.timed += 1
        if line.form in ("bare_question", "hearing"):
            scan.press_only += 1
        if line.form in ("bare_question", "hearing") or (is_titled_label(line.name) and is_capitals(line.name)):
            scan.press += 1
    return scan


@dataclass(slots=True)
class _Draft:
    speaker: str
    role: str | None
    start_s: float | None
    label: str
    section: str | None
    lines: list[str] = field(default_factory=list)


def parse_labelled(document: TextDocument, *, default_speaker: str, layout: str | None = None) -> ParsedTranscript:
    """Parse `Name: text` / `Name (00:01):` / `[00:01] Name:` / press transcripts.

    Lines without an accepted label continue the current turn, and so does a
    paragraph that opens with a stamp only. A bare time line gives its time to a
    turn that starts right after it. `end_s` is the next turn's start when both
    are known. In the press layout (`layout="press"`, or detected), `Q` turns are
    the questioner's, an `END` line closes the transcript (until the next label),
    and time lines are not speech. `default_speaker` is unused: every turn here has a label.

    Raises:
        TranscriptError: no line carries a speaker label.
    """
    del default_speaker
    scan = scan_labels(document.lines, hints=document.speaker_hints)
    if not scan.speakers:
        raise TranscriptError("no speaker labels found (lines like 'Name: text')")
    layout = layout or scan.format
    press = layout == "press"
    wrapped = wrap_width(document.lines) is not None
    joiner = " " if wrapped else document.joiner
    # In a hard-wrapped text an indented line opens a paragraph (continuation lines are not indented).
    indents = [line.indent for line in scan.lines if line.kind not in ("break", "aside", "time")]
    margin = min(indents, default=0)
    preamble: list[str] = []
    drafts: list[_Draft] = []
    pending: float | None = None
    section: str | None = None
    ended = False
    for index, line in enumerate(scan.lines):
        section = document.sections.get(index, section)
        if scan.is_speaker(line):
            if line.name == QUESTION_LABEL and press:
                speaker, role = QUESTIONER, QUESTIONER_ROLE
            else:
                speaker, role = scan.speakers[line.name], label_role(line.name, line.role)
            start = line.start_s if line.start_s is not None else pending
            # A label whose whole text is an aside (`Reporter: (Inaudible.)`) has said nothing yet.
            first_line = "" if is_stage_direction(line.text) else line.text
            drafts.append(_Draft(speaker, role, start, line.written, section, [first_line]))
            pending = None
            ended = False
            continue
        if ended:
            continue
        if press and line.kind == "end":
            ended = bool(drafts)
            continue
        if not drafts and section is not None and _CONTENTS_HEADING.fullmatch(section):
            continue  # a table of contents before the first speaker is neither speech nor a description
        target = drafts[-1].lines if drafts else preamble
        if line.kind == "time":
            pending = line.start_s
        elif line.kind not in _GAPS:
            pending = None
        if line.kind == "aside" and (wrapped or press) and target and target[-1]:
            # A hard-wrapped paragraph that wraps onto a line of `(laughs)` or `[sic]` goes on through
            # it; so does a press paragraph, whose stage directions stay in the text, even when the
            # document is too short to show its wrap width.
            target.append(line.source)
        elif line.kind == "stamped":
            # A stamp-only paragraph continues the current speaker; before any speaker it is front matter.
            target.extend(["", line.text] if drafts else [line.source])
        elif line.kind in ("time", *_GAPS) or (press and line.kind == "clock" and drafts):
            # Bare times and breaks separate paragraphs; a press time line is not speech.
            target.append("")
        else:
            if wrapped and line.indent > margin and target and target[-1]:
                target.append("")
            # Unaccepted labels are text.
            target.append(line.source)
    ends = end_times([draft.start_s for draft in drafts])
    turns = [
        # Lone asides are already paragraph breaks or, inside a wrapped paragraph, text.
        RawTurn(draft.speaker, paragraphs_text(draft.lines, joiner=joiner, stage_directions_break=False), draft.role,
                draft.start_s, end, draft.section, draft.label)
        for draft, end in zip(drafts, ends, strict=True)
    ]
    return _transcript(layout, merge_consecutive(unify_short_names(turns)),
                       [block for _, block in indexed_blocks(preamble)], document, press=press)


def unify_short_names(turns: Sequence[RawTurn]) -> list[RawTurn]:
    """A speaker named by surname alone, or by a title and surname, is the one speaker of the file
    whose full name ends in that surname: news and hearing transcripts write `STEVE INSKEEP, HOST:`
    once, then `INSKEEP:`; `MS. LEAVITT` is `Karoline Leavitt` when she is named in full.
    Two full names with the surname leave it as it is."""
    names = dict.fromkeys(turn.speaker for turn in turns)
    titled = {name for name in names if is_titled_label(name)}
    by_surname: dict[str, list[str]] = {}
    for name in names:
        words = name.split()
        if len(words) >= 2 and name not in titled and not is_diarisation_label(name):
            by_surname.setdefault(words[-1].casefold(), []).append(name)
    renamed: dict[str, str] = {}
    for name in names:
        # An office alone is the one speaker of the file whose titled label extends it:
        # `NATO Secretary General` is `NATO Secretary General Mark Rutte`, `PRESIDENT` is `PRESIDENT TRUMP`.
        if name not in titled:
            continue
        longer = [other for other in titled if other.casefold().startswith(name.casefold() + " ")]
        if len(longer) == 1:
            renamed[name] = longer[0]
    for name in names:
        if name in renamed:
            continue
        words = name.split()
        short = len(words) == 1 or (len(words) == 2 and words[0].rstrip(".").casefold() in TITLE_WORDS)
        if not short or is_role_word(name) or is_diarisation_label(name) or name == QUESTIONER:
            continue
        matches = by_surname.get(words[-1].casefold(), [])
        if len(matches) == 1 and matches[0] != name:
            renamed[name] = matches[0]
    return [dataclasses.replace(turn, speaker=renamed[turn.speaker]) if turn.speaker in renamed else turn
            for turn in turns]


def merge_consecutive(turns: Sequence[RawTurn]) -> list[RawTurn]:
    """Turns of the same speaker, role and section in a row become one turn, their texts
    as paragraphs: a turn is a stretch of one speaker's speech, however often the file
    repeats the name. Questions (`Q`) stay apart: each may be another reporter's."""
    merged: list[RawTurn] = []
    for turn in turns:
        last = merged[-1] if merged else None
        if (
            last is not None and last.speaker == turn.speaker and last.role == turn.role
            and last.section == turn.section and turn.role != QUESTIONER_ROLE
        ):
            text = "\n\n".join(part for part in (last.text, turn.text) if part)
            merged[-1] = dataclasses.replace(last, text=text, end_s=turn.end_s if turn.end_s is not None else last.end_s)
        else:
            merged.append(turn)
    return merged


# ---------------------------------------------------------------- speaker headers
@dataclass(frozen=True, slots=True)
class Header:
    """A speaker header line: who speaks, in which role, from when (Otter-style `Name  0:03`)."""

    speaker: str
    role: str | None = None
    start_s: float | None = None
    # The header as written ("JOHN SMITH", "Jane Doe, Host").
    label: str | None = None


def _header_candidate(line: str) -> tuple[str, str | None, float | None, str] | None:
    """(name, role, start_s, label as written) of a line that could be a header: `Name`, `NAME, ROLE`, `Name  0:03`."""
    start = None
    match = (_HEADER_TIME.fullmatch(line) or _TIME_HEADER.fullmatch(line)) if ":" in line else None
    if match:
        start = parse_timestamp(match["time"])
        if start is None:
            return None
        line = match["label"]
    parts = split_label(line)
    return (*parts, start, " ".join(line.split())) if parts else None


def header_blocks(lines: Sequence[str]) -> list[tuple[int, list[str]]]:
    """`indexed_blocks` of `lines`, with a stamp line above a name moved below it (`00:01:02` /
    `Jane Doe` / text, as some exports write headers), so that it reads as `Jane Doe` / `00:01:02`.

    A block is also cut before a name line that carries a time or that a stamped line follows,
    when the block's lines are not blank-separated (`Jane Doe` / `(00:00:03) text` / `John Smith`
    / `00:00:15` / text, or `00:00:03 Jane Doe` / text, as podcast pages and some exports are
    copied): each name then opens a block.
    """
    out = []
    blocks = indexed_blocks(lines)
    counts = Counter(line for _, block in blocks for line in block)
    for index, block in blocks:
        for offset, piece in _cut_at_stamped_names(block, counts):
            piece = list(piece)
            if len(piece) >= 3 and _TIME_ONLY.fullmatch(piece[0]) and not _TIME_ONLY.fullmatch(piece[1]):
                piece[0], piece[1] = piece[1], piece[0]
            out.append((index + offset, piece))
    return out


def _stamped(line: str) -> bool:
    """A line opening with a valid stamp (`00:00:15`, `(00:00:03) text`, `[1:02] text`)."""
    match = _LINE_STAMP.match(line)
    return match is not None and parse_timestamp(match["time"]) is not None


def _cut_at_stamped_names(block: Sequence[str], counts: Counter[str]) -> list[tuple[int, Sequence[str]]]:
    """`block` cut before each line after its first that could be a header and either carries a
    time (`00:00:15 John Smith`, `John Smith  0:15`), has a stamped line after it, or is a name
    that recurs as a whole line of the text (`JOHN SMITH` / text / `FIONA HILL` / text / ...)."""
    def opens_turn(k: int) -> bool:
        line = block[k]
        if len(line) > _MAX_HEADER_CHARS:
            return False
        candidate = _header_candidate(line)
        if candidate is None or not accept_label(candidate[0], count=1, one_off_ok=True):
            return False
        if ":" in line:
            return candidate[2] is not None
        if _stamped(block[k + 1]):
            return True
        # A recurring name line between the end of one sentence and the start of the next.
        return (counts[line] >= 2 and accept_label(candidate[0], count=2, one_off_ok=False)
                and counts[block[k + 1]] == 1 and _SENTENCE_START.match(block[k + 1]) is not None
                and _SENTENCE_END.search(block[k - 1]) is not None)

    cuts = [k for k in range(1, len(block) - 1) if opens_turn(k)]
    if not cuts:
        return [(0, block)]
    bounds = [0, *cuts, len(block)]
    return [(start, block[start:end]) for start, end in zip(bounds, bounds[1:])]


def find_speaker_headers(blocks: Sequence[Sequence[str]], *, hints: Collection[str] = ()) -> dict[int, Header]:
    """Blocks that start with a speaker header, by block index.

    A header is the first line of a paragraph, followed by text, that names a
    speaker (`names.accept_label`): a name that recurs as a header, or once a
    name of 2-4 capitalised words, either alone on its line before a paragraph
    or in a text whose recurring headers show the layout, or a name the markup
    marks as a speaker (`hints`: a bold line). The very first line of the text is
    a title unless the name recurs, is a machine label, a role or a hint, or carries a time.
    """
    candidates: list[tuple[int, str, str | None, float | None, str]] = []
    for index, block in enumerate(blocks):
        line = block[0]
        if len(line) > _MAX_HEADER_CHARS or (len(block) == 1 and index + 1 == len(blocks)):
            continue
        candidate = _header_candidate(line)
        if candidate:
            candidates.append((index, *candidate))
    counts = Counter(normalise_speaker(name) for _, name, _, _, _ in candidates)
    recurring = {
        index for index, name, _, _, _ in candidates
        if counts[normalise_speaker(name)] >= 2 and accept_label(name, count=2, one_off_ok=False)
    }
    hinted = {index for index, name, _, _, _ in candidates if name in hints and accept_label(name, count=2, one_off_ok=True)}
    headers: dict[int, Header] = {}
    for index, name, role, start, written in candidates:
        if index not in recurring and index not in hinted:
            # A lone first line is a title, unless it is a machine label, a role or carries a time.
            if index == 0 and start is None and not (is_diarisation_label(name) or is_role_word(name)):
                continue
            layout_shown = len(blocks[index]) == 1 or bool(recurring)
            if not accept_label(name, count=1, one_off_ok=layout_shown and len(name.split()) >= 2):
                continue
        headers[index] = Header(normalise_speaker(name), label_role(name, role), start, written)
    return headers


def parse_speaker_header(document: TextDocument, *, default_speaker: str) -> ParsedTranscript:
    """Parse transcripts with each speaker's name alone on a line before their paragraphs.

    An Otter-style time after the name (`Jane Doe  0:03`) gives `start_s`; `end_s`
    is the next header's time.

    Raises:
        TranscriptError: no speaker header found.
    """
    del default_speaker  # every turn here has a header
    indexed = header_blocks(document.lines)
    blocks = [block for _, block in indexed]
    headers = find_speaker_headers(blocks, hints=document.speaker_hints)
    if not headers:
        raise TranscriptError("no speaker headers found (a name alone on a line before each turn)")
    joiner = " " if wrap_width(document.lines) is not None else document.joiner
    starts = sorted(headers)
    turns = []
    for index in starts:
        # A stamp on the line after the header (`Jane Doe` / `00:00:05` / text) is the turn's start.
        body_start = blocks[index][1] if len(blocks[index]) > 1 else (blocks[index + 1][0] if index + 1 < len(blocks) else "")
        stamp = _TIME_ONLY.fullmatch(body_start) if headers[index].start_s is None else None
        if stamp and (seconds := parse_timestamp(stamp["time"])) is not None:
            headers[index] = dataclasses.replace(headers[index], start_s=seconds)
            if len(blocks[index]) > 1:
                blocks[index] = [blocks[index][0], *blocks[index][2:]]
            else:
                blocks[index + 1] = blocks[index + 1][1:]
    # Each turn's blocks: from its header's block to the next header's.
    spans = list(zip(starts, [*starts[1:], len(blocks)], strict=True))
    for index, following in spans:
        # Paragraphs that open with a stamp in brackets (`(00:01:15) text`): the stamp is not
        # speech; the first is the turn's start when the header has none.
        for block_index in range(index, following):
            block = blocks[block_index]
            for line_index in range(1 if block_index == index else 0, len(block)):
                match = _BRACKETED_STAMP.match(block[line_index])
                seconds = parse_timestamp(match["time"]) if match else None
                if seconds is None:
                    continue
                block[line_index] = block[line_index][match.end():]
                if headers[index].start_s is None:
                    headers[index] = dataclasses.replace(headers[index], start_s=seconds)
            blocks[block_index] = [line for line in block if line]
    ends = end_times([headers[index].start_s for index in starts])
    for position, (index, following) in enumerate(spans):
        header = headers[index]
        body = [blocks[index][1:], *blocks[index + 1:following]]
        turns.append(RawTurn(header.speaker, join_blocks(body, joiner=joiner), header.role, header.start_s,
                             ends[position], document.section_at(indexed[index][0]), header.label))
    return _transcript("speaker_header", merge_consecutive(unify_short_names(turns)), blocks[:starts[0]], document)


def _transcript(
    layout: str, turns: Sequence[RawTurn], preamble: Sequence[Sequence[str]], document: TextDocument,
    *, press: bool = False,
) -> ParsedTranscript:
    """A parsed transcript of `turns`: metadata from the document's container (front matter, HTML
    head), else from the paragraphs before the first speaker. The format is the container's, if
    any, else the layout."""
    found = read_preamble(preamble, press=press)
    info = document.info
    return ParsedTranscript(
        format=document.container or layout,
        turns=tuple(turns),
        title=info.title or found.title,
        description=info.description or found.description,
        date=info.date or found.date,
        show=info.show or found.show,
        roles=dict(info.roles),
        url=info.url,
        tags=info.tags,
        speaker_names=dict(info.speaker_names),
        layout=layout,
    )


# ---------------------------------------------------------------- plain
def parse_plain(document: TextDocument, *, default_speaker: str) -> ParsedTranscript:
    """The whole text, as paragraphs, is one turn of `default_speaker`.

    Headings do not cut it (a speech's `### Page 4` is not a new turn); the turn's
    section is the heading it starts under, if any. When most lines open with a
    stamp (`0:04 text`, caption style), the stamps are dropped and the first gives `start_s`.
    """
    joiner = " " if wrap_width(document.lines) is not None else document.joiner
    lines = list(document.lines)
    stamps = [_LINE_STAMP.match(line) for line in lines]
    filled = [line for line in lines if line.strip()]
    stamped = len(filled) >= 2 and sum(1 for match in stamps if match) * 2 >= len(filled)
    start: float | None = None
    if stamped:
        for index, match in enumerate(stamps):
            seconds = parse_timestamp(match["time"]) if match else None
            if seconds is not None:
                lines[index] = lines[index][match.end():]
                start = seconds if start is None else start
    body = paragraphs_text(lines, joiner=joiner)
    first = next((index for index, line in enumerate(lines) if line.strip()), 0)
    turns = [RawTurn(default_speaker, body, start_s=start, section=document.section_at(first))] if body else []
    return _transcript("plain", turns, (), document)


# ---------------------------------------------------------------- layouts
def detect_layout(document: TextDocument) -> str:
    """The text layout of a document: one of `TEXT_LAYOUTS`.

    Accepted labels (`Name:` lines, timed or not, press labels) beat speaker
    headers when at least as many; a single label counts only when it opens the
    text. Two or more speaker headers make `speaker_header`; otherwise `plain`.
    """
    scan = scan_labels(document.lines, hints=document.speaker_hints)
    labels = scan.timed + scan.untimed
    headers = len(find_speaker_headers(
        [block for _, block in header_blocks(document.lines)], hints=document.speaker_hints,
    ))
    if labels and labels >= headers and (labels >= 2 or scan.leading):
        return scan.format
    if headers >= 2:
        return "speaker_header"
    return "plain"


def parse_layout(document: TextDocument, *, layout: str, default_speaker: str) -> ParsedTranscript:
    """Parse `document` as the text layout `layout` (one of `TEXT_LAYOUTS`).

    Raises:
        TranscriptError: the document has no speaker of that layout.
    """
    if layout in ("inline", "timestamped", "press"):
        return parse_labelled(document, default_speaker=default_speaker, layout=layout)
    if layout == "speaker_header":
        return parse_speaker_header(document, default_speaker=default_speaker)
    if layout == "plain":
        return parse_plain(document, default_speaker=default_speaker)
    raise ValueError(f"unknown text layout {layout!r}; expected one of {TEXT_LAYOUTS}")
