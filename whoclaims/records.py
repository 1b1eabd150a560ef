"""Typed records passed between ingest, annotation and the extractors.

These are plain data: no I/O, no models. Character offsets are half-open and
index `Episode.text`, the one normalised text of an episode that is stored in
the `texts` table, so that every span can be cut out again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # spaCy types are only annotations here
    from spacy.tokens import Doc, Span


@dataclass(frozen=True, slots=True)
class RawTurn:
    """One speaker turn as a format parser returns it, before offsets exist."""

    speaker: str
    text: str
    role: str | None = None
    start_s: float | None = None
    end_s: float | None = None
    # The chapter heading the turn starts under (Markdown and HTML headings), if any.
    section: str | None = None
    # The speaker label as the file writes it ("MS. LEAVITT", "Q", "SPEAKER_00"); None when
    # the file names no speaker for this turn (the default speaker).
    label: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedTranscript:
    """What a format parser returns: turns plus any metadata found in the file."""

    format: str
    turns: tuple[RawTurn, ...]
    title: str | None = None
    description: str | None = None
    date: str | None = None
    show: str | None = None
    roles: dict[str, str] = field(default_factory=dict)
    url: str | None = None
    tags: tuple[str, ...] = ()
    # Speaker label -> canonical name, from the file itself (front matter, a JSON/YAML `speakers` map).
    speaker_names: dict[str, str] = field(default_factory=dict)
    # How the speakers were found inside a container format ("timestamped" inside "markdown").
    layout: str | None = None


@dataclass(frozen=True, slots=True)
class Turn:
    """A speaker turn placed in the episode text."""

    turn_id: int
    speaker: str
    role: str | None
    text: str
    start_char: int
    end_char: int
    start_s: float | None = None
    end_s: float | None = None
    section: str | None = None
    # The label as written in the file (`RawTurn.label`); None for the default speaker.
    speaker_label: str | None = None


@dataclass(frozen=True, slots=True)
class Episode:
    """One ingested episode: metadata, normalised text and its turns."""

    episode_id: str
    source_path: str
    format: str
    text: str
    turns: tuple[Turn, ...]
    content_hash: str
    title: str | None = None
    description: str | None = None
    date: str | None = None
    show: str | None = None
    # speaker name -> role ("host", "guest", ...) from labels or the sidecar
    roles: dict[str, str] = field(default_factory=dict)
    url: str | None = None
    tags: tuple[str, ...] = ()
    # Problems a reader should look at (one speaker, `Unknown`, an oversized turn), each
    # "<code>: <what and how to fix it>"; see `whoclaims.ingest.checks`.
    warnings: tuple[str, ...] = ()
    # The speaker layout inside a container format (see `ParsedTranscript.layout`).
    layout: str | None = None

    @property
    def speakers(self) -> list[str]:
        """Speakers in order of first appearance."""
        return list(dict.fromkeys(turn.speaker for turn in self.turns))


@dataclass(slots=True)
class Segment:
    """A spaCy `Doc` over one turn, or one piece of a turn longer than the chunk limit.

    `offset` is the episode character offset of the doc's first character:
    `episode.text[offset + i]` is `doc.text[i]`.
    """

    turn_id: int
    offset: int
    doc: Doc


@dataclass(slots=True)
class Sentence:
    """A sentence of a turn, with its spaCy span."""

    sentence_id: int
    turn_id: int
    speaker: str
    text: str
    start_char: int
    end_char: int
    start_s: float | None
    end_s: float | None
    span: Span
    segment_offset: int


@dataclass(frozen=True, slots=True)
class Mention:
    """An entity mention, canonicalised where the actor is known."""

    mention_id: int
    sentence_id: int
    turn_id: int
    speaker: str
    start_char: int
    end_char: int
    text: str
    label: str
    actor_id: str | None
    canonical_name: str | None
    source: str
    antecedent_id: int | None = None
    actor_type: str | None = None


@dataclass(slots=True)
class Claim:
    """A claim before topic and stance: who holds which content, where, and how firmly."""

    claim_id: str
    turn_id: int
    sentence_id: int
    speaker: str
    speaker_id: str | None
    holder: str
    holder_id: str | None
    attribution: str
    cue: str | None
    claim: str
    start_char: int
    end_char: int
    sentence: str
    sentence_start_char: int
    sentence_end_char: int
    start_s: float | None
    end_s: float | None
    claim_score: float
    hedged: bool = False
    negated: bool = False
    # +1, or -1 when the content's main predicate chain is negated or predicts failure an odd
    # number of times (`extractors.polarity`); computed once here, read by the stance stage.
    polarity: int = 1
    predicted: bool = False
    hoped: bool = False
    feared: bool = False
    asked: bool = False
    parent_claim_id: str | None = None
    # The content span in the parse, for the topic and stance extractors; never stored.
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class TopicStance:
    """One (claim, topic) decision with its stance."""

    claim_id: str
    topic: str
    topic_score: float
    stance: str
    stance_score: float


@dataclass(slots=True)
class AnnotatedEpisode:
    """An episode with its parse; the stages fill `mentions`, then `claims`."""

    episode: Episode
    segments: list[Segment]
    sentences: list[Sentence]
    speaker_ids: dict[str, str] = field(default_factory=dict)
    mentions: list[Mention] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    # Set by the topic and stance stages: one decision per (claim, topic), and per claim
    # its nearest topic and that topic's score (for claims no topic reached).
    topic_stances: list[TopicStance] = field(default_factory=list)
    nearest_topics: dict[str, tuple[str, float]] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def n_tokens(self) -> int:
        return sum(len(segment.doc) for segment in self.segments)
