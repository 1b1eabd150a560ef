"""The trained topic model: which topics a sentence bears on, as calibrated probabilities.

Two stages, both logistic regressions learned from labelled transcripts
(`whoclaims.training`, data in `../shared/data/whoclaims_silver`):

1. A head per topic reads a sentence three ways: `hand_features` (similarity of
   the sentence, the sentence read with the one before it, and its neighbours to
   the topic's statements in the topics file, relative to the other topics and to
   the background; mentions of the topic's anchor actors in the sentence, its
   neighbours and its turn, pronouns resolved; the topic's terms; what the
   previous turn, typically the question, was about; the claim's marks), the
   sentence's MiniLM embedding, and its bag of lemmas and lemma bigrams. A topic
   the model was not trained on (a user's topic, or a default topic whose
   proposition was edited) is read by one generic head over the hand features
   alone, trained on all topics pooled.
2. A context stage re-reads each head's logit together with the logits of the
   neighbouring sentences, of the passage, of the turn and of the turns before and
   after it (an answer is about what was asked; a speaker develops a point over
   several sentences). It is fitted on out-of-fold head logits.

`TopicModel.probabilities` returns P(topic | sentence) for every sentence and topic;
the threshold that turns them into rows is chosen by cross-validation for
precision first (`whoclaims.training`, README "Measured quality").
Inference is NumPy only; the weights ship as one `.npz` file.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from extractors.episode_view import EpisodeView, bag_of_words
from whoclaims.topics import Topic, proposition_key

log = logging.getLogger(__name__)

TOPIC_EXTRACTOR = "topics.trained.v1"
TOP_K = 3
# A neighbour's logit where there is none (the first sentence of a turn, the first turn).
_ABSENT = -4.6

HAND_FEATURES = (
    "similarity", "similarity_in_context", "similarity_to_proposition", "relative_similarity", "margin",
    "nearest_topic", "previous_sentence", "next_sentence", "turn_max", "turn_mean", "previous_turn",
    "anchor_in_sentence", "anchor_in_turn", "anchor_in_previous_sentence", "anchor_resolved",
    "terms", "terms_in_previous_sentence",
    "background", "is_claim", "claim_score", "reported", "asked", "hedged", "predicted", "negated",
    "question", "n_words",
)
CONTEXT_FEATURES = (
    "logit", "previous_1", "next_1", "previous_2", "next_2", "turn_max", "turn_mean", "passage_max",
    "passage_mean", "previous_turn_max", "next_turn_max", "other_topics_max", "is_claim", "question", "n_words",
)


class TopicModelError(ValueError):
    """The topic model file cannot be used; the message names the file and the problem."""


# ---------------------------------------------------------------- topic statements in the encoder space


@dataclass(frozen=True)
class TopicProfiles:
    """Unit embeddings of each topic's statements (proposition, description, examples) and of
    the topics file's background statements."""

    statements: tuple[np.ndarray, ...]
    propositions: np.ndarray
    background: np.ndarray | None


_CACHE_LOCK = threading.Lock()
_PROFILES: dict[tuple, TopicProfiles] = {}


def topic_profiles(topics: Sequence[Topic], encoder, background: Sequence[str] = ()) -> TopicProfiles:
    """The profiles of `topics`, encoded once per process (keyed by the topics' content and the encoder)."""
    key = (getattr(encoder, "name", type(encoder).__name__), getattr(encoder, "revision", ""),
           tuple(topic.fingerprint() for topic in topics), tuple(background))
    with _CACHE_LOCK:
        cached = _PROFILES.get(key)
    if cached is not None:
        return cached
    texts: list[str] = []
    spans: list[tuple[int, int]] = []
    for topic in topics:
        start = len(texts)
        texts += [topic.proposition, *([topic.description] if topic.description else [])]
        for label in ("favor", "against", "none"):
            texts.extend(topic.examples[label])
        spans.append((start, len(texts)))
    texts.extend(background)
    vectors = np.asarray(encoder.encode(texts), dtype=np.float32) if texts else np.zeros((0, 0), np.float32)
    profiles = TopicProfiles(
        statements=tuple(vectors[start:end] for start, end in spans),
        propositions=np.stack([vectors[start] for start, _ in spans]) if spans else np.zeros((0, 0), np.float32),
        background=vectors[spans[-1][1]:] if background else None,
    )
    with _CACHE_LOCK:
        _PROFILES[key] = profiles
    return profiles


# ---------------------------------------------------------------- hand features


def _top_mean(matrix: np.ndarray) -> np.ndarray:
    """Per row, the mean of its `TOP_K` largest values."""
    if matrix.shape[1] == 0:
        return np.zeros(matrix.shape[0], dtype=np.float32)
    return np.sort(matrix, axis=1)[:, -min(TOP_K, matrix.shape[1]):].mean(axis=1)


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def _neighbour(values: np.ndarray, groups: np.ndarray, offset: int, fill: float = 0.0) -> np.ndarray:
    """`values` shifted by `offset` rows, where the shifted row is in the same group, else `fill`."""
    out = np.full_like(values, fill)
    n = len(values)
    if abs(offset) >= n:
        return out
    if offset > 0:
        same = groups[offset:] == groups[:-offset]
        out[:-offset][same] = values[offset:][same]
    else:
        same = groups[:offset] == groups[-offset:]
        out[-offset:][same] = values[:offset][same]
    return out


def _group_reduce(values: np.ndarray, groups: np.ndarray, how: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row, the max or mean of `values` over its group; also the group order and each row's group index."""
    order, index = np.unique(groups, return_inverse=True)
    reduced = np.full((len(order), values.shape[1]), -np.inf if how == "max" else 0.0, dtype=np.float32)
    if how == "max":
        np.maximum.at(reduced, index, values)
    else:
        np.add.at(reduced, index, values)
        reduced /= np.bincount(index, minlength=len(order))[:, None]
    return reduced, order, index


def _turn_shift(per_turn: np.ndarray, index: np.ndarray, offset: int, fill: float) -> np.ndarray:
    """Per row, the value of the turn `offset` turns away (turns in text order), else `fill`."""
    shifted = np.full_like(per_turn, fill)
    if offset < 0 and len(per_turn) > -offset:
        shifted[-offset:] = per_turn[:offset]
    elif offset > 0 and len(per_turn) > offset:
        shifted[:-offset] = per_turn[offset:]
    return shifted[index]


def hand_features(view: EpisodeView, topics: Sequence[Topic], profiles: TopicProfiles) -> np.ndarray:
    """Features of every (sentence, topic) pair, shape (n_sentences, n_topics, len(HAND_FEATURES)).

    Every feature is relative to a topic through the topics file only (its statements,
    anchors and terms), so the same features describe a topic the model never saw.
    """
    n, n_topics = len(view), len(topics)
    if n == 0 or n_topics == 0:
        return np.zeros((n, n_topics, len(HAND_FEATURES)), dtype=np.float32)
    vectors = _unit(view.vectors.astype(np.float32))
    turns, passages = view.turn_ids, view.passages
    similarity = np.stack([_top_mean(vectors @ statements.T) for statements in profiles.statements], 1)
    to_proposition = vectors @ profiles.propositions.T
    background = (_top_mean(vectors @ profiles.background.T) if profiles.background is not None
                  else np.zeros(n, dtype=np.float32))
    mixed = vectors + 0.5 * _neighbour(vectors, passages, -1)
    in_context = np.stack([_top_mean(_unit(mixed) @ statements.T) for statements in profiles.statements], 1)
    others_sum = similarity.sum(1, keepdims=True) - similarity + background[:, None]
    relative = similarity - others_sum / n_topics
    if n_topics > 1:
        others_max = np.stack([np.delete(similarity, k, 1).max(1) for k in range(n_topics)], 1)
    else:
        others_max = np.zeros_like(similarity)
    margin = similarity - np.maximum(others_max, background[:, None])
    nearest = (similarity.argmax(1)[:, None] == np.arange(n_topics)[None, :]).astype(np.float32)
    turn_max, _, turn_index = _group_reduce(relative, turns, "max")
    turn_mean, _, _ = _group_reduce(relative, turns, "mean")
    previous_turn = _turn_shift(turn_max, turn_index, -1, 0.0)

    anchors, anchor_turn, resolved = _anchor_features(view, topics)
    terms = _term_features(view, topics)
    sentence_level = np.stack([
        background, view.is_claim, view.claim_score, view.reported, view.asked, view.hedged, view.predicted,
        view.negated, view.is_question, np.log1p([len(lemmas) for lemmas in view.lemmas]),
    ], 1).astype(np.float32)
    pairwise = np.stack([
        similarity, in_context, to_proposition, relative, margin, nearest,
        _neighbour(relative, turns, -1), _neighbour(relative, turns, 1), turn_max[turn_index], turn_mean[turn_index],
        previous_turn, anchors, anchor_turn, _neighbour(anchors, turns, -1), resolved,
        terms, _neighbour(terms, turns, -1),
    ], 2).astype(np.float32)
    return np.concatenate([pairwise, np.repeat(sentence_level[:, None, :], n_topics, 1)], 2)


def _anchor_features(view: EpisodeView, topics: Sequence[Topic]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mentions of each topic's anchor actors in the sentence and in its turn, weighted by how
    specific the actor is in the episode (one mentioned in half the sentences or more says
    little: "Russia" in a war episode), and whether one was found through coreference."""
    n, n_topics = len(view), len(topics)
    index: dict[str, list[int]] = {}
    for k, topic in enumerate(topics):
        for actor_id in topic.anchors:
            index.setdefault(actor_id, []).append(k)
    sentences_by_actor: dict[str, set[int]] = {}
    for mention in view.mentions:
        sentences_by_actor.setdefault(mention.actor_id, set()).add(mention.sentence_id)
    specificity = {actor: max(0.2, 1.0 - 2.0 * len(rows) / n) for actor, rows in sentences_by_actor.items()}
    anchors = np.zeros((n, n_topics), dtype=np.float32)
    resolved = np.zeros_like(anchors)
    by_turn: dict[int, np.ndarray] = {}
    for mention in view.mentions:
        for k in index.get(mention.actor_id, ()):
            weight = specificity[mention.actor_id]
            anchors[mention.sentence_id, k] = max(anchors[mention.sentence_id, k], weight)
            if mention.resolved:
                resolved[mention.sentence_id, k] = 1.0
            row = by_turn.setdefault(mention.turn_id, np.zeros(n_topics, dtype=np.float32))
            row[k] = max(row[k], weight)
    empty = np.zeros(n_topics, dtype=np.float32)
    anchor_turn = np.stack([by_turn.get(int(turn), empty) for turn in view.turn_ids])
    return anchors, anchor_turn, resolved


def _term_features(view: EpisodeView, topics: Sequence[Topic]) -> np.ndarray:
    """1 - 0.5 ** (distinct terms of the topic found in the sentence, on lemmas or forms)."""
    n = len(view)
    out = np.zeros((n, len(topics)), dtype=np.float32)
    for k, topic in enumerate(topics):
        terms = [tuple(term.lower().split()) for term in topic.terms]
        if not terms:
            continue
        for s in range(n):
            lemmas, forms = view.lemmas[s], view.forms[s]
            hits = 0
            for words in terms:
                width = len(words)
                if any(all(words[j] in (lemmas[i + j], forms[i + j]) for j in range(width))
                       for i in range(len(lemmas) - width + 1)):
                    hits += 1
            out[s, k] = 1.0 - 0.5 ** hits
    return out


def context_features(view: EpisodeView, logits: np.ndarray) -> np.ndarray:
    """Features of the context stage, (n_sentences, n_topics, len(CONTEXT_FEATURES)), from the heads' logits."""
    n, n_topics = logits.shape
    if n == 0:
        return np.zeros((0, n_topics, len(CONTEXT_FEATURES)), dtype=np.float32)
    turns, passages = view.turn_ids, view.passages
    turn_max, _, turn_index = _group_reduce(logits, turns, "max")
    turn_mean, _, _ = _group_reduce(logits, turns, "mean")
    passage_max, _, passage_index = _group_reduce(logits, passages, "max")
    passage_mean, _, _ = _group_reduce(logits, passages, "mean")
    if n_topics > 1:
        others = np.stack([np.delete(logits, k, 1).max(1) for k in range(n_topics)], 1)
    else:
        others = np.full_like(logits, _ABSENT)
    sentence_level = np.stack([view.is_claim, view.is_question, np.log1p([len(lemmas) for lemmas in view.lemmas])],
                              1).astype(np.float32)
    pairwise = np.stack([
        logits, _neighbour(logits, turns, -1, _ABSENT), _neighbour(logits, turns, 1, _ABSENT),
        _neighbour(logits, turns, -2, _ABSENT), _neighbour(logits, turns, 2, _ABSENT),
        turn_max[turn_index], turn_mean[turn_index], passage_max[passage_index], passage_mean[passage_index],
        _turn_shift(turn_max, turn_index, -1, _ABSENT), _turn_shift(turn_max, turn_index, 1, _ABSENT), others,
    ], 2).astype(np.float32)
    return np.concatenate([pairwise, np.repeat(sentence_level[:, None, :], n_topics, 1)], 2)


# ---------------------------------------------------------------- the model


@dataclass(frozen=True)
class LinearHead:
    """A logistic regression over standardised dense features and (optionally) a bag of words."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    word_weights: np.ndarray | None = None  # one per vocabulary entry, already scaled

    def logits(self, dense: np.ndarray, words: Sequence[Sequence[int]] | None = None) -> np.ndarray:
        out = ((dense - self.mean) / self.scale) @ self.weights + self.bias
        if self.word_weights is not None and words is not None:
            out = out + np.array([self.word_weights[list(ids)].sum() if ids else 0.0 for ids in words])
        return out.astype(np.float32)


@dataclass(frozen=True)
class TopicModel:
    """Heads per trained topic, a generic head, and the context stage."""

    vocabulary: tuple[str, ...]
    heads: Mapping[str, LinearHead]  # proposition_key -> head over hand features + embedding + words
    head_topics: Mapping[str, str]  # proposition_key -> topic id (for the context stage's topic column)
    generic: LinearHead  # over hand features only
    context: LinearHead  # over CONTEXT_FEATURES + one column per trained topic id
    context_topics: tuple[str, ...]
    threshold: float
    metadata: Mapping[str, object] = field(default_factory=dict)
    _vocabulary_index: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def word_ids(self, view: EpisodeView) -> list[list[int]]:
        if not self._vocabulary_index:
            self._vocabulary_index.update({word: i for i, word in enumerate(self.vocabulary)})
        index = self._vocabulary_index
        return [[index[word] for word in bag if word in index] for bag in bag_of_words(view)]

    def trained_for(self, topic: Topic) -> bool:
        """Whether a head was trained for this topic (same id and proposition)."""
        return proposition_key(topic) in self.heads

    def head_logits(self, view: EpisodeView, topics: Sequence[Topic], hand: np.ndarray) -> np.ndarray:
        """Stage 1: (n_sentences, n_topics) logits."""
        n = len(view)
        logits = np.zeros((n, len(topics)), dtype=np.float32)
        if n == 0:
            return logits
        words = self.word_ids(view)
        for k, topic in enumerate(topics):
            head = self.heads.get(proposition_key(topic))
            if head is None:
                logits[:, k] = self.generic.logits(hand[:, k])
            else:
                logits[:, k] = head.logits(np.concatenate([hand[:, k], view.vectors], 1), words)
        return logits

    def probabilities(self, view: EpisodeView, topics: Sequence[Topic], profiles: TopicProfiles) -> np.ndarray:
        """P(the sentence bears on the topic), shape (n_sentences, n_topics).

        Trained topics go through the context stage; a topic without a trained head is
        scored by the generic head alone (its probability is calibrated on all topics
        pooled, which is looser than a trained head's)."""
        hand = hand_features(view, topics, profiles)
        logits = self.head_logits(view, topics, hand)
        trained = np.array([self.trained_for(topic) for topic in topics], dtype=bool)
        out = 1.0 / (1.0 + np.exp(-logits))
        if len(view) and trained.any():
            features = context_features(view, logits)
            for k in np.flatnonzero(trained):
                onehot = np.zeros((len(view), len(self.context_topics)), dtype=np.float32)
                topic_id = self.head_topics[proposition_key(topics[k])]
                if topic_id in self.context_topics:
                    onehot[:, self.context_topics.index(topic_id)] = 1.0
                context_logit = self.context.logits(np.concatenate([features[:, k], onehot], 1))
                out[:, k] = 1.0 / (1.0 + np.exp(-context_logit))
        return out.astype(np.float32)

    # ------------------------------------------------------------ persistence

    def save(self, path: str | Path) -> None:
        """Write the model to one `.npz` file (arrays, and the rest as JSON), atomically."""
        from whoclaims.models import save_arrays

        arrays: dict[str, np.ndarray] = {}
        heads = {}
        for key, head in self.heads.items():
            heads[key] = _put_head(arrays, f"head_{key}", head)
        meta = {
            "format": 1, "extractor": TOPIC_EXTRACTOR, "vocabulary": list(self.vocabulary), "heads": heads,
            "head_topics": dict(self.head_topics), "generic": _put_head(arrays, "generic", self.generic),
            "context": _put_head(arrays, "context", self.context), "context_topics": list(self.context_topics),
            "threshold": self.threshold, "metadata": dict(self.metadata),
        }
        arrays["meta"] = np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8)
        save_arrays(path, arrays)


def _put_head(arrays: dict[str, np.ndarray], name: str, head: LinearHead) -> dict:
    for part in ("mean", "scale", "weights"):
        arrays[f"{name}.{part}"] = np.asarray(getattr(head, part), dtype=np.float32)
    if head.word_weights is not None:
        arrays[f"{name}.word_weights"] = np.asarray(head.word_weights, dtype=np.float32)
    return {"name": name, "bias": float(head.bias), "words": head.word_weights is not None}


def _get_head(arrays, spec: dict) -> LinearHead:
    name = spec["name"]
    return LinearHead(
        mean=arrays[f"{name}.mean"], scale=arrays[f"{name}.scale"], weights=arrays[f"{name}.weights"],
        bias=float(spec["bias"]), word_weights=arrays[f"{name}.word_weights"] if spec["words"] else None,
    )


def load_topic_model(path: str | Path) -> TopicModel:
    """Read a topic model file written by `TopicModel.save`; cached per process by (path, size, mtime).

    Raises:
        TopicModelError: the file is missing, unreadable or not a topic model of this version.
    """
    from whoclaims.models import load_model_file

    def build(arrays: dict, meta: dict) -> TopicModel:
        return TopicModel(
            vocabulary=tuple(meta["vocabulary"]),
            heads={key: _get_head(arrays, spec) for key, spec in meta["heads"].items()},
            head_topics=dict(meta["head_topics"]), generic=_get_head(arrays, meta["generic"]),
            context=_get_head(arrays, meta["context"]), context_topics=tuple(meta["context_topics"]),
            threshold=float(meta["threshold"]), metadata=meta.get("metadata", {}),
        )

    return load_model_file(path, what="topic model", extractor=TOPIC_EXTRACTOR, error=TopicModelError, build=build)
