"""Annotation: paragraphs and stage directions cut the text spaCy parses; offsets still index the episode."""

from __future__ import annotations

import spacy

from whoclaims.annotate import annotate, split_chunks
from whoclaims.records import Episode, Turn


def _pieces(text: str) -> list[str]:
    return [text[start:end] for start, end in split_chunks(text, max_chars=1000)]


def test_stage_directions_between_sentences_are_not_parsed():
    text = ("(Laughter.) So this is it. Sure.  (Applause.)  I think they -- (laughter) -- want a deal. "
            "[crosstalk 00:02:51] Let me finish. We will win (Applause.) And then.\n\nNext (As interpreted.)")
    assert _pieces(text) == [
        "So this is it. Sure.",
        "I think they -- (laughter) -- want a deal.",  # inside a sentence it stays in it
        "Let me finish. We will win",
        "And then.",
        "Next",
    ]


def test_brackets_that_are_speech_stay():
    text = "The treaty (signed in 1994) failed. Budapest (the memorandum) is cited."
    assert _pieces(text) == [text]


def test_a_stage_direction_never_starts_or_ends_a_sentence():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    text = "Thank you.  (Laughter.)  We are very close with Poland.  (Applause.)"
    episode = Episode(
        episode_id="ep", source_path="ep.txt", format="press", text=text, content_hash="h",
        turns=(Turn(turn_id=0, speaker="Ann", role=None, text=text, start_char=0, end_char=len(text)),),
    )
    annotated = annotate(episode, nlp)
    assert [sentence.text for sentence in annotated.sentences] == ["Thank you.", "We are very close with Poland."]
    for sentence in annotated.sentences:
        assert text[sentence.start_char:sentence.end_char] == sentence.text
