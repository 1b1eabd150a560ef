"""The `process-episode` flow and the three tasks every episode goes through.

read (I/O, retried) -> extract (deterministic, not retried) -> write (I/O,
retried, atomic, idempotent). Tasks use `NO_CACHE`: nothing is hashed or
persisted, and models never travel as arguments (they are per-process caches).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from whoclaims import pipeline
from whoclaims.ingest import IngestError
from whoclaims.records import Episode
from whoclaims.settings import Settings


def _retry_on_io(task, task_run, state) -> bool:
    """Retry reads on I/O errors only; a bad file stays bad however often it is read."""
    try:
        state.result()
    except IngestError:
        return False
    except OSError:
        return True
    except Exception:  # noqa: BLE001 - any other error is not transient
        return False
    return False


@task(name="read-episode", retries=2, retry_delay_seconds=1, retry_condition_fn=_retry_on_io, cache_policy=NO_CACHE)
def read_task(path: str, settings: Settings, input_root: str | None = None) -> Episode:
    return pipeline.read(path, settings=settings, input_root=input_root)


@task(name="extract-episode", cache_policy=NO_CACHE)
def extract_task(episode: Episode, settings: Settings) -> dict[str, pl.DataFrame]:
    return pipeline.extract_tables(episode, settings=settings)


@task(name="write-episode", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def write_task(tables: dict[str, pl.DataFrame], out: str, episode_id: str, run_key: dict[str, Any]) -> dict[str, int]:
    return pipeline.write(tables, out=out, episode_id=episode_id, run_key=run_key)


@flow(name="process-episode", log_prints=False)
def process_episode(path: str, out: str, settings: Settings | None = None) -> dict[str, int]:
    """Read, annotate and extract, and write one episode."""
    settings = settings or Settings()
    episode = read_task(path, settings, str(Path(path).parent))
    tables = extract_task(episode, settings)
    return write_task(tables, out, episode.episode_id, pipeline.run_key(episode, settings))
