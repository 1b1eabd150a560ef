"""Test helpers for the entities tests: build `Episode`s without the ingest module."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from whoclaims.records import Episode, Turn

SEED = Path(__file__).resolve().parents[1] / "data" / "raw" / "robert-person-negotiate.txt"
SEED_SPEAKERS = ("Ferenc Laczo", "Robert Person")


def episode_from_turns(turns: list[tuple[str, str]], *, episode_id: str = "test", header: str = "") -> Episode:
    """An `Episode` whose text is `header`, then each turn as "Speaker\\n\\ntext\\n\\n"."""
    text, placed = header, []
    for speaker, body in turns:
        text += f"{speaker}\n\n"
        start = len(text)
        text += body
        placed.append(Turn(turn_id=len(placed), speaker=speaker, role=None, text=body,
                           start_char=start, end_char=start + len(body)))
        text += "\n\n"
    return Episode(episode_id=episode_id, source_path=f"<{episode_id}>", format="speaker_header", text=text,
                   turns=tuple(placed), content_hash=hashlib.sha256(text.encode()).hexdigest())


def seed_episode(path: Path = SEED, speakers: tuple[str, ...] = SEED_SPEAKERS) -> Episode:
    """The seed transcript split on its speaker lines; title and intro are not turns."""
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    labels = list(re.finditer(r"^(" + "|".join(map(re.escape, speakers)) + r")[ \t]*$", text, flags=re.M))
    turns = []
    for number, match in enumerate(labels):
        end = labels[number + 1].start() if number + 1 < len(labels) else len(text)
        start = match.end()
        while start < end and text[start].isspace():
            start += 1
        stop = end
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        turns.append(Turn(turn_id=number, speaker=match.group(1), role=None, text=text[start:stop],
                          start_char=start, end_char=stop))
    title = text.split("\n", 1)[0].strip()
    return Episode(episode_id=path.stem, source_path=str(path), format="speaker_header", text=text,
                   turns=tuple(turns), content_hash=hashlib.sha256(text.encode()).hexdigest(), title=title)
