"""The CLI surface that needs no models: help, show, argument errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from tests.test_storage import _tables
from whoclaims.cli import app
from whoclaims.storage import Store

runner = CliRunner()


def test_help_lists_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("run", "inspect", "show", "compare", "report", "evaluate", "serve"):
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


FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def test_inspect_shows_format_speakers_first_turns_and_warnings(tmp_path):
    solo = tmp_path / "solo.txt"
    solo.write_text("Host: Hello.\nHost: Still me.\n", encoding="utf-8")
    result = runner.invoke(app, ["inspect", str(FIXTURES / "press_briefing.txt"), str(solo), "--turns", "2"])
    assert result.exit_code == 0, result.output
    assert f"{FIXTURES / 'press_briefing.txt'}: press, episode press_briefing, 8 turns, 4 speakers" in result.output
    assert "Ms. Wells (2 turns; " in result.output and "written 'MS. WELLS'" in result.output
    assert "Reporter (3 turns; " in result.output and "questioner" in result.output
    assert "[0] Ms. Wells: Good afternoon, everyone." in result.output
    assert "[1] Reporter: Thank you, Dana." in result.output and "[2]" not in result.output.split(str(solo))[0]
    assert "WARNING one_speaker: one speaker, 'Host'" in result.output


def test_inspect_reads_folders_and_markdown_and_prints_json(tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "ep 1.md").write_text((FIXTURES / "podcast_timestamps.md").read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(app, ["inspect", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["episode_id"], summary["format"], summary["layout"]) == ("ep-1", "markdown", "timestamped")
    assert [(s["speaker"], s["turns"], s["role"]) for s in summary["speakers"]] == [
        ("Sam Okafor", 2, "host"), ("Mira Tal", 2, "guest"),
    ]
    assert summary["sections"] == ["Introduction", "Ceasefires"] and summary["warnings"] == []


def test_inspect_fails_clearly_on_a_file_without_speech():
    result = runner.invoke(app, ["inspect", str(FIXTURES / "front_matter_only.md")])
    assert result.exit_code == 1
    assert "front_matter_only.md: cannot be read: markdown: no speech found" in result.output


def test_inspect_loads_no_model():
    script = (
        "import sys\nfrom typer.testing import CliRunner\nfrom whoclaims.cli import app\n"
        f"result = CliRunner().invoke(app, ['inspect', {str(FIXTURES / 'page.html')!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "loaded = sorted(name for name in ('spacy', 'torch', 'transformers', 'prefect') if name in sys.modules)\n"
        "print(loaded)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parents[1], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_format_help_names_every_format():
    from whoclaims.cli import FORMAT_HELP
    from whoclaims.schemas import FORMATS

    assert [name for name in FORMATS if name not in FORMAT_HELP] == []


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
