"""Holder accuracy, independent of topic, on the silver corpus and the gold files (issue 15).

    .venv/bin/python bench/holders_eval.py                    # dev and test parts, seed and gold/
    .venv/bin/python bench/holders_eval.py --part dev --errors reported   # while developing: dev only
    .venv/bin/python bench/holders_eval.py --check-split      # recompute the test list's rule
    .venv/bin/python bench/holders_eval.py --full             # through topics and stance too (slower)
    .venv/bin/python bench/holders_eval.py --part none --no-gold --written synthetic --errors reported
                                                              # the data written for training (dev material)

Runs the per-episode pipeline without Prefect over `../shared/data/whoclaims_silver/episodes`
(read with their `.meta.json` sidecars, exactly as `whoclaims run` reads a folder: a UN
speech's sidecar names its delegation as `default_speaker`) and over the transcripts of
`gold/*.jsonl` (with `gold/sidecars`), then scores holders with
`whoclaims.evaluate.score_holders`, as `whoclaims evaluate` does: every core gold row whose
sentence the pipeline found as a claim (the `claims` or the `assertions` table, whatever the
topic), holder names compared through the actors file (aliases of one actor agree).

By default only the claims stage runs after the parse: every claim goes to `claims` or to
`assertions`, and topics and stance never change a holder, so the holder figures are the
same as through the whole pipeline (`--full` runs it, to check). Parses are cached under
bench/results/parse-cache/ keyed by the text, the spaCy model and the actors file.

The silver corpus is split once, before any holder rule was written, into a test part
(`bench/holders_test_episodes.txt`, 23 episodes, never inspected for errors while
developing) and a dev part (the other 40). `--errors` prints the wrong rows of the dev part
only. Measurement only: nothing here is fitted to the labels.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import pickle
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SILVER = REPO.parent / "shared" / "data" / "whoclaims_silver"
UNGDC = REPO.parent / "shared" / "data" / "ungdc" / "speeches"
TEST_LIST = REPO / "bench" / "holders_test_episodes.txt"
CACHE = REPO / "bench" / "results" / "parse-cache"
SEED = "robert-person-negotiate"
SOURCES = {"unga-": "UN", "wh-": "White House", "kremlin-": "Kremlin"}
SPLIT_SALT = "whoclaims-holders-split:"


def source_of(episode_id: str) -> str:
    return next((name for prefix, name in SOURCES.items() if episode_id.startswith(prefix)), "gold")


def stratum_of(episode_id: str) -> str:
    """The split's strata: UN, Kremlin, White House articles, briefings and gaggles, other White House."""
    for prefix in ("wh-article", "wh-briefing", "wh-gaggle"):
        if episode_id.startswith(prefix):
            return "wh-briefing" if prefix == "wh-gaggle" else prefix
    return "wh-other" if episode_id.startswith("wh-") else source_of(episode_id)


def split_rule(episode_ids: list[str]) -> list[str]:
    """The test episodes by the rule written in `bench/holders_test_episodes.txt`."""
    strata: dict[str, list[str]] = defaultdict(list)
    for episode_id in episode_ids:
        strata[stratum_of(episode_id)].append(episode_id)
    test = []
    for members in strata.values():
        members.sort(key=lambda e: hashlib.sha256((SPLIT_SALT + e).encode()).hexdigest())
        test += members[::3]
    return sorted(test)


def test_episodes() -> set[str]:
    lines = TEST_LIST.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


class CachedParser:
    """`nlp` whose `pipe` reads parses from a disk cache (what `whoclaims.annotate.annotate` calls)."""

    def __init__(self, nlp, key: str) -> None:
        self.nlp = nlp
        self.folder = CACHE / key
        self.folder.mkdir(parents=True, exist_ok=True)

    def pipe(self, texts, batch_size: int = 64):
        from spacy.tokens import Doc

        texts = list(texts)
        paths = [self.folder / (hashlib.sha256(text.encode()).hexdigest()[:32] + ".spacy") for text in texts]
        missing = [i for i, path in enumerate(paths) if not path.is_file()]
        parsed = dict(zip(missing, self.nlp.pipe([texts[i] for i in missing], batch_size=batch_size)))
        for i, path in enumerate(paths):
            if i in parsed:
                doc = parsed[i]
                tmp = path.with_suffix(".tmp")
                tmp.write_bytes(doc.to_bytes())
                os.replace(tmp, path)
                yield doc
            else:
                yield Doc(self.nlp.vocab).from_bytes(path.read_bytes())


def claims_frame(episode, settings, models, *, full: bool):
    """Claims and assertions rows of one episode (only the columns holder scoring reads, plus context)."""
    import polars as pl

    if full:
        from whoclaims.pipeline import annotate_and_extract, build_tables

        annotated = annotate_and_extract(episode, settings=settings, models=models)
        tables = build_tables(annotated, settings=settings, models=models)
        return pl.concat([tables["claims"], tables["assertions"]], how="vertical_relaxed").select(
            "episode_id", "sentence", "speaker", "holder", "attribution", "cue", "parent_claim_id").unique(
            ["episode_id", "sentence", "holder", "parent_claim_id"], maintain_order=True)
    from extractors.claims import extract_claims
    from extractors.entities import extract_mentions
    from whoclaims.annotate import annotate

    key = hashlib.sha256(f"{settings.spacy_model}|{models.catalog.digest}".encode()).hexdigest()[:16]
    annotated = annotate(episode, CachedParser(models.nlp, key), max_chunk_chars=settings.max_chunk_chars,
                         batch_size=settings.spacy_batch_size)
    annotated.mentions = extract_mentions(annotated, catalog=models.catalog, coreference=settings.coreference)
    claims = extract_claims(annotated, detector=models.detector, settings=settings, catalog=models.catalog)
    rows = [{"episode_id": episode.episode_id, "sentence": c.sentence, "speaker": c.speaker, "holder": c.holder,
             "attribution": c.attribution, "cue": c.cue, "parent_claim_id": c.parent_claim_id} for c in claims]
    schema = {"episode_id": pl.String, "sentence": pl.String, "speaker": pl.String, "holder": pl.String,
              "attribution": pl.String, "cue": pl.String, "parent_claim_id": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row")


def gold_source(episode_id: str) -> Path:
    raw = REPO / "data" / "raw" / f"{episode_id}.txt"
    return raw if raw.is_file() else UNGDC / f"{episode_id}.txt"


def read_episode(path: Path, sidecar: Path | None, settings, folder: Path, *, force_inline: bool = False):
    """Read `path` as `whoclaims run` would, with `sidecar` beside it (copied into `folder` when elsewhere).

    `force_inline` reads it as `whoclaims run --format inline` would, falling back to detection when
    the file has no label that format accepts.
    """
    import dataclasses
    import shutil

    from whoclaims.ingest import IngestError
    from whoclaims.pipeline import read

    if force_inline:
        try:
            return read(path, settings=dataclasses.replace(settings, force_format="inline"), input_root=path.parent)
        except IngestError:
            pass
    if sidecar is None or sidecar.parent == path.parent:
        return read(path, settings=settings, input_root=path.parent)
    shutil.copy(path, folder / path.name)
    shutil.copy(sidecar, folder / sidecar.name)
    return read(folder / path.name, settings=settings, input_root=folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=("dev", "test", "all", "none"), default="all",
                        help="which silver part to run (default: both, reported separately; none: gold files only)")
    parser.add_argument("--no-gold", action="store_true", help="skip the seed and gold/ files")
    parser.add_argument("--episodes", nargs="*", help="only these silver episode ids (dev ones only with --errors)")
    parser.add_argument("--errors", choices=("reported", "own", "all"), help="print wrong rows (dev part only)")
    parser.add_argument("--written", nargs="*", choices=("debates", "speeches", "synthetic"), default=[],
                        help="also score the labelled data written for training (whoclaims/training/labels): "
                             "dev material, its errors printed with --errors")
    parser.add_argument("--full", action="store_true", help="run topics and stance too (same holder figures)")
    parser.add_argument("--exact-names", action="store_true", help="compare names without the actors file")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument("--dump", type=Path, help="write the holder outcomes of the scored rows (parquet)")
    parser.add_argument("--check-split", action="store_true", help="recompute the split rule and compare")
    parser.add_argument("--config", type=Path, default=None, help="a whoclaims.toml")
    parser.add_argument("--force-inline", action="store_true",
                        help="read the White House and Kremlin files as `--format inline` (see README: ingest)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    silver_ids = sorted(p.name[: -len(".txt")] for p in (SILVER / "episodes").glob("*.txt"))
    test = test_episodes()
    if args.check_split:
        computed = split_rule(silver_ids)
        print("split rule reproduces the committed list" if set(computed) == test else
              f"MISMATCH: rule gives {sorted(set(computed) ^ test)} differently")
        sys.exit(0 if set(computed) == test else 1)
    if args.errors and args.part not in ("dev", "none"):
        parser.error("--errors shows the dev part (and --written data) only: add --part dev or --part none "
                     "(the test part stays untouched)")

    import polars as pl

    from whoclaims.actors import load_actor_catalog
    from whoclaims.evaluate import HolderScore, catalog_canonical, load_gold, score_holders
    from whoclaims.pipeline import load_models
    from whoclaims.settings import load_settings

    settings = load_settings(args.config)
    models = load_models(settings)
    canonical = None if args.exact_names else catalog_canonical(load_actor_catalog(settings.actors_file))

    labels = load_gold(SILVER / "labels.jsonl")
    wanted = [e for e in silver_ids if args.part == "all" or (args.part != "none" and (e in test) == (args.part == "test"))]
    if args.episodes:
        wanted = [e for e in wanted if e in set(args.episodes)]
    jobs: list[tuple[str, Path, Path | None, object]] = []  # (part, transcript, sidecar, gold frame)
    for episode_id in wanted:
        sidecar = SILVER / "episodes" / f"{episode_id}.meta.json"
        jobs.append(("test" if episode_id in test else "dev", SILVER / "episodes" / f"{episode_id}.txt",
                     sidecar if sidecar.is_file() else None, labels.filter(pl.col("episode_id") == episode_id)))
    if not args.no_gold and not args.episodes:
        for gold_file in sorted((REPO / "gold").glob("*.jsonl")):
            gold = load_gold(gold_file)
            episode_id = gold["episode_id"][0]
            sidecar = REPO / "gold" / "sidecars" / f"{episode_id}.meta.json"
            jobs.append(("seed" if episode_id == SEED else "gold", gold_source(episode_id),
                         sidecar if sidecar.is_file() else None, gold))

    if args.written:
        from whoclaims.training.corpus import CACHE as VIEWS
        from whoclaims.training.excerpts import COLLECTIONS

        for which in args.written:
            labels_file, write = COLLECTIONS[which]
            written = load_gold(labels_file)
            for path in write(VIEWS / which):
                sidecar = path.with_name(f"{path.stem}.meta.json")
                jobs.append((which, path, sidecar if sidecar.is_file() else None,
                             written.filter(pl.col("episode_id") == path.stem)))

    import tempfile

    scores: dict[tuple[str, str], HolderScore] = defaultdict(HolderScore)
    outcomes = []
    clock = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        for part, path, sidecar, gold in jobs:
            inline = args.force_inline and part in {"dev", "test"} and source_of(path.stem) != "UN"
            episode = read_episode(path, sidecar, settings, Path(folder), force_inline=inline)
            predicted = claims_frame(episode, settings, models, full=args.full)
            score, rows = score_holders(gold, [predicted], canonical=canonical, searched="claims+assertions")
            source = source_of(episode.episode_id) if part in {"dev", "test"} else part
            scores[(part, source)] += score
            outcomes.append(rows.with_columns(pl.lit(part).alias("part")))
            print(f"{episode.episode_id}: own {score.own.correct}/{score.own.total} reported "
                  f"{score.reported.correct}/{score.reported.total}", file=sys.stderr)
    print(f"({time.perf_counter() - clock:.0f}s)", file=sys.stderr)
    outcomes = pl.concat(outcomes)

    def fmt(score) -> str:
        return "-" if not score.total else f"{score.correct}/{score.total} = {score.accuracy:.2f}"

    table = []
    for part in ("dev", "test", "seed", "gold", *args.written):
        keys = [key for key in scores if key[0] == part]
        if not keys:
            continue
        for key in sorted(keys, key=lambda k: list(SOURCES.values()).index(k[1]) if k[1] in SOURCES.values() else 9):
            table.append((part, key[1], scores[key]))
        if part in {"dev", "test"} and len(keys) > 1:
            table.append((part, "all", sum((scores[k] for k in keys), HolderScore())))
    if any(p in {"dev", "test"} for p, _ in scores) and {"dev", "test"} <= {p for p, _ in scores}:
        table.append(("silver", "all", sum((s for (p, _), s in scores.items() if p in {"dev", "test"}),
                                           HolderScore())))
    print(f"\n{'part':<7} {'source':<12} {'own views':>18} {'reported views':>18} {'not found':>10} {'via nested':>10}")
    for part, source, score in table:
        print(f"{part:<7} {source:<12} {fmt(score.own):>18} {fmt(score.reported):>18} {score.not_found:>10d}"
              f" {score.right_via_nested:>10d}")
    # Strict reading: the main row's holder only, no credit for a nested row.
    found = outcomes.filter(pl.col("found") & pl.col("reported"))
    key = (lambda name: name) if canonical is None else canonical
    from whoclaims.evaluate import normalize_name

    strict = found.with_columns(pl.struct("gold_holder", "predicted_holder").map_elements(
        lambda r: normalize_name(key(r["gold_holder"])) == normalize_name(key(r["predicted_holder"] or "")),
        return_dtype=pl.Boolean).alias("main_right"))
    for part in ("dev", "test"):
        rows = strict.filter(pl.col("part") == part)
        if rows.height:
            print(f"{part:<7} reported views, main row only (no credit for nested rows): "
                  f"{rows['main_right'].sum()}/{rows.height} = {rows['main_right'].mean():.2f}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([{"part": p, "source": s, **score.to_dict()} for p, s, score in table],
                                        indent=2), encoding="utf-8")
    if args.dump:
        args.dump.parent.mkdir(parents=True, exist_ok=True)
        outcomes.filter(pl.col("part") != "test").write_parquet(args.dump)
    if args.errors:
        wrong = outcomes.filter(pl.col("found") & ~pl.col("correct") & pl.col("part").is_in(["dev", *args.written]))
        if args.errors != "all":
            wrong = wrong.filter(pl.col("reported") == (args.errors == "reported"))
        for row in wrong.iter_rows(named=True):
            nested = f" nested {row['nested_holders']}" if row["nested_holders"] else ""
            print(f"\n[{row['episode_id']}] speaker {row['speaker']!r} gold {row['gold_holder']!r} "
                  f"predicted {row['predicted_holder']!r}{nested}\n  {row['gold_sentence']}")


if __name__ == "__main__":
    main()
