"""The `process-batch` flow: every episode in the input folders, skipping unchanged ones.

Reads run first (cheap, retried on I/O errors); episodes whose content hash,
settings and pipeline version match their last successful run are skipped
without touching a model; the rest go through extract -> write with bounded
concurrency. A failure is recorded and the batch goes on. The run summary is
published as a Prefect table artifact and written as a manifest.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from flows.episode import extract_task, read_task, write_task
from whoclaims import cancellation, pipeline
from whoclaims.batch import (
    EpisodeOutcome, build_manifest, error_text, list_inputs, new_run_id, plan, summary_rows,
)
from whoclaims.records import Episode
from whoclaims.settings import Settings
from whoclaims.storage import Store

log = logging.getLogger(__name__)

# Set by the CLI in the same process to drive its progress bar: called as
# hook(event, detail) with event "total" (int) or "advance" (EpisodeOutcome).
PROGRESS_HOOK: Callable[[str, Any], None] | None = None


def _progress(event: str, detail: Any) -> None:
    if PROGRESS_HOOK is not None:
        PROGRESS_HOOK(event, detail)


class StoppableThreadPoolTaskRunner(ThreadPoolTaskRunner):
    """A bounded thread pool that, when the flow leaves with an exception (SIGTERM, Ctrl-C, a crash),
    asks the running extraction to stop and does not wait for it.

    Prefect's pool joins its threads on exit, and a thread inside a long extraction
    kept an interrupted run alive for minutes. The extraction checks
    `whoclaims.cancellation` between batches, so the thread ends on its own soon after.
    """

    def __enter__(self):
        cancellation.clear()
        return super().__enter__()

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        if exc_type is not None:
            cancellation.request_stop()
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = None
        super().__exit__(exc_type, exc_value, traceback)


def make_task_runner(settings: Settings):
    """A bounded thread pool, or a Dask runner (local cluster, or the address in settings)."""
    if settings.runner == "dask":
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        return DaskTaskRunner(
            cluster_kwargs={"n_workers": settings.dask_workers, "threads_per_worker": 1, "processes": True}
        )
    return StoppableThreadPoolTaskRunner(max_workers=settings.concurrency)


def _result(future) -> tuple[Any, BaseException | None]:
    try:
        return future.result(), None
    except BaseException as error:  # noqa: BLE001 - recorded per episode, the batch goes on
        return None, error


# Served and deployed runs call the flow directly: the same bounded, stoppable pool as `run_batch`.
@flow(name="process-batch", log_prints=False,
      task_runner=StoppableThreadPoolTaskRunner(max_workers=Settings().concurrency))
def process_batch(inputs: list[str], out: str, settings: Settings | None = None, compare: bool = False) -> dict[str, Any]:
    """Process every episode under `inputs` into `out`; returns the run manifest."""
    settings = settings or Settings()
    store = Store(Path(out))
    run_id = new_run_id()
    started = time.time()
    with store.lock():
        outcomes = _run(inputs, store, settings)
        manifest = build_manifest(run_id, outcomes, settings=settings, started=started, finished=time.time())
        store.write_manifest(run_id, manifest)
    create_table_artifact(
        key="whoclaims-run-summary",
        table=summary_rows(outcomes) or [{"episode": "(none)", "status": "", "claims": 0, "mentions": 0, "seconds": None, "error": ""}],
        description=f"whoclaims run {run_id}: {manifest['counts']}",
    )
    if compare and manifest["counts"]["done"] + manifest["counts"]["skipped"] > 0:
        from flows.compare import compare_episodes

        compare_episodes(out, settings)
    return manifest


def _run(inputs: list[str], store: Store, settings: Settings) -> list[EpisodeOutcome]:
    files = list_inputs(inputs)
    _progress("total", len(files))
    outcomes: list[EpisodeOutcome] = []

    reads = [(path, read_task.submit(path, settings, root)) for path, root in files]
    episodes: list[Episode] = []
    for path, future in reads:
        episode, error = _result(future)
        if error is not None:
            outcome = EpisodeOutcome(path=path, status="failed", error=error_text(error))
            outcomes.append(outcome)
            _progress("advance", outcome)
        else:
            episodes.append(episode)

    todo, planned = plan(episodes, store=store, settings=settings)
    for outcome in planned:
        outcomes.append(outcome)
        _progress("advance", outcome)

    # At most `concurrency` extracts are in flight; each finished extract's write is
    # submitted before the next extract, so partitions land as the batch goes (a
    # killed batch keeps what it finished) and memory holds a few episodes only.
    limit = max(settings.concurrency, settings.dask_workers if settings.runner == "dask" else 1)
    pending = list(reversed(todo))
    started: dict[str, float] = {}
    extracts: dict = {}
    writes: dict = {}
    while pending or extracts:
        while pending and len(extracts) < limit:
            episode = pending.pop()
            started[episode.episode_id] = time.time()
            extracts[extract_task.submit(episode, settings)] = episode
        future = next(as_completed(list(extracts)))
        episode = extracts.pop(future)
        tables, error = _result(future)
        if error is None:
            key = pipeline.run_key(episode, settings)
            writes[write_task.submit(tables, str(store.root), episode.episode_id, key)] = episode
        else:
            outcomes.append(_failed(episode, error, started))
            _progress("advance", outcomes[-1])
        _collect_writes(writes, outcomes, started, block=False)
    _collect_writes(writes, outcomes, started, block=True)
    return sorted(outcomes, key=lambda outcome: outcome.path)


def _collect_writes(writes: dict, outcomes: list[EpisodeOutcome], started: dict[str, float], *, block: bool) -> None:
    """Record finished writes (all of them, waiting, when `block`)."""
    finished = list(as_completed(list(writes))) if block else [f for f in writes if f.state.is_final()]
    for future in finished:
        episode = writes.pop(future)
        rows, error = _result(future)
        if error is None:
            outcome = EpisodeOutcome(
                path=episode.source_path, status="done", episode_id=episode.episode_id, rows=rows,
                seconds=time.time() - started[episode.episode_id], warnings=list(episode.warnings),
            )
        else:
            outcome = _failed(episode, error, started)
        outcomes.append(outcome)
        _progress("advance", outcome)


def _failed(episode: Episode, error: BaseException, started: dict[str, float]) -> EpisodeOutcome:
    log.warning("episode %s failed: %s", episode.episode_id, error)
    return EpisodeOutcome(
        path=episode.source_path, status="failed", episode_id=episode.episode_id,
        error=f"{episode.source_path}: {error_text(error)}", seconds=time.time() - started[episode.episode_id],
    )


def run_batch(inputs: list[str], out: str, settings: Settings, *, compare: bool = False) -> dict[str, Any]:
    """Run `process-batch` with the task runner that `settings` asks for."""
    runner = make_task_runner(settings)
    # Taken here as well as in the flow, so a busy output folder is refused before Prefect starts.
    with Store(Path(out)).lock():
        return process_batch.with_options(task_runner=runner)(inputs, out, settings, compare)
