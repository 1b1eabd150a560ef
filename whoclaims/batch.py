"""Batch bookkeeping as plain Python: which episodes to skip, and the run manifest.

The Prefect flows call these; nothing here imports Prefect.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoclaims import PIPELINE_VERSION, pipeline
from whoclaims.ingest import IngestError, discover_episodes
from whoclaims.records import Episode
from whoclaims.settings import Settings
from whoclaims.storage import Store


@dataclass
class EpisodeOutcome:
    """How one input file fared in a run."""

    path: str
    status: str  # done | skipped | failed
    episode_id: str | None = None
    error: str | None = None
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float | None = None
    # What a person should check about the episode (`Episode.warnings`): one speaker, `Unknown`, an oversized turn,
    # speakers without names.
    warnings: list[str] = field(default_factory=list)


def is_unchanged(episode: Episode, key: dict[str, Any], state: dict[str, dict[str, Any]]) -> bool:
    """True when the episode's last successful run had exactly this run key."""
    return state.get(episode.episode_id) == key


def duplicate_ids(episodes: list[Episode]) -> dict[str, list[str]]:
    """Episode ids that more than one input file maps to (their paths)."""
    paths: dict[str, list[str]] = {}
    for episode in episodes:
        paths.setdefault(episode.episode_id, []).append(episode.source_path)
    return {eid: sources for eid, sources in paths.items() if len(sources) > 1}


def new_run_id() -> str:
    now = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    return f"{now}-{uuid.uuid4().hex[:6]}"


def build_manifest(
    run_id: str, outcomes: list[EpisodeOutcome], *, settings: Settings, started: float, finished: float
) -> dict[str, Any]:
    """The manifest of one run: counts, per-episode outcomes, settings."""
    counts = Counter(outcome.status for outcome in outcomes)
    rows: Counter[str] = Counter()
    for outcome in outcomes:
        rows.update(outcome.rows)
    return {
        "run_id": run_id,
        "pipeline_version": PIPELINE_VERSION,
        "started": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(),
        "finished": dt.datetime.fromtimestamp(finished, dt.UTC).isoformat(),
        "seconds": round(finished - started, 3),
        "pid": os.getpid(),
        "counts": {status: counts.get(status, 0) for status in ("done", "skipped", "failed")},
        "warned": sum(1 for outcome in outcomes if outcome.warnings),
        "rows_written": dict(sorted(rows.items())),
        "settings": settings.as_dict(),
        "settings_hash": settings.output_hash(),
        "episodes": [outcome.__dict__ for outcome in outcomes],
    }


def summary_rows(outcomes: list[EpisodeOutcome]) -> list[dict[str, Any]]:
    """One row per input file, for the Prefect table artifact and the CLI."""
    return [
        {
            "episode": outcome.episode_id or Path(outcome.path).name,
            "status": outcome.status,
            "claims": outcome.rows.get("claims", 0),
            "mentions": outcome.rows.get("mentions", 0),
            "seconds": round(outcome.seconds, 2) if outcome.seconds is not None else None,
            "error": outcome.error or "",
            "warnings": " | ".join(outcome.warnings),
        }
        for outcome in outcomes
    ]


def table_totals(store: Store) -> dict[str, int]:
    """Rows per table over the whole output folder (lazy scans)."""
    from whoclaims.schemas import EPISODE_TABLES

    import polars as pl

    return {table: store.scan(table).select(pl.len()).collect().item() for table in EPISODE_TABLES}


def list_inputs(paths: list[str]) -> list[tuple[str, str]]:
    """(file, input root) for every transcript under `paths`; the root bounds symlinks."""
    found: list[tuple[str, str]] = []
    for raw in paths:
        path = Path(raw)
        root = path if path.is_dir() else path.parent
        found.extend((str(item), str(root)) for item in discover_episodes([path]))
    return found


def error_text(error: BaseException) -> str:
    """One line for the summary: the message of expected errors, with the type for the rest."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text if isinstance(error, (IngestError, ValueError, OSError)) else f"{type(error).__name__}: {text}"


def plan(episodes: list[Episode], *, store: Store, settings: Settings) -> tuple[list[Episode], list[EpisodeOutcome]]:
    """Split read episodes into those to process and those skipped (unchanged) or failed (id clash)."""
    state = store.read_state()
    existing = set(store.episode_ids())
    clashes = duplicate_ids(episodes)
    todo: list[Episode] = []
    outcomes: list[EpisodeOutcome] = []
    for episode in episodes:
        sources = clashes.get(episode.episode_id)
        if sources and episode.source_path != sources[0]:
            outcomes.append(EpisodeOutcome(
                path=episode.source_path, status="failed", episode_id=episode.episode_id,
                error=f"{episode.source_path}: episode id {episode.episode_id!r} is also produced by {sources[0]}",
            ))
        elif episode.episode_id in existing and is_unchanged(episode, pipeline.run_key(episode, settings), state):
            outcomes.append(EpisodeOutcome(path=episode.source_path, status="skipped", episode_id=episode.episode_id,
                                           warnings=list(episode.warnings)))
        else:
            todo.append(episode)
    return todo, outcomes


def check_unchanged(inputs: list[str], *, store: Store, settings: Settings) -> list[EpisodeOutcome] | None:
    """Outcomes of a run with nothing to process (every file unchanged or unreadable), else None.

    Reads every file (cheap: no model), so an unchanged rerun can finish without
    starting Prefect or loading a model.
    """
    outcomes: list[EpisodeOutcome] = []
    episodes: list[Episode] = []
    for path, root in list_inputs(inputs):
        try:
            episodes.append(pipeline.read(path, settings=settings, input_root=root))
        except IngestError as error:
            outcomes.append(EpisodeOutcome(path=path, status="failed", error=error_text(error)))
    todo, planned = plan(episodes, store=store, settings=settings)
    if todo:
        return None
    return sorted(outcomes + planned, key=lambda outcome: outcome.path)
