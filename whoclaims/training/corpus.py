"""Labelled episodes for training and measuring the topic and stance models.

Each episode is read and run through the pipeline exactly as `whoclaims run` does
(ingest with its sidecar, spaCy, entities, claims, sentence vectors) into an
`EpisodeView`; its gold rows are aligned to the pipeline's sentences. Views are
cached on disk (keyed by the file's content, the pipeline version and the settings
that shape them), so a second training or cross-validation run starts in seconds.

Data (read from `../shared/data`, never copied into the repository):
- `whoclaims_silver/`: 63 densely labelled episodes, the training data. Every
  sentence not listed carries no claim on any topic.
- `clef2019_checkthat_task1/` and `claimbuster/debates_2020.csv` (US debates, press
  conferences, an interview) and `ungdc/speeches/` (UN statements of 2014-2021), cut to
  the turns or paragraphs on Russia, Ukraine, NATO and Europe (`whoclaims.training.excerpts`),
  with the labels written for them shipped in `labels/`; and the fictional podcast
  episodes of `synthetic/`. Training data only, beside the silver corpus's three
  sources; never scored as part of it.
- `gold/` in the repository: the seed and the UN 2024 speeches, test sets that are
  never trained or tuned on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from extractors.episode_view import EpisodeView
from whoclaims import PIPELINE_VERSION

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO.parent / "shared" / "data"
SILVER = SHARED_DATA / "whoclaims_silver"
UNGDC = SHARED_DATA / "ungdc" / "speeches"
GOLD = REPO / "gold"
CACHE = REPO / ".cache" / "training"
SOURCES = ("un", "wh", "kremlin")
# A training source held out together with a silver source (the same genre), never scored.
HELD_OUT_WITH = {"un_extra": "un"}


class CorpusError(RuntimeError):
    """Training data is missing or unreadable; the message says where it was looked for."""


def source_of(episode_id: str) -> str:
    """An episode's source: the silver corpus's UN speeches, White House or Kremlin transcripts,
    or one of the collections of `whoclaims.training.excerpts`; "gold" otherwise."""
    for prefix, source in (("unga-", "un"), ("wh-", "wh"), ("kremlin-", "kremlin"), ("debate-", "debate"),
                           ("ungdc-", "un_extra"), ("synth-", "synthetic")):
        if episode_id.startswith(prefix):
            return source
    return "gold"


@dataclass
class LabelledEpisode:
    """An episode's view with its gold rows aligned to its sentences.

    `topic_labels[s, k]` is 1 for a core gold row of topic k on sentence s, -1 where only
    a borderline row (or an unsure alignment) touches it (neither positive nor negative),
    and 0 otherwise. `stance_rows` lists (sentence index, claim index, topic id, stance,
    core) for every gold row with a side (borderline rows included: the topic link may be
    arguable, the side is labelled). `claims` holds what the stance model reads of each claim.
    """

    view: EpisodeView
    source: str
    topic_labels: np.ndarray
    stance_rows: list[tuple[int, int, str, str, bool]]
    claims: list[dict]
    claim_vectors: np.ndarray


def silver_files() -> list[Path]:
    folder = SILVER / "episodes"
    if not folder.is_dir():
        raise CorpusError(f"{folder}: the silver corpus is not there (expected ../shared/data beside the repository)")
    return sorted(folder.glob("*.txt"))


def gold_files() -> list[Path]:
    return sorted(GOLD.glob("*.jsonl"))


def load_labels(paths: Iterable[Path]) -> pl.DataFrame:
    """Gold rows of JSON Lines files in the ANNOTATION.md format."""
    from whoclaims.evaluate import load_gold

    frames = [load_gold(path) for path in paths]
    return pl.concat(frames) if frames else pl.DataFrame()


def silver_labels() -> pl.DataFrame:
    path = SILVER / "labels.jsonl"
    if not path.is_file():
        raise CorpusError(f"{path}: the silver labels are not there")
    from whoclaims.evaluate import GOLD as GOLD_SCHEMA

    frame = pl.read_ndjson(path)
    return frame.select([pl.col(name).cast(GOLD_SCHEMA[name]) for name in GOLD_SCHEMA.names()])


def gold_source(episode_id: str) -> tuple[Path, Path | None]:
    """The transcript and sidecar of a gold file's episode: data/raw/ or the UN speeches."""
    raw = REPO / "data" / "raw" / f"{episode_id}.txt"
    source = raw if raw.is_file() else UNGDC / f"{episode_id}.txt"
    sidecar = GOLD / "sidecars" / f"{episode_id}.meta.json"
    return source, sidecar if sidecar.is_file() else None


def align(texts: Sequence[str], gold_sentence: str) -> list[tuple[int, bool]]:
    """Sentences of `texts` that the gold sentence matches by the evaluator's rule, each with
    whether the match is sure (a shared stretch of at least 25 characters, or 80% of the
    longer text): a three-word sentence that happens to occur inside a long gold sentence
    matches by the rule but says nothing about that sentence."""
    from whoclaims.evaluate import longest_common_substring, normalize_text

    gold = normalize_text(gold_sentence)
    gold_words = set(gold.split())
    out = []
    for i, text in enumerate(texts):
        own = normalize_text(text)
        if not own or not gold or not gold_words & set(own.split()):
            continue
        common = longest_common_substring(own, gold)
        if 2 * common >= min(len(own), len(gold)):
            out.append((i, common >= 25 or common >= 0.8 * max(len(own), len(gold))))
    return out


def _label(view: EpisodeView, rows: list[dict], topic_ids: Sequence[str], claims: list[dict]):
    from whoclaims.evaluate import normalize_name

    labels = np.zeros((len(view), len(topic_ids)), dtype=np.int8)
    stance_rows = []
    claims_by_sentence: dict[int, list[int]] = {}
    for j, claim in enumerate(claims):
        claims_by_sentence.setdefault(claim["sentence_id"], []).append(j)
    for row in rows:
        if row["topic"] not in topic_ids:
            continue
        k = topic_ids.index(row["topic"])
        matches = align(view.texts, row["sentence"])
        for s, sure in matches:
            if row["core"] and sure:
                labels[s, k] = 1
            elif labels[s, k] == 0:
                labels[s, k] = -1
        sure = [s for s, ok in matches if ok and s in claims_by_sentence]
        if row["stance"] in ("favor", "against") and sure:
            s = sure[0]
            candidates = claims_by_sentence[s]
            j = next((j for j in candidates if normalize_name(claims[j]["holder"]) == normalize_name(row["holder"])),
                     candidates[0])
            stance_rows.append((s, j, row["topic"], row["stance"], bool(row["core"])))
    return labels, stance_rows


# Settings that shape an episode's view; the topic and stance settings and model files do not.
VIEW_SETTINGS = ("spacy_model", "encoder_path", "max_chunk_chars", "actors_file", "claim_model_file", "coreference",
                 "claim_threshold", "nested_claims", "force_format", "default_speaker", "speaker_patterns")


def _cache_key(path: Path, sidecar: Path | None, settings) -> str:
    digest = hashlib.sha256()
    for part in (path, sidecar):
        if part is not None:
            digest.update(part.read_bytes())
    for name in VIEW_SETTINGS:
        value = getattr(settings, name)
        if name.endswith("_file") and value and Path(value).is_file():
            value = hashlib.sha256(Path(value).read_bytes()).hexdigest()
        digest.update(f"{name}={value!r}|".encode())
    digest.update(PIPELINE_VERSION.encode())
    return digest.hexdigest()[:20]


def build_view(path: Path, sidecar: Path | None, *, settings, models) -> tuple[EpisodeView, list[dict], np.ndarray]:
    """Run the pipeline's stages up to claims on one file; the view, its claims as the stance
    model reads them (`extractors.stance.claim_facts`), and the claims' content vectors."""
    from extractors.claims import extract_claims
    from extractors.entities import extract_mentions
    from extractors.episode_view import episode_view
    from extractors.stance import claim_facts, content_vectors
    from whoclaims.annotate import annotate
    from whoclaims.pipeline import read

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / path.name
        shutil.copy(path, copy)
        if sidecar is not None:
            shutil.copy(sidecar, Path(folder) / f"{path.stem}.meta.json")
        episode = read(copy, settings=settings, input_root=Path(folder))
    annotated = annotate(episode, models.nlp, max_chunk_chars=settings.max_chunk_chars,
                         batch_size=settings.spacy_batch_size)
    annotated.mentions = extract_mentions(annotated, catalog=models.catalog, coreference=settings.coreference)
    claims = extract_claims(annotated, detector=models.detector, settings=settings, catalog=models.catalog)
    vectors = models.encoder.encode([sentence.text for sentence in annotated.sentences])
    view = episode_view(annotated, claims, vectors)
    return view, [claim_facts(claim) for claim in claims], content_vectors(claims, vectors, models.encoder)


def load_corpus(*, which: str = "silver", settings=None, topic_ids: Sequence[str], refresh: bool = False,
                progress=None) -> list[LabelledEpisode]:
    """The labelled episodes of the silver corpus (`which="silver"`) or of the gold files (`"gold"`).

    Raises:
        CorpusError: the data is not where it should be.
    """
    from whoclaims.pipeline import load_models
    from whoclaims.settings import load_settings

    settings = settings or load_settings(None)
    if which == "silver":
        labels = silver_labels()
        items = [(path, path.with_name(f"{path.stem}.meta.json")) for path in silver_files()]
    elif which in ("debates", "speeches", "synthetic"):
        from whoclaims.training.excerpts import COLLECTIONS

        labels_file, write = COLLECTIONS[which]
        if not labels_file.is_file():
            raise CorpusError(f"{labels_file}: the labels of the {which} are not there")
        labels = load_labels([labels_file])
        paths = write(CACHE / which)
        items = [(path, path.with_name(f"{path.stem}.meta.json")) for path in paths]
    elif which == "gold":
        labels = load_labels(gold_files())
        items = []
        for gold_file in gold_files():
            episode_id = json.loads(gold_file.read_text(encoding="utf-8").splitlines()[0])["episode_id"]
            source, sidecar = gold_source(episode_id)
            if not source.is_file():
                raise CorpusError(f"{source}: transcript of {gold_file.name} not found")
            items.append((source, sidecar))
    else:
        raise ValueError(f"which must be 'silver', 'debates', 'speeches', 'synthetic' or 'gold', got {which!r}")
    models = None
    CACHE.mkdir(parents=True, exist_ok=True)
    out = []
    for number, (path, sidecar) in enumerate(items, start=1):
        sidecar = sidecar if sidecar is not None and sidecar.is_file() else None
        cached = CACHE / f"{path.stem}-{_cache_key(path, sidecar, settings)}.pkl"
        if cached.is_file() and not refresh:
            with cached.open("rb") as handle:
                view, claims, claim_vectors = pickle.load(handle)
        else:
            models = models or load_models(settings)
            view, claims, claim_vectors = build_view(path, sidecar, settings=settings, models=models)
            temporary = cached.with_suffix(".tmp")
            with temporary.open("wb") as handle:
                pickle.dump((view, claims, claim_vectors), handle)
            temporary.replace(cached)
        rows = labels.filter(pl.col("episode_id") == view.episode_id).to_dicts()
        topic_labels, stance_rows = _label(view, rows, topic_ids, claims)
        out.append(LabelledEpisode(view=view, source=source_of(view.episode_id), topic_labels=topic_labels,
                                   stance_rows=stance_rows, claims=claims, claim_vectors=claim_vectors))
        if progress:
            progress(f"{number}/{len(items)} {view.episode_id}")
    return out


def episode_folds(episode_ids: Sequence[str], n_folds: int, *, seed: int = 0,
                  group: Callable[[str], str] | None = None) -> dict[str, int]:
    """Folds grouped by episode (or by `group` of the episode id: the parts of one debate)
    and stratified by source, deterministic for a seed."""
    group = group or (lambda episode_id: episode_id)
    rng = np.random.default_rng(seed)
    by_source: dict[str, list[str]] = {}
    for key in sorted({group(episode_id) for episode_id in episode_ids}):
        by_source.setdefault(source_of(key), []).append(key)
    fold_of: dict[str, int] = {}
    offset = 0
    for source in sorted(by_source):
        keys = by_source[source]
        rng.shuffle(keys)
        for i, key in enumerate(keys):
            fold_of[key] = (i + offset) % n_folds
        offset += len(keys)
    return {episode_id: fold_of[group(episode_id)] for episode_id in episode_ids}


def excerpt_group(episode_id: str) -> str:
    """The transcript an excerpt was cut from: the parts `a`, `b`, ... of one debate are one group."""
    return re.sub(r"(\d)[a-z]$", r"\1", episode_id)
