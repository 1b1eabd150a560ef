"""Cross-episode comparison: who holds which stance where, who changed, who is talked about, who says the same.

Pure functions over frames build each comparison table (`stance_by_holder_frame`,
`stance_changes_frame`, `actor_salience_frame`, `similar_claims_frame`);
`build_comparison` feeds them lazy scans of one output folder, and
`comparison_markdown` / `format_comparison_text` summarise the result for a
Prefect artifact or a terminal. Nothing here imports Prefect or writes files.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol, runtime_checkable

import numpy as np
import polars as pl

from whoclaims.schemas import (
    ACTOR_SALIENCE,
    COMPARISON_TABLES,
    SIMILAR_CLAIMS,
    STANCE_BY_HOLDER,
    STANCE_CHANGES,
    conform,
    empty,
    to_frame,
)
from whoclaims.settings import Settings
from whoclaims.storage import Store, validate_episode_id

log = logging.getLogger(__name__)

UNKNOWN_HOLDER = "(unknown)"
# Mentions made by a speaker label are not talk *about* the actor, so salience leaves them out.
_SPEAKER_SOURCE = "speaker"
# Cosine similarities of identical unit vectors can come out a hair under 1.0.
_SIMILARITY_TOLERANCE = 1e-6


class ComparisonError(ValueError):
    """A comparison was asked for something the output folder does not hold."""


@runtime_checkable
class TextEncoder(Protocol):
    """What the comparison needs of a sentence encoder (`whoclaims.models.Encoder` fits)."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


# ---------------------------------------------------------------- text hygiene

def clean_label(text: object) -> str:
    """`text` as a one-line label: control, format (bidi, zero-width) characters removed, spaces collapsed.

    Names and claims come from transcripts; a bidi override in a speaker name
    would reorder whatever follows it in a report or a terminal.
    """
    if text is None:
        return ""
    kept = []
    for char in unicodedata.normalize("NFC", str(text)):
        category = unicodedata.category(char)
        if category in ("Zl", "Zp") or char in "\t\n\r\x0b\x0c":
            kept.append(" ")
        elif category not in ("Cc", "Cf", "Cs", "Co", "Cn"):
            kept.append(char)
    return " ".join("".join(kept).split())


def shorten(text: str, width: int) -> str:
    """`text` cut to at most `width` characters, with an ellipsis when cut."""
    return text if len(text) <= width else text[: max(width - 1, 0)].rstrip() + "…"


# ---------------------------------------------------------------- episode order

def episode_order(episodes: pl.LazyFrame | pl.DataFrame, extra_ids: Iterable[str] = ()) -> dict[str, int]:
    """Rank of each episode: by date (ISO dates sort as text; undated last), then by episode id.

    `extra_ids` are episodes seen in other tables but missing from `episodes`;
    they rank as undated.
    """
    frame = episodes.lazy().select("episode_id", "date").collect()
    dates: dict[str, str | None] = {}
    for episode_id, date in frame.iter_rows():
        date = (date or "").strip() or None
        if dates.get(episode_id) is None:
            dates[episode_id] = date
    for episode_id in extra_ids:
        dates.setdefault(episode_id, None)
    ordered = sorted(dates, key=lambda e: (dates[e] is None, dates[e] or "", e))
    return {episode_id: rank for rank, episode_id in enumerate(ordered)}


# ---------------------------------------------------------------- stance by holder

def _holder_name() -> pl.Expr:
    return pl.coalesce(pl.col("holder"), pl.col("speaker"), pl.lit(UNKNOWN_HOLDER))


def _holder_key() -> pl.Expr:
    # The canonical id when the pipeline resolved one, else the written name.
    return pl.coalesce(pl.col("holder_id"), pl.col("holder"))


def stance_by_holder_frame(claims: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    """Stance counts per episode, topic and holder (`STANCE_BY_HOLDER`).

    The majority stance is the label with most claims; a tie between `favor`
    and `against` is `none`, and a tie of one side with `none` goes to that
    side. A missing stance counts as `none`; claims without a topic are left out.
    """
    stance = pl.col("stance").cast(pl.String).fill_null("none")
    counts = (
        claims.lazy()
        .filter(pl.col("topic").is_not_null())
        .with_columns(holder=_holder_name(), _stance=stance)
        .with_columns(_holder_key=_holder_key())
        .group_by("episode_id", "topic", "_holder_key")
        .agg(
            holder=pl.col("holder").mode().min(),
            holder_id=pl.col("holder_id").drop_nulls().min(),
            n_claims=pl.len().cast(pl.UInt32),
            n_favor=(pl.col("_stance") == "favor").sum().cast(pl.UInt32),
            n_against=(pl.col("_stance") == "against").sum().cast(pl.UInt32),
            n_none=(pl.col("_stance") == "none").sum().cast(pl.UInt32),
            mean_stance_score=pl.col("stance_score").mean().cast(pl.Float64),
            mean_topic_score=pl.col("topic_score").mean().cast(pl.Float64),
        )
    )
    favor, against, none = pl.col("n_favor"), pl.col("n_against"), pl.col("n_none")
    majority = (
        pl.when((favor > against) & (favor >= none)).then(pl.lit("favor"))
        .when((against > favor) & (against >= none)).then(pl.lit("against"))
        .otherwise(pl.lit("none"))
    )
    return (
        counts.with_columns(
            net_stance=(favor.cast(pl.Float64) - against.cast(pl.Float64)) / pl.col("n_claims").cast(pl.Float64),
            stance=majority.cast(STANCE_BY_HOLDER["stance"]),
        )
        .sort(["episode_id", "topic", "n_claims", "holder"], descending=[False, False, True, False])
        .select(STANCE_BY_HOLDER.names())
    )


# ---------------------------------------------------------------- stance changes

def stance_changes_frame(
    stance_by_holder: pl.LazyFrame | pl.DataFrame, episodes: pl.LazyFrame | pl.DataFrame
) -> pl.DataFrame:
    """Holders whose majority stance on a topic flips between consecutive episodes (`STANCE_CHANGES`).

    Episodes are ordered by `episode_order`. Episodes where the holder's
    majority stance is `none` are skipped, so favor -> none -> against is one
    change, from the favor episode to the against episode.
    """
    sides = stance_by_holder.lazy().filter(pl.col("stance") != "none").collect()
    if sides.is_empty():
        return empty(STANCE_CHANGES)
    rank = episode_order(episodes, extra_ids=sides["episode_id"].unique().to_list())
    group = ["_holder_key", "topic"]
    changes = (
        sides.with_columns(
            _holder_key=_holder_key(),
            _rank=pl.col("episode_id").replace_strict(rank, return_dtype=pl.Int64),
        )
        .sort([*group, "_rank"])
        .with_columns(
            from_episode_id=pl.col("episode_id").shift(1).over(group),
            from_stance=pl.col("stance").shift(1).over(group),
        )
        .filter(pl.col("from_stance").is_not_null() & (pl.col("from_stance") != pl.col("stance")))
        .rename({"episode_id": "to_episode_id", "stance": "to_stance"})
        .sort(["holder", "topic", "_rank"])
    )
    return changes.select(STANCE_CHANGES.names())


# ---------------------------------------------------------------- actor salience

def actor_salience_frame(
    mentions: pl.LazyFrame | pl.DataFrame, *, top: int = 10, smoothing: float = 0.5
) -> pl.DataFrame:
    """Actors most over- and under-mentioned in each episode relative to all other episodes (`ACTOR_SALIENCE`).

    `log_ratio` = ln(smoothed share in the episode / smoothed share elsewhere),
    with additive smoothing of `smoothing` mentions per actor, so an actor never
    mentioned on one side still gets a finite ratio. `share` and
    `share_elsewhere` are the raw shares. Keeps the `top` actors per direction
    (`over`, `under`) per episode; mentions from speaker labels are not counted.
    Empty with fewer than two episodes, where there is no "elsewhere".
    """
    counts = (
        mentions.lazy()
        .filter(
            pl.col("actor_id").is_not_null()
            & (pl.col("source").cast(pl.String).fill_null("") != _SPEAKER_SOURCE)
        )
        .group_by("episode_id", "actor_id")
        .agg(mentions=pl.len().cast(pl.Int64), _name=pl.col("canonical_name").drop_nulls().mode().min())
        .collect()
    )
    if counts.is_empty() or counts["episode_id"].n_unique() < 2:
        return empty(ACTOR_SALIENCE)
    names = (
        counts.group_by("actor_id")
        .agg(canonical_name=pl.col("_name").sort_by("mentions", descending=True).first())
        .with_columns(canonical_name=pl.coalesce(pl.col("canonical_name"), pl.col("actor_id")))
    )
    vocabulary = names.height
    grid = (
        counts.select("episode_id").unique()
        .join(names, how="cross")
        .join(counts.select("episode_id", "actor_id", "mentions"), on=["episode_id", "actor_id"], how="left")
        .with_columns(pl.col("mentions").fill_null(0))
        .with_columns(
            _episode_total=pl.col("mentions").sum().over("episode_id"),
            _actor_total=pl.col("mentions").sum().over("actor_id"),
            _total=pl.col("mentions").sum(),
        )
        .with_columns(
            _elsewhere=pl.col("_actor_total") - pl.col("mentions"),
            _elsewhere_total=pl.col("_total") - pl.col("_episode_total"),
        )
        .filter(pl.col("_elsewhere_total") > 0)
    )
    alpha = float(smoothing)
    here = (pl.col("mentions") + alpha) / (pl.col("_episode_total") + alpha * vocabulary)
    there = (pl.col("_elsewhere") + alpha) / (pl.col("_elsewhere_total") + alpha * vocabulary)
    scored = grid.with_columns(
        share=pl.col("mentions") / pl.col("_episode_total"),
        share_elsewhere=pl.col("_elsewhere") / pl.col("_elsewhere_total"),
        log_ratio=(here / there).log(),
    ).with_columns(
        # The smoothed ratio ranks; the raw shares decide the direction, so an actor
        # absent from a short episode is never "over"-mentioned in it.
        direction=pl.when((pl.col("log_ratio") > 0) & (pl.col("share") > pl.col("share_elsewhere"))).then(pl.lit("over"))
        .when((pl.col("log_ratio") < 0) & (pl.col("share") < pl.col("share_elsewhere"))).then(pl.lit("under"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    ranked = (
        scored.filter(pl.col("direction").is_not_null())
        .sort(
            ["episode_id", "direction", pl.col("log_ratio").abs(), "mentions", "actor_id"],
            descending=[False, False, True, True, False],
        )
        .filter(pl.int_range(pl.len()).over("episode_id", "direction") < top)
    )
    return ranked.select(ACTOR_SALIENCE.names())


# ---------------------------------------------------------------- similar claims

@dataclass(frozen=True, slots=True)
class _ClaimUnit:
    """One claim (all its topic rows) as compared for similarity."""

    episode_id: str
    claim_id: str
    holder: str
    text: str
    # topic -> (topic_score, stance)
    topics: dict[str, tuple[float, str | None]]


def _claim_units(claims: pl.LazyFrame | pl.DataFrame) -> list[_ClaimUnit]:
    text = pl.col("claim").str.strip_chars()
    frame = (
        claims.lazy()
        .with_columns(
            _text=pl.when(text.str.len_chars() > 0).then(text).otherwise(pl.col("sentence").str.strip_chars()),
            _holder=_holder_name(),
            claim_id=pl.coalesce(pl.col("claim_id"), pl.int_range(pl.len()).cast(pl.String)),
        )
        # Claims on no topic are mostly procedural talk that would crowd out the pairs worth reading.
        .filter((pl.col("_text").str.len_chars() > 0) & pl.col("topic").is_not_null())
        .select("episode_id", "claim_id", "_holder", "_text", "topic", "topic_score", pl.col("stance").cast(pl.String))
        .sort("episode_id", "claim_id", maintain_order=True)
        .collect()
    )
    units: dict[tuple[str, str], _ClaimUnit] = {}
    for episode_id, claim_id, holder, claim_text, topic, topic_score, stance in frame.iter_rows():
        unit = units.get((episode_id, claim_id))
        if unit is None:
            unit = units[(episode_id, claim_id)] = _ClaimUnit(episode_id, claim_id, holder, claim_text, {})
        score = -math.inf if topic_score is None else float(topic_score)
        if topic not in unit.topics or score > unit.topics[topic][0]:
            unit.topics[topic] = (score, stance)
    return list(units.values())


def _pair_topics(a: _ClaimUnit, b: _ClaimUnit) -> tuple[str, str]:
    """The topic each side is shown under: their best shared topic, else each one's best topic."""
    shared = set(a.topics) & set(b.topics)
    if shared:
        best = max(shared, key=lambda t: (a.topics[t][0] + b.topics[t][0], t))
        return best, best
    best_a = max(a.topics, key=lambda t: (a.topics[t][0], t))
    best_b = max(b.topics, key=lambda t: (b.topics[t][0], t))
    return best_a, best_b


def _unit_vectors(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def _candidate_pairs(
    vectors: np.ndarray,
    episodes: np.ndarray,
    rows: np.ndarray,
    *,
    threshold: float,
    per_row: int,
    block_size: int,
    focus: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cross-episode pairs (i, j, similarity) at or above `threshold`, at most `per_row` per row, blockwise.

    Without `focus`, only j > i is compared (the matrix is symmetric). With
    `focus`, `rows` are compared against every claim of the other episodes.
    """
    found_i, found_j, found_s = [], [], []
    for start in range(0, len(rows), block_size):
        block = rows[start : start + block_size]
        first_column = 0 if focus else int(block[0])
        scores = vectors[block] @ vectors[first_column:].T
        columns = np.arange(first_column, len(vectors))
        invalid = episodes[block][:, None] == episodes[columns][None, :]
        if not focus:
            invalid |= columns[None, :] <= block[:, None]
        scores[invalid] = -np.inf
        hit_row, hit_column = np.nonzero(scores >= threshold - _SIMILARITY_TOLERANCE)
        if not len(hit_row):
            continue
        values = scores[hit_row, hit_column]
        # Keep each row's `per_row` best partners: sort by (row, -score), rank within the row.
        order = np.lexsort((hit_column, -values, hit_row))
        hit_row, hit_column, values = hit_row[order], hit_column[order], values[order]
        starts = np.flatnonzero(np.r_[True, hit_row[1:] != hit_row[:-1]])
        rank = np.arange(len(hit_row)) - np.repeat(starts, np.diff(np.r_[starts, len(hit_row)]))
        keep = rank < per_row
        found_i.append(block[hit_row[keep]])
        found_j.append(columns[hit_column[keep]])
        found_s.append(values[keep])
    if not found_i:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return np.concatenate(found_i), np.concatenate(found_j), np.concatenate(found_s)


def similar_claims_frame(
    claims: pl.LazyFrame | pl.DataFrame,
    *,
    encoder: TextEncoder | Callable[[], TextEncoder],
    threshold: float = 0.8,
    max_pairs_per_claim: int = 5,
    block_size: int = 1024,
    episode_id: str | None = None,
) -> pl.DataFrame:
    """Pairs of claims from different episodes whose texts are near-paraphrases (`SIMILAR_CLAIMS`).

    Each distinct claim text (the claim span, else its sentence) is encoded
    once; cosine similarities come from a blockwise matrix product. Pairs at or
    above `threshold` are kept, most similar first, while each claim is in at
    most `max_pairs_per_claim` pairs. A claim with several topic rows is one
    claim: a pair is shown under the best topic both share, else each side's
    best topic. Claims on no topic are left out. With `episode_id`, only pairs
    with one side in that episode.

    Args:
        encoder: an encoder, or a function returning one; the function is only
            called when there are claims from two episodes to compare.
    """
    units = _claim_units(claims)
    episode_names = sorted({unit.episode_id for unit in units})
    if len(episode_names) < 2 or (episode_id is not None and episode_id not in episode_names):
        return empty(SIMILAR_CLAIMS)
    if not isinstance(encoder, TextEncoder):
        encoder = encoder()
    texts = list(dict.fromkeys(unit.text for unit in units))
    text_index = {text: index for index, text in enumerate(texts)}
    log.info("encoding %d distinct claim texts of %d claims", len(texts), len(units))
    encoded = _unit_vectors(encoder.encode(texts))
    if encoded.shape[0] != len(texts):
        raise ComparisonError(f"encoder returned {encoded.shape[0]} vectors for {len(texts)} texts")
    vectors = encoded[[text_index[unit.text] for unit in units]]
    code_of = {name: code for code, name in enumerate(episode_names)}
    episode_codes = np.array([code_of[unit.episode_id] for unit in units], dtype=np.int64)
    if episode_id is None:
        rows = np.arange(len(units))
    else:
        rows = np.array([i for i, unit in enumerate(units) if unit.episode_id == episode_id])
    pair_i, pair_j, pair_s = _candidate_pairs(
        vectors, episode_codes, rows,
        threshold=threshold, per_row=max_pairs_per_claim, block_size=block_size, focus=episode_id is not None,
    )
    # Greedy by similarity: a pair is kept while both of its claims have room left.
    used = np.zeros(len(units), dtype=np.int64)
    kept: list[dict[str, Any]] = []
    seen: set[tuple[int, int]] = set()
    for k in np.lexsort((pair_j, pair_i, -pair_s)):
        i, j = int(pair_i[k]), int(pair_j[k])
        a, b = (i, j) if (units[i].episode_id, i) <= (units[j].episode_id, j) else (j, i)
        if episode_id is not None and units[a].episode_id != episode_id:
            a, b = b, a
        if (a, b) in seen or used[a] >= max_pairs_per_claim or used[b] >= max_pairs_per_claim:
            continue
        seen.add((a, b))
        used[a] += 1
        used[b] += 1
        unit_a, unit_b = units[a], units[b]
        topic_a, topic_b = _pair_topics(unit_a, unit_b)
        kept.append({
            "similarity_score": min(float(pair_s[k]), 1.0),
            "episode_id_a": unit_a.episode_id, "claim_id_a": unit_a.claim_id, "holder_a": unit_a.holder,
            "topic_a": topic_a, "stance_a": unit_a.topics[topic_a][1], "claim_a": unit_a.text,
            "episode_id_b": unit_b.episode_id, "claim_id_b": unit_b.claim_id, "holder_b": unit_b.holder,
            "topic_b": topic_b, "stance_b": unit_b.topics[topic_b][1], "claim_b": unit_b.text,
        })
    return to_frame(kept, SIMILAR_CLAIMS)


# ---------------------------------------------------------------- the whole comparison

def build_comparison(
    store: Store,
    *,
    settings: Settings,
    encoder: TextEncoder | None = None,
    episode_id: str | None = None,
    top_actors: int = 10,
    max_pairs_per_claim: int = 5,
) -> dict[str, pl.DataFrame]:
    """Every comparison table (`COMPARISON_TABLES`) from the processed tables in `store`.

    With `episode_id`, the comparison is still made against all episodes, but
    only rows involving that episode are returned; such a result is a view, not
    something to write over the stored comparison. The encoder is loaded (from
    `settings.encoder_path`) only when there are claims to compare.

    Raises:
        ComparisonError: `episode_id` is not in the store.
    """
    if episode_id is not None:
        validate_episode_id(episode_id)
        if episode_id not in store.episode_ids():
            raise ComparisonError(f"episode {episode_id!r} is not in {store.root}")
    claims = store.scan("claims")
    by_holder = stance_by_holder_frame(claims).collect()
    changes = stance_changes_frame(by_holder, store.scan("episodes"))
    salience = actor_salience_frame(store.scan("mentions"), top=top_actors)
    similar = similar_claims_frame(
        claims,
        encoder=encoder or partial(_default_encoder, settings),
        threshold=settings.similar_claims_threshold,
        max_pairs_per_claim=max_pairs_per_claim,
        episode_id=episode_id,
    )
    if episode_id is not None:
        involved = pl.lit(episode_id)
        by_holder = by_holder.filter(pl.col("episode_id") == involved)
        changes = changes.filter((pl.col("from_episode_id") == involved) | (pl.col("to_episode_id") == involved))
        salience = salience.filter(pl.col("episode_id") == involved)
    tables = {
        "stance_by_holder": by_holder,
        "stance_changes": changes,
        "actor_salience": salience,
        "similar_claims": similar,
    }
    return {name: conform(tables[name], schema, table=name) for name, schema in COMPARISON_TABLES.items()}


def _default_encoder(settings: Settings) -> TextEncoder:
    from whoclaims.models import load_encoder

    return load_encoder(settings.encoder_path, batch_size=settings.encoder_batch_size)


# ---------------------------------------------------------------- summaries

@dataclass(frozen=True, slots=True)
class _Section:
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    note: str = ""


def _number(value: float | None, digits: int = 2, *, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def _table(tables: Mapping[str, pl.DataFrame], name: str) -> pl.DataFrame:
    frame = tables.get(name)
    return empty(COMPARISON_TABLES[name]) if frame is None else frame


def _summary_sections(tables: Mapping[str, pl.DataFrame], *, episode_id: str | None, top: int) -> list[_Section]:
    by_holder = _table(tables, "stance_by_holder")
    changes = _table(tables, "stance_changes")
    salience = _table(tables, "actor_salience")
    similar = _table(tables, "similar_claims")
    if episode_id is not None:
        by_holder = by_holder.filter(pl.col("episode_id") == episode_id)
        changes = changes.filter((pl.col("from_episode_id") == episode_id) | (pl.col("to_episode_id") == episode_id))
        salience = salience.filter(pl.col("episode_id") == episode_id)
        similar = similar.filter((pl.col("episode_id_a") == episode_id) | (pl.col("episode_id_b") == episode_id))
    sections = []

    shown = by_holder.sort(["n_claims", "episode_id", "holder"], descending=[True, False, False]).head(top)
    sections.append(_Section(
        "Stance by holder",
        ("Episode", "Holder", "Topic", "Claims", "Favor", "Against", "None", "Net", "Stance"),
        [
            (r["episode_id"], r["holder"], r["topic"], str(r["n_claims"]), str(r["n_favor"]), str(r["n_against"]),
             str(r["n_none"]), _number(r["net_stance"], signed=True), r["stance"])
            for r in shown.iter_rows(named=True)
        ],
        note=f"{by_holder.height} holder/topic/episode rows; the {shown.height} with most claims.",
    ))

    shown = changes.head(top)
    sections.append(_Section(
        "Stance changes",
        ("Holder", "Topic", "From", "To"),
        [
            (r["holder"], r["topic"], f"{r['from_stance']} ({r['from_episode_id']})",
             f"{r['to_stance']} ({r['to_episode_id']})")
            for r in shown.iter_rows(named=True)
        ],
        note=f"{changes.height} changes of majority stance between episodes" + (
            f"; the first {shown.height}." if shown.height < changes.height else "."
        ),
    ))

    if episode_id is not None:
        shown = salience.sort(["direction", "log_ratio"], descending=[False, True])
    else:
        shown = salience.sort(pl.col("log_ratio").abs(), descending=True).head(top)
    sections.append(_Section(
        "Actor salience",
        ("Episode", "Actor", "Direction", "Mentions", "Share", "Elsewhere", "Log ratio"),
        [
            (r["episode_id"], r["canonical_name"], r["direction"], str(r["mentions"]), _number(r["share"], 3),
             _number(r["share_elsewhere"], 3), _number(r["log_ratio"], signed=True))
            for r in shown.iter_rows(named=True)
        ],
        note="Share of the episode's actor mentions against the share in all other episodes.",
    ))

    shown = similar.sort("similarity_score", descending=True).head(top)
    sections.append(_Section(
        "Similar claims across episodes",
        ("Similarity", "Episode A", "Holder A", "Topic A", "Stance A", "Claim A",
         "Episode B", "Holder B", "Topic B", "Stance B", "Claim B"),
        [
            (_number(r["similarity_score"]), r["episode_id_a"], r["holder_a"], r["topic_a"], r["stance_a"],
             r["claim_a"], r["episode_id_b"], r["holder_b"], r["topic_b"], r["stance_b"], r["claim_b"])
            for r in shown.iter_rows(named=True)
        ],
        note=f"{similar.height} pairs; the {shown.height} most similar.",
    ))
    return sections


# Backslash-escaped in cells: emphasis, code, links, tables, strikethrough and raw HTML. An underscore
# between two letters or digits cannot emphasise (CommonMark), so ids like putin_aims stay readable.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]|~<>]|(?<![^\W_])_|_(?![^\W_]))")


def _markdown_cell(value: object, width: int = 160) -> str:
    text = shorten(clean_label(value), width) if value is not None else "–"
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text.replace("&", "&amp;"))


def comparison_markdown(tables: Mapping[str, pl.DataFrame], *, episode_id: str | None = None, top: int = 10) -> str:
    """A markdown summary of the comparison tables (for a Prefect artifact), top `top` rows per section.

    Every cell is cleaned of control and bidi characters and markdown/HTML
    escaped, since claims and names come from transcripts.
    """
    title = "# whoclaims comparison" + (f": episode {_markdown_cell(episode_id)}" if episode_id else "")
    lines = [title, ""]
    for section in _summary_sections(tables, episode_id=episode_id, top=top):
        lines += [f"## {section.title}", "", _markdown_cell(section.note, 400), ""]
        if not section.rows:
            lines += ["_None._", ""]
            continue
        lines.append("| " + " | ".join(section.headers) + " |")
        lines.append("|" + "|".join("---" for _ in section.headers) + "|")
        lines += ["| " + " | ".join(_markdown_cell(cell) for cell in row) + " |" for row in section.rows]
        lines.append("")
    return "\n".join(lines)


def format_comparison_text(
    tables: Mapping[str, pl.DataFrame], *, episode_id: str | None = None, top: int = 10, max_cell: int = 48
) -> str:
    """The summary of `comparison_markdown` as plain fixed-width text for a terminal."""
    lines = ["whoclaims comparison" + (f": episode {clean_label(episode_id)}" if episode_id else ""), ""]
    for section in _summary_sections(tables, episode_id=episode_id, top=top):
        lines += [section.title, "=" * len(section.title), clean_label(section.note)]
        if not section.rows:
            lines += ["(none)", ""]
            continue
        cells = [[shorten(clean_label(cell) if cell is not None else "-", max_cell) for cell in row] for row in section.rows]
        widths = [max(len(h), *(len(row[k]) for row in cells)) for k, h in enumerate(section.headers)]
        lines.append("  ".join(h.ljust(w) for h, w in zip(section.headers, widths, strict=True)).rstrip())
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
        lines.append("")
    return "\n".join(lines)
