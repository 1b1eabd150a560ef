"""Annotation: one spaCy pass over an episode's turns, cut into sentences.

Each turn is parsed per paragraph (blank-line separated), and a paragraph longer
than `max_chunk_chars` is cut at whitespace near that size, so no text ever
reaches spaCy's `max_length` and memory stays bounded. Sentences never cross a
paragraph or a turn. A stage direction between sentences (`(Laughter.)`,
`(Applause.)`, `[crosstalk 00:01:02]`) stays in the turn text but is not parsed:
the text around it is parsed as two pieces, so it never starts or ends a
sentence, nor therefore a claim; one inside a sentence ("they want -- (laughter)
-- a deal") stays inside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from whoclaims import cancellation
from whoclaims.ingest.text import STAGE_DIRECTION_INLINE
from whoclaims.records import AnnotatedEpisode, Episode, Segment, Sentence

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
# Text before a stage direction that ends a sentence, or text after it that starts one.
_SENTENCE_END = re.compile(r"[.?!:;\"”'’)\]]\s*$")
_SENTENCE_START = re.compile(r"\s*[A-Z\"“'‘(\[]")


def split_chunks(text: str, *, max_chars: int) -> Iterator[tuple[int, int]]:
    """Half-open (start, end) pieces of `text`: paragraphs, cut at stage directions between
    sentences, and cut further when longer than `max_chars`.

    Leading and trailing whitespace of each piece is left out; empty pieces are skipped.
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be positive, got {max_chars}")
    start = 0
    for match in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        for piece_start, piece_end in _between_stage_directions(text, start, end):
            yield from _cut(text, piece_start, piece_end, max_chars)
        if match:
            start = match.end()


def _between_stage_directions(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """[start, end) without the stage directions that stand between sentences."""
    position = start
    for aside in STAGE_DIRECTION_INLINE.finditer(text, start, end):
        before = text[position:aside.start()]
        after = text[aside.end():end]
        if not before.strip() or _SENTENCE_END.search(before) or not after.strip() or _SENTENCE_START.match(after):
            yield position, aside.start()
            position = aside.end()
    yield position, end


def _cut(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > max_chars:
        limit = start + max_chars
        # Prefer a sentence end, then any whitespace, in the last fifth of the window.
        floor = start + max_chars * 4 // 5
        cut = max(text.rfind(". ", floor, limit), text.rfind("? ", floor, limit), text.rfind("! ", floor, limit))
        cut = cut + 1 if cut >= floor else text.rfind(" ", floor, limit)
        if cut <= start:
            cut = limit
        yield start, cut
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        yield start, end


# Characters parsed between two checks for a stop request: a batch of 64 paragraphs of
# a normal transcript stays one batch; 64 pieces of 50,000 characters are not.
STOP_CHECK_CHARS = 100_000


def _parse(nlp, texts: list[str], *, batch_size: int) -> Iterator:
    """`nlp.pipe` over `texts` in the batches it would make itself (`batch_size` texts), cut earlier
    where a batch would exceed STOP_CHECK_CHARS, checking for a stop request before each."""
    start = 0
    while start < len(texts):
        end, size = start, 0
        while end < len(texts) and end - start < batch_size and (end == start or size + len(texts[end]) <= STOP_CHECK_CHARS):
            size += len(texts[end])
            end += 1
        cancellation.check()
        yield from nlp.pipe(texts[start:end], batch_size=batch_size)
        start = end


def annotate(episode: Episode, nlp, *, max_chunk_chars: int = 50_000, batch_size: int = 64) -> AnnotatedEpisode:
    """Parse `episode` with `nlp` into segments and sentences with episode offsets."""
    pieces: list[tuple[int, int]] = []  # (turn index, start offset)
    texts: list[str] = []
    for index, turn in enumerate(episode.turns):
        for start, end in split_chunks(turn.text, max_chars=max_chunk_chars):
            pieces.append((index, turn.start_char + start))
            texts.append(turn.text[start:end])

    segments: list[Segment] = []
    sentences: list[Sentence] = []
    for (index, offset), doc in zip(pieces, _parse(nlp, texts, batch_size=batch_size), strict=True):
        turn = episode.turns[index]
        segments.append(Segment(turn_id=turn.turn_id, offset=offset, doc=doc))
        for sent in doc.sents:
            # Trim whitespace tokens at either edge so offsets cut out clean text.
            tokens = [token for token in sent if not token.is_space]
            if not tokens:
                continue
            span = doc[tokens[0].i : tokens[-1].i + 1]
            sentences.append(
                Sentence(
                    sentence_id=len(sentences),
                    turn_id=turn.turn_id,
                    speaker=turn.speaker,
                    text=span.text,
                    start_char=offset + span.start_char,
                    end_char=offset + span.end_char,
                    start_s=turn.start_s,
                    end_s=turn.end_s,
                    span=span,
                    segment_offset=offset,
                )
            )
    return AnnotatedEpisode(episode=episode, segments=segments, sentences=sentences)
