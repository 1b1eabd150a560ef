"""The one module that owns every path under an output folder.

Layout of an output folder (default `data/processed/`):

    <table>/episode_id=<id>/part.parquet    one hive partition per episode and table
    compare/<table>.parquet                  cross-episode comparison tables
    _state/episodes.json                     last successful run key per episode
    _state/runs/<run_id>.json                one manifest per run
    .lock                                    held while a run writes

Every write is atomic: a temporary file in the same folder (a name starting
with `.` and not ending in `.parquet`), fsync, then `os.replace`. A crash
leaves the old file or the new one, never a torn one. Readers scan the
partitions and skip hidden and underscore files. Partitions written under an
older schema of a table (before a column was added or an Enum gained labels)
are read as the current schema: added columns null, dropped ones left out.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from whoclaims.schemas import ALL_TABLES, COMPARISON_TABLES, EPISODE_TABLES, conform, empty

log = logging.getLogger(__name__)

EPISODE_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
PART_NAME = "part.parquet"
# Serialises read-modify-write of the state file between threads of one run.
_STATE_LOCK = threading.Lock()
# Output folders whose lock this process holds: root -> [file handle, depth].
_HELD: dict[Path, list] = {}
_HELD_LOCK = threading.Lock()
_UMASK_LOCK = threading.Lock()


class StorageError(RuntimeError):
    """An output folder cannot be used as asked."""


class EpisodeIdError(ValueError):
    """An episode id is not a safe name."""


class OutputLockedError(StorageError):
    """Another run holds the output folder."""


def validate_episode_id(episode_id: str) -> str:
    """Return `episode_id` if it is a safe file name, else raise `EpisodeIdError`."""
    if not EPISODE_ID_PATTERN.fullmatch(episode_id or ""):
        raise EpisodeIdError(
            f"episode id {episode_id!r} is not a safe name (letters, digits, '.', '_', '-'; "
            "starting with a letter or digit; at most 128 characters)"
        )
    if episode_id.endswith(".") or episode_id.split(".")[0].upper() in _WINDOWS_RESERVED:
        raise EpisodeIdError(f"episode id {episode_id!r} is a reserved or trailing-dot name")
    return episode_id


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _umask_mode() -> int:
    """The mode a plain `open()` would give a new file (mkstemp makes it 0600)."""
    with _UMASK_LOCK:
        mask = os.umask(0)
        os.umask(mask)
    return 0o666 & ~mask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (temporary file in the same folder, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, _umask_mode())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def atomic_write_parquet(frame: pl.DataFrame, path: Path) -> None:
    """Write `frame` as Parquet to `path` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        os.chmod(tmp, _umask_mode())
        frame.write_parquet(tmp, statistics=True)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


@dataclass(frozen=True)
class Store:
    """Paths and reads/writes of one output folder."""

    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root).resolve())

    # ---------------------------------------------------------------- paths
    def table_dir(self, table: str) -> Path:
        if table not in ALL_TABLES:
            raise StorageError(f"unknown table {table!r}; known: {sorted(ALL_TABLES)}")
        if table in COMPARISON_TABLES:
            return self.root / "compare"
        return self.root / table

    def partition_path(self, table: str, episode_id: str) -> Path:
        validate_episode_id(episode_id)
        path = (self.table_dir(table) / f"episode_id={episode_id}" / PART_NAME).resolve()
        if not path.is_relative_to(self.root):
            raise EpisodeIdError(f"episode id {episode_id!r} would escape {self.root}")
        return path

    def comparison_path(self, table: str) -> Path:
        return self.table_dir(table) / f"{table}.parquet"

    @property
    def state_dir(self) -> Path:
        return self.root / "_state"

    @property
    def state_path(self) -> Path:
        return self.state_dir / "episodes.json"

    def manifest_path(self, run_id: str) -> Path:
        return self.state_dir / "runs" / f"{run_id}.json"

    # ---------------------------------------------------------------- writes
    def write_episode(self, episode_id: str, tables: dict[str, pl.DataFrame]) -> dict[str, int]:
        """Write every per-episode table of one episode; returns rows per table.

        All frames are checked against their schema before anything is written, so
        a bad frame leaves the old partitions untouched. `episodes` is written last.
        """
        missing = set(EPISODE_TABLES) - set(tables)
        if missing:
            raise StorageError(f"episode {episode_id!r}: tables missing from the write: {sorted(missing)}")
        checked = {}
        for table, schema in EPISODE_TABLES.items():
            frame = conform(tables[table], schema, table=table)
            if frame.height and frame["episode_id"].unique().to_list() != [episode_id]:
                raise StorageError(f"table {table!r} holds rows of other episodes than {episode_id!r}")
            # The hive partition carries episode_id; the file itself does not repeat it.
            checked[table] = frame.drop("episode_id")
        for table in EPISODE_TABLES:
            atomic_write_parquet(checked[table], self.partition_path(table, episode_id))
        return {table: frame.height for table, frame in checked.items()}

    def write_comparison(self, tables: dict[str, pl.DataFrame]) -> None:
        for table, frame in tables.items():
            atomic_write_parquet(conform(frame, COMPARISON_TABLES[table], table=table), self.comparison_path(table))

    # ---------------------------------------------------------------- reads
    def scan(self, table: str) -> pl.LazyFrame:
        """Lazy scan of a table over all episode partitions (empty when nothing is written)."""
        schema = ALL_TABLES[table]
        if table in COMPARISON_TABLES:
            path = self.comparison_path(table)
            return pl.scan_parquet(path) if path.is_file() else empty(schema).lazy()
        folder = self.table_dir(table)
        parts = sorted(folder.glob(f"episode_id=*/{PART_NAME}"))
        if not parts:
            return empty(schema).lazy()
        file_schema = pl.Schema({k: v for k, v in schema.items() if k != "episode_id"})
        older = [path for path in parts if _file_schema(path) != file_schema]
        if not older:
            frame = pl.scan_parquet(
                folder / "**" / "*.parquet",
                hive_partitioning=True,
                hive_schema=pl.Schema({"episode_id": pl.String}),
                schema=file_schema,
                hidden_file_prefix=[".", "_"],
            )
            return frame.select(list(schema.names()))
        return _scan_drifted(parts, schema)

    def read(self, table: str, *, episode_id: str | None = None) -> pl.DataFrame:
        frame = self.scan(table)
        if episode_id is not None:
            frame = frame.filter(pl.col("episode_id") == validate_episode_id(episode_id))
        return frame.collect()

    def episode_ids(self) -> list[str]:
        folder = self.root / "episodes"
        return sorted(p.parent.name.split("=", 1)[1] for p in folder.glob(f"episode_id=*/{PART_NAME}"))

    # ---------------------------------------------------------------- state
    def read_state(self) -> dict[str, dict[str, Any]]:
        """Run key of the last successful run of each episode."""
        try:
            return json.loads(self.state_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, json.JSONDecodeError) as error:
            log.warning("ignoring unreadable state file %s: %s", self.state_path, error)
            return {}

    def record_success(self, episode_id: str, key: dict[str, Any]) -> None:
        """Record the run key of an episode whose tables are all written (read-modify-write under the lock)."""
        with _STATE_LOCK:
            state = self.read_state()
            state[episode_id] = key
            atomic_write_bytes(self.state_path, json.dumps(state, indent=1, sort_keys=True).encode())

    def write_manifest(self, run_id: str, manifest: dict[str, Any]) -> Path:
        path = self.manifest_path(run_id)
        atomic_write_bytes(path, json.dumps(manifest, indent=1, sort_keys=True, default=str).encode())
        return path

    def latest_manifest(self) -> dict[str, Any] | None:
        runs = sorted((self.state_dir / "runs").glob("*.json"))
        return json.loads(runs[-1].read_text(encoding="utf-8")) if runs else None

    # ---------------------------------------------------------------- lock
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the output folder for one run; refuse clearly if another process holds it.

        Re-entrant within a process, so the CLI can take the lock before starting
        Prefect (a clean refusal) and the flow can take it again (for runs that do
        not come through the CLI, such as a served deployment).
        """
        with _HELD_LOCK:
            if self.root in _HELD:
                _HELD[self.root][1] += 1
                reentered = True
            else:
                reentered = False
        if reentered:
            try:
                yield
            finally:
                with _HELD_LOCK:
                    _HELD[self.root][1] -= 1
            return
        self.root.mkdir(parents=True, exist_ok=True)
        handle = open(self.root / ".lock", "a+")
        try:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                if error.errno in (errno.EAGAIN, errno.EACCES):
                    handle.seek(0)
                    holder = handle.read().strip() or "unknown"
                    raise OutputLockedError(
                        f"{self.root} is in use by another whoclaims run (pid {holder}); "
                        "wait for it to finish or use another --out"
                    ) from error
                raise
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            with _HELD_LOCK:
                _HELD[self.root] = [handle, 1]
            try:
                yield
            finally:
                with _HELD_LOCK:
                    del _HELD[self.root]
        finally:
            handle.close()


@functools.lru_cache(maxsize=65536)
def _cached_file_schema(path: str, size: int, mtime_ns: int) -> pl.Schema:
    del size, mtime_ns  # cache key only: a rewritten partition is read again
    return pl.read_parquet_schema(path)


def _file_schema(path: Path) -> pl.Schema | None:
    """The schema stored in one partition file (cached until the file changes); None if unreadable."""
    try:
        stat = path.stat()
        return _cached_file_schema(str(path), stat.st_size, stat.st_mtime_ns)
    except (OSError, pl.exceptions.PolarsError):
        return None


def _scan_drifted(parts: list[Path], schema: pl.Schema) -> pl.LazyFrame:
    """Scan partitions written under older schemas of the same table, as `schema`.

    Partitions are grouped by the schema their files carry; each group is scanned
    with its own schema, then columns are cast to the current dtypes (an Enum that
    gained labels, for instance), columns added since are null and columns dropped
    since are left out. A dtype that cannot be cast fails at collect.
    """
    groups: dict[tuple, tuple[pl.Schema, list[Path]]] = {}
    for path in parts:
        found = _file_schema(path)
        if found is None:
            raise StorageError(f"{path}: cannot read the Parquet schema of this partition")
        groups.setdefault(tuple((name, str(dtype)) for name, dtype in found.items()), (found, []))[1].append(path)
    frames = []
    for found, paths in groups.values():
        frame = pl.scan_parquet(
            [str(path) for path in paths],
            hive_partitioning=True,
            hive_schema=pl.Schema({"episode_id": pl.String}),
            schema=found,
        )
        frames.append(frame.select([
            pl.col(name).cast(dtype) if name in found or name == "episode_id" else pl.lit(None, dtype=dtype).alias(name)
            for name, dtype in schema.items()
        ]))
    return pl.concat(frames, how="vertical")
