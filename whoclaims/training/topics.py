"""Fitting the topic model (`extractors.topic_model`) and measuring it by cross-validation.

All fitting is logistic regression (scikit-learn, lbfgs), deterministic for a given
corpus. The choices below (regularisation, the weight of the bag of words, the
inner folds of the context stage) were made by episode-grouped cross-validation on
the silver corpus; `python -m whoclaims.training evaluate-topics` reproduces the figures in the README.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from extractors.episode_view import bag_of_words
from extractors.topic_model import (
    CONTEXT_FEATURES, HAND_FEATURES, LinearHead, TopicModel, TopicProfiles, context_features, hand_features,
    proposition_key,
)
from whoclaims.topics import Topic
from whoclaims.training.corpus import LabelledEpisode, episode_folds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TopicTraining:
    """Hyper-parameters, chosen by episode-grouped cross-validation on the silver corpus."""

    head_c: float = 0.01  # inverse L2 strength of the per-topic heads
    word_scale: float = 3.0  # the bag of words' column scale (a weaker penalty on word weights)
    min_episodes: int = 4  # a word or bigram enters the vocabulary when it occurs in this many episodes
    generic_c: float = 1.0
    context_c: float = 1.0
    inner_folds: int = 4  # folds of the out-of-fold head logits the context stage is fitted on
    # The operating point of `evaluate-topics`: the best episode-grouped CV F1 with precision >= 0.5.
    threshold: float = 0.3
    seed: int = 0
    # Sources whose episodes train the context stage only, not the heads, the generic head or the
    # vocabulary: the fictional podcasts (in the heads they cost cross-validated precision; README).
    context_only_sources: tuple[str, ...] = ("synthetic",)


def _logistic(features, labels, *, c: float, weights=None):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=5000)
    model.fit(features, labels, sample_weight=weights)
    return model


class _Design:
    """Hand features, bags of words and labels of a set of episodes, computed once."""

    def __init__(self, episodes: Sequence[LabelledEpisode], topics: Sequence[Topic], profiles: TopicProfiles):
        self.episodes = list(episodes)
        self.hand = [hand_features(item.view, topics, profiles) for item in self.episodes]
        self.bags = [bag_of_words(item.view) for item in self.episodes]

    def vocabulary(self, indices: Sequence[int], min_episodes: int) -> tuple[str, ...]:
        counts: dict[str, int] = {}
        for i in indices:
            for word in set().union(*self.bags[i]) if self.bags[i] else ():
                counts[word] = counts.get(word, 0) + 1
        return tuple(sorted(word for word, count in counts.items() if count >= min_episodes))

    def words(self, i: int, index: dict[str, int]) -> sparse.csr_matrix:
        rows, cols = [], []
        for s, bag in enumerate(self.bags[i]):
            for word in bag:
                j = index.get(word)
                if j is not None:
                    rows.append(s)
                    cols.append(j)
        return sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)),
                                 shape=(len(self.bags[i]), len(index)))


def _fit_head(design: _Design, indices: Sequence[int], k: int, vocabulary: tuple[str, ...],
              config: TopicTraining) -> LinearHead:
    index = {word: j for j, word in enumerate(vocabulary)}
    dense = np.concatenate([np.concatenate([design.hand[i][:, k], design.episodes[i].view.vectors], 1)
                            for i in indices])
    labels = np.concatenate([design.episodes[i].topic_labels[:, k] for i in indices])
    words = sparse.vstack([design.words(i, index) for i in indices]).tocsr()
    keep = labels >= 0
    mean = dense[keep].mean(0)
    scale = dense[keep].std(0) + 1e-6
    matrix = sparse.hstack([sparse.csr_matrix((dense - mean) / scale), config.word_scale * words]).tocsr()
    if labels[keep].max(initial=0) < 1:
        raise ValueError(f"topic #{k} has no positive training sentence")
    model = _logistic(matrix[keep], labels[keep], c=config.head_c)
    weights = model.coef_[0]
    n_dense = dense.shape[1]
    return LinearHead(mean=mean.astype(np.float32), scale=scale.astype(np.float32),
                      weights=weights[:n_dense].astype(np.float32), bias=float(model.intercept_[0]),
                      word_weights=(config.word_scale * weights[n_dense:]).astype(np.float32))


def _fit_generic(design: _Design, indices: Sequence[int], config: TopicTraining, topic_columns: Sequence[int]) -> LinearHead:
    """One head over the hand features of every (sentence, topic) pair, topics pooled."""
    dense = np.concatenate([design.hand[i][:, k] for i in indices for k in topic_columns])
    labels = np.concatenate([design.episodes[i].topic_labels[:, k] for i in indices for k in topic_columns])
    keep = labels >= 0
    mean, scale = dense[keep].mean(0), dense[keep].std(0) + 1e-6
    model = _logistic((dense[keep] - mean) / scale, labels[keep], c=config.generic_c)
    return LinearHead(mean=mean.astype(np.float32), scale=scale.astype(np.float32),
                      weights=model.coef_[0].astype(np.float32), bias=float(model.intercept_[0]))


def _head_logits(design: _Design, i: int, heads: dict[int, LinearHead], generic: LinearHead,
                 vocabulary: tuple[str, ...]) -> np.ndarray:
    """Stage-one logits of episode `i`, (n_sentences, n_topics): a topic's own head, or the generic one."""
    index = {word: j for j, word in enumerate(vocabulary)}
    words = [[index[w] for w in bag if w in index] for bag in design.bags[i]]
    view = design.episodes[i].view
    n_topics = design.hand[i].shape[1]
    return np.stack([heads[k].logits(np.concatenate([design.hand[i][:, k], view.vectors], 1), words)
                     if k in heads else generic.logits(design.hand[i][:, k]) for k in range(n_topics)], 1)


def _context_rows(design: _Design, i: int, heads: dict[int, LinearHead], generic: LinearHead,
                  vocabulary: tuple[str, ...], rows: list[np.ndarray], labels: list[np.ndarray]) -> None:
    """Append the context stage's training rows of episode `i` (one block per topic with a head),
    its features read from logits of heads that never saw the episode."""
    logits = _head_logits(design, i, heads, generic, vocabulary)
    features = context_features(design.episodes[i].view, logits)
    n_topics = logits.shape[1]
    for k in heads:
        onehot = np.zeros((len(logits), n_topics), dtype=np.float32)
        onehot[:, k] = 1.0
        rows.append(np.concatenate([features[:, k], onehot], 1))
        labels.append(design.episodes[i].topic_labels[:, k])


def _with_positives(design: _Design, indices: Sequence[int], n_topics: int) -> list[int]:
    """Topics with at least one positive sentence among `indices` (only those get a head of their
    own: a topic no training source speaks of is scored by the generic head, as a new topic is)."""
    return [k for k in range(n_topics)
            if any((design.episodes[i].topic_labels[:, k] == 1).any() for i in indices)]


def fit_topic_model(episodes: Sequence[LabelledEpisode], topics: Sequence[Topic], profiles: TopicProfiles, *,
                    config: TopicTraining = TopicTraining(), design: _Design | None = None,
                    indices: Sequence[int] | None = None, metadata: dict | None = None) -> TopicModel:
    """Fit heads, the generic head and the context stage on `episodes` (labels ordered as `topics`);
    episodes of `config.context_only_sources` train the context stage only."""
    design = design or _Design(episodes, topics, profiles)
    indices = list(range(len(design.episodes))) if indices is None else list(indices)
    context_only = [i for i in indices if design.episodes[i].source in config.context_only_sources]
    indices = [i for i in indices if design.episodes[i].source not in config.context_only_sources]
    vocabulary = design.vocabulary(indices, config.min_episodes)
    n_topics = len(topics)
    trained = _with_positives(design, indices, n_topics)
    heads = {k: _fit_head(design, indices, k, vocabulary, config) for k in trained}
    generic = _fit_generic(design, indices, config, trained)

    # The context stage reads head logits as the heads give them on unseen episodes.
    ids = [design.episodes[i].view.episode_id for i in indices]
    folds = episode_folds(ids, config.inner_folds, seed=config.seed + 1)
    rows, labels = [], []
    for fold in range(config.inner_folds):
        train = [i for i, e in zip(indices, ids) if folds[e] != fold]
        held = [i for i, e in zip(indices, ids) if folds[e] == fold]
        if not held:
            continue
        fold_vocabulary = design.vocabulary(train, config.min_episodes)
        fold_trained = [k for k in _with_positives(design, train, n_topics) if k in heads]
        fold_heads = {k: _fit_head(design, train, k, fold_vocabulary, config) for k in fold_trained}
        fold_generic = _fit_generic(design, train, config, fold_trained)
        for i in held:
            _context_rows(design, i, fold_heads, fold_generic, fold_vocabulary, rows, labels)
    for i in context_only:  # never seen by the heads: their logits are as on an unseen episode
        _context_rows(design, i, heads, generic, vocabulary, rows, labels)
    context_x, context_y = np.concatenate(rows), np.concatenate(labels)
    keep = context_y >= 0
    n_context = len(CONTEXT_FEATURES)
    mean = np.concatenate([context_x[keep][:, :n_context].mean(0), np.zeros(n_topics)])
    scale = np.concatenate([context_x[keep][:, :n_context].std(0) + 1e-6, np.ones(n_topics)])
    model = _logistic((context_x[keep] - mean) / scale, context_y[keep], c=config.context_c)
    context = LinearHead(mean=mean.astype(np.float32), scale=scale.astype(np.float32),
                         weights=model.coef_[0].astype(np.float32), bias=float(model.intercept_[0]))
    return TopicModel(
        vocabulary=vocabulary,
        heads={proposition_key(topics[k]): head for k, head in heads.items()},
        head_topics={proposition_key(topics[k]): topics[k].id for k in heads},
        generic=generic, context=context, context_topics=tuple(topic.id for topic in topics),
        threshold=config.threshold,
        metadata={"hand_features": list(HAND_FEATURES), "context_features": list(CONTEXT_FEATURES),
                  "config": config.__dict__, **(metadata or {})},
    )


def cross_validated_probabilities(episodes: Sequence[LabelledEpisode], topics: Sequence[Topic],
                                  profiles: TopicProfiles, folds: dict[str, int], *,
                                  config: TopicTraining = TopicTraining(), progress=None) -> dict[str, np.ndarray]:
    """Out-of-fold P(topic | sentence) for every episode in `folds`, each fold's model fitted on
    the other folds and on the episodes `folds` leaves out (training data only, never scored)."""
    design = _Design(episodes, topics, profiles)
    out: dict[str, np.ndarray] = {}
    for fold in sorted(set(folds.values())):
        train = [i for i, item in enumerate(design.episodes) if folds.get(item.view.episode_id) != fold]
        held = [i for i, item in enumerate(design.episodes) if folds.get(item.view.episode_id) == fold]
        model = fit_topic_model(episodes, topics, profiles, config=config, design=design, indices=train)
        for i in held:
            out[design.episodes[i].view.episode_id] = model.probabilities(design.episodes[i].view, topics, profiles)
        if progress:
            progress(f"fold {fold}: {len(held)} episodes")
    return out


def generic_probabilities(episodes: Sequence[LabelledEpisode], topics: Sequence[Topic], profiles: TopicProfiles,
                          folds: dict[str, int], held_topic: int, *,
                          config: TopicTraining = TopicTraining()) -> dict[str, np.ndarray]:
    """Leave-one-topic-out: P(held topic | sentence) from the generic head fitted on the other
    topics only (and on the other folds' episodes), as a user's new topic would be scored."""
    design = _Design(episodes, topics, profiles)
    others = [k for k in range(len(topics)) if k != held_topic]
    out: dict[str, np.ndarray] = {}
    for fold in sorted(set(folds.values())):
        train = [i for i, item in enumerate(design.episodes) if folds.get(item.view.episode_id) != fold
                 and item.source not in config.context_only_sources]
        generic = _fit_generic(design, train, config, others)
        for i, item in enumerate(design.episodes):
            if folds.get(item.view.episode_id) == fold:
                probabilities = np.zeros((len(item.view), len(topics)), dtype=np.float32)
                probabilities[:, held_topic] = 1.0 / (1.0 + np.exp(-generic.logits(design.hand[i][:, held_topic])))
                out[item.view.episode_id] = probabilities
    return out
