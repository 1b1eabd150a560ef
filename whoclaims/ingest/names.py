"""Speaker names and labels: normalisation, and whether a label looks like a speaker.

The label heuristics are shared by every format that finds speakers in running
text (speaker headers, `Name:` labels, cue prefixes), so that one word list and
one rule decide what is a name.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence

from whoclaims.ingest.decode import normalise_text

# The speaker of text that names none, when nobody named one either.
UNKNOWN_SPEAKER = "Unknown"
# Diarisation-style labels, kept exactly as written: SPEAKER_00, Speaker 1, spk-2, Speaker A.
_DIARISATION = re.compile(
    r"(?i:speaker|spk|spkr|person|participant|voice|unknown|caller|guest)(?:[ _-]?[0-9]{1,3}|[ _-][A-Z])"
)
ROLE_WORDS = frozenset({
    "host", "co-host", "cohost", "guest", "interviewer", "interviewee", "moderator", "narrator",
    "announcer", "presenter", "anchor", "reporter", "correspondent", "caller", "panelist",
    "panellist", "audience", "respondent", "chair", "speaker", "producer", "commentator",
})
# Words that a speaker label may be made of only when the label recurs (Q&A layouts).
_RECURRING_ONLY = frozenset({"q", "a", "question", "answer", "questioner", "member"})
# Words that are never (part of) a speaker name: labels of notes and asides, function words,
# interjections, headings. A colon after them is prose ("Note: ..."), a line of them is a heading.
_NOT_NAMES = frozenset("""
note notes example examples update updates warning warnings source sources caution tip tips hint
important reminder edit edited correction corrections disclaimer fyi ps nb re cc attn quote definition
title date show episode description subject topic summary conclusion introduction intro outro transcript
chapter part section appendix references contents agenda abstract background overview recap
step steps result results reason reasons problem solution fact facts point bottom line key takeaway
the an of and or to in on at for with by from as is are was were be been being it its this that these
those we you he she they me my our your their his her him them us not no yes yeah yep nope
thank thanks please hello hi hey bye goodbye okay ok right sure absolutely exactly indeed well
so but if then now also too very really just first second third finally however meanwhile today
yesterday tomorrow tonight here there what why how when where who which whom whose because
anyway actually basically obviously certainly of course sorry wow great good fine agreed true
correct interesting perfect cool awesome welcome morning afternoon evening night again more
look listen remember imagine consider think see wait say tell ask
""".split())
# Titles and offices that open a press or hearing label (`MS. LEAVITT`, `THE PRESIDENT`).
TITLE_WORDS = frozenset("""
mr mrs ms miss mx dr prof professor sir dame lord lady madam president secretary senator sen
representative rep congressman congresswoman governor gov mayor ambassador general gen admiral adm
colonel col major captain sergeant chairman chairwoman chair speaker leader minister chancellor king
queen prince princess director administrator judge justice commissioner spokesperson spokesman member
spokeswoman counsel premier president-elect secretary-general general
""".split())
# Offices that name a speaker on their own (`THE CHAIRMAN:`, `PRESIDENT:`).
SOLO_TITLES = frozenset("""
president secretary senator chairman chairwoman chair speaker minister chancellor king queen premier
ambassador governor mayor judge justice commissioner director administrator spokesperson spokesman
spokeswoman counsel president-elect secretary-general
""".split())
# Words that qualify the title after them (`VICE PRESIDENT`, `FIRST LADY`, `PRIME MINISTER`).
_TITLE_QUALIFIERS = frozenset({"vice", "acting", "deputy", "first", "press", "prime", "attorney", "former",
                               "chief", "lieutenant", "foreign", "defense", "defence", "majority", "minority", "audience",
                               "ranking"})
_TITLE_CONNECTORS = frozenset({"of", "the", "for", "and"})
_TITLE_OR_QUALIFIER = TITLE_WORDS | _TITLE_QUALIFIERS
# Lower-case particles that may sit inside a name ("Ludwig van Beethoven").
_PARTICLES = frozenset({"de", "da", "del", "della", "der", "den", "di", "du", "la", "le", "van", "von", "bin", "ibn", "al", "y", "e"})
_TOKEN = re.compile(r"[^\W\d_][\w'’\-]*\.?")
# Abbreviations inside a name ("Dr. Jane Smith") are fine; a final full stop is a sentence ("Thank you.").
_SENTENCE_PUNCTUATION = re.compile(r"[?!;:,\"“”()\[\]{}<>]|\.$")
MAX_NAME_CHARS = 40
MAX_NAME_TOKENS = 4
_MC_PREFIX = re.compile(r"\bMc(?=[A-Z])")
_MC_WORD = re.compile(r"(?i:mc)(?P<rest>[^\W\d_]{2,}.*)")


@functools.lru_cache(maxsize=4096)
def normalise_speaker(label: str) -> str:
    """Normalise a speaker label: whitespace collapsed; ALL-CAPS names and role words in Title Case.

    Diarisation labels (`SPEAKER_00`, `Speaker 1`) and mixed-case names are kept as given.
    """
    name = " ".join(normalise_text(label).split())
    if not name or is_diarisation_label(name):
        return name
    if name.casefold() in ROLE_WORDS:
        return name.title()
    if is_capitals(name):
        return " ".join(_title_word(word) for word in name.split())
    return name


def is_capitals(name: str) -> bool:
    """True for a label written in capitals: every letter upper case, but for the `c` of a `Mc`
    prefix ("MR. McCLELLAN"); at least two letters."""
    letters = [char for char in _MC_PREFIX.sub("MC", name) if char.isalpha()]
    return len(letters) > 1 and all(char.isupper() for char in letters)


def _title_word(word: str) -> str:
    """A word in capitals in title case, keeping `Mc` names whole ("MCCLELLAN" -> "McClellan")."""
    match = _MC_WORD.fullmatch(word)
    if match:
        return "Mc" + match["rest"].title()
    return word.title()


def normalise_role(role: str) -> str | None:
    """Lower-cased, whitespace-collapsed role, or None when empty."""
    return " ".join(role.split()).casefold() or None


def is_diarisation_label(name: str) -> bool:
    """True for machine speaker labels such as `SPEAKER_00` or `Speaker 1`."""
    return _DIARISATION.fullmatch(name) is not None


# Labels that name nobody, beyond diarisation's: a bare or unidentified `Speaker`, `Speaker #2`, and
# single letters (`A:` for the answers of a Q and A).
_UNNAMED = re.compile(r"(?i)(?:unidentified )?(?:speaker|spk|spkr|person|participant|voice)(?:[ _#-]*(?:\d{1,3}|[a-z]))?"
                      r"|[a-z]")


def is_unnamed_label(name: str) -> bool:
    """True for a speaker label that names nobody (`Speaker 1`, `SPEAKER_00`, `Caller 2`, `Speaker`, `A`):
    a claim held by it means nothing across episodes."""
    return is_diarisation_label(name) or _UNNAMED.fullmatch(name) is not None


def is_role_word(name: str) -> bool:
    """True for a bare role used as a label: Host, GUEST, interviewer."""
    return name.casefold() in ROLE_WORDS


def is_name_like(name: str) -> bool:
    """True when `name` looks like a person's name: 1-4 capitalised words, no sentence punctuation.

    No token may be a function word, interjection or heading word (`Thank You`,
    `Introduction`, `Part Two` are not names). Lower-case particles such as `van`
    are allowed after the first word.
    """
    if not name or len(name) > MAX_NAME_CHARS or _SENTENCE_PUNCTUATION.search(name):
        return False
    tokens = name.split()
    if not 1 <= len(tokens) <= MAX_NAME_TOKENS:
        return False
    for position, token in enumerate(tokens):
        if not _TOKEN.fullmatch(token):
            return False
        bare = token.rstrip(".").casefold()
        if bare in _NOT_NAMES or bare in _RECURRING_ONLY:
            return False
        if not token[0].isupper() and not (position and bare in _PARTICLES):
            return False
    return True


def is_titled_label(name: str) -> bool:
    """True for a label made of a title or office and optionally a name, as press and hearing
    transcripts write them: `MS. LEAVITT`, `PRESIDENT TRUMP`, `THE PRESIDENT`, `SECRETARY OF
    STATE RUBIO`, `The Chairman`, `Senator Risch`.

    After an optional `The` and qualifiers (`Vice`, `Acting`, `First`, ...), a title
    must come; the rest are titles, capitalised name words or the connectors `of`,
    `the`, `for`, `and`. A title alone must be an office (`CHAIRMAN`, not `GENERAL`);
    after `The`, every word must be a title ("The Problem" is not a speaker).

    One or two capitalised words may come before the title when a name follows it, as
    international organisations and news agencies write their speakers: `NATO Secretary
    General Mark Rutte`, `UN Secretary-General António Guterres`, `Ukrainian President
    Volodymyr Zelensky`; an organisation's acronym also before an office alone (`NATO
    Secretary General`, `UN Secretary-General`).
    """
    if not name or len(name) > 60 or _SENTENCE_PUNCTUATION.search(name):
        return False
    tokens = name.split()
    if not 1 <= len(tokens) <= 6 or not all(_TOKEN.fullmatch(token) for token in tokens):
        return False
    if _titled(tokens):
        return True
    for size in (1, 2):
        prefix, rest = tokens[:size], tokens[size:]
        acronyms = all(token.isupper() and len(token) >= 2 for token in prefix)
        if (rest and all(token[0].isupper() and token.casefold() != "the"
                         and (token in ("US", "U.S.") or token.rstrip(".").casefold() not in _NOT_NAMES)
                         for token in prefix)
                and rest[0].rstrip(".").casefold() in _TITLE_OR_QUALIFIER
                and _titled(rest) and (_has_name_word(rest) or acronyms)):
            return True
    return False


def name_after_title(label: str) -> str | None:
    """The person's name a titled label ends with, or None: `NATO Spokesperson Allison Hart` ->
    `Allison Hart`, `Secretary of State Antony Blinken` -> `Antony Blinken`, `PRESS SECRETARY
    KARINE JEAN-PIERRE` -> `Karine Jean-Pierre`.

    The name is the two or three capitalised words after the last title word, or the last two
    when an `of`/`for` phrase comes between (`Foreign Minister of Ukraine Dmytro Kuleba`).
    """
    if not is_titled_label(label):
        return None
    tokens = label.split()
    words = [token.rstrip(".").casefold() for token in tokens]
    last_title = max((i for i, word in enumerate(words) if word in TITLE_WORDS), default=None)
    if last_title is None:
        return None
    rest, bare = tokens[last_title + 1:], words[last_title + 1:]
    if any(word in _TITLE_CONNECTORS for word in bare):
        rest, bare = rest[-2:], bare[-2:]
        if any(word in _TITLE_CONNECTORS for word in bare):
            return None
    if not 2 <= len(rest) <= 3 or not all(token[0].isupper() and token[-1] != "." and word not in _NOT_NAMES
                                          for token, word in zip(rest, bare, strict=True)):
        return None
    name = " ".join(rest)
    return name.title() if name.isupper() else name


_CAPITALISED_RUN = re.compile(r"[A-ZÀ-ÝА-Я][\w'’\-]*(?:[ \t]+[A-ZÀ-ÝА-Я][\w'’\-]*)+")
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_NEVER_IN_A_FULL_NAME = _NOT_NAMES | _TITLE_OR_QUALIFIER


def full_name_for(word: str, texts: Sequence[str]) -> str | None:
    """The one full name in `texts` that a one-word label (`FIONA`, `HILL`) is the first or last
    word of (`Fiona Hill`), or None when there is none or more than one.

    A name here is two capitalised words in a run of them (`... with Fiona Hill, who ...`),
    neither a title, a function word nor a common heading word.
    """
    key = word.casefold()
    found: set[str] = set()
    for text in texts:
        for run in _CAPITALISED_RUN.findall(text or ""):
            tokens = run.split()
            for first, second in zip(tokens, tokens[1:]):
                if key not in (first.casefold(), second.casefold()):
                    continue
                if any(not _NAME_WORD.fullmatch(t) or t.casefold() in _NEVER_IN_A_FULL_NAME for t in (first, second)):
                    continue
                found.add(f"{first} {second}")
    return found.pop() if len(found) == 1 else None


def _has_name_word(tokens: Sequence[str]) -> bool:
    """Whether a titled label names someone: a capitalised word that is neither a title nor a connector."""
    return any(token[0].isupper() and token.rstrip(".").casefold() not in _TITLE_OR_QUALIFIER for token in tokens)


def _titled(tokens: Sequence[str]) -> bool:
    """`is_titled_label` without its prefix: `tokens` start with `The`, qualifiers or a title."""
    words = [token.rstrip(".").casefold() for token in tokens]
    leading_the = words[0] == "the"
    if leading_the:
        tokens, words = tokens[1:], words[1:]
    position = 0
    while position < len(words) - 1 and words[position] in _TITLE_QUALIFIERS:
        position += 1
    if not words or words[position] not in TITLE_WORDS or not tokens[0][0].isupper():
        return False
    rest = list(zip(tokens[position + 1:], words[position + 1:], strict=True))
    if not rest and not leading_the and words[position] not in SOLO_TITLES:
        return False
    for token, word in rest:
        if word in _TITLE_CONNECTORS or (word in TITLE_WORDS and token[0].isupper()):
            continue
        if leading_the or not token[0].isupper() or word in _NOT_NAMES or word in _RECURRING_ONLY:
            return False
    return True


def accept_label(name: str, *, count: int, one_off_ok: bool) -> bool:
    """Decide whether a label seen `count` times names a speaker.

    Diarisation labels and role words always do. A name-like label does when it
    recurs, or once when `one_off_ok` (the caller's layout makes a single use
    credible); so does a titled label (`is_titled_label`), and once also when written in
    capitals (`MS. LEAVITT:`). Q&A labels (`Q`, `Answer`) do only when they recur.
    Everything else, including common words such as `Note` or `Example`, is text.
    """
    if is_diarisation_label(name) or is_role_word(name):
        return True
    if is_titled_label(name):
        return count >= 2 or one_off_ok or is_capitals(name)
    tokens = name.split()
    if len(tokens) == 1 and tokens[0].casefold() in _RECURRING_ONLY:
        return count >= 2 and tokens[0][0].isupper()
    if not is_name_like(name):
        return False
    return count >= 2 or one_off_ok


def label_role(name: str, role: str | None) -> str | None:
    """Role of a label: the explicit role (`NAME, HOST`), else the label itself when it is a role word."""
    if role:
        return normalise_role(role)
    return name.casefold() if is_role_word(name) else None


def speaker_headings(titles: list[str]) -> frozenset[str]:
    """The headings of a page that name its speakers: names (as `accept_label` judges a recurring
    label) that head two or more sections each, when at least two such names do. A page that heads
    every answer with its speaker's name (`<h3>Jane Doe</h3><p>...`) is a conversation; a chapter
    title is not repeated, and one repeated name may be a section about that person."""
    counts = Counter(" ".join(title.split()) for title in titles)
    names = frozenset(title for title, count in counts.items()
                      if count >= 2 and 1 <= len(title.split()) <= 4 and accept_label(title, count=count, one_off_ok=False))
    return names if len(names) >= 2 else frozenset()
