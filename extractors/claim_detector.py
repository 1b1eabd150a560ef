"""Claim detection: does a sentence assert, predict, evaluate or prescribe something?

How the decision is made (`ClaimDetector.score`):

1. A learned score. A logistic regression over hashed lemmas, tags and
   entity labels, and a few dense parse features (question form, mood, modality,
   tense, person of the subject, negation, entities, numbers) gives
   `learned_score`, the probability that the sentence is a check-worthy
   factual claim. It is trained on ClaimBuster and the CLEF-2019 CheckThat!
   training transcripts (`python -m extractors.claim_detector train`) and its
   weights live in `whoclaims/resources/claim_detector.json`.
2. Parse rules (`classify`) sort each sentence into a kind:
   - `phatic` (greetings, thanks, compliments on a question, backchannels),
     `disclaimer`, `procedural` talk and `question` (an interrogative that
     asserts nothing) are never claims: their score is the learned score
     scaled down by `EXCLUDED_FACTOR`, far below any useful threshold;
   - `declarative` (a finite main verb with content) and `rhetorical`
     questions (a question that asserts, e.g. "How do you split X?" followed by
     more talk of the same speaker) combine the learned score with a prior by
     noisy-or, `1 - (1 - learned) * (1 - prior)`; the prior is
     `DECLARATIVE_PRIOR`, or `MARKED_PRIOR` when the sentence evaluates,
     predicts or prescribes (predicative adjective, comparison, modal, future,
     cognition frame). Check-worthiness labels only mark factual claims, and
     this prior is what lets opinions, predictions and prescriptions through;
   - `imperative` sentences (possible prescriptions) get the weaker
     `IMPERATIVE_PRIOR`, and `fragment`s (no finite verb) keep the learned
     score only.
3. Callers abstain below `settings.claim_threshold` (default 0.5): with the
   default priors every declarative content sentence passes it, which is the
   recall-first choice the downstream topic filter expects.

Training and checks (numpy only; the shared data folder sits beside the repo):

    python -m extractors.claim_detector train      # writes whoclaims/resources/claim_detector.json
    python -m extractors.claim_detector evaluate   # prints the figures below

Trained on ClaimBuster `train.json` and the 19 CLEF-2019 task 1 training
transcripts (classes balanced per source, L2 1e-3, full-batch Adam), never on
the 7 test transcripts. Learned score alone: CLEF-2019 MAP 0.132 over the 7
test transcripts (best published run 0.166); ClaimBuster test precision 0.87,
recall 0.79 at 0.5. These check that the model generalises; they are not the
goal, since check-worthiness marks only factual claims.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from extractors.lexicon import DETECTOR_COGNITION_VERBS, DETECTOR_HEDGE_WORDS, HEDGE_MODALS, HEDGE_VERBS

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

log = logging.getLogger(__name__)

EXTRACTOR_NAME = "claims.detector.v1"
MODEL_FORMAT = 1
N_HASH = 4096

EXCLUDED_FACTOR = 0.1
DECLARATIVE_PRIOR = 0.55
MARKED_PRIOR = 0.7
IMPERATIVE_PRIOR = 0.45

# --- lexicons (general English, not tuned to any episode)

FINITE_TAGS = frozenset({"VBD", "VBP", "VBZ", "MD"})
NUMBER_LABELS = frozenset({"PERCENT", "MONEY", "CARDINAL", "QUANTITY"})
FIRST_PERSON = frozenset({"i", "we", "me", "us"})
SECOND_PERSON = frozenset({"you"})
THIRD_PERSON = frozenset({"he", "she", "they", "it", "him", "her", "them"})
MODALS = frozenset({"may", "might", "could", "can", "would", "should", "must", "shall", "will", "ought"})
PRESCRIPTIVE = frozenset({"should", "must", "ought", "need", "have"})
BACKCHANNELS = frozenset({
    "yes", "yeah", "yep", "no", "right", "okay", "ok", "sure", "certainly", "absolutely", "exactly", "indeed",
    "true", "correct", "well", "so", "mm", "hmm", "uh", "um", "huh", "mhm", "oh", "ah", "great", "good", "fine",
    "of", "course", "definitely", "totally", "agreed", "i", "see", "that", "'s", "is", "you", "are", "thank",
    "thanks", "wow", "interesting", "alright", "all", "precisely", "quite", "fair", "enough", "mm-hmm", "uh-huh",
})

_GREETING = re.compile(
    r"\b(thank(s| you)|welcome (back )?to|good (morning|afternoon|evening)|hello|^hi\b|^hey\b|"
    r"(great|good|nice|wonderful|pleasure|lovely|delighted|glad|happy) (to (have|see|be|talk|speak|join)|"
    r"being here|having me)|pleasure (to|of|being)|appreciate (you|your|it|having)|"
    r"(good|great|excellent|interesting|fascinating|important|fair|terrific|wonderful|tough|big) question)",
    re.IGNORECASE,
)
_DISCLAIMER = re.compile(
    r"\b((my|our) (own|personal) (views?|opinions?)|personal (views?|opinions?|capacity)|"
    r"views? (are|is) (my|our) own|not (necessarily )?(the )?official|do(es)?( not|n't) (necessarily )?"
    r"(represent|reflect)|not (necessarily )?(represent|reflect)|speaking (only )?for myself|"
    r"not speaking (for|on behalf)|full disclosure|(i|we) (should|must) disclose|conflict of interest|"
    r"not (financial|legal|investment) advice)",
    re.IGNORECASE,
)
_PROCEDURAL = re.compile(
    r"^(and |so |now |okay,? |well,? |but )?("
    r"(my|our|the) (next|last|final|first|follow-up|other) question|"
    r"(we'll|we will|we are going to|we're going to) (be right back|take a (short )?break)|"
    r"(you'?re|you are) listening to|(i'?m|i am) your host|my name is|"
    r"(that'?s|that is) all (the time )?we have|don'?t forget to|please (subscribe|like|share|rate|leave))",
    re.IGNORECASE,
)

# Verbs of questions that ask the addressee for a view ("What do you make of X?", "How do you see Y?").
ELICITING_VERBS = frozenset({
    "think", "make", "see", "view", "feel", "expect", "explain", "say", "mean", "assess", "describe",
    "understand", "tell", "respond", "react", "answer", "read", "interpret", "evaluate", "characterize",
    "characterise", "position", "reconcile", "account", "define", "summarize", "summarise", "rate",
})
_WH = frozenset({"what", "who", "whom", "whose", "which", "why", "how", "where", "when"})

PARSE_FEATURES: tuple[str, ...] = (
    "question", "wh_question", "inverted_question", "imperative", "finite_root", "root_verb", "root_past",
    "root_present", "modal", "hedge_modal", "prescriptive", "future", "first_person_subject",
    "second_person_subject", "third_person_subject", "proper_subject", "negation", "cognition_frame",
    "hedge", "evaluative", "comparative", "number", "entities", "length", "short", "greeting", "disclaimer",
    "procedural", "backchannel",
)

KINDS = ("declarative", "rhetorical", "question", "phatic", "disclaimer", "procedural", "fragment", "imperative")
EXCLUDED_KINDS = frozenset({"question", "phatic", "disclaimer", "procedural"})


class ClaimModelError(ValueError):
    """The claim detector file cannot be read or does not hold a model of this version."""


# --- parse helpers


def is_finite(token: Token) -> bool:
    """Whether `token` heads a finite clause (tensed itself or with a tensed auxiliary)."""
    if token.tag_ in FINITE_TAGS:
        return True
    if "Fin" in token.morph.get("VerbForm"):
        return True
    return any(child.dep_ in {"aux", "auxpass"} and child.tag_ in FINITE_TAGS for child in token.children)


def subject_of(token: Token) -> Token | None:
    """The nominal subject of `token`, climbing conjunctions ("X said and argued that")."""
    head = token
    for _ in range(4):
        for child in head.children:
            if child.dep_ in {"nsubj", "nsubjpass", "csubj", "expl"}:
                return child
        if head.dep_ == "conj" and head.head.i != head.i:
            head = head.head
        else:
            break
    return None


def sentence_root(span: Span) -> Token:
    """The root of a sentence span (the first token whose head lies outside it)."""
    for token in span:
        if token.head.i < span.start or token.head.i >= span.end or token.head.i == token.i:
            return token
    return span[0]


def words(span: Span) -> list[Token]:
    return [token for token in span if not token.is_punct and not token.is_space]


def is_question(span: Span) -> bool:
    text = span.text.rstrip(" \"'”’)")
    return text.endswith("?")


def is_wh_question(span: Span) -> bool:
    tokens = words(span)
    if tokens and tokens[0].dep_ == "cc":
        tokens = tokens[1:]
    return bool(tokens) and tokens[0].lower_ in _WH


def is_inverted(span: Span) -> bool:
    """Yes/no question form: the sentence opens with an auxiliary or modal ("Do you", "Isn't it")."""
    tokens = words(span)
    if tokens and tokens[0].dep_ == "cc" and len(tokens) > 1:
        tokens = tokens[1:]
    return bool(tokens) and tokens[0].pos_ == "AUX" and tokens[0].dep_ != "ROOT" or (
        bool(tokens) and tokens[0].tag_ == "MD"
    )


def has_future(span: Span) -> bool:
    for token in span:
        if token.lower_ in {"will", "'ll", "shall", "wo"} and token.tag_ == "MD":
            return True
        if token.lemma_ == "go" and token.tag_ == "VBG" and any(
            c.dep_ == "xcomp" and any(a.lower_ == "to" for a in c.children) for c in token.children
        ):
            return True
    return False


def is_backchannel(span: Span) -> bool:
    tokens = words(span)
    return 0 < len(tokens) <= 4 and all(token.lower_ in BACKCHANNELS for token in tokens)


def is_evaluative(span: Span) -> bool:
    """A predicative adjective, a comparison or a superlative: the sentence judges something."""
    for token in span:
        if token.tag_ in {"JJR", "JJS", "RBR", "RBS"}:
            return True
        if token.pos_ == "ADJ" and token.dep_ in {"acomp", "ROOT", "oprd", "xcomp", "ccomp"}:
            return True
    return False


def is_imperative(span: Span, root: Token) -> bool:
    if root.tag_ != "VB" or subject_of(root) is not None:
        return False
    return not any(child.dep_ in {"aux", "auxpass"} for child in root.children)


def has_rhetorical_form(span: Span) -> bool:
    """Question forms that usually assert: "How do you split X?", "Who would trust ...?", "Isn't it ...?"."""
    tokens = words(span)
    if not tokens:
        return False
    first = tokens[0].lower_
    if tokens[0].pos_ == "AUX" and any(t.dep_ == "neg" and t.i == tokens[0].i + 1 for t in tokens[1:3]):
        return True  # "Isn't it obvious ...?", "Doesn't that show ...?"
    if first in {"how", "who", "why", "what"} and len(tokens) > 2:
        second = tokens[1].lower_
        rest = {t.lower_ for t in tokens[2:4]}
        verb = sentence_root(span)
        if (
            second in {"can", "could", "would", "do", "does", "should"}
            and rest & {"you", "one", "anyone", "we", "anybody", "i"}
            and verb.lemma_.lower() not in ELICITING_VERBS
        ):
            return True
    return False


def is_answered(span: Span) -> bool:
    """Whether the same speaker goes on with a statement after `span` in the same paragraph."""
    doc = span.doc
    rest = doc[span.end :]
    for sent in rest.sents if len(rest) else ():
        if not any(not t.is_space and not t.is_punct for t in sent):
            continue
        if not is_question(sent):
            return True
    return False


def is_conversation_move(token: Token) -> bool:
    """A verb that moves the conversation: "ask (you)", "turn to", "move on", "come back", "wrap up"."""
    lemma = token.lemma_.lower()
    children = list(token.children)
    particles = {c.lower_ for c in children if c.dep_ in {"prt", "advmod", "prep"}}
    objects = [c for c in children if c.dep_ in {"dobj", "dative"}]
    if lemma == "ask":
        return all(c.lower_ in {"you", "us", "both"} for c in objects)
    if lemma == "tell":  # "I want to tell you about ...", not "I tell you that X"
        return not any(c.dep_ in {"ccomp", "xcomp"} for c in children) and "about" in particles
    if lemma == "turn":
        return "to" in particles and not objects
    if lemma in {"move", "go", "come", "get", "circle", "pivot", "switch", "shift"}:
        wanted = {"to"} if lemma == "get" else {"on", "back", "to"}
        return bool(particles & wanted) and not objects
    if lemma in {"wrap", "follow", "pick"}:
        return "up" in particles
    return lemma in {"close", "conclude"} and not objects and bool(particles & {"by", "with", "on"})


def is_procedural_frame(root: Token) -> bool:
    """A speaker announcing a move of the conversation: "I wanted to ask you ...", "Let us turn to ..."."""
    subject = subject_of(root)
    lemma = root.lemma_.lower()
    if lemma == "let":
        first_person = {"me", "us", "'s"}
        return any(
            c.dep_ in {"ccomp", "xcomp"} and is_conversation_move(c)
            and any(t.lower_ in first_person for t in [*root.children, *c.children])
            for c in root.children
        )
    if subject is None or subject.lower_ not in {"i", "we"}:
        return False
    if is_conversation_move(root):
        return any(c.tag_ == "MD" or c.lower_ in {"'ll", "'d"} for c in root.children)
    if lemma in {"want", "like", "wish", "love", "need", "have", "hope"}:
        return any(c.dep_ == "xcomp" and is_conversation_move(c) for c in root.children)
    return False


def has_content(span: Span) -> bool:
    return sum(1 for token in span if token.is_alpha and not token.is_stop) >= 1


def classify(span: Span) -> str:
    """The kind of a sentence (one of `KINDS`), from the parse and general lexicons.

    A question is `rhetorical` when it has a rhetorical form ("How do you split
    X?", "Isn't it ...?", not "What do you make of X?") and the same speaker goes
    on with a statement in the same paragraph; otherwise it is a `question`.
    """
    text = span.text.strip()
    tokens = words(span)
    if not tokens:
        return "fragment"
    if is_backchannel(span):
        return "phatic"
    if _GREETING.search(text) and len(tokens) <= 25:
        return "phatic"
    if _DISCLAIMER.search(text):
        return "disclaimer"
    if _PROCEDURAL.search(text):
        return "procedural"
    root = sentence_root(span)
    if is_procedural_frame(root):
        return "procedural"
    if is_question(span):
        if has_rhetorical_form(span) and is_answered(span):
            return "rhetorical"
        return "question"
    if is_imperative(span, root):
        return "imperative"
    if not any(is_finite(token) for token in span if token.pos_ in {"VERB", "AUX"}) or not has_content(span):
        return "fragment"
    return "declarative"


def is_prescriptive(span: Span) -> bool:
    """"should", "must", "ought", "need to", "have to"."""
    return any(token.lower_ in {"should", "must", "ought"} for token in span) or any(
        token.lemma_ in {"need", "have"} and any(c.lower_ == "to" for c in token.children) for token in span
    )


def is_marked(span: Span) -> bool:
    """Evaluates, predicts or prescribes: evaluative adjective, modal, future or a cognition frame."""
    if is_evaluative(span) or has_future(span):
        return True
    return any(token.tag_ == "MD" or token.lemma_ in DETECTOR_COGNITION_VERBS or token.lower_ in DETECTOR_HEDGE_WORDS for token in span)


def parse_features(span: Span) -> dict[str, float]:
    """Dense features of the parse: mood, modality, question form, person of the subject, ..."""
    root = sentence_root(span)
    tokens = words(span)
    subject = subject_of(root)
    subject_lower = subject.lower_ if subject is not None else ""
    text = span.text
    n_entities = len(span.ents)
    return {
        "question": float(is_question(span)),
        "wh_question": float(is_question(span) and is_wh_question(span)),
        "inverted_question": float(is_question(span) and is_inverted(span)),
        "imperative": float(is_imperative(span, root)),
        "finite_root": float(is_finite(root)),
        "root_verb": float(root.pos_ in {"VERB", "AUX"}),
        "root_past": float(
            root.tag_ == "VBD" or any(c.tag_ == "VBD" and c.dep_ in {"aux", "auxpass"} for c in root.children)
        ),
        "root_present": float(root.tag_ in {"VBP", "VBZ"}),
        "modal": float(any(token.tag_ == "MD" for token in span)),
        "hedge_modal": float(any(token.tag_ == "MD" and token.lower_ in HEDGE_MODALS for token in span)),
        "prescriptive": float(is_prescriptive(span)),
        "future": float(has_future(span)),
        "first_person_subject": float(subject_lower in FIRST_PERSON),
        "second_person_subject": float(subject_lower in SECOND_PERSON),
        "third_person_subject": float(subject_lower in THIRD_PERSON),
        "proper_subject": float(subject is not None and subject.pos_ == "PROPN"),
        "negation": float(any(token.dep_ == "neg" for token in span)),
        "cognition_frame": float(root.lemma_ in DETECTOR_COGNITION_VERBS and subject_lower in FIRST_PERSON),
        "hedge": float(any(token.lower_ in DETECTOR_HEDGE_WORDS or token.lemma_ in HEDGE_VERBS for token in span)),
        "evaluative": float(is_evaluative(span)),
        "comparative": float(any(token.tag_ in {"JJR", "JJS", "RBR", "RBS"} for token in span)),
        "number": float(any(token.like_num or token.ent_type_ in NUMBER_LABELS for token in span)),
        "entities": math.log1p(n_entities),
        "length": math.log1p(len(tokens)) / 4.0,
        "short": float(len(tokens) <= 5),
        "greeting": float(bool(_GREETING.search(text))),
        "disclaimer": float(bool(_DISCLAIMER.search(text))),
        "procedural": float(bool(_PROCEDURAL.search(text.strip()))),
        "backchannel": float(is_backchannel(span)),
    }


def hashed_features(span: Span) -> list[str]:
    """Sparse feature names: lemma unigrams, fine-grained tags and entity labels.

    Lemma bigrams and dependency triples were tried and dropped: with a few
    thousand hashed weights they cost 0.01-0.02 CLEF MAP and gained nothing in
    cross-validation over the CLEF training transcripts.
    """
    names: list[str] = []
    for token in span:
        if token.is_space:
            continue
        lemma = "<num>" if token.like_num else token.lemma_.lower()
        names.append(f"w:{lemma}")
        names.append(f"t:{token.tag_}")
    names += [f"e:{ent.label_}" for ent in span.ents]
    return names


def bucket(name: str) -> int:
    """Stable hash bucket of a feature name (crc32, unlike `hash`, does not change between runs)."""
    return zlib.crc32(name.encode("utf-8")) % N_HASH


@dataclass(frozen=True)
class FeatureRows:
    """Feature rows in compressed sparse row form (numpy only)."""

    indptr: np.ndarray
    indices: np.ndarray
    values: np.ndarray
    n_columns: int

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1

    def row_ids(self) -> np.ndarray:
        return np.repeat(np.arange(self.n_rows), np.diff(self.indptr))

    def dot(self, weights: np.ndarray) -> np.ndarray:
        return np.bincount(self.row_ids(), weights=self.values * weights[self.indices], minlength=self.n_rows)

    def take(self, rows: np.ndarray) -> FeatureRows:
        starts, ends = self.indptr[rows], self.indptr[rows + 1]
        pieces = [np.arange(s, e) for s, e in zip(starts, ends)]
        index = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)
        indptr = np.concatenate([[0], np.cumsum(ends - starts)])
        return FeatureRows(indptr, self.indices[index], self.values[index], self.n_columns)


def vectorise(spans: Iterable[Span]) -> FeatureRows:
    """The feature rows of `spans`: hashed sparse features (binary) then the dense parse features."""
    indptr = [0]
    indices: list[int] = []
    values: list[float] = []
    for span in spans:
        row: dict[int, float] = {}
        for name in hashed_features(span):
            row[bucket(name)] = 1.0
        for offset, (name, value) in enumerate(parse_features(span).items()):
            if value:
                row[N_HASH + offset] = value
        indices.extend(row)
        values.extend(row.values())
        indptr.append(len(indices))
    return FeatureRows(
        np.asarray(indptr, dtype=np.int64),
        np.asarray(indices, dtype=np.int64),
        np.asarray(values, dtype=np.float64),
        N_HASH + len(PARSE_FEATURES),
    )


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))


@dataclass
class ClaimDetector:
    """Logistic regression weights plus the parse rules; see the module docstring."""

    weights: np.ndarray
    bias: float
    name: str = EXTRACTOR_NAME
    metadata: dict[str, Any] = field(default_factory=dict)

    def features(self, span: Span) -> dict[str, float]:
        """Named features of one sentence (the sparse ones before hashing, with value 1)."""
        named = {name: 1.0 for name in hashed_features(span)}
        named.update({f"parse:{name}": value for name, value in parse_features(span).items()})
        return named

    def learned_score(self, spans: Sequence[Span]) -> np.ndarray:
        """Probability, per span, that it is a check-worthy factual claim (the model alone)."""
        if not spans:
            return np.zeros(0)
        rows = vectorise(spans)
        return _sigmoid(rows.dot(self.weights) + self.bias)

    def score(self, spans: Sequence[Span]) -> np.ndarray:
        """Claim probability per span: the learned score combined with the parse rules."""
        learned = self.learned_score(spans)
        return np.asarray([
            combine(float(p), classify(span), marked=is_marked(span)) for p, span in zip(learned, spans)
        ])


def combine(learned: float, kind: str, *, marked: bool) -> float:
    """The final claim score of a sentence of `kind` whose learned score is `learned`."""
    if kind in EXCLUDED_KINDS:
        return learned * EXCLUDED_FACTOR
    if kind in {"declarative", "rhetorical"}:
        prior = MARKED_PRIOR if marked else DECLARATIVE_PRIOR
        return 1.0 - (1.0 - learned) * (1.0 - prior)
    if kind == "imperative":
        return 1.0 - (1.0 - learned) * (1.0 - IMPERATIVE_PRIOR)
    return learned


def load_claim_detector(path: str | Path) -> ClaimDetector:
    """The detector stored at `path` (a JSON of weights written by `train`)."""
    path = Path(path)
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ClaimModelError(f"{path}: cannot read claim detector: {error}") from error
    if payload.get("format") != MODEL_FORMAT or payload.get("n_hash") != N_HASH:
        raise ClaimModelError(f"{path}: expected format {MODEL_FORMAT} with n_hash {N_HASH}")
    if payload.get("parse_features") != list(PARSE_FEATURES):
        raise ClaimModelError(f"{path}: parse features differ from this code; retrain the detector")
    weights = np.asarray(payload["weights"], dtype=np.float64)
    if weights.shape != (N_HASH + len(PARSE_FEATURES),):
        raise ClaimModelError(f"{path}: expected {N_HASH + len(PARSE_FEATURES)} weights, got {weights.shape}")
    return ClaimDetector(weights=weights, bias=float(payload["bias"]), name=payload.get("name", EXTRACTOR_NAME),
                         metadata=payload.get("metadata", {}))


def save_claim_detector(detector: ClaimDetector, path: str | Path) -> None:
    payload = {
        "format": MODEL_FORMAT,
        "name": detector.name,
        "n_hash": N_HASH,
        "parse_features": list(PARSE_FEATURES),
        "bias": round(detector.bias, 6),
        "weights": [round(float(w), 5) for w in detector.weights],
        "metadata": detector.metadata,
    }
    Path(path).write_text(json.dumps(payload, separators=(",", ":")) + "\n", encoding="utf-8")


# --- training and evaluation (used by the command line)


def fit_logistic(rows: FeatureRows, labels: np.ndarray, sample_weights: np.ndarray, *, l2: float,
                 epochs: int = 400, learning_rate: float = 0.05) -> tuple[np.ndarray, float]:
    """Weighted, L2-regularised logistic regression by full-batch Adam on sparse rows."""
    n_columns = rows.n_columns
    weights = np.zeros(n_columns)
    bias = 0.0
    row_ids = rows.row_ids()
    total = float(sample_weights.sum())
    m_w, v_w = np.zeros(n_columns), np.zeros(n_columns)
    m_b = v_b = 0.0
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, epochs + 1):
        z = np.bincount(row_ids, weights=rows.values * weights[rows.indices], minlength=rows.n_rows) + bias
        error = (_sigmoid(z) - labels) * sample_weights / total
        grad_w = np.bincount(rows.indices, weights=rows.values * error[row_ids], minlength=n_columns) + l2 * weights
        grad_b = float(error.sum())
        m_w = beta1 * m_w + (1 - beta1) * grad_w
        v_w = beta2 * v_w + (1 - beta2) * grad_w**2
        m_b = beta1 * m_b + (1 - beta1) * grad_b
        v_b = beta2 * v_b + (1 - beta2) * grad_b**2
        correction1, correction2 = 1 - beta1**step, 1 - beta2**step
        weights -= learning_rate * (m_w / correction1) / (np.sqrt(v_w / correction2) + eps)
        bias -= learning_rate * (m_b / correction1) / (math.sqrt(v_b / correction2) + eps)
    return weights, bias


def average_precision(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Average precision of the ranking of `scores` (ties broken by input order), 0 with no positives."""
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    ranked = np.asarray(labels)[order]
    if ranked.sum() == 0:
        return 0.0
    hits = np.cumsum(ranked)
    precisions = hits / np.arange(1, len(ranked) + 1)
    return float((precisions * ranked).sum() / ranked.sum())


def default_data_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "shared" / "data"


def read_claimbuster(path: Path) -> tuple[list[str], list[int]]:
    items = json.loads(path.read_text(encoding="utf-8"))
    return [item["text"] for item in items], [int(item["label"]) for item in items]


def read_clef(path: Path) -> tuple[list[str], list[str], list[int]]:
    """Speakers, sentences and labels of one CLEF-2019 task 1 transcript."""
    speakers, texts, labels = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 4:
            continue
        speakers.append(parts[1])
        texts.append(parts[2])
        labels.append(int(parts[3]))
    return speakers, texts, labels


def _parse(nlp, texts: Sequence[str]) -> list[Span]:
    """Each text as one span (texts are single sentences in these datasets)."""
    return [doc[:] for doc in nlp.pipe(texts, batch_size=256)]


def _load_nlp(name: str):
    from whoclaims.models import load_spacy

    return load_spacy(name)


def train(data_dir: Path, out: Path, *, spacy_model: str, l2: float) -> dict[str, Any]:
    """Train on ClaimBuster train + CLEF-2019 training transcripts, write `out`, return the metrics."""
    nlp = _load_nlp(spacy_model)
    cb_texts, cb_labels = read_claimbuster(data_dir / "claimbuster" / "train.json")
    clef_files = sorted((data_dir / "clef2019_checkthat_task1" / "training").glob("*.tsv"))
    clef_texts: list[str] = []
    clef_labels: list[int] = []
    for path in clef_files:
        _, texts, labels = read_clef(path)
        clef_texts += texts
        clef_labels += labels
    log.info("parsing %d ClaimBuster and %d CLEF training sentences", len(cb_texts), len(clef_texts))
    rows = vectorise(_parse(nlp, cb_texts + clef_texts))
    labels = np.asarray(cb_labels + clef_labels, dtype=np.float64)
    # Balance the classes within each source, and give both sources equal total weight.
    sample_weights = np.zeros(len(labels))
    for start, end in ((0, len(cb_labels)), (len(cb_labels), len(labels))):
        part = labels[start:end]
        n_pos, n_neg = part.sum(), len(part) - part.sum()
        sample_weights[start:end] = np.where(part == 1, 0.5 / n_pos, 0.5 / n_neg)
    sample_weights *= len(labels) / sample_weights.sum()
    weights, bias = fit_logistic(rows, labels, sample_weights, l2=l2)
    detector = ClaimDetector(weights=weights, bias=bias, metadata={
        "trained_on": ["claimbuster/train.json", *[f"clef2019_checkthat_task1/training/{p.name}" for p in clef_files]],
        "l2": l2,
        "spacy_model": spacy_model,
        "command": "python -m extractors.claim_detector train",
    })
    metrics = evaluate(detector, data_dir, nlp=nlp)
    detector.metadata["metrics"] = metrics
    save_claim_detector(detector, out)
    return metrics


def evaluate(detector: ClaimDetector, data_dir: Path, *, nlp) -> dict[str, Any]:
    """CLEF-2019 MAP over the 7 test transcripts and ClaimBuster test precision / recall / F1."""
    per_file: dict[str, float] = {}
    for path in sorted((data_dir / "clef2019_checkthat_task1" / "test_annotated").glob("*.tsv")):
        _, texts, labels = read_clef(path)
        per_file[path.stem] = average_precision(labels, detector.learned_score(_parse(nlp, texts)))
    texts, labels = read_claimbuster(data_dir / "claimbuster" / "test.json")
    predicted = detector.learned_score(_parse(nlp, texts)) >= 0.5
    gold = np.asarray(labels, dtype=bool)
    tp = float((predicted & gold).sum())
    precision = tp / max(predicted.sum(), 1)
    recall = tp / max(gold.sum(), 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "clef2019_map": round(float(np.mean(list(per_file.values()))), 4),
        "clef2019_ap": {name: round(value, 4) for name, value in per_file.items()},
        "claimbuster_test": {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)},
    }


def main(argv: Sequence[str] | None = None) -> None:
    from whoclaims.settings import Settings, default_claim_model_file

    parser = argparse.ArgumentParser(prog="python -m extractors.claim_detector", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["train", "evaluate"])
    parser.add_argument("--data", type=Path, default=default_data_dir(), help="the shared data folder")
    parser.add_argument("--model", type=Path, default=Path(default_claim_model_file()), help="detector JSON")
    parser.add_argument("--l2", type=float, default=1e-3)
    parser.add_argument("--spacy-model", default=Settings().spacy_model)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not args.data.is_dir():
        parser.error(f"data folder {args.data} does not exist")
    if args.command == "train":
        metrics = train(args.data, args.model, spacy_model=args.spacy_model, l2=args.l2)
        print(f"wrote {args.model} ({args.model.stat().st_size} bytes)")
    else:
        metrics = evaluate(load_claim_detector(args.model), args.data, nlp=_load_nlp(args.spacy_model))
    print(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
