"""Schemas of every table whoclaims writes.

One `pl.Schema` per output table and one `pl.Enum` per closed label set. Rows
become frames only through `to_frame`, which always passes the schema, and
`conform` checks a frame before it is written, so a table never drifts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

# Text layouts (speaker_header .. plain, press), caption and data formats, and the
# containers whose markup is removed before a text layout is read (markdown, html).
# New names go at the end: storage reads older partitions whose Enum lacks them.
FORMATS = (
    "speaker_header", "inline", "timestamped", "vtt", "srt", "json", "plain",
    "markdown", "press", "yaml", "html",
)
FormatEnum = pl.Enum(list(FORMATS))

STANCES = ("favor", "against", "none")
StanceEnum = pl.Enum(list(STANCES))

ATTRIBUTIONS = ("self", "reported", "addressee", "quoted")
AttributionEnum = pl.Enum(list(ATTRIBUTIONS))

# OntoNotes labels of the English spaCy pipelines.
ENTITY_LABELS = (
    "PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART",
    "LAW", "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL",
)
EntityLabelEnum = pl.Enum(list(ENTITY_LABELS))

MENTION_SOURCES = ("model", "ruler", "coreference", "speaker")
MentionSourceEnum = pl.Enum(list(MENTION_SOURCES))

ACTOR_TYPES = ("person", "state", "organisation", "group", "other")
ActorTypeEnum = pl.Enum(list(ACTOR_TYPES))

RUN_STATUSES = ("done", "skipped", "failed")
RunStatusEnum = pl.Enum(list(RUN_STATUSES))

EPISODES = pl.Schema({
    "episode_id": pl.String,
    "title": pl.String,
    "description": pl.String,
    "date": pl.String,
    "show": pl.String,
    "format": FormatEnum,
    "source_path": pl.String,
    "content_hash": pl.String,
    "settings_hash": pl.String,
    "n_chars": pl.Int64,
    "n_tokens": pl.Int64,
    "n_turns": pl.Int32,
    "n_sentences": pl.Int32,
    "speakers": pl.List(pl.String),
    "pipeline_version": pl.String,
    "url": pl.String,
    "tags": pl.List(pl.String),
    # "<code>: <problem and fix>" for one speaker, `Unknown` or oversized turns (ingest.checks).
    "warnings": pl.List(pl.String),
})

TEXTS = pl.Schema({
    "episode_id": pl.String,
    "text": pl.String,
})

TURNS = pl.Schema({
    "episode_id": pl.String,
    "turn_id": pl.Int32,
    "speaker": pl.String,
    "speaker_id": pl.String,
    "role": pl.String,
    "text": pl.String,
    "start_char": pl.Int64,
    "end_char": pl.Int64,
    "start_s": pl.Float64,
    "end_s": pl.Float64,
    # Chapter heading the turn starts under (Markdown/HTML headings).
    "section": pl.String,
    # The label as the file writes it ("MS. LEAVITT", "Q"); `speaker` is the canonical name.
    "speaker_label": pl.String,
})

SENTENCES = pl.Schema({
    "episode_id": pl.String,
    "sentence_id": pl.Int32,
    "turn_id": pl.Int32,
    "speaker": pl.String,
    "text": pl.String,
    "start_char": pl.Int64,
    "end_char": pl.Int64,
    "start_s": pl.Float64,
})

MENTIONS = pl.Schema({
    "episode_id": pl.String,
    "mention_id": pl.Int32,
    "sentence_id": pl.Int32,
    "turn_id": pl.Int32,
    "speaker": pl.String,
    "start_char": pl.Int64,
    "end_char": pl.Int64,
    "text": pl.String,
    "label": EntityLabelEnum,
    "actor_id": pl.String,
    "canonical_name": pl.String,
    "source": MentionSourceEnum,
    # For coreference mentions: the mention they were resolved to.
    "antecedent_id": pl.Int32,
    "extractor": pl.String,
})

ACTORS = pl.Schema({
    "episode_id": pl.String,
    "actor_id": pl.String,
    "canonical_name": pl.String,
    "type": ActorTypeEnum,
    "mention_count": pl.Int32,
    "first_char": pl.Int64,
    "last_char": pl.Int64,
    "speakers": pl.List(pl.String),
})

CLAIMS = pl.Schema({
    "episode_id": pl.String,
    "claim_id": pl.String,
    "parent_claim_id": pl.String,
    "turn_id": pl.Int32,
    "sentence_id": pl.Int32,
    "speaker": pl.String,
    "speaker_id": pl.String,
    "holder": pl.String,
    "holder_id": pl.String,
    "attribution": AttributionEnum,
    "cue": pl.String,
    "claim": pl.String,
    "sentence": pl.String,
    "start_char": pl.Int64,
    "end_char": pl.Int64,
    "sentence_start_char": pl.Int64,
    "sentence_end_char": pl.Int64,
    "start_s": pl.Float64,
    "end_s": pl.Float64,
    "claim_score": pl.Float64,
    "hedged": pl.Boolean,
    "negated": pl.Boolean,
    "predicted": pl.Boolean,
    "hoped": pl.Boolean,
    "feared": pl.Boolean,
    "asked": pl.Boolean,
    "topic": pl.String,
    "topic_score": pl.Float64,
    "stance": StanceEnum,
    "stance_score": pl.Float64,
    "claim_extractor": pl.String,
    "topic_extractor": pl.String,
    "stance_extractor": pl.String,
    "spacy_model": pl.String,
    "encoder_model": pl.String,
    "stance_model": pl.String,
    "topic_model": pl.String,
    "pipeline_version": pl.String,
    "content_hash": pl.String,
})

# Tables written per episode, in write order. `episodes` goes last, so an
# episode row exists only once every other table of that episode is on disk.
EPISODE_TABLES: dict[str, pl.Schema] = {
    "texts": TEXTS,
    "turns": TURNS,
    "sentences": SENTENCES,
    "mentions": MENTIONS,
    "actors": ACTORS,
    "claims": CLAIMS,
    # Check-worthy sentences that reach no topic: the claims schema, `topic` the nearest
    # topic, `topic_score` its score (below `topic_threshold`), stance null.
    "assertions": CLAIMS,
    "episodes": EPISODES,
}

# Cross-episode tables written by the comparison step.
STANCE_BY_HOLDER = pl.Schema({
    "episode_id": pl.String,
    "topic": pl.String,
    "holder": pl.String,
    "holder_id": pl.String,
    "n_claims": pl.UInt32,
    "n_favor": pl.UInt32,
    "n_against": pl.UInt32,
    "n_none": pl.UInt32,
    "mean_stance_score": pl.Float64,
    "mean_topic_score": pl.Float64,
    "net_stance": pl.Float64,
    "stance": StanceEnum,
})

STANCE_CHANGES = pl.Schema({
    "holder": pl.String,
    "holder_id": pl.String,
    "topic": pl.String,
    "from_episode_id": pl.String,
    "from_stance": StanceEnum,
    "to_episode_id": pl.String,
    "to_stance": StanceEnum,
})

ACTOR_SALIENCE = pl.Schema({
    "episode_id": pl.String,
    "actor_id": pl.String,
    "canonical_name": pl.String,
    "mentions": pl.Int64,
    "share": pl.Float64,
    "share_elsewhere": pl.Float64,
    "log_ratio": pl.Float64,
    "direction": pl.String,
})

SIMILAR_CLAIMS = pl.Schema({
    "similarity_score": pl.Float64,
    "episode_id_a": pl.String,
    "claim_id_a": pl.String,
    "holder_a": pl.String,
    "topic_a": pl.String,
    "stance_a": StanceEnum,
    "claim_a": pl.String,
    "episode_id_b": pl.String,
    "claim_id_b": pl.String,
    "holder_b": pl.String,
    "topic_b": pl.String,
    "stance_b": StanceEnum,
    "claim_b": pl.String,
})

COMPARISON_TABLES: dict[str, pl.Schema] = {
    "stance_by_holder": STANCE_BY_HOLDER,
    "stance_changes": STANCE_CHANGES,
    "actor_salience": ACTOR_SALIENCE,
    "similar_claims": SIMILAR_CLAIMS,
}

ALL_TABLES: dict[str, pl.Schema] = {**EPISODE_TABLES, **COMPARISON_TABLES}


class SchemaError(ValueError):
    """A frame does not match the schema of the table it is written to."""


def to_frame(rows: Iterable[Mapping[str, Any]], schema: pl.Schema) -> pl.DataFrame:
    """Build a frame of `schema` from row dicts; missing keys become null, unknown keys raise."""
    rows = list(rows)
    names = set(schema.names())
    for row in rows:
        extra = set(row) - names
        if extra:
            raise SchemaError(f"unknown columns {sorted(extra)} for schema with {sorted(names)}")
    columns = {name: [row.get(name) for row in rows] for name in schema.names()}
    return pl.DataFrame(columns, schema=schema, strict=True)


def conform(frame: pl.DataFrame, schema: pl.Schema, *, table: str) -> pl.DataFrame:
    """Return `frame` with exactly the columns and dtypes of `schema`, or raise `SchemaError`.

    Columns are reordered; a dtype that differs is an error, never a silent cast
    (Delta and Parquet writers have been seen truncating floats into integers).
    """
    missing = [name for name in schema.names() if name not in frame.columns]
    extra = [name for name in frame.columns if name not in schema]
    if missing or extra:
        raise SchemaError(f"table {table!r}: missing columns {missing}, unexpected columns {extra}")
    wrong = {
        name: (str(frame.schema[name]), str(dtype))
        for name, dtype in schema.items()
        if frame.schema[name] != dtype and not (frame.schema[name] == pl.Null)
    }
    if wrong:
        raise SchemaError(f"table {table!r}: wrong dtypes (got, expected) {wrong}")
    return frame.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])


def empty(schema: pl.Schema) -> pl.DataFrame:
    """An empty frame of `schema`."""
    return pl.DataFrame(schema=schema)
