"""Test helpers for the entities tests: small `Episode`s built from (speaker, text) turns."""

from __future__ import annotations

import hashlib
from pathlib import Path

from whoclaims.records import Episode, Turn

SEED = Path(__file__).resolve().parents[1] / "data" / "raw" / "robert-person-negotiate.txt"


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
