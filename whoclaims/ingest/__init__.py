"""Ingest: transcript files (text, Markdown, HTML, WebVTT, SRT, JSON, YAML) into `whoclaims.records.Episode`s.

Public API: `read_episode`, `discover_episodes`, `detect_format`, `IngestError`.
Every bad input (undecodable, binary, empty, unparsable, no speech, a name that
cannot be made a safe id, symlink out of the input folder) raises `IngestError`
naming the file and the problem. A file that reads but whose speakers were
probably not found (one speaker, `Unknown`, an oversized turn) gets
`Episode.warnings` (`checks.py`).

Modules: `decode` (bytes to normalised text), `formats` (detection, the one
entry point to every parser), `document` (the text model the layouts read),
`markdown` and `htmlpage` (markup removed), `textformats` (text layouts:
speaker headers, labels, timestamps, press), `timed` (captions), `structured`
(JSON/YAML turn documents), `names` (speaker labels), `sidecar`, `reader`
(files, ids, speakers, the episode), `checks` (warnings), `discover`.
"""

from whoclaims.ingest.discover import discover_episodes
from whoclaims.ingest.errors import IngestError
from whoclaims.ingest.formats import detect_format
from whoclaims.ingest.reader import read_episode

__all__ = ["IngestError", "detect_format", "discover_episodes", "read_episode"]
