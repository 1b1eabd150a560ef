"""Claims: which sentences carry a claim, who holds it, and how firmly.

`extract_claims` keeps the sentences whose claim score (`ClaimDetector.score`:
learned score combined with parse rules, see `extractors.claim_detector`)
reaches `settings.claim_threshold` and abstains below it. For each kept
sentence it reads the dependency parse:

- Holder. By default the turn's speaker (`annotated.speaker_ids` gives the
  actor id when the entities stage set it). When the main predicate is a
  reporting or cognition cue ("say", "argue", "believe", "warn", "speak about",
  "according to", "as X said", "his view is that", ...) with a clausal or
  nominal complement, the holder moves to the cue's subject (aims and
  commitments with an infinitive, "Putin wants to X", stay the speaker's
  claims about the subject, following ANNOTATION.md: speech and belief move
  the holder): a first-person
  subject keeps the speaker (`self`, with the cue); "you" / "your article"
  from a speaker addressing someone gives the other speaker of the
  neighbouring turns (`addressee`); a named, pronominal or role subject gives
  that actor (`reported`), canonicalised through
  `extractors.entities.find_mention` when that stage is installed, otherwise
  through the nearest matching named entity, otherwise the subject's text.
  Non-agent subjects ("the model suggests", "this shows", "many people") keep
  the speaker. The content span is then the cue's complement; for a self claim
  with no cue it is the whole sentence.
- Nested claims (`settings.nested_claims`). A cue inside the content whose
  holder differs from the enclosing claim's ("I think it is clear that Putin
  believes that ...") gives a second row for the embedded view, with
  `parent_claim_id` set to the enclosing claim.
- Epistemic marks, read from the claim's frame and its own content tokens
  (not those of nested reports): `hedged`, `negated` (the content's main
  predicate), `predicted` (will / shall / going to, expectation cues),
  `hoped`, `feared`, and `asked` (a rhetorical question that asserts).

Claim ids are `f"{episode_id}:{sentence_id}:{k}"`, `k` = 0 for the sentence's
main claim and 1, 2, ... for nested ones in text order, so they are stable
across runs.
"""

from __future__ import annotations

import bisect
import importlib
import importlib.util
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from extractors.claim_detector import ClaimDetector, classify, is_finite, sentence_root, subject_of
from extractors.lexicon import (
    ASPECT_VERBS,
    CLAUSE_DEPS,
    COPULAS,
    HOLDER_FOR_NOUNS,
    MAKE_CLEAR_WORDS,
    POSITION_ADJECTIVES,
    POSITION_NOUNS,
    POSITION_VERBS,
    FACTIVE_CUES,
    cue_lemma,
    SPEECH_CUES,
    VERB_CUES,
    ADJECTIVE_CUES,
    NOUN_CUES,
    GOAL_CUES,
    AIM_NOUNS,
    ADDRESSEE_CUES,
    OBJECT_CUES,
    INFINITIVE_CUES,
    PREPOSITION_CUES,
    NON_AGENT_SUBJECTS,
    NOT_NAME_WORDS,
    DOCUMENT_NOUNS,
    AGENT_NOUNS,
    PERSON_PRONOUNS,
    PRONOUN_GENDERS,
    GROUP_PRONOUNS,
    SPEAKER_PRONOUNS,
    HOLDER_LABELS,
    PLACE_LABELS,
    STATING_VERBS,
    TITLE_WORDS,
    HEDGE_WORDS,
    HEDGE_MODALS,
    HEDGE_VERBS,
    HEDGE_CUES,
    EXPECTATION_CUES,
    HOPE_CUES,
    FEAR_CUES,
    TIME_NOUNS,
)
from extractors.polarity import content_polarity, is_negated
from extractors.quotes import MARKDOWN_LINK, AttributedQuote, QuoteSource, attribute_quotations, find_quotations
from whoclaims import cancellation
from whoclaims.records import AnnotatedEpisode, Claim, Mention, Sentence
from whoclaims.settings import Settings

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from whoclaims.actors import ActorCatalog

log = logging.getLogger(__name__)

EXTRACTOR_NAME = "claims.attribution.v1"

_NON_PERSON_SPEAKER = re.compile(
    r"^\W*(system|audience|applause|crosstalk|unknown|unidentified|crowd|laughter|music|inaudible|multiple|several)\b",
    re.IGNORECASE,
)



@dataclass(frozen=True)
class Frame:
    """A cue, the token naming its holder, and the content it introduces (doc token range)."""

    cue: Token
    holder: Token | None
    start: int
    end: int
    # "position": a predicate stating the subject's position (`position_frame`), not a speech or belief cue.
    kind: str = "cue"


@dataclass(frozen=True)
class _NameIndex:
    """An episode's PERSON mentions by name: the first mention of each text or canonical name
    (casefolded), and its multi-word names by last word (the first written) and by first word."""

    by_form: dict[str, Mention]
    by_last: dict[str, str]
    by_first: dict[str, set[str]]


@dataclass(frozen=True)
class Holder:
    name: str
    actor_id: str | None
    attribution: str


# --- frames from the parse

def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Drop complementisers, conjunctions and punctuation at the edges of a content range."""
    def opening(token: Token) -> bool:
        return token.is_punct or token.is_space or token.dep_ in {"mark", "cc"} or (
            token.lower_ in {"that", "whether"} and token.dep_ in {"det", "dobj"}
        )

    while start < end and opening(doc[start]):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space or doc[end - 1].dep_ == "cc"):
        end -= 1
    return start, end


def _subtree_range(token: Token) -> tuple[int, int]:
    return _trim(token.doc, token.left_edge.i, token.right_edge.i + 1)


def _complement(cue: Token) -> Token | None:
    """The clause or phrase a cue introduces, or None when it has none."""
    lemma = cue_lemma(cue)
    for child in cue.children:
        if child.dep_ == "ccomp":
            return child
    for child in cue.children:
        # "argued for months that X": the parser hangs the that-clause on the noun.
        for noun in (c for c in child.children if child.dep_ == "prep" and c.dep_ == "pobj"):
            for clause in noun.children:
                is_time = noun.ent_type_ in {"DATE", "TIME"} or noun.lemma_.lower() in TIME_NOUNS
                if is_time and clause.dep_ in {"acl", "relcl", "ccomp"} and clause.left_edge.lower_ == "that":
                    return clause
    for child in cue.children:
        if child.dep_ == "xcomp" and lemma in INFINITIVE_CUES:
            return child
        if cue.pos_ == "NOUN" and child.dep_ in {"acl", "relcl"} and any(
            (c.dep_ == "mark" and c.lower_ == "that") or (c.dep_ == "aux" and c.lower_ == "to") for c in child.children
        ):
            return child
    for child in cue.children:
        if child.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ == "for" for c in child.children):
            return child  # "plead for the West to do ..."
        if child.dep_ == "prep" and child.lower_ in PREPOSITION_CUES.get(lemma, ()):
            objects = [c for c in child.children if c.dep_ in {"pobj", "pcomp"}
                       and c.ent_type_ not in {"DATE", "TIME"} and c.lemma_.lower() not in TIME_NOUNS]
            if objects:
                return objects[0]
    if lemma in OBJECT_CUES and cue.pos_ == "VERB":
        for child in cue.children:
            if child.dep_ == "dobj" and child.pos_ in {"NOUN", "PROPN"}:
                return child
    if cue.dep_ == "parataxis":
        return None
    if lemma in SPEECH_CUES:
        for child in cue.children:  # "Putin said: the war will go on"
            if child.dep_ == "parataxis" and child.i > cue.i:
                return child
    return None


def _descend(cue: Token, complement: Token) -> tuple[Token, Token]:
    """Follow a same-subject chain ("I want to emphasize that X") to the innermost cue."""
    for _ in range(3):
        if complement.dep_ != "xcomp" or cue_lemma(complement) not in VERB_CUES:
            break
        inner = _complement(complement)
        if inner is None:
            break
        cue, complement = complement, inner
    return cue, complement


def _is_passive(token: Token) -> bool:
    """A passive cue ("it is said that"), not a contracted perfect the tagger reads as one:
    in "He's said X" the "'s" is "has", and the clause it reports shows it (a passive has none)."""
    auxiliaries = [c for c in token.children if c.dep_ == "auxpass"]
    if not auxiliaries:
        return False
    contracted = all(a.lower_ in {"'s", "’s"} for a in auxiliaries)
    subject = subject_of(token)
    return not (contracted and subject is not None and subject.lower_ != "it"
                and any(c.dep_ == "ccomp" for c in token.children))


def _is_aim(cue: Token, complement: Token) -> bool:
    """A goal cue whose complement is not a finite clause ("wants to X", "wants X to Y", "his desire to X")."""
    if cue.pos_ == "NOUN":
        return cue_lemma(cue) in GOAL_CUES | AIM_NOUNS and any(c.lower_ == "to" for c in complement.children)
    if cue_lemma(cue) not in GOAL_CUES:
        return False
    that_clause = any(c.dep_ == "mark" and c.lower_ == "that" for c in complement.children)
    return not (complement.dep_ == "ccomp" and (is_finite(complement) or that_clause))


def frame_of(token: Token) -> Frame | None:
    """The frame `token` opens as a cue (verb, predicative adjective or possessed noun), or None."""
    lemma = cue_lemma(token)
    if token.pos_ in {"VERB", "AUX"} and lemma in VERB_CUES:
        if _is_passive(token):
            return None  # "it is said that": no holder named
        complement = _complement(token)
        if complement is None:
            return None
        cue, complement = _descend(token, complement)
        subject = subject_of(token)
        if subject is None and token.dep_ == "xcomp":
            subject = subject_of(token.head)
        if _is_aim(cue, complement) and (subject is None or subject.lower_ not in SPEAKER_PRONOUNS):
            return None  # "Putin wants to X / wants X": the speaker's claim about an aim, not a reported view
        start, end = _subtree_range(complement)
        if cue_lemma(cue) in FACTIVE_CUES:
            subject = None  # "they know that X": X is presupposed true, so the speaker asserts it too
        return Frame(cue, subject, start, end) if end > start else None
    if token.pos_ == "ADJ" and lemma in ADJECTIVE_CUES and token.dep_ in {"acomp", "ROOT"}:
        complement = _complement(token)
        if complement is None and token.dep_ == "acomp":
            complement = next((c for c in token.head.children if c.dep_ == "ccomp"), None)
        if complement is None:
            return None
        subject = subject_of(token.head if token.dep_ == "acomp" else token)
        if subject is None or subject.lower_ == "it":
            return None  # "it is clear that": the speaker's own frame
        start, end = _subtree_range(complement)
        return Frame(token, subject, start, end) if end > start else None
    if token.pos_ == "NOUN" and lemma in NOUN_CUES:
        owner = next((c for c in token.children if c.dep_ == "poss"), None)
        if owner is None:
            return None
        complement = _complement(token)
        if complement is not None and _is_aim(token, complement):
            return None  # "his desire to X", "her promise to X": an aim, the speaker's claim
        if complement is None and token.dep_ in {"nsubj", "nsubjpass"}:
            # "His view is that X": the clause hangs on the copula.
            complement = next((c for c in token.head.children if c.dep_ in {"ccomp", "attr"} and c.i > token.i), None)
            if complement is not None and complement.dep_ == "attr" and complement.pos_ not in {"VERB", "AUX"}:
                complement = next((c for c in complement.children if c.dep_ in {"ccomp", "acl", "relcl"}), None)
        if complement is None:
            return None
        start, end = _subtree_range(complement)
        return Frame(token, owner, start, end) if end > start else None
    return None


def main_frame(span: Span) -> Frame | None:
    """The frame of the sentence's main clause: a cue root, "according to X", or "as X said"."""
    root = sentence_root(span)
    frame = frame_of(root)
    if frame is None and root.lemma_.lower() in ASPECT_VERBS:
        # "Putin keeps saying that X": the saying is the subject's.
        frame = next((f for c in root.children if c.dep_ == "xcomp" and (f := frame_of(c)) is not None), None)
    if frame is None and root.pos_ == "AUX":
        # "I am worried that X", "His view is that X"
        for child in root.children:
            if child.dep_ == "acomp" or (child.dep_ in {"nsubj"} and child.pos_ == "NOUN"):
                frame = frame_of(child)
                if frame is not None:
                    break
    if frame is None:
        for child in root.children:
            if child.dep_ == "dobj" and child.pos_ == "NOUN" and child.lemma_.lower() in NOUN_CUES:
                # "He made the case that X": the subject of the verb holds it.
                complement = _complement(child)
                if complement is not None and not _is_aim(child, complement) and root.lemma_.lower() in STATING_VERBS:
                    start, end = _subtree_range(complement)
                    if end > start:
                        return Frame(child, subject_of(root), start, end)
    if frame is not None:
        return frame
    frame = _participle_frame(root)
    if frame is not None:
        return frame
    for child in root.children:
        if child.dep_ == "prep" and child.lower_ == "according" and _at_edge(span, child):
            to = next((c for c in child.children if c.lower_ == "to"), None)
            source = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
            if source is not None:
                return _frame_outside(span, child, child, source)
        if child.dep_ == "advcl" and cue_lemma(child) in VERB_CUES and any(
            c.dep_ == "mark" and c.lower_ == "as" for c in child.children
        ):
            subject = subject_of(child)
            if subject is not None:
                return _frame_outside(span, child, child, subject)
        if child.dep_ == "advcl" and _makes_clear(child) and any(
            c.dep_ == "mark" and c.lower_ == "as" for c in child.children
        ):
            subject = subject_of(child)
            if subject is not None:  # "As X made clear, Y"
                return _frame_outside(span, child, child, subject)
    return position_frame(span, root)


def _participle_frame(root: Token) -> Frame | None:
    """"Putin wrote an essay saying X", "he was on TV saying X": the participle's view is the
    subject's of the clause it hangs on."""
    subject = subject_of(root)
    if subject is None:
        return None
    participles = [c for c in root.children if c.dep_ == "advcl"]
    participles += [g for c in root.children if c.dep_ == "dobj" for g in c.children if g.dep_ == "acl"]
    for participle in participles:
        if participle.tag_ == "VBG" and cue_lemma(participle) in SPEECH_CUES:
            complement = _complement(participle)
            if complement is not None:
                start, end = _subtree_range(complement)
                if end > start:
                    return Frame(participle, subject, start, end)
    return None


def _makes_clear(token: Token) -> bool:
    """"make (it) clear", "make plain": a speech act whatever its object."""
    return token.lemma_.lower() == "make" and any(
        c.lower_ in MAKE_CLEAR_WORDS and c.dep_ in {"oprd", "acomp", "ccomp", "xcomp", "dobj", "advmod"}
        for c in token.children
    )


def position_frame(span: Span, root: Token, *, whole: bool = True) -> Frame | None:
    """A main predicate that states its subject's position: the subject holds the sentence.

    "X is focused on / supportive of / committed to Y", "X has been an advocate for Y",
    "X is in support of Y", "X reaffirmed / highlighted / asked for Y", "X has made that clear",
    and the holder named in a prepositional phrase: "Y has been a priority for X",
    "you heard this from X". A first-person, addressed or non-agent subject keeps the
    speaker (the resolver decides), and so does the speaker's own side ("the United States
    welcomes Y" said by a US official: `HolderResolver.own_side`). The content is the whole
    sentence, or with `whole=False` (a clause inside a larger sentence) the clause.
    """
    predicate = root
    if root.pos_ not in {"VERB", "AUX"}:
        return None
    if root.lemma_.lower() in COPULAS:
        predicate = next((c for c in root.children if c.dep_ in {"acomp", "attr"}), None) or next(
            (c for c in root.children if c.dep_ == "prep" and c.lower_ == "in"
             and any(p.lemma_.lower() in POSITION_NOUNS for p in c.children if p.dep_ == "pobj")), None) or root
    lemma = predicate.lemma_.lower()
    holder: Token | None = None
    if predicate.pos_ == "NOUN" and lemma in HOLDER_FOR_NOUNS:
        # "Y has been a top priority for X": X holds it.
        for prep in (c for c in predicate.children if c.dep_ == "prep" and c.lower_ == "for"):
            holder = next((c for c in prep.children if c.dep_ == "pobj"), None)
    elif lemma == "hear" and predicate.pos_ == "VERB":
        # "you heard this from X": X holds it.
        for prep in (c for c in predicate.children if c.dep_ == "prep" and c.lower_ == "from"):
            holder = next((c for c in prep.children if c.dep_ == "pobj"), None)
    elif predicate.pos_ == "VERB" and predicate.lower_ in POSITION_ADJECTIVES and any(
            c.dep_ == "auxpass" for c in predicate.children):
        holder = subject_of(root)  # "X is focused on Y" parsed as a passive verb
    elif (
        (predicate.pos_ == "VERB" and (lemma in POSITION_VERBS or _makes_clear(predicate)))
        or (predicate.pos_ == "ADJ" and lemma in POSITION_ADJECTIVES)
        or (predicate.pos_ == "NOUN" and lemma in POSITION_NOUNS)
        or (predicate.dep_ == "prep" and predicate.lower_ == "in")
    ):
        holder = subject_of(root)
    if holder is None:
        return None
    if holder.dep_ == "expl":
        return None  # "there is ...": no one named
    start, end = _trim(span.doc, span.start, span.end) if whole else _clause_range(root)
    return Frame(predicate, holder, start, end, kind="position") if end > start else None


def _clause_range(head: Token) -> tuple[int, int]:
    """The tokens of the clause `head` opens, without clauses conjoined to it."""
    tokens = [t for t in head.subtree if not any(a.dep_ == "conj" and a.head.i == head.i
                                                   for a in [t, *_ancestors_to(t, head)])]
    return _trim(head.doc, min(t.i for t in tokens), max(t.i for t in tokens) + 1)


def _at_edge(span: Span, token: Token) -> bool:
    """Whether the subtree of `token` opens or closes the sentence (punctuation aside)."""
    start, end = _trim(span.doc, span.start, span.end)
    return token.left_edge.i <= start or token.right_edge.i + 1 >= end


def _frame_outside(span: Span, cue: Token, attached: Token, holder: Token) -> Frame | None:
    """A frame whose content is the sentence without the subtree of `attached` ("As X said, Y")."""
    left, right = attached.left_edge.i, attached.right_edge.i + 1
    before = _trim(span.doc, span.start, left)
    after = _trim(span.doc, right, span.end)
    start, end = max(before, after, key=lambda r: r[1] - r[0])
    return Frame(cue, holder, start, end) if end > start else None


def _under_condition(token: Token, stop: Token) -> bool:
    """Whether `token` sits in a conditional or interrogative clause below `stop` ("if he thinks X")."""
    node = token
    while node.i != stop.i and node.head.i != node.i:
        if any(c.dep_ == "mark" and c.lower_ in {"if", "unless", "whether"} for c in node.children):
            return True
        if node.dep_ == "relcl" and not _reports_named_person(node):
            return True
        node = node.head
    return False


def _reports_named_person(relative: Token) -> bool:
    """Whether relative clause `relative` tells what a named person says or thinks ("Orbán, who says
    X"): a "who" subject after a comma, on a proper name. Other relative clauses describe ("people
    who think X") and report nobody's view."""
    who = next((c for c in relative.children if c.dep_ == "nsubj" and c.lower_ == "who"), None)
    return who is not None and relative.head.pos_ == "PROPN" and who.i > 0 and who.doc[who.i - 1].text == ","


# --- holders


def normalise_speaker(name: str) -> str:
    """Collapse whitespace; title-case labels written in capitals ("TRUMP" -> "Trump")."""
    name = " ".join(name.split())
    return name.title() if name.isupper() else name


def _load_mention_finder() -> Callable[[AnnotatedEpisode], Callable[[int, int], Mention | None]] | None:
    """`extractors.entities.mention_finder` when the entities stage is installed, else None.

    It returns, for one episode, a function from an episode span (start_char, end_char)
    to the mention that best answers it (`extractors.entities.find_mention`)."""
    if importlib.util.find_spec("extractors.entities") is None:
        return None
    module = importlib.import_module("extractors.entities")
    return getattr(module, "mention_finder", None)


class HolderResolver:
    """Names holders: speakers, addressees and the subjects of cues."""

    def __init__(self, annotated: AnnotatedEpisode, *, find_mention=None, catalog=None) -> None:
        self.annotated = annotated
        self.find_mention = find_mention
        self.catalog = catalog
        self._home: dict[str, frozenset[str]] = {}
        self.turns = {turn.turn_id: index for index, turn in enumerate(annotated.episode.turns)}
        self.names_by_actor = {
            m.actor_id: m.canonical_name for m in annotated.mentions if m.actor_id and m.canonical_name
        }
        self.sentences_by_turn: dict[int, list[Sentence]] = {}
        for sentence in annotated.sentences:
            self.sentences_by_turn.setdefault(sentence.turn_id, []).append(sentence)
        for turn_sentences in self.sentences_by_turn.values():
            turn_sentences.sort(key=lambda s: s.sentence_id)
        # Position of each sentence in its turn, so that looking back costs what it reads, not
        # the length of the turn (a one-turn speech of 200,000 words has some 10,000 sentences).
        self._position = {s.sentence_id: i for turn in self.sentences_by_turn.values() for i, s in enumerate(turn)}
        self._last_vocative: dict[int, tuple[Sentence, Span] | None] = {}
        self._named: dict[tuple[str, str], Holder] = {}
        self._name_index: _NameIndex | None = None

    def _earlier(self, sentence: Sentence, *, last: int) -> list[Sentence]:
        """Up to `last` sentences of the same turn before `sentence`, in text order."""
        turn_sentences = self.sentences_by_turn.get(sentence.turn_id, [])
        position = self._position.get(sentence.sentence_id)
        if position is None or turn_sentences[position] is not sentence:
            position = bisect.bisect_left([s.sentence_id for s in turn_sentences], sentence.sentence_id)
        return turn_sentences[max(position - last, 0) : position]

    def _previous_turn(self, sentence: Sentence, *, last: int) -> list[Sentence]:
        """The last `last` sentences of the turn before the sentence's turn, when another person's
        (often the question that a pronoun opening the answer points back into)."""
        turns = self.annotated.episode.turns
        index = self.turns.get(sentence.turn_id)
        if not index or last <= 0:
            return []
        before = turns[index - 1]
        if before.speaker == sentence.speaker or _NON_PERSON_SPEAKER.match(before.speaker):
            return []
        return self.sentences_by_turn.get(before.turn_id, [])[-last:]

    def _latest_vocative(self, sentence: Sentence) -> tuple[Sentence, Span] | None:
        """The latest sentence of the turn up to `sentence` that addresses someone by name, with that name.

        Memoised per sentence, each answer built from the previous sentence's, so all the
        sentences of a turn together cost one pass over it.
        """
        turn_sentences = self.sentences_by_turn.get(sentence.turn_id, [])
        position = self._position.get(sentence.sentence_id)
        if position is None or turn_sentences[position] is not sentence:
            called = vocative(sentence.span)  # a sentence the resolver was not built with
            if called is not None:
                return sentence, called
            earlier = [s for s in turn_sentences if s.sentence_id < sentence.sentence_id]
            return self._latest_vocative(earlier[-1]) if earlier else None
        first = position
        while first >= 0 and turn_sentences[first].sentence_id not in self._last_vocative:
            first -= 1
        for index in range(first + 1, position + 1):
            candidate = turn_sentences[index]
            called = vocative(candidate.span)
            found = (candidate, called) if called is not None else (
                self._last_vocative[turn_sentences[index - 1].sentence_id] if index else None)
            self._last_vocative[candidate.sentence_id] = found
        return self._last_vocative[sentence.sentence_id]

    def speaker(self, speaker: str) -> Holder:
        actor_id = self.annotated.speaker_ids.get(speaker)
        name = self.names_by_actor.get(actor_id) if actor_id else None
        return Holder(name or normalise_speaker(speaker), actor_id, "self")

    def own_side(self, speaker: str) -> frozenset[str]:
        """The actors the speaker stands for: their affiliations and offices on the episode's date, or,
        for a speaker the catalog places nowhere, the institution the episode's show names (a press
        secretary at a White House briefing speaks for the United States)."""
        if speaker not in self._home:
            actor_id = self.annotated.speaker_ids.get(speaker)
            episode = self.annotated.episode
            home = frozenset({actor_id} if actor_id else ())
            if self.catalog is not None:
                home = self.catalog.home(home, date=episode.date)
                if len(home) <= 1:  # a speaker the catalog places nowhere speaks for the show's institution
                    home = self.catalog.home(home, date=episode.date, show=episode.show)
            self._home[speaker] = home
        return self._home[speaker]

    def named(self, name: str, attribution: str) -> Holder:
        """A holder for a name read from text (a quote's link or heading): the catalog's actor, the
        episode's mention of that name, or the episode's longer name ending in it ("McFaul" -> "Michael McFaul").

        Memoised per name."""
        key = (name, attribution)
        if key not in self._named:
            self._named[key] = self._find_named(name, attribution)
        return self._named[key]

    def _find_named(self, name: str, attribution: str) -> Holder:
        if self.catalog is not None and (actor := self.catalog.lookup(name)) is not None:
            return Holder(actor.name, actor.actor_id, attribution)
        mention = self._names().by_form.get(name.casefold())
        if mention is not None:
            return Holder(mention.canonical_name or name, mention.actor_id, attribution)
        if " " not in name:
            longer = self.full_name(name)
            if longer is not None:
                return Holder(longer, None, attribution)
        return Holder(name, None, attribution)

    def full_name(self, name: str, *, first: bool = False) -> str | None:
        """The episode's multi-word PERSON name ending in `name` (the first one written), or None;
        with `first`, the one name starting with it ("Tom" -> "Tom Reinholt"), None when the
        episode has several."""
        names = self._names()
        if not first:
            return names.by_last.get(name)
        found = names.by_first.get(name)
        return next(iter(found)) if found is not None and len(found) == 1 else None

    def _names(self) -> _NameIndex:
        """The episode's PERSON mentions indexed by name, built in one pass on first use (each lookup
        then costs the same however long the episode)."""
        if self._name_index is None:
            index = _NameIndex({}, {}, {})
            for mention in self.annotated.mentions:
                if mention.label != "PERSON":
                    continue
                for form in (mention.text.casefold(), (mention.canonical_name or "").casefold()):
                    index.by_form.setdefault(form, mention)
                words = mention.text.split()
                if len(words) > 1 and all(w[:1].isupper() and w.rstrip(".").casefold() not in TITLE_WORDS
                                          for w in words):
                    index.by_last.setdefault(words[-1], _clean_name(mention.text))
                    index.by_first.setdefault(words[0], set()).add(_clean_name(mention.text))
            self._name_index = index
        return self._name_index

    def addressee(self, sentence: Sentence) -> str | None:
        """The other speaker of the neighbouring turns: the next turn's if different, else the previous one's.

        Labels that name no person ("SYSTEM", "AUDIENCE", "CROSSTALK") are passed over.
        """
        turns = self.annotated.episode.turns
        index = self.turns.get(sentence.turn_id)
        if index is None:
            return None
        for step in (1, -1):
            for neighbour in range(index + step, index + 4 * step, step):
                if not 0 <= neighbour < len(turns) or _NON_PERSON_SPEAKER.match(turns[neighbour].speaker):
                    continue
                if turns[neighbour].speaker != sentence.speaker:
                    return turns[neighbour].speaker
                break
        return None

    def addressee_holder(self, sentence: Sentence) -> Holder | None:
        """Who "you" is: a name the speaker addresses in this turn ("Governor Kasich, you said"), else the neighbour."""
        found = self._latest_vocative(sentence)
        named = self._named_addressee(*found) if found is not None else None
        if named is not None:
            return named
        name = self.addressee(sentence)
        if name is None:
            return None
        holder = self.speaker(name)
        return Holder(holder.name, holder.actor_id, "addressee")

    def _named_addressee(self, sentence: Sentence, called: Span) -> Holder | None:
        names = {t.lower_ for t in called if not _is_title(t) and not t.is_punct}
        for label in self.annotated.episode.speakers:
            if label != sentence.speaker and names & {word.lower() for word in normalise_speaker(label).split()}:
                holder = self.speaker(label)
                return Holder(holder.name, holder.actor_id, "addressee")
        head = called[-1]
        mention = self._mention(sentence, head)
        if mention is not None:
            return Holder(mention.canonical_name or mention.text, mention.actor_id, "addressee")
        name = " ".join(t.text for t in called if not _is_title(t))
        # "Mr. Vice President, you ...": titles alone name nobody here; the neighbouring speaker is meant.
        return Holder(name, None, "addressee") if name else None

    def resolve(self, sentence: Sentence, token: Token | None, cue: Token, *, own: Holder | None = None) -> Holder:
        """The holder of a frame whose holder token is `token` (a subject, possessor or source).

        `own` is whose words the sentence is: the speaker by default, the quoted person inside a
        quotation (then "I" is the quoted person, and "you" is nobody the episode names).
        """
        quoted = own is not None and own.attribution == "quoted"
        own = own or self.speaker(sentence.speaker)
        if token is None:
            return own
        called = vocative(sentence.span) or addressed_subject(token)
        if called is not None and called.start <= token.i < called.end:
            # "Dr. Carson, many experts believe ...": the name is addressed, not the subject.
            token = next((c for c in [*token.children, *token.head.children]
                          if c.dep_ in {"appos", "conj", "nsubj", "nsubjpass"} and c.i > called.end), None)
            if token is None:
                return own
        if token.lower_ == "you" or token.lower_ in {"your", "yours", "yourself"}:
            if quoted:
                return own
            addressee = self.addressee_holder(sentence)
            generic = token.lower_ == "you" and (
                cue_lemma(cue) not in ADDRESSEE_CUES | NOUN_CUES
                or any(c.lower_ in {"should", "must", "can", "could", "'d"} for c in cue.children if c.dep_ == "aux")
            )  # "you should hope that ...", "you can argue that ...": anyone, not the person addressed
            if addressee is None or generic:
                return own
            return addressee
        if token.lower_ in SPEAKER_PRONOUNS:
            return own
        if token.pos_ in {"NOUN"} and token.lemma_.lower() in DOCUMENT_NOUNS:
            owner = next((c for c in token.children if c.dep_ == "poss"), None)
            return own if owner is None else self.resolve(sentence, owner, cue, own=own if quoted else None)
        holder = self._actor(sentence, token)
        if holder is None:
            return own
        if holder.name == own.name or (holder.actor_id is not None and holder.actor_id == own.actor_id):
            return own
        if quoted:
            return holder
        addressee = self.addressee_holder(sentence)
        if addressee is not None and holder.name == addressee.name:
            return addressee
        return holder

    def _actor(self, sentence: Sentence, token: Token) -> Holder | None:
        """A reported holder for `token`, or None when it names no agent."""
        if token.lower_ == "who" and token.head.dep_ == "relcl":
            token = token.head.head  # "Orbán, who says X": the relative clause's antecedent
        if token.pos_ == "NOUN":  # "a colleague of mine, Ines Harlow, thinks ...": the apposed name
            token = next((c for c in token.children if c.dep_ == "appos" and c.pos_ == "PROPN"), token)
        lower = token.lower_
        named_modifier = any(
            c.dep_ in {"amod", "compound", "poss"} and c.ent_type_ in HOLDER_LABELS for c in token.children
        )
        non_agent = lower in NON_AGENT_SUBJECTS or token.lemma_.lower() in NON_AGENT_SUBJECTS
        if non_agent and not (token.ent_type_ or named_modifier):
            return None
        mention = self._mention(sentence, token)
        if mention is not None:
            return self._mention_holder(mention)
        if token.pos_ == "PRON":
            if lower not in PERSON_PRONOUNS | GROUP_PRONOUNS:
                return None
            # A pronoun that names nobody ("they know", with no group in sight) leaves the view with the speaker.
            return self._antecedent(sentence, token)
        group = self._group(sentence, token)
        if group is not None:
            return group
        entity = self._entity(token)
        if entity is None and (token.pos_ == "PROPN" or token.lemma_.lower() in AGENT_NOUNS):
            entity = _phrase(token)
        if entity is None:
            return None
        if " " not in entity and entity[:1].isupper():
            entity = self.full_name(entity) or entity  # "Pelosi" -> the episode's "Nancy Pelosi"
        return Holder(entity, None, "reported")

    def _group(self, sentence: Sentence, token: Token) -> Holder | None:
        """The institution a group of its people stands for: "Russian officials", "the G7 leaders",
        "members of Congress" -> the catalog actor a modifier or an "of"/"in" phrase names."""
        if token.pos_ != "NOUN" or token.lemma_.lower() not in AGENT_NOUNS:
            return None
        candidates = [c for c in token.children if c.dep_ in {"amod", "compound", "poss"}]
        for prep in (c for c in token.children if c.dep_ == "prep" and c.lower_ in {"of", "in", "from"}):
            candidates += [c for c in prep.children if c.dep_ == "pobj"]
        for candidate in candidates:
            mention = self._mention(sentence, candidate)
            if mention is not None and mention.actor_id is not None and mention.actor_type in {"state", "organisation"}:
                return self._mention_holder(mention)
        return None

    def _mention_holder(self, mention: Mention) -> Holder:
        """A reported holder named by the entities stage; an unlinked person's first name alone
        becomes the episode's one full name starting with it ("Tom thinks" -> "Tom Reinholt")."""
        name = mention.canonical_name or mention.text
        if mention.actor_id is None and mention.label == "PERSON" and " " not in name and name[:1].isupper():
            name = self.full_name(name, first=True) or name
        return Holder(name, mention.actor_id, "reported")

    def _mention(self, sentence: Sentence, token: Token) -> Mention | None:
        """The entities stage's mention over the head token (not its modifiers: "critics of Putin")."""
        if self.find_mention is None:
            return None
        start = sentence.segment_offset + token.idx
        mention = self.find_mention(start, start + len(token))
        if mention is not None and (mention.actor_id or mention.label in HOLDER_LABELS):
            return mention
        return None

    @staticmethod
    def _entity(token: Token) -> str | None:
        for ent in token.doc.ents:
            if ent.start <= token.i < ent.end and ent.label_ in HOLDER_LABELS:
                return _clean_name(ent.text)
        for child in token.children:  # "Russian officials", "the Kremlin's spokesman"
            if child.dep_ in {"amod", "compound", "poss"} and child.ent_type_ in HOLDER_LABELS:
                return _phrase(token)
        return None

    def _antecedent(self, sentence: Sentence, token: Token) -> Holder | None:
        """The nearest preceding name a pronoun can refer to, within this turn or, for the first
        sentences of a turn, the end of the turn before it (fallback coreference).

        "he"/"she" take a PERSON entity, or a proper-noun subject the tagger did not label
        as a place or group; "they" takes a group, country or organisation. In an earlier
        sentence whose main-clause subject is a person (resolved by the entities stage when a
        pronoun or title), that subject wins over names later in the sentence.
        """
        person = token.lower_ in PERSON_PRONOUNS
        labels = {"PERSON"} if person else {"NORP", "GPE", "ORG"}
        earlier = self._earlier(sentence, last=3)
        pieces = [(sentence, sentence.span[: max(token.i - sentence.span.start, 0)]),
                  *((s, s.span) for s in reversed(earlier))]
        if len(earlier) < 3:
            # The turn before (another speaker's) only through its main-clause subjects.
            pieces += [(s, None) for s in reversed(self._previous_turn(sentence, last=3 - len(earlier)))]
        for where, piece in pieces:
            if person and where is not sentence:  # a whole earlier sentence
                found = self._person_subject(where, sentence_root(where.span), PRONOUN_GENDERS[token.lower_])
                if found is not None:
                    return found
            for previous in reversed(piece or ()):
                if previous.ent_type_ in labels:
                    ent = next((e for e in previous.doc.ents if e.start <= previous.i < e.end), None)
                    return self.named(_clean_name(ent.text if ent is not None else previous.text), "reported")
                if not person or previous.dep_ not in {"nsubj", "nsubjpass"} or previous.ent_type_ in PLACE_LABELS:
                    continue
                # A name the tagger missed or mislabelled ("Trump/NOUN said", "Macron/ORG argued").
                capitalised_noun = previous.pos_ == "NOUN" and previous.is_title and previous.i > piece.start
                if previous.pos_ == "PROPN" or capitalised_noun:
                    return self.named(_phrase(previous), "reported")
        return None

    def _person_subject(self, sentence: Sentence, root: Token, gender: str) -> Holder | None:
        """The main clause's subject when the entities stage names it a person (a name, or a pronoun
        or title it resolved) whom a pronoun of `gender` can refer to, else None."""
        subject = subject_of(root)
        mention = self._mention(sentence, subject) if subject is not None else None
        if mention is None or mention.label != "PERSON":
            return None
        if mention.actor_id and self.catalog is not None and self.catalog.gender_of(mention.actor_id) not in {None, gender}:
            return None
        return self._mention_holder(mention)


def vocative(span: Span) -> Span | None:
    """A name the speaker addresses in a sentence that speaks to "you": "Governor Kasich, you said ..."."""
    doc = span.doc
    if not any(t.lower_ in {"you", "your", "yours", "yourself"} for t in span):
        return None
    end = span.end
    while end > span.start and doc[end - 1].is_punct:
        end -= 1
    leading = span.start
    while leading < span.end and (doc[leading].pos_ == "PROPN" or _is_title(doc[leading])):
        leading += 1
    if span.start < leading <= span.start + 4 and leading < span.end and doc[leading].text == ",":
        called = doc[span.start : leading]
    else:
        trailing = end
        while trailing > span.start and (doc[trailing - 1].pos_ == "PROPN" or _is_title(doc[trailing - 1])):
            trailing -= 1
        if not (trailing < end <= trailing + 4 and trailing > span.start and doc[trailing - 1].text == ","):
            return None
        called = doc[trailing:end]
    if not any(t.pos_ == "PROPN" for t in called) or any(t.ent_type_ in {"GPE", "NORP", "LOC", "ORG"} for t in called):
        return None
    return called


def addressed_subject(token: Token) -> Span | None:
    """A person's name parsed as the subject but addressed, in a sentence without "you": the name
    and a comma before another subject of the same verb ("Dr. Carson, many experts believe ...")
    or before another person's name hung on it ("Senator Sanders, Donald Trump also argues ...")."""
    if token.pos_ != "PROPN" or token.ent_type_ != "PERSON" or token.dep_ not in {"nsubj", "nsubjpass"}:
        return None
    doc = token.doc
    if token.i + 1 >= len(doc) or doc[token.i + 1].text != ",":
        return None
    later = [c for c in token.head.children if c.dep_ in {"nsubj", "nsubjpass"} and c.i > token.i + 1]
    named = [c for c in token.children if c.dep_ == "appos" and c.i > token.i + 1 and c.ent_type_ == "PERSON"
             and not (c.i + 1 < len(doc) and doc[c.i + 1].text == ",")]
    if not (later or named):
        return None
    start = min(t.i for t in token.subtree if t.dep_ in {"compound", "amod"} or t.i == token.i or _is_title(t))
    return doc[start : token.i + 1]


def _is_title(token: Token) -> bool:
    """A title or honorific token ("Mr.", "Governor")."""
    return token.lower_.rstrip(".") in TITLE_WORDS


def _clean_name(text: str) -> str:
    text = " ".join(text.split())
    for suffix in ("'s", "’s"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    if text.lower().startswith("the "):
        text = text[4:]
    words = text.split()
    # "Senator Hale" -> "Hale"; a title alone ("President", "Secretary General") stays as written.
    while len(words) > 1 and words[0].rstrip(".").casefold() in TITLE_WORDS:
        words = words[1:]
    return " ".join(words)


def _phrase(token: Token) -> str:
    """The noun phrase of `token` without relative clauses or trailing modifiers."""
    words = [t for t in token.subtree if t.i <= token.i or t.dep_ in {"compound", "flat"}]
    words = [t for t in words if not any(a.dep_ in {"relcl", "acl", "prep", "appos"} for a in _ancestors_to(t, token))]
    return _clean_name(" ".join(t.text for t in words if not t.is_punct))


def _ancestors_to(token: Token, top: Token) -> list[Token]:
    chain = []
    while token.i != top.i and token.head.i != token.i:
        chain.append(token)
        token = token.head
    return chain


# --- epistemic marks


def _content_root(doc: Doc, start: int, end: int) -> Token:
    for token in doc[start:end]:
        if token.head.i < start or token.head.i >= end or token.head.i == token.i:
            return token
    return doc[start]


def _predicates(root: Token) -> list[Token]:
    """The content's main predicate and the predicates conjoined to it."""
    return [root, *[c for c in root.children if c.dep_ == "conj" and c.pos_ in {"VERB", "AUX", "ADJ"}]]


def _is_future(root: Token) -> bool:
    for predicate in _predicates(root):
        for child in predicate.children:
            if child.dep_ == "aux" and child.lower_ in {"will", "'ll", "shall", "wo"}:
                return True
        if predicate.lemma_ == "go" and predicate.tag_ == "VBG" and any(
            c.dep_ == "xcomp" and any(a.lower_ == "to" for a in c.children) for c in predicate.children
        ):
            return True
        if predicate.lemma_.lower() in {"likely", "unlikely", "bound", "set", "poised", "about"} and any(
            c.dep_ == "xcomp" for c in predicate.children
        ):
            return True
    return False


@dataclass(frozen=True)
class Marks:
    hedged: bool
    negated: bool
    polarity: int
    predicted: bool
    hoped: bool
    feared: bool


def epistemic_marks(doc: Doc, start: int, end: int, *, frame_tokens: list[Token], excluded: list[tuple[int, int]],
                    self_frame: bool) -> Marks:
    """Marks of a claim from its frame tokens and its own content tokens (nested reports excluded)."""
    own = [t for t in doc[start:end] if not any(s <= t.i < e for s, e in excluded)]
    lemmas = {t.lemma_.lower() for t in own} | {t.lower_ for t in own}
    frame_lemmas = {cue_lemma(t) for t in frame_tokens}
    cue = cue_name(frame_tokens[0]) if frame_tokens else ""
    hedged = bool(lemmas & HEDGE_WORDS) or any(
        (t.tag_ == "MD" and t.lower_ in HEDGE_MODALS) or (t.lemma_ in HEDGE_VERBS and t.pos_ in {"VERB", "AUX"})
        or (t.lemma_ in HEDGE_CUES and subject_of(t) is not None and subject_of(t).lower_ in {"i", "we"})
        for t in own
    ) or (self_frame and bool(frame_lemmas & HEDGE_CUES)) or any(
        t.lemma_ in HEDGE_VERBS for t in frame_tokens
    )
    root = _content_root(doc, start, end)
    cue_negated = any(is_negated(t) for t in frame_tokens if t.pos_ in {"VERB", "AUX", "ADJ"})
    polarity = content_polarity(doc[start:end])
    return Marks(
        hedged=hedged,
        negated=polarity.negated or cue_negated,
        polarity=-polarity.sign if cue_negated else polarity.sign,
        predicted=_is_future(root) or cue in EXPECTATION_CUES,
        hoped=cue in HOPE_CUES or "hopefully" in lemmas,
        feared=cue in FEAR_CUES or any(t.lemma_.lower() in FEAR_CUES and t.dep_ in {"acomp", "ROOT"} for t in own),
    )


def cue_name(token: Token) -> str:
    """The cue as recorded: its lemma ("according" for "according to")."""
    return "according" if token.lower_ == "according" else cue_lemma(token)


def _frame_tokens(frame: Frame | None, stop: Token) -> list[Token]:
    """The cue and the cues above it up to `stop` (what frames the content)."""
    if frame is None:
        return []
    tokens = [frame.cue]
    node = frame.cue
    while node.i != stop.i and node.head.i != node.i:
        node = node.head
        tokens.append(node)
    return tokens


# --- extraction


def extract_claims(annotated: AnnotatedEpisode, *, detector: ClaimDetector, settings: Settings,
                   catalog: ActorCatalog | None = None) -> list[Claim]:
    """Claims of an annotated episode, with holders, attribution, marks and nested reports.

    Sentences scoring below `settings.claim_threshold` yield nothing (the
    extractor abstains); nested rows are added when `settings.nested_claims`.
    `catalog` (optional) canonicalises names read from quote attributions.
    """
    sentences = annotated.sentences
    scores = detector.score([sentence.span for sentence in sentences])
    make_finder = _load_mention_finder()
    resolver = HolderResolver(annotated, find_mention=make_finder(annotated) if make_finder else None,
                              catalog=catalog)
    quoted = quoted_sentences(annotated, resolver)
    claims: list[Claim] = []
    for number, (sentence, score) in enumerate(zip(sentences, scores)):
        if number % 256 == 0:
            cancellation.check()
        if score < settings.claim_threshold:
            continue
        claims.extend(_sentence_claims(annotated, sentence, float(score), resolver, nested=settings.nested_claims,
                                       quote=quoted.get(sentence.sentence_id)))
    log.debug("%s: %d claims from %d sentences", annotated.episode.episode_id, len(claims), len(sentences))
    return claims


@dataclass(frozen=True)
class QuotedSentence:
    """A sentence that is mostly inside an attributed quotation: whose words, and which doc tokens are quoted."""

    holder: Holder
    cue: str
    start: int
    end: int

    def inside(self, token: Token) -> bool:
        return self.start <= token.i < self.end


def quoted_sentences(annotated: AnnotatedEpisode, resolver: HolderResolver) -> dict[int, QuotedSentence]:
    """Sentences at least half inside a quotation whose source a cue names (`extractors.quotes`), by id.

    The innermost such quotation wins ("‘...,’ as Merz put it" inside a longer
    quotation). A source that cannot be named (a pronoun with no antecedent) leaves
    the quotation to the usual holder rules. The quoted person's holder has attribution
    `quoted`, or `self` when the speaker quotes themselves.
    """
    by_segment: dict[tuple[int, int], list[Sentence]] = {}
    for sentence in annotated.sentences:
        by_segment.setdefault((sentence.turn_id, sentence.segment_offset), []).append(sentence)

    def known(name: str) -> str | None:
        actor = resolver.catalog.lookup(name) if resolver.catalog is not None else None
        return actor.name if actor is not None and actor.type == "person" else None

    result: dict[int, QuotedSentence] = {}
    carried: tuple[int, Holder, str] | None = None  # (turn, holder, cue) of a quotation left open
    for segment in annotated.segments:
        sentences = by_segment.get((segment.turn_id, segment.offset), [])
        # `Doc.text` joins every token each time it is read: read it once per segment, not per sentence.
        text = segment.doc.text
        quotes = attribute_quotations(segment.doc, known=known) if sentences else []
        holders = [_quote_holder(quote, sentences, resolver) for quote in quotes]
        if carried is not None and carried[0] == segment.turn_id and sentences:
            # A quotation running over paragraphs reopens each one with a quote mark and no new cue.
            opening = next(iter(find_quotations(text)), None)
            if opening is not None and not text[: opening.start].strip() and not any(
                    a <= opening.inner_start < b for quote in quotes for a, b in quote.pieces):
                quotes.append(AttributedQuote(((opening.inner_start, opening.inner_end),),
                                              QuoteSource("continued"), closed=opening.closed))
                holders.append(carried[1])
        carried = None
        open_quotes = [(quote, holder) for quote, holder in zip(quotes, holders)
                       if not quote.closed and holder is not None]
        if open_quotes:
            carried = (segment.turn_id, open_quotes[-1][1], open_quotes[-1][0].source.cue)
        for sentence in sentences:
            start = sentence.start_char - segment.offset
            end = sentence.end_char - segment.offset
            # Link targets are markup, not words of the sentence.
            size = (end - start) - sum(len(m.group(0)) - len(m.group(1)) for m in MARKDOWN_LINK.finditer(
                text, start, end))
            best = None
            for quote, holder in zip(quotes, holders):
                covered = quote.covered(start, end)
                # The sentence that holds a quotation's attribution ("‘...,’ as Merz put it.", "[Name](link): “...")
                # and some of its words reports that quotation.
                cue = quote.source.span
                cue_here = covered > 0 and cue is not None and cue[0] < end and start < cue[1]
                if holder is None or (2 * covered < size and not cue_here):
                    continue
                key = (cue_here, quote.depth, covered)
                if best is None or key > best[0]:
                    best = (key, quote, holder)
            if best is not None:
                _, quote, holder = best
                tokens = [t.i for t in sentence.span if any(a <= t.idx < b for a, b in quote.pieces)]
                result[sentence.sentence_id] = QuotedSentence(holder, quote.source.cue, min(tokens), max(tokens) + 1)
    return result


def _quote_holder(quote: AttributedQuote, sentences: list[Sentence], resolver: HolderResolver) -> Holder | None:
    source = quote.source
    if source.name is not None:
        holder = resolver.named(source.name, "quoted")
    else:
        token = source.token
        sentence = next((s for s in sentences if s.span.start <= token.i < s.span.end), None)
        if sentence is None:
            return None
        holder = resolver.resolve(sentence, token, source.cue_token or token)
        if holder.actor_id is None and not named_holder(holder):
            return None  # "he said" with no antecedent: nobody to name
        if holder.attribution != "self":
            holder = Holder(holder.name, holder.actor_id, "quoted")
    own = resolver.speaker(sentences[0].speaker) if sentences else None
    if own is not None and (holder.name == own.name or (holder.actor_id and holder.actor_id == own.actor_id)):
        return own
    return holder


def _sentence_claims(annotated: AnnotatedEpisode, sentence: Sentence, score: float, resolver: HolderResolver, *,
                     nested: bool, quote: QuotedSentence | None = None) -> list[Claim]:
    span = sentence.span
    doc = span.doc
    root = sentence_root(span)
    asked = classify(span) == "rhetorical"
    frame = main_frame(span)
    own = quote.holder if quote is not None else None
    cue_override = None
    if quote is not None and (frame is None or not quote.inside(frame.cue)):
        # The quoted words, whatever attributes them ("“...,” Rubio said."): the quoted person's.
        holder = quote.holder
        start, end = _trim(doc, max(span.start, quote.start), min(span.end, quote.end))
        if end <= start:
            start, end = span.start, span.end
        frame, cue_override = None, quote.cue
    elif frame is not None:
        holder = resolver.resolve(sentence, frame.holder, frame.cue, own=own)
        start, end = frame.start, frame.end
        if frame.kind == "position" and holder.actor_id in resolver.own_side(sentence.speaker):
            holder = own or resolver.speaker(sentence.speaker)  # the speaker's own side states its own position
    else:
        holder = own or resolver.speaker(sentence.speaker)
        start, end = span.start, span.end
    own_holder = resolver.speaker(sentence.speaker)
    if not named_holder(holder):
        # A safety net: no rule above should name a pronoun or nobody; if one does, the words are
        # the speaker's (or the quoted person's), never a row held by "he" or by "".
        log.debug("%s: sentence %d: holder %r is no name; the speaker holds it", annotated.episode.episode_id,
                  sentence.sentence_id, holder.name)
        holder = own or own_holder

    inner: list[tuple[Frame, Holder]] = []
    if nested and not asked:
        for token in doc[start:end]:
            if frame is not None and token.i == frame.cue.i:
                continue
            candidate = frame_of(token)
            main_clause = token.i == root.i and frame is not None and frame.cue.i != root.i  # "As you know, X"
            if candidate is None and (main_clause or (token.i != root.i and token.dep_ in CLAUSE_DEPS)):
                # A clause stating someone's position inside the speaker's frame ("I would say that X has
                # been an advocate for Y") or beside it ("..., and X has been clear about that").
                candidate = position_frame(span, token, whole=False)
            if candidate is None or candidate.holder is None or _under_condition(token, root):
                continue
            if candidate.kind != "position" and candidate.start <= token.i < candidate.end:
                continue
            inner_holder = resolver.resolve(sentence, candidate.holder, candidate.cue, own=own)
            if candidate.kind == "position" and inner_holder.actor_id in resolver.own_side(sentence.speaker):
                continue
            if inner_holder.attribution in {"self", "quoted"} or inner_holder.name in {holder.name}:
                continue
            if not named_holder(inner_holder) or any(f.cue.i == candidate.cue.i for f, _ in inner):
                continue  # nobody named, or the frame found already from another of its words
            inner.append((candidate, inner_holder))

    excluded = [(f.start, f.end) for f, _ in inner]
    top_frame_tokens = _frame_tokens(frame, root)
    marks = epistemic_marks(doc, start, end, frame_tokens=top_frame_tokens, excluded=excluded,
                            self_frame=holder.attribution in {"self", "quoted"})
    episode_id = annotated.episode.episode_id
    top_id = f"{episode_id}:{sentence.sentence_id}:0"
    claims = [_claim(sentence, top_id, holder, own_holder, frame, doc, start, end, score, marks, asked, None,
                     cue=cue_override)]
    ranges: list[tuple[int, int, str]] = [(start, end, top_id)]
    for k, (candidate, inner_holder) in enumerate(sorted(inner, key=lambda item: item[0].cue.i), start=1):
        # The parent is the innermost enclosing claim.
        parent = next(cid for s, e, cid in reversed(ranges) if s <= candidate.cue.i < e)
        others = [
            (f.start, f.end) for f, _ in inner if f is not candidate and candidate.start <= f.start < candidate.end
        ]
        inner_marks = epistemic_marks(doc, candidate.start, candidate.end, frame_tokens=[candidate.cue],
                                      excluded=others, self_frame=False)
        claim_id = f"{episode_id}:{sentence.sentence_id}:{k}"
        claims.append(_claim(sentence, claim_id, inner_holder, own_holder, candidate, doc, candidate.start,
                             candidate.end, score, inner_marks, False, parent))
        ranges.append((candidate.start, candidate.end, claim_id))
    return claims


def named_holder(holder: Holder) -> bool:
    """Whether `holder` names someone: not blank, not a pronoun."""
    name = holder.name.strip()
    return bool(name) and name.casefold() not in NOT_NAME_WORDS


def _claim(sentence: Sentence, claim_id: str, holder: Holder, speaker: Holder, frame: Frame | None, doc: Doc,
           start: int, end: int, score: float, marks: Marks, asked: bool, parent: str | None, *,
           cue: str | None = None) -> Claim:
    content = doc[start:end]
    offset = sentence.segment_offset
    return Claim(
        claim_id=claim_id,
        turn_id=sentence.turn_id,
        sentence_id=sentence.sentence_id,
        speaker=sentence.speaker,
        speaker_id=speaker.actor_id,
        holder=holder.name,
        holder_id=holder.actor_id,
        attribution=holder.attribution,
        cue=cue_name(frame.cue) if frame is not None else cue,
        claim=content.text,
        start_char=offset + content.start_char,
        end_char=offset + content.end_char,
        sentence=sentence.text,
        sentence_start_char=sentence.start_char,
        sentence_end_char=sentence.end_char,
        start_s=sentence.start_s,
        end_s=sentence.end_s,
        claim_score=score,
        hedged=marks.hedged,
        negated=marks.negated,
        polarity=marks.polarity,
        predicted=marks.predicted,
        hoped=marks.hoped,
        feared=marks.feared,
        asked=asked,
        parent_claim_id=parent,
        span=content,
    )
