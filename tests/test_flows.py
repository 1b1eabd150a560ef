"""The batch flow end to end with a model-free extraction stage: skips, failures, manifest, kill, lock."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests import fakes
from whoclaims import pipeline
from whoclaims.schemas import EPISODE_TABLES
from whoclaims.settings import Settings
from whoclaims.storage import Store

pytestmark = pytest.mark.flows
REPO = Path(__file__).resolve().parents[1]


def _write_inputs(folder: Path, count: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        (folder / f"ep{index}.txt").write_text(
            f"HOST: Welcome to episode {index}.\nGUEST: Thank you, this is episode {index}.\nHOST: Goodbye.\n",
            encoding="utf-8",
        )
    return folder


@pytest.fixture
def fake_extract(monkeypatch):
    fakes.CALLS.clear()
    monkeypatch.setattr(pipeline, "extract_tables", fakes.fake_extract_tables)
    return fakes.CALLS


def _run(inputs, out, **settings):
    from flows.batch import run_batch

    return run_batch([str(p) for p in inputs], str(out), Settings(**settings))


def test_batch_processes_skips_and_records_failures(prefect_harness, fake_extract, tmp_path):
    inputs = _write_inputs(tmp_path / "in")
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "CON.txt").write_text("HOST: hi\n")  # a device name: no safe id can be made of it
    out = tmp_path / "out"

    manifest = _run([inputs], out)
    assert manifest["counts"] == {"done": 3, "skipped": 0, "failed": 2}
    errors = {Path(e["path"]).name: e["error"] for e in manifest["episodes"] if e["status"] == "failed"}
    assert "empty.txt" in errors["empty.txt"]
    assert "CON" in errors["CON.txt"] and "unsafe episode id" in errors["CON.txt"]
    assert sorted(fake_extract) == ["ep0", "ep1", "ep2"]
    assert Store(out).episode_ids() == ["ep0", "ep1", "ep2"]
    assert json.loads(Store(out).manifest_path(manifest["run_id"]).read_text())["counts"]["done"] == 3

    fake_extract.clear()
    again = _run([inputs], out)
    assert again["counts"] == {"done": 0, "skipped": 3, "failed": 2}
    assert fake_extract == [], "an unchanged rerun must do no extraction work"

    (inputs / "ep1.txt").write_text("HOST: Changed.\nGUEST: Indeed.\n", encoding="utf-8")
    third = _run([inputs], out)
    assert third["counts"]["done"] == 1 and fake_extract == ["ep1"]
    assert "Changed." in Store(out).read("texts", episode_id="ep1")["text"][0]


def test_failed_extraction_keeps_the_previous_tables(prefect_harness, fake_extract, tmp_path):
    inputs = _write_inputs(tmp_path / "in", count=2)
    out = tmp_path / "out"
    _run([inputs], out)
    before = Store(out).read("turns", episode_id="ep0")
    (inputs / "ep0.txt").write_text("HOST: this will explode.\n", encoding="utf-8")
    manifest = _run([inputs], out)
    assert manifest["counts"] == {"done": 0, "skipped": 1, "failed": 1}
    assert "failed on purpose" in next(e["error"] for e in manifest["episodes"] if e["status"] == "failed")
    assert_frame_equal(Store(out).read("turns", episode_id="ep0"), before)


def test_settings_change_reprocesses(prefect_harness, fake_extract, tmp_path):
    inputs = _write_inputs(tmp_path / "in", count=1)
    out = tmp_path / "out"
    _run([inputs], out)
    fake_extract.clear()
    assert _run([inputs], out, concurrency=1)["counts"]["skipped"] == 1
    assert _run([inputs], out, topic_threshold=0.9)["counts"]["done"] == 1


def _cli(*args, env_extra=None, **kwargs):
    env = {**os.environ, "PYTHONPATH": str(REPO), **(env_extra or {})}
    return subprocess.Popen([sys.executable, "-m", "tests.fake_cli", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def _tables(out: Path) -> dict[str, pl.DataFrame]:
    store = Store(out)
    return {name: store.read(name).sort(store.read(name).columns[:3]) for name in EPISODE_TABLES}


def test_sigkill_midway_then_rerun_completes_identically(tmp_path):
    inputs = _write_inputs(tmp_path / "in", count=6)
    reference, killed = tmp_path / "reference", tmp_path / "killed"
    done = _cli("run", str(inputs), "--out", str(reference), "--concurrency", "1")
    assert done.wait(timeout=300) == 0, done.stderr.read()

    victim = _cli("run", str(inputs), "--out", str(killed), "--concurrency", "1",
                  env_extra={"WHOCLAIMS_FAKE_DELAY": "1.5"}, start_new_session=True)
    deadline = time.time() + 240
    while time.time() < deadline and len(Store(killed).episode_ids()) < 2:
        time.sleep(0.2)
    assert Store(killed).episode_ids(), "the batch never got going"
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    assert len(Store(killed).episode_ids()) < 6

    rerun = _cli("run", str(inputs), "--out", str(killed), "--concurrency", "1")
    assert rerun.wait(timeout=300) == 0, rerun.stderr.read()
    expected, got = _tables(reference), _tables(killed)
    for name in EPISODE_TABLES:
        assert_frame_equal(got[name], expected[name], check_row_order=False)
    assert got["episodes"]["episode_id"].is_unique().all()


def test_sigterm_midway_stops_with_a_message_and_a_rerun_finishes(tmp_path):
    inputs = _write_inputs(tmp_path / "in", count=6)
    out = tmp_path / "out"
    victim = _cli("run", str(inputs), "--out", str(out), "--concurrency", "1",
                  env_extra={"WHOCLAIMS_FAKE_DELAY": "1.5"})
    deadline = time.time() + 240
    while time.time() < deadline and len(Store(out).episode_ids()) < 1:
        time.sleep(0.2)
    assert Store(out).episode_ids(), "the batch never got going"
    victim.send_signal(signal.SIGTERM)
    _, stderr = victim.communicate(timeout=60)
    assert victim.returncode == 130, stderr
    assert "interrupted: the episodes finished so far are kept in" in stderr
    assert "Traceback" not in stderr
    kept = Store(out).episode_ids()
    assert 1 <= len(kept) < 6

    rerun = _cli("run", str(inputs), "--out", str(out), "--concurrency", "1")
    stdout, stderr = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, stderr
    assert f"{6 - len(kept)} done, {len(kept)} skipped, 0 failed" in stdout


def test_second_run_on_the_same_output_is_refused_clearly(tmp_path):
    inputs = _write_inputs(tmp_path / "in", count=4)
    out = tmp_path / "out"
    first = _cli("run", str(inputs), "--out", str(out), "--concurrency", "1", env_extra={"WHOCLAIMS_FAKE_DELAY": "5"})
    deadline = time.time() + 240
    while time.time() < deadline and not (out / ".lock").exists():
        time.sleep(0.1)
    time.sleep(0.5)
    second = _cli("run", str(inputs), "--out", str(out))
    _, stderr = second.communicate(timeout=300)
    assert second.returncode == 3
    assert "in use by another whoclaims run" in stderr
    assert first.wait(timeout=300) == 0
    assert Store(out).episode_ids() == ["ep0", "ep1", "ep2", "ep3"]


def test_a_held_output_is_refused_before_prefect_starts(tmp_path):
    # The lock is taken before the temporary server: under load a second run used to start its
    # server first and reach the lock only after the first run had finished (CI saw exit 0).
    inputs = _write_inputs(tmp_path / "in", count=1)
    out, home = tmp_path / "out", tmp_path / "prefect-home"
    home.mkdir()
    with Store(out).lock():
        second = _cli("run", str(inputs), "--out", str(out), env_extra={"PREFECT_HOME": str(home)})
        _, stderr = second.communicate(timeout=300)
    assert second.returncode == 3, stderr
    assert "in use by another whoclaims run" in stderr
    assert not list(home.rglob("*.db")), "a Prefect server was started for a run that was refused"
    assert Store(out).episode_ids() == []


def test_unchanged_rerun_finishes_without_prefect(tmp_path):
    inputs = _write_inputs(tmp_path / "in", count=2)
    (inputs / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    first = _cli("run", str(inputs), "--out", str(out))
    first.communicate(timeout=300)
    assert first.returncode == 1  # the empty file failed
    rerun = _cli("run", str(inputs), "--out", str(out), env_extra={"PREFECT_API_URL": "http://127.0.0.1:9/api"})
    stdout, stderr = rerun.communicate(timeout=120)
    assert rerun.returncode == 1, stderr
    assert "0 done, 2 skipped, 1 failed" in stdout
    assert "empty.txt: empty file" in stdout
    manifest = Store(out).latest_manifest()
    assert manifest["orchestration"].startswith("none")
