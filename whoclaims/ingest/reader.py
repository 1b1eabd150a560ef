"""Read one transcript file (and its sidecar) into an `Episode`."""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import stat
from pathlib import Path

from whoclaims.ingest.decode import decode_transcript
from whoclaims.ingest.errors import IngestError, TranscriptError
from whoclaims.ingest.formats import detect_format, parse_transcript
from whoclaims.ingest.names import normalise_speaker
from whoclaims.ingest.sidecar import Sidecar, parse_sidecar, sidecar_path
from whoclaims.records import Episode, ParsedTranscript, Turn
from whoclaims.schemas import FORMATS
from whoclaims.storage import EpisodeIdError, validate_episode_id

log = logging.getLogger(__name__)

UNKNOWN_SPEAKER = "Unknown"
TURN_SEPARATOR = "\n\n"
# Path errors that no retry will cure.
_BAD_PATH_ERRNOS = frozenset({errno.ELOOP, errno.ENOTDIR, errno.ENAMETOOLONG, errno.EACCES})


def episode_id_for(path: Path) -> str:
    """Episode id of a transcript file: its name without the last suffix, validated.

    Raises:
        IngestError: the id is not a safe name (`whoclaims.storage.validate_episode_id`).
    """
    try:
        return validate_episode_id(Path(path.name).stem)
    except EpisodeIdError as error:
        raise IngestError(path, f"unsafe episode id from the file name: {error}") from error


def read_bytes_within(path: Path, root: Path) -> bytes:
    """Bytes of the regular file `path`, which must resolve (through symlinks) inside `root`.

    Raises:
        IngestError: missing file, broken or looping symlink, a target outside `root`,
            not a regular file, or no permission to read it.
    """
    try:
        resolved = path.resolve(strict=True)
    except FileNotFoundError as error:
        problem = "broken symbolic link" if path.is_symlink() else "no such file"
        raise IngestError(path, problem) from error
    except RuntimeError as error:  # Python 3.11 reports a symlink loop this way
        raise IngestError(path, f"cannot resolve the path: {error}") from error
    except OSError as error:
        if error.errno not in _BAD_PATH_ERRNOS:
            raise  # a transient I/O error: the caller may retry
        raise IngestError(path, f"cannot resolve the path: {error.strerror}") from error
    folder = root.resolve()
    if not resolved.is_relative_to(folder):
        raise IngestError(path, f"resolves to {resolved}, outside the input folder {folder}")
    try:
        # O_NONBLOCK: opening a FIFO must not hang; for regular files it changes nothing.
        fd = os.open(resolved, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except PermissionError as error:
        raise IngestError(path, f"cannot read: {error.strerror}") from error
    # Checked on the open descriptor, so the file cannot be swapped between check and read.
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise IngestError(path, "not a regular file")
    with open(fd, "rb") as handle:
        return handle.read()


def read_sidecar(path: Path, root: Path) -> Sidecar | None:
    """The sidecar at `path`, or None when there is none."""
    if not path.exists() and not path.is_symlink():
        return None
    return parse_sidecar(path, read_bytes_within(path, root))


def resolve_default_speaker(sidecar: Sidecar | None, default_speaker: str | None) -> str:
    """Speaker of text that names none: the sidecar's default, the argument, the sidecar's only speaker, "Unknown"."""
    if sidecar and sidecar.default_speaker:
        return sidecar.default_speaker
    if default_speaker and default_speaker.strip():
        return normalise_speaker(default_speaker)
    if sidecar and len(sidecar.speakers) == 1:
        return sidecar.speakers[0]
    return UNKNOWN_SPEAKER


def read_episode(
    path: str | os.PathLike[str],
    *,
    input_root: str | os.PathLike[str] | None = None,
    force_format: str | None = None,
    default_speaker: str | None = None,
) -> Episode:
    """Read a transcript file, and its `<stem>.meta.json` sidecar if present, into an `Episode`.

    Args:
        path: the transcript; `Episode.source_path` keeps it as given.
        input_root: folder the file (through any symlink) must lie in; default: the file's folder.
        force_format: parse as this format instead of detecting one (a sidecar `format` wins over it,
            being specific to the file).
        default_speaker: speaker of text that names none (after the sidecar's `default_speaker`).

    Raises:
        IngestError: the file or its sidecar cannot be read as an episode; the message names the file.
        ValueError: `force_format` is not one of `whoclaims.schemas.FORMATS`.
    """
    if force_format is not None and force_format not in FORMATS:
        raise ValueError(f"unknown transcript format {force_format!r}; expected one of {FORMATS}")
    source_path = os.fspath(path)
    path = Path(path)
    root = Path(input_root) if input_root is not None else path.parent
    episode_id = episode_id_for(path)
    data = read_bytes_within(path, root)
    try:
        text = decode_transcript(data)
    except TranscriptError as error:
        raise IngestError(path, str(error)) from error
    sidecar = read_sidecar(sidecar_path(path, episode_id), root)
    fmt = (sidecar and sidecar.format) or force_format or detect_format(text, suffix=path.suffix)
    parsed = parse_transcript(
        text, format=fmt, default_speaker=resolve_default_speaker(sidecar, default_speaker), source=path
    )
    digest = hashlib.sha256(data)
    if sidecar:
        digest.update(sidecar.raw)
    try:
        episode = build_episode(
            parsed, episode_id=episode_id, source_path=source_path, content_hash=digest.hexdigest(), sidecar=sidecar
        )
    except TranscriptError as error:
        raise IngestError(path, f"{fmt}: {error}") from error
    log.debug("read %s: %s, %d turns, %d chars", path, fmt, len(episode.turns), len(episode.text))
    return episode


def build_episode(
    parsed: ParsedTranscript,
    *,
    episode_id: str,
    source_path: str,
    content_hash: str,
    sidecar: Sidecar | None = None,
) -> Episode:
    """Place parsed turns in one episode text (turn texts joined by a blank line) and apply the sidecar.

    Turns with empty text are dropped; `turn_id` counts the kept ones from 0.

    Raises:
        TranscriptError: no turn with text remains ("no speech found").
    """
    # Roles: the file's own, then those its labels carry (`NAME, HOST:`), then the sidecar's.
    roles = dict(parsed.roles)
    roles.update({turn.speaker: turn.role for turn in parsed.turns if turn.role})
    if sidecar:
        roles.update(sidecar.roles)
    turns: list[Turn] = []
    texts: list[str] = []
    offset = 0
    for raw in parsed.turns:
        text = raw.text.strip()
        if not text:
            continue
        if texts:
            offset += len(TURN_SEPARATOR)
        speaker = raw.speaker or UNKNOWN_SPEAKER
        role = sidecar.roles.get(speaker) if sidecar else None
        turns.append(Turn(
            turn_id=len(turns),
            speaker=speaker,
            role=role or raw.role or roles.get(speaker),
            text=text,
            start_char=offset,
            end_char=offset + len(text),
            start_s=raw.start_s,
            end_s=raw.end_s,
        ))
        texts.append(text)
        offset += len(text)
    if not turns:
        raise TranscriptError("no speech found")
    return Episode(
        episode_id=episode_id,
        source_path=source_path,
        format=parsed.format,
        text=TURN_SEPARATOR.join(texts),
        turns=tuple(turns),
        content_hash=content_hash,
        title=_first(sidecar and sidecar.title, parsed.title),
        description=_first(sidecar and sidecar.description, parsed.description),
        date=_first(sidecar and sidecar.date, parsed.date),
        show=_first(sidecar and sidecar.show, parsed.show),
        roles=roles,
    )


def _first(*values: str | None) -> str | None:
    return next((value for value in values if value), None)

