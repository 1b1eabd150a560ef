"""Find transcript files under the paths a run is given."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

from whoclaims.ingest.errors import IngestError
from whoclaims.ingest.sidecar import SIDECAR_SUFFIX

log = logging.getLogger(__name__)

# Files still being written by a copy or an upload.
_IN_PROGRESS_SUFFIXES = (".part", ".tmp")


def is_transcript_name(name: str) -> bool:
    """False for hidden (`.x`, `_x`), sidecar (`*.meta.json`) and in-progress (`*.part`, `*.tmp`) names."""
    lowered = name.lower()
    return not (
        name.startswith((".", "_"))
        or lowered.endswith(SIDECAR_SUFFIX)
        or lowered.endswith(_IN_PROGRESS_SUFFIXES)
    )


def discover_episodes(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Transcript files among `paths`, in order, each once.

    A file given directly is kept as it is. A folder is walked recursively in
    sorted order, skipping hidden files and folders, sidecars and files still
    being written; symlinked folders are not entered. Paths are not resolved.

    Raises:
        IngestError: a given path does not exist.
    """
    found: dict[Path, None] = {}
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found.update(dict.fromkeys(_walk(path)))
        elif path.exists() or path.is_symlink():
            found[path] = None
        else:
            raise IngestError(path, "no such file or folder")
    return list(found)


def _walk(folder: Path) -> list[Path]:
    files: list[tuple[tuple[str, ...], Path]] = []
    for directory, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = [name for name in dirnames if not name.startswith((".", "_"))]
        base = Path(directory)
        relative = base.relative_to(folder).parts
        for name in filenames:
            if is_transcript_name(name):
                files.append(((*relative, name), base / name))
            else:
                log.debug("skipping %s", base / name)
    return [path for _, path in sorted(files)]
