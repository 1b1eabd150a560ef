"""What the topic and stance models read of an annotated episode, as plain arrays.

`EpisodeView` is built once per episode from the parse, the entity mentions, the
claims and the sentence vectors (`episode_view`), and holds nothing that needs
spaCy: the trained models and their training code read the same view, so what
is learned is what runs. It pickles, so training can cache the views of a corpus.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from whoclaims.records import AnnotatedEpisode, Claim

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r]*\n")
_WORD = re.compile(r"^[a-z][a-z'\-]+$")


@dataclass(frozen=True)
class MentionFact:
    """An actor mention as the models see it."""

    sentence_id: int
    turn_id: int
    actor_id: str
    resolved: bool  # found through coreference (a pronoun or a title)


@dataclass
class EpisodeView:
    """Per-sentence facts of one episode.

    Arrays have one row per sentence; `claim_*` columns describe the sentence's main
    claim (all False / 0 when the sentence carries none).
    """

    episode_id: str
    texts: list[str]
    turn_ids: np.ndarray
    passages: np.ndarray  # a passage is a paragraph of a turn
    lemmas: list[list[str]]  # lower-cased lemmas, punctuation and numbers left out
    forms: list[list[str]]  # lower-cased word forms, aligned with `lemmas`
    vectors: np.ndarray  # unit sentence embeddings
    mentions: list[MentionFact]
    is_claim: np.ndarray
    claim_score: np.ndarray
    reported: np.ndarray
    asked: np.ndarray
    hedged: np.ndarray
    predicted: np.ndarray
    negated: np.ndarray

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def is_question(self) -> np.ndarray:
        return np.array([text.rstrip().endswith("?") for text in self.texts], dtype=bool)


def episode_view(annotated: AnnotatedEpisode, claims: Sequence[Claim], vectors: np.ndarray) -> EpisodeView:
    """The view of `annotated` with its `claims` and one unit vector per sentence."""
    sentences = annotated.sentences
    n = len(sentences)
    lemmas: list[list[str]] = []
    forms: list[list[str]] = []
    for sentence in sentences:
        words = [(token.lemma_.lower(), token.lower_) for token in sentence.span
                 if not token.is_punct and not token.is_space]
        lemmas.append([lemma for lemma, _ in words])
        forms.append([form for _, form in words])
    flags = {name: np.zeros(n, dtype=bool) for name in ("is_claim", "reported", "asked", "hedged", "predicted",
                                                          "negated")}
    score = np.zeros(n, dtype=np.float32)
    for claim in claims:
        if claim.parent_claim_id is not None:
            continue
        s = claim.sentence_id
        flags["is_claim"][s] = True
        score[s] = claim.claim_score
        flags["reported"][s] = claim.attribution != "self"
        flags["asked"][s] = claim.asked
        flags["hedged"][s] = claim.hedged
        flags["predicted"][s] = claim.predicted
        flags["negated"][s] = claim.negated
    mentions = [MentionFact(m.sentence_id, m.turn_id, m.actor_id, m.source == "coreference")
                for m in annotated.mentions if m.actor_id and 0 <= m.sentence_id < n]
    return EpisodeView(
        episode_id=annotated.episode.episode_id,
        texts=[sentence.text for sentence in sentences],
        turn_ids=np.array([sentence.turn_id for sentence in sentences], dtype=np.int64),
        passages=np.array(passages(annotated), dtype=np.int64),
        lemmas=lemmas,
        forms=forms,
        vectors=np.asarray(vectors, dtype=np.float32),
        mentions=mentions,
        claim_score=score,
        **flags,
    )


def passages(annotated: AnnotatedEpisode) -> list[int]:
    """A passage number per sentence: a new passage starts at each turn and each blank line."""
    sentences = annotated.sentences
    text = annotated.episode.text
    numbers: list[int] = []
    current = 0
    for s, sentence in enumerate(sentences):
        if s > 0:
            previous = sentences[s - 1]
            gap = text[previous.end_char:sentence.start_char] if previous.end_char <= sentence.start_char else ""
            if sentence.turn_id != previous.turn_id or _PARAGRAPH_BREAK.search(gap):
                current += 1
        numbers.append(current)
    return numbers


def bag_of_words(view: EpisodeView) -> list[set[str]]:
    """Per sentence, its content lemmas and lemma bigrams (the text features of the topic heads)."""
    from extractors.lexicon import STOP_WORDS

    bags = []
    for lemmas in view.lemmas:
        words = [lemma for lemma in lemmas if _WORD.match(lemma) and lemma not in STOP_WORDS]
        bags.append(set(words) | {f"{a}_{b}" for a, b in zip(words, words[1:])})
    return bags
