"""Storage: atomic partitions, schema checks, hidden files ignored, the lock, the state file."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from whoclaims.schemas import EPISODE_TABLES, EPISODES, TURNS, SchemaError, empty, to_frame
from whoclaims.storage import EpisodeIdError, OutputLockedError, Store, validate_episode_id


def _tables(episode_id: str, *, text: str = "Hello there.") -> dict[str, pl.DataFrame]:
    tables = {name: empty(schema) for name, schema in EPISODE_TABLES.items()}
    tables["turns"] = to_frame(
        [{"episode_id": episode_id, "turn_id": 0, "speaker": "A", "text": text, "start_char": 0, "end_char": len(text)}],
        TURNS,
    )
    tables["episodes"] = to_frame([{"episode_id": episode_id, "title": "t", "format": "plain", "n_turns": 1}], EPISODES)
    return tables


@pytest.mark.parametrize("bad", ["", "../x", "/etc/passwd", "a/b", "-rf", "CON", "nul.txt", "x.", "a b", "é" * 3, "a\x00b", "a" * 200])
def test_unsafe_episode_ids_are_rejected(bad):
    with pytest.raises(EpisodeIdError):
        validate_episode_id(bad)


def test_safe_episode_ids_pass():
    for good in ["robert-person-negotiate", "RUS_78_2023", "ep.1", "a"]:
        assert validate_episode_id(good) == good


def test_write_and_scan_round_trip(tmp_path):
    store = Store(tmp_path)
    rows = store.write_episode("ep1", _tables("ep1"))
    store.write_episode("ep2", _tables("ep2", text="Other."))
    assert rows["turns"] == 1
    turns = store.read("turns").sort("episode_id")
    assert turns["episode_id"].to_list() == ["ep1", "ep2"]
    assert turns.schema == TURNS
    assert store.episode_ids() == ["ep1", "ep2"]
    assert_frame_equal(store.read("turns", episode_id="ep2").drop("episode_id"), _tables("ep2", text="Other.")["turns"].drop("episode_id"))


def test_rewrite_overwrites_only_its_partition(tmp_path):
    store = Store(tmp_path)
    store.write_episode("ep1", _tables("ep1"))
    store.write_episode("ep2", _tables("ep2"))
    store.write_episode("ep1", _tables("ep1", text="Changed."))
    turns = store.read("turns").sort("episode_id")
    assert turns["text"].to_list() == ["Changed.", "Hello there."]


def test_hidden_and_temporary_files_are_ignored(tmp_path):
    store = Store(tmp_path)
    store.write_episode("ep1", _tables("ep1"))
    folder = store.partition_path("turns", "ep1").parent
    (folder / ".part.parquet.abc.tmp").write_bytes(b"garbage")
    (folder / ".hidden.parquet").write_bytes(b"garbage")
    (folder / "_temporary.parquet").write_bytes(b"garbage")
    assert store.read("turns").height == 1


def test_schema_mismatch_writes_nothing(tmp_path):
    store = Store(tmp_path)
    store.write_episode("ep1", _tables("ep1"))
    tables = _tables("ep1", text="New.")
    tables["turns"] = tables["turns"].with_columns(pl.col("start_char").cast(pl.Float64))
    with pytest.raises(SchemaError):
        store.write_episode("ep1", tables)
    assert store.read("turns")["text"].to_list() == ["Hello there."]


def test_rows_of_another_episode_are_refused(tmp_path):
    tables = _tables("ep1")
    with pytest.raises(Exception, match="other episodes"):
        Store(tmp_path).write_episode("ep2", tables)


def test_killed_write_leaves_previous_partition_readable(tmp_path):
    """A process killed in the middle of writing a partition leaves the old file intact."""
    store = Store(tmp_path)
    store.write_episode("ep1", _tables("ep1"))
    script = textwrap.dedent(
        f"""
        import os, polars as pl
        from whoclaims import storage
        from tests.test_storage import _tables

        real = pl.DataFrame.write_parquet
        def dying_write(self, file, **kwargs):
            with open(file, "wb") as handle:
                handle.write(b"PAR1 half a file")
                handle.flush()
            os.kill(os.getpid(), 9)
        pl.DataFrame.write_parquet = dying_write
        storage.Store({str(tmp_path)!r}).write_episode("ep1", _tables("ep1", text="Never written."))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parents[1], capture_output=True)
    assert result.returncode == -9, result.stderr.decode()
    leftovers = list(store.partition_path("texts", "ep1").parent.iterdir())
    assert any(p.name.startswith(".") for p in leftovers), "the killed write should have left a temporary file"
    assert store.read("turns")["text"].to_list() == ["Hello there."]
    assert store.read("texts").height == 0


def test_lock_refuses_a_second_holder(tmp_path):
    store = Store(tmp_path)
    script = (
        "import sys, time; from whoclaims.storage import Store\n"
        f"with Store({str(tmp_path)!r}).lock():\n    print('held', flush=True); time.sleep(30)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == b"held"
        with pytest.raises(OutputLockedError, match="in use by another whoclaims run"):
            with store.lock():
                pass
    finally:
        holder.kill()
        holder.wait()
    with store.lock():  # released when the holder dies
        pass


def test_state_round_trip_and_corrupt_state_is_ignored(tmp_path):
    store = Store(tmp_path)
    assert store.read_state() == {}
    store.record_success("ep1", {"content_hash": "x"})
    assert store.read_state() == {"ep1": {"content_hash": "x"}}
    store.state_path.write_text("{not json")
    assert store.read_state() == {}


def test_partition_paths_stay_inside_the_root(tmp_path):
    store = Store(tmp_path)
    path = store.partition_path("claims", "ep1")
    assert path.is_relative_to(tmp_path.resolve())
    with pytest.raises(EpisodeIdError):
        store.partition_path("claims", "..")
    assert os.sep not in "ep1"


def test_written_files_are_readable_like_ordinary_files(tmp_path):
    """mkstemp creates 0600 files; outputs get the mode a plain open() would give them."""
    store = Store(tmp_path)
    store.write_episode("ep1", _tables("ep1"))
    mask = os.umask(0)
    os.umask(mask)
    mode = store.partition_path("turns", "ep1").stat().st_mode & 0o777
    assert mode == 0o666 & ~mask


def test_partitions_of_an_older_schema_stay_readable(tmp_path):
    """A folder written before columns were added and the format Enum grew reads as the current schema."""
    store = Store(tmp_path)
    old_formats = pl.Enum(["speaker_header", "inline", "timestamped", "vtt", "srt", "json", "plain"])
    old_turns = pl.DataFrame(
        {"turn_id": [0], "speaker": ["A"], "speaker_id": [None], "role": [None], "text": ["Old."],
         "start_char": [0], "end_char": [4], "start_s": [None], "end_s": [None], "retired": ["gone"]},
        schema={"turn_id": pl.Int32, "speaker": pl.String, "speaker_id": pl.String, "role": pl.String,
                "text": pl.String, "start_char": pl.Int64, "end_char": pl.Int64, "start_s": pl.Float64,
                "end_s": pl.Float64, "retired": pl.String},
    )
    old_episode = pl.DataFrame({"title": ["t"], "format": ["inline"]}, schema={"title": pl.String, "format": old_formats})
    for table, frame in (("turns", old_turns), ("episodes", old_episode)):
        path = store.partition_path(table, "old")
        path.parent.mkdir(parents=True)
        frame.write_parquet(path)
    tables = _tables("new", text="New.")
    tables["turns"] = tables["turns"].with_columns(pl.lit("Intro").alias("section"))
    tables["episodes"] = to_frame([{"episode_id": "new", "format": "markdown", "warnings": ["one_speaker: x"]}], EPISODES)
    store.write_episode("new", tables)

    turns = store.read("turns").sort("episode_id")
    assert turns.schema == TURNS
    assert turns.select("episode_id", "text", "section").rows() == [("new", "New.", "Intro"), ("old", "Old.", None)]
    episodes = store.read("episodes").sort("episode_id")
    assert episodes.schema == EPISODES
    assert episodes.select("episode_id", "format", "warnings").rows() == [
        ("new", "markdown", ["one_speaker: x"]), ("old", "inline", None),
    ]
    assert store.read("episodes", episode_id="old")["format"].to_list() == ["inline"]
