"""What `whoclaims inspect` shows about a transcript file: how it was read, without any model.

A plain function from an `Episode` to a summary dict (JSON-ready), and one that
formats it as text, so that a folder of downloads can be checked in a second
before a run: the detected format and layout, the speakers with their turn
counts, the first turns and the warnings of `whoclaims.ingest.checks`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from whoclaims.records import Episode

_PREVIEW_CHARS = 160


def describe_episode(episode: Episode, *, first_turns: int = 5) -> dict[str, Any]:
    """A JSON-ready summary of how `episode` was read."""
    counts = Counter(turn.speaker for turn in episode.turns)
    words = Counter()
    for turn in episode.turns:
        words[turn.speaker] += len(turn.text.split())
    labels: dict[str, list[str]] = {}
    for turn in episode.turns:
        if turn.speaker_label and turn.speaker_label not in labels.setdefault(turn.speaker, []):
            labels[turn.speaker].append(turn.speaker_label)
    return {
        "path": episode.source_path,
        "episode_id": episode.episode_id,
        "format": episode.format,
        "layout": episode.layout,
        "title": episode.title,
        "date": episode.date,
        "url": episode.url,
        "turns": len(episode.turns),
        "words": sum(words.values()),
        "speakers": [
            {"speaker": speaker, "turns": counts[speaker], "words": words[speaker],
             "role": episode.roles.get(speaker), "labels": labels.get(speaker, [])}
            for speaker in episode.speakers
        ],
        "sections": list(dict.fromkeys(turn.section for turn in episode.turns if turn.section)),
        "first_turns": [
            {"turn_id": turn.turn_id, "speaker": turn.speaker, "label": turn.speaker_label, "start_s": turn.start_s,
             "section": turn.section, "text": _preview(turn.text)}
            for turn in episode.turns[:first_turns]
        ],
        "warnings": list(episode.warnings),
    }


def format_description(summary: dict[str, Any]) -> str:
    """`describe_episode`'s summary as a few readable lines."""
    read_as = summary["format"]
    if summary["layout"] and summary["layout"] != summary["format"]:
        read_as += f" ({summary['layout']} layout)"
    lines = [
        f"{summary['path']}: {read_as}, episode {summary['episode_id']}, {_count(summary['turns'], 'turn')}, "
        f"{_count(len(summary['speakers']), 'speaker')}, {_count(summary['words'], 'word')}"
    ]
    for key in ("title", "date", "url"):
        if summary[key]:
            lines.append(f"  {key}: {summary[key]}")
    speakers = []
    for entry in summary["speakers"]:
        extra = [_count(entry["turns"], "turn"), _count(entry["words"], "word")]
        if entry["role"]:
            extra.append(entry["role"])
        written = [label for label in entry["labels"] if label != entry["speaker"]]
        if written:
            extra.append("written " + ", ".join(repr(label) for label in written))
        speakers.append(f"{entry['speaker']} ({'; '.join(extra)})")
    lines.append("  speakers: " + ", ".join(speakers))
    if summary["sections"]:
        shown = summary["sections"][:8]
        more = f", ... ({len(summary['sections'])} in all)" if len(summary["sections"]) > len(shown) else ""
        lines.append("  sections: " + ", ".join(shown) + more)
    lines.append("  first turns:")
    for turn in summary["first_turns"]:
        stamp = f" {_clock(turn['start_s'])}" if turn["start_s"] is not None else ""
        lines.append(f"    [{turn['turn_id']}]{stamp} {turn['speaker']}: {turn['text']}")
    for warning in summary["warnings"]:
        lines.append(f"  WARNING {warning}")
    return "\n".join(lines)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _PREVIEW_CHARS else flat[:_PREVIEW_CHARS - 1] + "…"


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
