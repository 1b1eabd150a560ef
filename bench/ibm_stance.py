"""Stance accuracy on the IBM Debater claim-stance test topics (never trained on).

    .venv/bin/python bench/ibm_stance.py                        # embed backend (no examples: fallback)
    .venv/bin/python bench/ibm_stance.py --backend nli --nli-model PATH_OR_ID [--nli-revision REV]

Motions (`topicText`) are the propositions, `claims.claimCorrectedText` the claims,
PRO = favor and CON = against; only rows with `split == "test"` are read, and none of
the dataset's other annotations (targets, sentiments) are used. IBM motions have no
labelled examples, so the embed backend runs on its fallback for topics without
examples. Chance is about 50%.

Reports accuracy over all claims (an abstention counts as wrong), and the coverage and
accuracy of the decided ones.
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DATA = REPO.parent / "shared" / "data" / "ibm_claim_stance" / "claim_stance_dataset_v1.unwrapped.csv"


def read_test_rows(path: Path) -> list[dict[str, str]]:
    """(motion, claim, gold stance) rows of the test split."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["split"] == "test"]
    return [{"topic_id": row["topicId"], "motion": row["topicText"], "claim": row["claims.claimCorrectedText"],
             "gold": {"PRO": "favor", "CON": "against"}[row["claims.stance"]]} for row in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--backend", choices=("embed", "nli"), default="embed")
    parser.add_argument("--nli-model", default=None)
    parser.add_argument("--nli-revision", default=None)
    parser.add_argument("--limit", type=int, default=None, help="only the first N claims")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if not args.data.is_file():
        sys.exit(f"{args.data} is absent (the shared data folder lies beside the clone)")

    from extractors.stance import StanceQuery, make_stance_backend
    from whoclaims.models import load_encoder, load_spacy
    from whoclaims.settings import load_settings
    from whoclaims.topics import Topic

    rows = read_test_rows(args.data)[: args.limit]
    settings = load_settings(stance_backend=args.backend, nli_model=args.nli_model, nli_revision=args.nli_revision)
    encoder = load_encoder(settings.encoder_path, batch_size=settings.encoder_batch_size)
    nlp = load_spacy(settings.spacy_model)
    backend = make_stance_backend(settings, encoder=encoder)

    clock = time.perf_counter()
    topics = {row["topic_id"]: Topic(id=f"ibm_{row['topic_id']}", proposition=row["motion"]) for row in rows}
    texts = [row["claim"] for row in rows]
    docs = list(nlp.pipe(texts, batch_size=64))
    vectors = encoder.encode(texts) if args.backend == "embed" else [None] * len(texts)
    queries = [StanceQuery(text=text, topic=topics[row["topic_id"]], vector=vector, span=doc[:])
               for row, text, vector, doc in zip(rows, texts, vectors, docs, strict=True)]
    results = backend.predict(queries)
    elapsed = time.perf_counter() - clock

    outcomes = Counter((row["gold"], result.stance) for row, result in zip(rows, results, strict=True))
    correct = outcomes[("favor", "favor")] + outcomes[("against", "against")]
    decided = sum(n for (_, predicted), n in outcomes.items() if predicted != "none")
    print(f"IBM claim stance, test split: {len(rows)} claims, {len(topics)} motions, backend {backend.name} "
          f"({backend.model_name}), {elapsed:.1f}s")
    print(f"accuracy (abstention = wrong): {correct / len(rows):.3f}")
    print(f"decided: {decided}/{len(rows)} ({decided / len(rows):.1%}), accuracy on decided: "
          f"{correct / max(1, decided):.3f}")
    print(f"gold favor share: {sum(1 for row in rows if row['gold'] == 'favor') / len(rows):.3f}")
    print("outcomes (gold, predicted):", dict(sorted(outcomes.items())))


if __name__ == "__main__":
    main()
