"""Topics: target propositions read from a TOML file that users edit.

A topic is a proposition (the stance target), a short description, the actors
it is anchored on (actor ids of the actors catalog), lemma terms, and labelled
example statements (favor / against / none) that the embed stance backend
learns from. Nothing topic-specific lives in code: everything comes from the
file, and `load_topics` rejects a malformed file with an error naming the file
and the entry.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

STANCE_LABELS = ("favor", "against", "none")
_TOPIC_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_TOPIC_KEYS = frozenset({"id", "proposition", "description", "anchors", "terms", "examples"})
# Keys of earlier versions, with why they went (named in the error a stale topics file gets).
_RETIRED_KEYS = {"holder_stance": "stance is read from what is said, not from who says it; remove the line"}


class TopicFileError(ValueError):
    """The topics file cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Topic:
    """One target proposition with its anchors, terms and labelled examples."""

    id: str
    proposition: str
    description: str = ""
    anchors: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    # label ("favor" | "against" | "none") -> example statements; read-only.
    examples: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({label: () for label in STANCE_LABELS}), hash=False
    )

    def __post_init__(self) -> None:
        # Normalise to a read-only mapping with every label present, so callers never guard.
        full = {label: tuple(self.examples.get(label, ())) for label in STANCE_LABELS}
        object.__setattr__(self, "examples", MappingProxyType(full))

    @property
    def n_examples(self) -> int:
        return sum(len(texts) for texts in self.examples.values())

    def fingerprint(self) -> str:
        """A content hash of the topic, used to key per-process caches of its embeddings."""
        payload = repr((self.id, self.proposition, self.description, self.anchors, self.terms,
                        tuple((label, self.examples[label]) for label in STANCE_LABELS)))
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def proposition_key(topic: Topic) -> str:
    """What trained per-topic weights (topic and stance models) are tied to: the topic's id and
    proposition; editing either detaches the topic from its weights."""
    return hashlib.sha256(f"{topic.id}\n{topic.proposition}".encode()).hexdigest()[:16]


class TopicSet(list):
    """The topics of a topics file (a list of `Topic`), with the file's background statements.

    `background` holds statements that bear on none of the topics but speak the same
    language (battlefield reports, history, procedure, questions): a sentence closer to
    them than to a topic is less likely to be on that topic. Slicing gives a plain list.
    """

    def __init__(self, topics=(), background: tuple[str, ...] = ()) -> None:
        super().__init__(topics)
        self.background = tuple(background)


def load_topics(path: str | Path) -> TopicSet:
    """Read and validate the topics file at `path`: its [[topic]] tables and the optional
    `[background]` table (`statements = [...]`).

    Raises:
        TopicFileError: the file is missing, is not TOML, or an entry is malformed
            (the message names the file, the entry's position and its id).
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TopicFileError(f"{path}: cannot read topics file: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise TopicFileError(f"{path}: not valid TOML: {error}") from error
    entries = data.get("topic")
    if not isinstance(entries, list) or not entries:
        raise TopicFileError(f"{path}: expected one or more [[topic]] tables")
    topics: list[Topic] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        topic = _parse_topic(entry, where=f"{path}: topic #{number}")
        if topic.id in seen:
            raise TopicFileError(f"{path}: topic #{number} ({topic.id}): duplicate id {topic.id!r}")
        seen.add(topic.id)
        topics.append(topic)
    return TopicSet(topics, background=_parse_background(data.get("background"), where=f"{path}: [background]"))


def _parse_background(entry: object, *, where: str) -> tuple[str, ...]:
    if entry is None:
        return ()
    if not isinstance(entry, dict):
        raise TopicFileError(f"{where}: expected a table with 'statements'")
    unknown = set(entry) - {"statements"}
    if unknown:
        raise TopicFileError(f"{where}: unknown keys {sorted(unknown)}; allowed: ['statements']")
    return _strings(entry.get("statements", []), where=f"{where}: 'statements'")


def _parse_topic(entry: object, *, where: str) -> Topic:
    if not isinstance(entry, dict):
        raise TopicFileError(f"{where}: expected a table")
    topic_id = entry.get("id")
    if not isinstance(topic_id, str) or not _TOPIC_ID.match(topic_id):
        raise TopicFileError(f"{where}: id must match {_TOPIC_ID.pattern}, got {topic_id!r}")
    where = f"{where} ({topic_id})"
    retired = sorted(set(entry) & set(_RETIRED_KEYS))
    if retired:
        raise TopicFileError(f"{where}: {retired[0]!r} is no longer used: {_RETIRED_KEYS[retired[0]]}")
    unknown = set(entry) - _TOPIC_KEYS
    if unknown:
        raise TopicFileError(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(_TOPIC_KEYS)}")
    proposition = entry.get("proposition")
    if not isinstance(proposition, str) or not proposition.strip():
        raise TopicFileError(f"{where}: 'proposition' must be a non-empty string")
    description = entry.get("description", "")
    if not isinstance(description, str):
        raise TopicFileError(f"{where}: 'description' must be a string")
    anchors = _strings(entry.get("anchors", []), where=f"{where}: 'anchors'")
    for anchor in anchors:
        if ":" not in anchor:
            raise TopicFileError(f"{where}: anchor {anchor!r} is not an actor id like 'person:vladimir_putin'")
    terms = _strings(entry.get("terms", []), where=f"{where}: 'terms'")
    raw_examples = entry.get("examples", {})
    if not isinstance(raw_examples, dict):
        raise TopicFileError(f"{where}: 'examples' must be a table with keys {list(STANCE_LABELS)}")
    unknown_labels = set(raw_examples) - set(STANCE_LABELS)
    if unknown_labels:
        raise TopicFileError(f"{where}: unknown example labels {sorted(unknown_labels)}; use {list(STANCE_LABELS)}")
    examples = {label: _strings(raw_examples.get(label, []), where=f"{where}: 'examples.{label}'")
                for label in STANCE_LABELS}
    return Topic(
        id=topic_id,
        proposition=proposition.strip(),
        description=description.strip(),
        anchors=anchors,
        terms=terms,
        examples=examples,
    )


def _strings(value: object, *, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise TopicFileError(f"{where} must be a list of non-empty strings, got {value!r}")
    return tuple(dict.fromkeys(item.strip() for item in value))
