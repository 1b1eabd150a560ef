"""The batch flow on a local Dask cluster with two workers gives the same tables as the thread runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from whoclaims.schemas import EPISODE_TABLES
from whoclaims.settings import Settings
from whoclaims.storage import Store

pytestmark = [pytest.mark.flows, pytest.mark.models]

EPISODES = {
    "alpha": "HOST: Welcome. What does Putin want in Ukraine?\n"
             "GUEST: Putin still wants to control Ukraine, and his aims have not changed.\n",
    "beta": "HOST: Can Trump negotiate an end to the war?\n"
            "GUEST: I doubt Trump will succeed, because Russia has no reason to stop fighting.\n",
    "gamma": "HOST: What should Europe do?\n"
             "GUEST: Europe must spend far more on its own defence and send Ukraine more air defence.\n",
    "delta": "HOST: Should Kyiv negotiate now?\n"
             "GUEST: Ukraine should not negotiate while Moscow keeps attacking its cities.\n",
}


def _inputs(folder: Path) -> Path:
    folder.mkdir()
    for name, text in EPISODES.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def test_dask_runner_matches_thread_runner(prefect_harness, tmp_path):
    from flows.batch import run_batch

    inputs = _inputs(tmp_path / "in")
    threads = run_batch([str(inputs)], str(tmp_path / "threads"), Settings(runner="thread"))
    dask = run_batch([str(inputs)], str(tmp_path / "dask"), Settings(runner="dask", dask_workers=2))
    assert threads["counts"] == dask["counts"] == {"done": 4, "skipped": 0, "failed": 0}
    for table in EPISODE_TABLES:
        expected = Store(tmp_path / "threads").read(table)
        got = Store(tmp_path / "dask").read(table)
        assert got.height == expected.height, table
        assert_frame_equal(got, expected, check_row_order=False)
    assert Store(tmp_path / "dask").read("claims").height > 0
    # every claims row carries a topic and a stance; claims no topic reaches are assertions
    claims = Store(tmp_path / "dask").read("claims")
    assert claims.select("topic", "topic_score", "stance", "stance_score").null_count().sum_horizontal().item() == 0
    assertions = Store(tmp_path / "dask").read("assertions")
    assert assertions["stance"].null_count() == assertions.height
    assert not set(assertions["claim_id"]) & set(claims["claim_id"])
