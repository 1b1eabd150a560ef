"""Hand-made per-episode tables for the comparison and report tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from whoclaims.schemas import EPISODE_TABLES, empty, to_frame


def claim_row(
    episode_id: str,
    claim_id: str,
    *,
    holder: str,
    topic: str,
    stance: str,
    claim: str = "",
    start_char: int | None = None,
    end_char: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One row of the `claims` table with sensible defaults."""
    row = {
        "episode_id": episode_id, "claim_id": claim_id, "turn_id": 0, "sentence_id": 0,
        "speaker": holder, "holder": holder, "holder_id": holder.lower().replace(" ", "_"),
        "attribution": "self", "claim": claim or f"claim {claim_id}", "sentence": claim or f"claim {claim_id}",
        "start_char": start_char, "end_char": end_char,
        "sentence_start_char": start_char, "sentence_end_char": end_char,
        "claim_score": 0.9, "topic": topic, "topic_score": 0.7, "stance": stance, "stance_score": 0.8,
    }
    row.update(extra)
    return row


def mention_row(episode_id: str, mention_id: int, actor_id: str, name: str, *, source: str = "ruler") -> dict[str, Any]:
    """One row of the `mentions` table."""
    return {
        "episode_id": episode_id, "mention_id": mention_id, "sentence_id": 0, "turn_id": 0, "speaker": "Host",
        "start_char": 0, "end_char": 1, "text": name, "label": "PERSON", "actor_id": actor_id,
        "canonical_name": name, "source": source,
    }


def episode_tables(
    episode_id: str,
    *,
    text: str = "",
    turns: Sequence[tuple[str, int, int]] = (),
    claims: Sequence[dict[str, Any]] = (),
    mentions: Sequence[dict[str, Any]] = (),
    date: str | None = None,
    title: str | None = None,
    show: str | None = None,
) -> dict[str, pl.DataFrame]:
    """Every `EPISODE_TABLES` table of one episode; tables not given are empty."""
    tables = {name: empty(schema) for name, schema in EPISODE_TABLES.items()}
    tables["texts"] = to_frame([{"episode_id": episode_id, "text": text}], EPISODE_TABLES["texts"])
    tables["turns"] = to_frame(
        [
            {"episode_id": episode_id, "turn_id": k, "speaker": speaker, "text": text[start:end],
             "start_char": start, "end_char": end}
            for k, (speaker, start, end) in enumerate(turns)
        ],
        EPISODE_TABLES["turns"],
    )
    tables["claims"] = to_frame(claims, EPISODE_TABLES["claims"])
    tables["mentions"] = to_frame(mentions, EPISODE_TABLES["mentions"])
    tables["episodes"] = to_frame(
        [{
            "episode_id": episode_id, "title": title or episode_id, "date": date, "show": show, "format": "plain",
            "n_chars": len(text), "n_turns": len(turns), "n_sentences": len(claims),
            "speakers": list(dict.fromkeys(speaker for speaker, _, _ in turns)),
        }],
        EPISODE_TABLES["episodes"],
    )
    return tables


class FakeEncoder:
    """Returns the vector chosen for each text and records the calls; an unknown text is a test bug."""

    name = "fake-encoder"

    def __init__(self, vectors: dict[str, Sequence[float]]) -> None:
        self.vectors = vectors
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return np.array([self.vectors[text] for text in texts], dtype=np.float32)
