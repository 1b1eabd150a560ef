"""A model-free stand-in for the extraction stage, for fast orchestration tests."""

from __future__ import annotations

import os
import time

import polars as pl

from whoclaims import pipeline
from whoclaims.records import Episode
from whoclaims.schemas import EPISODE_TABLES, EPISODES, SENTENCES, TEXTS, TURNS, empty, to_frame
from whoclaims.settings import Settings

CALLS: list[str] = []


def fake_extract_tables(episode: Episode, *, settings: Settings) -> dict[str, pl.DataFrame]:
    """Deterministic tables from an episode with no model: one sentence per turn."""
    CALLS.append(episode.episode_id)
    delay = float(os.environ.get("WHOCLAIMS_FAKE_DELAY", "0"))
    if delay:
        time.sleep(delay)
    if "explode" in episode.text:
        raise RuntimeError(f"extraction failed on purpose for {episode.episode_id}")
    eid = episode.episode_id
    tables = {name: empty(schema) for name, schema in EPISODE_TABLES.items()}
    tables["texts"] = to_frame([{"episode_id": eid, "text": episode.text}], TEXTS)
    tables["turns"] = to_frame(pipeline.turn_rows(episode), TURNS)
    tables["sentences"] = to_frame(
        [
            {"episode_id": eid, "sentence_id": t.turn_id, "turn_id": t.turn_id, "speaker": t.speaker,
             "text": t.text, "start_char": t.start_char, "end_char": t.end_char}
            for t in episode.turns
        ],
        SENTENCES,
    )
    tables["episodes"] = to_frame([pipeline.episode_row(episode)], EPISODES)
    return tables
