"""The excerpts used as training data (debates, UN speeches), and the labels written for them."""

from __future__ import annotations

import json

import pytest

from whoclaims.training import excerpts
from whoclaims.evaluate import normalize_text
from whoclaims.training.corpus import CorpusError
from whoclaims.training.excerpts import LABELS, SPEECH_LABELS, excerpt, write_excerpts, write_speech_excerpts


def test_an_excerpt_keeps_the_turns_naming_the_war_and_one_turn_either_side():
    rows = [("Host", "Welcome to the debate."), ("Ann One", "Taxes are too high."), ("Host", "Next question."),
            ("Bob Two", "I like trains."), ("Host", "What about Russia?"), ("Bob Two", "We should talk."),
            ("Bob Two", "Later."), ("Ann One", "Schools matter."), ("Host", "Thank you.")]
    kept = excerpt(rows)
    assert kept == [("Bob Two", "I like trains."), ("Host", "What about Russia?"),
                    ("Bob Two", "We should talk. Later.")]


def test_a_speech_keeps_only_the_sentences_near_a_mention():
    sentences = [f"Sentence {i} on roads." for i in range(40)]
    sentences[20] = "Europe must pay for its own defence."
    kept = excerpt([("Speaker", s) for s in sentences])
    assert len(kept) == 1
    text = kept[0][1]
    assert "Sentence 17 on roads. Sentence 18 on roads. Sentence 19 on roads. Europe must" in text
    assert "Sentence 23 on roads." in text and "Sentence 24 " not in text and "Sentence 16 " not in text


def test_without_the_shared_data_the_error_names_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(excerpts, "CLEF", tmp_path / "nowhere")
    with pytest.raises(CorpusError, match="nowhere"):
        write_excerpts(tmp_path / "out")


_normal = normalize_text  # the evaluator's matching form


@pytest.mark.skipif(not excerpts.CLEF.is_dir() or not excerpts.DEBATES_2020.is_file(),
                    reason="../shared/data (CLEF-2019 and ClaimBuster) is not beside the repository")
def test_every_label_is_a_sentence_of_its_excerpt_and_the_excerpts_are_deterministic(tmp_path):
    first = {path.stem: path.read_text(encoding="utf-8") for path in write_excerpts(tmp_path / "a")}
    second = {path.stem: path.read_text(encoding="utf-8") for path in write_excerpts(tmp_path / "b")}
    assert first == second and len(first) >= 30
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 100
    texts = {stem: _normal(text) for stem, text in first.items()}
    missing = [row["sentence"] for row in rows if _normal(row["sentence"]) not in texts.get(row["episode_id"], "")]
    assert missing == []
    assert {row["topic"] for row in rows} <= {"putin_aims", "trump_prospects", "europe_role", "negotiation",
                                               "western_support"}


def test_a_speech_excerpt_keeps_the_paragraphs_naming_the_war_and_their_neighbours():
    text = "\n".join(["Climate matters.", "Oceans rise.", "Trade grows.", "Russia occupies Crimea.",
                      "We call for peace.", "Health for all.", "Thank you.", ""])
    assert excerpts.speech_paragraphs(text) == ["Trade grows.", "Russia occupies Crimea.", "We call for peace."]
    assert excerpts.speech_paragraphs("No actor here.\nNone at all.") == []


@pytest.mark.skipif(not excerpts.UNGDC.is_dir(), reason="../shared/data/ungdc is not beside the repository")
def test_the_speech_excerpts_never_take_a_silver_or_a_2024_speech_and_every_label_aligns(tmp_path):
    paths = write_speech_excerpts(tmp_path)
    ids = {path.stem for path in paths}
    assert len(ids) >= 30
    silver = excerpts.SHARED_DATA / "whoclaims_silver" / "episodes"
    for episode_id in ids:
        _, year, code = episode_id.split("-")
        assert year != "2024"
        assert not (silver / f"unga-{year}-{code}.txt").exists()
        meta = json.loads((tmp_path / f"{episode_id}.meta.json").read_text(encoding="utf-8"))
        assert meta["default_speaker"] == excerpts.DELEGATIONS[code.upper()]
    rows = [json.loads(line) for line in SPEECH_LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = {path.stem: _normal(path.read_text(encoding="utf-8")) for path in paths}
    assert [r["sentence"] for r in rows if _normal(r["sentence"]) not in texts.get(r["episode_id"], "")] == []


def test_every_synthetic_label_is_a_sentence_of_its_episode_and_every_episode_has_its_labels():
    episodes = excerpts.synthetic_episodes()
    assert len(episodes) >= 8
    rows = [json.loads(line) for line in excerpts.SYNTHETIC_LABELS.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    texts = {path.stem: _normal(path.read_text(encoding="utf-8")) for path in episodes}
    assert {row["episode_id"] for row in rows} == set(texts)
    assert [r["sentence"] for r in rows if _normal(r["sentence"]) not in texts[r["episode_id"]]] == []
    for path in episodes:
        meta = json.loads(path.with_name(f"{path.stem}.meta.json").read_text(encoding="utf-8"))
        assert meta["description"] == "fictional episode written for training"
        speakers = {line.split(":", 1)[0] for line in path.read_text(encoding="utf-8").split("\n\n") if line.strip()}
        assert 2 <= len(speakers) <= 4, (path.name, speakers)
