"""One self-contained HTML report of an output folder: episodes, highlighted transcripts, stance charts.

The file needs nothing at view time: no CDN, no fonts, no network. Charts are
inline SVG built here; a few lines of inline JavaScript filter the episode
index and open the section a link points to, and a Content-Security-Policy
allows only that script. Everything that comes from a transcript (text,
speaker and holder names, titles) is escaped by jinja2's autoescape or
`markupsafe.escape`, and names are stripped of bidi and zero-width characters.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from jinja2 import Environment, StrictUndefined
from markupsafe import Markup, escape

from whoclaims import __version__
from whoclaims.compare import (
    actor_salience_frame,
    clean_label,
    episode_order,
    shorten,
    stance_by_holder_frame,
    stance_changes_frame,
)
from whoclaims.schemas import COMPARISON_TABLES, SIMILAR_CLAIMS, STANCES, empty
from whoclaims.storage import Store, atomic_write_bytes, validate_episode_id

log = logging.getLogger(__name__)

# How much of each table the report shows; the Parquet tables hold the rest.
HEATMAP_HOLDERS = 25
OVERVIEW_BARS = 20
EPISODE_BARS = 15
SALIENCE_BARS = 12
CHANGES_ROWS = 60
SIMILAR_ROWS = 60

STANCE_COLOURS = {"favor": "#2f6db5", "against": "#d4561a", "none": "#9aa0a6"}
STANCE_SIGNS = {"favor": "+", "against": "−", "none": "○"}
OVER_COLOUR, UNDER_COLOUR = "#2a7f62", "#a3a3c2"

# Bidi embeddings/overrides/isolates and invisible characters: removed from transcript text,
# which keeps zero-width (non-)joiners because some scripts need them.
_TRANSCRIPT_TABLE: dict[int, str | None] = {
    **dict.fromkeys(range(0x00, 0x20), None),
    **dict.fromkeys(range(0x7F, 0xA0), None),
    **dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"), None),
    **dict.fromkeys(map(ord, "\u200b\u2060\ufeff"), None),
    ord("\t"): "\t", ord("\n"): "\n", ord("\x0c"): "\n", 0x2028: "\n", 0x2029: "\n",
}


class ReportError(ValueError):
    """The report was asked for episodes the output folder does not hold."""


def clean_transcript(text: str) -> str:
    """Transcript text safe to show: control, bidi-override and invisible characters removed."""
    return text.translate(_TRANSCRIPT_TABLE)


# ---------------------------------------------------------------- highlights

@dataclass(frozen=True, slots=True)
class ClaimSpan:
    """One claim row to highlight: a half-open character span and its labels."""

    start_char: int
    end_char: int
    holder: str
    # None: a claim the pipeline put on no topic (underlined, not labelled).
    topic: str | None
    stance: str
    claim: str = ""
    stance_score: float | None = None


def _tag(holder: str, topic: str, stance: str) -> Markup:
    return Markup('<span class="tag t-{s}">{sign} {holder} · {topic}</span>').format(
        s=stance, sign=STANCE_SIGNS.get(stance, "?"), holder=shorten(holder, 40), topic=topic
    )


def _mark(text: str, spans: Sequence[ClaimSpan]) -> Markup:
    topical = [span for span in spans if span.topic is not None]
    stances = {span.stance for span in topical}
    kind = "claim" if not stances else stances.pop() if len(stances) == 1 else "mixed"
    shown = clean_label(text)
    lines = []
    for span in spans:
        if span.topic is None:
            lines.append(f"{span.holder} — claim on no topic")
            continue
        score = f" ({span.stance_score:.2f})" if span.stance_score is not None else ""
        lines.append(f"{span.holder} — {span.topic}: {span.stance}{score}")
        # The claim's own words only when they are not just the highlighted sentence (keeps the file small).
        if span.claim and span.claim != shown:
            lines.append(f"   “{shorten(span.claim, 200)}”")
    labels = dict.fromkeys((span.holder, span.topic, span.stance) for span in topical)
    mark = Markup('<mark class="m-{kind}" title="{title}">{text}</mark>').format(
        kind=kind, title="\n".join(lines), text=clean_transcript(text)
    )
    if not labels:
        return mark
    return mark + Markup('<span class="tags">{}</span>').format(Markup("").join(_tag(*label) for label in labels))


def highlight(text: str, spans: Iterable[ClaimSpan], *, offset: int = 0) -> Markup:
    """Escaped HTML of `text` with each group of overlapping claim spans in one `<mark>`.

    Spans index the episode text; `text` starts at episode offset `offset`. Spans
    are clipped to `text`; a span that overlaps another joins its highlight, which
    then lists every holder and topic (and shows `mixed` when stances differ).
    """
    end = offset + len(text)
    clipped = sorted(
        (ClaimSpan(max(s.start_char, offset), min(s.end_char, end), s.holder, s.topic, s.stance, s.claim, s.stance_score)
         for s in spans if s.start_char < end and s.end_char > offset and s.start_char < s.end_char),
        key=lambda s: (s.start_char, s.end_char),
    )
    groups: list[tuple[int, int, list[ClaimSpan]]] = []
    for span in clipped:
        if groups and span.start_char < groups[-1][1]:
            start, stop, members = groups[-1]
            groups[-1] = (start, max(stop, span.end_char), [*members, span])
        else:
            groups.append((span.start_char, span.end_char, [span]))
    parts: list[Markup] = []
    position = offset
    for start, stop, members in groups:
        parts.append(escape(clean_transcript(text[position - offset : start - offset])))
        parts.append(_mark(text[start - offset : stop - offset], members))
        position = stop
    parts.append(escape(clean_transcript(text[position - offset :])))
    return Markup("").join(parts)


# ---------------------------------------------------------------- charts (inline SVG)

@dataclass(frozen=True, slots=True)
class StanceBar:
    """One bar of a stance chart: a label and its favor/against/none counts."""

    label: str
    favor: int
    against: int
    none: int
    tooltip: str = ""


def _fitting(pixels: int) -> int:
    """How many characters of a 12px label fit in `pixels` (about 6.8px per character, with a margin)."""
    return max((pixels - 12) // 7, 4)


def _svg(width: float, height: float, body: Iterable[Markup], *, label: str) -> Markup:
    return Markup(
        '<svg class="chart" role="img" aria-label="{label}" '
        'width="{w}" height="{h}" viewBox="0 0 {w} {h}">{body}</svg>'
    ).format(label=label, w=f"{width:.0f}", h=f"{height:.0f}", body=Markup("").join(body))


def _text(x: float, y: float, text: str, *, css: str = "", anchor: str = "start") -> Markup:
    return Markup('<text x="{x}" y="{y}" class="{css}" text-anchor="{anchor}">{text}</text>').format(
        x=f"{x:.1f}", y=f"{y:.1f}", css=css, anchor=anchor, text=text
    )


def _rect(x: float, y: float, width: float, height: float, fill: str, *, title: str = "", css: str = "") -> Markup:
    return Markup('<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}" class="{css}">{title}</rect>').format(
        x=f"{x:.1f}", y=f"{y:.1f}", w=f"{max(width, 0):.1f}", h=f"{height:.1f}", fill=fill, css=css,
        title=Markup("<title>{}</title>").format(title) if title else "",
    )


def stance_bars_svg(bars: Sequence[StanceBar], *, width: int = 860, label_width: int = 330) -> Markup:
    """Stacked horizontal bars of favor/against/none counts, one per (holder, topic)."""
    if not bars:
        return Markup('<p class="empty">No claims with a topic.</p>')
    row, top = 22, 4
    area = width - label_width - 44
    largest = max(bar.favor + bar.against + bar.none for bar in bars) or 1
    body: list[Markup] = []
    for k, bar in enumerate(bars):
        y = top + k * row
        total = bar.favor + bar.against + bar.none
        tooltip = bar.tooltip or f"{bar.label}: {bar.favor} favor, {bar.against} against, {bar.none} none"
        body.append(Markup("<g><title>{}</title>").format(tooltip))
        body.append(_text(label_width - 8, y + 15, shorten(bar.label, _fitting(label_width)), css="label", anchor="end"))
        x = float(label_width)
        for stance, count in (("favor", bar.favor), ("against", bar.against), ("none", bar.none)):
            if not count:
                continue
            w = area * count / largest
            body.append(_rect(x, y + 3, w, row - 6, STANCE_COLOURS[stance]))
            if w >= 16:
                body.append(_text(x + w / 2, y + 15, str(count), css="inbar", anchor="middle"))
            x += w
        body.append(_text(x + 5, y + 15, str(total), css="count"))
        body.append(Markup("</g>"))
    return _svg(width, top * 2 + row * len(bars), body, label="stance per holder and topic")


def _net_colour(net: float) -> str:
    """Grey at 0 (balanced or no side), towards favor blue at +1 and against orange at -1."""
    if net == 0:
        return "#e2e3e7"
    target = STANCE_COLOURS["favor"] if net >= 0 else STANCE_COLOURS["against"]
    t = min(abs(net), 1.0) * 0.85 + 0.15
    red, green, blue = (int(target[i : i + 2], 16) for i in (1, 3, 5))
    mix = [round(255 + (c - 255) * t) for c in (red, green, blue)]
    return "#{:02x}{:02x}{:02x}".format(*mix)


def heatmap_svg(
    holders: Sequence[str],
    topics: Sequence[str],
    cells: Mapping[tuple[str, str], tuple[float, int, str]],
    *,
    label_width: int = 220,
    cell_width: int = 124,
) -> Markup:
    """A holder x topic grid coloured by net stance; `cells[(holder, topic)]` = (net, n_claims, tooltip)."""
    if not holders or not topics:
        return Markup('<p class="empty">No stances to compare.</p>')
    row, head = 26, 30
    width = label_width + cell_width * len(topics) + 4
    body: list[Markup] = []
    for j, topic in enumerate(topics):
        x = label_width + j * cell_width + cell_width / 2
        body.append(Markup("<g><title>{}</title>").format(topic))
        body.append(_text(x, head - 10, shorten(topic, 17), css="colhead", anchor="middle"))
        body.append(Markup("</g>"))
    for i, holder in enumerate(holders):
        y = head + i * row
        body.append(Markup("<g><title>{}</title>").format(holder))
        body.append(_text(label_width - 8, y + 17, shorten(holder, _fitting(label_width)), css="label", anchor="end"))
        body.append(Markup("</g>"))
        for j, topic in enumerate(topics):
            x = label_width + j * cell_width
            cell = cells.get((holder, topic))
            if cell is None:
                body.append(_rect(x + 1, y + 1, cell_width - 2, row - 2, "#f3f3f3", title=f"{holder} — {topic}: no claims"))
                continue
            net, count, tooltip = cell
            body.append(_rect(x + 1, y + 1, cell_width - 2, row - 2, _net_colour(net), title=tooltip))
            css = "cell dark" if abs(net) > 0.55 else "cell"
            body.append(_text(x + cell_width / 2, y + 17, f"{net:+.2f} · {count}", css=css, anchor="middle"))
    # Colour scale under the grid.
    y = head + row * len(holders) + 12
    body.append(_text(label_width - 8, y + 11, "net stance", css="note", anchor="end"))
    for k, net in enumerate((-1.0, -0.5, 0.0, 0.5, 1.0)):
        body.append(_rect(label_width + k * 34, y, 32, 14, _net_colour(net), title=f"net {net:+.1f}"))
    body.append(_text(label_width + 5 * 34 + 6, y + 11, "−1 all against · +1 all favor", css="note"))
    return _svg(width, y + 20, body, label="net stance per holder and topic")


@dataclass(frozen=True, slots=True)
class SalienceBar:
    """One bar of a salience chart: a label and its smoothed log ratio."""

    label: str
    log_ratio: float
    tooltip: str


def salience_svg(bars: Sequence[SalienceBar], *, width: int = 860, label_width: int = 330) -> Markup:
    """Diverging bars of log ratios: over-mentioned actors right of the axis, under-mentioned left."""
    if not bars:
        return Markup('<p class="empty">Salience needs mentions in at least two episodes.</p>')
    row, top, bottom = 20, 4, 18
    area = width - label_width - 20
    largest = max(abs(bar.log_ratio) for bar in bars) or 1.0
    axis = label_width + area / 2
    body: list[Markup] = []
    for k, bar in enumerate(bars):
        y = top + k * row
        w = area / 2 * abs(bar.log_ratio) / largest
        x = axis if bar.log_ratio >= 0 else axis - w
        colour = OVER_COLOUR if bar.log_ratio >= 0 else UNDER_COLOUR
        body.append(Markup("<g><title>{}</title>").format(bar.tooltip))
        body.append(_text(label_width - 8, y + 14, shorten(bar.label, _fitting(label_width)), css="label", anchor="end"))
        body.append(_rect(x, y + 3, w, row - 6, colour))
        body.append(Markup("</g>"))
    height = top + row * len(bars)
    body.append(Markup('<line x1="{x}" y1="0" x2="{x}" y2="{h}" class="axis"/>').format(x=f"{axis:.1f}", h=height))
    body.append(_text(axis - 6, height + 13, "← less than elsewhere", css="note", anchor="end"))
    body.append(_text(axis + 6, height + 13, "more than elsewhere →", css="note"))
    return _svg(width, height + bottom, body, label="actor salience")


# ---------------------------------------------------------------- view models

@dataclass(slots=True)
class TurnView:
    """One speaker turn as the template shows it."""

    speaker: str
    time: str
    html: Markup


@dataclass(slots=True)
class EpisodeView:
    """One episode as the template shows it: metadata, counts, charts and transcript."""

    episode_id: str
    title: str
    show: str
    date: str
    speakers: str
    n_turns: int
    n_sentences: int
    n_claims: int
    n_topical: int
    n_holders: int
    stance_chart: Markup
    salience_chart: Markup
    turns: list[TurnView] = field(default_factory=list)


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 else f"{seconds // 60}:{seconds % 60:02d}"


def _claim_spans(claims: pl.DataFrame) -> list[ClaimSpan]:
    spans = []
    for row in claims.iter_rows(named=True):
        start = row["sentence_start_char"] if row["sentence_start_char"] is not None else row["start_char"]
        end = row["sentence_end_char"] if row["sentence_end_char"] is not None else row["end_char"]
        if start is None or end is None or end <= start:
            continue
        spans.append(ClaimSpan(
            start_char=start,
            end_char=end,
            holder=clean_label(row["holder"] or row["speaker"]) or "(unknown)",
            topic=clean_label(row["topic"]) or None,
            stance=row["stance"] or "none",
            claim=clean_label(row["claim"] or row["sentence"]),
            stance_score=row["stance_score"],
        ))
    return spans


def _transcript(text: str, turns: pl.DataFrame, spans: list[ClaimSpan]) -> list[TurnView]:
    """Turns with their claims highlighted; spans are assigned to turns by offset."""
    rows = [
        (r["start_char"], r["end_char"], r["speaker"], r["start_s"])
        for r in turns.sort("start_char").iter_rows(named=True)
        if r["start_char"] is not None and r["end_char"] is not None
    ]
    if not rows:
        rows = [(0, len(text), "", None)] if text else []
    starts = [start for start, _, _, _ in rows]
    per_turn: list[list[ClaimSpan]] = [[] for _ in rows]
    for span in spans:
        k = max(bisect.bisect_right(starts, span.start_char) - 1, 0)
        while k < len(rows) and rows[k][0] < span.end_char:
            if rows[k][1] > span.start_char:
                per_turn[k].append(span)
            k += 1
    return [
        TurnView(
            speaker=clean_label(speaker),
            time=_clock(start_s),
            html=highlight(text[start:end], per_turn[k], offset=start),
        )
        for k, (start, end, speaker, start_s) in enumerate(rows)
    ]


def _holder_topic_totals(by_holder: pl.DataFrame) -> pl.DataFrame:
    """Stance counts per (holder, topic) summed over episodes; `_key` is the holder id, else the name."""
    return (
        by_holder.with_columns(_key=pl.coalesce("holder_id", "holder"))
        .group_by("_key", "topic")
        .agg(
            pl.col("holder").mode().min(),
            pl.col("n_favor", "n_against", "n_none", "n_claims").sum(),
            n_episodes=pl.col("episode_id").n_unique(),
        )
    )


def _stance_bars(by_holder: pl.DataFrame, *, top: int, with_episodes: bool) -> list[StanceBar]:
    """Bars for the `top` (holder, topic) pairs with most claims, summed over episodes."""
    if by_holder.is_empty():
        return []
    summed = _holder_topic_totals(by_holder).sort(["n_claims", "holder", "topic"], descending=[True, False, False])
    bars = []
    for r in summed.head(top).iter_rows(named=True):
        holder, topic = clean_label(r["holder"]), clean_label(r["topic"])
        where = f" in {r['n_episodes']} episode(s)" if with_episodes else ""
        tooltip = f"{holder} — {topic}: {r['n_favor']} favor, {r['n_against']} against, {r['n_none']} none{where}"
        bars.append(StanceBar(f"{holder} · {topic}", r["n_favor"], r["n_against"], r["n_none"], tooltip))
    return bars


def _heatmap(by_holder: pl.DataFrame, *, top: int) -> Markup:
    """Net-stance grid of the `top` holders with most claims (all episodes) against every topic."""
    if by_holder.is_empty():
        return heatmap_svg([], [], {})
    summed = _holder_topic_totals(by_holder).with_columns(_holder_total=pl.col("n_claims").sum().over("_key"))
    leaders = (
        summed.group_by("_key").agg(pl.col("_holder_total").first(), pl.col("holder").min())
        .sort(["_holder_total", "holder", "_key"], descending=[True, False, False]).head(top)
    )
    names: dict[str, str] = {}
    for key, name in leaders.select("_key", "holder").iter_rows():
        name = clean_label(name) or key
        # Two holders can share a written name; their rows must stay apart.
        names[key] = f"{name} ({key})" if name in names.values() else name
    topics = sorted(summed["topic"].unique().to_list())
    cells = {}
    for r in summed.filter(pl.col("_key").is_in(list(names))).iter_rows(named=True):
        net = (r["n_favor"] - r["n_against"]) / r["n_claims"]
        tooltip = (
            f"{names[r['_key']]} — {r['topic']}: net {net:+.2f} from {r['n_claims']} claims "
            f"({r['n_favor']} favor, {r['n_against']} against, {r['n_none']} none) in {r['n_episodes']} episode(s)"
        )
        cells[(names[r["_key"]], clean_label(r["topic"]))] = (net, r["n_claims"], tooltip)
    return heatmap_svg(list(names.values()), [clean_label(t) for t in topics], cells)


def _salience_bars(salience: pl.DataFrame, titles: Mapping[str, str], *, per_episode: bool) -> list[SalienceBar]:
    bars = []
    for r in salience.iter_rows(named=True):
        name = clean_label(r["canonical_name"]) or clean_label(r["actor_id"])
        label = name if per_episode else f"{name} in {shorten(titles.get(r['episode_id'], r['episode_id']), 24)}"
        tooltip = (
            f"{name} in {titles.get(r['episode_id'], r['episode_id'])}: {r['mentions']} mentions, "
            f"{r['share']:.1%} of the episode's vs {r['share_elsewhere']:.1%} elsewhere (log ratio {r['log_ratio']:+.2f})"
        )
        bars.append(SalienceBar(label, r["log_ratio"], tooltip))
    return bars


def _top_salience(salience: pl.DataFrame, count: int) -> pl.DataFrame:
    over = salience.filter(pl.col("direction") == "over").sort("log_ratio", descending=True).head(count)
    under = salience.filter(pl.col("direction") == "under").sort("log_ratio").head(count)
    return pl.concat([over, under.reverse()])


# ---------------------------------------------------------------- data

def _comparison_tables(store: Store, comparison: Mapping[str, pl.DataFrame] | None) -> dict[str, pl.DataFrame]:
    """The given comparison; else the stored one; else the tables that need no encoder, computed here."""
    if comparison is not None:
        return {name: comparison.get(name, empty(schema)) for name, schema in COMPARISON_TABLES.items()}
    if any(store.comparison_path(name).is_file() for name in COMPARISON_TABLES):
        return {name: store.read(name) for name in COMPARISON_TABLES}
    by_holder = stance_by_holder_frame(store.scan("claims")).collect()
    return {
        "stance_by_holder": by_holder,
        "stance_changes": stance_changes_frame(by_holder, store.scan("episodes")),
        "actor_salience": actor_salience_frame(store.scan("mentions")),
        "similar_claims": empty(SIMILAR_CLAIMS),
    }


def _selected(frame: pl.LazyFrame, ids: Sequence[str]) -> pl.DataFrame:
    return frame.filter(pl.col("episode_id").is_in(list(ids))).collect()


def _episode_views(store: Store, ids: Sequence[str], episodes: pl.DataFrame, salience: pl.DataFrame,
                   titles: Mapping[str, str]) -> list[EpisodeView]:
    # Assertions (claims that reach no topic) are shown in the transcript too, without a topic.
    claims = pl.concat([
        _selected(store.scan("claims"), ids),
        _selected(store.scan("assertions").with_columns(topic=pl.lit(None, pl.String)), ids),
    ])
    texts = dict(_selected(store.scan("texts"), ids).select("episode_id", "text").iter_rows())
    turns = _selected(store.scan("turns").select("episode_id", "speaker", "start_char", "end_char", "start_s"), ids)
    by_holder = stance_by_holder_frame(claims).collect()

    def split(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
        return {key[0]: part for key, part in frame.partition_by("episode_id", as_dict=True).items()}

    claims_of, turns_of, by_holder_of, salience_of = split(claims), split(turns), split(by_holder), split(salience)
    meta = {row["episode_id"]: row for row in episodes.iter_rows(named=True)}
    views = []
    for episode_id in ids:
        row = meta[episode_id]
        episode_claims = claims_of.get(episode_id, claims.clear())
        episode_salience = _top_salience(salience_of.get(episode_id, salience.clear()), SALIENCE_BARS // 2)
        views.append(EpisodeView(
            episode_id=episode_id,
            title=titles[episode_id],
            show=clean_label(row["show"]),
            date=clean_label(row["date"]),
            speakers=", ".join(clean_label(s) for s in (row["speakers"] or [])),
            n_turns=row["n_turns"] or 0,
            n_sentences=row["n_sentences"] or 0,
            n_claims=episode_claims["claim_id"].n_unique(),
            n_topical=episode_claims.filter(pl.col("topic").is_not_null())["claim_id"].n_unique(),
            n_holders=episode_claims.filter(pl.col("topic").is_not_null())
            .select(pl.coalesce("holder_id", "holder")).n_unique(),
            stance_chart=stance_bars_svg(_stance_bars(
                by_holder_of.get(episode_id, by_holder.clear()), top=EPISODE_BARS, with_episodes=False
            )),
            salience_chart=salience_svg(_salience_bars(episode_salience, titles, per_episode=True)),
            turns=_transcript(texts.get(episode_id) or "", turns_of.get(episode_id, turns.clear()),
                              _claim_spans(episode_claims)),
        ))
    return views


def _involving(frame: pl.DataFrame, columns: Sequence[str], ids: Sequence[str]) -> pl.DataFrame:
    condition = pl.lit(False)
    for column in columns:
        condition = condition | pl.col(column).is_in(list(ids))
    return frame.filter(condition)


def render_report(
    store: Store,
    *,
    comparison: Mapping[str, pl.DataFrame] | None = None,
    episode_ids: Sequence[str] | None = None,
) -> str:
    """The report as an HTML string (see `write_report`)."""
    episodes = store.read("episodes").unique("episode_id", keep="first")
    known = set(episodes["episode_id"].to_list())
    if episode_ids is not None:
        for episode_id in episode_ids:
            validate_episode_id(episode_id)
        unknown = sorted(set(episode_ids) - known)
        if unknown:
            raise ReportError(f"episodes not in {store.root}: {', '.join(unknown)}")
        known = set(episode_ids)
    rank = episode_order(episodes.filter(pl.col("episode_id").is_in(list(known))))
    ids = sorted(known, key=rank.__getitem__)
    episodes = episodes.filter(pl.col("episode_id").is_in(ids))
    titles = {
        row["episode_id"]: clean_label(row["title"]) or row["episode_id"]
        for row in episodes.select("episode_id", "title").iter_rows(named=True)
    }
    tables = _comparison_tables(store, comparison)
    by_holder = tables["stance_by_holder"].filter(pl.col("episode_id").is_in(ids))
    changes = _involving(tables["stance_changes"], ("from_episode_id", "to_episode_id"), ids)
    salience = tables["actor_salience"].filter(pl.col("episode_id").is_in(ids))
    similar = _involving(tables["similar_claims"], ("episode_id_a", "episode_id_b"), ids)
    views = _episode_views(store, ids, episodes, salience, titles)

    context = {
        "version": __version__,
        "store": store.root.name,
        "episodes": views,
        "has_show": any(view.show for view in views),
        "has_date": any(view.date for view in views),
        "n_claims": sum(view.n_claims for view in views),
        "n_holders": by_holder.select(pl.coalesce("holder_id", "holder")).n_unique() if by_holder.height else 0,
        "topics": [clean_label(t) for t in sorted(by_holder["topic"].unique().to_list())],
        "stances": STANCES,
        "signs": STANCE_SIGNS,
        "heatmap": _heatmap(by_holder, top=HEATMAP_HOLDERS),
        "n_heatmap_holders": min(HEATMAP_HOLDERS, by_holder.select(pl.coalesce("holder_id", "holder")).n_unique())
        if by_holder.height else 0,
        "overview_bars": stance_bars_svg(_stance_bars(by_holder, top=OVERVIEW_BARS, with_episodes=True)),
        "salience_chart": salience_svg(_salience_bars(_top_salience(salience, SALIENCE_BARS), titles, per_episode=False)),
        "changes": _change_rows(changes.head(CHANGES_ROWS), titles, episodes),
        "n_changes": changes.height,
        "similar": _similar_rows(similar.sort("similarity_score", descending=True).head(SIMILAR_ROWS), titles),
        "n_similar": similar.height,
        "limits": {"bars": OVERVIEW_BARS, "changes": CHANGES_ROWS, "similar": SIMILAR_ROWS, "salience": SALIENCE_BARS},
        "script": Markup(_SCRIPT),
        "csp": _content_security_policy(),
    }
    return _environment().from_string(_TEMPLATE).render(context)


def write_report(
    store: Store,
    out_path: str | Path,
    *,
    comparison: Mapping[str, pl.DataFrame] | None = None,
    episode_ids: Sequence[str] | None = None,
) -> Path:
    """Write one self-contained HTML report of `store` to `out_path` (atomically); returns the path.

    Args:
        comparison: tables from `whoclaims.compare.build_comparison`; default: the
            stored comparison, else the tables that need no encoder (no similar claims).
        episode_ids: only these episodes (default: all), and comparison rows involving them.

    Raises:
        ReportError: an episode of `episode_ids` is not in the store.
    """
    out = Path(out_path)
    document = render_report(store, comparison=comparison, episode_ids=episode_ids)
    atomic_write_bytes(out, document.encode("utf-8"))
    log.info("wrote report of %s to %s (%d bytes)", store.root, out, len(document))
    return out


def _change_rows(changes: pl.DataFrame, titles: Mapping[str, str], episodes: pl.DataFrame) -> list[dict[str, str]]:
    dates = {e: clean_label(d) for e, d in episodes.select("episode_id", "date").iter_rows()}
    return [
        {
            "holder": clean_label(r["holder"]), "topic": clean_label(r["topic"]),
            "from_stance": r["from_stance"], "from_id": r["from_episode_id"],
            "from_title": titles.get(r["from_episode_id"], r["from_episode_id"]), "from_date": dates.get(r["from_episode_id"], ""),
            "to_stance": r["to_stance"], "to_id": r["to_episode_id"],
            "to_title": titles.get(r["to_episode_id"], r["to_episode_id"]), "to_date": dates.get(r["to_episode_id"], ""),
        }
        for r in changes.iter_rows(named=True)
    ]


def _similar_rows(similar: pl.DataFrame, titles: Mapping[str, str]) -> list[dict[str, object]]:
    rows = []
    for r in similar.iter_rows(named=True):
        sides = []
        for side in ("a", "b"):
            episode_id = r[f"episode_id_{side}"]
            sides.append({
                "id": episode_id, "title": titles.get(episode_id, episode_id),
                "holder": clean_label(r[f"holder_{side}"]), "topic": clean_label(r[f"topic_{side}"]),
                "stance": r[f"stance_{side}"] or "none", "claim": clean_label(r[f"claim_{side}"]),
            })
        rows.append({"score": r["similarity_score"], "a": sides[0], "b": sides[1]})
    return rows


def _environment() -> Environment:
    environment = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.filters["shorten"] = shorten
    return environment


def _content_security_policy() -> str:
    digest = base64.b64encode(hashlib.sha256(_SCRIPT.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )


# ---------------------------------------------------------------- page

_SCRIPT = """
(function () {
  function openAround(node) {
    for (var n = node; n; n = n.parentElement) { if (n.tagName === "DETAILS") n.open = true; }
    // Following a link to an episode shows its transcript too.
    node.querySelectorAll("details.transcript").forEach(function (d) { d.open = true; });
  }
  function showOnly(nodes) {
    var hits = function (el) { return nodes.some(function (k) { return el.contains(k) || k.contains(el); }); };
    document.querySelectorAll("main > section").forEach(function (s) { s.hidden = !hits(s); });
    document.querySelectorAll("details.episode").forEach(function (d) { d.hidden = !hits(d); });
    document.getElementById("partial").hidden = false;
  }
  function route() {
    document.querySelectorAll("main > section, details.episode").forEach(function (el) { el.hidden = false; });
    document.getElementById("partial").hidden = true;
    var hash = decodeURIComponent(location.hash.slice(1));
    // "#only=a,b" shows just those sections or episodes, opened, without scrolling.
    var only = hash.indexOf("only=") === 0;
    var nodes = (only ? hash.slice(5).split(",") : [hash]).map(function (id) {
      return id && document.getElementById(id);
    }).filter(Boolean);
    if (!nodes.length) return;
    nodes.forEach(openAround);
    if (only) showOnly(nodes); else nodes[0].scrollIntoView();
  }
  function filterEpisodes(event) {
    var query = event.target.value.toLowerCase();
    document.querySelectorAll("#episode-index tbody tr").forEach(function (row) {
      row.hidden = query && row.textContent.toLowerCase().indexOf(query) < 0;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("episode-filter");
    if (box) box.addEventListener("input", filterEpisodes);
    document.querySelectorAll("[data-open]").forEach(function (button) {
      button.addEventListener("click", function () {
        var open = button.getAttribute("data-state") === "open";
        document.querySelectorAll(button.getAttribute("data-open")).forEach(function (d) { d.open = open; });
      });
    });
    route();
  });
  window.addEventListener("hashchange", route);
})();
"""

_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>whoclaims report · {{ episodes|length }} episodes</title>
<style>
:root { --favor: #2f6db5; --against: #d4561a; --none: #9aa0a6; --ink: #1f2328; --muted: #656d76; --line: #d8dee4; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); background: #fafbfc; }
main { max-width: 1180px; margin: 0 auto; padding: 0 24px 64px; }
header.top { background: #24292f; color: #fff; padding: 18px 0 14px; }
header.top .inner { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
header.top h1 { margin: 0; font-size: 22px; font-weight: 600; }
header.top p { margin: 4px 0 0; color: #c9d1d9; font-size: 14px; }
nav { position: sticky; top: 0; z-index: 5; background: #fff; border-bottom: 1px solid var(--line); }
nav .inner { max-width: 1180px; margin: 0 auto; padding: 8px 24px; display: flex; gap: 18px; flex-wrap: wrap; align-items: center; }
nav a { color: var(--ink); text-decoration: none; font-weight: 500; font-size: 14px; }
nav a:hover { color: var(--favor); }
.legend { margin-left: auto; display: flex; gap: 12px; font-size: 13px; color: var(--muted); }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; vertical-align: -1px; margin-right: 4px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin-top: 18px; }
h2 { font-size: 18px; margin: 0 0 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
p.hint, p.empty { color: var(--muted); font-size: 13px; margin: 2px 0 10px; }
.stats { display: flex; gap: 28px; margin: 6px 0 4px; }
.stats div { font-size: 13px; color: var(--muted); }
.stats b { display: block; font-size: 22px; color: var(--ink); font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #eef1f4; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr[hidden] { display: none; }
a { color: #0b5cad; }
input[type=search] { font: inherit; padding: 5px 9px; border: 1px solid var(--line); border-radius: 6px; width: 280px; margin-bottom: 8px; }
button { font: inherit; font-size: 13px; padding: 3px 10px; border: 1px solid var(--line); border-radius: 6px; background: #f6f8fa; cursor: pointer; }
.scroll { overflow-x: auto; }
svg.chart { display: block; max-width: 100%; height: auto; font-size: 12px; }
svg .label { fill: var(--ink); }
svg .colhead { fill: var(--ink); font-weight: 600; }
svg .count, svg .note { fill: var(--muted); font-size: 11px; }
svg .inbar { fill: #fff; font-size: 11px; font-weight: 600; }
svg .cell { fill: var(--ink); font-size: 11.5px; font-variant-numeric: tabular-nums; }
svg .cell.dark { fill: #fff; }
svg .axis { stroke: #57606a; stroke-width: 1; }
svg g:hover rect { opacity: .85; }
.pill { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; font-weight: 600; color: #fff; white-space: nowrap; }
.pill.favor { background: var(--favor); } .pill.against { background: var(--against); } .pill.none { background: var(--none); }
.name { unicode-bidi: isolate; }
.claimtext { color: #3d444d; font-size: 13px; }
details.episode { border: 1px solid var(--line); border-radius: 8px; margin: 10px 0; background: #fff; }
details.episode > summary { padding: 9px 14px; cursor: pointer; list-style-position: inside; }
details.episode > summary .meta { color: var(--muted); font-size: 13px; margin-left: 8px; }
details.episode[open] > summary { border-bottom: 1px solid var(--line); background: #f6f8fa; border-radius: 8px 8px 0 0; }
details.episode .body { padding: 4px 16px 14px; }
details.transcript > summary { cursor: pointer; font-weight: 600; margin: 14px 0 6px; }
.turn { display: grid; grid-template-columns: 170px 1fr; gap: 12px; padding: 7px 0; border-top: 1px solid #f0f2f4; }
.turn .who { font-weight: 600; font-size: 13.5px; overflow-wrap: anywhere; unicode-bidi: isolate; }
.turn .who small { display: block; color: var(--muted); font-weight: 400; }
.turn .said { white-space: pre-wrap; overflow-wrap: anywhere; line-height: 1.65; }
mark { padding: 1px 0; border-radius: 2px; color: inherit; border-bottom: 2px solid; }
mark.m-favor { background: #dce8f7; border-color: var(--favor); }
mark.m-against { background: #fbe3d6; border-color: var(--against); }
mark.m-none { background: #eceef0; border-color: var(--none); }
mark.m-mixed { background: repeating-linear-gradient(135deg, #dce8f7 0 6px, #fbe3d6 6px 12px); border-color: #7a4fa3; }
mark.m-claim { background: none; border-bottom: 1px dashed #8c959f; }
.tags { white-space: normal; }
.tag { display: inline-block; margin: 0 0 0 4px; padding: 0 5px; border-radius: 4px; font-size: 11px; line-height: 17px;
       font-weight: 600; color: #fff; vertical-align: 1px; white-space: nowrap; unicode-bidi: isolate; }
.tag.t-favor { background: var(--favor); } .tag.t-against { background: var(--against); } .tag.t-none { background: var(--none); }
p.partial { margin: 14px 0 0; padding: 8px 12px; background: #fff8c5; border: 1px solid #e3d27a; border-radius: 6px; font-size: 14px; }
p.buttons { margin: 0 0 8px; }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; text-align: center; }
</style>
</head>
<body>
<header class="top"><div class="inner">
  <h1>Who claims what</h1>
  <p>{{ episodes|length }} episodes · {{ n_claims }} claims · {{ n_holders }} holders · topics: {{ topics|join(", ") if topics else "none" }}</p>
</div></header>
<nav><div class="inner">
  <a href="#episodes">Episodes</a><a href="#stance">Stance</a><a href="#changes">Changes</a>
  <a href="#salience">Salience</a><a href="#similar">Similar claims</a><a href="#transcripts">Transcripts</a>
  <span class="legend">
  {% for stance in stances %}<span><span class="swatch" style="background: var(--{{ stance }})"></span>{{ signs[stance] }} {{ stance }}</span>{% endfor %}
  <span><span class="swatch" style="background: repeating-linear-gradient(135deg, #dce8f7 0 3px, #fbe3d6 3px 6px); outline: 1px solid #7a4fa3"></span>mixed</span>
  <span><span class="swatch" style="border-bottom: 2px dashed #8c959f; border-radius: 0"></span>claim, no topic</span>
  </span>
</div></nav>
<main>
<p id="partial" class="partial" hidden>Showing part of the report. <a href="#">Show everything</a></p>

<section id="episodes">
  <h2>Episodes</h2>
  {% if episodes %}
  <div class="stats">
    <div><b>{{ episodes|length }}</b>episodes</div><div><b>{{ n_claims }}</b>claims</div>
    <div><b>{{ n_holders }}</b>holders</div><div><b>{{ n_changes }}</b>stance changes</div><div><b>{{ n_similar }}</b>similar pairs</div>
  </div>
  <input type="search" id="episode-filter" placeholder="Filter episodes by title, show, date…" aria-label="Filter episodes">
  <div class="scroll"><table id="episode-index">
    <thead><tr><th class="num">#</th><th>Title</th>{% if has_show %}<th>Show</th>{% endif %}{% if has_date %}<th>Date</th>{% endif %}<th class="num">Turns</th>
      <th class="num">Sentences</th><th class="num">Claims</th><th class="num">On a topic</th><th class="num">Holders</th></tr></thead>
    <tbody>
    {% for e in episodes %}
    <tr><td class="num">{{ loop.index }}</td><td><a href="#ep-{{ e.episode_id }}" class="name">{{ e.title|shorten(90) }}</a></td>
      {% if has_show %}<td class="name">{{ e.show }}</td>{% endif %}{% if has_date %}<td>{{ e.date }}</td>{% endif %}<td class="num">{{ e.n_turns }}</td><td class="num">{{ e.n_sentences }}</td>
      <td class="num">{{ e.n_claims }}</td><td class="num">{{ e.n_topical }}</td><td class="num">{{ e.n_holders }}</td></tr>
    {% endfor %}
    </tbody>
  </table></div>
  {% else %}
  <p class="empty">No processed episodes.</p>
  {% endif %}
</section>

<section id="stance">
  <h2>Stance per holder and topic</h2>
  <p class="hint">Net stance = (favor − against) / claims, over all episodes; cell text: net · claims. The {{ n_heatmap_holders }} holders with most claims. Hover a cell for counts.</p>
  <div class="scroll">{{ heatmap }}</div>
  <h3>Claims per holder and topic</h3>
  <p class="hint">The {{ limits.bars }} holder/topic pairs with most claims, all episodes together.</p>
  {{ overview_bars }}
</section>

<section id="changes">
  <h2>Stance changes between episodes</h2>
  <p class="hint">A holder's majority stance on a topic in one episode, then a different one in the next episode where they took a side (episodes by date).
  {% if n_changes > changes|length %}Showing {{ changes|length }} of {{ n_changes }}.{% endif %}</p>
  {% if changes %}
  <div class="scroll"><table>
    <thead><tr><th>Holder</th><th>Topic</th><th>From</th><th>To</th></tr></thead>
    <tbody>
    {% for c in changes %}
    <tr><td class="name">{{ c.holder }}</td><td>{{ c.topic }}</td>
      <td><span class="pill {{ c.from_stance }}">{{ c.from_stance }}</span> <a href="#ep-{{ c.from_id }}" class="name">{{ c.from_title|shorten(50) }}</a> {{ c.from_date }}</td>
      <td><span class="pill {{ c.to_stance }}">{{ c.to_stance }}</span> <a href="#ep-{{ c.to_id }}" class="name">{{ c.to_title|shorten(50) }}</a> {{ c.to_date }}</td></tr>
    {% endfor %}
    </tbody>
  </table></div>
  {% else %}<p class="empty">No holder changed stance between episodes.</p>{% endif %}
</section>

<section id="salience">
  <h2>Actor salience</h2>
  <p class="hint">Actors mentioned far more (right) or less (left) in an episode than in all other episodes: smoothed log ratio of mention shares. The {{ limits.salience }} strongest each way.</p>
  {{ salience_chart }}
</section>

<section id="similar">
  <h2>Similar claims across episodes</h2>
  <p class="hint">Claims from different episodes that say nearly the same thing (sentence-encoder cosine similarity).
  {% if n_similar > similar|length %}Showing the {{ similar|length }} most similar of {{ n_similar }}.{% endif %}</p>
  {% if similar %}
  <div class="scroll"><table>
    <thead><tr><th class="num">Sim.</th><th>Claim A</th><th>Claim B</th></tr></thead>
    <tbody>
    {% for s in similar %}
    <tr><td class="num">{{ "%.2f"|format(s.score) }}</td>
    {% for side in (s.a, s.b) %}
      <td><span class="pill {{ side.stance }}">{{ side.stance }}</span> <b class="name">{{ side.holder }}</b> · {{ side.topic }}
        · <a href="#ep-{{ side.id }}" class="name">{{ side.title|shorten(40) }}</a><br>
        <span class="claimtext" title="{{ side.claim }}">{{ side.claim|shorten(240) }}</span></td>
    {% endfor %}
    </tr>
    {% endfor %}
    </tbody>
  </table></div>
  {% else %}<p class="empty">No similar claims across episodes{% if episodes|length < 2 %} (needs two episodes){% endif %}.</p>{% endif %}
</section>

<section id="transcripts">
  <h2>Episodes and transcripts</h2>
  <p class="hint">Each claim sentence is highlighted by stance and tagged with holder and topic; overlapping claims share one highlight. Hover a highlight for the claim.</p>
  <p class="buttons"><button type="button" data-open="details.episode" data-state="open">Open all episodes</button>
  <button type="button" data-open="details.episode, details.transcript" data-state="closed">Close all</button></p>
  {% for e in episodes %}
  <details class="episode" id="ep-{{ e.episode_id }}">
    <summary><b class="name">{{ e.title|shorten(110) }}</b>{% set where = [e.show, e.date]|select|join(" · ") %}<span class="meta">{{ where }}{% if where %} · {% endif %}{{ e.n_claims }} claims, {{ e.n_topical }} on a topic · {{ e.n_holders }} holders</span></summary>
    <div class="body">
      {% if e.speakers %}<p class="hint">Speakers: <span class="name">{{ e.speakers }}</span> · id {{ e.episode_id }}</p>{% endif %}
      <h3>Stance per holder and topic</h3>
      {{ e.stance_chart }}
      <h3>Actor salience in this episode</h3>
      {{ e.salience_chart }}
      <details class="transcript" id="tx-{{ e.episode_id }}">
        <summary>Transcript ({{ e.turns|length }} turns)</summary>
        {% for t in e.turns %}
        <div class="turn"><div class="who">{{ t.speaker }}{% if t.time %}<small>{{ t.time }}</small>{% endif %}</div><div class="said">{{ t.html }}</div></div>
        {% else %}<p class="empty">No transcript text stored.</p>
        {% endfor %}
      </details>
    </div>
  </details>
  {% endfor %}
</section>

<footer>whoclaims {{ version }} · {{ store }} · self-contained file: no network needed to view it</footer>
</main>
<script>{{ script }}</script>
</body>
</html>
"""
