"""Ingest problems end to end: a slugged episode id, warnings in the run summary, the manifest and
`episodes.warnings`, and a file with no speech failing clearly (with the model-free extraction stage)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from whoclaims.ingest.checks import LONG_TURN_WORDS
from whoclaims.storage import Store

pytestmark = pytest.mark.flows
REPO = Path(__file__).resolve().parents[1]


def _cli(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "tests.fake_cli", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)


def test_slugged_ids_warnings_and_a_file_without_speech(tmp_path):
    inputs = tmp_path / "downloads"
    inputs.mkdir()
    podcast = "123 - Guest Name - Topic, Other Topic.txt"
    (inputs / podcast).write_text("Ann Lee: Welcome.\nBob Ray: Thanks.\nAnn Lee: Bye.\n", encoding="utf-8")
    (inputs / "solo.txt").write_text("Host: Hello.\nHost: Still me.\n", encoding="utf-8")
    (inputs / "speech.txt").write_text("Distinguished delegates, the war must end.\n", encoding="utf-8")
    words = " ".join("word." if i % 10 == 9 else "word" for i in range(LONG_TURN_WORDS + 10))
    (inputs / "long.txt").write_text(f"Ann Lee: Hi.\nBob Ray: {words}\n", encoding="utf-8")
    (inputs / "front.md").write_text("---\ntitle: Episode 12\nsource: https://x.org/12\n---\n", encoding="utf-8")
    out = tmp_path / "out"

    result = _cli("run", str(inputs), "--out", str(out))
    assert result.returncode == 1, result.stderr  # front.md failed; warnings do not fail a run
    summary = " ".join(result.stdout.split())  # the console wraps long lines
    assert "4 done, 0 skipped, 1 failed" in summary
    assert "front.md: markdown: no speech found (the file holds only metadata: title, url" in summary
    assert "3 file(s) with warnings" in summary
    assert f"warning {inputs / 'solo.txt'}: one_speaker: one speaker, 'Host'" in summary
    assert f"warning {inputs / 'speech.txt'}: unknown_speaker: no speaker found for the whole file" in summary
    assert f"warning {inputs / 'long.txt'}: long_turn: turn 1 ('Bob Ray')" in summary
    assert "--default-speaker NAME" in summary and "speech.meta.json" in summary
    assert podcast not in summary.split("warning")[-1]

    store = Store(out)
    assert "123-guest-name-topic-other-topic" in store.episode_ids()
    episodes = {row["episode_id"]: row for row in store.read("episodes").iter_rows(named=True)}
    assert episodes["123-guest-name-topic-other-topic"]["source_path"] == str(inputs / podcast)
    assert episodes["123-guest-name-topic-other-topic"]["warnings"] == []
    assert [warning.split(":")[0] for warning in episodes["solo"]["warnings"]] == ["one_speaker", "unnamed_speakers"]
    assert [warning.split(":")[0] for warning in episodes["speech"]["warnings"]] == ["unknown_speaker"]
    assert [warning.split(":")[0] for warning in episodes["long"]["warnings"]] == ["long_turn"]
    turns = store.read("turns", episode_id="123-guest-name-topic-other-topic")
    assert turns["speaker_label"].to_list() == ["Ann Lee", "Bob Ray", "Ann Lee"]
    manifest = store.latest_manifest()
    assert manifest["warned"] == 3
    warned = {Path(entry["path"]).name: entry["warnings"] for entry in manifest["episodes"]}
    assert warned[podcast] == [] and warned["solo.txt"][0].startswith("one_speaker:")

    # An unchanged rerun (no Prefect) still says what is wrong with the files it skips.
    rerun = _cli("run", str(inputs), "--out", str(out), env_extra={"PREFECT_API_URL": "http://127.0.0.1:9/api"})
    assert rerun.returncode == 1, rerun.stderr
    rerun_summary = " ".join(rerun.stdout.split())
    assert "0 done, 4 skipped, 1 failed" in rerun_summary
    assert "3 file(s) with warnings" in rerun_summary and "solo.txt: one_speaker" in rerun_summary


def test_a_file_over_the_size_limit_is_refused_by_name_and_the_batch_goes_on(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "small.txt").write_text("Ann Lee: Welcome.\nBob Ray: Thanks.\n", encoding="utf-8")
    big = inputs / "big.txt"
    big.write_text("Ann Lee: " + "word " * 300 + "\nBob Ray: Thanks.\n", encoding="utf-8")
    out = tmp_path / "out"

    result = _cli("run", str(inputs), "--out", str(out), "--max-input-bytes", "1000")
    assert result.returncode == 1, result.stderr
    summary = " ".join(result.stdout.split())
    assert "1 done, 0 skipped, 1 failed" in summary
    assert f"{big}: file too large: {big.stat().st_size:,} bytes, over the limit of 1,000 bytes" in summary
    assert Store(out).episode_ids() == ["small"]
    failed = [e for e in Store(out).latest_manifest()["episodes"] if e["status"] == "failed"]
    assert [Path(e["path"]).name for e in failed] == ["big.txt"]
