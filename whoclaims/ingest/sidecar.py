"""The optional `<stem>.meta.json` sidecar beside a transcript.

Keys, all optional: `title`, `date`, `show`, `description`, `source` or `url`
(strings), `speakers`, `default_speaker`, `format` (one of
`whoclaims.schemas.FORMATS`, forces it). `speakers` is a list of names or of
`{"name": ..., "role": ..., "label": ...}` objects, or a map from the label a
file writes to the speaker's name (`{"THE PRESIDENT": "Donald Trump", "Q":
{"name": "Jane Roe", "role": "questioner"}}`). The sidecar wins over what the
transcript itself says. Unknown keys are logged and ignored.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoclaims.ingest.decode import normalise_text
from whoclaims.ingest.errors import IngestError
from whoclaims.ingest.names import normalise_role, normalise_speaker
from whoclaims.schemas import FORMATS

log = logging.getLogger(__name__)

SIDECAR_SUFFIX = ".meta.json"
_TEXT_FIELDS = ("title", "date", "show", "description")
_URL_FIELDS = ("url", "source")
_KNOWN_KEYS = frozenset({*_TEXT_FIELDS, *_URL_FIELDS, "speakers", "default_speaker", "format"})


@dataclass(frozen=True, slots=True)
class Sidecar:
    """What a sidecar says about its transcript; `raw` feeds the episode's content hash."""

    path: Path
    raw: bytes
    title: str | None = None
    date: str | None = None
    show: str | None = None
    description: str | None = None
    speakers: tuple[str, ...] = ()
    roles: dict[str, str] = field(default_factory=dict)
    default_speaker: str | None = None
    format: str | None = None
    url: str | None = None
    # Label as a file writes it -> speaker name.
    speaker_names: dict[str, str] = field(default_factory=dict)


def parse_sidecar(path: Path, raw: bytes) -> Sidecar:
    """Validate sidecar bytes read from `path`.

    Raises:
        IngestError: naming the sidecar, when it is not a UTF-8 JSON object of the keys above.
    """
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise IngestError(path, f"sidecar is not UTF-8: {error.reason} at byte offset {error.start}") from error
    except json.JSONDecodeError as error:
        raise IngestError(path, f"invalid JSON in sidecar at line {error.lineno} column {error.colno}: {error.msg}") from error
    except RecursionError as error:
        raise IngestError(path, "invalid JSON in sidecar: nested too deeply") from error
    if not isinstance(data, dict):
        raise IngestError(path, f"sidecar must be a JSON object, got a {type(data).__name__}")
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        log.warning("%s: ignoring unknown sidecar keys %s", path, unknown)
    try:
        texts = {name: _string(data.get(name), name) for name in _TEXT_FIELDS}
        url = next((value for value in (_string(data.get(name), name) for name in _URL_FIELDS) if value), None)
        speakers, roles, speaker_names = _speakers(data.get("speakers"))
        default_speaker = _string(data.get("default_speaker"), "default_speaker")
        fmt = _string(data.get("format"), "format")
    except ValueError as error:
        raise IngestError(path, f"sidecar: {error}") from error
    if fmt is not None and fmt not in FORMATS:
        raise IngestError(path, f"sidecar: 'format' must be one of {FORMATS}, got {fmt!r}")
    return Sidecar(
        path=path,
        raw=raw,
        speakers=speakers,
        roles=roles,
        default_speaker=normalise_speaker(default_speaker) if default_speaker else None,
        format=fmt,
        url=url,
        speaker_names=speaker_names,
        **texts,
    )


def _string(value: Any, key: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{key!r} must be a string, got {type(value).__name__} {value!r:.60}")
    text = normalise_text(value).strip()
    if key != "description":
        text = " ".join(text.split())
    return text or None


def _speakers(value: Any) -> tuple[tuple[str, ...], dict[str, str], dict[str, str]]:
    """(names, name -> role, label -> name) of the `speakers` list or map."""
    if value is None:
        return (), {}, {}
    if isinstance(value, dict):
        items = [(str(label), item, f"speakers[{label!r}]") for label, item in value.items()]
    elif isinstance(value, list):
        items = [(None, item, f"speakers[{index}]") for index, item in enumerate(value)]
    else:
        raise ValueError(f"'speakers' must be a list or a map of labels to names, got {type(value).__name__}")
    names: list[str] = []
    roles: dict[str, str] = {}
    labels: dict[str, str] = {}
    for label, item, where in items:
        if isinstance(item, str):
            name, role = item, None
        elif isinstance(item, dict):
            name = item.get("name")
            role = _string(item.get("role"), f"{where}.role")
            label = label or _string(item.get("label"), f"{where}.label")
        else:
            raise ValueError(f"{where} must be a name or an object with 'name', got {type(item).__name__}")
        if not isinstance(name, str) or not normalise_speaker(name):
            raise ValueError(f"{where} has no 'name' string")
        name = normalise_speaker(name)
        names.append(name)
        if label and label.strip():
            labels[" ".join(normalise_text(label).split())] = name
        if role:
            roles[name] = normalise_role(role) or role
    return tuple(dict.fromkeys(names)), roles, labels
