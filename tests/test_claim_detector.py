"""Claim detector: parse rules, the numpy logistic regression, the shipped weights, and the public benchmarks."""

from __future__ import annotations

import json
import os
import zlib

import numpy as np
import pytest
from claims_helpers import build_doc, sentence_span

from extractors.claim_detector import (
    EXCLUDED_KINDS,
    N_HASH,
    PARSE_FEATURES,
    ClaimDetector,
    ClaimModelError,
    FeatureRows,
    average_precision,
    bucket,
    classify,
    combine,
    fit_logistic,
    load_claim_detector,
    save_claim_detector,
    vectorise,
)
from whoclaims.settings import Settings, default_claim_model_file


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("What do you make of the latest offensive?", "question"),
        ("How can anyone trust a government that broke every promise?", "question"),  # nothing follows it
        ("Welcome to the show.", "phatic"),
        ("Thanks so much for having me.", "phatic"),
        ("Good evening to you all.", "phatic"),
        ("That is a great question.", "phatic"),
        ("Sure.", "phatic"),
        ("These views are my own and do not represent the government.", "disclaimer"),
        ("Let me turn to the economy.", "procedural"),
        ("Let us turn to the current situation.", "procedural"),
        ("I want to follow up on that.", "procedural"),
        ("I want to tell you about the front.", "procedural"),
        ("We want to end this war.", "declarative"),
        ("We will ask Congress to fund Ukraine.", "declarative"),
        ("In the spring, perhaps.", "fragment"),
        ("Give Ukraine the missiles.", "imperative"),
        ("Russia is not winning this war.", "declarative"),
        ("I think that the offensive has stalled.", "declarative"),
        ("Sanctions have cut Russian oil revenue by a third since 2022.", "declarative"),
    ],
)
def test_classify_sentence_kinds(sentence: str, kind: str) -> None:
    assert classify(sentence_span(sentence)) == kind


def test_question_with_rhetorical_form_followed_by_talk_is_rhetorical() -> None:
    doc = build_doc(["How can anyone trust a government that broke every promise?", "Nobody can."])
    first = next(iter(doc.sents))
    assert classify(first) == "rhetorical"


def test_combine_excludes_non_claims_and_lifts_declaratives() -> None:
    threshold = Settings().claim_threshold
    for kind in EXCLUDED_KINDS:
        assert combine(0.99, kind, marked=True) < threshold
    assert combine(0.0, "declarative", marked=False) >= threshold
    assert combine(0.0, "rhetorical", marked=True) > combine(0.0, "declarative", marked=False)
    assert combine(0.2, "fragment", marked=False) == pytest.approx(0.2)
    assert combine(0.9, "declarative", marked=False) > 0.9


def test_bucket_is_stable_across_runs() -> None:
    # crc32, not Python's salted hash: the same feature lands in the same weight in every process.
    assert bucket("w:war") == zlib.crc32(b"w:war") % N_HASH
    assert 0 <= bucket("b:the war") < N_HASH


def test_vectorise_shapes_and_parse_features() -> None:
    spans = [sentence_span("Russia is not winning this war."), sentence_span("What do you make of the latest offensive?")]
    rows = vectorise(spans)
    assert rows.n_rows == 2
    assert rows.n_columns == N_HASH + len(PARSE_FEATURES)
    dense = np.zeros((2, rows.n_columns))
    np.add.at(dense, (rows.row_ids(), rows.indices), rows.values)
    question = N_HASH + PARSE_FEATURES.index("question")
    negation = N_HASH + PARSE_FEATURES.index("negation")
    assert dense[1, question] == 1.0 and dense[0, question] == 0.0
    assert dense[0, negation] == 1.0


def test_features_are_named() -> None:
    detector = ClaimDetector(weights=np.zeros(N_HASH + len(PARSE_FEATURES)), bias=0.0)
    features = detector.features(sentence_span("Moscow is going to escalate."))
    assert features["parse:future"] == 1.0
    assert features["w:escalate"] == 1.0


def test_average_precision() -> None:
    assert average_precision([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1]) == pytest.approx((1 + 2 / 3) / 2)
    assert average_precision([0, 0], [0.5, 0.4]) == 0.0
    assert average_precision([0, 1], [0.1, 0.9]) == pytest.approx(1.0)


def test_fit_logistic_separates_a_toy_problem() -> None:
    # Two columns; column 0 marks positives, column 1 negatives.
    rows = FeatureRows(
        indptr=np.array([0, 1, 2, 3, 4]), indices=np.array([0, 1, 0, 1]), values=np.ones(4), n_columns=2
    )
    labels = np.array([1.0, 0.0, 1.0, 0.0])
    weights, bias = fit_logistic(rows, labels, np.ones(4), l2=1e-4, epochs=200)
    scores = 1 / (1 + np.exp(-(rows.dot(weights) + bias)))
    assert scores[0] > 0.9 and scores[1] < 0.1
    assert rows.take(np.array([2, 3])).n_rows == 2


def test_save_and_load_round_trip(tmp_path) -> None:
    weights = np.linspace(-1, 1, N_HASH + len(PARSE_FEATURES))
    path = tmp_path / "detector.json"
    save_claim_detector(ClaimDetector(weights=weights, bias=0.25, metadata={"l2": 0.1}), path)
    loaded = load_claim_detector(path)
    assert loaded.bias == pytest.approx(0.25)
    assert np.allclose(loaded.weights, weights, atol=1e-5)
    assert loaded.metadata == {"l2": 0.1}


def test_load_rejects_bad_files(tmp_path) -> None:
    with pytest.raises(ClaimModelError, match="cannot read"):
        load_claim_detector(tmp_path / "missing.json")
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"format": 1, "n_hash": 8, "parse_features": [], "weights": [], "bias": 0}))
    with pytest.raises(ClaimModelError, match="n_hash"):
        load_claim_detector(path)


def test_shipped_detector_loads_and_is_small() -> None:
    path = default_claim_model_file()
    detector = load_claim_detector(path)
    assert detector.weights.shape == (N_HASH + len(PARSE_FEATURES),)
    assert os.path.getsize(path) < 1_000_000
    assert "clef2019_map" in detector.metadata.get("metrics", {})


def test_shipped_detector_scores_clear_cases_sensibly() -> None:
    detector = load_claim_detector(default_claim_model_file())
    threshold = Settings().claim_threshold
    factual = sentence_span("Sanctions have cut Russian oil revenue by a third since 2022.")
    greeting = sentence_span("Good evening to you all.")
    question = sentence_span("What do you make of the latest offensive?")
    thanks = sentence_span("Thanks so much for having me.")
    learned = detector.learned_score([factual, greeting, question, thanks])
    assert learned[0] > 0.5
    assert learned[0] > max(learned[1:])
    scores = detector.score([factual, greeting, question, thanks, sentence_span("I hope that the ceasefire holds.")])
    assert scores[0] >= threshold and scores[4] >= threshold
    assert max(scores[1:4]) < threshold
    assert ((scores >= 0) & (scores <= 1)).all()
    assert detector.score([]).shape == (0,)


@pytest.mark.models
def test_shipped_detector_with_the_real_parser() -> None:
    from whoclaims.models import load_spacy

    nlp = load_spacy(Settings().spacy_model)
    detector = load_claim_detector(default_claim_model_file())
    texts = [
        "Unemployment has fallen to four percent, the lowest level in fifty years.",
        "Europe must spend far more on its own defence.",
        "Thank you so much for being with us today.",
        "Could you walk us through your argument?",
    ]
    scores = detector.score([doc[:] for doc in nlp.pipe(texts)])
    threshold = Settings().claim_threshold
    assert scores[0] >= threshold and scores[1] >= threshold
    assert scores[2] < threshold and scores[3] < threshold


@pytest.mark.models
def test_public_benchmarks(shared_data) -> None:
    """CLEF-2019 MAP and ClaimBuster precision/recall of the shipped weights (what `evaluate` prints)."""
    from extractors.claim_detector import evaluate
    from whoclaims.models import load_spacy

    if not (shared_data / "clef2019_checkthat_task1").is_dir() or not (shared_data / "claimbuster").is_dir():
        pytest.skip("CLEF-2019 or ClaimBuster data absent from the shared data folder")
    metrics = evaluate(load_claim_detector(default_claim_model_file()), shared_data, nlp=load_spacy(Settings().spacy_model))
    assert metrics["clef2019_map"] > 0.09
    assert metrics["claimbuster_test"]["precision"] > 0.75
    assert metrics["claimbuster_test"]["recall"] > 0.6
