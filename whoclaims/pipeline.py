"""The per-episode pipeline as plain Python: read, extract, write.

Flows call these three functions, one per task; tests call them directly.
Models are loaded once per process through `whoclaims.models`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import polars as pl

from whoclaims import PIPELINE_VERSION
from whoclaims.records import AnnotatedEpisode, Claim, Episode, TopicStance
from whoclaims.schemas import (
    ACTORS, CLAIMS, EPISODES, MENTIONS, SENTENCES, TEXTS, TURNS, to_frame,
)
from whoclaims.settings import Settings
from whoclaims.storage import Store

log = logging.getLogger(__name__)


def read(path: str | Path, *, settings: Settings, input_root: str | Path | None = None) -> Episode:
    """Read and validate one transcript file (raises `whoclaims.ingest.IngestError`).

    Speaker labels that name a person of the actors file ("PRESIDENT TRUMP", "Mr. Trump")
    get that person's canonical name; the label stays in `speaker_label`. No model is loaded.
    """
    from whoclaims.ingest import read_episode

    path = Path(path)
    refuse_oversized(path, max_bytes=settings.max_input_bytes)
    return read_episode(
        path,
        input_root=Path(input_root) if input_root else None,
        force_format=settings.force_format,
        default_speaker=settings.default_speaker_for(path.name),
        canonical_speaker=canonical_speakers(settings.actors_file),
    )


def refuse_oversized(path: Path, *, max_bytes: int) -> None:
    """Raise `IngestError` naming the file and the limit when `path` is larger than `max_bytes`.

    Checked before the file is read, so a huge file costs no memory; a file that
    cannot be stat'ed is left to the reader, which reports why.
    """
    from whoclaims.ingest import IngestError

    try:
        size = path.stat().st_size
    except OSError:
        return
    if size > max_bytes:
        raise IngestError(path, f"file too large: {size:,} bytes, over the limit of {max_bytes:,} bytes "
                                "(max_input_bytes; raise it with --max-input-bytes or in whoclaims.toml)")


def canonical_speakers(actors_file: str) -> Callable[[str], str | None]:
    """A function from a speaker label to the canonical name of the catalog person it names, else None.

    Only people resolve: a label naming a state or an organisation ("Russia" as the UN
    delegation) keeps the name it was given.
    """
    try:
        stat = Path(actors_file).stat()
    except OSError:
        return _no_canonical_speaker
    return _canonical_speakers(actors_file, stat.st_size, stat.st_mtime_ns)


def _no_canonical_speaker(label: str) -> None:
    del label


@functools.lru_cache(maxsize=8)
def _canonical_speakers(actors_file: str, size: int, mtime_ns: int) -> Callable[[str], str | None]:
    from whoclaims.actors import load_actor_catalog

    del size, mtime_ns  # cache key: an edited file is read again
    catalog = load_actor_catalog(actors_file)

    @functools.lru_cache(maxsize=4096)
    def canonical(label: str) -> str | None:
        actor_id, name = catalog.speaker_actor(label)
        return name if catalog.type_of(actor_id) == "person" else None

    return canonical


@dataclass
class Models:
    """The models and resources one process uses; loaded once, cached by `load_models`."""

    nlp: Any
    catalog: Any
    detector: Any
    topics: list
    encoder: Any
    topic_model_file: str = ""

    @property
    def topic_model(self):
        """The trained topic model, read on first use (training builds its corpus without one)."""
        from whoclaims.models import file_stamp

        return _load_resource("topic_model", self.topic_model_file, file_stamp(self.topic_model_file))


def load_models(settings: Settings) -> Models:
    """Every model and resource named by `settings`, from the per-process caches.

    Resource files are re-read only when they change (size or mtime), so a
    long-lived worker picks up edits to the actors, topics or claim model files.
    """
    from whoclaims.models import file_stamp, load_encoder, load_spacy

    return Models(
        nlp=load_spacy(settings.spacy_model, actors_file=settings.actors_file),
        catalog=_load_resource("actors", settings.actors_file, file_stamp(settings.actors_file)),
        detector=_load_resource("claims", settings.claim_model_file, file_stamp(settings.claim_model_file)),
        topics=_load_resource("topics", settings.topics_file, file_stamp(settings.topics_file)),
        encoder=load_encoder(settings.encoder_path, batch_size=settings.encoder_batch_size),
        topic_model_file=settings.topic_model_file,
    )


@functools.lru_cache(maxsize=16)
def _load_resource(kind: str, path: str, stamp: tuple | None):
    from extractors.claim_detector import load_claim_detector
    from extractors.topic_model import load_topic_model
    from whoclaims.actors import load_actor_catalog
    from whoclaims.topics import load_topics

    loader = {"actors": load_actor_catalog, "claims": load_claim_detector, "topics": load_topics,
              "topic_model": load_topic_model}[kind]
    return loader(path)


def annotate_and_extract(episode: Episode, *, settings: Settings, models: Models | None = None) -> AnnotatedEpisode:
    """Parse the episode and run entities, claims, topics and stance over it."""
    from extractors.claims import extract_claims
    from extractors.entities import extract_mentions
    from extractors.episode_view import episode_view
    from extractors.topics import assign_topics
    from whoclaims.annotate import annotate

    models = models or load_models(settings)
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    annotated = annotate(
        episode, models.nlp, max_chunk_chars=settings.max_chunk_chars, batch_size=settings.spacy_batch_size
    )
    timings["spacy_s"] = time.perf_counter() - clock
    clock = time.perf_counter()
    annotated.mentions = extract_mentions(annotated, catalog=models.catalog, coreference=settings.coreference)
    timings["entities_s"] = time.perf_counter() - clock
    clock = time.perf_counter()
    annotated.claims = extract_claims(annotated, detector=models.detector, settings=settings,
                                      catalog=models.catalog)
    timings["claims_s"] = time.perf_counter() - clock
    clock = time.perf_counter()
    vectors = models.encoder.encode([sentence.text for sentence in annotated.sentences])
    view = episode_view(annotated, annotated.claims, vectors)
    assignment = assign_topics(view, annotated.claims, topics=models.topics, model=models.topic_model,
                               encoder=models.encoder, threshold=settings.topic.threshold)
    annotated.nearest_topics = assignment.nearest
    timings["topics_s"] = time.perf_counter() - clock
    clock = time.perf_counter()
    annotated.topic_stances = decide_stances(annotated.claims, assignment.decisions, vectors, topics=models.topics,
                                             settings=settings, encoder=models.encoder)
    timings["stance_s"] = time.perf_counter() - clock
    annotated.extras["timings"] = timings
    return annotated


def decide_stances(claims: list[Claim], decisions: list, sentence_vectors, *, topics, settings: Settings,
                   encoder) -> list[TopicStance]:
    """The stance stage: one `TopicStance` per kept (claim, topic) decision, decided in one batch."""
    from extractors.stance import content_vectors, make_stance_backend, stance_query

    if not decisions:
        return []
    by_id = {claim.claim_id: i for i, claim in enumerate(claims)}
    by_topic = {topic.id: topic for topic in topics}
    vectors = content_vectors(claims, sentence_vectors, encoder)
    queries = [stance_query(claims[by_id[d.claim_id]], by_topic[d.topic], vector=vectors[by_id[d.claim_id]])
               for d in decisions]
    results = make_stance_backend(settings.stance, encoder=encoder).predict(queries)
    return [TopicStance(claim_id=d.claim_id, topic=d.topic, topic_score=d.topic_score, stance=r.stance,
                        stance_score=r.stance_score) for d, r in zip(decisions, results, strict=True)]


def build_tables(annotated: AnnotatedEpisode, *, settings: Settings, models: Models | None = None) -> dict[str, pl.DataFrame]:
    """Every per-episode table of `annotated`, each built through its schema."""
    from extractors.entities import actor_rows, mention_rows

    models = models or load_models(settings)
    episode = annotated.episode
    eid = episode.episode_id
    turns = turn_rows(episode, speaker_ids=annotated.speaker_ids)
    sentences = [
        {
            "episode_id": eid, "sentence_id": s.sentence_id, "turn_id": s.turn_id, "speaker": s.speaker,
            "text": s.text, "start_char": s.start_char, "end_char": s.end_char, "start_s": s.start_s,
        }
        for s in annotated.sentences
    ]
    claims, assertions = claim_rows(annotated, settings=settings, models=models)
    episode_rows = [episode_row(episode, settings_hash=settings.output_hash(), n_tokens=annotated.n_tokens,
                                n_sentences=len(annotated.sentences))]
    return {
        "texts": to_frame([{"episode_id": eid, "text": episode.text}], TEXTS),
        "turns": to_frame(turns, TURNS),
        "sentences": to_frame(sentences, SENTENCES),
        "mentions": to_frame(mention_rows(annotated), MENTIONS),
        "actors": to_frame(actor_rows(annotated, catalog=models.catalog), ACTORS),
        "claims": to_frame(claims, CLAIMS),
        "assertions": to_frame(assertions, CLAIMS),
        "episodes": to_frame(episode_rows, EPISODES),
    }


def turn_rows(episode: Episode, *, speaker_ids: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Rows of the `turns` table of `episode` (`speaker_ids` from the entity stage, if it ran)."""
    speaker_ids = speaker_ids or {}
    return [
        {
            "episode_id": episode.episode_id, "turn_id": t.turn_id, "speaker": t.speaker,
            "speaker_id": speaker_ids.get(t.speaker), "role": t.role or episode.roles.get(t.speaker),
            "text": t.text, "start_char": t.start_char, "end_char": t.end_char, "start_s": t.start_s, "end_s": t.end_s,
            "section": t.section, "speaker_label": t.speaker_label,
        }
        for t in episode.turns
    ]


def episode_row(
    episode: Episode, *, settings_hash: str | None = None, n_tokens: int | None = None, n_sentences: int | None = None,
) -> dict[str, Any]:
    """The row of the `episodes` table of `episode`: metadata, counts, warnings, provenance."""
    return {
        "episode_id": episode.episode_id, "title": episode.title, "description": episode.description,
        "date": episode.date, "show": episode.show, "format": episode.format, "source_path": episode.source_path,
        "content_hash": episode.content_hash, "settings_hash": settings_hash, "n_chars": len(episode.text),
        "n_tokens": n_tokens, "n_turns": len(episode.turns), "n_sentences": n_sentences,
        "speakers": episode.speakers, "pipeline_version": PIPELINE_VERSION, "url": episode.url,
        "tags": list(episode.tags), "warnings": list(episode.warnings),
    }


def claim_rows(annotated: AnnotatedEpisode, *, settings: Settings,
               models: Models) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows of the `claims` table (one per claim and topic it bears on, every row with a
    topic and a stance) and of the `assertions` table (one per check-worthy claim that no
    topic reached: `topic` is the nearest topic, `topic_score` its score, stance null)."""
    from extractors import REGISTRY

    decisions = annotated.topic_stances
    nearest = annotated.nearest_topics
    by_claim: dict[str, list[TopicStance]] = {}
    for decision in decisions:
        by_claim.setdefault(decision.claim_id, []).append(decision)
    stance_name = REGISTRY.stance_name(settings)
    provenance = {
        "claim_extractor": REGISTRY.claims_name(),
        "topic_extractor": REGISTRY.topics_name(),
        "stance_extractor": stance_name,
        "spacy_model": _spacy_model_name(models.nlp),
        "encoder_model": f"{models.encoder.name}@{models.encoder.revision}",
        "stance_model": _stance_model(settings),
        "topic_model": _model_stamp(settings.topic_model_file),
        "pipeline_version": PIPELINE_VERSION,
        "content_hash": annotated.episode.content_hash,
    }
    rows: list[dict[str, Any]] = []
    assertions: list[dict[str, Any]] = []
    for claim in annotated.claims:
        base = _claim_base(annotated.episode.episode_id, claim)
        topic_stances = sorted(by_claim.get(claim.claim_id, []), key=lambda d: d.topic)
        if not topic_stances:
            topic, score = nearest.get(claim.claim_id, (None, None))
            assertions.append({**base, **provenance, "topic": topic, "topic_score": score, "stance": None,
                               "stance_score": None})
        for decision in topic_stances:
            rows.append({
                **base, **provenance, "topic": decision.topic, "topic_score": decision.topic_score,
                "stance": decision.stance, "stance_score": decision.stance_score,
            })
    return rows, assertions


def _claim_base(episode_id: str, claim: Claim) -> dict[str, Any]:
    return {
        "episode_id": episode_id, "claim_id": claim.claim_id, "parent_claim_id": claim.parent_claim_id,
        "turn_id": claim.turn_id, "sentence_id": claim.sentence_id, "speaker": claim.speaker,
        "speaker_id": claim.speaker_id, "holder": claim.holder, "holder_id": claim.holder_id,
        "attribution": claim.attribution, "cue": claim.cue, "claim": claim.claim, "sentence": claim.sentence,
        "start_char": claim.start_char, "end_char": claim.end_char,
        "sentence_start_char": claim.sentence_start_char, "sentence_end_char": claim.sentence_end_char,
        "start_s": claim.start_s, "end_s": claim.end_s, "claim_score": claim.claim_score,
        "hedged": claim.hedged, "negated": claim.negated, "predicted": claim.predicted,
        "hoped": claim.hoped, "feared": claim.feared, "asked": claim.asked,
    }


def _spacy_model_name(nlp) -> str:
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')}@{meta.get('version', '0')}"


def _stance_model(settings: Settings) -> str:
    if settings.stance_backend == "nli":
        return f"{settings.nli_model}@{settings.nli_revision or 'main'}"
    return _model_stamp(settings.stance_model_file)


@functools.lru_cache(maxsize=8)
def _model_stamp_cached(path: str, stamp: tuple | None) -> str:
    from extractors.stance import model_stamp

    return model_stamp(path)


def _model_stamp(path: str) -> str:
    """A model file's name and content hash (read once per process per file version)."""
    from whoclaims.models import file_stamp

    return _model_stamp_cached(path, file_stamp(path))


def extract_tables(episode: Episode, *, settings: Settings) -> dict[str, pl.DataFrame]:
    """Annotate and extract one episode into its tables (the deterministic middle)."""
    models = load_models(settings)
    annotated = annotate_and_extract(episode, settings=settings, models=models)
    tables = build_tables(annotated, settings=settings, models=models)
    log.debug("episode %s timings %s", episode.episode_id, annotated.extras.get("timings"))
    return tables


def write(tables: dict[str, pl.DataFrame], *, out: str | Path, episode_id: str, run_key: dict[str, Any]) -> dict[str, int]:
    """Write one episode's tables atomically, then record it as done in the state file."""
    store = Store(Path(out))
    rows = store.write_episode(episode_id, tables)
    store.record_success(episode_id, run_key)
    return rows


def run_key(episode: Episode, settings: Settings) -> dict[str, str]:
    """What must be unchanged for an episode to be skipped: the file, the settings, the
    pipeline's version, and how the file was read (a reader that now finds speakers where
    it found none reprocesses the file, though its bytes are the same)."""
    return {
        "content_hash": episode.content_hash,
        "reading_hash": reading_hash(episode),
        "settings_hash": settings.output_hash(),
        "pipeline_version": PIPELINE_VERSION,
    }


def reading_hash(episode: Episode) -> str:
    """A hash of the episode as read: its text, turns and metadata."""
    reading = {
        "format": episode.format, "title": episode.title, "date": episode.date, "show": episode.show,
        "text": episode.text,
        "turns": [{k: v for k, v in asdict(turn).items() if k != "text"} for turn in episode.turns],
    }
    return hashlib.sha256(json.dumps(reading, sort_keys=True, default=str).encode()).hexdigest()[:16]
