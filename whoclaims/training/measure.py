"""Measuring the topic and stance models the way the evaluator scores them.

Topic figures are claims micro-F1 by `whoclaims.evaluate.evaluate` (a row for every
claim-bearing sentence at or above the threshold), on out-of-fold predictions:
folds grouped by episode, leave one source out, and leave one topic out (the
generic head, as a user's new topic would be scored). The seed and UN 2024 gold
files are test sets: the models are trained on the silver corpus only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from whoclaims.training.corpus import LabelledEpisode

THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7)


def topic_rows(episodes: Sequence[LabelledEpisode], probabilities: dict[str, np.ndarray], topic_ids: Sequence[str],
               threshold: float, *, only: Sequence[int] | None = None) -> pl.DataFrame:
    """Predicted claims rows (episode, sentence, topic) where P >= threshold on a claim-bearing sentence."""
    rows = []
    for item in episodes:
        p = probabilities.get(item.view.episode_id)
        if p is None:
            continue
        for s, k in zip(*np.nonzero(p >= threshold)):
            if item.view.is_claim[s] and (only is None or k in only):
                rows.append({"episode_id": item.view.episode_id, "sentence": item.view.texts[s],
                             "topic": topic_ids[k], "stance": "favor", "holder": "", "speaker": ""})
    schema = {"episode_id": pl.String, "sentence": pl.String, "topic": pl.String, "stance": pl.String,
              "holder": pl.String, "speaker": pl.String}
    return pl.DataFrame(rows, schema=schema)


def score_topics(episodes: Sequence[LabelledEpisode], probabilities: dict[str, np.ndarray], gold: pl.DataFrame,
                 topic_ids: Sequence[str], threshold: float, *, only: Sequence[int] | None = None):
    from whoclaims.evaluate import evaluate

    ids = [item.view.episode_id for item in episodes if item.view.episode_id in probabilities]
    scored_topics = list(topic_ids) if only is None else [topic_ids[k] for k in only]
    return evaluate(gold.filter(pl.col("episode_id").is_in(ids)),
                    topic_rows(episodes, probabilities, topic_ids, threshold, only=only), topics=scored_topics)


def curve(episodes, probabilities, gold, topic_ids, *, only=None) -> list[dict]:
    """Precision, recall and F1 (micro and per topic) at each of `THRESHOLDS`."""
    out = []
    for threshold in THRESHOLDS:
        report = score_topics(episodes, probabilities, gold, topic_ids, threshold, only=only)
        micro = report.micro
        out.append({"threshold": threshold, "precision": micro.precision, "recall": micro.recall, "f1": micro.f1,
                    "per_topic": {name: round(score.f1, 3) for name, score in report.topics.items()}})
    return out


def operating_point(points: list[dict], *, min_precision: float) -> dict:
    """The best-F1 point whose precision reaches `min_precision` (precision first), else the most precise."""
    eligible = [point for point in points if point["precision"] >= min_precision]
    if eligible:
        return max(eligible, key=lambda point: (point["f1"], point["threshold"]))
    return max(points, key=lambda point: point["precision"])


def format_curve(points: list[dict]) -> str:
    lines = [f"{'threshold':>9} {'P':>6} {'R':>6} {'F1':>6}  per topic F1"]
    for point in points:
        topics = " ".join(f"{name} {value:.2f}" for name, value in point["per_topic"].items())
        lines.append(f"{point['threshold']:>9.2f} {point['precision']:>6.3f} {point['recall']:>6.3f} "
                     f"{point['f1']:>6.3f}  {topics}")
    return "\n".join(lines)


def found_by_side(episodes: Sequence[LabelledEpisode], probabilities: dict[str, np.ndarray],
                  topic_ids: Sequence[str], threshold: float) -> dict[str, dict[str, int]]:
    """Core gold claims with a side whose sentence the topic stage keeps on their topic (P >=
    `threshold` on a claim-bearing sentence), per side: what the topic stage loses of each side
    before stance is decided. Counted on the aligned sentences (each (sentence, topic) once)."""
    out = {side: {"found": 0, "total": 0} for side in ("favor", "against")}
    column = {topic_id: k for k, topic_id in enumerate(topic_ids)}
    for item in episodes:
        p = probabilities.get(item.view.episode_id)
        if p is None:
            continue
        seen = set()
        for s, _, topic_id, stance, core in item.stance_rows:
            if not core or stance not in out or (s, topic_id) in seen or topic_id not in column:
                continue
            seen.add((s, topic_id))
            out[stance]["total"] += 1
            out[stance]["found"] += int(bool(item.view.is_claim[s]) and p[s, column[topic_id]] >= threshold)
    return out


def format_sides(counts: dict[str, dict[str, int]]) -> str:
    return ", ".join(f"{side} {c['found']}/{c['total']}" + (f" = {c['found'] / c['total']:.2f}" if c["total"] else "")
                     for side, c in counts.items())
