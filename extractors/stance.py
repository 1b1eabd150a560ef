"""Stance of a claim toward a topic's proposition: favor, against or none. Its own pipeline stage.

Input, one `StanceQuery` per (claim, topic) that the topic stage kept: the claim's
content and its vector, the topic (proposition and examples), and the parse facts
the claims stage computed once (`Claim.polarity`, `negated`, `hedged`,
`predicted`, `asked`, `hoped`, `feared`). Output, one `StanceResult`: the label
and `stance_score`, the calibrated probability of that label. The holder's
identity is not an input: the stance is read from what is said, so a holder
who argues against his camp's usual side is read as he speaks.

Two backends behind the `StanceBackend` protocol, chosen by `settings.stance_backend`:

- `TrainedStance` ("stance.trained.v1", default, offline). A logistic regression
  (`StanceModel`, weights in `whoclaims/resources/stance_model.npz`, trained by
  `whoclaims.training` on the silver corpus, the IBM claim-stance training motions
  and the topics file's examples) over:
  - the parse facts (polarity, negation, hedges, prediction, question, hope or fear);
  - a vote of the topic's favor against its against examples in the encoder space,
    and the same times the claim's polarity;
  - a sentiment probe (a linear read-out of the embedding, learned from the IBM
    claims' sentiment toward their target) times the proposition's own sentiment
    (how the proposition regards its target), and times the polarity;
  - for the topics it was trained on (same id and proposition): per-topic weights
    on the sentiment, a nearest-neighbour vote over that topic's labelled training
    claims, and the claim's embedding.
  The probability is calibrated (Platt scaling on held-out sources, both sides
  weighted equally, so it does not lean on any source's mix of sides).
- `NliStance` ("stance.nli.v1"): zero-shot NLI with any sequence-classification model
  (Hugging Face id or local path, revision pinned); premise = the claim, hypothesis =
  the proposition; entailment -> favor, contradiction -> against, neutral -> none.

Abstains (both backends, `decide`): `none` when the better side's probability is below
`settings.stance_threshold`, or (NLI) when neutral is the most probable.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from whoclaims.topics import Topic, proposition_key

if TYPE_CHECKING:
    from whoclaims.models import Encoder
    from whoclaims.records import Claim
    from whoclaims.settings import StanceConfig

log = logging.getLogger(__name__)

STANCE_EXTRACTOR = "stance.trained.v1"
NLI_STANCE = "stance.nli.v1"
BACKEND_NAMES = {"trained": STANCE_EXTRACTOR, "nli": NLI_STANCE}

FAVOR, AGAINST, NONE = "favor", "against", "none"
NEIGHBOURS = 5  # labelled training claims of the topic averaged per side (the per-topic neighbour vote)
VOTE_EXAMPLES = 3  # the topic's examples averaged per side (the shared vote)
# A content span shorter than this share of its sentence is encoded on its own (a reported
# view inside the speaker's frame); otherwise the sentence vector stands for it.
CONTENT_SHARE = 0.6

SHARED_FEATURES = ("polarity", "negated", "hedged", "predicted", "asked", "hoped_or_feared", "vote",
                   "vote_x_polarity", "sentiment_x_direction", "sentiment_x_direction_x_polarity")
TOPIC_FEATURES = ("bias", "sentiment", "sentiment_x_polarity", "neighbours", "neighbours_x_polarity")


class StanceModelError(ValueError):
    """The stance model file cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class StanceQuery:
    """One (claim, topic) pair to decide: the claim's content and parse facts, and the topic."""

    text: str
    topic: Topic
    vector: np.ndarray | None = field(default=None, compare=False)
    polarity: int = 1
    negated: bool = False
    hedged: bool = False
    predicted: bool = False
    asked: bool = False
    hoped: bool = False
    feared: bool = False


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


def stance_query(claim: Claim, topic: Topic, *, vector: np.ndarray | None = None) -> StanceQuery:
    """The stance question for `claim` toward `topic`, from the claim's own parse facts."""
    return StanceQuery(text=claim.claim, topic=topic, vector=vector, polarity=claim.polarity,
                       negated=claim.negated, hedged=claim.hedged, predicted=claim.predicted, asked=claim.asked,
                       hoped=claim.hoped, feared=claim.feared)


def claim_facts(claim: Claim) -> dict:
    """What the stance model reads of a claim, as plain values (for training caches)."""
    return {"claim_id": claim.claim_id, "sentence_id": claim.sentence_id, "holder": claim.holder,
            "attribution": claim.attribution, "text": claim.claim, "polarity": claim.polarity,
            "negated": claim.negated, "hedged": claim.hedged, "predicted": claim.predicted, "asked": claim.asked,
            "hoped": claim.hoped, "feared": claim.feared, "parent": claim.parent_claim_id}


def query_from_facts(facts: dict, topic: Topic, vector: np.ndarray) -> StanceQuery:
    return StanceQuery(text=facts["text"], topic=topic, vector=vector, polarity=facts["polarity"],
                       negated=facts["negated"], hedged=facts["hedged"], predicted=facts["predicted"],
                       asked=facts["asked"], hoped=facts["hoped"], feared=facts["feared"])


def content_vectors(claims: Sequence[Claim], sentence_vectors: np.ndarray, encoder: Encoder) -> np.ndarray:
    """A unit vector per claim: its content span's when much shorter than its sentence (a reported
    view), else its sentence's. The short spans are encoded in one batch."""
    out = np.zeros((len(claims), sentence_vectors.shape[1] if len(sentence_vectors) else 0), dtype=np.float32)
    short: dict[str, list[int]] = {}
    for i, claim in enumerate(claims):
        content = claim.claim.strip()
        if content and len(content) < CONTENT_SHARE * len(claim.sentence):
            short.setdefault(content, []).append(i)
        else:
            out[i] = sentence_vectors[claim.sentence_id]
    if short:
        encoded = np.asarray(encoder.encode(list(short)), dtype=np.float32)
        for vector, rows in zip(encoded, short.values()):
            out[rows] = vector
    return out


def decide(probabilities: Sequence[float], *, threshold: float) -> StanceResult:
    """Turn (favor, against, none) probabilities into a label.

    Abstains (`none`) when P(none) is the largest, when the two sides tie, or when the
    better side's probability is below `threshold`; `stance_score` is the probability of
    the emitted label.
    """
    favor, against, none = (float(p) for p in probabilities)
    best = max(favor, against)
    if none < best and best >= threshold and favor != against:
        label = FAVOR if favor >= against else AGAINST
        return StanceResult(label, round(best, 4), (favor, against, none))
    return StanceResult(NONE, round(max(none, 1.0 - best), 4), (favor, against, none))


# ---------------------------------------------------------------- the trained model


_CACHE_LOCK = threading.Lock()
_EXAMPLES: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def topic_examples(topic: Topic, encoder: Encoder) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit vectors of the topic's favor examples, against examples and proposition; cached per process."""
    key = (getattr(encoder, "name", type(encoder).__name__), getattr(encoder, "revision", ""), id(encoder),
           topic.fingerprint())
    with _CACHE_LOCK:
        cached = _EXAMPLES.get(key)
    if cached is not None:
        return cached
    favor, against = list(topic.examples[FAVOR]), list(topic.examples[AGAINST])
    vectors = np.asarray(encoder.encode([*favor, *against, topic.proposition]), dtype=np.float32)
    cached = (vectors[: len(favor)], vectors[len(favor): len(favor) + len(against)], vectors[-1])
    with _CACHE_LOCK:
        _EXAMPLES[key] = cached
    return cached


def top_mean(similarities: np.ndarray, k: int) -> float:
    """Mean of the `k` largest values (all of them when fewer), 0 when there are none."""
    return float(np.sort(similarities)[-k:].mean()) if len(similarities) else 0.0


@dataclass(frozen=True)
class StanceModel:
    """The weights of the trained stance model (see the module docstring)."""

    probe: np.ndarray  # sentiment read-out: (dim + 1,), the last entry its bias
    topic_keys: tuple[str, ...]  # proposition keys of the topics with their own weights
    bank_vectors: np.ndarray  # labelled training claims of those topics, (m, dim)
    bank_labels: np.ndarray  # +1 favor, -1 against
    bank_topics: np.ndarray  # index into topic_keys
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    text_scale: float
    calibration: tuple[float, float]  # Platt (slope, intercept) on the decision value
    metadata: dict = field(default_factory=dict)

    @property
    def n_features(self) -> int:
        return len(SHARED_FEATURES) + len(self.topic_keys) * (len(TOPIC_FEATURES) + self.probe.shape[0] - 1)

    def sentiment(self, vectors: np.ndarray) -> np.ndarray:
        return vectors @ self.probe[:-1] + self.probe[-1]

    def features(self, queries: Sequence[StanceQuery], vectors: np.ndarray, encoder: Encoder | None, *,
                 bank_episodes: np.ndarray | None = None, episodes: Sequence[str] | None = None) -> np.ndarray:
        """The feature matrix of `queries` (rows of `vectors` are their unit content vectors).

        In training, `bank_episodes` (the episode of each neighbour-bank row) and `episodes`
        (each query's) make a query's neighbour vote leave out the bank rows of its own
        episode, as for an unseen episode.
        """
        dim = self.probe.shape[0] - 1
        n_topic = len(TOPIC_FEATURES) + dim
        out = np.zeros((len(queries), self.n_features), dtype=np.float32)
        sentiments = self.sentiment(vectors) if len(vectors) else np.zeros(0)
        for i, query in enumerate(queries):
            vector, polarity = vectors[i], float(query.polarity)
            favor, against, proposition = topic_examples(query.topic, encoder)
            vote = (top_mean(favor @ vector, VOTE_EXAMPLES) - top_mean(against @ vector, VOTE_EXAMPLES)
                    if len(favor) and len(against) else 0.0)
            direction = float(np.sign(self.sentiment(proposition[None])[0])) or 1.0
            sentiment = float(sentiments[i])
            out[i, : len(SHARED_FEATURES)] = (
                polarity, query.negated, query.hedged, query.predicted, query.asked, query.hoped or query.feared,
                vote, vote * polarity, sentiment * direction, sentiment * direction * polarity,
            )
            key = proposition_key(query.topic)
            if key in self.topic_keys:
                k = self.topic_keys.index(key)
                rows = self.bank_topics == k
                if bank_episodes is not None:
                    rows &= bank_episodes != episodes[i]
                similarities = self.bank_vectors[rows] @ vector
                labels = self.bank_labels[rows]
                neighbours = (top_mean(similarities[labels > 0], NEIGHBOURS)
                              - top_mean(similarities[labels < 0], NEIGHBOURS))
                start = len(SHARED_FEATURES) + k * n_topic
                out[i, start: start + len(TOPIC_FEATURES)] = (1.0, sentiment, sentiment * polarity, neighbours,
                                                              neighbours * polarity)
                out[i, start + len(TOPIC_FEATURES): start + n_topic] = vector * self.text_scale
        return out

    def decision(self, features: np.ndarray) -> np.ndarray:
        return ((features - self.mean) / self.scale) @ self.weights + self.bias

    def favor_probability(self, features: np.ndarray) -> np.ndarray:
        """Calibrated P(favor | the claim takes a side), both sides weighted equally."""
        slope, intercept = self.calibration
        return 1.0 / (1.0 + np.exp(-(slope * self.decision(features) + intercept)))

    def save(self, path: str | Path) -> None:
        """Write the model to one `.npz` file, atomically."""
        from whoclaims.models import save_arrays

        meta = {"format": 1, "extractor": STANCE_EXTRACTOR, "topic_keys": list(self.topic_keys),
                "bias": self.bias, "text_scale": self.text_scale, "calibration": list(self.calibration),
                "metadata": self.metadata}
        arrays = {"probe": self.probe, "bank_vectors": self.bank_vectors.astype(np.float16),
                  "bank_labels": self.bank_labels.astype(np.int8), "bank_topics": self.bank_topics.astype(np.int16),
                  "mean": self.mean, "scale": self.scale, "weights": self.weights,
                  "meta": np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8)}
        save_arrays(path, arrays)


def load_stance_model(path: str | Path) -> StanceModel:
    """Read a stance model file written by `StanceModel.save`; cached per process by (path, size, mtime).

    Raises:
        StanceModelError: the file is missing, unreadable or of another version.
    """
    from whoclaims.models import load_model_file

    def build(arrays: dict, meta: dict) -> StanceModel:
        model = StanceModel(
            probe=arrays["probe"].astype(np.float32), topic_keys=tuple(meta["topic_keys"]),
            bank_vectors=arrays["bank_vectors"].astype(np.float32), bank_labels=arrays["bank_labels"],
            bank_topics=arrays["bank_topics"], mean=arrays["mean"], scale=arrays["scale"],
            weights=arrays["weights"], bias=float(meta["bias"]), text_scale=float(meta["text_scale"]),
            calibration=tuple(meta["calibration"]), metadata=meta.get("metadata", {}),
        )
        if model.weights.shape[0] != model.n_features:
            raise StanceModelError(f"{path}: {model.weights.shape[0]} weights for {model.n_features} features")
        return model

    return load_model_file(path, what="stance model", extractor=STANCE_EXTRACTOR, error=StanceModelError,
                           build=build)


class TrainedStance:
    """The trained stance model as a backend. Abstains (`none`) below `threshold` (`decide`)."""

    name = STANCE_EXTRACTOR

    def __init__(self, model: StanceModel, encoder: Encoder, *, threshold: float = 0.5,
                 model_name: str = "stance_model") -> None:
        self.model = model
        self.encoder = encoder
        self.threshold = threshold
        self.model_name = model_name

    def predict(self, queries: Sequence[StanceQuery]) -> list[StanceResult]:
        if not queries:
            return []
        missing = [i for i, query in enumerate(queries) if query.vector is None]
        vectors = np.stack([np.zeros(self.model.probe.shape[0] - 1, np.float32) if q.vector is None
                            else np.asarray(q.vector, np.float32) for q in queries])
        if missing:
            vectors[missing] = self.encoder.encode([queries[i].text for i in missing])
        favor = self.model.favor_probability(self.model.features(queries, vectors, self.encoder))
        return [decide((float(p), 1.0 - float(p), 0.0), threshold=self.threshold) for p in favor]


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


def make_stance_backend(config: StanceConfig, *, encoder: Encoder) -> StanceBackend:
    """The stance backend named by `config.backend` ("trained" or "nli")."""
    if config.backend == "nli":
        return NliStance(config.nli_model, revision=config.nli_revision, batch_size=config.nli_batch_size,
                         threshold=config.threshold)
    return TrainedStance(load_stance_model(config.model_file), encoder, threshold=config.threshold,
                         model_name=model_stamp(config.model_file))


def model_stamp(path: str | Path) -> str:
    """A model file's name and content hash, for provenance columns."""
    path = Path(path)
    return f"{path.name}@{hashlib.sha256(path.read_bytes()).hexdigest()[:12]}"
