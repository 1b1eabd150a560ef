"""Hand-built episode views for the topic and stance model tests (no spaCy, no real encoder)."""

from __future__ import annotations

import re

import numpy as np

from encoders import HashingEncoder
from extractors.episode_view import EpisodeView, MentionFact
from whoclaims.topics import Topic

TOPICS = [
    Topic(id="aid", proposition="The allies should send more weapons to the defenders.",
          anchors=("org:allies",), terms=("weapon", "ammunition"),
          examples={"favor": ("The allies must send more weapons.", "More ammunition is needed now."),
                    "against": ("Sending more weapons is a mistake.",)}),
    Topic(id="talks", proposition="The two sides should negotiate a ceasefire now.",
          anchors=("person:mediator",), terms=("ceasefire", "negotiate"),
          examples={"favor": ("Both sides should start talks.",), "against": ("Talks now would reward aggression.",)}),
]


def build_view(turns: list[tuple[str, list[str]]], *, mentions: list[tuple[int, str, bool]] = (),
               encoder: HashingEncoder | None = None, episode_id: str = "ep") -> EpisodeView:
    """A view of `turns` (speaker, sentences); `mentions` are (sentence index, actor id, resolved)."""
    encoder = encoder or HashingEncoder()
    texts, turn_ids = [], []
    for turn_id, (_, sentences) in enumerate(turns):
        texts += sentences
        turn_ids += [turn_id] * len(sentences)
    words = [re.findall(r"[a-z']+", text.lower()) for text in texts]
    lemmas = [[w[:-1] if w.endswith("s") and len(w) > 3 else w for w in ws] for ws in words]
    n = len(texts)
    turn_array = np.array(turn_ids, dtype=np.int64)
    return EpisodeView(
        episode_id=episode_id, texts=texts, turn_ids=turn_array, passages=turn_array.copy(), lemmas=lemmas,
        forms=words, vectors=encoder.encode(texts),
        mentions=[MentionFact(s, turn_ids[s], actor, resolved) for s, actor, resolved in mentions],
        is_claim=np.array([not t.endswith("?") for t in texts]), claim_score=np.full(n, 0.9, np.float32),
        reported=np.zeros(n, bool), asked=np.zeros(n, bool), hedged=np.zeros(n, bool),
        predicted=np.zeros(n, bool), negated=np.zeros(n, bool),
    )
