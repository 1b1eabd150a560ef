"""Claims: which sentences carry a claim, and who holds it (minimal version: holder = speaker)."""

from __future__ import annotations

import logging

from extractors.claim_detector import ClaimDetector
from whoclaims.records import AnnotatedEpisode, Claim
from whoclaims.settings import Settings

log = logging.getLogger(__name__)

EXTRACTOR_NAME = "claims.attribution.v1"


def normalise_speaker(name: str) -> str:
    """Collapse whitespace; title-case labels written in capitals ("TRUMP" -> "Trump")."""
    name = " ".join(name.split())
    return name.title() if name.isupper() else name


def extract_claims(annotated: AnnotatedEpisode, *, detector: ClaimDetector, settings: Settings) -> list[Claim]:
    """One claim per sentence whose claim score reaches `settings.claim_threshold`; abstains below it."""
    sentences = annotated.sentences
    scores = detector.score([sentence.span for sentence in sentences])
    claims: list[Claim] = []
    episode_id = annotated.episode.episode_id
    for sentence, score in zip(sentences, scores):
        if score < settings.claim_threshold:
            continue
        speaker_id = annotated.speaker_ids.get(sentence.speaker)
        claims.append(Claim(
            claim_id=f"{episode_id}:{sentence.sentence_id}:0",
            turn_id=sentence.turn_id,
            sentence_id=sentence.sentence_id,
            speaker=sentence.speaker,
            speaker_id=speaker_id,
            holder=normalise_speaker(sentence.speaker),
            holder_id=speaker_id,
            attribution="self",
            cue=None,
            claim=sentence.text,
            start_char=sentence.start_char,
            end_char=sentence.end_char,
            sentence=sentence.text,
            sentence_start_char=sentence.start_char,
            sentence_end_char=sentence.end_char,
            start_s=sentence.start_s,
            end_s=sentence.end_s,
            claim_score=float(score),
            span=sentence.span,
        ))
    return claims
