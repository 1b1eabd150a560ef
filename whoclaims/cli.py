"""The `whoclaims` command line.

    whoclaims run [PATH ...] [--out DIR]      process transcripts (default data/raw -> data/processed)
    whoclaims inspect FILE ...               show how files are read (format, speakers, warnings); no model
    whoclaims show TABLE [--episode ID]      print a table
    whoclaims compare [--episode ID]         compare episodes
    whoclaims report [--out report.html]     write a self-contained HTML report
    whoclaims evaluate --gold FILE.jsonl     score the claims table against gold labels
    whoclaims serve --cron "0 6 * * *"       serve the batch flow on a schedule (needs `prefect server start`)

The main job runs without a Prefect server: a temporary local one starts on the
first flow call. Prefect's own log lines are kept at WARNING unless --verbose.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import warnings
from pathlib import Path
from typing import Annotated, Optional

# `requests` (through Prefect and the Hugging Face hub) imports urllib3's SOCKS support, which
# warns on every run when PySocks is absent; whoclaims makes no proxied requests of its own.
warnings.filterwarnings("ignore", message="SOCKS support in urllib3 requires")

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="whoclaims: who claims what about which question, in podcast and interview transcripts.",
    pretty_exceptions_enable=False,
)

DEFAULT_INPUT = Path("data/raw")
DEFAULT_OUT = Path("data/processed")

ConfigOption = Annotated[Optional[Path], typer.Option("--config", help="Settings file (TOML); default ./whoclaims.toml if present.")]
OutOption = Annotated[Path, typer.Option("--out", "-o", help="Output folder of the tables.")]
VerboseOption = Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's and whoclaims' log lines.")]
FORMAT_HELP = (
    "Force one input format for every file: speaker_header, inline, timestamped, press, plain, markdown, html, "
    "vtt, srt, json or yaml (default: detected per file; `whoclaims inspect` shows what is detected)."
)


def _quiet_prefect(verbose: bool) -> None:
    """Environment for a clean terminal: analytics off, Prefect logs at WARNING, generous start-up."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_LOG_PRINTS", "false")
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("transformers", "huggingface_hub", "httpx", "distributed", "asyncio", "uvicorn"):
        logging.getLogger(noisy).setLevel(logging.INFO if verbose else logging.ERROR)


def _fail(message: str, code: int = 2) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def _settings(config: Path | None, **overrides):
    from whoclaims.settings import SettingsError, load_settings

    try:
        return load_settings(config, **overrides)
    except SettingsError as error:
        _fail(str(error))


@app.command()
def run(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Transcript files or folders (default: data/raw).")] = None,
    out: OutOption = DEFAULT_OUT,
    config: ConfigOption = None,
    format: Annotated[Optional[str], typer.Option("--format", help=FORMAT_HELP)] = None,
    default_speaker: Annotated[Optional[str], typer.Option(help="Speaker of files with no speaker labels.")] = None,
    concurrency: Annotated[Optional[int], typer.Option(help="Episodes processed at once (default 2).")] = None,
    runner: Annotated[Optional[str], typer.Option(help="Task runner: thread (default) or dask.")] = None,
    dask_address: Annotated[Optional[str], typer.Option(help="Address of a running Dask scheduler, tcp://host:8786.")] = None,
    compare: Annotated[bool, typer.Option("--compare/--no-compare", help="Also build the comparison tables.")] = False,
    max_input_bytes: Annotated[Optional[int], typer.Option(
        help="Refuse input files larger than this many bytes (default 20,000,000); the rest of the batch goes on.")] = None,
    verbose: VerboseOption = False,
) -> None:
    """Process transcripts into tables: episodes, turns, sentences, mentions, actors, claims, assertions."""
    _quiet_prefect(verbose)
    if dask_address and runner is None:
        runner = "dask"
    settings = _settings(
        config, force_format=format, default_speaker=default_speaker, concurrency=concurrency,
        runner=runner, dask_address=dask_address, max_input_bytes=max_input_bytes,
    )
    inputs = [str(p) for p in (paths or [DEFAULT_INPUT])]
    missing = [p for p in inputs if not Path(p).exists()]
    if missing:
        _fail(f"no such file or folder: {', '.join(missing)}")

    from whoclaims.storage import OutputLockedError, Store

    # The output folder is held from here to the end of the run (the lock is re-entrant, and dies
    # with the process): a second run is refused at once, not after its Prefect server has started.
    try:
        with Store(out).lock():
            _run_held(inputs, out, settings, compare=compare, verbose=verbose)
    except OutputLockedError as error:
        _fail(str(error), code=3)


def _run_held(inputs: list[str], out: Path, settings, *, compare: bool, verbose: bool) -> None:
    """The rest of `run`, with the output folder held: nothing new to do, or the batch flow."""
    manifest = _run_if_unchanged(inputs, out, settings)
    if manifest is not None:
        _print_run_summary(manifest, out)
        raise typer.Exit(1 if manifest["counts"]["failed"] else 0)

    if settings.runner == "thread":
        _warm_models(settings)
    from flows import batch

    if not verbose:
        # Failed tasks are reported once, in the closing summary, not as engine log lines.
        for name in ("prefect.task_runs", "prefect.flow_runs"):
            logging.getLogger(name).setLevel(logging.CRITICAL)

    from prefect.exceptions import TerminationSignal

    from flows.server import stop_now, temporary_server

    progress = _Progress(enabled=sys.stderr.isatty() and not verbose)
    batch.PROGRESS_HOOK = progress.hook
    server = None
    try:
        with _terminate_as_interrupt():
            with temporary_server() as server, progress:
                manifest = batch.run_batch(inputs, str(out), settings, compare=compare)
    except (KeyboardInterrupt, TerminationSignal):
        # TerminationSignal: Prefect's own SIGTERM handler, active while a flow runs, got the signal first.
        _leave_interrupted(out, server=server, stop_server=stop_now)
    finally:
        batch.PROGRESS_HOOK = None
    _print_run_summary(manifest, out)
    if manifest["counts"]["failed"]:
        raise typer.Exit(1)


INTERRUPTED = ("interrupted: the episodes finished so far are kept in {out}; run the same command again to "
               "process the rest")


@contextlib.contextmanager
def _terminate_as_interrupt():
    """While a batch runs, SIGTERM (a scheduler or `kill` stopping the run) is handled like Ctrl-C:
    the first one asks the extraction to stop (`whoclaims.cancellation`) and interrupts the main
    thread; later ones are ignored while the run leaves (`_leave_interrupted`). Finished episodes
    are already in place (every file is written to a temporary name and renamed)."""
    import signal
    import threading

    from whoclaims import cancellation

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    cancellation.clear()

    def interrupt(signum, frame):
        if cancellation.stop_requested():
            return  # already leaving
        cancellation.request_stop()
        raise KeyboardInterrupt

    previous = {signum: signal.signal(signum, interrupt) for signum in (signal.SIGTERM, signal.SIGINT)}
    yield
    # Restored only when the batch ends normally: an interrupted run keeps ignoring
    # further signals until it has printed its line and left.
    for signum, handler in previous.items():
        signal.signal(signum, handler)


def _leave_interrupted(out: Path, *, server, stop_server) -> None:
    """Print the one line, stop the temporary server, and exit 130 at once.

    The process leaves with `os._exit`: a worker thread may still be inside a spaCy
    batch (it stops at its next check), and Prefect's exit handlers would report to
    a server that is gone; neither may delay the exit or print a traceback. Everything
    written so far is complete (atomic writes), and the output lock dies with the process.
    """
    typer.secho(f"error: {INTERRUPTED.format(out=out)}", fg=typer.colors.RED, err=True)
    stop_server(server)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(130)


def _warm_models(settings) -> None:
    """Load the models in the background while Prefect's temporary server starts.

    The tasks use the same per-process caches, so they find the models loaded
    (or wait for the load under its lock) instead of loading after the server is up.
    """
    import threading

    def load() -> None:
        from whoclaims.pipeline import load_models

        try:
            load_models(settings)
        except Exception:  # noqa: BLE001 - the task that needs the models reports the error
            logging.getLogger(__name__).debug("background model load failed", exc_info=True)

    threading.Thread(target=load, name="whoclaims-warm-models", daemon=True).start()


def _run_if_unchanged(inputs: list[str], out: Path, settings) -> dict | None:
    """The manifest of a run with nothing new to process, done without Prefect or models; else None."""
    import time

    from whoclaims.batch import build_manifest, check_unchanged, new_run_id
    from whoclaims.storage import Store

    store = Store(out)
    if not store.episode_ids():
        return None
    started = time.time()
    with store.lock():
        outcomes = check_unchanged(inputs, store=store, settings=settings)
        if outcomes is None:
            return None
        run_id = new_run_id()
        manifest = build_manifest(run_id, outcomes, settings=settings, started=started, finished=time.time())
        manifest["orchestration"] = "none: nothing new to process"
        store.write_manifest(run_id, manifest)
    return manifest


class _Progress:
    """A rich progress bar on a terminal, silent elsewhere."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._bar = None
        self._task = None

    def __enter__(self):
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("[bold]episodes"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                TextColumn("{task.description}"), transient=True,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task("", total=None)
        return self

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def hook(self, event: str, detail) -> None:
        if self._bar is None:
            return
        if event == "total":
            self._bar.update(self._task, total=detail)
        elif event == "advance":
            self._bar.update(self._task, advance=1, description=f"{detail.episode_id or Path(detail.path).name}: {detail.status}")


def _print_run_summary(manifest: dict, out: Path) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from whoclaims.batch import table_totals
    from whoclaims.storage import Store

    console = Console(soft_wrap=True)
    counts = manifest["counts"]
    console.print(
        f"[bold]whoclaims run[/bold] {manifest['run_id']}: {counts['done']} done, {counts['skipped']} skipped, "
        f"{counts['failed']} failed in {manifest['seconds']:.1f} s -> {out}"
    )
    for episode in manifest["episodes"]:
        if episode["status"] == "failed":
            console.print(f"  [red]failed[/red] {escape(episode['error'])}", markup=True, highlight=False)
    warned = [episode for episode in manifest["episodes"] if episode.get("warnings")]
    if warned:
        console.print(
            f"[yellow]{len(warned)} file(s) with warnings[/yellow] (also in the `episodes.warnings` column "
            "and the run manifest):", markup=True, highlight=False,
        )
    for episode in warned:
        for warning in episode["warnings"]:
            console.print(f"  [yellow]warning[/yellow] {escape(episode['path'])}: {escape(warning)}",
                          markup=True, highlight=False)
    store = Store(out)
    totals = table_totals(store)
    written = manifest["rows_written"]
    table = Table(title="rows per table", show_edge=False)
    table.add_column("table")
    table.add_column("written this run", justify="right")
    table.add_column("total", justify="right")
    for name, total in totals.items():
        table.add_row(name, str(written.get(name, 0)), str(total))
    console.print(table)
    _print_top_actors(console, store)


def _print_top_actors(console, store, *, episode_id: str | None = None, top: int = 8) -> None:
    import polars as pl

    actors = store.scan("actors")
    if episode_id:
        actors = actors.filter(pl.col("episode_id") == episode_id)
    frame = (
        actors.group_by("actor_id", "canonical_name", "type")
        .agg(pl.col("mention_count").sum().alias("mentions"), pl.col("episode_id").n_unique().alias("episodes"))
        .sort(["mentions", "actor_id"], descending=[True, False])
        .head(top)
        .collect()
    )
    if frame.height:
        console.print("top actors: " + ", ".join(f"{r['canonical_name']} ({r['mentions']})" for r in frame.iter_rows(named=True)))


@app.command("inspect")
def inspect_command(
    paths: Annotated[list[Path], typer.Argument(help="Transcript files or folders.")],
    config: ConfigOption = None,
    format: Annotated[Optional[str], typer.Option("--format", help=FORMAT_HELP)] = None,
    default_speaker: Annotated[Optional[str], typer.Option(help="Speaker of files with no speaker labels.")] = None,
    turns: Annotated[int, typer.Option("--turns", help="First turns to show per file.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per file.")] = False,
) -> None:
    """Show how transcript files are read, without loading any model: the detected format,
    the speakers with their turn counts, the first turns and any warnings. Exits 1 if a file cannot be read."""
    settings = _settings(config, force_format=format, default_speaker=default_speaker)
    missing = [str(path) for path in paths if not path.exists() and not path.is_symlink()]
    if missing:
        _fail(f"no such file or folder: {', '.join(missing)}")
    from whoclaims import pipeline
    from whoclaims.batch import list_inputs
    from whoclaims.ingest import IngestError
    from whoclaims.inspection import describe_episode, format_description

    failed = 0
    for path, root in list_inputs([str(path) for path in paths]):
        try:
            episode = pipeline.read(path, settings=settings, input_root=root)
        except IngestError as error:
            failed += 1
            if as_json:
                typer.echo(json.dumps({"path": path, "error": str(error)}, ensure_ascii=False))
            else:
                typer.secho(f"{path}: cannot be read: {error.problem}", fg=typer.colors.RED)
            continue
        summary = describe_episode(episode, first_turns=max(turns, 0))
        typer.echo(json.dumps(summary, ensure_ascii=False) if as_json else format_description(summary) + "\n")
    if failed:
        raise typer.Exit(1)


@app.command()
def show(
    table: Annotated[str, typer.Argument(help="episodes, turns, sentences, mentions, actors, claims, assertions, texts, or a comparison table.")],
    episode: Annotated[Optional[str], typer.Option("--episode", "-e", help="Only this episode.")] = None,
    out: OutOption = DEFAULT_OUT,
    limit: Annotated[int, typer.Option(help="Rows to print (0: all).")] = 20,
    columns: Annotated[Optional[str], typer.Option(help="Comma-separated columns to print.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print rows as JSON lines.")] = False,
) -> None:
    """Print a table readably."""
    import polars as pl

    from whoclaims.schemas import ALL_TABLES
    from whoclaims.storage import EpisodeIdError, Store

    if table not in ALL_TABLES:
        _fail(f"unknown table {table!r}; choose one of {', '.join(ALL_TABLES)}")
    store = Store(out)
    try:
        frame = store.read(table, episode_id=episode) if episode and "episode_id" in ALL_TABLES[table] else store.read(table)
    except EpisodeIdError as error:
        _fail(str(error))
    if columns:
        wanted = [c.strip() for c in columns.split(",") if c.strip()]
        unknown = [c for c in wanted if c not in frame.columns]
        if unknown:
            _fail(f"unknown columns {unknown} for table {table!r}")
        frame = frame.select(wanted)
    elif table == "claims":
        frame = frame.select("episode_id", "speaker", "holder", "attribution", "topic", "stance", "stance_score", "hedged", "claim")
    elif table == "assertions":
        frame = frame.select("episode_id", "speaker", "holder", pl.col("topic").alias("nearest_topic"), "topic_score", "claim")
    elif table == "mentions":
        frame = frame.select("episode_id", "sentence_id", "speaker", "text", "label", "actor_id", "canonical_name", "source")
    elif table == "texts":
        frame = frame.with_columns(pl.col("text").str.slice(0, 200))
    total = frame.height
    if limit:
        frame = frame.head(limit)
    if as_json:
        for row in frame.iter_rows(named=True):
            typer.echo(json.dumps(row, default=str, ensure_ascii=False))
        return
    with pl.Config(tbl_rows=-1, tbl_cols=-1, fmt_str_lengths=80, tbl_width_chars=200, tbl_hide_dataframe_shape=True):
        typer.echo(frame)
    typer.echo(f"{frame.height} of {total} rows of {table}" + (f" for episode {episode}" if episode else ""))
    if table == "mentions":
        from rich.console import Console

        _print_top_actors(Console(), store, episode_id=episode)


@app.command("compare")
def compare_command(
    episode: Annotated[Optional[str], typer.Option("--episode", "-e", help="Compare this episode against the others.")] = None,
    out: OutOption = DEFAULT_OUT,
    config: ConfigOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Compare episodes: stance per holder and topic, changes, salient actors, similar claims."""
    _quiet_prefect(verbose)
    settings = _settings(config)
    from whoclaims.storage import Store

    if not Store(out).episode_ids():
        _fail(f"no processed episodes in {out}; run `whoclaims run` first")
    from flows.compare import compare_episodes
    from flows.server import temporary_server

    with temporary_server():
        markdown = compare_episodes(str(out), settings, episode)
    typer.echo(markdown)


@app.command()
def report(
    out_file: Annotated[Path, typer.Option("--out", help="HTML file to write.")] = Path("report.html"),
    data: Annotated[Path, typer.Option("--data", help="Folder of processed tables.")] = DEFAULT_OUT,
    config: ConfigOption = None,
    episode: Annotated[Optional[list[str]], typer.Option("--episode", "-e", help="Only these episodes.")] = None,
) -> None:
    """Write one self-contained HTML report (no network needed to view it)."""
    _quiet_prefect(False)
    settings = _settings(config)
    from whoclaims.compare import build_comparison
    from whoclaims.report import write_report
    from whoclaims.storage import Store

    store = Store(data)
    if not store.episode_ids():
        _fail(f"no processed episodes in {data}; run `whoclaims run` first")
    comparison = build_comparison(store, settings=settings)
    path = write_report(store, out_file, comparison=comparison, episode_ids=episode or None)
    typer.echo(f"wrote {path}")


@app.command()
def evaluate(
    gold: Annotated[list[Path], typer.Option("--gold", help="Gold file(s), JSON Lines per ANNOTATION.md.")],
    claims: Annotated[Path, typer.Option("--claims", help="Folder of processed tables.")] = DEFAULT_OUT,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    config: ConfigOption = None,
    exact_names: Annotated[bool, typer.Option(
        "--exact-names", help="Compare holder names as written, without the actors file's aliases.")] = False,
) -> None:
    """Score the claims table against gold labels: claims per topic, stance, holder, attribution,
    and holders on every found gold sentence whatever its topic (own and reported views).

    Holder names are compared through the actors file of the settings, so two names of one
    actor ("Zelenskyy", "Volodymyr Zelensky") agree; --exact-names turns that off.
    """
    from whoclaims.actors import ActorFileError, load_actor_catalog
    from whoclaims.evaluate import GoldFormatError, catalog_canonical, evaluate_paths

    missing = [str(p) for p in gold if not p.is_file()]
    if missing:
        _fail(f"no such gold file: {', '.join(missing)}")
    canonical = None
    if not exact_names:
        try:
            canonical = catalog_canonical(load_actor_catalog(_settings(config).actors_file))
        except ActorFileError as error:
            _fail(str(error))
    try:
        result = evaluate_paths(list(gold), claims, canonical=canonical)
    except GoldFormatError as error:
        _fail(str(error))
    typer.echo(json.dumps(result.to_dict(), indent=2) if as_json else result.format_table())


@app.command()
def serve(
    cron: Annotated[Optional[str], typer.Option(help="Cron schedule of the batch (default \"0 6 * * *\").")] = None,
    interval: Annotated[Optional[float], typer.Option(help="Run every this many seconds instead of a cron schedule.")] = None,
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Input folders (default data/raw).")] = None,
    out: OutOption = DEFAULT_OUT,
    config: ConfigOption = None,
) -> None:
    """Serve `process-batch` (then the comparison) on a schedule, one run at a time.

    A schedule only fires against a running Prefect server: start one with
    `prefect server start` and set PREFECT_API_URL first (see the README).
    """
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if not os.environ.get("PREFECT_API_URL"):
        _fail(
            "a schedule needs a running Prefect server: run `prefect server start` in another terminal, then "
            "`export PREFECT_API_URL=http://127.0.0.1:4200/api` and try again"
        )
    if cron is not None and interval is not None:
        _fail("give --cron or --interval, not both")
    if interval is not None and interval <= 0:
        _fail(f"--interval must be positive, got {interval}")
    settings = _settings(config)
    from flows.batch import process_batch

    inputs = [str(p) for p in (paths or [DEFAULT_INPUT])]
    schedule = {"interval": interval} if interval is not None else {"cron": cron or "0 6 * * *"}
    process_batch.serve(
        name="whoclaims-daily",
        parameters={"inputs": inputs, "out": str(out), "settings": settings, "compare": True},
        pause_on_shutdown=False,
        # Runs of one output folder exclude each other (its lock): never start a second while one runs.
        limit=1,
        **schedule,
    )


def main() -> None:
    app()


if __name__ == "__main__":
    main()
