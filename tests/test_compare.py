"""Comparison tables over hand-made episodes."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from episode_builder import FakeEncoder, claim_row, episode_tables, mention_row
from whoclaims import compare
from whoclaims.schemas import CLAIMS, COMPARISON_TABLES, EPISODES, MENTIONS, empty, to_frame
from whoclaims.settings import Settings
from whoclaims.storage import Store

SETTINGS = Settings()


def _claims(rows: list[dict]) -> pl.LazyFrame:
    return to_frame(rows, CLAIMS).lazy()


def _episodes(dates: dict[str, str | None]) -> pl.LazyFrame:
    return to_frame([{"episode_id": e, "date": d} for e, d in dates.items()], EPISODES).lazy()


# ---------------------------------------------------------------- stance by holder

def test_stance_by_holder_counts_and_majority() -> None:
    rows = [
        claim_row("ep1", "c1", holder="Robert Person", topic="putin_aims", stance="favor", stance_score=0.9),
        claim_row("ep1", "c2", holder="Robert Person", topic="putin_aims", stance="favor", stance_score=0.7),
        claim_row("ep1", "c3", holder="Robert Person", topic="putin_aims", stance="against", stance_score=0.5),
        claim_row("ep1", "c4", holder="Robert Person", topic="putin_aims", stance="none", stance_score=0.2),
        claim_row("ep1", "c5", holder="Ferenc Laczo", topic="putin_aims", stance="favor"),
        claim_row("ep1", "c6", holder="Ferenc Laczo", topic="putin_aims", stance="against"),
        claim_row("ep1", "c7", holder="Ferenc Laczo", topic="negotiation", stance="against"),
        claim_row("ep1", "c8", holder="Ferenc Laczo", topic="negotiation", stance="none"),
    ]
    frame = compare.stance_by_holder_frame(_claims(rows)).collect()
    assert frame.schema == COMPARISON_TABLES["stance_by_holder"]
    person = frame.filter(pl.col("holder") == "Robert Person").row(0, named=True)
    assert (person["n_claims"], person["n_favor"], person["n_against"], person["n_none"]) == (4, 2, 1, 1)
    assert person["stance"] == "favor"
    assert person["net_stance"] == pytest.approx((2 - 1) / 4)
    assert person["mean_stance_score"] == pytest.approx((0.9 + 0.7 + 0.5 + 0.2) / 4)
    assert person["holder_id"] == "robert_person"
    laczo = {r["topic"]: r["stance"] for r in frame.filter(pl.col("holder") == "Ferenc Laczo").iter_rows(named=True)}
    # favor/against tie -> none; against/none tie -> against.
    assert laczo == {"putin_aims": "none", "negotiation": "against"}


def test_stance_by_holder_falls_back_to_speaker_and_skips_untopical_claims() -> None:
    rows = [
        claim_row("ep1", "c1", holder="X", topic="europe_role", stance="favor", holder_id=None) | {"holder": None, "speaker": "Host"},
        claim_row("ep1", "c2", holder="Y", topic="europe_role", stance="favor") | {"topic": None},
    ]
    frame = compare.stance_by_holder_frame(_claims(rows)).collect()
    assert frame.select("holder", "topic", "n_claims").rows() == [("Host", "europe_role", 1)]


# ---------------------------------------------------------------- stance changes

def test_stance_change_detected_in_date_order_not_id_order() -> None:
    # By id, "a-late" comes first; by date it is the last episode.
    rows = [
        claim_row("a-late", "c1", holder="Donald Trump", topic="trump_prospects", stance="against"),
        claim_row("b-early", "c1", holder="Donald Trump", topic="trump_prospects", stance="favor"),
        claim_row("c-middle", "c1", holder="Donald Trump", topic="trump_prospects", stance="none"),
        claim_row("c-middle", "c2", holder="Someone Else", topic="trump_prospects", stance="favor"),
    ]
    by_holder = compare.stance_by_holder_frame(_claims(rows))
    episodes = _episodes({"a-late": "2025-06-01", "b-early": "2024-01-15", "c-middle": "2025-02-01"})
    changes = compare.stance_changes_frame(by_holder, episodes)
    expected = to_frame(
        [{"holder": "Donald Trump", "holder_id": "donald_trump", "topic": "trump_prospects",
          "from_episode_id": "b-early", "from_stance": "favor", "to_episode_id": "a-late", "to_stance": "against"}],
        COMPARISON_TABLES["stance_changes"],
    )
    assert_frame_equal(changes, expected)


def test_stance_changes_use_episode_id_order_without_dates() -> None:
    rows = [
        claim_row("ep2", "c1", holder="A", topic="t", stance="against"),
        claim_row("ep1", "c1", holder="A", topic="t", stance="favor"),
        claim_row("ep3", "c1", holder="A", topic="t", stance="against"),
    ]
    changes = compare.stance_changes_frame(compare.stance_by_holder_frame(_claims(rows)), empty(EPISODES).lazy())
    assert changes.select("from_episode_id", "to_episode_id", "from_stance", "to_stance").rows() == [
        ("ep1", "ep2", "favor", "against")
    ]


def test_no_stance_changes_when_stable() -> None:
    rows = [claim_row(f"ep{k}", "c1", holder="A", topic="t", stance="favor") for k in range(3)]
    changes = compare.stance_changes_frame(compare.stance_by_holder_frame(_claims(rows)), empty(EPISODES))
    assert changes.is_empty()
    assert changes.schema == COMPARISON_TABLES["stance_changes"]


# ---------------------------------------------------------------- actor salience

def _mentions(counts: dict[str, dict[str, int]]) -> pl.LazyFrame:
    rows, mention_id = [], 0
    for episode_id, per_actor in counts.items():
        for actor_id, n in per_actor.items():
            for _ in range(n):
                rows.append(mention_row(episode_id, mention_id, actor_id, actor_id.title()))
                mention_id += 1
    return to_frame(rows, MENTIONS).lazy()


def test_actor_salience_direction() -> None:
    mentions = _mentions({
        "ep1": {"putin": 10, "trump": 1, "macron": 5},
        "ep2": {"putin": 2, "trump": 10, "macron": 5},
        "ep3": {"putin": 2, "trump": 10, "macron": 5},
    })
    salience = compare.actor_salience_frame(mentions, top=1)
    assert salience.schema == COMPARISON_TABLES["actor_salience"]
    ep1 = {r["direction"]: r for r in salience.filter(pl.col("episode_id") == "ep1").iter_rows(named=True)}
    assert ep1["over"]["actor_id"] == "putin" and ep1["over"]["log_ratio"] > 0
    assert ep1["under"]["actor_id"] == "trump" and ep1["under"]["log_ratio"] < 0
    assert ep1["over"]["mentions"] == 10
    assert ep1["over"]["share"] == pytest.approx(10 / 16)
    assert ep1["over"]["share_elsewhere"] == pytest.approx(4 / 34)
    assert ep1["over"]["canonical_name"] == "Putin"
    # top=1 per direction per episode.
    assert salience.group_by("episode_id", "direction").len()["len"].max() == 1


def test_actor_salience_counts_absent_actors_and_ignores_speaker_labels() -> None:
    rows = [mention_row("ep1", 0, "putin", "Putin"), mention_row("ep1", 1, "host", "Host", source="speaker")]
    rows += [mention_row("ep2", 10 + k, "zelensky", "Zelensky") for k in range(5)]
    salience = compare.actor_salience_frame(to_frame(rows, MENTIONS), top=5)
    assert "host" not in salience["actor_id"].to_list()
    under = salience.filter((pl.col("episode_id") == "ep1") & (pl.col("direction") == "under"))
    assert under.select("actor_id", "mentions").rows() == [("zelensky", 0)]


def test_actor_salience_needs_two_episodes() -> None:
    assert compare.actor_salience_frame(_mentions({"ep1": {"putin": 3}})).is_empty()


# ---------------------------------------------------------------- similar claims

SIMILAR_TEXTS = {
    "Putin's aims have not changed.": [1.0, 0.0, 0.0, 0.0],
    # cosine 0.95 with the first, 0.99 * 0.95 with the third
    "Putin has not given up his aims.": [0.95, math.sqrt(1 - 0.95**2), 0.0, 0.0],
    # cosine 0.99 with the first, but in the same episode
    "Putin's goals are unchanged, I think.": [0.99, 0.0, 0.0, math.sqrt(1 - 0.99**2)],
    "Europe must spend more on defence.": [0.0, 0.0, 1.0, 0.0],
    # cosine 0.7 with the one before: below 0.8
    "Europe should pay for its own defence.": [0.0, 0.0, 0.7, math.sqrt(1 - 0.7**2)],
}


def _similar_rows() -> list[dict]:
    texts = list(SIMILAR_TEXTS)
    return [
        claim_row("ep1", "c1", holder="Robert Person", topic="putin_aims", stance="favor", claim=texts[0]),
        claim_row("ep1", "c1", holder="Robert Person", topic="negotiation", stance="against", claim=texts[0], topic_score=0.6),
        claim_row("ep1", "c2", holder="Robert Person", topic="putin_aims", stance="favor", claim=texts[2]),
        claim_row("ep2", "c1", holder="Anne Applebaum", topic="putin_aims", stance="favor", claim=texts[1]),
        claim_row("ep2", "c2", holder="Anne Applebaum", topic="europe_role", stance="favor", claim=texts[3]),
        claim_row("ep3", "c1", holder="Ferenc Laczo", topic="europe_role", stance="favor", claim=texts[4]),
    ]


def test_similar_claims_only_across_episodes_and_above_threshold() -> None:
    encoder = FakeEncoder(SIMILAR_TEXTS)
    pairs = compare.similar_claims_frame(_claims(_similar_rows()), encoder=encoder, threshold=0.8)
    assert pairs.schema == COMPARISON_TABLES["similar_claims"]
    found = {(r["episode_id_a"], r["claim_id_a"], r["episode_id_b"], r["claim_id_b"]) for r in pairs.iter_rows(named=True)}
    # c1/c2 of ep1 (cosine 0.99) are the same episode; ep2 c2 / ep3 c1 (0.71) are below 0.8.
    assert found == {("ep1", "c1", "ep2", "c1"), ("ep1", "c2", "ep2", "c1")}
    assert (pairs["episode_id_a"] != pairs["episode_id_b"]).all()
    assert (pairs["similarity_score"] >= 0.8).all()
    assert pairs["similarity_score"].to_list() == pytest.approx([0.95, 0.99 * 0.95], abs=1e-5)
    first = pairs.row(0, named=True)
    # A claim with two topic rows is one claim, shown under the topic both sides share.
    assert (first["holder_a"], first["topic_a"], first["stance_a"]) == ("Robert Person", "putin_aims", "favor")
    assert (first["holder_b"], first["topic_b"], first["stance_b"]) == ("Anne Applebaum", "putin_aims", "favor")
    # Each distinct text encoded once, in one call.
    assert len(encoder.calls) == 1 and sorted(encoder.calls[0]) == sorted(SIMILAR_TEXTS)


def test_similar_claims_blockwise_matches_one_block_and_caps_pairs() -> None:
    rng = np.random.default_rng(0)
    base = rng.normal(size=8)
    texts = {f"text {k}": (base + 0.05 * rng.normal(size=8)).tolist() for k in range(12)}
    rows = [claim_row(f"ep{k % 3}", f"c{k}", holder="A", topic="t", stance="favor", claim=t) for k, t in enumerate(texts)]
    one_block = compare.similar_claims_frame(_claims(rows), encoder=FakeEncoder(texts), threshold=0.5, max_pairs_per_claim=100)
    blocks = compare.similar_claims_frame(
        _claims(rows), encoder=FakeEncoder(texts), threshold=0.5, max_pairs_per_claim=100, block_size=5
    )
    assert one_block.height == 12 * 8 // 2  # every cross-episode pair: 4 claims in each of 3 episodes
    assert_frame_equal(one_block, blocks)
    capped = compare.similar_claims_frame(_claims(rows), encoder=FakeEncoder(texts), threshold=0.5, max_pairs_per_claim=2)
    per_claim = pl.concat([
        capped.select(episode_id="episode_id_a", claim_id="claim_id_a"),
        capped.select(episode_id="episode_id_b", claim_id="claim_id_b"),
    ]).group_by("episode_id", "claim_id").len()
    assert per_claim["len"].max() <= 2
    assert capped.height > 0


def test_similar_claims_leave_out_claims_on_no_topic() -> None:
    rows = _similar_rows()
    rows.append(claim_row("ep3", "c9", holder="X", topic="t", stance="none", claim=list(SIMILAR_TEXTS)[0]) | {"topic": None})
    pairs = compare.similar_claims_frame(_claims(rows), encoder=FakeEncoder(SIMILAR_TEXTS), threshold=0.8)
    assert "c9" not in pairs["claim_id_b"].to_list() + pairs["claim_id_a"].to_list()


def test_similar_claims_focus_episode() -> None:
    pairs = compare.similar_claims_frame(
        _claims(_similar_rows()), encoder=FakeEncoder(SIMILAR_TEXTS), threshold=0.8, episode_id="ep2"
    )
    assert set(pairs["episode_id_a"]) == {"ep2"} and set(pairs["episode_id_b"]) == {"ep1"}


def test_similar_claims_does_not_load_an_encoder_without_claims() -> None:
    def fail() -> compare.TextEncoder:
        raise AssertionError("encoder loaded although there is nothing to compare")

    one_episode = [claim_row("ep1", "c1", holder="A", topic="t", stance="favor")]
    assert compare.similar_claims_frame(_claims([]), encoder=fail).is_empty()
    assert compare.similar_claims_frame(_claims(one_episode), encoder=fail).is_empty()


# ---------------------------------------------------------------- through a Store

def _store(tmp_path) -> Store:
    store = Store(tmp_path / "processed")
    texts = list(SIMILAR_TEXTS)
    rows = _similar_rows()
    rows.append(claim_row("ep3", "c2", holder="Robert Person", topic="putin_aims", stance="against", claim=texts[0] + " No."))
    for episode_id, date in (("ep1", "2024-01-01"), ("ep2", "2024-06-01"), ("ep3", "2025-01-01")):
        store.write_episode(episode_id, episode_tables(
            episode_id,
            date=date,
            claims=[r for r in rows if r["episode_id"] == episode_id],
            mentions=[mention_row(episode_id, k, "putin" if episode_id == "ep1" else "macron", "X") for k in range(3)],
        ))
    return store


def test_build_comparison_from_store(tmp_path) -> None:
    store = _store(tmp_path)
    vectors = dict(SIMILAR_TEXTS) | {list(SIMILAR_TEXTS)[0] + " No.": [0.0, 1.0, 0.0, 0.0]}
    tables = compare.build_comparison(store, settings=SETTINGS, encoder=FakeEncoder(vectors))
    assert set(tables) == set(COMPARISON_TABLES)
    for name, schema in COMPARISON_TABLES.items():
        assert tables[name].schema == schema
    changes = tables["stance_changes"]
    assert changes.select("holder", "from_episode_id", "to_episode_id").rows() == [("Robert Person", "ep1", "ep3")]
    assert tables["similar_claims"].height == 2
    store.write_comparison(tables)
    assert store.read("stance_changes").height == 1

    focused = compare.build_comparison(store, settings=SETTINGS, encoder=FakeEncoder(vectors), episode_id="ep3")
    assert set(focused["stance_by_holder"]["episode_id"]) == {"ep3"}
    assert focused["stance_changes"].height == 1
    assert focused["similar_claims"].is_empty()
    with pytest.raises(compare.ComparisonError, match="nope"):
        compare.build_comparison(store, settings=SETTINGS, encoder=FakeEncoder(vectors), episode_id="nope")


def test_build_comparison_with_no_claims_loads_no_encoder(tmp_path, monkeypatch) -> None:
    store = Store(tmp_path / "processed")
    store.write_episode("ep1", episode_tables("ep1"))
    monkeypatch.setattr(compare, "_default_encoder", lambda settings: pytest.fail("encoder loaded"))
    tables = compare.build_comparison(store, settings=SETTINGS)
    assert all(frame.is_empty() for frame in tables.values())
    assert "_None._" in compare.comparison_markdown(tables)


# ---------------------------------------------------------------- summaries

def test_markdown_contains_key_rows_and_escapes(tmp_path) -> None:
    store = _store(tmp_path)
    vectors = dict(SIMILAR_TEXTS) | {list(SIMILAR_TEXTS)[0] + " No.": [0.0, 1.0, 0.0, 0.0]}
    tables = compare.build_comparison(store, settings=SETTINGS, encoder=FakeEncoder(vectors))
    markdown = compare.comparison_markdown(tables)
    assert "## Stance by holder" in markdown and "## Stance changes" in markdown
    assert "| Robert Person | putin_aims | favor (ep1) | against (ep3) |" in markdown
    assert "Anne Applebaum" in markdown and "0.95" in markdown
    text = compare.format_comparison_text(tables)
    assert "Robert Person" in text and "favor (ep1)" in text and "putin_aims" in text
    assert "ep3" in compare.comparison_markdown(tables, episode_id="ep3")


def test_markdown_neutralises_hostile_names() -> None:
    by_holder = to_frame(
        [{"episode_id": "ep1", "topic": "t", "holder": "<script>alert(1)</script>|\u202eevil\u200b", "n_claims": 1,
          "n_favor": 1, "n_against": 0, "n_none": 0, "net_stance": 1.0, "stance": "favor"}],
        COMPARISON_TABLES["stance_by_holder"],
    )
    markdown = compare.comparison_markdown({"stance_by_holder": by_holder})
    assert "<script>" not in markdown and "\u202e" not in markdown and "\u200b" not in markdown
    assert "\\<script\\>" in markdown and "\\|evil" in markdown
    assert compare._markdown_cell("_x_ a_b [l](u) **b**") == "\\_x\\_ a_b \\[l\\](u) \\*\\*b\\*\\*"
    assert "\u202e" not in compare.format_comparison_text({"stance_by_holder": by_holder})


def test_clean_label() -> None:
    assert compare.clean_label("Vladi\u200bmir\u202e  Putin\x1b[31m\n") == "Vladimir Putin[31m"
    assert compare.clean_label(None) == ""


def test_an_actor_absent_from_a_short_episode_is_never_over_mentioned():
    """Regression: smoothing once made unmentioned actors 'over' in episodes with few mentions."""
    import polars as pl

    from whoclaims.compare import actor_salience_frame

    rows = [("short", "state:a")] + [("long", f"state:{name}") for name in "abcdefgh" for _ in range(5)]
    mentions = pl.DataFrame(
        {"episode_id": [e for e, _ in rows], "actor_id": [a for _, a in rows], "canonical_name": [a for _, a in rows],
         "source": ["model"] * len(rows)}
    )
    frame = actor_salience_frame(mentions, top=20)
    over_short = frame.filter((pl.col("episode_id") == "short") & (pl.col("direction") == "over"))
    assert over_short["actor_id"].to_list() == ["state:a"]
    assert (over_short["mentions"] > 0).all()
