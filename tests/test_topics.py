"""The topics file (validation, background) and the shipped topic model on a tiny episode."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from whoclaims.records import Claim
from whoclaims.settings import default_topics_file
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


def test_a_retired_holder_stance_key_is_named_with_why_it_went(tmp_path: Path):
    path = tmp_path / "old.toml"
    path.write_text('[[topic]]\nid = "a"\nproposition = "x"\nanchors = ["state:x"]\nholder_stance = "favor"\n',
                    encoding="utf-8")
    with pytest.raises(TopicFileError, match="'holder_stance' is no longer used: stance is read from what is said"):
        load_topics(path)


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


@pytest.mark.models
def test_shipped_topic_model_assigns_default_topics():
    """The shipped model with the real encoder, on a tiny episode written here (not from any transcript)."""
    from extractors.topic_model import load_topic_model
    from extractors.topics import assign_topics
    from views import build_view
    from whoclaims.models import load_encoder
    from whoclaims.settings import default_topic_model_file

    encoder = load_encoder()
    topics = load_topics(default_topics_file())
    view = build_view([("Host", ["Should European countries spend more on their own armies?"]),
                       ("Guest", ["Europe has to spend much more on its own defence.",
                                  "The weather was lovely in Vienna last spring."])], encoder=encoder,
                      mentions=[(0, "group:europe", False), (1, "group:europe", False)])
    claims = [Claim(claim_id=f"c{s}", turn_id=int(view.turn_ids[s]), sentence_id=s, speaker="Guest", speaker_id=None,
                    holder="Guest", holder_id=None, attribution="self", cue=None, claim=text, start_char=0,
                    end_char=len(text), sentence=text, sentence_start_char=0, sentence_end_char=len(text),
                    start_s=None, end_s=None, claim_score=1.0) for s, text in enumerate(view.texts) if s > 0]
    assignment = assign_topics(view, claims, topics=topics, model=load_topic_model(default_topic_model_file()),
                               encoder=encoder)
    europe = [t.id for t in topics].index("europe_role")
    on_topic, off_topic = assignment.probabilities[1], assignment.probabilities[2]
    # The Europe sentence ranks Europe's role first, far above the weather sentence; nothing is
    # kept for the weather (the absolute level of a 3-sentence view is not asserted: the model
    # is calibrated to the base rate of whole episodes).
    assert int(np.argmax(on_topic)) == europe
    assert on_topic[europe] > 20 * off_topic[europe]
    assert not any(d.claim_id == "c2" for d in assignment.decisions)
