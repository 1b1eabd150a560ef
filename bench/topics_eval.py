"""Topic and stance figures on the gold files, with whatever pipeline stages exist.

    .venv/bin/python bench/topics_eval.py                 # every gold/*.jsonl
    .venv/bin/python bench/topics_eval.py --sentences     # every sentence as a candidate claim

Runs read -> annotate -> entities -> claims -> assign_topics per gold episode and scores
with `whoclaims.evaluate` when it exists, else with the ANNOTATION.md rules re-implemented
here (measurement only: nothing is fitted to the gold).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from whoclaims.records import AnnotatedEpisode, Claim  # noqa: E402
from whoclaims.settings import load_settings  # noqa: E402

UNGDC = REPO.parent / "shared" / "data" / "ungdc" / "speeches"


def source_for(episode_id: str) -> Path:
    raw = REPO / "data" / "raw" / f"{episode_id}.txt"
    return raw if raw.is_file() else UNGDC / f"{episode_id}.txt"


def sentence_claims(annotated: AnnotatedEpisode) -> list[Claim]:
    """Every non-question sentence of five or more words as a self-held claim (development fallback)."""
    claims = []
    for sentence in annotated.sentences:
        if len(sentence.span) < 5 or sentence.text.rstrip().endswith("?"):
            continue
        claims.append(Claim(
            claim_id=f"s{sentence.sentence_id}", turn_id=sentence.turn_id, sentence_id=sentence.sentence_id,
            speaker=sentence.speaker, speaker_id=None, holder=sentence.speaker, holder_id=None,
            attribution="self", cue=None, claim=sentence.text, start_char=sentence.start_char,
            end_char=sentence.end_char, sentence=sentence.text, sentence_start_char=sentence.start_char,
            sentence_end_char=sentence.end_char, start_s=None, end_s=None, claim_score=1.0, span=sentence.span,
        ))
    return claims


def _simple_episode(path: Path):
    """A fallback reader while ingest is not there: 'Name' lines start turns; else one speaker."""
    from whoclaims.records import Episode, Turn

    text = path.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    names = {line.strip() for line in lines if re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", line.strip())}
    turns, speaker, buffer, out = [], path.stem.split("_")[0], [], ""
    def flush():
        nonlocal out
        body = "\n".join(buffer).strip()
        if body:
            start = len(out)
            out += body + "\n\n"
            turns.append(Turn(turn_id=len(turns), speaker=speaker, role=None, text=body, start_char=start,
                              end_char=start + len(body)))
    for line in lines:
        if line.strip() in names:
            flush()
            speaker, buffer = line.strip(), []
        else:
            buffer.append(line)
    flush()
    return Episode(episode_id=path.stem, source_path=str(path), format="plain", text=out, turns=tuple(turns),
                   content_hash="dev")


def run_episode(path: Path, settings, *, use_sentences: bool):
    from extractors.topics import assign_topics
    from whoclaims.annotate import annotate
    from whoclaims.models import load_encoder, load_spacy
    from whoclaims.topics import load_topics

    try:
        from whoclaims.pipeline import load_models, read

        episode = read(path, settings=settings, input_root=path.parent)
        models = load_models(settings)
        nlp, encoder, topics = models.nlp, models.encoder, models.topics
    except ImportError as error:
        logging.warning("falling back to the simple reader and no entities: %s", error)
        episode, models = _simple_episode(path), None
        nlp, encoder = load_spacy(settings.spacy_model), load_encoder(settings.encoder_path)
        topics = load_topics(settings.topics_file)
    annotated = annotate(episode, nlp, max_chunk_chars=settings.max_chunk_chars,
                         batch_size=settings.spacy_batch_size)
    if models is not None:
        from extractors.entities import extract_mentions

        annotated.mentions = extract_mentions(annotated, catalog=models.catalog, coreference=settings.coreference)
    if use_sentences or models is None:
        claims = sentence_claims(annotated)
    else:
        from extractors.claims import extract_claims

        claims = extract_claims(annotated, detector=models.detector, settings=settings)
    annotated.claims = claims
    clock = time.perf_counter()
    decisions = assign_topics(annotated, claims, encoder=encoder, topics=topics, settings=settings)
    elapsed = time.perf_counter() - clock
    by_id = {claim.claim_id: claim for claim in claims}
    rows = [{
        "episode_id": episode.episode_id, "sentence": by_id[d.claim_id].sentence, "topic": d.topic,
        "stance": d.stance, "holder": by_id[d.claim_id].holder, "speaker": by_id[d.claim_id].speaker,
        "topic_score": d.topic_score, "stance_score": d.stance_score,
    } for d in decisions]
    return rows, elapsed


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _overlap(a: str, b: str) -> bool:
    a, b = _norm(a), _norm(b)
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if short in long:
        return True
    # longest common substring, for partial sentence matches
    best = 0
    previous = [0] * (len(long) + 1)
    for i in range(1, len(short) + 1):
        current = [0] * (len(long) + 1)
        for j in range(1, len(long) + 1):
            if short[i - 1] == long[j - 1]:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best * 2 >= len(short)


def score(predictions: list[dict], gold: list[dict]) -> dict:
    """ANNOTATION.md scoring: claim P/R/F1 per topic and micro; stance accuracy and macro-F1."""
    topics = sorted({g["topic"] for g in gold} | {p["topic"] for p in predictions})
    counts = {t: {"tp": 0, "fp": 0, "fn": 0} for t in topics}
    matched_gold: set[int] = set()
    stance_pairs = []
    for p in predictions:
        hits = [i for i, g in enumerate(gold) if g["topic"] == p["topic"] and g["episode_id"] == p["episode_id"]
                and _overlap(g["sentence"], p["sentence"])]
        core = [i for i in hits if gold[i]["core"]]
        if core:
            counts[p["topic"]]["tp"] += 1
            if core[0] not in matched_gold:
                stance_pairs.append((gold[core[0]]["stance"], p["stance"]))
            matched_gold.update(core)
        elif hits:
            continue
        else:
            counts[p["topic"]]["fp"] += 1
    for i, g in enumerate(gold):
        if g["core"] and i not in matched_gold:
            counts[g["topic"]]["fn"] += 1
    report = {}
    for topic, c in counts.items():
        report[topic] = _prf(c["tp"], c["fp"], c["fn"])
    total = {k: sum(c[k] for c in counts.values()) for k in ("tp", "fp", "fn")}
    report["micro"] = _prf(total["tp"], total["fp"], total["fn"])
    labels = sorted({g for g, _ in stance_pairs})
    f1s = []
    for label in labels:
        tp = sum(1 for g, p in stance_pairs if g == p == label)
        fp = sum(1 for g, p in stance_pairs if p == label and g != label)
        fn = sum(1 for g, p in stance_pairs if g == label and p != label)
        f1s.append(_prf(tp, fp, fn)["f1"])
    report["stance"] = {
        "n": len(stance_pairs),
        "accuracy": round(sum(g == p for g, p in stance_pairs) / max(1, len(stance_pairs)), 3),
        "macro_f1": round(sum(f1s) / max(1, len(f1s)), 3),
        "labels": labels,
    }
    return report


def _prf(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"p": round(precision, 3), "r": round(recall, 3), "f1": round(f1, 3), "tp": tp, "fp": fp, "fn": fn}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("gold", nargs="*", type=Path)
    parser.add_argument("--sentences", action="store_true", help="every sentence as a candidate claim")
    parser.add_argument("--dump", type=Path, help="write predictions as JSON Lines here")
    parser.add_argument("--stance-backend", default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    settings = load_settings(stance_backend=args.stance_backend)
    gold_files = args.gold or sorted((REPO / "gold").glob("*.jsonl"))
    dump = []
    for gold_file in gold_files:
        gold = [json.loads(line) for line in gold_file.read_text(encoding="utf-8").splitlines() if line.strip()]
        episode_id = gold[0]["episode_id"]
        path = source_for(episode_id)
        file_settings = settings.replace(default_speaker=None)
        predictions, elapsed = run_episode(path, file_settings, use_sentences=args.sentences)
        dump.extend(predictions)
        report = score(predictions, gold)
        print(f"\n== {episode_id} ({len(predictions)} predictions, assign_topics {elapsed:.2f}s)")
        for key, value in report.items():
            print(f"  {key:16s} {value}")
    if args.dump:
        args.dump.write_text("".join(json.dumps(row) + "\n" for row in dump), encoding="utf-8")


if __name__ == "__main__":
    main()
