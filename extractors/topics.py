"""Topic assignment, a pipeline stage: which topics each claim bears on, with a calibrated score.

Input: the episode's view (`extractors.episode_view.EpisodeView`: sentences, turns,
passages, lemmas, sentence vectors, actor mentions, claim marks), its claims, the
topics file and the trained topic model (`extractors.topic_model`). Output: one
`TopicDecision` per (claim, topic) whose probability reaches the threshold, and per
claim its nearest topic and that probability (for the `assertions` table).

`topic_score` is the model's probability that the claim's sentence bears on the
topic, calibrated on held-out episodes. The default threshold is the one chosen by
cross-validation for precision first and stored with the model
(`settings.topic_threshold` overrides it). Below it the stage abstains: a claim no
topic reaches gets no topic (it goes to `assertions`). Nested claims share their
sentence's topics. Stance is not decided here: it is the next stage
(`extractors.stance`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from extractors.episode_view import EpisodeView
from extractors.topic_model import TOPIC_EXTRACTOR, TopicModel, topic_profiles
from whoclaims.records import Claim
from whoclaims.topics import Topic

__all__ = ["TOPIC_EXTRACTOR", "TopicAssignment", "TopicDecision", "assign_topics"]


@dataclass(frozen=True, slots=True)
class TopicDecision:
    """A claim kept on a topic, with the calibrated probability that it bears on it."""

    claim_id: str
    topic: str
    topic_score: float


@dataclass(frozen=True)
class TopicAssignment:
    """What the stage sets: the kept (claim, topic) pairs and each claim's nearest topic."""

    decisions: list[TopicDecision]
    nearest: dict[str, tuple[str, float]]  # claim id -> (topic id, probability)
    probabilities: np.ndarray  # (n_sentences, n_topics)


def assign_topics(view: EpisodeView, claims: Sequence[Claim], *, topics: Sequence[Topic], model: TopicModel,
                  encoder, threshold: float | None = None) -> TopicAssignment:
    """Topics of `claims` by the sentence-level probabilities of `model`.

    Args:
        view: the episode's view (built with the same claims).
        claims: the claims stage's output; nested claims get their sentence's topics.
        topics: the topics file's topics (their statements are encoded with `encoder`, once per process).
        model: the trained topic model.
        threshold: keep pairs at or above this probability; None: the model's own.
    """
    if not len(view) or not topics:
        return TopicAssignment([], {}, np.zeros((len(view), len(topics)), dtype=np.float32))
    threshold = model.threshold if threshold is None else threshold
    profiles = topic_profiles(topics, encoder, getattr(topics, "background", ()))
    probabilities = model.probabilities(view, topics, profiles)
    decisions: list[TopicDecision] = []
    nearest: dict[str, tuple[str, float]] = {}
    for claim in claims:
        row = probabilities[claim.sentence_id]
        best = int(row.argmax())
        nearest[claim.claim_id] = (topics[best].id, round(float(row[best]), 4))
        for k in np.flatnonzero(row >= threshold):
            decisions.append(TopicDecision(claim.claim_id, topics[int(k)].id, round(float(row[k]), 4)))
    return TopicAssignment(decisions, nearest, probabilities)
