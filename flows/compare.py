"""The `compare-episodes` flow: cross-episode tables from the processed partitions."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from whoclaims import compare
from whoclaims.settings import Settings
from whoclaims.storage import Store


@task(name="build-comparison", cache_policy=NO_CACHE)
def build_task(out: str, settings: Settings, episode_id: str | None) -> dict[str, pl.DataFrame]:
    return compare.build_comparison(Store(Path(out)), settings=settings, episode_id=episode_id)


@task(name="write-comparison", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def write_task(tables: dict[str, pl.DataFrame], out: str) -> None:
    Store(Path(out)).write_comparison(tables)


@flow(name="compare-episodes", log_prints=False)
def compare_episodes(out: str, settings: Settings | None = None, episode_id: str | None = None) -> str:
    """Build, write and publish the comparison tables; returns them as markdown."""
    settings = settings or Settings()
    tables = build_task(out, settings, episode_id)
    if episode_id is None:
        write_task(tables, out)
    markdown = compare.comparison_markdown(tables, episode_id=episode_id)
    create_markdown_artifact(key="whoclaims-comparison", markdown=markdown, description="whoclaims comparison")
    return markdown
