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
  whitespace collapsed, case-folded), after an optional `canonical` function
  (the CLI passes the actor catalog's: "Zelenskyy" and "Volodymyr Zelensky" are
  one actor). Attribution: the same accuracy on the pairs whose gold holder
  differs from the gold speaker.

Holders, independent of topic (`EvaluationReport.holders`): over every core gold
entry whose sentence the pipeline found as a claim on any topic or on none
(`predictions` plus `assertions`, whatever their topic), matched by sentence
alone (same episode, overlap as above; the predicted sentence with the largest
overlap wins, then the longer common substring, then the first). The holder is
right when the gold holder is the holder of a row on that sentence: its main
claim, or a nested claim (`parent_claim_id`, the reported view inside a
speaker's framing that ANNOTATION.md lets a gold file record or leave out);
`right_via_nested` counts the ones right only through a nested row. Split into
own views (gold holder is the gold speaker) and reported views (it is not).
Gold entries whose sentence was not found are counted as `not_found`.

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
from collections.abc import Callable, Iterable, Mapping, Sequence
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

# One row per core gold entry in the topic-independent holder scoring.
HOLDER_OUTCOMES = pl.Schema({
    "episode_id": pl.String,
    "topic": pl.String,
    "speaker": pl.String,
    "gold_sentence": pl.String,
    "predicted_sentence": pl.String,
    "gold_holder": pl.String,
    "predicted_holder": pl.String,
    "nested_holders": pl.List(pl.String),
    "reported": pl.Boolean,
    "found": pl.Boolean,
    "correct": pl.Boolean,
})


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

    def __add__(self, other: AccuracyScore) -> AccuracyScore:
        return AccuracyScore(correct=self.correct + other.correct, total=self.total + other.total)

    def to_dict(self) -> dict[str, Any]:
        return {"accuracy": self.accuracy, "correct": self.correct, "n": self.total}


@dataclass(frozen=True)
class HolderScore:
    """Holder accuracy over every found core gold entry, whatever its topic: own and reported views."""

    own: AccuracyScore = AccuracyScore()
    reported: AccuracyScore = AccuracyScore()
    not_found: int = 0
    right_via_nested: int = 0
    # Which predicted tables were searched for the sentences ("claims" or "claims+assertions").
    searched: str = "claims"

    @property
    def all(self) -> AccuracyScore:
        return self.own + self.reported

    def __add__(self, other: HolderScore) -> HolderScore:
        return HolderScore(own=self.own + other.own, reported=self.reported + other.reported,
                           not_found=self.not_found + other.not_found,
                           right_via_nested=self.right_via_nested + other.right_via_nested,
                           searched=self.searched if self.searched == other.searched else "mixed")

    def to_dict(self) -> dict[str, Any]:
        return {"own": self.own.to_dict(), "reported": self.reported.to_dict(), "all": self.all.to_dict(),
                "not_found": self.not_found, "right_via_nested": self.right_via_nested, "searched": self.searched}

    def format_lines(self) -> list[str]:
        return [
            f"holders (any topic, over {self.searched}; core gold sentences found "
            f"{self.all.total}, not found {self.not_found}):",
            f"  own views       accuracy {_fmt(self.own.accuracy)}  ({self.own.correct}/{self.own.total},"
            " gold holder is the speaker)",
            f"  reported views  accuracy {_fmt(self.reported.accuracy)}  ({self.reported.correct}/"
            f"{self.reported.total}, gold holder is not the speaker)",
            f"  right only through a nested claim: {self.right_via_nested}",
        ]


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
    holders: HolderScore = HolderScore()
    holder_outcomes: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=HOLDER_OUTCOMES),
                                          repr=False, compare=False)

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
            "holders": self.holders.to_dict(),
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
            "",
            *self.holders.format_lines(),
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
    assertions: pl.DataFrame | None = None,
    canonical: Callable[[str], str] | None = None,
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
        assertions: rows of the assertions table (claims on no topic); searched,
            with `predictions`, for the topic-independent holder figures only.
        canonical: maps a holder or speaker name to its canonical form before
            `normalize_name` (e.g. `catalog_canonical(catalog)`); identity by default.

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

    name_key = _name_key(canonical)
    counts: dict[str, DetectionScore] = {topic: DetectionScore() for topic in topic_names}
    outcomes: list[dict[str, Any]] = []
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    n_ignored = 0
    for key in sorted(set(gold_by_key) | set(predicted_by_key)):
        result = _match_group(gold_by_key.get(key, []), predicted_by_key.get(key, []), name_key=name_key)
        counts[key[1]] = counts[key[1]] + DetectionScore(
            tp=len(result.pairs), fp=len(result.false_positives), fn=len(result.false_negatives)
        )
        n_ignored += len(result.ignored)
        pairs.extend((gold_row, predicted_row) for gold_row, predicted_row, _ in result.pairs)
        outcomes.extend(_outcome_rows(key, result))

    stance_pairs = [(gold_row["stance"], predicted_row["stance"]) for gold_row, predicted_row in pairs]
    stance_f1 = stance_f1_by_label(stance_pairs)
    holder_hits = [
        (name_key(gold_row["holder"]) == name_key(predicted_row["holder"]),
         name_key(gold_row["holder"]) != name_key(gold_row["speaker"]))
        for gold_row, predicted_row in pairs
    ]
    searched = [predictions] + ([assertions] if assertions is not None else [])
    holders, holder_outcomes = score_holders(
        gold, searched, canonical=canonical, searched="claims+assertions" if assertions is not None else "claims",
    )
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
        holders=holders,
        holder_outcomes=holder_outcomes,
    )


def _name_key(canonical: Callable[[str], str] | None) -> Callable[[str | None], str]:
    if canonical is None:
        return normalize_name
    return lambda name: normalize_name(canonical(name)) if name else ""


def catalog_canonical(catalog: Any) -> Callable[[str], str]:
    """A `canonical` function from an actor catalog: a name the catalog knows becomes its actor's name.

    "Zelenskyy", "President Zelenskyy" and "Volodymyr Zelensky" all become the
    catalog's "Volodymyr Zelensky"; a name the catalog does not know is kept.
    """
    def canonical(name: str) -> str:
        actor = catalog.lookup(name)
        return actor.name if actor is not None else name

    return canonical


# Texts shorter than twice this cannot be prefiltered by shared character n-grams.
_NGRAM = 8


def _ngrams(text: str) -> frozenset[str]:
    return frozenset(text[i : i + _NGRAM] for i in range(len(text) - _NGRAM + 1))


def score_holders(
    gold: pl.DataFrame,
    predicted: Sequence[pl.DataFrame],
    *,
    canonical: Callable[[str], str] | None = None,
    searched: str = "claims",
) -> tuple[HolderScore, pl.DataFrame]:
    """Holder accuracy over every core gold entry whose sentence a predicted row has, whatever the topic.

    Args:
        gold: entries of `GOLD`.
        predicted: frames with at least `episode_id`, `sentence` and `holder`
            (claims and assertions tables); `parent_claim_id`, when present, marks
            nested rows. Topics are not read.
        canonical: as for `evaluate`.
        searched: the name of what `predicted` holds, for the report.

    Returns:
        The scores and one `HOLDER_OUTCOMES` row per core gold entry.
    """
    name_key = _name_key(canonical)
    episodes = set(gold["episode_id"].unique().to_list())
    # episode -> normalised sentence -> (main holders, nested holders), in first-seen order.
    sentences: dict[str, dict[str, tuple[list[str], list[str]]]] = defaultdict(dict)
    for frame in predicted:
        missing = [name for name in ("episode_id", "sentence", "holder") if name not in frame.columns]
        if missing:
            raise PredictionFormatError(f"predictions lack columns {missing}; got {frame.columns}")
        nested_column = "parent_claim_id" in frame.columns
        columns = ["episode_id", "sentence", "holder", *(["parent_claim_id"] if nested_column else [])]
        for row in frame.select(columns).filter(pl.col("episode_id").is_in(list(episodes))).iter_rows(named=True):
            main, nested = sentences[row["episode_id"]].setdefault(normalize_text(row["sentence"]), ([], []))
            (nested if nested_column and row["parent_claim_id"] else main).append(row["holder"])
    grams = {episode: {text: _ngrams(text) for text in texts} for episode, texts in sentences.items()}

    own = reported = AccuracyScore()
    not_found = via_nested = 0
    outcomes = []
    for row in gold.filter(pl.col("core")).iter_rows(named=True):
        gold_text = normalize_text(row["sentence"])
        gold_grams = _ngrams(gold_text)
        best, best_key = None, None
        for text, (main, nested) in sentences.get(row["episode_id"], {}).items():
            if 2 * _NGRAM <= min(len(text), len(gold_text)) and not gold_grams & grams[row["episode_id"]][text]:
                continue  # no common substring of _NGRAM characters, so none of half the shorter text
            common = longest_common_substring(gold_text, text)
            shorter = min(len(gold_text), len(text))
            if shorter == 0 or 2 * common < shorter:
                continue
            key = (common / shorter, common)
            if best_key is None or key > best_key:
                best, best_key = text, key
        is_reported = name_key(row["holder"]) != name_key(row["speaker"])
        found = best is not None
        main, nested = sentences[row["episode_id"]][best] if found else ([], [])
        gold_key = name_key(row["holder"])
        right_main = any(name_key(holder) == gold_key for holder in main)
        right = right_main or any(name_key(holder) == gold_key for holder in nested)
        if found:
            score = AccuracyScore(correct=int(right), total=1)
            if is_reported:
                reported = reported + score
            else:
                own = own + score
            via_nested += int(right and not right_main)
        else:
            not_found += 1
        outcomes.append({
            "episode_id": row["episode_id"], "topic": row["topic"], "speaker": row["speaker"],
            "gold_sentence": row["sentence"], "predicted_sentence": best, "gold_holder": row["holder"],
            "predicted_holder": main[0] if main else (nested[0] if nested else None),
            "nested_holders": nested, "reported": is_reported, "found": found, "correct": found and right,
        })
    score = HolderScore(own=own, reported=reported, not_found=not_found, right_via_nested=via_nested,
                        searched=searched)
    return score, pl.DataFrame(outcomes, schema=HOLDER_OUTCOMES, orient="row")


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


def _match_group(gold_rows: list[dict[str, Any]], predicted_rows: list[dict[str, Any]], *,
                 name_key: Callable[[str | None], str] = normalize_name) -> _GroupMatch:
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
            same_holder = name_key(gold_row["holder"]) == name_key(predicted_row["holder"])
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
        counted[predicted_texts[index]].add(name_key(predicted_rows[index]["holder"]))
    for predicted_index, (predicted_row, predicted_text) in enumerate(zip(predicted_rows, predicted_texts)):
        if predicted_index in taken_predicted:
            continue
        scores = [
            score for text in borderline_texts if (score := _matching_overlap(text, predicted_text)) is not None
        ]
        if scores:
            ignored.append((predicted_row, max(scores)))
        elif counted[predicted_text] and name_key(predicted_row["holder"]) not in counted[predicted_text]:
            ignored.append((predicted_row, None))
        else:
            counted[predicted_text].add(name_key(predicted_row["holder"]))
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
    canonical: Callable[[str], str] | None = None,
) -> EvaluationReport:
    """Load gold files and the claims and assertions tables of an output folder, and score them (the CLI's entry point).

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
    store = Store(claims_dir)
    predictions = store.read("claims")
    assertions = store.read("assertions")
    present = set(predictions["episode_id"].unique().to_list()) | set(assertions["episode_id"].unique().to_list())
    for episode_id in sorted(set(first_file) - present):
        log.warning("no claims of gold episode %r in %s; every gold entry of it counts as missed", episode_id, claims_dir)
    return evaluate(gold, predictions, topics=topics, assertions=assertions, canonical=canonical)
