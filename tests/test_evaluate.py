"""Tests of the evaluator (`whoclaims.evaluate`) and of the gold files under `gold/`."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from whoclaims.actors import Actor, ActorCatalog
from whoclaims.evaluate import (
    GOLD,
    catalog_canonical,
    score_holders,
    GoldFormatError,
    PredictionFormatError,
    evaluate,
    evaluate_paths,
    load_gold,
    normalize_name,
    normalize_text,
    sentences_overlap,
)
from whoclaims.schemas import CLAIMS, EPISODE_TABLES, STANCES, StanceEnum, empty, to_frame
from whoclaims.storage import Store

REPO = Path(__file__).resolve().parents[1]
GOLD_DIR = REPO / "gold"
SIDECAR_DIR = GOLD_DIR / "sidecars"
RAW_DIR = REPO / "data" / "raw"
UN_SPEECHES = REPO.parent / "shared" / "data" / "ungdc" / "speeches"
GOLD_FILES = sorted(GOLD_DIR.glob("*.jsonl"))

EPISODE = "ep"
SPEAKER = "Robert Person"


def gold_row(sentence, *, topic="putin_aims", stance="favor", core=True, holder=SPEAKER, speaker=SPEAKER,
             episode_id=EPISODE):
    return {"episode_id": episode_id, "sentence": sentence, "speaker": speaker, "holder": holder,
            "topic": topic, "stance": stance, "core": core}


def prediction(sentence, *, topic="putin_aims", stance="favor", holder=SPEAKER, episode_id=EPISODE):
    return {"episode_id": episode_id, "sentence": sentence, "speaker": SPEAKER, "holder": holder,
            "topic": topic, "stance": stance}


def gold_frame(*rows):
    return pl.DataFrame(list(rows), schema=GOLD, orient="row")


def prediction_frame(*rows):
    schema = pl.Schema({"episode_id": pl.String, "sentence": pl.String, "speaker": pl.String,
                        "holder": pl.String, "topic": pl.String, "stance": StanceEnum})
    return pl.DataFrame(list(rows), schema=schema, orient="row")


def counts(report, topic=None):
    score = report.micro if topic is None else report.topics[topic]
    return score.tp, score.fp, score.fn


# ---------------------------------------------------------------- normalisation and overlap
def test_normalize_text_collapses_whitespace_quotes_dashes_and_case():
    assert normalize_text("  Putin’s  “aims”\n\thave —  not\u00a0changed. ") == "putin's \"aims\" have - not changed."
    assert normalize_text(None) == ""


def test_normalize_name_ignores_case_spacing_and_accents():
    assert normalize_name("Robert  Person") == normalize_name("robert person")
    assert normalize_name("António Guterres") == normalize_name("antonio guterres")
    assert normalize_name("Donald Trump") != normalize_name("Robert Person")


def test_overlap_needs_at_least_half_of_the_shorter_text():
    assert sentences_overlap("abcdefghij", "abcdezzzzzzzzz")  # common "abcde": exactly 5 of 10
    assert not sentences_overlap("abcdefghij", "abcdzzzzzzzzzz")  # common "abcd": 4 of 10
    assert not sentences_overlap("", "abc")


def test_overlap_threshold_at_exactly_half_in_evaluate():
    gold = gold_frame(gold_row("abcdefghij"))
    at_half = evaluate(gold, prediction_frame(prediction("abcdeZZZZZZZZZ")))
    assert counts(at_half) == (1, 0, 0)
    below_half = evaluate(gold, prediction_frame(prediction("abcdZZZZZZZZZZ")))
    assert counts(below_half) == (0, 1, 1)


def test_whitespace_case_and_quote_differences_still_match():
    gold = gold_frame(gold_row("In the last three years,\n  Putin has not   moderated those objectives."))
    report = evaluate(gold, prediction_frame(prediction("in the last three years, PUTIN has not moderated those objectives.")))
    assert counts(report) == (1, 0, 0)
    curly = evaluate(gold_frame(gold_row("That is Putin’s “denazify” aim.")),
                     prediction_frame(prediction("That is Putin's \"denazify\" aim.")))
    assert counts(curly) == (1, 0, 0)


def test_a_clause_of_the_gold_sentence_matches_when_it_is_half_of_the_shorter_text():
    gold = gold_frame(gold_row("I argue that, fundamentally, those aims have not changed."))
    report = evaluate(gold, prediction_frame(prediction("those aims have not changed")))
    assert counts(report) == (1, 0, 0)


# ---------------------------------------------------------------- what has to agree
def test_topic_and_episode_must_agree():
    gold = gold_frame(gold_row("Putin has not moderated his aims."))
    wrong_topic = evaluate(gold, prediction_frame(prediction("Putin has not moderated his aims.", topic="negotiation")))
    assert counts(wrong_topic) == (0, 1, 1)
    assert counts(wrong_topic, "negotiation") == (0, 1, 0)
    assert counts(wrong_topic, "putin_aims") == (0, 0, 1)


def test_only_gold_episodes_are_scored_and_null_topics_are_ignored():
    gold = gold_frame(gold_row("Putin has not moderated his aims."))
    predictions = prediction_frame(
        prediction("Putin has not moderated his aims."),
        prediction("Something else entirely.", episode_id="other-episode"),
        prediction("A sentence the pipeline found no topic for.", topic=None, stance=None),
    )
    report = evaluate(gold, predictions)
    assert counts(report) == (1, 0, 0)
    assert report.n_predictions == 1
    assert report.episodes == (EPISODE,)


def test_topics_option_restricts_scoring():
    gold = gold_frame(gold_row("Putin has not moderated his aims."),
                      gold_row("Europe must spend more.", topic="europe_role"))
    predictions = prediction_frame(prediction("Putin has not moderated his aims."),
                                   prediction("An unlabelled topic.", topic="custom_topic"))
    report = evaluate(gold, predictions, topics=["putin_aims"])
    assert list(report.topics) == ["putin_aims"]
    assert counts(report) == (1, 0, 0)
    unrestricted = evaluate(gold, predictions)
    assert counts(unrestricted, "custom_topic") == (0, 1, 0)
    assert counts(unrestricted) == (1, 1, 1)


# ---------------------------------------------------------------- core: false
def test_prediction_matching_only_a_borderline_entry_is_ignored():
    gold = gold_frame(gold_row("Putin has not moderated his aims."),
                      gold_row("That will do his bidding.", core=False))
    predictions = prediction_frame(prediction("Putin has not moderated his aims."),
                                   prediction("That will do his bidding."),
                                   prediction("That will do his bidding.", holder="Vladimir Putin"))
    report = evaluate(gold, predictions)
    assert counts(report) == (1, 0, 0)
    assert report.n_ignored == 2
    assert report.micro.precision == 1.0
    assert report.outcomes.filter(pl.col("outcome") == "ignored").height == 2


def test_unmatched_borderline_entry_is_not_a_false_negative():
    gold = gold_frame(gold_row("Putin has not moderated his aims."),
                      gold_row("That will do his bidding.", core=False))
    report = evaluate(gold, prediction_frame(prediction("Putin has not moderated his aims.")))
    assert counts(report) == (1, 0, 0)
    assert report.micro.recall == 1.0
    assert report.n_gold_core == 1
    assert report.n_gold_borderline == 1


def test_core_entry_is_matched_before_a_borderline_entry_on_the_same_sentence():
    sentence = "I think it is clear that Putin believes that time is on his side."
    gold = gold_frame(gold_row(sentence, topic="negotiation", stance="against"),
                      gold_row(sentence, topic="negotiation", stance="against", holder="Vladimir Putin", core=False))
    predictions = prediction_frame(prediction(sentence, topic="negotiation", stance="against", holder="Vladimir Putin"))
    report = evaluate(gold, predictions)
    assert counts(report) == (1, 0, 0)
    assert report.holder.accuracy == 0.0  # judged against the core entry, whose holder is the speaker


def test_borderline_entries_are_not_scored_for_stance_or_holder():
    gold = gold_frame(gold_row("That will do his bidding.", core=False, stance="favor"))
    report = evaluate(gold, prediction_frame(prediction("That will do his bidding.", stance="against")))
    assert report.stance.total == 0
    assert report.stance.accuracy is None
    assert report.stance_macro_f1 is None


# ---------------------------------------------------------------- one-to-one matching
def test_duplicate_predictions_of_one_gold_entry_give_one_true_positive_and_false_positives():
    gold = gold_frame(gold_row("Putin has not moderated his aims."))
    predictions = prediction_frame(prediction("Putin has not moderated his aims."),
                                   prediction("Putin has not moderated his aims.", stance="none"))
    report = evaluate(gold, predictions)
    assert counts(report) == (1, 1, 0)
    assert report.stance.accuracy == 1.0  # the agreeing prediction wins the tie


def test_a_nested_claim_the_gold_did_not_record_is_ignored_not_a_false_positive():
    sentence = "I think it is clear that Putin believes that time is on his side."
    outer, nested = prediction(sentence), prediction(sentence, holder="Vladimir Putin", stance="against")
    report = evaluate(gold_frame(gold_row(sentence)), prediction_frame(nested, outer))
    assert counts(report) == (1, 0, 0)
    assert report.holder.accuracy == 1.0  # the speaker's row is the one matched
    assert report.outcomes.filter(pl.col("outcome") == "ignored").height == 1
    # with no gold entry at all, the sentence is one false positive, not two
    report = evaluate(gold_frame(gold_row("Something else entirely.")), prediction_frame(outer, nested))
    assert counts(report) == (0, 1, 1)


def test_one_prediction_matches_at_most_one_gold_entry():
    sentence = "Trump has spoken about his confidence that he will be able to do so."
    gold = gold_frame(gold_row(sentence, topic="trump_prospects", holder="Donald Trump"),
                      gold_row(sentence, topic="trump_prospects", stance="against"))
    report = evaluate(gold, prediction_frame(prediction(sentence, topic="trump_prospects", holder="Donald Trump")))
    assert counts(report) == (1, 0, 1)
    assert report.holder.accuracy == 1.0  # the tie is broken toward the entry whose holder agrees


def test_two_claims_on_one_sentence_are_paired_by_holder():
    sentence = "Trump has spoken about his confidence that he will be able to do so."
    gold = gold_frame(gold_row(sentence, topic="trump_prospects", holder="Donald Trump"),
                      gold_row(sentence, topic="trump_prospects", stance="against"))
    predictions = prediction_frame(prediction(sentence, topic="trump_prospects", stance="against"),
                                   prediction(sentence, topic="trump_prospects", holder="Donald Trump"))
    report = evaluate(gold, predictions)
    assert counts(report) == (2, 0, 0)
    assert report.holder.accuracy == 1.0
    assert report.stance.accuracy == 1.0


# ---------------------------------------------------------------- per topic and micro
def test_per_topic_and_micro_scores():
    gold = gold_frame(
        gold_row("Putin has not moderated his aims."),
        gold_row("His aims are maximalist."),
        gold_row("Trump will not get his deal.", topic="trump_prospects", stance="against"),
    )
    predictions = prediction_frame(
        prediction("Putin has not moderated his aims."),  # tp putin_aims
        prediction("Sanctions must be maintained."),  # fp putin_aims
        prediction("Trump will not get his deal.", topic="trump_prospects", stance="against"),  # tp
        prediction("The weather is nice.", topic="trump_prospects"),  # fp
        prediction("Europe must do more.", topic="europe_role"),  # fp
    )
    report = evaluate(gold, predictions)
    assert counts(report, "putin_aims") == (1, 1, 1)
    assert report.topics["putin_aims"].precision == pytest.approx(0.5)
    assert report.topics["putin_aims"].recall == pytest.approx(0.5)
    assert report.topics["putin_aims"].f1 == pytest.approx(0.5)
    assert counts(report, "trump_prospects") == (1, 1, 0)
    assert report.topics["trump_prospects"].f1 == pytest.approx(2 * 0.5 * 1.0 / 1.5)
    assert counts(report, "europe_role") == (0, 1, 0)
    assert report.topics["europe_role"].f1 == 0.0
    assert report.topics["europe_role"].support == 0
    assert counts(report) == (2, 3, 1)
    assert report.micro.precision == pytest.approx(2 / 5)
    assert report.micro.recall == pytest.approx(2 / 3)
    assert report.micro.f1 == pytest.approx(2 * (2 / 5) * (2 / 3) / (2 / 5 + 2 / 3))
    assert report.n_matched == 2


# ---------------------------------------------------------------- stance
def test_stance_accuracy_and_macro_f1_by_hand():
    gold = gold_frame(gold_row("Sentence one is here."), gold_row("Sentence two is here."),
                      gold_row("Sentence three is here.", stance="against"),
                      gold_row("Sentence four is here.", stance="none"))
    predictions = prediction_frame(prediction("Sentence one is here.", stance="favor"),
                                   prediction("Sentence two is here.", stance="against"),
                                   prediction("Sentence three is here.", stance="against"),
                                   prediction("Sentence four is here.", stance="favor"))
    report = evaluate(gold, predictions)
    assert report.stance.accuracy == pytest.approx(2 / 4)
    # favor: P 1/2, R 1/2 -> 0.5; against: P 1/2, R 1/1 -> 2/3; none: never predicted -> 0.
    assert report.stance_f1_by_label == pytest.approx({"against": 2 / 3, "favor": 0.5, "none": 0.0})
    assert report.stance_macro_f1 == pytest.approx((0.5 + 2 / 3 + 0.0) / 3)


def test_stance_macro_f1_uses_only_labels_present():
    gold = gold_frame(gold_row("Sentence one is here."), gold_row("Sentence two is here.", stance="against"))
    predictions = prediction_frame(prediction("Sentence one is here."),
                                   prediction("Sentence two is here.", stance="against"))
    report = evaluate(gold, predictions)
    assert list(report.stance_f1_by_label) == ["against", "favor"]
    assert report.stance_macro_f1 == 1.0


def test_null_predicted_stance_is_read_as_none():
    gold = gold_frame(gold_row("Sentence one is here.", stance="none"))
    report = evaluate(gold, prediction_frame(prediction("Sentence one is here.", stance=None)))
    assert report.stance.accuracy == 1.0


# ---------------------------------------------------------------- holder and attribution
def test_holder_and_attribution_accuracy():
    gold = gold_frame(
        gold_row("I argue that those aims have not changed."),
        gold_row("Trump is confident that he will be able to do so.", topic="trump_prospects",
                 holder="Donald Trump"),
        gold_row("Putin believes that time is on his side and he will win.", holder="Vladimir Putin"),
    )
    predictions = prediction_frame(
        prediction("I argue that those aims have not changed.", holder="robert  PERSON"),
        prediction("Trump is confident that he will be able to do so.", topic="trump_prospects"),
        prediction("Putin believes that time is on his side and he will win.", holder="Vladimir Putin"),
    )
    report = evaluate(gold, predictions)
    assert (report.holder.correct, report.holder.total) == (2, 3)
    assert (report.attribution.correct, report.attribution.total) == (1, 2)
    assert report.attribution.accuracy == pytest.approx(0.5)


def test_no_predictions_gives_zero_scores_and_undefined_accuracies():
    gold = gold_frame(gold_row("Putin has not moderated his aims."))
    report = evaluate(gold, prediction_frame())
    assert counts(report) == (0, 0, 1)
    assert report.micro.precision == 0.0 and report.micro.f1 == 0.0
    assert report.holder.accuracy is None and report.attribution.accuracy is None


def test_predictions_missing_columns_raise():
    gold = gold_frame(gold_row("Putin has not moderated his aims."))
    with pytest.raises(PredictionFormatError, match="holder"):
        evaluate(gold, prediction_frame().drop("holder"))


def test_predictions_with_an_unknown_stance_raise():
    gold = gold_frame(gold_row("Putin has not moderated his aims."))
    predictions = prediction_frame(prediction("Putin has not moderated his aims.")).with_columns(
        pl.lit("pro").alias("stance")
    )
    with pytest.raises(PredictionFormatError, match="stance 'pro'"):
        evaluate(gold, predictions)


# ---------------------------------------------------------------- report
def test_report_to_dict_is_json_and_table_is_readable():
    gold = gold_frame(gold_row("Putin has not moderated his aims."),
                      gold_row("Trump will not get his deal.", topic="trump_prospects", stance="against",
                               holder="Donald Trump"))
    predictions = prediction_frame(prediction("Putin has not moderated his aims."),
                                   prediction("Trump will not get his deal.", topic="trump_prospects",
                                              stance="favor"))
    report = evaluate(gold, predictions)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["counts"] == {"tp": 2, "fp": 0, "fn": 0, "n_matched": 2, "n_ignored": 0, "n_predictions": 2,
                              "n_gold_core": 2, "n_gold_borderline": 0}
    assert data["detection"]["per_topic"]["putin_aims"]["f1"] == 1.0
    assert data["stance"]["accuracy"] == 0.5
    assert data["attribution"] == {"accuracy": 0.0, "correct": 0, "n": 1}
    table = report.format_table()
    for expected in ("putin_aims", "trump_prospects", "micro", "stance", "macro-F1", "holder", "attribution", "n=1"):
        assert expected in table
    assert re.search(r"micro\s+1\.000\s+1\.000\s+1\.000\s+2\s+2\s+0\s+0", table)


def test_outcomes_list_every_scored_item():
    gold = gold_frame(gold_row("Putin has not moderated his aims."), gold_row("His aims are maximalist."))
    report = evaluate(gold, prediction_frame(prediction("Putin has not moderated his aims."),
                                             prediction("Sanctions must be maintained.")))
    outcomes = report.outcomes.sort("outcome").select("outcome", "gold_sentence", "predicted_sentence")
    expected = pl.DataFrame({
        "outcome": ["tp", "fp", "fn"],
        "gold_sentence": ["Putin has not moderated his aims.", None, "His aims are maximalist."],
        "predicted_sentence": ["Putin has not moderated his aims.", "Sanctions must be maintained.", None],
    }, schema_overrides={"outcome": report.outcomes.schema["outcome"]}).sort("outcome")
    assert_frame_equal(outcomes, expected)


# ---------------------------------------------------------------- holders whatever the topic
def assertion_frame(*rows):
    """Rows of the assertions table: topic and stance null, `parent_claim_id` for nested rows."""
    schema = pl.Schema({"episode_id": pl.String, "sentence": pl.String, "holder": pl.String,
                        "parent_claim_id": pl.String, "topic": pl.String, "stance": StanceEnum})
    return pl.DataFrame([{"parent_claim_id": None, "topic": None, "stance": None, "episode_id": EPISODE, **row}
                         for row in rows], schema=schema, orient="row")


def test_holders_are_scored_on_found_sentences_whatever_their_topic():
    gold = gold_frame(
        gold_row("I argue that those aims have not changed."),
        gold_row("Trump is confident that he will be able to do so.", topic="trump_prospects", holder="Donald Trump"),
        gold_row("Putin believes that time is on his side.", holder="Vladimir Putin"),
        gold_row("Nobody found this sentence at all.", topic="negotiation"),
        gold_row("A borderline row is never scored for its holder.", core=False, holder="Someone Else"),
    )
    # The first on another topic, the second only in the assertions table (no topic).
    predictions = prediction_frame(prediction("I argue that those aims have not changed.", topic="negotiation"),
                                   prediction("Putin believes that time is on his side.", holder=SPEAKER))
    assertions = assertion_frame({"sentence": "Trump is confident that he will be able to do so.",
                                  "holder": "Donald Trump"},
                                 {"sentence": "A borderline row is never scored for its holder.", "holder": SPEAKER})
    report = evaluate(gold, predictions, assertions=assertions)
    holders = report.holders
    assert (holders.own.correct, holders.own.total) == (1, 1)
    assert (holders.reported.correct, holders.reported.total) == (1, 2)
    assert holders.not_found == 1
    assert holders.searched == "claims+assertions"
    # Topic-matched holder accuracy is unchanged: only the Putin sentence shares its topic.
    assert (report.holder.correct, report.holder.total) == (0, 1)
    outcomes = report.holder_outcomes.sort("gold_sentence")
    assert outcomes["gold_sentence"].str.slice(0, 6).to_list() == ["I argu", "Nobody", "Putin ", "Trump "]
    assert outcomes["found"].to_list() == [True, False, True, True]
    assert outcomes["correct"].to_list() == [True, False, False, True]
    # Without the assertions table the Trump sentence is not found.
    assert evaluate(gold, predictions).holders.not_found == 2


def test_holder_table_and_json_show_own_and_reported_views():
    gold = gold_frame(gold_row("Putin believes that time is on his side.", holder="Vladimir Putin"))
    report = evaluate(gold, prediction_frame(prediction("Putin believes that time is on his side.",
                                                        topic="trump_prospects")))
    data = json.loads(json.dumps(report.to_dict()))
    assert data["holders"]["reported"] == {"accuracy": 0.0, "correct": 0, "n": 1}
    assert data["holders"]["own"] == {"accuracy": None, "correct": 0, "n": 0}
    table = report.format_table()
    assert re.search(r"reported views\s+accuracy 0\.000\s+\(0/1", table)
    assert re.search(r"own views\s+accuracy\s+-", table)


def test_a_nested_row_can_carry_the_gold_holder():
    sentence = "I think it is clear that Putin believes time is on his side."
    gold = gold_frame(gold_row(sentence, holder="Vladimir Putin"), gold_row(sentence, topic="negotiation"))
    assertions = assertion_frame({"sentence": sentence, "holder": SPEAKER},
                                 {"sentence": sentence, "holder": "Vladimir Putin", "parent_claim_id": "ep:1:0"})
    holders = evaluate(gold, prediction_frame(), assertions=assertions).holders
    assert (holders.reported.correct, holders.own.correct) == (1, 1)
    assert holders.right_via_nested == 1


def test_the_best_overlapping_predicted_sentence_gives_the_holder():
    # A gold sentence cut in two by the pipeline: both pieces overlap it fully; the longer common text wins.
    gold = gold_frame(gold_row("Putin believes that time is on his side; the West will tire.",
                               holder="Vladimir Putin"))
    predictions = prediction_frame(
        prediction("the West will tire.", holder=SPEAKER),
        prediction("Putin believes that time is on his side;", holder="Vladimir Putin"),
    )
    outcome = evaluate(gold, predictions).holder_outcomes.row(0, named=True)
    assert outcome["predicted_sentence"] == normalize_text("Putin believes that time is on his side;")
    assert outcome["correct"]
    # A sentence that overlaps by less than half of the shorter text is not found.
    far = evaluate(gold, prediction_frame(prediction("Putin believes in nothing at all, they say."))).holders
    assert far.not_found == 1


def test_catalog_names_make_two_names_of_one_actor_agree():
    catalog = ActorCatalog.from_actors((
        Actor("person:volodymyr_zelensky", "Volodymyr Zelensky", "person", "PERSON", aliases=("Zelenskyy", "Volodymyr Zelenskyy")),
    ))
    gold = gold_frame(gold_row("Zelenskyy says the front holds.", holder="Volodymyr Zelenskyy"))
    predictions = prediction_frame(prediction("Zelenskyy says the front holds.", holder="Volodymyr Zelensky"))
    assert evaluate(gold, predictions).holders.reported.correct == 0
    report = evaluate(gold, predictions, canonical=catalog_canonical(catalog))
    assert report.holders.reported.correct == 1
    assert report.holder.correct == 1
    assert catalog_canonical(catalog)("Someone Unknown") == "Someone Unknown"


def test_score_holders_rejects_frames_without_a_holder():
    with pytest.raises(PredictionFormatError, match="holder"):
        score_holders(gold_frame(gold_row("Anything.")), [pl.DataFrame({"episode_id": [EPISODE],
                                                                         "sentence": ["Anything."]})])


# ---------------------------------------------------------------- gold files
def write_lines(path: Path, rows) -> Path:
    path.write_text("".join((row if isinstance(row, str) else json.dumps(row)) + "\n" for row in rows),
                    encoding="utf-8")
    return path


def test_load_gold_reads_rows_with_the_gold_schema(tmp_path):
    rows = [gold_row("Putin has not moderated his aims."), gold_row("That will do his bidding.", core=False)]
    path = write_lines(tmp_path / "gold.jsonl", [rows[0], "", rows[1]])
    assert_frame_equal(load_gold(path), gold_frame(*rows))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        (json.dumps({k: v for k, v in gold_row("S.").items() if k != "holder"}), "missing keys \\['holder'\\]"),
        (json.dumps({**gold_row("S."), "note": "x"}), "unknown keys \\['note'\\]"),
        (json.dumps({**gold_row("S."), "topic": 3}), "'topic' must be a non-empty string"),
        (json.dumps({**gold_row("S."), "sentence": "  "}), "'sentence' must be a non-empty string"),
        (json.dumps({**gold_row("S."), "stance": "pro"}), "stance 'pro' is not one of"),
        (json.dumps({**gold_row("S."), "core": "true"}), "core must be true or false"),
        (json.dumps({**gold_row("S."), "core": 1}), "core must be true or false"),
    ],
)
def test_load_gold_names_file_and_line_of_a_bad_line(tmp_path, line, message):
    path = write_lines(tmp_path / "gold.jsonl", [gold_row("Fine sentence."), line])
    with pytest.raises(GoldFormatError, match=rf"gold\.jsonl:2: {message}"):
        load_gold(path)


def test_load_gold_rejects_duplicates_and_empty_files(tmp_path):
    duplicate = write_lines(tmp_path / "dup.jsonl", [gold_row("Putin  has not moderated."),
                                                     gold_row("Putin has not moderated.", stance="none")])
    with pytest.raises(GoldFormatError, match=r"dup\.jsonl:2: duplicate of line 1"):
        load_gold(duplicate)
    empty_file = write_lines(tmp_path / "empty.jsonl", [""])
    with pytest.raises(GoldFormatError, match="no gold entries"):
        load_gold(empty_file)


def write_claims(root: Path, episode_id: str, rows) -> None:
    tables = {table: empty(schema) for table, schema in EPISODE_TABLES.items()}
    tables["claims"] = to_frame(
        [{"claim_id": f"{episode_id}-{index}", **row} for index, row in enumerate(rows)], CLAIMS
    )
    Store(root).write_episode(episode_id, tables)


def test_evaluate_paths_reads_gold_files_and_the_claims_table(tmp_path):
    gold_path = write_lines(tmp_path / "gold.jsonl", [gold_row("Putin has not moderated his aims."),
                                                      gold_row("His aims are maximalist.")])
    write_claims(tmp_path / "out", EPISODE, [prediction("Putin has not moderated his aims.")])
    write_claims(tmp_path / "out", "unlabelled", [prediction("Anything.", episode_id="unlabelled")])
    report = evaluate_paths([gold_path], tmp_path / "out")
    assert counts(report) == (1, 0, 1)
    assert report.episodes == (EPISODE,)


def test_evaluate_paths_without_claims_counts_every_gold_entry_as_missed(tmp_path, caplog):
    gold_path = write_lines(tmp_path / "gold.jsonl", [gold_row("Putin has not moderated his aims.")])
    report = evaluate_paths([gold_path], tmp_path / "empty-out")
    assert counts(report) == (0, 0, 1)
    assert "no claims of gold episode 'ep'" in caplog.text


def test_evaluate_paths_rejects_an_episode_labelled_twice(tmp_path):
    first = write_lines(tmp_path / "a.jsonl", [gold_row("Putin has not moderated his aims.")])
    second = write_lines(tmp_path / "b.jsonl", [gold_row("His aims are maximalist.")])
    with pytest.raises(GoldFormatError, match="already labelled in"):
        evaluate_paths([first, second], tmp_path / "out")


# ---------------------------------------------------------------- the committed gold files
def source_text(episode_id: str) -> str:
    raw = RAW_DIR / f"{episode_id}.txt"
    if raw.is_file():
        return raw.read_text(encoding="utf-8")
    speech = UN_SPEECHES / f"{episode_id}.txt"
    if not UN_SPEECHES.is_dir():
        pytest.skip(f"UN speeches folder {UN_SPEECHES} is absent (the public data sits beside the clone)")
    assert speech.is_file(), f"no source transcript for gold episode {episode_id!r} in {RAW_DIR} or {UN_SPEECHES}"
    return speech.read_text(encoding="utf-8")


def test_gold_files_exist():
    assert GOLD_FILES, f"no gold files in {GOLD_DIR}"


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda path: path.name)
def test_gold_file_is_valid_and_every_sentence_is_in_its_transcript(path):
    gold = load_gold(path)
    episodes = gold["episode_id"].unique().to_list()
    assert episodes == [path.stem], f"{path.name} holds episodes {episodes}"
    assert set(gold["stance"].cast(pl.String).to_list()) <= set(STANCES)
    assert gold.filter(pl.col("core")).height > 0
    transcript = re.sub(r"\s+", " ", source_text(path.stem))
    missing = [
        sentence for sentence in gold["sentence"].unique().to_list()
        if re.sub(r"\s+", " ", sentence).strip() not in transcript
    ]
    assert not missing, f"{path.name}: sentences not found verbatim in the transcript: {missing[:3]}"
    speakers = set(gold["speaker"].to_list())
    sidecar = SIDECAR_DIR / f"{path.stem}.meta.json"
    if sidecar.is_file():
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        assert speakers == {meta["default_speaker"]}
    else:
        assert speakers <= {"Robert Person", "Ferenc Laczo"}, speakers


@pytest.mark.parametrize("path", sorted(SIDECAR_DIR.glob("*.meta.json")), ids=lambda path: path.name)
def test_sidecar_files_are_well_formed(path):
    meta = json.loads(path.read_text(encoding="utf-8"))
    assert set(meta) == {"title", "date", "show", "speakers", "default_speaker"}
    assert re.fullmatch(r"\d{4}-\d{2}", meta["date"])
    assert meta["show"] == "UN General Debate"
    assert meta["default_speaker"] in [speaker["name"] for speaker in meta["speakers"]]
    assert all(speaker["role"] == "delegate" for speaker in meta["speakers"])
    assert (GOLD_DIR / f"{path.name.removesuffix('.meta.json')}.jsonl").is_file()


def test_a_gold_file_scores_perfectly_against_itself():
    gold = load_gold(GOLD_DIR / "robert-person-negotiate.jsonl")
    report = evaluate(gold, gold.drop("core"))
    core = gold.filter(pl.col("core")).height
    assert counts(report) == (core, 0, 0)
    assert report.n_ignored == gold.height - core
    assert report.stance.accuracy == 1.0 and report.holder.accuracy == 1.0
    assert math.isclose(report.stance_macro_f1, 1.0)
