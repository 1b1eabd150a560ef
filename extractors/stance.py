"""Stance of a claim toward a topic's proposition: favor, against or none.

One interface (`StanceBackend`), two backends chosen by `settings.stance_backend`
through `make_stance_backend(settings, encoder=...)`:

- `EmbedStance` ("stance.embed.v5", offline, default). Two soft votes over the
  topic's labelled examples in the sentence-encoder space (MiniLM, cosine):
  1. takes a side? the "none" examples against the polar ones, shifted by a prior
     (`_NONE_BIAS`: a claim that bears on a topic usually takes a side);
  2. which side? the polar examples whose polarity matches the claim's vote with
     their label; those of the other polarity vote for the opposite label at a
     reduced weight (`_FLIPPED_WEIGHT`), so negation flips stance.
  The claim's polarity comes from the parse of its content span (the holder's view,
  so a reported view keeps its holder's stance): negation of a predicate on the main
  chain ("I don't think that ..."), predicted failure ("will fail", "the odds are
  stacked against"), difficulty ("it is hard to ...", "this leads to problems", "goals that are
  hard to reach", "a difficult situation"); concessive and relative
  clauses, subjects and the clause before a contrastive "but" are left out.
  Hedges, hopes, fears and questions move probability from the sides to none.
  The holder counts too: a claim one of the topic's anchor actors (or an actor who
  speaks for one, the actors file's `affiliation`) makes in its own words leans by
  `settings.holder_prior` toward the topic's `holder_stance` (`lean_toward`). Within
  an episode, a holder's claims without a polarity cue lean by
  `settings.holder_consistency` toward the side the holder's cue-bearing claims on
  the topic take, when the evidence pooled over all the holder's claims on the topic
  agrees (`EmbedStance._consistent`).
  Topics without examples fall back to a sentiment probe times the proposition's
  direction times the claim's polarity (`_fallback_probabilities`).
- `NliStance` ("stance.nli.v1"): zero-shot NLI with any sequence-classification model
  (Hugging Face id or local path, `revision` pinned); premise = the claim, hypothesis =
  the proposition; labels mapped from `config.id2label`: entailment -> favor,
  contradiction -> against, neutral -> none.

Abstention (both backends, `decide`): the stance is `none` when P(none) is the largest
probability, or when the better side's share of the polar mass is below
`settings.stance_threshold`.

Calibration (embed): both vote temperatures of a topic are chosen at load by
leave-one-out maximum likelihood over the topic's own examples (each example is
predicted from the others, over a fixed grid of temperatures), so the vote
probabilities are calibrated on held-out examples. `stance_score` is the probability
of the emitted label, P(side) = (1 - P(none)) * P(side | takes a side); for an
abstention it is max(P(none), 1 - P(best side)).
"""

from __future__ import annotations

import functools
import logging
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from whoclaims.topics import Topic

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

    from whoclaims.models import Encoder
    from whoclaims.settings import Settings

log = logging.getLogger(__name__)

EMBED_STANCE = "stance.embed.v5"
NLI_STANCE = "stance.nli.v1"
BACKEND_NAMES = {"embed": EMBED_STANCE, "nli": NLI_STANCE}

FAVOR, AGAINST, NONE = "favor", "against", "none"

# Words that reverse the polarity of the clause they govern. General English, no topic.
_NEGATORS = frozenset({
    "not", "n't", "never", "no", "neither", "nor", "nobody", "nothing", "none", "nowhere", "without",
    "hardly", "barely", "scarcely", "cannot",
})
# Predicates that predict failure or reject what they govern ("will fail", "is impossible").
_FAILURE_LEMMAS = frozenset({
    "fail", "failure", "collapse", "doom", "doomed", "futile", "impossible", "unlikely", "unable", "unrealistic",
    "illusion", "misguided", "mistake", "refuse", "reject", "deny", "doubt", "skeptical", "sceptical",
    "disagree", "lack", "insufficient", "insurmountable", "unattainable", "wrong", "naive", "fantasy",
    "unacceptable", "oppose", "incompatible", "obstacle", "barrier", "impediment", "renege", "violate", "breach",
    "abrogate",
})
# Difficulty predicates: cues only as the predicate ("it is hard to ..."), not as adverbs.
_DIFFICULTY = frozenset({"hard", "difficult", "tricky"})
# Nouns that name a difficulty: cues as the predicate's attribute or object ("that is the
# problem", "it faces difficulties"), not as subjects.
_DIFFICULTY_NOUNS = frozenset({"problem", "difficulty", "hurdle", "obstacle", "barrier", "impediment", "dilemma"})
# Verbs whose difficult object is being removed, not asserted ("solves the problem").
_REMEDY_LEMMAS = frozenset({"solve", "resolve", "overcome", "address", "fix", "tackle", "remove", "reduce", "ease",
                            "eliminate", "prevent", "avoid", "alleviate", "mitigate", "remedy", "cure", "end"})
# Multi-word cues matched on lower-cased text.
_FAILURE_PHRASES = ("stacked against", "odds are against", "wishful thinking", "no chance", "no longer",
                    "far from", "out of the question", "dead end")
_FAILURE_PHRASE_WORDS = tuple(tuple(phrase.split()) for phrase in _FAILURE_PHRASES)
_HEDGE_FACTOR = 0.85
_HOPE_FACTOR = 0.6
_QUESTION_FACTOR = 0.5
_SMOOTHING = 0.03
# Log-odds added to the "takes no side" vote: most claims that bear on a topic take a side.
_NONE_BIAS = -1.0
# Weight of an example whose polarity differs from the claim's (its vote is flipped).
_FLIPPED_WEIGHT = 0.2
# Fallback for topics without examples (see `_fallback_probabilities`). General English,
# nothing topic-specific: generic evaluations for the sentiment probe, and verbs by which
# a proposition restricts or removes its target.
_POSITIVE_EVALUATIONS = (
    "This is good and beneficial for people.", "This has great advantages and helps society.",
    "This improves lives and protects rights.", "This is effective, fair and successful.",
)
_NEGATIVE_EVALUATIONS = (
    "This is bad and harmful for people.", "This causes serious damage and suffering.",
    "This is dangerous, unfair and leads to abuse.", "This fails and makes things worse.",
)
# The probe's median on the IBM claim-stance *train* split (test motions never seen).
_SENTIMENT_OFFSET = 0.019
_SENTIMENT_SCALE = 0.03
_FALLBACK_NONE = 0.1
_RESTRICTIVE = frozenset({
    "ban", "prohibit", "abolish", "restrict", "limit", "outlaw", "criminalise", "criminalize", "forbid", "stop",
    "cut", "reduce", "end", "oppose", "weaken", "eliminate", "remove", "lift", "repeal", "withdraw",
})
# Cue-bearing claims of a holder on a topic needed before they inform the holder's other claims.
_CONSISTENCY_MIN_CUED = 2
# Log-odds a cue-bearing decision weighs in a holder's pooled evidence on a topic (a claim
# without a cue weighs its own favor-vs-against log-odds, clipped to this size).
_CUE_EVIDENCE = 3.0
_TEMPERATURES = (0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3)


@dataclass(frozen=True)
class StanceQuery:
    """One (claim, topic) pair to decide.

    `text` is the claim's content (the holder's view), `vector` its unit embedding when
    the caller already has it, `span` the content span in the parse (for polarity).
    """

    text: str
    topic: Topic
    vector: np.ndarray | None = field(default=None, compare=False)
    span: Span | None = field(default=None, compare=False)
    hedged: bool = False
    hoped: bool = False
    feared: bool = False
    asked: bool = False
    # The topic's `holder_stance` when the claim's holder is (or speaks for) one of the
    # topic's anchor actors, else None.
    holder_lean: str | None = None
    # Who holds the claim (an actor id or name) within the batch's episode; claims of one
    # holder on one topic are read together (`EmbedStance._consistent`). None: read alone.
    holder_key: str | None = None


@dataclass(frozen=True, slots=True)
class StanceResult:
    """The decided stance with its calibrated probability and the label probabilities."""

    stance: str
    stance_score: float
    probabilities: tuple[float, float, float]  # favor, against, none


@runtime_checkable
class StanceBackend(Protocol):
    """Decides stance for (claim, topic) pairs, batched."""

    name: str
    model_name: str

    def predict(self, queries: Sequence[StanceQuery]) -> list[StanceResult]:
        """One result per query, in order."""
        ...


# ---------------------------------------------------------------- polarity from the parse


def _word_polarity(words: Sequence[str]) -> int:
    """+1 or -1 from negators, failure cues and failure phrases among lower-cased `words`."""
    count = 0
    for index, word in enumerate(words):
        if any(tuple(words[index:index + len(p)]) == p for p in _FAILURE_PHRASE_WORDS):
            count += 1
        elif word in _NEGATORS:
            # "not only X but Y" asserts X.
            if word == "not" and index + 1 < len(words) and words[index + 1] in {"only", "just", "merely"}:
                continue
            count += 1
        elif word in _DIFFICULTY or _is_failure_word(word):
            count += 1
    return -1 if count % 2 else 1


def _is_failure_word(word: str) -> bool:
    """Whether a plain word is a failure cue, allowing for inflection ("fails", "refused")."""
    return any(word[: len(word) - cut] in _FAILURE_LEMMAS for cut in range(0, 4) if len(word) - cut >= 3)


def text_polarity(text: str) -> int:
    """Polarity of a plain text (the topic examples), from word cues only."""
    words = re.findall(r"n't|[a-z]+", text.lower().replace("’", "'"))
    return _word_polarity(words)


def span_polarity(span: Span) -> int:
    """Polarity of the main predicate chain of `span`: +1 or -1.

    The chain runs from the span's root (or, after a contrastive "but", from the later
    clause) down through clausal complements ("I think that it is misguided to say
    that ..."). Each predicate of the chain that is negated ("not", "never", "no" on
    its subject or object) or is itself a failure or difficulty predicate ("fail",
    "impossible", "hard to") flips the polarity once; a negated failure predicate
    ("will not fail") does not. Subjects, modifiers, relative, concessive and other
    adverbial clauses are left out: they do not carry the holder's position.
    """
    head = _contrast_head(span) or span.root
    # a content span that is a noun phrase ("a difficult situation for ...") is its own predicate
    # (a failure noun itself, "obstacles to ...", is already counted as a failure predicate)
    flips = int(head.pos_ in {"NOUN", "PROPN"} and not _is_failure_token(head) and _is_failure_noun_phrase(head))
    for predicate in _predicate_chain(head, span):
        flips += _predicate_flips(predicate)
    return -1 if flips % 2 else 1


def _predicate_chain(head: Token, span: Span) -> list[Token]:
    """`head`, then its clausal complement, then that one's, ... (copular adjectives included)."""
    chain = [head]
    seen = {head.i}
    node = head
    while True:
        following = None
        for child in node.children:
            if not span.start <= child.i < span.end or child.i in seen:
                continue
            if child.dep_ in {"ccomp", "xcomp"}:
                following = child
                break
            if child.dep_ in {"acomp", "attr"} and following is None:
                grandchildren = [g for g in child.children if g.dep_ in {"xcomp", "ccomp", "acl"}]
                if grandchildren:
                    chain.append(child)
                    seen.add(child.i)
                    following = grandchildren[0]
        if following is None:
            return chain
        chain.append(following)
        seen.add(following.i)
        node = following


def _predicate_flips(predicate: Token) -> int:
    """How many times `predicate` is negated or predicts failure (0, 1 or, for "not fail", 2)."""
    negated = False
    failure = _is_failure_token(predicate)
    # "solves the problem", "overcome the obstacles": a remedy verb cancels its difficult object
    remedy = predicate.lemma_.lower() in _REMEDY_LEMMAS
    for child in predicate.children:
        lower = child.lower_.replace("’", "'")
        if child.dep_ == "neg" or (child.dep_ in {"advmod", "cc", "preconj"} and lower in _NEGATORS):
            after = child.doc[child.i + 1] if child.i + 1 < len(child.doc) else None
            if not (after is not None and after.lower_ in {"only", "just", "merely"}):
                negated = True
        elif child.dep_ in {"nsubj", "nsubjpass", "dobj", "attr"} and (
            lower in _NEGATORS or any(g.dep_ == "det" and g.lower_ in _NEGATORS for g in child.children)
        ):
            negated = True
        elif child.dep_ in {"acomp", "oprd", "attr"} and _is_failure_token(child):
            failure = not failure
        elif child.dep_ in {"attr", "dobj"} and _is_failure_noun_phrase(child) and not remedy:
            failure = not failure
        elif child.dep_ == "prep" and child.lower_ == "to" and any(
            g.dep_ == "pobj" and _is_failure_noun_phrase(g) for g in child.children
        ):  # "this leads to difficulties"
            failure = not failure
        elif child.dep_ == "prep" and child.lower_ == "against" and any(
            g.lower_ in {"odds", "chances"} for g in predicate.children if g.dep_.startswith("nsubj")
        ):
            failure = not failure
    return int(negated) + int(failure)


def _is_failure_noun_phrase(noun: Token) -> bool:
    """A noun that names a difficulty ("a problem", "difficulties"), or one described as
    difficult or failing by an adjective or a relative clause ("a difficult situation",
    "goals that are hard to reach"), in predicate or object position."""
    if noun.pos_ not in {"NOUN", "PROPN"}:
        return False
    if noun.lemma_.lower() in _DIFFICULTY_NOUNS:
        return True
    for child in noun.children:
        if child.dep_ == "amod" and (child.lemma_.lower() in _DIFFICULTY or _is_failure_word(child.lower_)):
            return True
        if child.dep_ == "relcl" and _predicate_flips(child) % 2:
            return True
    return False


def _is_failure_token(token: Token) -> bool:
    lemma = token.lemma_.lower()
    if lemma in _DIFFICULTY or token.lower_ in _DIFFICULTY:
        return token.dep_ in {"acomp", "attr", "ROOT", "ccomp", "xcomp"}
    if any(child.lower_ == "wishful" for child in token.children):
        return True
    return lemma in _FAILURE_LEMMAS or token.lower_ in _FAILURE_LEMMAS


def _contrast_head(span: Span) -> Token | None:
    """The head of the clause after a contrastive "but"/"yet" joining two clauses, if any."""
    for token in span:
        if token.lower_ in {"but", "yet"} and token.i > span.start and token.dep_ == "cc":
            later = [t for t in token.head.children if t.dep_ == "conj" and t.i > token.i]
            if later and later[0].pos_ in {"VERB", "AUX"}:
                return later[0]
    return None


# ---------------------------------------------------------------- embed backend


@dataclass(frozen=True)
class _TopicModel:
    """A topic's example embeddings, signed labels, polarities and LOO temperature."""

    vectors: np.ndarray  # (n, dim), unit rows
    labels: np.ndarray  # +1 favor, -1 against, 0 none
    polarity: np.ndarray  # +1 / -1 per example
    temperature: float
    none_temperature: float
    proposition: np.ndarray  # (dim,)
    proposition_direction: int


_CACHE_LOCK = threading.Lock()
_TOPIC_MODELS: dict[tuple[str, str, str], _TopicModel] = {}


def encoder_key(encoder: Encoder) -> str:
    """A per-process cache key for an encoder: its name, revision and identity."""
    return f"{getattr(encoder, 'name', type(encoder).__name__)}@{getattr(encoder, 'revision', '')}#{id(encoder)}"


def topic_model(topic: Topic, encoder: Encoder) -> _TopicModel:
    """Embeddings of `topic`'s examples, computed once per process per file content."""
    key = (encoder_key(encoder), topic.id, topic.fingerprint())
    with _CACHE_LOCK:
        cached = _TOPIC_MODELS.get(key)
    if cached is not None:
        return cached
    texts: list[str] = [topic.proposition]
    labels: list[int] = [1]
    for label, sign in ((FAVOR, 1), (AGAINST, -1), (NONE, 0)):
        texts.extend(topic.examples[label])
        labels.extend([sign] * len(topic.examples[label]))
    vectors = np.asarray(encoder.encode(texts), dtype=np.float32)
    polarity = np.array([text_polarity(text) for text in texts], dtype=np.int8)
    label_array = np.array(labels, dtype=np.int8)
    model = _TopicModel(
        vectors=vectors,
        labels=label_array,
        polarity=polarity,
        temperature=_loo_temperature(vectors, label_array, polarity),
        none_temperature=_loo_none_temperature(vectors, label_array),
        proposition=vectors[0],
        proposition_direction=proposition_direction(topic.proposition),
    )
    with _CACHE_LOCK:
        _TOPIC_MODELS[key] = model
    log.debug("topic %s: %d examples, temperature %.3f", topic.id, len(texts), model.temperature)
    return model


def _vote(similarities: np.ndarray, labels: np.ndarray, polarity: np.ndarray, claim_polarity: int,
          temperature: float, none_temperature: float | None = None) -> np.ndarray:
    """(favor, against, none) probabilities from two softmax-weighted votes over the examples.

    First whether the claim takes a side (polar vs none examples, shifted by `_NONE_BIAS`
    because a claim that bears on a topic usually takes a side), then which side: the
    polar examples of the claim's own polarity vote with their label, those of the other
    polarity vote for the opposite label at `_FLIPPED_WEIGHT` (so a negated claim far
    from any negated example still flips).
    """
    weights = np.exp((similarities - similarities.max()) / temperature)
    polar = labels != 0
    p_none = _none_share(similarities, polar, none_temperature or temperature)
    p_none = 1.0 / (1.0 + math.exp(-(math.log(p_none / (1 - p_none)) + _NONE_BIAS)))
    if polar.any():
        aligned = labels[polar] * polarity[polar] * claim_polarity
        polar_weights = weights[polar] * np.where(polarity[polar] == claim_polarity, 1.0, _FLIPPED_WEIGHT)
        p_favor = float(polar_weights[aligned > 0].sum() / polar_weights.sum())
    else:
        p_favor = 0.5
    probabilities = np.array([(1 - p_none) * p_favor, (1 - p_none) * (1 - p_favor), p_none])
    return (1 - _SMOOTHING) * probabilities + _SMOOTHING / 3


def _none_share(similarities: np.ndarray, polar: np.ndarray, temperature: float) -> float:
    """Softmax-weighted share of the "none" examples, clipped away from 0 and 1."""
    if polar.all():
        return 1e-3
    weights = np.exp((similarities - similarities.max()) / temperature)
    return min(max(float(weights[~polar].sum() / weights.sum()), 1e-3), 1 - 1e-3)


def _loo_none_temperature(vectors: np.ndarray, labels: np.ndarray) -> float:
    """The temperature of the takes-a-side vote maximising the leave-one-out likelihood."""
    n = len(labels)
    polar = labels != 0
    if n < 4 or polar.all() or not polar.any():
        return 0.05
    similarity = vectors @ vectors.T
    best, best_loss = 0.05, math.inf
    for temperature in _TEMPERATURES:
        loss = 0.0
        for i in range(n):
            keep = np.arange(n) != i
            share = _none_share(similarity[i, keep], polar[keep], temperature)
            loss -= math.log(share if not polar[i] else 1 - share)
        if loss < best_loss:
            best, best_loss = temperature, loss
    return best


def _loo_temperature(vectors: np.ndarray, labels: np.ndarray, polarity: np.ndarray) -> float:
    """The vote temperature maximising the leave-one-out likelihood of the examples' own labels."""
    n = len(labels)
    if n < 4 or len(set(labels.tolist())) < 2:
        return 0.05
    similarity = vectors @ vectors.T
    best, best_loss = 0.05, math.inf
    for temperature in _TEMPERATURES:
        loss = 0.0
        for i in np.flatnonzero(labels != 0):
            keep = (np.arange(n) != i) & (labels != 0)
            probabilities = _vote(similarity[i, keep], labels[keep], polarity[keep], int(polarity[i]), temperature)
            target = 0 if labels[i] > 0 else 1
            loss -= math.log(probabilities[target])
        if loss < best_loss:
            best, best_loss = temperature, loss
    return best


class EmbedStance:
    """Stance from the topic's labelled examples in the encoder space, aligned by parse polarity.

    Abstains (returns `none`) as `decide` says. Example embeddings are computed from the
    topics file's content once per process (`topic_model`), so an edited file shows on
    the next run.
    """

    name = EMBED_STANCE

    def __init__(self, encoder: Encoder, *, threshold: float = 0.55, holder_prior: float = 0.0,
                 holder_consistency: float = 0.0) -> None:
        self.encoder = encoder
        self.threshold = threshold
        self.holder_prior = holder_prior
        self.holder_consistency = holder_consistency
        self.model_name = f"{getattr(encoder, 'name', 'encoder')}@{getattr(encoder, 'revision', 'unknown')}"

    def predict(self, queries: Sequence[StanceQuery]) -> list[StanceResult]:
        """One result per query. Queries of one batch are one episode: a holder's cue-bearing
        claims on a topic inform that holder's claims without a cue (`_consistent`)."""
        missing = [i for i, query in enumerate(queries) if query.vector is None]
        encoded = self.encoder.encode([queries[i].text for i in missing]) if missing else None
        vectors = {i: encoded[k] for k, i in enumerate(missing)} if encoded is not None else {}
        drafts = []
        for i, query in enumerate(queries):
            vector = query.vector if query.vector is not None else vectors[i]
            drafts.append(self._draft(query, np.asarray(vector, dtype=np.float32)))
        return self._consistent(queries, drafts)

    def _draft(self, query: StanceQuery, vector: np.ndarray) -> _Draft:
        model = topic_model(query.topic, self.encoder)
        claim_polarity = span_polarity(query.span) if query.span is not None else text_polarity(query.text)
        if len(set(model.labels.tolist())) < 2:
            probabilities = _fallback_probabilities(vector, model, claim_polarity, self.encoder)
        else:
            similarities = model.vectors @ vector
            probabilities = _vote(similarities, model.labels, model.polarity, claim_polarity, model.temperature,
                                  model.none_temperature)
        if query.holder_lean is not None and self.holder_prior:
            probabilities = lean_toward(probabilities, query.holder_lean, self.holder_prior)
        factor = 1.0
        if query.hedged:
            factor *= _HEDGE_FACTOR
        if query.hoped or query.feared:
            factor *= _HOPE_FACTOR
        if query.asked:
            factor *= _QUESTION_FACTOR
        result = decide(probabilities, threshold=self.threshold, polar_factor=factor)
        return _Draft(probabilities=probabilities, factor=factor, cued=claim_polarity < 0, result=result)

    def _consistent(self, queries: Sequence[StanceQuery], drafts: Sequence[_Draft]) -> list[StanceResult]:
        """Lean a holder's claims without a polarity cue toward the side of their cue-bearing claims.

        Which side a claim takes is what the example vote is weakest at (on unseen content
        it is near chance), while a claim whose parse shows negation, failure or difficulty
        carries its side in its words. A holder's stance on a topic rarely changes within
        an episode, so when at least `_CONSISTENCY_MIN_CUED` of the holder's cue-bearing
        claims on the topic have decided and their net agreement is at least half, that
        holder's claims on the topic without a cue lean toward that side by
        `holder_consistency` log-odds, and so do claims with a cue whose sides came out
        too close to call (an abstention between favor and against). Claims with a cue
        that decided are left as they are.

        The cue-bearing claims do not overrule the rest of the holder's claims outright:
        the lean applies only when the pooled evidence of all the holder's claims on the
        topic points the same way, each cue-bearing decision counting `_CUE_EVIDENCE`
        log-odds and each claim without a cue its own favor-vs-against log-odds (clipped to
        the same size). Two misread double negatives ("it is not that we just pass
        sanctions and wipe our hands") then cannot turn twenty confident claims around.
        """
        if not self.holder_consistency:
            return [draft.result for draft in drafts]
        votes: dict[tuple[str, str], list[int]] = {}
        evidence: dict[tuple[str, str], float] = {}
        for query, draft in zip(queries, drafts, strict=True):
            if query.holder_key is None:
                continue
            key = (query.holder_key, query.topic.id)
            if draft.cued and draft.result.stance in (FAVOR, AGAINST):
                sign = 1 if draft.result.stance == FAVOR else -1
                votes.setdefault(key, []).append(sign)
                evidence[key] = evidence.get(key, 0.0) + sign * _CUE_EVIDENCE
            elif not draft.cued:
                evidence[key] = evidence.get(key, 0.0) + _side_log_odds(draft.probabilities)
        results = []
        for query, draft in zip(queries, drafts, strict=True):
            key = (query.holder_key, query.topic.id)
            group = votes.get(key, []) if query.holder_key is not None else []
            if (draft.cued and not self._undecided(draft)) or len(group) < _CONSISTENCY_MIN_CUED \
                    or abs(sum(group)) < 0.5 * len(group) or evidence.get(key, 0.0) * sum(group) <= 0:
                results.append(draft.result)
                continue
            side = FAVOR if sum(group) > 0 else AGAINST
            probabilities = lean_toward(draft.probabilities, side, self.holder_consistency)
            results.append(decide(probabilities, threshold=self.threshold, polar_factor=draft.factor))
        return results

    def _undecided(self, draft: _Draft) -> bool:
        """Whether the draft abstained only because neither side won clearly (it does take a side)."""
        favor, against, none = (float(value) for value in draft.probabilities)
        polar = favor + against
        return draft.result.stance == NONE and polar > 0 and none < max(favor, against) \
            and max(favor, against) / polar < self.threshold


@dataclass(frozen=True, slots=True)
class _Draft:
    """A first decision with what the second, per-holder pass needs."""

    probabilities: np.ndarray
    factor: float
    cued: bool  # the parse shows a polarity cue (negation, failure, difficulty)
    result: StanceResult


def _side_log_odds(probabilities: np.ndarray) -> float:
    """log(P(favor) / P(against)) of a draft, clipped to +-`_CUE_EVIDENCE` (0 without polar mass)."""
    favor, against = float(probabilities[0]), float(probabilities[1])
    if favor <= 0.0 or against <= 0.0:
        return 0.0
    return max(-_CUE_EVIDENCE, min(_CUE_EVIDENCE, math.log(favor / against)))


def lean_toward(probabilities: np.ndarray, side: str, strength: float) -> np.ndarray:
    """(favor, against, none) with the favor-vs-against log-odds moved by `strength` toward
    `side`; P(none) is unchanged.

    An actor speaking about itself presents itself in a known light (a government does
    not call its own aims maximalist; a negotiator predicts his own success): the topics
    file says which way (`holder_stance`), the parse and the examples still decide how
    far a claim goes against it.
    """
    favor, against, none = (float(value) for value in probabilities)
    polar = favor + against
    if polar <= 0.0:
        return probabilities
    share = min(max(favor / polar, 1e-6), 1 - 1e-6)
    logit = math.log(share / (1 - share)) + (strength if side == FAVOR else -strength)
    share = 1.0 / (1.0 + math.exp(-logit))
    return np.array([polar * share, polar * (1 - share), none])


def _fallback_probabilities(vector: np.ndarray, model: _TopicModel, claim_polarity: int, encoder: Encoder) -> np.ndarray:
    """For a topic without labelled examples: the claim's evaluative sentiment, times the
    direction of the proposition, times the claim's polarity.

    Sentiment is a probe in the encoder space: mean similarity to generic positive
    evaluations minus mean similarity to generic negative ones, less `_SENTIMENT_OFFSET`.
    The proposition's direction is -1 when it restricts or removes its target ("should
    be banned", "abolish") and flips again when it is negated. So "X causes harm" is
    against "X should be allowed" and for "X should be banned".
    """
    positive, negative = _sentiment_anchors(encoder)
    sentiment = float((positive @ vector).mean() - (negative @ vector).mean()) - _SENTIMENT_OFFSET
    side = (1 if sentiment > 0 else -1) * model.proposition_direction * claim_polarity
    confidence = 1.0 / (1.0 + math.exp(-abs(sentiment) / _SENTIMENT_SCALE))
    favor = confidence if side > 0 else 1.0 - confidence
    return np.array([favor * (1 - _FALLBACK_NONE), (1 - favor) * (1 - _FALLBACK_NONE), _FALLBACK_NONE])


_SENTIMENT_CACHE: dict[str, tuple[np.ndarray, np.ndarray]] = {}


def _sentiment_anchors(encoder: Encoder) -> tuple[np.ndarray, np.ndarray]:
    key = encoder_key(encoder)
    with _CACHE_LOCK:
        cached = _SENTIMENT_CACHE.get(key)
    if cached is None:
        vectors = np.asarray(encoder.encode([*_POSITIVE_EVALUATIONS, *_NEGATIVE_EVALUATIONS]), dtype=np.float32)
        cached = (vectors[: len(_POSITIVE_EVALUATIONS)], vectors[len(_POSITIVE_EVALUATIONS):])
        with _CACHE_LOCK:
            _SENTIMENT_CACHE[key] = cached
    return cached


def _base_form(word: str) -> str:
    """A crude verb base ("banned" -> "ban", "limits" -> "limit", "ending" -> "end")."""
    if word in _RESTRICTIVE:
        return word
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            if stem in _RESTRICTIVE:
                return stem
            if len(stem) > 3 and stem[-1] == stem[-2]:  # doubled final consonant: "banned"
                return stem[:-1]
            return stem
    return word


def proposition_direction(proposition: str) -> int:
    """-1 when the proposition restricts or removes its target ("ban X"), else +1; negation flips it."""
    words = re.findall(r"[a-z]+", proposition.lower())
    restrictive = any(_base_form(word) in _RESTRICTIVE for word in words)
    return (-1 if restrictive else 1) * text_polarity(proposition)


def decide(probabilities: np.ndarray, *, threshold: float, polar_factor: float = 1.0) -> StanceResult:
    """Turn (favor, against, none) probabilities into a label.

    Abstains (`none`) when P(none) is the largest, or when the better side's share of
    the polar mass, P(side) / (P(favor) + P(against)), is below `threshold`.
    `polar_factor` (< 1 for hedges, hopes, questions) moves mass from the sides to none.
    """
    favor, against, none = (float(p) for p in probabilities)
    if polar_factor != 1.0:
        favor, against = favor * polar_factor, against * polar_factor
        none = 1.0 - favor - against
    triple = (favor, against, none)
    polar = favor + against
    side_share = max(favor, against) / polar if polar > 0 else 0.0
    if none < max(favor, against) and side_share >= threshold:
        label = FAVOR if favor >= against else AGAINST
        return StanceResult(label, round(max(favor, against), 4), triple)
    return StanceResult(NONE, round(max(none, 1.0 - max(favor, against)), 4), triple)


# ---------------------------------------------------------------- NLI backend


class NliLabelError(ValueError):
    """The NLI model's labels cannot be mapped to favor / against / none."""


def map_nli_labels(id2label: dict[int, str], *, model: str) -> dict[int, str]:
    """Map a model's `id2label` to stance labels: entailment -> favor, contradiction -> against,
    neutral -> none (case-insensitive; prefixes like "ENTAILMENT" or "entailed" are accepted)."""
    mapping: dict[int, str] = {}
    for index, label in id2label.items():
        lowered = str(label).strip().lower()
        if lowered.startswith("entail"):
            mapping[int(index)] = FAVOR
        elif lowered.startswith("contradict"):
            mapping[int(index)] = AGAINST
        elif lowered.startswith("neutral"):
            mapping[int(index)] = NONE
        else:
            raise NliLabelError(
                f"NLI model {model!r}: cannot map label {label!r} (id {index}); expected entailment, "
                f"neutral and contradiction in config.id2label, got {dict(id2label)}"
            )
    if FAVOR not in mapping.values() or AGAINST not in mapping.values():
        raise NliLabelError(
            f"NLI model {model!r}: config.id2label {dict(id2label)} needs both an entailment and a "
            "contradiction label"
        )
    return mapping


@functools.cache
def _load_nli(model: str, revision: str | None):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model, revision=revision)
    network = AutoModelForSequenceClassification.from_pretrained(model, revision=revision)
    network.eval()
    return tokenizer, network


class NliStance:
    """Zero-shot stance by NLI: premise = claim, hypothesis = proposition.

    Abstains (returns `none`) as `decide` says. The model is loaded once per process per
    (model, revision); `probabilities` batches pairs sorted by length.
    """

    name = NLI_STANCE

    def __init__(self, model: str, *, revision: str | None = None, batch_size: int = 8,
                 threshold: float = 0.55, max_length: int = 256) -> None:
        self.tokenizer, self.network = _load_nli(model, revision)
        self.labels = map_nli_labels(self.network.config.id2label, model=model)
        self.batch_size = max(1, batch_size)
        self.threshold = threshold
        self.max_length = max_length
        self.model_name = f"{model}@{revision or 'main'}"

    def predict(self, queries: Sequence[StanceQuery]) -> list[StanceResult]:
        probabilities = self.probabilities([(q.text, q.topic.proposition) for q in queries])
        return [decide(row, threshold=self.threshold) for row in probabilities]

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """(favor, against, none) probabilities per (premise, hypothesis), batched by length."""
        import torch

        out = np.zeros((len(pairs), 3), dtype=np.float64)
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
        column = {FAVOR: 0, AGAINST: 1, NONE: 2}
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                index = order[start : start + self.batch_size]
                batch = self.tokenizer(
                    [pairs[i][0] for i in index], [pairs[i][1] for i in index],
                    padding=True, truncation=True, max_length=self.max_length, return_tensors="pt",
                )
                logits = self.network(**batch).logits.float()
                softmax = torch.softmax(logits, dim=-1).numpy()
                for row, i in enumerate(index):
                    for label_id, stance in self.labels.items():
                        out[i, column[stance]] += softmax[row, label_id]
        return out


def make_stance_backend(settings: Settings, *, encoder: Encoder) -> StanceBackend:
    """The stance backend named by `settings.stance_backend`."""
    if settings.stance_backend == "nli":
        return NliStance(settings.nli_model, revision=settings.nli_revision, batch_size=settings.nli_batch_size,
                         threshold=settings.stance_threshold)
    return EmbedStance(encoder, threshold=settings.stance_threshold, holder_prior=settings.holder_prior,
                       holder_consistency=settings.holder_consistency)
