"""Ingest: transcript files (text, WebVTT, SRT, JSON) into `whoclaims.records.Episode`s.

Public API: `read_episode`, `discover_episodes`, `detect_format`, `IngestError`.
Every bad input (undecodable, binary, empty, unparsable, unsafe name, symlink
out of the input folder) raises `IngestError` naming the file and the problem.
"""

from whoclaims.ingest.discover import discover_episodes
from whoclaims.ingest.errors import IngestError
from whoclaims.ingest.formats import detect_format
from whoclaims.ingest.reader import read_episode

__all__ = ["IngestError", "detect_format", "discover_episodes", "read_episode"]
