"""Topics file validation and topic assignment (similarity, anchors, terms, frame)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import spacy

from encoders import HashingEncoder
from extractors.topics import TOPIC_EXTRACTOR, assign_topics
from whoclaims.records import AnnotatedEpisode, Claim, Episode, Mention, Segment, Sentence, Turn
from whoclaims.settings import Settings, default_topics_file
from whoclaims.topics import Topic, TopicFileError, load_topics


TOPICS_TOML = """
[[topic]]
id = "tanks"
proposition = "Allies should send more tanks to the front."
description = "Sending tanks and armour."
anchors = ["state:allies"]
terms = ["tank", "armour"]
[topic.examples]
favor = ["send more tanks now", "tanks must go to the front"]
against = ["stop sending tanks", "no more armour for the front"]
none = ["the tanks arrived on tuesday"]

[[topic]]
id = "talks"
proposition = "The parties should hold peace talks now."
description = "Peace talks and a settlement."
anchors = ["person:mediator"]
terms = ["talk", "settlement"]
[topic.examples]
favor = ["hold peace talks now", "a settlement through talks is needed"]
against = ["peace talks now would be a mistake", "no talks until the war is won"]
none = ["the talks were held in geneva"]
"""


@pytest.fixture()
def topics_file(tmp_path: Path) -> Path:
    path = tmp_path / "topics.toml"
    path.write_text(TOPICS_TOML, encoding="utf-8")
    return path


def build_episode(turns: list[tuple[str, str]]) -> AnnotatedEpisode:
    """An annotated episode from (speaker, text) turns, parsed by a blank pipeline with sentencizer."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    text, episode_turns, segments, sentences = "", [], [], []
    for turn_id, (speaker, body) in enumerate(turns):
        start = len(text)
        text += body + "\n\n"
        episode_turns.append(Turn(turn_id=turn_id, speaker=speaker, role=None, text=body, start_char=start,
                                  end_char=start + len(body)))
        doc = nlp(body)
        segments.append(Segment(turn_id=turn_id, offset=start, doc=doc))
        for sent in doc.sents:
            sentences.append(Sentence(
                sentence_id=len(sentences), turn_id=turn_id, speaker=speaker, text=sent.text,
                start_char=start + sent.start_char, end_char=start + sent.end_char, start_s=None, end_s=None,
                span=sent, segment_offset=start,
            ))
    episode = Episode(episode_id="test", source_path="test.txt", format="plain", text=text,
                      turns=tuple(episode_turns), content_hash="0")
    return AnnotatedEpisode(episode=episode, segments=segments, sentences=sentences)


def sentence_claims(annotated: AnnotatedEpisode, *, speakers: set[str] | None = None) -> list[Claim]:
    claims = []
    for sentence in annotated.sentences:
        if speakers is not None and sentence.speaker not in speakers:
            continue
        claims.append(Claim(
            claim_id=f"c{sentence.sentence_id}", turn_id=sentence.turn_id, sentence_id=sentence.sentence_id,
            speaker=sentence.speaker, speaker_id=None, holder=sentence.speaker, holder_id=None, attribution="self",
            cue=None, claim=sentence.text, start_char=sentence.start_char, end_char=sentence.end_char,
            sentence=sentence.text, sentence_start_char=sentence.start_char, sentence_end_char=sentence.end_char,
            start_s=None, end_s=None, claim_score=1.0, span=sentence.span,
        ))
    return claims


def scores_by_topic(decisions) -> dict[tuple[str, str], float]:
    return {(d.claim_id, d.topic): d.topic_score for d in decisions}


def logit(probability: float) -> float:
    probability = min(max(probability, 1e-4), 1 - 1e-4)  # topic scores are rounded to 4 places
    return float(np.log(probability / (1 - probability)))


# ---------------------------------------------------------------- the topics file


def test_default_topics_file_has_the_five_annotation_topics():
    topics = load_topics(default_topics_file())
    assert [t.id for t in topics] == ["putin_aims", "trump_prospects", "europe_role", "negotiation",
                                      "western_support"]
    for topic in topics:
        assert topic.proposition.endswith(".")
        assert topic.anchors and all(":" in anchor for anchor in topic.anchors)
        assert all(topic.examples[label] for label in ("favor", "against", "none")), topic.id
    examples = {text for topic in topics for texts in topic.examples.values() for text in texts}
    assert len(topics.background) >= 20 and not examples & set(topics.background)


def test_default_topic_propositions_match_annotation_md():
    annotation = Path(__file__).resolve().parents[2] / "shared" / "ANNOTATION.md"
    if not annotation.is_file():
        pytest.skip(f"{annotation} is absent")
    text = annotation.read_text(encoding="utf-8")
    for topic in load_topics(default_topics_file()):
        assert f"`{topic.id}`" in text and topic.proposition in text


def test_load_topics_reads_all_fields(topics_file: Path):
    tanks, talks = load_topics(topics_file)
    assert isinstance(tanks, Topic)
    assert tanks.id == "tanks" and tanks.anchors == ("state:allies",) and tanks.terms == ("tank", "armour")
    assert tanks.examples["against"] == ("stop sending tanks", "no more armour for the front")
    assert talks.n_examples == 5
    with pytest.raises(TypeError):
        tanks.examples["favor"] = ()  # read-only


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ('[[topic]]\nid = "a"\n', "topic #1 (a): 'proposition'"),
        ('[[topic]]\nid = "Bad Id"\nproposition = "x"\n', "topic #1: id must match"),
        ('[[topic]]\nid = "a"\nproposition = "x"\n[[topic]]\nid = "a"\nproposition = "y"\n',
         "topic #2 (a): duplicate id"),
        ('[[topic]]\nid = "a"\nproposition = "x"\n[topic.examples]\npro = ["y"]\n',
         "topic #1 (a): unknown example labels ['pro']"),
        ('[[topic]]\nid = "a"\nproposition = "x"\ncolour = "red"\n', "unknown keys ['colour']"),
        ('[[topic]]\nid = "a"\nproposition = "x"\nanchors = ["putin"]\n', "anchor 'putin' is not an actor id"),
        ('[[topic]]\nid = "a"\nproposition = "x"\nterms = "war"\n', "'terms' must be a list"),
        ('[[topic]]\nid = "a"\nproposition = "x"\n[topic.examples]\nfavor = [""]\n', "'examples.favor'"),
        ('[[topic]]\nid = "a"\nproposition = "x"\nanchors = ["state:x"]\nholder_stance = "pro"\n',
         "'holder_stance' must be"),
        ('[[topic]]\nid = "a"\nproposition = "x"\nholder_stance = "favor"\n', "'holder_stance' needs 'anchors'"),
        ("title = 'no topics'\n", "expected one or more [[topic]] tables"),
        ("[[topic]\n", "not valid TOML"),
    ],
)
def test_load_topics_names_file_and_entry_in_errors(tmp_path: Path, body: str, fragment: str):
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(TopicFileError) as error:
        load_topics(path)
    assert str(path) in str(error.value)
    assert fragment in str(error.value)


def test_holder_of_an_anchor_or_speaking_for_one_gets_the_topics_holder_stance(topics_file: Path):
    from extractors.topics import holder_lean
    from whoclaims.actors import Actor, ActorCatalog

    catalog = ActorCatalog.from_actors((
        Actor("person:mediator", "Med Iator", "person", "PERSON"),
        Actor("person:aide", "Ann Aide", "person", "PERSON", affiliation="person:mediator"),
        Actor("person:critic", "Cri Tic", "person", "PERSON"),
    ))
    talks = replace(load_topics(topics_file)[1], holder_stance="favor")
    annotated = build_episode([("Guest", "Talks will work.")])
    claim = sentence_claims(annotated)[0]
    assert holder_lean(replace(claim, holder_id="person:mediator"), talks, catalog) == "favor"
    assert holder_lean(replace(claim, holder_id="person:aide"), talks, catalog) == "favor"
    assert holder_lean(replace(claim, holder_id="person:critic"), talks, catalog) is None
    # a view the critic ascribes to the mediator is the critic's account, not self-presentation
    assert holder_lean(replace(claim, holder_id="person:mediator", attribution="reported"), talks, catalog) is None
    assert holder_lean(replace(claim, holder_id="person:mediator"), replace(talks, holder_stance=None), catalog) is None
    loaded = load_topics(topics_file)
    assert all(topic.holder_stance is None for topic in loaded)
    assert replace(talks, holder_stance="against").fingerprint() != talks.fingerprint()


def test_load_topics_reads_the_background_statements(tmp_path: Path, topics_file: Path):
    assert load_topics(topics_file).background == ()
    path = tmp_path / "with_background.toml"
    path.write_text(TOPICS_TOML + '[background]\nstatements = ["the weather was fine", "welcome to the show"]\n',
                    encoding="utf-8")
    topics = load_topics(path)
    assert [topic.id for topic in topics] == ["tanks", "talks"]
    assert topics.background == ("the weather was fine", "welcome to the show")
    assert type(topics[1:]) is list  # a slice is a plain list of topics, without the background


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ('background = ["x"]\n', "[background]: expected a table"),
        ('[background]\nstatement = ["x"]\n', "[background]: unknown keys ['statement']"),
        ('[background]\nstatements = "x"\n', "[background]: 'statements' must be a list"),
        ('[background]\nstatements = ["x", ""]\n', "[background]: 'statements' must be a list"),
    ],
)
def test_a_malformed_background_is_named_in_the_error(tmp_path: Path, body: str, fragment: str):
    path = tmp_path / "bad_background.toml"
    path.write_text(body + TOPICS_TOML if body.startswith("background") else TOPICS_TOML + body, encoding="utf-8")
    with pytest.raises(TopicFileError) as error:
        load_topics(path)
    assert str(path) in str(error.value) and fragment in str(error.value)


def test_load_topics_missing_file(tmp_path: Path):
    with pytest.raises(TopicFileError, match="cannot read"):
        load_topics(tmp_path / "absent.toml")


# ---------------------------------------------------------------- assignment


def test_similar_claim_gets_its_topic_and_unrelated_claim_none(topics_file: Path):
    topics = load_topics(topics_file)
    annotated = build_episode([("Guest", "I had coffee this morning. We must send more tanks to the front now.")])
    decisions = assign_topics(annotated, sentence_claims(annotated), encoder=HashingEncoder(), topics=topics,
                              settings=Settings())
    kept = {(d.claim_id, d.topic) for d in decisions}
    assert ("c1", "tanks") in kept
    assert not any(claim_id == "c0" for claim_id, _ in kept)
    assert all(0.0 <= d.topic_score <= 1.0 and 0.0 <= d.stance_score <= 1.0 for d in decisions)
    assert TOPIC_EXTRACTOR == "topics.embed_anchor.v4"


def test_a_sentence_close_to_the_background_scores_lower_on_a_topic(topics_file: Path):
    topics = load_topics(topics_file)[:1]  # tanks alone: no other topic to be relative to
    annotated = build_episode([("Guest", "The tanks rolled past the old town hall on a sunny day.")])
    claims = sentence_claims(annotated)

    def score(background):
        decisions = assign_topics(annotated, claims, encoder=HashingEncoder(), topics=topics,
                                  settings=Settings(topic_threshold=0.0), background=background)
        return scores_by_topic(decisions)[("c0", "tanks")]

    plain = score(())
    near = score(("the parade rolled past the old town hall on a sunny day", "a sunny day in town"))
    far = score(("interest rates rose by a quarter point", "harvests were poor"))  # no word in common
    assert logit(plain) - logit(near) > 2.0
    assert logit(plain) - logit(near) > 3 * abs(logit(plain) - logit(far))


def test_anchor_mention_raises_topic_score(topics_file: Path):
    topics = load_topics(topics_file)[1:]  # one topic, so no other topic's margin hides its score
    annotated = build_episode([("Guest", "He wants the talks to go well.")])
    claims = sentence_claims(annotated)
    settings = Settings(topic_threshold=0.0)
    before = scores_by_topic(assign_topics(annotated, claims, encoder=HashingEncoder(), topics=topics,
                                           settings=settings))
    sentence = annotated.sentences[0]
    annotated.mentions = [Mention(mention_id=0, sentence_id=0, turn_id=0, speaker="Guest",
                                  start_char=sentence.start_char, end_char=sentence.start_char + 2, text="He",
                                  label="PERSON", actor_id="person:mediator", canonical_name="The Mediator",
                                  source="coreference")]
    after = scores_by_topic(assign_topics(annotated, claims, encoder=HashingEncoder(), topics=topics,
                                          settings=settings))
    assert logit(after[("c0", "talks")]) > logit(before[("c0", "talks")]) + 0.5


def test_term_lemma_match_raises_topic_score(topics_file: Path, monkeypatch):
    # No constant offset: with the hashing encoder both scores would otherwise round to 0.0.
    monkeypatch.setattr("extractors.topics.LOGIT_BIAS", 0.0)
    topics = load_topics(topics_file)[:1]
    settings = Settings(topic_threshold=0.0)
    plain = build_episode([("Guest", "It would help a great deal.")])
    with_term = build_episode([("Guest", "Armour would help a great deal.")])
    low = scores_by_topic(assign_topics(plain, sentence_claims(plain), encoder=HashingEncoder(), topics=topics,
                                        settings=settings))
    high = scores_by_topic(assign_topics(with_term, sentence_claims(with_term), encoder=HashingEncoder(),
                                         topics=topics, settings=settings))
    assert high[("c0", "tanks")] > low[("c0", "tanks")]


def test_question_frames_the_answer(topics_file: Path):
    """The host's question sets the topic of the answer; its weight decays over turns."""
    topics = load_topics(topics_file)[1:]
    settings = Settings(topic_threshold=0.0)
    answer = "I think that is right and talks should happen."
    asked_talks = build_episode([("Host", "Should the parties hold peace talks now?"), ("Guest", answer),
                                 ("Host", "Thanks."), ("Guest", answer)])
    asked_other = build_episode([("Host", "How was the weather in the city?"), ("Guest", answer),
                                 ("Host", "Thanks."), ("Guest", answer)])
    framed = scores_by_topic(assign_topics(asked_talks, sentence_claims(asked_talks, speakers={"Guest"}),
                                           encoder=HashingEncoder(), topics=topics, settings=settings))
    unframed = scores_by_topic(assign_topics(asked_other, sentence_claims(asked_other, speakers={"Guest"}),
                                             encoder=HashingEncoder(), topics=topics, settings=settings))
    assert logit(framed[("c1", "talks")]) > logit(unframed[("c1", "talks")]) + 0.5
    # two turns later the frame has decayed
    assert logit(framed[("c1", "talks")]) > logit(framed[("c3", "talks")]) + 0.2
    no_decay = scores_by_topic(assign_topics(asked_talks, sentence_claims(asked_talks, speakers={"Guest"}),
                                             encoder=HashingEncoder(), topics=topics,
                                             settings=Settings(topic_threshold=0.0, topic_frame_decay=0.0)))
    assert no_decay[("c3", "talks")] <= framed[("c3", "talks")]


def test_previous_sentence_of_the_passage_sets_the_topic_of_the_next(topics_file: Path):
    """A sentence that goes on with the previous one's point borrows its topic, within a
    passage only: a new turn or a blank line stops the carry-over."""
    topics = load_topics(topics_file)[1:]
    settings = Settings(topic_threshold=0.0)
    follow = "That is exactly what I argued before."
    same_passage = build_episode([("Guest", f"Peace talks and a settlement are needed now. {follow}")])
    other_topic = build_episode([("Guest", f"The weather in the city was mild. {follow}")])
    new_paragraph = build_episode([("Guest", f"Peace talks and a settlement are needed now.\n\n{follow}")])
    new_turn = build_episode([("Guest", "Peace talks and a settlement are needed now."), ("Guest", follow)])

    def follow_score(annotated):
        claims = sentence_claims(annotated)
        decisions = assign_topics(annotated, claims, encoder=HashingEncoder(), topics=topics, settings=settings)
        return logit(scores_by_topic(decisions)[(claims[-1].claim_id, "talks")])

    carried = follow_score(same_passage)
    assert carried > follow_score(other_topic) + 1.0
    assert carried > follow_score(new_paragraph) + 1.0
    assert carried > follow_score(new_turn) + 1.0


def test_context_mix_keeps_unit_vectors_and_passage_bounds():
    from extractors.topics import CONTEXT_MIX, _with_context

    vectors = np.eye(3, dtype=np.float32)
    mixed = _with_context(vectors, [0, 0, 1])
    np.testing.assert_allclose(np.linalg.norm(mixed, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(mixed[0], vectors[0])  # the first sentence of a passage is unchanged
    np.testing.assert_allclose(mixed[2], vectors[2])  # a new passage does not borrow from the last one
    assert mixed[1, 0] == pytest.approx(CONTEXT_MIX / np.sqrt(1 + CONTEXT_MIX**2))


def test_weak_second_topic_is_dropped_by_the_margin(topics_file: Path):
    topics = load_topics(topics_file)
    annotated = build_episode([("Guest", "Send more tanks to the front now, send tanks, more tanks.")])
    decisions = assign_topics(annotated, sentence_claims(annotated), encoder=HashingEncoder(), topics=topics,
                              settings=Settings(topic_threshold=0.0))
    assert {d.topic for d in decisions} == {"tanks"}


def test_claim_can_get_several_topics(topics_file: Path, monkeypatch):
    # Tests the margin rule, not the constant offset (the toy hashing encoder's scores sit low).
    monkeypatch.setattr("extractors.topics.LOGIT_BIAS", 0.0)
    topics = load_topics(topics_file)
    annotated = build_episode([("Guest", "Send more tanks to the front now and hold peace talks now.")])
    decisions = assign_topics(annotated, sentence_claims(annotated), encoder=HashingEncoder(), topics=topics,
                              settings=Settings(topic_threshold=0.4))
    assert {d.topic for d in decisions} == {"tanks", "talks"}


def test_each_sentence_encoded_once_in_one_batch(topics_file: Path):
    topics = load_topics(topics_file)
    annotated = build_episode([("Guest", "Send more tanks now. Hold peace talks now. Nothing else matters.")])
    encoder = HashingEncoder()
    assign_topics(annotated, sentence_claims(annotated), encoder=encoder, topics=topics, settings=Settings())
    encoder.calls.clear()
    assign_topics(annotated, sentence_claims(annotated), encoder=encoder, topics=topics, settings=Settings())
    # topic and example embeddings are cached per process: one call for the episode's sentences
    assert encoder.calls == [3]


def test_no_claims_or_no_topics_give_nothing(topics_file: Path):
    annotated = build_episode([("Guest", "Send more tanks now.")])
    encoder = HashingEncoder()
    assert assign_topics(annotated, [], encoder=encoder, topics=load_topics(topics_file), settings=Settings()) == []
    assert assign_topics(annotated, sentence_claims(annotated), encoder=encoder, topics=[], settings=Settings()) == []


def test_frame_decay_setting_is_validated():
    from whoclaims.settings import SettingsError

    with pytest.raises(SettingsError):
        Settings(topic_frame_decay=1.5)


@pytest.mark.models
def test_real_encoder_assigns_default_topics():
    from whoclaims.models import load_encoder

    topics = load_topics(default_topics_file())
    annotated = build_episode([("Guest", "Europe has to spend much more on its own defence. "
                                         "The weather was lovely in Vienna last spring.")])
    decisions = assign_topics(annotated, sentence_claims(annotated), encoder=load_encoder(), topics=topics,
                              settings=Settings())
    kept = {(d.claim_id, d.topic): d for d in decisions}
    assert ("c0", "europe_role") in kept and kept[("c0", "europe_role")].stance == "favor"
    assert not any(claim_id == "c1" for claim_id, _ in kept)
