"""The CLI surface that needs no models: help, show, argument errors."""

from __future__ import annotations

import polars as pl
from typer.testing import CliRunner

from tests.test_storage import _tables
from whoclaims.cli import app
from whoclaims.storage import Store

runner = CliRunner()


def test_help_lists_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("run", "show", "compare", "report", "evaluate", "serve"):
        assert command in result.output


def test_show_prints_a_table_for_one_episode(tmp_path):
    store = Store(tmp_path)
    store.write_episode("ep1", _tables("ep1", text="First episode."))
    store.write_episode("ep2", _tables("ep2", text="Second episode."))
    result = runner.invoke(app, ["show", "turns", "--episode", "ep2", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Second episode." in result.output and "First episode." not in result.output
    assert "1 of 1 rows of turns for episode ep2" in result.output


def test_show_json_lines(tmp_path):
    Store(tmp_path).write_episode("ep1", _tables("ep1"))
    result = runner.invoke(app, ["show", "turns", "--out", str(tmp_path), "--json", "--columns", "speaker,text"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == '{"speaker": "A", "text": "Hello there."}'


def test_show_rejects_unknown_tables_and_unsafe_ids(tmp_path):
    assert runner.invoke(app, ["show", "nonsense", "--out", str(tmp_path)]).exit_code == 2
    result = runner.invoke(app, ["show", "turns", "--episode", "../etc", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "not a safe name" in result.output


def test_run_on_a_missing_path_fails_clearly(tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "no such file or folder" in result.output


def test_serve_without_a_server_explains_why(tmp_path, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    result = runner.invoke(app, ["serve", "--cron", "0 6 * * *"])
    assert result.exit_code == 2
    assert "prefect server start" in result.output


def test_evaluate_reports_missing_gold(tmp_path):
    result = runner.invoke(app, ["evaluate", "--gold", str(tmp_path / "missing.jsonl"), "--claims", str(tmp_path)])
    assert result.exit_code == 2 and "no such gold file" in result.output


def test_evaluate_scores_holders_on_assertions_and_through_actor_aliases(tmp_path):
    import json

    from whoclaims.schemas import CLAIMS, to_frame

    sentence = "Zelenskyy says that the front holds."
    tables = _tables("ep1")
    # The claim is on no topic: it sits in the assertions table, with the catalog's name of the holder.
    tables["assertions"] = to_frame([{"episode_id": "ep1", "claim_id": "ep1:0:0", "sentence": sentence,
                                      "speaker": "A", "holder": "Volodymyr Zelensky", "topic": "negotiation"}],
                                    CLAIMS)
    Store(tmp_path / "out").write_episode("ep1", tables)
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"episode_id": "ep1", "sentence": sentence, "speaker": "A",
                                "holder": "Volodymyr Zelenskyy", "topic": "putin_aims", "stance": "favor",
                                "core": True}) + "\n", encoding="utf-8")
    common = ["evaluate", "--gold", str(gold), "--claims", str(tmp_path / "out")]
    result = runner.invoke(app, common)
    assert result.exit_code == 0, result.output
    assert "reported views  accuracy 1.000  (1/1" in result.output
    data = json.loads(runner.invoke(app, [*common, "--json"]).output)
    assert data["holders"]["reported"] == {"accuracy": 1.0, "correct": 1, "n": 1}
    exact = json.loads(runner.invoke(app, [*common, "--json", "--exact-names"]).output)
    assert exact["holders"]["reported"]["correct"] == 0
