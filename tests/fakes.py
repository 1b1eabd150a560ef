"""A model-free stand-in for the extraction stage, for fast orchestration tests."""

from __future__ import annotations

import os
import time

import polars as pl

from whoclaims import PIPELINE_VERSION
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
    tables["turns"] = to_frame(
        [
            {"episode_id": eid, "turn_id": t.turn_id, "speaker": t.speaker, "text": t.text,
             "start_char": t.start_char, "end_char": t.end_char, "start_s": t.start_s, "end_s": t.end_s}
            for t in episode.turns
        ],
        TURNS,
    )
    tables["sentences"] = to_frame(
        [
            {"episode_id": eid, "sentence_id": t.turn_id, "turn_id": t.turn_id, "speaker": t.speaker,
             "text": t.text, "start_char": t.start_char, "end_char": t.end_char}
            for t in episode.turns
        ],
        SENTENCES,
    )
    tables["episodes"] = to_frame(
        [{"episode_id": eid, "title": episode.title, "format": episode.format, "source_path": episode.source_path,
          "content_hash": episode.content_hash, "n_chars": len(episode.text), "n_turns": len(episode.turns),
          "pipeline_version": PIPELINE_VERSION}],
        EPISODES,
    )
    return tables
