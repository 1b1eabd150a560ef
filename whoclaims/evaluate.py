"""Score a claims table against gold labels, exactly as `ANNOTATION.md` ("Scoring") defines it.

Plain Python over Polars frames; nothing here touches the pipeline.

Matching rules (what counts as a predicted claim matching a gold entry):

- Same `episode_id` and same `topic`. Only episodes present in the gold are
  scored; predictions with a null topic are ignored.
- Sentences overlap: both texts are normalised by `normalize_text` (Unicode
  NFKC, curly quotes to straight ones, dashes to `-`, whitespace collapsed,
  case-folded). The length of their longest common substring must be at least
  half the length of the shorter normalised text (`2 * lcs >= shorter`, so
  exactly half matches). Empty texts never match.
- One-to-one, greedy: within an (episode, topic), every (core gold,
  prediction) pair that overlaps is a candidate; candidates are taken in order
  of overlap ratio (lcs / shorter length), then agreeing holder, then agreeing
  stance, then gold order, then prediction order, and a pair is kept when
  neither side is taken yet. Kept pairs are true positives. A second
  prediction on an already matched gold entry is therefore a false positive,
  with one exception:
- Nested claims: ANNOTATION.md lets a reported belief inside a speaker's framing
  ("I think it is clear that Putin believes ...") be recorded as a second claim
  with its own holder, and the gold *may* record it. So a prediction left
  unmatched whose normalised sentence already has a matched or counted
  prediction with a different holder (same episode and topic) is ignored, not a
  false positive. A repeated row with the same holder stays a false positive.
- `core: false` entries are never matched one-to-one: a prediction left
  unmatched after the core pass that overlaps any `core: false` entry of its
  episode and topic is ignored (neither TP nor FP, any number of them), and a
  `core: false` entry that nothing matches is not a false negative. Core
  entries are matched first, so a prediction on a sentence that has both a core
  and a borderline entry for the topic is judged against the core one.
- Unmatched core gold entries are false negatives; unmatched predictions that
  overlap no `core: false` entry are false positives.

Over the matched (core) pairs:

- Stance: accuracy and macro-F1 over the labels present among those pairs in
  the gold or the predictions. A null predicted stance is read as `none` (an
  extractor that abstains takes no side).
- Holder: accuracy with names compared by `normalize_name` (accents removed,
  whitespace collapsed, case-folded; no alias table). Attribution: the same
  accuracy on the pairs whose gold holder differs from the gold speaker.

Precision, recall and F1 with a zero denominator are 0.0; accuracies over no
pairs are `None`.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from whoclaims.schemas import STANCES, StanceEnum
from whoclaims.storage import Store

log = logging.getLogger(__name__)

GOLD = pl.Schema({
    "episode_id": pl.String,
    "sentence": pl.String,
    "speaker": pl.String,
    "holder": pl.String,
    "topic": pl.String,
    "stance": StanceEnum,
    "core": pl.Boolean,
})
GOLD_STRING_KEYS = ("episode_id", "sentence", "speaker", "holder", "topic")

# Columns of the claims table the evaluator reads; `speaker` is carried into the outcomes when present.
PREDICTION_COLUMNS = ("episode_id", "sentence", "holder", "topic", "stance")

OUTCOMES = pl.Schema({
    "episode_id": pl.String,
    "topic": pl.String,
    "outcome": pl.Enum(["tp", "fp", "fn", "ignored"]),
    "overlap_score": pl.Float64,
    "speaker": pl.String,
    "gold_sentence": pl.String,
    "predicted_sentence": pl.String,
    "gold_holder": pl.String,
    "predicted_holder": pl.String,
    "gold_stance": StanceEnum,
    "predicted_stance": StanceEnum,
})

_QUOTES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
})
_WHITESPACE = re.compile(r"\s+")


class GoldFormatError(ValueError):
    """A gold file line does not follow the format of ANNOTATION.md."""


class PredictionFormatError(ValueError):
    """A predictions frame lacks the columns the evaluator reads."""


# ---------------------------------------------------------------- normalisation
def normalize_text(text: str | None) -> str:
    """Sentence text as compared: NFKC, straight quotes, `-` for dashes, single spaces, case-folded."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _WHITESPACE.sub(" ", text).strip().casefold()


def normalize_name(name: str | None) -> str:
    """Holder or speaker name as compared: accents removed, single spaces, case-folded."""
    if not name:
        return ""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _WHITESPACE.sub(" ", stripped).strip().casefold()


def longest_common_substring(first: str, second: str) -> int:
    """Length of the longest common substring of two strings."""
    if not first or not second:
        return 0
    matcher = difflib.SequenceMatcher(None, first, second, autojunk=False)
    return matcher.find_longest_match(0, len(first), 0, len(second)).size


def overlap_score(first: str, second: str) -> float:
    """Longest common substring of two normalised texts over the length of the shorter one (0 when empty)."""
    shorter = min(len(first), len(second))
    if shorter == 0:
        return 0.0
    return longest_common_substring(first, second) / shorter


def sentences_overlap(first: str, second: str) -> bool:
    """Whether two normalised texts share a common substring of at least half the shorter one's characters."""
    shorter = min(len(first), len(second))
    # Integer comparison, so that exactly half counts without float rounding.
    return shorter > 0 and 2 * longest_common_substring(first, second) >= shorter


def _matching_overlap(first: str, second: str) -> float | None:
    """`overlap_score` when the texts overlap by the rule of `sentences_overlap`, else None (one LCS pass)."""
    shorter = min(len(first), len(second))
    if shorter == 0:
        return None
    common = longest_common_substring(first, second)
    return common / shorter if 2 * common >= shorter else None


# ---------------------------------------------------------------- gold files
def load_gold(path: Path) -> pl.DataFrame:
    """Read and validate one gold file (JSON Lines, one object per (sentence, topic)).

    Blank lines are skipped. Every other line must be a JSON object with exactly
    the keys of `GOLD`: non-empty strings for `episode_id`, `sentence`, `speaker`,
    `holder` and `topic`; `stance` one of favor/against/none; `core` a boolean.
    Two entries with the same episode, normalised sentence, topic and holder are
    an error, since they would be counted twice.

    Raises:
        GoldFormatError: "<file>:<line>: <problem>" for the first bad line, or
            "<file>: no gold entries" for a file without entries.
    """
    path = Path(path)
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    with path.open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            row = _validate_gold_line(line, where=f"{path}:{line_number}")
            key = (row["episode_id"], normalize_text(row["sentence"]), row["topic"], normalize_name(row["holder"]))
            if key in seen:
                raise GoldFormatError(
                    f"{path}:{line_number}: duplicate of line {seen[key]} "
                    f"(same episode, sentence, topic {row['topic']!r} and holder {row['holder']!r})"
                )
            seen[key] = line_number
            rows.append(row)
    if not rows:
        raise GoldFormatError(f"{path}: no gold entries")
    return pl.DataFrame(rows, schema=GOLD, orient="row")


def _validate_gold_line(line: str, *, where: str) -> dict[str, Any]:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        raise GoldFormatError(f"{where}: not valid JSON ({error.msg})") from error
    if not isinstance(row, dict):
        raise GoldFormatError(f"{where}: expected a JSON object, got {type(row).__name__}")
    missing = [key for key in GOLD.names() if key not in row]
    if missing:
        raise GoldFormatError(f"{where}: missing keys {missing}")
    unknown = sorted(set(row) - set(GOLD.names()))
    if unknown:
        raise GoldFormatError(f"{where}: unknown keys {unknown}")
    for key in GOLD_STRING_KEYS:
        value = row[key]
        if not isinstance(value, str) or not value.strip():
            raise GoldFormatError(f"{where}: {key!r} must be a non-empty string, got {value!r}")
    if row["stance"] not in STANCES:
        raise GoldFormatError(f"{where}: stance {row['stance']!r} is not one of {list(STANCES)}")
    if not isinstance(row["core"], bool):
        raise GoldFormatError(f"{where}: core must be true or false, got {row['core']!r}")
    return {key: row[key] for key in GOLD.names()}


# ---------------------------------------------------------------- report
@dataclass(frozen=True)
class DetectionScore:
    """Claim detection counts of one topic (or all topics) and the scores they give."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        precision, recall = self.precision, self.recall
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    @property
    def support(self) -> int:
        """Core gold entries of the topic."""
        return self.tp + self.fn

    def __add__(self, other: DetectionScore) -> DetectionScore:
        return DetectionScore(tp=self.tp + other.tp, fp=self.fp + other.fp, fn=self.fn + other.fn)

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": self.precision, "recall": self.recall, "f1": self.f1,
            "support": self.support, "tp": self.tp, "fp": self.fp, "fn": self.fn,
        }


@dataclass(frozen=True)
class AccuracyScore:
    """Correct out of total; accuracy is None over no pairs."""

    correct: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.total if self.total else None

    def to_dict(self) -> dict[str, Any]:
        return {"accuracy": self.accuracy, "correct": self.correct, "n": self.total}


@dataclass(frozen=True)
class EvaluationReport:
    """Every figure of one evaluation; `outcomes` lists each scored gold entry and prediction."""

    episodes: tuple[str, ...]
    topics: Mapping[str, DetectionScore]
    stance: AccuracyScore
    stance_macro_f1: float | None
    stance_f1_by_label: Mapping[str, float]
    holder: AccuracyScore
    attribution: AccuracyScore
    n_ignored: int
    n_predictions: int
    n_gold_core: int
    n_gold_borderline: int
    outcomes: pl.DataFrame = field(repr=False, compare=False)

    @property
    def micro(self) -> DetectionScore:
        return sum(self.topics.values(), DetectionScore())

    @property
    def n_matched(self) -> int:
        return self.micro.tp

    def to_dict(self) -> dict[str, Any]:
        """Every figure as JSON-able values (the outcomes frame is left out)."""
        micro = self.micro
        return {
            "episodes": list(self.episodes),
            "detection": {
                "micro": micro.to_dict(),
                "per_topic": {topic: score.to_dict() for topic, score in self.topics.items()},
            },
            "stance": {
                **self.stance.to_dict(),
                "macro_f1": self.stance_macro_f1,
                "labels": list(self.stance_f1_by_label),
                "f1_by_label": dict(self.stance_f1_by_label),
            },
            "holder": self.holder.to_dict(),
            "attribution": self.attribution.to_dict(),
            "counts": {
                "tp": micro.tp, "fp": micro.fp, "fn": micro.fn, "n_matched": self.n_matched,
                "n_ignored": self.n_ignored, "n_predictions": self.n_predictions,
                "n_gold_core": self.n_gold_core, "n_gold_borderline": self.n_gold_borderline,
            },
        }

    def format_table(self) -> str:
        """A plain-text table: P/R/F1/support per topic and micro, then stance, holder and attribution."""
        header = f"{'topic':<20} {'P':>6} {'R':>6} {'F1':>6} {'support':>8} {'tp':>5} {'fp':>5} {'fn':>5}"
        lines = [f"episodes: {', '.join(self.episodes)}", header, "-" * len(header)]
        for name, score in [*self.topics.items(), ("micro", self.micro)]:
            if name == "micro":
                lines.append("-" * len(header))
            lines.append(
                f"{name:<20} {score.precision:>6.3f} {score.recall:>6.3f} {score.f1:>6.3f} "
                f"{score.support:>8d} {score.tp:>5d} {score.fp:>5d} {score.fn:>5d}"
            )
        labels = ", ".join(self.stance_f1_by_label) or "-"
        lines += [
            "",
            f"stance       accuracy {_fmt(self.stance.accuracy)}  macro-F1 {_fmt(self.stance_macro_f1)}"
            f"  (n={self.stance.total}; labels {labels})",
            f"holder       accuracy {_fmt(self.holder.accuracy)}  (n={self.holder.total})",
            f"attribution  accuracy {_fmt(self.attribution.accuracy)}  (n={self.attribution.total},"
            " gold holder is not the speaker)",
            f"matched {self.n_matched}; ignored {self.n_ignored} (matched only core:false gold); "
            f"predictions {self.n_predictions}; gold core {self.n_gold_core}, borderline {self.n_gold_borderline}",
        ]
        return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


# ---------------------------------------------------------------- evaluation
def evaluate(
    gold: pl.DataFrame,
    predictions: pl.DataFrame,
    *,
    topics: Sequence[str] | None = None,
) -> EvaluationReport:
    """Score predicted claims against gold entries (rules in the module docstring).

    Args:
        gold: entries of `GOLD` (as `load_gold` returns them).
        predictions: rows of the claims table; at least the columns of
            `PREDICTION_COLUMNS`. Rows of episodes absent from the gold, and rows
            with a null topic, are not scored.
        topics: score only these topics. By default every topic present in the
            gold or in the scored predictions, so a prediction on a topic the gold
            never uses is a false positive.

    Raises:
        PredictionFormatError: when `predictions` lacks a column the evaluator reads, or
            holds a stance outside favor/against/none.
    """
    missing = [name for name in PREDICTION_COLUMNS if name not in predictions.columns]
    if missing:
        raise PredictionFormatError(f"predictions lack columns {missing}; got {predictions.columns}")
    missing_gold = [name for name in GOLD.names() if name not in gold.columns]
    if missing_gold:
        raise GoldFormatError(f"gold frame lacks columns {missing_gold}; got {gold.columns}")

    episodes = tuple(sorted(gold["episode_id"].unique().to_list()))
    predicted = predictions.filter(
        pl.col("episode_id").is_in(list(episodes)) & pl.col("topic").is_not_null()
    )
    if topics is not None:
        gold = gold.filter(pl.col("topic").is_in(list(topics)))
        predicted = predicted.filter(pl.col("topic").is_in(list(topics)))
        topic_names = sorted(set(topics))
    else:
        topic_names = sorted(set(gold["topic"].to_list()) | set(predicted["topic"].to_list()))

    gold_rows = gold.with_columns(pl.col("stance").cast(pl.String)).to_dicts()
    predicted_rows = predicted.with_columns(pl.col("stance").cast(pl.String)).to_dicts()
    for row in predicted_rows:
        row["stance"] = row["stance"] or "none"
        row.setdefault("speaker", None)
        if row["stance"] not in STANCES:
            raise PredictionFormatError(
                f"episode {row['episode_id']!r}: predicted stance {row['stance']!r} is not one of {list(STANCES)}"
            )

    gold_by_key: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in gold_rows:
        gold_by_key[(row["episode_id"], row["topic"])].append(row)
    predicted_by_key: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in predicted_rows:
        predicted_by_key[(row["episode_id"], row["topic"])].append(row)

    counts: dict[str, DetectionScore] = {topic: DetectionScore() for topic in topic_names}
    outcomes: list[dict[str, Any]] = []
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    n_ignored = 0
    for key in sorted(set(gold_by_key) | set(predicted_by_key)):
        result = _match_group(gold_by_key.get(key, []), predicted_by_key.get(key, []))
        counts[key[1]] = counts[key[1]] + DetectionScore(
            tp=len(result.pairs), fp=len(result.false_positives), fn=len(result.false_negatives)
        )
        n_ignored += len(result.ignored)
        pairs.extend((gold_row, predicted_row) for gold_row, predicted_row, _ in result.pairs)
        outcomes.extend(_outcome_rows(key, result))

    stance_pairs = [(gold_row["stance"], predicted_row["stance"]) for gold_row, predicted_row in pairs]
    stance_f1 = stance_f1_by_label(stance_pairs)
    holder_hits = [
        (normalize_name(gold_row["holder"]) == normalize_name(predicted_row["holder"]),
         normalize_name(gold_row["holder"]) != normalize_name(gold_row["speaker"]))
        for gold_row, predicted_row in pairs
    ]
    return EvaluationReport(
        episodes=episodes,
        topics=counts,
        stance=AccuracyScore(correct=sum(g == p for g, p in stance_pairs), total=len(stance_pairs)),
        stance_macro_f1=sum(stance_f1.values()) / len(stance_f1) if stance_f1 else None,
        stance_f1_by_label=stance_f1,
        holder=AccuracyScore(correct=sum(hit for hit, _ in holder_hits), total=len(holder_hits)),
        attribution=AccuracyScore(
            correct=sum(hit for hit, reported in holder_hits if reported),
            total=sum(reported for _, reported in holder_hits),
        ),
        n_ignored=n_ignored,
        n_predictions=len(predicted_rows),
        n_gold_core=sum(bool(row["core"]) for row in gold_rows),
        n_gold_borderline=sum(not row["core"] for row in gold_rows),
        outcomes=pl.DataFrame(outcomes, schema=OUTCOMES, orient="row"),
    )


def stance_f1_by_label(pairs: Iterable[tuple[str, str]]) -> dict[str, float]:
    """F1 of each stance label present among (gold, predicted) pairs, in label order."""
    pairs = list(pairs)
    labels = sorted({label for pair in pairs for label in pair})
    scores = {}
    for label in labels:
        hits = sum(gold == label and predicted == label for gold, predicted in pairs)
        n_predicted = sum(predicted == label for _, predicted in pairs)
        n_gold = sum(gold == label for gold, _ in pairs)
        precision = hits / n_predicted if n_predicted else 0.0
        recall = hits / n_gold if n_gold else 0.0
        scores[label] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return scores


@dataclass
class _GroupMatch:
    pairs: list[tuple[dict[str, Any], dict[str, Any], float]]
    false_negatives: list[dict[str, Any]]
    false_positives: list[dict[str, Any]]
    ignored: list[tuple[dict[str, Any], float]]


def _match_group(gold_rows: list[dict[str, Any]], predicted_rows: list[dict[str, Any]]) -> _GroupMatch:
    """Greedy one-to-one matching of one (episode, topic): core entries first, then borderline absorption."""
    core = [row for row in gold_rows if row["core"]]
    borderline = [row for row in gold_rows if not row["core"]]
    core_texts = [normalize_text(row["sentence"]) for row in core]
    borderline_texts = [normalize_text(row["sentence"]) for row in borderline]
    predicted_texts = [normalize_text(row["sentence"]) for row in predicted_rows]

    candidates = []
    for gold_index, (gold_row, gold_text) in enumerate(zip(core, core_texts)):
        for predicted_index, (predicted_row, predicted_text) in enumerate(zip(predicted_rows, predicted_texts)):
            score = _matching_overlap(gold_text, predicted_text)
            if score is None:
                continue
            same_holder = normalize_name(gold_row["holder"]) == normalize_name(predicted_row["holder"])
            same_stance = gold_row["stance"] == predicted_row["stance"]
            candidates.append((-score, not same_holder, not same_stance, gold_index, predicted_index, score))
    candidates.sort()

    taken_gold: set[int] = set()
    taken_predicted: set[int] = set()
    pairs = []
    for *_, gold_index, predicted_index, score in candidates:
        if gold_index in taken_gold or predicted_index in taken_predicted:
            continue
        taken_gold.add(gold_index)
        taken_predicted.add(predicted_index)
        pairs.append((core[gold_index], predicted_rows[predicted_index], score))

    false_positives, ignored = [], []
    # Holders already counted per sentence: a further holder on the same sentence is a
    # nested claim the gold did not record (ignored); the same holder again is a duplicate.
    counted: dict[str, set[str]] = defaultdict(set)
    for index in taken_predicted:
        counted[predicted_texts[index]].add(normalize_name(predicted_rows[index]["holder"]))
    for predicted_index, (predicted_row, predicted_text) in enumerate(zip(predicted_rows, predicted_texts)):
        if predicted_index in taken_predicted:
            continue
        scores = [
            score for text in borderline_texts if (score := _matching_overlap(text, predicted_text)) is not None
        ]
        if scores:
            ignored.append((predicted_row, max(scores)))
        elif counted[predicted_text] and normalize_name(predicted_row["holder"]) not in counted[predicted_text]:
            ignored.append((predicted_row, None))
        else:
            counted[predicted_text].add(normalize_name(predicted_row["holder"]))
            false_positives.append(predicted_row)
    false_negatives = [row for index, row in enumerate(core) if index not in taken_gold]
    return _GroupMatch(pairs=pairs, false_negatives=false_negatives, false_positives=false_positives, ignored=ignored)


def _outcome_rows(key: tuple[str, str], result: _GroupMatch) -> list[dict[str, Any]]:
    episode_id, topic = key

    def row(outcome, gold=None, predicted=None, score=None):
        gold, predicted = gold or {}, predicted or {}
        return {
            "episode_id": episode_id, "topic": topic, "outcome": outcome, "overlap_score": score,
            "speaker": gold.get("speaker") or predicted.get("speaker"),
            "gold_sentence": gold.get("sentence"), "predicted_sentence": predicted.get("sentence"),
            "gold_holder": gold.get("holder"), "predicted_holder": predicted.get("holder"),
            "gold_stance": gold.get("stance"), "predicted_stance": predicted.get("stance"),
        }

    return [
        *(row("tp", gold, predicted, score) for gold, predicted, score in result.pairs),
        *(row("fn", gold=gold) for gold in result.false_negatives),
        *(row("fp", predicted=predicted) for predicted in result.false_positives),
        *(row("ignored", predicted=predicted, score=score) for predicted, score in result.ignored),
    ]


# ---------------------------------------------------------------- files
def evaluate_paths(
    gold_paths: list[Path],
    claims_dir: Path,
    *,
    topics: Sequence[str] | None = None,
) -> EvaluationReport:
    """Load gold files and the claims table of an output folder, and score them (the CLI's entry point).

    Raises:
        GoldFormatError: for a bad gold line, or an episode labelled in two gold files.
    """
    frames = []
    first_file: dict[str, Path] = {}
    for path in gold_paths:
        frame = load_gold(Path(path))
        for episode_id in frame["episode_id"].unique().to_list():
            if episode_id in first_file:
                raise GoldFormatError(f"{path}: episode {episode_id!r} is already labelled in {first_file[episode_id]}")
            first_file[episode_id] = Path(path)
        frames.append(frame)
    if not frames:
        raise GoldFormatError("no gold files given")
    gold = pl.concat(frames)
    predictions = Store(claims_dir).read("claims")
    present = set(predictions["episode_id"].unique().to_list())
    for episode_id in sorted(set(first_file) - present):
        log.warning("no claims of gold episode %r in %s; every gold entry of it counts as missed", episode_id, claims_dir)
    return evaluate(gold, predictions, topics=topics)
