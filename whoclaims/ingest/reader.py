"""Read one transcript file (and its sidecar) into an `Episode`."""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import logging
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path

from whoclaims.ingest.checks import episode_warnings
from whoclaims.ingest.decode import decode_transcript
from whoclaims.ingest.errors import IngestError, TranscriptError
from whoclaims.ingest.formats import detect_format, parse_transcript
from whoclaims.ingest.names import (
    UNKNOWN_SPEAKER, accept_label, full_name_for, is_role_word, is_unnamed_label, name_after_title, normalise_speaker,
)
from whoclaims.ingest.sidecar import SIDECAR_SUFFIX, Sidecar, parse_sidecar
from whoclaims.records import Episode, ParsedTranscript, Turn
from whoclaims.schemas import FORMATS
from whoclaims.storage import EpisodeIdError, validate_episode_id

log = logging.getLogger(__name__)

__all__ = ["UNKNOWN_SPEAKER", "build_episode", "episode_id_for", "read_episode", "slug_episode_id"]

TURN_SEPARATOR = "\n\n"
# Path errors that no retry will cure.
_BAD_PATH_ERRNOS = frozenset({errno.ELOOP, errno.ENOTDIR, errno.ENAMETOOLONG, errno.EACCES})
_SLUG_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+", re.ASCII)
_SLUG_DASHES = re.compile(r"[-.]*-[-.]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MAX_SLUG_CHARS = 128
# A label as a speaker map is keyed: case and spacing aside, a final colon or full stop dropped.
_LABEL_KEY = re.compile(r"[\s:.]+$")


def slug_episode_id(stem: str) -> str:
    """A safe episode id made from an unsafe file name stem, or "" when none can be made.

    Letters lose their accents, the name is lower-cased, every run of characters other
    than letters, digits, `.`, `_` and `-` becomes one `-`, and separators at either
    end go ("123 - Guest Name - Topic, Other" -> "123-guest-name-topic-other"). A slug
    longer than 128 characters is cut and ends in a hash of the whole name, so two long
    names stay apart.
    """
    # Accents go (decomposed, their combining marks dropped); any other non-ASCII character separates words.
    bare = "".join(char for char in unicodedata.normalize("NFKD", stem) if not unicodedata.combining(char))
    slug = _SLUG_DASHES.sub("-", _SLUG_UNSAFE.sub("-", bare)).strip("-._").lower()
    if len(slug) > _MAX_SLUG_CHARS:
        digest = hashlib.sha256(stem.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        slug = f"{slug[:_MAX_SLUG_CHARS - 9].rstrip('-._')}-{digest}"
    return slug


def episode_id_for(path: Path) -> str:
    """Episode id of a transcript file: its name without the last suffix.

    A safe name (`whoclaims.storage.validate_episode_id`) is the id as it is; any other
    name is slugged (`slug_episode_id`). Names with control characters, reserved device
    names (`CON`, `NUL`) and names with no letter or digit are refused.

    Raises:
        IngestError: the name cannot be made a safe id.
    """
    stem = Path(path.name).stem
    try:
        return validate_episode_id(stem)
    except EpisodeIdError as error:
        problem = error
    if _CONTROL.search(stem):
        raise IngestError(path, f"unsafe episode id from the file name: {problem}; a name with control "
                                "characters is refused, rename the file")
    slug = slug_episode_id(stem)
    try:
        episode_id = validate_episode_id(slug)
    except EpisodeIdError as error:
        raise IngestError(path, f"unsafe episode id from the file name: {problem}, and it cannot be made safe "
                                f"({error if slug else 'no letter or digit to keep'}); rename the file") from error
    log.info("%s: episode id %r (the file name is not a safe id)", path, episode_id)
    return episode_id


def sidecar_candidates(path: Path, episode_id: str) -> list[Path]:
    """Where the sidecar of a transcript may be: `<file stem>.meta.json`, else `<episode id>.meta.json`."""
    stem = Path(path.name).stem
    return list(dict.fromkeys(path.with_name(f"{name}{SIDECAR_SUFFIX}") for name in (stem, episode_id)))


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


def find_sidecar(path: Path, episode_id: str, root: Path) -> Sidecar | None:
    """The first sidecar of `sidecar_candidates` that exists, parsed; None when there is none."""
    for candidate in sidecar_candidates(path, episode_id):
        sidecar = read_sidecar(candidate, root)
        if sidecar is not None:
            return sidecar
    return None


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
    canonical_speaker: Callable[[str], str | None] | None = None,
) -> Episode:
    """Read a transcript file, and its `<stem>.meta.json` sidecar if present, into an `Episode`.

    Args:
        path: the transcript; `Episode.source_path` keeps it as given.
        input_root: folder the file (through any symlink) must lie in; default: the file's folder.
        force_format: parse as this format instead of detecting one (a sidecar `format` wins over it,
            being specific to the file).
        default_speaker: speaker of text that names none (after the sidecar's `default_speaker`).
        canonical_speaker: the canonical name of a speaker label, when known (`PRESIDENT TRUMP` ->
            `Donald Trump`, from the actors file), else None; used for labels no speaker map names.

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
    sidecar = find_sidecar(path, episode_id, root)
    fmt = (sidecar and sidecar.format) or force_format or detect_format(text, suffix=path.suffix)
    fallback = resolve_default_speaker(sidecar, default_speaker)
    parsed = parse_transcript(text, format=fmt, default_speaker=fallback, source=path)
    digest = hashlib.sha256(data)
    if sidecar:
        digest.update(sidecar.raw)
    try:
        episode = build_episode(
            parsed, episode_id=episode_id, source_path=source_path, content_hash=digest.hexdigest(), sidecar=sidecar,
            canonical_speaker=canonical_speaker,
        )
    except TranscriptError as error:
        raise IngestError(path, f"{fmt}: {error}{_no_speech_detail(parsed)}") from error
    given = fallback != UNKNOWN_SPEAKER and episode.speakers == [fallback]
    episode = dataclasses.replace(episode, warnings=episode_warnings(episode, speaker_given=given))
    for warning in episode.warnings:
        log.info("%s: %s", path, warning)
    log.debug("read %s: %s, %d turns, %d chars", path, fmt, len(episode.turns), len(episode.text))
    return episode


def _no_speech_detail(parsed: ParsedTranscript) -> str:
    """Why a file gave no speech, when its metadata shows what it did hold."""
    found = [name for name in ("title", "date", "url", "description") if getattr(parsed, name)]
    if not found:
        return ""
    return f" (the file holds only metadata: {', '.join(found)}; no text after it reads as speech)"


def build_episode(
    parsed: ParsedTranscript,
    *,
    episode_id: str,
    source_path: str,
    content_hash: str,
    sidecar: Sidecar | None = None,
    canonical_speaker: Callable[[str], str | None] | None = None,
) -> Episode:
    """Place parsed turns in one episode text (turn texts joined by a blank line) and apply the sidecar.

    Turns with empty text are dropped; `turn_id` counts the kept ones from 0. A turn's
    speaker is, in order: the name a speaker map (the sidecar's, then the file's own)
    gives its label; the canonical name `canonical_speaker` knows for the label; the
    name the parser made of it. The label as written is kept in `speaker_label`.

    Raises:
        TranscriptError: no turn with text remains ("no speech found").
    """
    names = {_label_key(label): name for label, name in parsed.speaker_names.items()}
    if sidecar:
        names.update({_label_key(label): name for label, name in sidecar.speaker_names.items()})
    # Roles: the file's own, then those its labels carry (`NAME, HOST:`), then the sidecar's.
    roles = dict(parsed.roles)
    turns: list[Turn] = []
    texts: list[str] = []
    offset = 0
    for raw in parsed.turns:
        text = raw.text.strip()
        if not text:
            continue
        if texts:
            offset += len(TURN_SEPARATOR)
        speaker = _speaker(raw.speaker or UNKNOWN_SPEAKER, raw.label, names, canonical_speaker)
        if raw.role:
            roles[speaker] = raw.role
        turns.append(Turn(
            turn_id=len(turns),
            speaker=speaker,
            role=raw.role,
            text=text,
            start_char=offset,
            end_char=offset + len(text),
            start_s=raw.start_s,
            end_s=raw.end_s,
            section=raw.section,
            speaker_label=raw.label,
        ))
        texts.append(text)
        offset += len(text)
    if not turns:
        raise TranscriptError("no speech found")
    turns = _complete_one_word_names(turns, [_first(sidecar and sidecar.title, parsed.title),
                                             _first(sidecar and sidecar.description, parsed.description)],
                                     names, canonical_speaker)
    if sidecar:
        roles.update(sidecar.roles)
    turns = [
        dataclasses.replace(turn, role=(sidecar.roles.get(turn.speaker) if sidecar else None) or turn.role
                            or roles.get(turn.speaker))
        for turn in turns
    ]
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
        url=_first(sidecar and sidecar.url, parsed.url),
        tags=parsed.tags,
        layout=parsed.layout,
    )


# The turns whose text may introduce the speakers ("My guest today is Fiona Hill").
_INTRODUCING_TURNS = 3


def _complete_one_word_names(
    turns: list[Turn], metadata: list[str | None], names: Mapping[str, str],
    canonical_speaker: Callable[[str], str | None] | None,
) -> list[Turn]:
    """A speaker labelled by one name word (`FIONA:`, `HILL:`) is the one full name the episode's
    title, description or first turns give with that word (`Fiona Hill`), as holders are written.
    Labels a speaker map names, roles and machine labels are left as they are."""
    texts = [*metadata, *(turn.text for turn in turns[:_INTRODUCING_TURNS])]
    renamed: dict[str, str] = {}
    for turn in turns:
        word = turn.speaker
        if (word in renamed or turn.speaker_label is None or " " in word or not word.isalpha()
                or _label_key(turn.speaker_label) in names or not accept_label(word, count=2, one_off_ok=False)
                or is_role_word(word) or is_unnamed_label(word)):
            continue
        full = full_name_for(word, texts)
        if full is not None:
            renamed[word] = (canonical_speaker(full) if canonical_speaker else None) or full
    taken = {turn.speaker for turn in turns} - set(renamed)
    renamed = {word: full for word, full in renamed.items() if full not in taken}  # never merge two speakers
    if not renamed:
        return turns
    return [dataclasses.replace(turn, speaker=renamed.get(turn.speaker, turn.speaker)) for turn in turns]


def _label_key(label: str) -> str:
    return _LABEL_KEY.sub("", " ".join(label.split())).casefold()


def _speaker(
    parsed: str, label: str | None, names: Mapping[str, str], canonical_speaker: Callable[[str], str | None] | None,
) -> str:
    """The speaker of one turn (see `build_episode`)."""
    if label is None:
        return parsed
    for key in (_label_key(label), _label_key(parsed)):
        if key in names:
            return names[key]
    if canonical_speaker is not None:
        # The label as written, else the name the layout gave it (`NATO Secretary General`, an office
        # alone, is the file's `NATO Secretary General Mark Rutte`).
        found = canonical_speaker(label) or (canonical_speaker(parsed) if parsed != label else None)
        if found:
            return found
    # Someone the catalog does not know, under a title: the person's name, as holders are written.
    return name_after_title(parsed) or parsed


def _first(*values: str | None) -> str | None:
    return next((value for value in values if value), None)

