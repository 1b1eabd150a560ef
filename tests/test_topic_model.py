"""The trained topic model: features, the two stages, fitting, persistence, and the topic stage."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from encoders import HashingEncoder
from extractors.topic_model import (
    CONTEXT_FEATURES, HAND_FEATURES, LinearHead, TopicModel, TopicModelError, context_features, hand_features,
    load_topic_model, proposition_key, topic_profiles,
)
from extractors.topics import assign_topics
from views import TOPICS, build_view
from whoclaims.records import Claim
from whoclaims.training.corpus import LabelledEpisode, align, episode_folds, excerpt_group
from whoclaims.training.topics import TopicTraining, fit_topic_model

ENCODER = HashingEncoder()
PROFILES = topic_profiles(TOPICS, ENCODER, ("The weather was mild in spring.",))


def feature(matrix: np.ndarray, name: str) -> np.ndarray:
    return matrix[..., HAND_FEATURES.index(name)]


def test_hand_features_have_one_row_per_sentence_and_topic():
    view = build_view([("Host", ["Should the allies send weapons?"]), ("Guest", ["Yes, more weapons.", "It rained."])])
    matrix = hand_features(view, TOPICS, PROFILES)
    assert matrix.shape == (3, 2, len(HAND_FEATURES))
    assert np.isfinite(matrix).all()


def test_similarity_and_terms_favour_the_topic_the_sentence_is_about():
    view = build_view([("A", ["The allies must send more weapons and ammunition.", "Both sides should negotiate a ceasefire."])])
    matrix = hand_features(view, TOPICS, PROFILES)
    similarity, terms = feature(matrix, "similarity"), feature(matrix, "terms")
    assert similarity[0, 0] > similarity[0, 1] and similarity[1, 1] > similarity[1, 0]
    assert terms[0, 0] == pytest.approx(0.75) and terms[0, 1] == 0.0  # two terms of "aid": 1 - 0.5 ** 2
    assert feature(matrix, "nearest_topic")[0].tolist() == [1.0, 0.0]


def test_anchor_mentions_count_in_the_sentence_and_the_turn_and_resolved_ones_are_marked():
    view = build_view([("A", ["He spoke today.", "Nothing else."]), ("B", ["Fine."])],
                      mentions=[(0, "person:mediator", True)])
    matrix = hand_features(view, TOPICS, PROFILES)
    assert feature(matrix, "anchor_in_sentence")[:, 1].tolist()[0] > 0
    assert feature(matrix, "anchor_in_sentence")[1, 1] == 0.0
    assert feature(matrix, "anchor_in_turn")[1, 1] > 0 and feature(matrix, "anchor_in_turn")[2, 1] == 0.0
    assert feature(matrix, "anchor_resolved")[0, 1] == 1.0
    assert feature(matrix, "anchor_in_previous_sentence")[1, 1] > 0


def test_the_previous_turn_frames_the_next_one():
    view = build_view([("Host", ["Should both sides negotiate a ceasefire?"]), ("Guest", ["I think so."]),
                       ("Host", ["And the weather?"])])
    matrix = hand_features(view, TOPICS, PROFILES)
    previous_turn = feature(matrix, "previous_turn")
    relative = feature(matrix, "relative_similarity")
    assert previous_turn[0].tolist() == [0.0, 0.0]  # the first turn has none
    assert previous_turn[1, 1] == pytest.approx(relative[0, 1])
    assert previous_turn[1, 1] > previous_turn[1, 0]


def test_neighbours_stop_at_the_turn():
    view = build_view([("A", ["The allies should send weapons."]), ("B", ["Indeed.", "Send them."])])
    matrix = hand_features(view, TOPICS, PROFILES)
    assert feature(matrix, "previous_sentence")[1].tolist() == [0.0, 0.0]
    assert feature(matrix, "previous_sentence")[2, 0] == pytest.approx(feature(matrix, "relative_similarity")[1, 0])


def test_context_features_read_neighbours_turns_and_other_topics():
    view = build_view([("A", ["one.", "two."]), ("B", ["three."])])
    logits = np.array([[1.0, -1.0], [2.0, 0.5], [-3.0, 4.0]], dtype=np.float32)
    matrix = context_features(view, logits)
    index = {name: i for i, name in enumerate(CONTEXT_FEATURES)}
    assert matrix.shape == (3, 2, len(CONTEXT_FEATURES))
    assert matrix[1, 0, index["previous_1"]] == 1.0 and matrix[0, 0, index["next_1"]] == 2.0
    assert matrix[2, 0, index["previous_1"]] < -4  # another turn: no neighbour
    assert matrix[2, 0, index["previous_turn_max"]] == 2.0
    assert matrix[0, 0, index["next_turn_max"]] == -3.0
    assert matrix[2, 0, index["other_topics_max"]] == 4.0


def _model(threshold=0.5, with_heads=True) -> TopicModel:
    n_hand, dim = len(HAND_FEATURES), ENCODER.dim
    similarity = np.zeros(n_hand + dim, np.float32)
    similarity[HAND_FEATURES.index("similarity")] = 30.0
    head = LinearHead(mean=np.zeros(n_hand + dim, np.float32), scale=np.ones(n_hand + dim, np.float32),
                      weights=similarity, bias=-6.0, word_weights=np.array([0.0, 3.0], np.float32))
    generic = LinearHead(mean=np.zeros(n_hand, np.float32), scale=np.ones(n_hand, np.float32),
                         weights=similarity[:n_hand], bias=-6.0)
    context_weights = np.zeros(len(CONTEXT_FEATURES) + len(TOPICS), np.float32)
    context_weights[0] = 1.0
    context = LinearHead(mean=np.zeros_like(context_weights), scale=np.ones_like(context_weights),
                         weights=context_weights, bias=0.0)
    heads = {proposition_key(t): head for t in TOPICS} if with_heads else {}
    return TopicModel(vocabulary=("rain", "weapon"), heads=heads,
                      head_topics={proposition_key(t): t.id for t in TOPICS}, generic=generic, context=context,
                      context_topics=tuple(t.id for t in TOPICS), threshold=threshold)


def test_a_head_reads_its_words_and_an_unknown_topic_falls_back_to_the_generic_head():
    view = build_view([("A", ["The allies must send more weapons."])])
    model = _model()
    trained = model.probabilities(view, TOPICS, PROFILES)
    edited = [replace(TOPICS[0], proposition="Something else entirely."), TOPICS[1]]
    assert model.trained_for(TOPICS[0]) and not model.trained_for(edited[0])
    fallback = model.probabilities(view, edited, topic_profiles(edited, ENCODER))
    # the head adds 3.0 for the word "weapon"; the generic head has no words
    assert trained[0, 0] > fallback[0, 0]


def test_save_and_load_round_trip(tmp_path: Path):
    model = _model(threshold=0.35)
    path = tmp_path / "topic_model.npz"
    model.save(path)
    loaded = load_topic_model(path)
    view = build_view([("A", ["The allies must send more weapons.", "Talks now."])])
    np.testing.assert_allclose(loaded.probabilities(view, TOPICS, PROFILES), model.probabilities(view, TOPICS, PROFILES),
                               rtol=1e-6)
    assert loaded.threshold == 0.35 and loaded.vocabulary == model.vocabulary
    assert not list(tmp_path.glob(".tmp-*"))


def test_save_creates_a_missing_folder(tmp_path: Path):
    """`python -m whoclaims.training train --out new/folder` wrote to a folder nobody had made."""
    path = tmp_path / "new" / "folder" / "topic_model.npz"
    _model().save(path)
    assert load_topic_model(path).vocabulary == _model().vocabulary


def test_load_errors_name_the_file(tmp_path: Path):
    with pytest.raises(TopicModelError, match="missing.npz"):
        load_topic_model(tmp_path / "missing.npz")
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(TopicModelError, match="bad.npz: not a topic model"):
        load_topic_model(bad)
    other = tmp_path / "other.npz"
    np.savez(other, meta=np.frombuffer(b'{"format": 1, "extractor": "topics.other.v9"}', dtype=np.uint8))
    with pytest.raises(TopicModelError, match="topics.other.v9"):
        load_topic_model(other)


def _claim(sentence_id: int, parent: str | None = None, k: int = 0) -> Claim:
    return Claim(claim_id=f"ep:{sentence_id}:{k}", turn_id=0, sentence_id=sentence_id, speaker="A", speaker_id=None,
                 holder="A", holder_id=None, attribution="self", cue=None, claim="x", start_char=0, end_char=1,
                 sentence="x", sentence_start_char=0, sentence_end_char=1, start_s=None, end_s=None,
                 claim_score=0.9, parent_claim_id=parent)


def test_assign_topics_keeps_pairs_at_the_threshold_and_records_the_nearest_topic():
    view = build_view([("A", ["The allies must send more weapons and ammunition.", "It rained all day."])])
    claims = [_claim(0), _claim(0, parent="ep:0:0", k=1), _claim(1)]
    assignment = assign_topics(view, claims, topics=TOPICS, model=_model(threshold=0.5), encoder=ENCODER)
    kept = {(d.claim_id, d.topic) for d in assignment.decisions}
    assert kept == {("ep:0:0", "aid"), ("ep:0:1", "aid")}  # the nested claim shares its sentence's topics
    assert assignment.nearest["ep:1:0"][1] < 0.5
    assert all(0.0 <= d.topic_score <= 1.0 for d in assignment.decisions)
    lower = assign_topics(view, claims, topics=TOPICS, model=_model(), encoder=ENCODER, threshold=0.0)
    assert len(lower.decisions) == 2 * len(claims)


def test_alignment_marks_short_overlaps_as_unsure():
    texts = ["The allies must send more weapons to the front this winter.", "Yes.", "Something else entirely here."]
    matches = dict(align(texts, "The allies must send more weapons to the front this winter. Yes."))
    assert matches[0] is True and matches[1] is False and 2 not in matches


def test_episode_folds_are_grouped_stratified_and_seeded():
    ids = [f"unga-{i}" for i in range(6)] + [f"wh-{i}" for i in range(4)]
    folds = episode_folds(ids, 2, seed=0)
    assert folds == episode_folds(ids, 2, seed=0)
    assert sorted(sum(1 for i in ids if i.startswith("wh") and folds[i] == f) for f in (0, 1)) == [2, 2]


def test_the_parts_of_one_debate_share_a_fold():
    ids = ["debate-2020-dem-01a", "debate-2020-dem-01b", "debate-2020-dem-02a", "debate-2020-dem-02b",
           "debate-20160129-7-gop", "synth-hawk-analyst-2025", "synth-realist-scholar-2024"]
    folds = episode_folds(ids, 4, seed=0, group=excerpt_group)
    assert folds["debate-2020-dem-01a"] == folds["debate-2020-dem-01b"]
    assert folds["debate-2020-dem-02a"] == folds["debate-2020-dem-02b"]
    assert excerpt_group("debate-20160129-7-gop") == "debate-20160129-7-gop"
    assert excerpt_group("synth-hawk-analyst-2025") == "synth-hawk-analyst-2025"
    # Without the grouping the same ids are folded one by one, as before.
    assert set(episode_folds(ids, 7, seed=0).values()) == set(range(7))


def test_found_by_side_counts_core_claims_kept_on_their_topic_once_per_sentence():
    from whoclaims.training.measure import found_by_side

    view = build_view([("Guest", ["The allies must send more weapons now.", "They will not negotiate.",
                                  "We had lunch at noon."])], episode_id="wh-0")
    ids = [topic.id for topic in TOPICS]
    rows = [(0, 0, ids[0], "favor", True), (0, 0, ids[0], "favor", True),  # one sentence and topic, twice
            (1, 1, ids[1], "against", True), (1, 1, ids[0], "against", False),  # borderline: not counted
            (2, 2, ids[1], "against", True)]
    item = LabelledEpisode(view=view, source="wh", topic_labels=np.zeros((3, len(TOPICS)), np.int8),
                           stance_rows=rows, claims=[], claim_vectors=np.zeros((0, ENCODER.dim), np.float32))
    p = np.zeros((3, len(TOPICS)), np.float32)
    p[0, 0] = 0.9
    p[1, 1] = 0.2
    p[2, 1] = 0.8
    assert view.is_claim.all()
    counts = found_by_side([item], {"wh-0": p}, ids, 0.3)
    assert counts["favor"] == {"found": 1, "total": 1}
    assert counts["against"] == {"found": 1, "total": 2}


def test_fitting_learns_the_topic_from_labelled_episodes():
    episodes = []
    for number in range(8):
        view = build_view([
            ("Host", ["What about the weapons?"]),
            ("Guest", ["The allies must send more weapons now.", "We had lunch at noon.",
                       "Both sides should negotiate a ceasefire.", f"The museum opened in {number}."]),
        ], episode_id=f"wh-{number}")
        labels = np.zeros((len(view), len(TOPICS)), np.int8)
        labels[1, 0] = 1
        labels[3, 1] = 1
        episodes.append(LabelledEpisode(view=view, source="wh", topic_labels=labels, stance_rows=[], claims=[],
                                        claim_vectors=np.zeros((0, ENCODER.dim), np.float32)))
    model = fit_topic_model(episodes, TOPICS, PROFILES, config=TopicTraining(inner_folds=2, min_episodes=2))
    test = build_view([("Guest", ["The allies must send more weapons now.", "We had lunch at noon.",
                                  "Both sides should negotiate a ceasefire."])])
    p = model.probabilities(test, TOPICS, PROFILES)
    assert p[0, 0] > p[1, 0] and p[0, 0] > p[0, 1]
    assert p[2, 1] > p[1, 1] and p[2, 1] > p[2, 0]
    assert "weapon" in model.vocabulary


def test_a_topic_no_training_episode_speaks_of_is_left_to_the_generic_head():
    episodes = []
    for number in range(6):
        view = build_view([("Guest", ["The allies must send more weapons now.", "We had lunch at noon."])],
                          episode_id=f"wh-{number}")
        labels = np.zeros((len(view), len(TOPICS)), np.int8)
        labels[0, 0] = 1  # no sentence is on `talks`
        episodes.append(LabelledEpisode(view=view, source="wh", topic_labels=labels, stance_rows=[], claims=[],
                                        claim_vectors=np.zeros((0, ENCODER.dim), np.float32)))
    model = fit_topic_model(episodes, TOPICS, PROFILES, config=TopicTraining(inner_folds=2, min_episodes=2))
    assert model.trained_for(TOPICS[0]) and not model.trained_for(TOPICS[1])
    p = model.probabilities(build_view([("Guest", ["Both sides should negotiate a ceasefire."])]), TOPICS, PROFILES)
    assert p.shape == (1, 2) and np.isfinite(p).all()


def test_context_only_episodes_train_the_context_stage_and_not_the_heads():
    def episodes(source: str, sentences: list[str], count: int) -> list[LabelledEpisode]:
        out = []
        for number in range(count):
            view = build_view([("Guest", sentences)], episode_id=f"{source}-{number}")
            labels = np.zeros((len(view), len(TOPICS)), np.int8)
            labels[0, 0] = 1
            out.append(LabelledEpisode(view=view, source=source, topic_labels=labels, stance_rows=[], claims=[],
                                       claim_vectors=np.zeros((0, ENCODER.dim), np.float32)))
        return out

    silver = episodes("wh", ["The allies must send more weapons now.", "We had lunch at noon."], 6)
    # The podcasts' only word of their own ("howitzers") would enter the vocabulary with min_episodes=2.
    podcasts = episodes("synthetic", ["Send the howitzers.", "Coffee is ready."], 4)
    config = TopicTraining(inner_folds=2, min_episodes=2, context_only_sources=("synthetic",))
    alone = fit_topic_model(silver, TOPICS, PROFILES, config=config)
    both = fit_topic_model(silver + podcasts, TOPICS, PROFILES, config=config)
    assert "howitzer" not in both.vocabulary and both.vocabulary == alone.vocabulary
    key = next(iter(alone.heads))
    np.testing.assert_array_equal(both.heads[key].weights, alone.heads[key].weights)
    np.testing.assert_array_equal(both.generic.weights, alone.generic.weights)
    assert not np.array_equal(both.context.weights, alone.context.weights)
    everywhere = fit_topic_model(silver + podcasts, TOPICS, PROFILES,
                                 config=TopicTraining(inner_folds=2, min_episodes=2, context_only_sources=()))
    assert "howitzer" in everywhere.vocabulary


def test_side_balanced_weights_balance_each_group_and_keep_its_size():
    from whoclaims.training.stance import side_balanced_weights

    labels = np.array([1, 1, 1, -1, 1, 1, -1, 1])
    groups = ["aid"] * 4 + ["motion"] * 3 + ["one_sided"]
    weights = side_balanced_weights(labels, groups)
    for group in ("aid", "motion"):
        rows = np.array(groups) == group
        favor, against = weights[rows & (labels > 0)].sum(), weights[rows & (labels < 0)].sum()
        assert favor == pytest.approx(against) and weights[rows].sum() == pytest.approx(rows.sum())
    assert weights[-1] == 1.0  # a group with one side only is left as it is
