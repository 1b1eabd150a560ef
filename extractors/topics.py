"""Topic assignment: which topics a claim bears on, then its stance toward each.

For every (claim, topic) pair a logit adds up four signals, `topic_score =
sigmoid(logit)`, and a pair is kept when `topic_score >= settings.topic_threshold` and
its logit is within `TOPIC_MARGIN` of the claim's best topic (a claim can keep several):

- similarity: the mean of the top-3 cosine similarities between the claim's sentence
  and the topic's proposition, description and examples, less half the mean of the
  same over the other topics and the topics file's background statements (generic war
  talk is close to every topic; a battlefield report or a history lesson is closer to
  the background than to any topic). Its centre and slope are calibrated at load on the
  topics file itself (`similarity_calibration`);
- anchors: a mention of one of the topic's actors (canonical `actor_id`, pronouns
  resolved by the entities stage) in the claim content (1.0), else in the sentence
  (0.8), else in the turn (0.3), scaled down for actors mentioned in much of the
  episode ("Russia" in a war episode says little; `anchor_specificity`);
- terms: the topic's terms matched on lemmas (or forms) in the sentence
  (`TERM_WEIGHT * (1 - 0.5 ** hits)`: 0.3 for one term, 0.45 for two);
- frame: the previous turn's relevance to the topic (typically the host's question)
  carries into the next turn, and decays by `settings.topic_frame_decay` per further
  turn, so an answer is read as being about what was asked (weight 1.2);
- context: a speaker develops a point over several sentences of a passage (a paragraph
  of a turn). The similarity is computed on the sentence vector mixed with the previous
  sentence's of the same passage (`CONTEXT_MIX`), and the own score of the previous one
  or two sentences carries over (weight `CONTEXT_WEIGHT`, decay `CONTEXT_DECAY`), so
  "those plans still stand" stays on the topic of what came before;
- a constant `LOGIT_BIAS` (-2.0), so that similarity near the calibrated centre alone
  does not carry a topic.

Every sentence of the episode is encoded once, in one batched call together with the
content spans much shorter than their sentence (used for stance); topic embeddings and
the calibration are cached per process, keyed by the file content. The kept pairs are
handed to the stance backend of `settings.stance_backend` in one batch.
Abstains: a claim whose topics all score below the threshold gets no topic.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from extractors.stance import StanceBackend, StanceQuery, encoder_key, make_stance_backend
from whoclaims.records import AnnotatedEpisode, Claim, TopicStance
from whoclaims.topics import Topic

log = logging.getLogger(__name__)

TOPIC_EXTRACTOR = "topics.embed_anchor.v4"

# Similarity centre and slope when they cannot be calibrated from the topics file
# (fewer than two topics with examples). With several topics they are calibrated at
# load: the centre is the midpoint between the median top-3 similarity of a topic's
# own statements to the topic (leave-one-out) and that of the other topics' statements,
# and the slope puts those two medians at logits -2 and +2.
SIMILARITY_CENTRE = 0.5
SIMILARITY_SLOPE = 25.0
ANCHOR_WEIGHT = {"claim": 1.0, "sentence": 0.8, "turn": 0.3}
MIN_SPECIFICITY = 0.2
TERM_WEIGHT = 0.6
FRAME_WEIGHT = 1.2
TOP_K = 3
# Discourse context within a passage (a turn's paragraph): the sentence vector is mixed
# with the previous sentence's (`CONTEXT_MIX`), and the previous sentences' own topic
# scores add `CONTEXT_WEIGHT` times their relevance, decaying by `CONTEXT_DECAY` per
# sentence, `CONTEXT_WINDOW` sentences back.
CONTEXT_MIX = 0.5
CONTEXT_WEIGHT = 1.5
CONTEXT_DECAY = 0.6
CONTEXT_WINDOW = 2
# Share of the mean similarity to the other topics subtracted from a topic's similarity.
RELATIVE_WEIGHT = 0.5
# A topic is kept only if its logit is within this margin of the claim's best topic.
TOPIC_MARGIN = 2.0
# Added to every (claim, topic) logit: the similarity centre is the midpoint between own-topic
# and other-topic statements, so a claim with similarity alone at the centre and one weak
# signal would otherwise pass; -2.0 asks for a similarity clearly above the centre or a
# specific anchor or term on top of it.
LOGIT_BIAS = -2.0
# A content span shorter than this share of its sentence is encoded on its own for stance.
CONTENT_SHARE = 0.6

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r]*\n")

_CACHE_LOCK = threading.Lock()
_PROFILES: dict[tuple[str, str], np.ndarray] = {}
_BACKGROUNDS: dict[tuple[str, tuple[str, ...]], np.ndarray] = {}
_CALIBRATIONS: dict[tuple, tuple[float, float]] = {}


@dataclass(frozen=True)
class _Signals:
    """Per-sentence signals, (n_sentences, n_topics) each."""

    similarity: np.ndarray
    terms: np.ndarray
    anchors: np.ndarray
    frame: np.ndarray
    context: np.ndarray


def _cached_vectors(cache: dict, key, texts: Sequence[str], encoder) -> np.ndarray:
    """Unit embeddings of `texts`, encoded once per process under `key` in `cache`."""
    with _CACHE_LOCK:
        cached = cache.get(key)
    if cached is not None:
        return cached
    vectors = np.asarray(encoder.encode(list(texts)), dtype=np.float32)
    with _CACHE_LOCK:
        cache[key] = vectors
    return vectors


def topic_profile(topic: Topic, encoder) -> np.ndarray:
    """Unit embeddings of the topic's proposition, description and examples; cached per process."""
    texts = [topic.proposition, *([topic.description] if topic.description else [])]
    for label in ("favor", "against", "none"):
        texts.extend(topic.examples[label])
    return _cached_vectors(_PROFILES, (encoder_key(encoder), topic.fingerprint()), texts, encoder)


def background_profile(background: Sequence[str], encoder) -> np.ndarray | None:
    """Unit embeddings of the topics file's background statements (None without any); cached per process."""
    if not background:
        return None
    return _cached_vectors(_BACKGROUNDS, (encoder_key(encoder), tuple(background)), background, encoder)


def similarity_calibration(topics: Sequence[Topic], encoder, background: Sequence[str] = ()) -> tuple[float, float]:
    """(centre, slope) of the similarity logit, calibrated on the topics' own statements.

    Each statement (proposition, description, examples) of topic A is scored against
    topic A without itself (positives) and against every other topic (negatives), both
    relative to the other topics and the background as in `_relative`; the centre is the
    midpoint of the two medians and the slope maps them to -2 and +2.
    """
    key = (encoder_key(encoder), tuple(topic.fingerprint() for topic in topics), tuple(background))
    with _CACHE_LOCK:
        cached = _CALIBRATIONS.get(key)
    if cached is not None:
        return cached
    profiles = [topic_profile(topic, encoder) for topic in topics]
    background_vectors = background_profile(background, encoder)
    positives: list[float] = []
    negatives: list[float] = []
    for k, profile in enumerate(profiles):
        if len(profile) < TOP_K + 1:
            continue
        for i, vector in enumerate(profile):
            row = np.array([_top_mean(np.delete(profile @ vector, i)) if j == k else _top_mean(other @ vector)
                            for j, other in enumerate(profiles)])
            near_background = None if background_vectors is None else np.array([_top_mean(background_vectors @ vector)])
            relative = _relative(row[None, :], near_background)[0]
            positives.append(float(relative[k]))
            negatives.extend(float(value) for j, value in enumerate(relative) if j != k)
    centre, slope = SIMILARITY_CENTRE, SIMILARITY_SLOPE
    if positives and negatives:
        high, low = float(np.median(positives)), float(np.median(negatives))
        if high - low > 0.02:
            centre, slope = (high + low) / 2, 4.0 / (high - low)
    log.debug("topic similarity centre %.3f, slope %.1f", centre, slope)
    with _CACHE_LOCK:
        _CALIBRATIONS[key] = (centre, slope)
    return centre, slope


def _top_mean(similarities: np.ndarray) -> float:
    return float(np.sort(similarities)[-TOP_K:].mean())


def _top_mean_rows(matrix: np.ndarray) -> np.ndarray:
    """Per row, the mean of its `TOP_K` largest values (all of them when a row is shorter)."""
    return np.sort(matrix, axis=1)[:, -min(TOP_K, matrix.shape[1]):].mean(axis=1)


def _relative(similarity: np.ndarray, background: np.ndarray | None = None) -> np.ndarray:
    """Similarity to a topic less `RELATIVE_WEIGHT` times the mean similarity to the other topics.

    Generic sentences about the war are close to every topic; what sets a topic apart is
    being closer to it than to the others. `background` (one value per row: the top-3
    similarity to the background statements) counts as one more other topic. Rows are
    claims, columns topics.
    """
    n_topics = similarity.shape[1]
    others_sum = similarity.sum(axis=1, keepdims=True) - similarity
    n_others = n_topics - 1
    if background is not None:
        others_sum = others_sum + np.asarray(background, dtype=similarity.dtype).reshape(-1, 1)
        n_others += 1
    if n_others < 1:
        return similarity
    return similarity - RELATIVE_WEIGHT * others_sum / n_others


def assign_topics(
    annotated: AnnotatedEpisode,
    claims: Sequence[Claim],
    *,
    encoder,
    topics: Sequence[Topic],
    settings,
    stance_backend: StanceBackend | None = None,
    catalog=None,
    background: Sequence[str] | None = None,
) -> list[TopicStance]:
    """One `TopicStance` per (claim, topic) whose topic score reaches `settings.topic_threshold`.

    `catalog` (the actor catalog) lets a holder who speaks for an anchor actor count as
    that actor for the topic's `holder_stance`. Every claim's nearest topic and its score
    go to `annotated.extras["nearest_topics"]` (claim id -> (topic id, score)), so a claim
    that no topic reaches can be shown with how close it came. `background` defaults to
    the background statements of `topics` when it is a `TopicSet` (what `load_topics`
    returns).
    """
    if not claims or not topics or not annotated.sentences:
        return []
    if background is None:
        background = getattr(topics, "background", ())
    sentence_vectors, content_vectors = _encode(annotated, claims, encoder)
    centre, slope = similarity_calibration(topics, encoder, background)
    signals = _sentence_signals(annotated, sentence_vectors, encoder=encoder, topics=topics, settings=settings,
                                centre=centre, slope=slope, background=background)
    anchor_claim = _claim_anchor_hits(annotated, claims, topics)

    kept: list[tuple[Claim, int, float]] = []
    nearest: dict[str, tuple[str, float]] = annotated.extras.setdefault("nearest_topics", {})
    for index, claim in enumerate(claims):
        s = claim.sentence_id
        anchors = np.maximum(signals.anchors[s], anchor_claim[index])
        logits = (
            slope * (signals.similarity[s] - centre)
            + anchors
            + TERM_WEIGHT * signals.terms[s]
            + FRAME_WEIGHT * signals.frame[s]
            + CONTEXT_WEIGHT * signals.context[s]
            + LOGIT_BIAS
        )
        scores = 1.0 / (1.0 + np.exp(-logits))
        best = float(logits.max())
        nearest[claim.claim_id] = (topics[int(logits.argmax())].id, round(float(scores.max()), 4))
        for k in np.flatnonzero((scores >= settings.topic_threshold) & (logits >= best - TOPIC_MARGIN)):
            kept.append((claim, int(k), float(scores[k])))

    if not kept:
        return []
    backend = stance_backend or make_stance_backend(settings, encoder=encoder)
    queries = [
        stance_query(claim, topics[k], catalog=catalog,
                     vector=content_vectors.get(claim.claim_id, sentence_vectors[claim.sentence_id]))
        for claim, k, _ in kept
    ]
    results = backend.predict(queries)
    return [
        TopicStance(
            claim_id=claim.claim_id,
            topic=topics[k].id,
            topic_score=round(score, 4),
            stance=result.stance,
            stance_score=result.stance_score,
        )
        for (claim, k, score), result in zip(kept, results, strict=True)
    ]


def stance_query(claim: Claim, topic: Topic, *, catalog=None, vector: np.ndarray | None = None) -> StanceQuery:
    """The stance backend's question for `claim` toward `topic`: its content span and
    epistemic marks, its holder (for `holder_stance` and per-holder consistency), and its
    vector when the caller has encoded it already."""
    return StanceQuery(
        text=claim.claim,
        topic=topic,
        vector=vector,
        span=claim.span,
        hedged=claim.hedged,
        hoped=claim.hoped,
        feared=claim.feared,
        asked=claim.asked,
        holder_lean=holder_lean(claim, topic, catalog),
        holder_key=claim.holder_id or claim.holder,
    )


def holder_lean(claim: Claim, topic: Topic, catalog) -> str | None:
    """The topic's `holder_stance` when the claim's holder is, or speaks for, one of its
    anchors, and speaks for itself: a view that someone else ascribes to the anchor
    ("Russia is betting that the world will grow weary") is the critic's account, not
    the anchor's self-presentation, and gets no lean."""
    if topic.holder_stance is None or claim.holder_id is None or claim.attribution != "self":
        return None
    holders = catalog.speaks_for(claim.holder_id) if catalog is not None else (claim.holder_id,)
    return topic.holder_stance if any(holder in topic.anchors for holder in holders) else None


def _encode(annotated: AnnotatedEpisode, claims: Sequence[Claim], encoder) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Sentence vectors of the episode and vectors of short content spans, in one batched call."""
    texts = [sentence.text for sentence in annotated.sentences]
    extra: dict[str, int] = {}
    for claim in claims:
        content = claim.claim.strip()
        if content and len(content) < CONTENT_SHARE * len(claim.sentence) and content not in extra:
            extra[content] = len(texts) + len(extra)
    vectors = np.asarray(encoder.encode(texts + list(extra)), dtype=np.float32)
    sentence_vectors = vectors[: len(texts)]
    annotated.extras["sentence_vectors"] = sentence_vectors
    content_vectors = {
        claim.claim_id: vectors[extra[claim.claim.strip()]] for claim in claims if claim.claim.strip() in extra
    }
    return sentence_vectors, content_vectors


def _sentence_signals(annotated: AnnotatedEpisode, vectors: np.ndarray, *, encoder, topics: Sequence[Topic],
                      settings, centre: float, slope: float, background: Sequence[str] = ()) -> _Signals:
    n_sentences, n_topics = len(annotated.sentences), len(topics)
    passages = _passages(annotated)
    vectors = _with_context(vectors, passages)
    similarity = np.zeros((n_sentences, n_topics), dtype=np.float32)
    for k, topic in enumerate(topics):
        similarity[:, k] = _top_mean_rows(vectors @ topic_profile(topic, encoder).T)
    background_vectors = background_profile(background, encoder)
    near_background = None if background_vectors is None else _top_mean_rows(vectors @ background_vectors.T)
    similarity = _relative(similarity, near_background)

    terms = np.zeros_like(similarity)
    matchers = [_TermMatcher(topic.terms) for topic in topics]
    for s, sentence in enumerate(annotated.sentences):
        for k, matcher in enumerate(matchers):
            hits = matcher.count(sentence.span)
            terms[s, k] = 1.0 - 0.5**hits

    anchors = np.zeros_like(similarity)
    turn_anchor: dict[int, np.ndarray] = {}
    anchor_index = _anchor_index(topics)
    specificity = anchor_specificity(annotated)
    for mention in annotated.mentions:
        factor = specificity.get(mention.actor_id or "", 1.0)
        for k in anchor_index.get(mention.actor_id or "", ()):
            if 0 <= mention.sentence_id < n_sentences:
                anchors[mention.sentence_id, k] = max(anchors[mention.sentence_id, k],
                                                      ANCHOR_WEIGHT["sentence"] * factor)
            row = turn_anchor.setdefault(mention.turn_id, np.zeros(n_topics, dtype=np.float32))
            row[k] = max(row[k], ANCHOR_WEIGHT["turn"] * factor)
    for s, sentence in enumerate(annotated.sentences):
        if sentence.turn_id in turn_anchor:
            anchors[s] = np.maximum(anchors[s], turn_anchor[sentence.turn_id])

    frame = _frame(annotated, similarity, terms, decay=settings.topic_frame_decay, centre=centre, slope=slope)
    own = slope * (similarity - centre) + anchors + TERM_WEIGHT * terms + LOGIT_BIAS
    context = _context(passages, own)
    return _Signals(similarity=similarity, terms=terms, anchors=anchors, frame=frame, context=context)


def _passages(annotated: AnnotatedEpisode) -> list[int]:
    """A passage number per sentence: a new passage starts at each turn and each blank line."""
    sentences = annotated.sentences
    text = annotated.episode.text
    passages: list[int] = []
    current = 0
    for s, sentence in enumerate(sentences):
        if s > 0:
            previous = sentences[s - 1]
            # the whitespace between the two, including any the sentencizer left on either side
            gap_start = previous.end_char - (len(previous.text) - len(previous.text.rstrip()))
            gap_end = sentence.start_char + (len(sentence.text) - len(sentence.text.lstrip()))
            gap = text[gap_start:gap_end] if gap_start <= gap_end else ""
            if sentence.turn_id != previous.turn_id or _PARAGRAPH_BREAK.search(gap):
                current += 1
        passages.append(current)
    return passages


def _with_context(vectors: np.ndarray, passages: Sequence[int]) -> np.ndarray:
    """Sentence vectors mixed with the previous sentence of the same passage, re-normalised.

    Mean-pooled embeddings add up roughly like the texts they encode, so `v + a * v_prev`
    stands for the sentence read after the one before it: "those plans still stand"
    borrows what "those plans" were.
    """
    if not CONTEXT_MIX or len(vectors) < 2:
        return vectors
    mixed = vectors.copy()
    for s in range(1, len(vectors)):
        if passages[s] == passages[s - 1]:
            mixed[s] = vectors[s] + CONTEXT_MIX * vectors[s - 1]
    norms = np.linalg.norm(mixed, axis=1, keepdims=True)
    return mixed / np.where(norms > 0, norms, 1.0)


def _context(passages: Sequence[int], own: np.ndarray) -> np.ndarray:
    """Per sentence, how strongly the sentences just before it in its passage are on each topic.

    A speaker develops a point over several sentences, and one that goes on with it
    ("that is why ...") need not name the topic again. The previous sentence's own
    relevance (its topic score without frame or context) carries over with weight 1,
    the one before with `CONTEXT_DECAY`, up to `CONTEXT_WINDOW` sentences back; a new
    turn or paragraph stops it.
    """
    relevance = 1.0 / (1.0 + np.exp(-own))
    context = np.zeros_like(relevance)
    for s in range(len(passages)):
        for distance in range(1, CONTEXT_WINDOW + 1):
            previous = s - distance
            if previous < 0 or passages[previous] != passages[s]:
                break
            context[s] = np.maximum(context[s], CONTEXT_DECAY ** (distance - 1) * relevance[previous])
    return context


def _frame(annotated: AnnotatedEpisode, similarity: np.ndarray, terms: np.ndarray, *, decay: float,
           centre: float, slope: float) -> np.ndarray:
    """Per sentence, how strongly the preceding turns set each topic (in [0, 1]).

    A turn's own relevance to a topic is the best local score of its sentences; the next
    turn inherits it, and what a turn inherits decays by `decay` per further turn.
    """
    local = 1.0 / (1.0 + np.exp(-(slope * (similarity - centre) + TERM_WEIGHT * terms)))
    frame = np.zeros_like(similarity)
    turn_order: list[int] = []
    rows_by_turn: dict[int, list[int]] = {}
    for s, sentence in enumerate(annotated.sentences):
        if sentence.turn_id not in rows_by_turn:
            turn_order.append(sentence.turn_id)
            rows_by_turn[sentence.turn_id] = []
        rows_by_turn[sentence.turn_id].append(s)
    carried = np.zeros(similarity.shape[1], dtype=np.float32)
    previous_relevance = np.zeros_like(carried)
    for turn_id in turn_order:
        rows = rows_by_turn[turn_id]
        carried = np.maximum(previous_relevance, decay * carried)
        frame[rows] = carried
        previous_relevance = local[rows].max(axis=0)
    return frame


def anchor_specificity(annotated: AnnotatedEpisode) -> dict[str, float]:
    """Per actor, how much a mention of it tells about the topic: 1 for a rare actor, down to
    `MIN_SPECIFICITY` for one mentioned in half the sentences or more (in a war episode,
    "Russia" and "Ukraine" are everywhere and say little about which topic a sentence is on)."""
    cached = annotated.extras.get("anchor_specificity")
    if cached is not None:
        return cached
    sentences_by_actor: dict[str, set[int]] = {}
    for mention in annotated.mentions:
        if mention.actor_id:
            sentences_by_actor.setdefault(mention.actor_id, set()).add(mention.sentence_id)
    n_sentences = max(1, len(annotated.sentences))
    specificity = {actor: max(MIN_SPECIFICITY, 1.0 - 2.0 * len(rows) / n_sentences)
                   for actor, rows in sentences_by_actor.items()}
    annotated.extras["anchor_specificity"] = specificity
    return specificity


def _anchor_index(topics: Sequence[Topic]) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for k, topic in enumerate(topics):
        for actor_id in topic.anchors:
            index.setdefault(actor_id, []).append(k)
    return index


def _claim_anchor_hits(annotated: AnnotatedEpisode, claims: Sequence[Claim], topics: Sequence[Topic]) -> np.ndarray:
    """Anchor weight for mentions inside each claim's content span, (n_claims, n_topics)."""
    hits = np.zeros((len(claims), len(topics)), dtype=np.float32)
    anchor_index = _anchor_index(topics)
    specificity = anchor_specificity(annotated)
    by_sentence: dict[int, list] = {}
    for mention in annotated.mentions:
        if mention.actor_id in anchor_index:
            by_sentence.setdefault(mention.sentence_id, []).append(mention)
    for index, claim in enumerate(claims):
        for mention in by_sentence.get(claim.sentence_id, ()):
            if claim.start_char <= mention.start_char and mention.end_char <= claim.end_char:
                for k in anchor_index[mention.actor_id]:
                    hits[index, k] = max(hits[index, k],
                                         ANCHOR_WEIGHT["claim"] * specificity.get(mention.actor_id, 1.0))
    return hits


class _TermMatcher:
    """Matches a topic's terms (base forms, one or more words) on token lemmas or forms."""

    def __init__(self, terms: Sequence[str]) -> None:
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        for term in terms:
            words = tuple(term.lower().split())
            if words:
                self.by_first.setdefault(words[0], []).append(words)

    def count(self, span) -> int:
        """Number of distinct terms found in `span`."""
        if not self.by_first:
            return 0
        lemmas = [token.lemma_.lower() for token in span]
        forms = [token.lower_ for token in span]
        found: set[tuple[str, ...]] = set()
        for i in range(len(forms)):
            for first in {lemmas[i], forms[i]}:
                for words in self.by_first.get(first, ()):
                    n = len(words)
                    if all(words[j] in {lemmas[i + j], forms[i + j]} for j in range(n) if i + j < len(forms)) \
                            and i + n <= len(forms):
                        found.add(words)
        return len(found)
