"""Claims: holders, attribution, nested reports and epistemic marks on hand-built episodes, and a seed run."""

from __future__ import annotations

import importlib
import importlib.util

import pytest
from claims_helpers import build_annotated, flat_detector

import extractors.claims as claims_module
from extractors.claims import EXTRACTOR_NAME, extract_claims, normalise_speaker
from whoclaims.actors import Actor, ActorCatalog
from whoclaims.records import AnnotatedEpisode, Claim, Mention
from whoclaims.settings import Settings

HOST = "Ann Host"
GUEST = "Gus Guest"


@pytest.fixture(autouse=True)
def no_entities_stage(monkeypatch):
    """Unit tests use the built-in fallbacks, whatever the entities stage does."""
    monkeypatch.setattr(claims_module, "_load_mention_finder", lambda: None)


def run(turns, *, settings: Settings | None = None, annotated: AnnotatedEpisode | None = None) -> list[Claim]:
    annotated = annotated or build_annotated(turns)
    return extract_claims(annotated, detector=flat_detector(), settings=settings or Settings())


def by_sentence(claims: list[Claim], sentence: str) -> list[Claim]:
    return [claim for claim in claims if claim.sentence == sentence]


def only(claims: list[Claim], sentence: str) -> Claim:
    found = [claim for claim in by_sentence(claims, sentence) if claim.parent_claim_id is None]
    assert len(found) == 1, (sentence, found)
    return found[0]


def test_extractor_name_is_versioned() -> None:
    assert EXTRACTOR_NAME == "claims.attribution.v1"


def test_default_holder_is_the_speaker_and_offsets_cut_out_the_text() -> None:
    annotated = build_annotated([(GUEST, ["Russia is not winning this war."])])
    annotated.speaker_ids[GUEST] = "gus_guest"
    claims = run(None, annotated=annotated)
    claim = only(claims, "Russia is not winning this war.")
    assert (claim.holder, claim.holder_id, claim.attribution, claim.cue) == (GUEST, "gus_guest", "self", None)
    assert claim.speaker_id == "gus_guest"
    assert claim.claim == claim.sentence
    text = annotated.episode.text
    assert text[claim.start_char : claim.end_char] == claim.claim
    assert text[claim.sentence_start_char : claim.sentence_end_char] == claim.sentence
    assert (claim.start_s, claim.end_s) == (0.0, 9.0)
    assert claim.span is not None and claim.span.text == claim.claim
    assert claim.claim_id == "ep:0:0"


def test_speaker_names_are_normalised() -> None:
    assert normalise_speaker("  TRUMP ") == "Trump"
    assert normalise_speaker("Robert   Person") == "Robert Person"


def test_questions_greetings_thanks_disclaimers_and_procedure_are_not_claims() -> None:
    sentences = [
        "Welcome to the show.", "What do you make of the latest offensive?", "Thanks so much for having me.",
        "These views are my own and do not represent the government.", "Let me turn to the economy.", "Sure.",
        "That is a great question.", "Good evening to you all.",
    ]
    assert run([(GUEST, sentences)]) == []


def test_below_threshold_the_extractor_abstains() -> None:
    assert run([(GUEST, ["Russia is not winning this war."])], settings=Settings(claim_threshold=0.99)) == []


def test_reported_speech_moves_the_holder() -> None:
    claims = run([(GUEST, ["The Kremlin said that the talks would resume."])])
    claim = only(claims, "The Kremlin said that the talks would resume.")
    assert (claim.holder, claim.attribution, claim.cue) == ("Kremlin", "reported", "say")
    assert claim.claim == "the talks would resume"
    assert claim.holder_id is None



def finder_of(find_mention):
    """A mention-finder factory (what `_load_mention_finder` returns) from a find_mention(annotated, start, end)."""
    return lambda annotated: lambda start_char, end_char: find_mention(annotated, start_char, end_char)

def test_reported_holder_is_canonicalised_with_find_mention(monkeypatch) -> None:
    annotated = build_annotated([(GUEST, ["The Kremlin said that the talks would resume."])])

    def find_mention(annotated, start_char, end_char):
        text = annotated.episode.text[start_char:end_char]
        if "Kremlin" in text:
            return Mention(0, 0, 0, GUEST, start_char, end_char, text, "ORG", "russian_government",
                           "Russian government", "ruler")
        return None

    monkeypatch.setattr(claims_module, "_load_mention_finder", lambda: finder_of(find_mention))
    claim = run(None, annotated=annotated)[0]
    assert (claim.holder, claim.holder_id, claim.attribution) == ("Russian government", "russian_government", "reported")


def test_pronoun_holder_comes_from_the_coreference_mention(monkeypatch) -> None:
    annotated = build_annotated([(GUEST, ["He believes that sanctions will fail."])])

    def find_mention(annotated, start_char, end_char):
        text = annotated.episode.text[start_char:end_char]
        if text == "He":
            return Mention(0, 0, 0, GUEST, start_char, end_char, text, "PERSON", "vladimir_putin",
                           "Vladimir Putin", "coreference", antecedent_id=3)
        return None

    monkeypatch.setattr(claims_module, "_load_mention_finder", lambda: finder_of(find_mention))
    claim = run(None, annotated=annotated)[0]
    assert (claim.holder, claim.holder_id, claim.attribution, claim.cue) == (
        "Vladimir Putin", "vladimir_putin", "reported", "believe"
    )


def test_argue_with_a_time_phrase_and_a_pronoun_subject() -> None:
    claims = run([(GUEST, ["Macron has argued for months that Europe must rearm.", "He believes that sanctions will fail."])])
    first = only(claims, "Macron has argued for months that Europe must rearm.")
    assert (first.holder, first.cue, first.claim) == ("Macron", "argue", "Europe must rearm")
    second = only(claims, "He believes that sanctions will fail.")
    assert (second.holder, second.attribution, second.cue) == ("Macron", "reported", "believe")
    assert second.predicted


def test_an_aim_with_an_infinitive_stays_with_the_speaker_but_a_hope_that_moves() -> None:
    claims = run([(GUEST, ["Putin wants to restore the empire.", "Putin hopes that the West will tire.", "Russia wants more land."])])
    aim = only(claims, "Putin wants to restore the empire.")
    assert (aim.holder, aim.attribution, aim.cue) == (GUEST, "self", None)
    assert only(claims, "Russia wants more land.").holder == GUEST
    hope = only(claims, "Putin hopes that the West will tire.")
    assert (hope.holder, hope.attribution, hope.cue, hope.claim) == ("Putin", "reported", "hope", "the West will tire")
    assert hope.hoped and hope.predicted


def test_according_to_moves_the_holder() -> None:
    claim = only(run([(GUEST, ["According to NATO, the front has not moved."])]), "According to NATO, the front has not moved.")
    assert (claim.holder, claim.attribution, claim.cue, claim.claim) == ("NATO", "reported", "according", "the front has not moved")
    assert claim.negated


def test_non_agent_subject_keeps_the_speaker() -> None:
    claim = only(run([(GUEST, ["The data suggests that the economy is slowing."])]), "The data suggests that the economy is slowing.")
    assert (claim.holder, claim.attribution, claim.cue) == (GUEST, "self", "suggest")


def test_you_argue_from_the_host_goes_to_the_guest() -> None:
    turns = [
        (HOST, ["Your book argues that the Kremlin never abandoned its goals.", "You warn that Europe is running out of time."]),
        (GUEST, ["I think that the offensive has stalled."]),
    ]
    claims = run(turns)
    book = only(claims, "Your book argues that the Kremlin never abandoned its goals.")
    assert (book.holder, book.attribution, book.cue, book.speaker) == (GUEST, "addressee", "argue", HOST)
    assert book.claim == "the Kremlin never abandoned its goals"
    assert book.negated
    warn = only(claims, "You warn that Europe is running out of time.")
    assert (warn.holder, warn.attribution, warn.cue) == (GUEST, "addressee", "warn")


def test_addressee_is_the_previous_speaker_when_the_next_is_the_same() -> None:
    turns = [
        (GUEST, ["I think that the offensive has stalled."]),
        (HOST, ["You warn that Europe is running out of time."]),
    ]
    claim = only(run(turns), "You warn that Europe is running out of time.")
    assert (claim.holder, claim.attribution) == (GUEST, "addressee")


def test_a_named_addressee_wins_over_the_neighbouring_turn() -> None:
    sentence = "Governor Hale, you said that the tariffs would pay for themselves."
    turns = [(HOST, [sentence]), ("SYSTEM", ["Sure."]), (GUEST, ["Russia is not winning this war."]), ("HALE", ["Sure."])]
    claim = only(run(turns), sentence)
    assert (claim.holder, claim.attribution, claim.cue) == ("Hale", "addressee", "say")
    assert claim.claim == "the tariffs would pay for themselves"


def test_a_name_addressed_before_another_subject_is_not_the_holder() -> None:
    """"Dr. Carson, many experts believe X": the parser takes both for subjects; "Senator Hale, Donald
    Trump argues X": it hangs the second name on the first. The one addressed holds neither view."""
    carson = "Dr. Carson, many experts believe Russian leader Vladimir Putin has bigger designs for the region."
    hale = "Senator Hale, Donald Trump argues that NATO is unfair."
    claims = run([(HOST, [carson, hale]), ("CARSON", ["Sure."])])
    assert (only(claims, carson).holder, only(claims, carson).attribution) == ("many experts", "reported")
    assert (only(claims, hale).holder, only(claims, hale).attribution) == ("Donald Trump", "reported")


def test_an_addressee_named_by_titles_alone_is_the_neighbouring_speaker() -> None:
    sentence = "Mr. Vice President, you said that the tariffs would pay for themselves."
    claim = only(run([(HOST, [sentence]), (GUEST, ["Sure."])]), sentence)
    assert (claim.holder, claim.attribution) == (GUEST, "addressee")


def test_non_person_speaker_labels_are_never_addressed() -> None:
    sentence = "You warn that Europe is running out of time."
    claim = only(run([(HOST, [sentence]), ("SYSTEM", ["Sure."]), (GUEST, ["Sure."])]), sentence)
    assert (claim.holder, claim.attribution) == (GUEST, "addressee")


def test_generic_you_with_a_modal_stays_with_the_speaker() -> None:
    sentence = "You should hope that the ceasefire holds."
    claim = only(run([(GUEST, [sentence]), (HOST, ["Sure."])]), sentence)
    assert (claim.holder, claim.attribution) == (GUEST, "self")


def test_you_with_nobody_addressed_stays_with_the_speaker() -> None:
    claim = only(run([(HOST, ["You warn that Europe is running out of time."])]), "You warn that Europe is running out of time.")
    assert (claim.holder, claim.attribution) == (HOST, "self")


def test_i_think_that_stays_self_and_is_hedged() -> None:
    claim = only(run([(GUEST, ["I think that the offensive has stalled."])]), "I think that the offensive has stalled.")
    assert (claim.holder, claim.attribution, claim.cue) == (GUEST, "self", "think")
    assert claim.claim == "the offensive has stalled"
    assert claim.hedged


def test_nested_report_gives_a_second_row() -> None:
    sentence = "I suspect it is obvious that Putin believes that the West will tire."
    claims = by_sentence(run([(GUEST, [sentence])]), sentence)
    assert len(claims) == 2
    outer, inner = claims
    assert (outer.holder, outer.attribution, outer.cue, outer.parent_claim_id) == (GUEST, "self", "suspect", None)
    assert outer.hedged
    assert (inner.holder, inner.attribution, inner.cue) == ("Putin", "reported", "believe")
    assert inner.parent_claim_id == outer.claim_id
    assert inner.claim_id == "ep:0:1"
    assert inner.claim == "the West will tire"
    assert inner.predicted and not inner.hedged


def test_nested_claims_can_be_switched_off() -> None:
    sentence = "I suspect it is obvious that Putin believes that the West will tire."
    claims = run([(GUEST, [sentence])], settings=Settings(nested_claims=False))
    assert len(claims) == 1 and claims[0].holder == GUEST


@pytest.mark.parametrize(
    ("sentence", "marks"),
    [
        ("Russia is not winning this war.", {"negated"}),
        ("Moscow is going to escalate.", {"predicted"}),
        ("I hope that the ceasefire holds.", {"hoped"}),
        ("I fear that the ceasefire will collapse.", {"feared", "predicted"}),
        ("Perhaps the front might hold.", {"hedged"}),
        ("Sanctions have cut Russian oil revenue by a third since 2022.", set()),
    ],
)
def test_epistemic_marks(sentence: str, marks: set[str]) -> None:
    claim = only(run([(GUEST, [sentence])]), sentence)
    found = {name for name in ("hedged", "negated", "predicted", "hoped", "feared", "asked") if getattr(claim, name)}
    assert found == marks


def test_rhetorical_question_is_an_asked_claim() -> None:
    question = "How can anyone trust a government that broke every promise?"
    claims = run([(GUEST, [question, "Nobody can.", "Russia is not winning this war."])])
    claim = only(claims, question)
    assert claim.asked and claim.holder == GUEST


def test_claim_ids_are_stable_and_unique() -> None:
    turns = [
        (HOST, ["Your book argues that the Kremlin never abandoned its goals."]),
        (GUEST, ["I suspect it is obvious that Putin believes that the West will tire.", "Moscow is going to escalate."]),
    ]
    first = [claim.claim_id for claim in run(turns)]
    second = [claim.claim_id for claim in run(turns)]
    assert first == second
    assert len(set(first)) == len(first)
    assert all(claim_id.startswith("ep:") and claim_id.count(":") == 2 for claim_id in first)


def test_claim_rows_fit_the_claims_schema() -> None:
    from whoclaims.schemas import ATTRIBUTIONS

    claims = run([(HOST, ["You warn that Europe is running out of time."]), (GUEST, ["The Kremlin said that the talks would resume."])])
    assert {claim.attribution for claim in claims} <= set(ATTRIBUTIONS)
    assert all(0.0 <= claim.claim_score <= 1.0 for claim in claims)


# --- the seed episode, with the real models


def _seed_annotated(seed_path, settings: Settings) -> AnnotatedEpisode:
    from whoclaims.annotate import annotate
    from whoclaims.models import load_spacy

    ingest_ready = importlib.util.find_spec("whoclaims.ingest") is not None and hasattr(
        importlib.import_module("whoclaims.ingest"), "read_episode"
    )
    if not ingest_ready:
        pytest.skip("whoclaims.ingest.read_episode is not available yet")
    from whoclaims.ingest import read_episode

    entities = importlib.util.find_spec("extractors.entities") is not None
    nlp = load_spacy(settings.spacy_model, actors_file=settings.actors_file if entities else None)
    annotated = annotate(read_episode(seed_path), nlp)
    if entities:
        from extractors.entities import extract_mentions
        from whoclaims.actors import load_actor_catalog

        annotated.mentions = extract_mentions(annotated, catalog=load_actor_catalog(settings.actors_file))
    return annotated


@pytest.mark.models
def test_seed_episode_claims() -> None:
    from conftest import REPO, SEED

    from extractors.claim_detector import load_claim_detector

    if not SEED.is_file():
        pytest.skip(f"seed episode {SEED} is absent")
    settings = Settings()
    annotated = _seed_annotated(SEED, settings)
    claims = extract_claims(annotated, detector=load_claim_detector(settings.claim_model_file), settings=settings)
    speakers = set(annotated.episode.speakers)
    top = [claim for claim in claims if claim.parent_claim_id is None]
    assert 0.5 * len(annotated.sentences) <= len(top) <= len(annotated.sentences)
    assert {claim.attribution for claim in claims} == {"self", "reported", "addressee"}
    # A host's "you argue / your article argues" goes to the other speaker.
    assert all(claim.holder in speakers for claim in claims if claim.attribution == "addressee")
    assert all(claim.holder != claim.speaker for claim in claims if claim.attribution == "addressee")
    assert any(claim.parent_claim_id for claim in claims)
    assert len({claim.claim_id for claim in claims}) == len(claims)
    text = annotated.episode.text
    assert all(text[claim.start_char : claim.end_char] == claim.claim for claim in claims)

    gold_path = REPO / "gold" / "robert-person-negotiate.jsonl"
    if importlib.util.find_spec("whoclaims.evaluate") is None or not gold_path.is_file():
        return
    import polars as pl

    from whoclaims.evaluate import evaluate, load_gold

    # Claims and holders only: every claim is offered under every gold topic (topics are another stage).
    gold = load_gold(gold_path)
    rows = [{"episode_id": annotated.episode.episode_id, "sentence": claim.sentence, "holder": claim.holder,
             "speaker": claim.speaker, "stance": "none"} for claim in claims]
    frame = pl.DataFrame(rows)
    oracle = pl.concat([frame.with_columns(pl.lit(topic).alias("topic")) for topic in sorted(set(gold["topic"]))])
    report = evaluate(gold, oracle)
    found = sum(score.tp for score in report.topics.values())
    missed = sum(score.fn for score in report.topics.values())
    assert found / (found + missed) >= 0.9
    assert report.holder.accuracy >= 0.95
    assert report.attribution.total == 0 or report.attribution.accuracy >= 0.8


# --------------------------------------------------------------------------- positions, factives, pronouns (issue 15)

@pytest.mark.parametrize(("sentence", "cue"), [
    ("Senator Hale is focused on funding the army.", "focus"),
    ("Governor Hale reaffirmed her support for the treaty.", "reaffirm"),
    ("Governor Hale has made that clear.", "make"),
])
def test_a_predicate_stating_a_position_gives_the_sentence_to_its_subject(sentence: str, cue: str) -> None:
    claim = only(run([(HOST, [sentence])]), sentence)
    assert (claim.holder, claim.attribution, claim.cue) == ("Hale", "reported", cue)
    assert claim.claim == sentence.rstrip(".")


def test_the_holder_named_after_for_or_from() -> None:
    sentence = "Securing the loan has been the main priority for Governor Hale."
    assert (only(run([(HOST, [sentence])]), sentence).holder) == "Hale"
    sentence = "We heard this from Governor Hale yesterday: the loan will come."
    rows = by_sentence(run([(HOST, [sentence])]), sentence)
    assert [(row.holder, row.parent_claim_id is None) for row in rows] == [(HOST, True), ("Hale", False)]


def test_as_someone_made_clear_moves_the_holder() -> None:
    sentence = "As Governor Hale made clear, the loan will come."
    claim = only(run([(HOST, [sentence])]), sentence)
    assert (claim.holder, claim.attribution, claim.claim) == ("Hale", "reported", "the loan will come")


def test_a_position_inside_the_speakers_frame_is_a_nested_claim() -> None:
    sentence = "I would say that Governor Hale has been an advocate for the treaty."
    rows = by_sentence(run([(HOST, [sentence])]), sentence)
    assert [(row.holder, row.attribution) for row in rows] == [(HOST, "self"), ("Hale", "reported")]
    assert rows[1].parent_claim_id == rows[0].claim_id


def test_the_speakers_own_side_stating_its_position_stays_with_the_speaker(monkeypatch) -> None:
    from extractors.entities import find_mention

    monkeypatch.setattr(claims_module, "_load_mention_finder", lambda: finder_of(find_mention))
    sentence = "Ruritania supports the treaty."
    catalog = ActorCatalog.from_actors((
        Actor("state:ruritania", "Ruritania", "state", "GPE"),
        Actor("person:ann_host", "Ann Host", "person", "PERSON", affiliation="state:ruritania"),
    ))

    def holder_for(speaker_id: str | None) -> tuple[str, str]:
        annotated = build_annotated([(HOST, [sentence])])
        if speaker_id:
            annotated.speaker_ids[HOST] = speaker_id
        annotated.mentions = [Mention(0, 0, 0, HOST, 0, 9, "Ruritania", "GPE", "state:ruritania", "Ruritania",
                                      "ruler")]
        claim = only(extract_claims(annotated, detector=flat_detector(), settings=Settings(), catalog=catalog),
                     sentence)
        return claim.holder, claim.attribution

    assert holder_for(None) == ("Ruritania", "reported")
    assert holder_for("person:ann_host") == (HOST, "self")


def test_a_factive_verb_leaves_the_view_with_the_speaker_but_belief_moves_it() -> None:
    knows = "Governor Hale knows that the winter will be hard."
    believes = "Governor Hale believes that the winter will be hard."
    claims = run([(HOST, [knows, believes])])
    assert (only(claims, knows).holder, only(claims, knows).claim) == (HOST, "the winter will be hard")
    assert (only(claims, believes).holder, only(claims, believes).attribution) == ("Hale", "reported")


def test_a_pronoun_that_names_nobody_leaves_the_view_with_the_speaker() -> None:
    sentence = "They believe that the loan will come."
    claim = only(run([(HOST, [sentence])]), sentence)
    assert (claim.holder, claim.attribution) == (HOST, "self")


def test_rejecting_a_thing_is_an_action_not_a_reported_view() -> None:
    sentence = "He rejected the offer and left."
    assert only(run([(HOST, ["Putin wants to restore the empire.", sentence])]), sentence).holder == HOST


def test_a_group_of_officials_is_held_by_the_institution_it_stands_for(monkeypatch) -> None:
    from extractors.entities import find_mention

    monkeypatch.setattr(claims_module, "_load_mention_finder", lambda: finder_of(find_mention))
    sentence = "Ruritanian officials believe that the loan will come."
    annotated = build_annotated([(HOST, [sentence])])
    annotated.mentions = [Mention(0, 0, 0, HOST, 0, 10, "Ruritanian", "NORP", "state:ruritania", "Ruritania",
                                  "ruler", actor_type="state")]
    claim = only(extract_claims(annotated, detector=flat_detector(), settings=Settings()), sentence)
    assert (claim.holder, claim.holder_id, claim.attribution) == ("Ruritania", "state:ruritania", "reported")
    # Without the catalog's actor the group keeps its words.
    claim = only(run([(HOST, [sentence])]), sentence)
    assert claim.holder == "Ruritanian officials"


def test_an_abbreviated_title_before_an_addressed_name_is_not_part_of_the_name() -> None:
    # Regression: the shared title list has no full stops, "Mr." must still count as a title.
    sentence = "Mr. Hale, you argued that the loan will come."
    claim = only(run([(HOST, [sentence]), (GUEST, ["Sure."])]), sentence)
    assert (claim.holder, claim.attribution) == ("Hale", "addressee")


def test_addressee_look_back_reads_each_sentence_of_a_long_turn_once(monkeypatch) -> None:
    """Regression (issue 14): every "you" sentence re-read the whole turn for a vocative, so a
    one-turn speech cost the square of its length. The vocative of a sentence is now asked once."""
    calls: list[str] = []
    real = claims_module.vocative

    def counting(span):
        calls.append(span.text)
        return real(span)

    monkeypatch.setattr(claims_module, "vocative", counting)
    sentences = ["Mr. Hale, you argued that the loan will come."] + [
        "Your new article “Why Peace Fails Now” argues that talks are futile."] * 120
    claims = run([(HOST, sentences)])
    # A few checks per sentence (other rules ask too); the old look-back made it about 7,000 here.
    assert len(calls) <= 4 * len(sentences), f"{len(calls)} vocative checks for {len(sentences)} sentences"
    addressed = [c.holder for c in claims if c.attribution == "addressee"]
    assert len(addressed) >= 120 and set(addressed) == {"Hale"}  # the look-back still finds the vocative


def test_an_apposed_name_holds_the_view_not_the_noun_before_it() -> None:
    sentence = "My colleague Marcus Feld, who is on the restraint side, says every extra dollar just extends the killing."
    claim = only(run([(GUEST, [sentence])]), sentence)
    assert (claim.holder, claim.attribution) == ("Marcus Feld", "reported")
    assert claim.claim == "every extra dollar just extends the killing"


def test_a_participle_of_saying_gives_the_view_to_the_clauses_subject() -> None:
    sentence = "Putin wrote that essay in 2021 saying Russians and Ukrainians are one people."
    claim = only(run([(GUEST, [sentence])]), sentence)
    assert (claim.holder, claim.attribution) == ("Putin", "reported")
    assert claim.claim == "Russians and Ukrainians are one people"
    mine = "I was on the radio last week saying the talks would fail."
    assert only(run([(GUEST, [mine])]), mine).holder == GUEST



def test_contracted_has_read_as_a_passive_still_reports_the_subjects_view() -> None:
    sentence = "He's said the two armies are exhausted."
    claims = run([(GUEST, ["Rutte spoke in Vilnius.", sentence])])
    claim = only(claims, sentence)
    assert (claim.holder, claim.attribution) == ("Rutte", "reported")
    assert claim.claim == "the two armies are exhausted"
    impersonal = "It's said that the talks will fail."
    assert only(run([(GUEST, [impersonal])]), impersonal).holder == GUEST  # a real passive names nobody


def test_keeps_saying_gives_the_view_to_the_subject_of_keeps() -> None:
    sentence = "Peskov keeps saying the talks are going well."
    claim = only(run([(GUEST, [sentence])]), sentence)
    assert (claim.holder, claim.attribution) == ("Peskov", "reported")
    assert claim.claim == "the talks are going well"
    mine = "I keep saying the talks will fail."
    assert only(run([(GUEST, [mine])]), mine).holder == GUEST


def person_mentions(*names: str):
    """A find_mention answering PERSON mentions (no actor) for exactly these texts."""
    def find_mention(annotated, start_char, end_char):
        text = annotated.episode.text[start_char:end_char]
        if text in names:
            return Mention(0, 0, 0, GUEST, start_char, end_char, text, "PERSON", None, None, "ner")
        return None
    return finder_of(find_mention)


def test_a_pronoun_takes_the_subject_of_the_sentence_before_over_a_later_name(monkeypatch) -> None:
    monkeypatch.setattr(claims_module, "_load_mention_finder", lambda: person_mentions("Rutte", "Trump"))
    sentence = "He believes that sanctions will fail."
    claim = only(run([(GUEST, ["Rutte met Trump in Vilnius.", sentence])]), sentence)
    assert (claim.holder, claim.attribution) == ("Rutte", "reported")


def test_a_pronoun_opening_an_answer_takes_the_subject_of_the_question(monkeypatch) -> None:
    monkeypatch.setattr(claims_module, "_load_mention_finder", lambda: person_mentions("Rutte", "Trump", "Hale"))
    sentence = "He believes that sanctions will fail."
    claim = only(run([(HOST, ["Rutte met Trump in Vilnius."]), (GUEST, [sentence])]), sentence)
    assert (claim.holder, claim.attribution) == ("Rutte", "reported")
    # Only through the question's subjects: a name elsewhere in it leaves the view with the speaker...
    aside = only(run([(HOST, ["We heard this from Governor Hale yesterday: the loan will come."]), (GUEST, [sentence])]),
                 sentence)
    assert aside.holder == GUEST
    # ...and so does the speaker's own turn before (not a question to answer).
    own = only(run([(GUEST, ["Rutte met Trump in Vilnius."]), (GUEST, [sentence])]), sentence)
    assert own.holder == GUEST


def test_a_first_name_takes_the_one_full_name_the_episode_gives_it(monkeypatch) -> None:
    monkeypatch.setattr(claims_module, "_load_mention_finder", lambda: person_mentions("Marcus"))
    sentence = "Marcus believes that the loan will come."
    annotated = build_annotated([(GUEST, [sentence])])

    def with_names(*names: str) -> AnnotatedEpisode:
        annotated.mentions = [Mention(i, 0, 0, GUEST, 0, 0, name, "PERSON", None, None, "ner")
                              for i, name in enumerate(names)]
        return annotated

    assert only(run(None, annotated=with_names("Marcus Feld")), sentence).holder == "Marcus Feld"
    assert only(run(None, annotated=with_names("Marcus Feld", "Marcus Aurel")), sentence).holder == "Marcus"
    assert only(run(None, annotated=with_names()), sentence).holder == "Marcus"


def test_a_question_subject_of_the_other_gender_is_not_the_antecedent(monkeypatch) -> None:
    def find_mention(annotated, start_char, end_char):
        text = annotated.episode.text[start_char:end_char]
        if text in {"Rutte", "Trump"}:
            return Mention(0, 0, 0, HOST, start_char, end_char, text, "PERSON", f"person:{text.lower()}", text, "ruler")
        return None

    monkeypatch.setattr(claims_module, "_load_mention_finder", lambda: finder_of(find_mention))
    sentence = "He believes that sanctions will fail."

    def holder_when_rutte_is(gender: str) -> str:
        catalog = ActorCatalog.from_actors((Actor("person:rutte", "Rutte", "person", "PERSON", gender=gender),
                                            Actor("person:trump", "Trump", "person", "PERSON", gender="male")))
        annotated = build_annotated([(HOST, ["Rutte met Trump in Vilnius."]), (GUEST, [sentence])])
        return only(extract_claims(annotated, detector=flat_detector(), settings=Settings(), catalog=catalog),
                    sentence).holder

    assert holder_when_rutte_is("male") == "Rutte"
    assert holder_when_rutte_is("female") == GUEST


def test_a_fallback_antecedent_is_named_as_the_catalog_names_it() -> None:
    catalog = ActorCatalog.from_actors((Actor("person:macron", "Emmanuel Macron", "person", "PERSON",
                                              gender="male", aliases=("Macron",)),))
    sentence = "He believes that sanctions will fail."
    annotated = build_annotated([(GUEST, ["Macron has argued for months that Europe must rearm.", sentence])])
    claim = only(extract_claims(annotated, detector=flat_detector(), settings=Settings(), catalog=catalog), sentence)
    assert (claim.holder, claim.holder_id, claim.attribution) == ("Emmanuel Macron", "person:macron", "reported")


@pytest.mark.parametrize("name", ["he", "", "  ", "They", "who"])
def test_a_holder_that_names_nobody_gives_the_view_to_the_speaker(monkeypatch, name) -> None:
    # The safety net behind every holder rule: if one ever names a pronoun or nobody, the row is the
    # speaker's, and a nested claim of nobody is not written.
    sentence = "I would say that Governor Hale has been an advocate for the treaty."
    monkeypatch.setattr(claims_module.HolderResolver, "resolve",
                        lambda self, sentence, token, cue, own=None: claims_module.Holder(name, None, "reported"))
    rows = by_sentence(run([(HOST, [sentence])]), sentence)
    assert [(row.holder, row.attribution) for row in rows] == [(HOST, "self")]


def test_named_holder_tells_names_from_pronouns() -> None:
    named = claims_module.named_holder
    assert named(claims_module.Holder("Governor Hale", None, "reported"))
    assert named(claims_module.Holder("Ruritania", "state:ruritania", "reported"))
    assert not named(claims_module.Holder("It", None, "reported"))
    assert not named(claims_module.Holder("", None, "self"))


def test_a_named_person_described_by_a_relative_clause_of_saying_holds_its_view() -> None:
    # "X, who says Y": Y is X's view, a nested claim inside the speaker's sentence; a restrictive
    # clause ("analysts who say Y") describes people and reports nobody's view.
    named = "Then there is Governor Hale, who says that the talks will fail."
    restrictive = "Many analysts who say that the talks will fail are wrong."
    two = "We met Governor Hale, who believes that the winter will be hard, and Senator Moss, who believes that it will be mild."
    claims = run([(HOST, [named, restrictive, two])])
    assert [(row.holder, row.attribution, row.claim) for row in by_sentence(claims, named)] == [
        (HOST, "self", named), ("Hale", "reported", "the talks will fail")]
    assert [(row.holder, row.attribution) for row in by_sentence(claims, restrictive)] == [(HOST, "self")]
    nested = [(row.holder, row.claim) for row in by_sentence(claims, two) if row.parent_claim_id]
    assert nested == [("Hale", "the winter will be hard"), ("Moss", "it will be mild")]


@pytest.mark.parametrize("sentence, holder", [
    ("Governor Hale has proposed to convene a summit of the two sides.", "Hale"),
    ("Senator Moss even floated sending more troops.", "Moss"),
])
def test_a_proposal_without_a_clause_states_its_subjects_position(sentence, holder) -> None:
    (row,) = by_sentence(run([(HOST, [sentence])]), sentence)
    assert (row.holder, row.attribution) == (holder, "reported")
