"""Claim-detection and stance figures on the gold files, scored by `whoclaims.evaluate`.

    .venv/bin/python bench/topics_eval.py                          # every gold/*.jsonl, default settings
    .venv/bin/python bench/topics_eval.py gold/robert-person-negotiate.jsonl --dump /tmp/claims.parquet

Runs the per-episode pipeline (`whoclaims.pipeline.extract_tables`: read with the gold
sidecars, annotate, entities, claims, topics and stance) without Prefect, then scores the
`claims` table with the project's evaluator, exactly as `whoclaims evaluate` does.
Measurement only: nothing here is fitted to the gold.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

UNGDC = REPO.parent / "shared" / "data" / "ungdc" / "speeches"


def source_for(episode_id: str) -> Path:
    """The transcript of a gold episode: data/raw/ or the UN speeches folder."""
    raw = REPO / "data" / "raw" / f"{episode_id}.txt"
    return raw if raw.is_file() else UNGDC / f"{episode_id}.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("gold", nargs="*", type=Path)
    parser.add_argument("--config", type=Path, default=None, help="a whoclaims.toml")
    parser.add_argument("--stance-backend", default=None)
    parser.add_argument("--dump", type=Path, help="write the predicted claims table (parquet) here")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    import polars as pl

    from whoclaims.evaluate import evaluate, load_gold
    from whoclaims.pipeline import extract_tables, read
    from whoclaims.settings import load_settings

    settings = load_settings(args.config, stance_backend=args.stance_backend)
    gold_files = args.gold or sorted((REPO / "gold").glob("*.jsonl"))
    claims, golds = [], []
    with tempfile.TemporaryDirectory() as folder:
        for gold_file in gold_files:
            gold = load_gold(gold_file)
            golds.append(gold)
            episode_id = json.loads(gold_file.read_text(encoding="utf-8").splitlines()[0])["episode_id"]
            source = source_for(episode_id)
            copy = Path(folder) / source.name
            shutil.copy(source, copy)
            sidecar = REPO / "gold" / "sidecars" / f"{episode_id}.meta.json"
            if sidecar.is_file():
                shutil.copy(sidecar, Path(folder) / sidecar.name)
            clock = time.perf_counter()
            tables = extract_tables(read(copy, settings=settings, input_root=Path(folder)), settings=settings)
            print(f"{episode_id}: {tables['claims'].height} claim rows in {time.perf_counter() - clock:.1f}s",
                  file=sys.stderr)
            claims.append(tables["claims"])
    predictions = pl.concat(claims, how="vertical_relaxed")
    if args.dump:
        predictions.write_parquet(args.dump)
    for gold in golds:
        episode = gold["episode_id"][0]
        print(f"\n== {episode}")
        print(evaluate(gold, predictions.filter(pl.col("episode_id") == episode)).format_table())
    if len(golds) > 1:
        print("\n== all gold files")
        print(evaluate(pl.concat(golds), predictions).format_table())


if __name__ == "__main__":
    main()
