"""Per-type precision, recall and F1 of entity mentions on the seed gold, before and after the actor ruler.

    .venv/bin/python bench/entities_report.py [--gold gold/entities/robert-person-negotiate.jsonl]

"before": the bare spaCy model's entities (no ruler, no fixer, no dash infixes,
no speaker names), linked to actors by catalog lookup of their text.
"after": the pipeline as `whoclaims.models.load_spacy` builds it, through
`extractors.entities.extract_mentions` (coreference mentions are not scored:
the gold has names only).

Matching: same label and same span, after dropping a leading "the" and a
trailing possessive from both sides ("the United States" = "United States").
Actor accuracy: of the gold mentions with an actor id, the share whose span is
found with that same actor id (whatever the label).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "gold" / "entities" / "robert-person-negotiate.jsonl"
SEED = ROOT / "data" / "raw" / "robert-person-negotiate.txt"
GOLD_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP")

_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$")


@dataclass(frozen=True, slots=True)
class Span:
    """A scored entity: episode offsets after normalisation, label and actor id."""

    start_char: int
    end_char: int
    label: str
    actor_id: str | None


class GoldError(ValueError):
    """A gold entry cannot be placed in the episode text."""


def normalise_span(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) of `text[start:end]` without a leading "the " and a trailing possessive."""
    piece = text[start:end]
    leading = _LEADING_THE.match(piece)
    if leading:
        start += leading.end()
    trailing = _POSSESSIVE.search(text[start:end])
    if trailing:
        end = start + trailing.start()
    return start, end


def _find_all(pattern: str, text: str) -> list[re.Match]:
    return list(re.finditer(pattern, text))


def locate_gold(episode_text: str, rows: Iterable[dict]) -> list[Span]:
    """Place gold rows (sentence, text, occurrence, label, actor_id) in the episode text.

    The sentence is searched with any run of whitespace matching any other, so
    line-break and ingest differences do not matter; `sentence_occurrence`
    (default 0) picks among repeated sentences.
    """
    spans = []
    for number, row in enumerate(rows, 1):
        words = row["sentence"].split()
        found = _find_all(r"\s+".join(map(re.escape, words)), episode_text)
        index = row.get("sentence_occurrence", 0)
        if index >= len(found):
            raise GoldError(f"gold row {number}: sentence not found: {row['sentence'][:60]!r}")
        sentence = found[index]
        pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, row["text"].split())) + r"(?!\w)"
        hits = _find_all(pattern, episode_text[sentence.start() : sentence.end()])
        if row.get("occurrence", 0) >= len(hits):
            raise GoldError(f"gold row {number}: {row['text']!r} occurrence {row.get('occurrence', 0)} not in sentence")
        hit = hits[row.get("occurrence", 0)]
        start, end = normalise_span(episode_text, sentence.start() + hit.start(), sentence.start() + hit.end())
        spans.append(Span(start, end, row["label"], row.get("actor_id")))
    return spans


def load_gold(path: Path, episode_text: str) -> list[Span]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return locate_gold(episode_text, rows)


def score(predicted: Iterable[Span], gold: Iterable[Span]) -> dict[str, dict[str, float]]:
    """Per-label and micro precision/recall/F1, plus actor accuracy, of `predicted` against `gold`."""
    predicted = [span for span in predicted if span.label in GOLD_LABELS]
    gold = list(gold)
    by_span = {(span.start_char, span.end_char): span for span in predicted}
    pred_keys = Counter((s.start_char, s.end_char, s.label) for s in predicted)
    gold_keys = Counter((s.start_char, s.end_char, s.label) for s in gold)
    true = pred_keys & gold_keys
    table: dict[str, dict[str, float]] = {}
    for label in (*GOLD_LABELS, "ALL"):
        def count(counter: Counter) -> int:
            return sum(n for key, n in counter.items() if label == "ALL" or key[2] == label)

        tp, n_pred, n_gold = count(true), count(pred_keys), count(gold_keys)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        table[label] = {"precision": precision, "recall": recall, "f1": f1, "gold": n_gold, "predicted": n_pred}
    linked = [span for span in gold if span.actor_id]
    correct = sum(
        1 for span in linked
        if (found := by_span.get((span.start_char, span.end_char))) is not None and found.actor_id == span.actor_id
    )
    table["ACTOR"] = {"accuracy": correct / len(linked) if linked else 0.0, "gold": len(linked)}
    return table


def _annotated_seed(nlp):
    from whoclaims.annotate import annotate
    from whoclaims.ingest import read_episode

    return annotate(read_episode(SEED), nlp)


def before_spans(model: str, catalog) -> tuple[str, list[Span]]:
    """The bare model's entities on the seed turns, linked by catalog lookup."""
    import spacy

    annotated = _annotated_seed(spacy.load(model))
    text = annotated.episode.text
    spans = []
    for segment in annotated.segments:
        for ent in segment.doc.ents:
            start, end = normalise_span(text, segment.offset + ent.start_char, segment.offset + ent.end_char)
            actor = catalog.lookup(ent.text)
            spans.append(Span(start, end, ent.label_, actor.actor_id if actor else None))
    return text, spans


def after_spans(model: str, actors_file: str, catalog) -> tuple[str, list[Span]]:
    """The full entities extractor's name mentions on the seed turns."""
    from extractors.entities import extract_mentions
    from whoclaims.models import load_spacy

    annotated = _annotated_seed(load_spacy(model, actors_file=actors_file))
    text = annotated.episode.text
    spans = []
    for mention in extract_mentions(annotated, catalog=catalog, coreference=False):
        start, end = normalise_span(text, mention.start_char, mention.end_char)
        spans.append(Span(start, end, mention.label, mention.actor_id))
    return text, spans


def format_table(name: str, table: dict[str, dict[str, float]]) -> str:
    lines = [f"{name:<7} {'type':<7} {'P':>6} {'R':>6} {'F1':>6} {'gold':>5} {'pred':>5}"]
    for label in (*GOLD_LABELS, "ALL"):
        row = table[label]
        lines.append(f"{'':<7} {label:<7} {row['precision']:6.3f} {row['recall']:6.3f} {row['f1']:6.3f} "
                     f"{row['gold']:5d} {row['predicted']:5d}")
    actor = table["ACTOR"]
    lines.append(f"{'':<7} actor accuracy {actor['accuracy']:.3f} over {actor['gold']} linked gold mentions")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from whoclaims.actors import load_actor_catalog
    from whoclaims.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--model", default=Settings().spacy_model)
    parser.add_argument("--actors", default=Settings().actors_file)
    args = parser.parse_args(argv)
    catalog = load_actor_catalog(args.actors)
    for name, (text, spans) in (
        ("before", before_spans(args.model, catalog)),
        ("after", after_spans(args.model, args.actors, catalog)),
    ):
        print(format_table(name, score(spans, load_gold(args.gold, text))))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
