"""The pipeline's table assembly: one claims row per (claim, topic), untopical claims in `assertions`."""

from __future__ import annotations

from types import SimpleNamespace

import spacy

from whoclaims.pipeline import claim_rows
from whoclaims.records import AnnotatedEpisode, Claim, Episode, TopicStance, Turn
from whoclaims.schemas import CLAIMS, to_frame
from whoclaims.settings import Settings


def _claim(claim_id: str, sentence_id: int, text: str) -> Claim:
    return Claim(
        claim_id=claim_id, turn_id=0, sentence_id=sentence_id, speaker="Ann", speaker_id="person:ann",
        holder="Ann", holder_id="person:ann", attribution="self", cue=None, claim=text, start_char=0,
        end_char=len(text), sentence=text, sentence_start_char=0, sentence_end_char=len(text),
        start_s=None, end_s=None, claim_score=0.9,
    )


def test_a_claim_on_two_topics_is_two_rows_and_an_untopical_claim_an_assertion():
    text = "Putin will not stop. Europe must pay."
    episode = Episode(
        episode_id="ep", source_path="ep.txt", format="plain", text=text, content_hash="h",
        turns=(Turn(turn_id=0, speaker="Ann", role=None, text=text, start_char=0, end_char=len(text)),),
    )
    annotated = AnnotatedEpisode(episode=episode, segments=[], sentences=[])
    annotated.claims = [_claim("ep:0:0", 0, "Putin will not stop."), _claim("ep:1:0", 1, "Europe must pay.")]
    annotated.topic_stances = [
        TopicStance("ep:0:0", "putin_aims", 0.9, "favor", 0.8),
        TopicStance("ep:0:0", "negotiation", 0.7, "against", 0.6),
    ]
    annotated.nearest_topics = {"ep:0:0": ("putin_aims", 0.9), "ep:1:0": ("europe_role", 0.31)}
    models = SimpleNamespace(nlp=spacy.blank("en"), encoder=SimpleNamespace(name="enc", revision="r1"))
    rows, assertion_rows = claim_rows(annotated, settings=Settings(), models=models)
    frame = to_frame(rows, CLAIMS)
    assert frame.height == 2
    assert frame["topic"].null_count() == 0 and frame["stance"].null_count() == 0
    assert frame["topic_score"].null_count() == 0 and frame["stance_score"].null_count() == 0
    first = frame.filter(frame["claim_id"] == "ep:0:0").sort("topic")
    assert first["topic"].to_list() == ["negotiation", "putin_aims"]
    assert first["stance"].cast(str).to_list() == ["against", "favor"]
    assertions = to_frame(assertion_rows, CLAIMS)
    assert assertions["claim_id"].to_list() == ["ep:1:0"]
    # the nearest topic and how close it came; no stance toward a topic it is not on
    assert assertions["topic"][0] == "europe_role" and assertions["topic_score"][0] == 0.31
    assert assertions["stance"][0] is None and assertions["stance_score"][0] is None
    assert set(frame["encoder_model"]) == {"enc@r1"}
    # provenance names the model files by content hash
    assert frame["topic_model"][0].startswith("topic_model.npz@") and frame["stance_model"][0].startswith("stance_model.npz@")
    assert set(frame["topic_extractor"]) == {"topics.trained.v1"} and set(frame["stance_extractor"]) == {"stance.trained.v1"}
    assert set(frame["claim_extractor"]) == {"claims.detector.v1+claims.attribution.v1"}


def test_run_key_changes_when_the_same_bytes_are_read_differently(tmp_path):
    # An upgraded reader that finds speakers in a file read before as one "Unknown" turn must
    # reprocess it, though neither its bytes nor the settings changed.
    from whoclaims.ingest import read_episode
    from whoclaims.pipeline import run_key

    path = tmp_path / "page.txt"
    path.write_text("Jane Doe\n(00:00:03) Hello there.\nJohn Smith\n(00:00:09) Hi.\n"
                    "Jane Doe\n(00:00:12) Bye.\nJohn Smith\n(00:00:15) Bye now.\n", encoding="utf-8")
    settings = Settings()
    as_turns = read_episode(path)
    as_one = read_episode(path, force_format="plain", default_speaker="Unknown")
    assert as_turns.content_hash == as_one.content_hash
    assert run_key(as_turns, settings) != run_key(as_one, settings)
    assert run_key(as_turns, settings) == run_key(read_episode(path), settings)
