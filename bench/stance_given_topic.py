"""Stance on every core gold row, with the gold topic given: stance alone, without topic misses.

    .venv/bin/python bench/stance_given_topic.py            # every gold/*.jsonl
    .venv/bin/python bench/stance_given_topic.py -v         # and list the disagreements

`whoclaims evaluate` scores stance only on the pairs whose topic the pipeline found, so a
missed topic hides its stance. Here each episode is parsed and its claims extracted as in
the pipeline (`whoclaims.pipeline.annotate_and_extract`); each core gold row is matched to
the claim on its sentence (the one held by the gold holder, if several), and the stance
backend of the settings decides it toward the gold topic. The queries of one episode go
to the backend in one batch, as in the pipeline (a holder's claims are read together).
Measurement only: nothing here is fitted to the gold.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.topics_eval import source_for  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("gold", nargs="*", type=Path)
    parser.add_argument("--config", type=Path, default=None, help="a whoclaims.toml")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the rows where the stance differs")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    import numpy as np

    from extractors.stance import make_stance_backend
    from extractors.topics import stance_query
    from whoclaims.evaluate import load_gold, normalize_text, stance_f1_by_label
    from whoclaims.pipeline import annotate_and_extract, load_models, read
    from whoclaims.settings import load_settings

    settings = load_settings(args.config)
    models = load_models(settings)
    topics = {topic.id: topic for topic in models.topics}
    backend = make_stance_backend(settings, encoder=models.encoder)
    gold_files = args.gold or sorted((REPO / "gold").glob("*.jsonl"))
    every: list[tuple[str, str]] = []
    for gold_file in gold_files:
        gold = load_gold(gold_file).filter(core=True)
        episode_id = json.loads(gold_file.read_text(encoding="utf-8").splitlines()[0])["episode_id"]
        source = source_for(episode_id)
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / source.name
            shutil.copy(source, copy)
            sidecar = REPO / "gold" / "sidecars" / f"{episode_id}.meta.json"
            if sidecar.is_file():
                shutil.copy(sidecar, Path(folder) / sidecar.name)
            annotated = annotate_and_extract(read(copy, settings=settings, input_root=Path(folder)),
                                             settings=settings, models=models)
        queries, rows, unmatched = [], [], 0
        for row in gold.iter_rows(named=True):
            wanted = normalize_text(row["sentence"])
            candidates = [claim for claim in annotated.claims
                          if normalize_text(claim.sentence) in wanted or wanted in normalize_text(claim.sentence)]
            if not candidates or row["topic"] not in topics:
                unmatched += 1
                continue
            claim = next((c for c in candidates if (c.holder or "") == row["holder"]), candidates[0])
            queries.append(stance_query(claim, topics[row["topic"]], catalog=models.catalog))
            rows.append((row, claim))
        pairs = []
        for (row, claim), result in zip(rows, backend.predict(queries), strict=True):
            pairs.append((str(row["stance"]), result.stance))
            if args.verbose and pairs[-1][0] != pairs[-1][1]:
                print(f"   {row['topic']}: gold {pairs[-1][0]}, predicted {result.stance} "
                      f"{np.round(result.probabilities, 2).tolist()}  {claim.claim[:100]}")
        print(_line(episode_id, pairs, unmatched, stance_f1_by_label))
        every.extend(pairs)
    if len(gold_files) > 1:
        print(_line("all gold files", every, 0, stance_f1_by_label))


def _line(name: str, pairs: list[tuple[str, str]], unmatched: int, f1_by_label) -> str:
    if not pairs:
        return f"{name}: no core rows matched a claim"
    accuracy = sum(gold == predicted for gold, predicted in pairs) / len(pairs)
    by_label = f1_by_label(pairs)
    macro = sum(by_label.values()) / len(by_label)
    labels = ", ".join(f"{label} {value:.2f}" for label, value in sorted(by_label.items()))
    missing = f"; {unmatched} core rows without a claim" if unmatched else ""
    return f"{name}: n={len(pairs)} accuracy {accuracy:.3f} macro-F1 {macro:.3f} ({labels}){missing}"


if __name__ == "__main__":
    main()
