"""Train and measure the topic and stance models.

    .venv/bin/python -m whoclaims.training train              # both models -> whoclaims/resources/
    .venv/bin/python -m whoclaims.training evaluate-topics    # CV, leave-one-source-out, leave-one-topic-out, tests
    .venv/bin/python -m whoclaims.training evaluate-stance    # leave-one-source-out, gold tests, IBM test motions

Reads `../shared/data/` (the silver corpus, the IBM claim-stance data) and the gold
files of `gold/` (test sets only). Everything is seeded and deterministic; `make
train` runs the first command. Figures are printed and written as JSON to
`bench/results/`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np

from whoclaims.training.corpus import (
    HELD_OUT_WITH, REPO, SOURCES, episode_folds, excerpt_group, gold_files, load_corpus, load_labels, silver_labels,
)
from whoclaims.training.measure import (
    curve, format_curve, format_sides, found_by_side, operating_point, score_topics,
)

RESULTS = REPO / "bench" / "results"
TEST_SETS = {"seed": ["robert-person-negotiate"]}
# Training sources of conversation (labels written for this project), measured held out too.
CONVERSATION = ("debate", "synthetic")
# The operating point: the best cross-validated F1 with precision at least this (the topic issue's floor).
MIN_PRECISION = 0.50


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _setup(args):
    from whoclaims.pipeline import load_models
    from whoclaims.settings import load_settings

    settings = load_settings(args.config)
    models = load_models(settings)
    return settings, models


def _profiles(models):
    from extractors.topic_model import topic_profiles

    return topic_profiles(models.topics, models.encoder, models.topics.background)


def _corpus(args, settings, topic_ids, *, progress=None):
    """The silver corpus, with the debate and UN speech excerpts unless `--no-debates` /
    `--no-speeches`; and the labels of all of them."""
    import polars as pl

    from whoclaims.training.excerpts import COLLECTIONS

    items = load_corpus(which="silver", settings=settings, topic_ids=topic_ids, refresh=args.refresh,
                        progress=progress)
    labels = silver_labels()
    for which, off in (("debates", args.no_debates), ("speeches", args.no_speeches),
                       ("synthetic", args.no_synthetic)):
        if not off:
            items += load_corpus(which=which, settings=settings, topic_ids=topic_ids, refresh=args.refresh,
                                 progress=progress)
            labels = pl.concat([labels, load_labels([COLLECTIONS[which][0]])])
    return items, labels


def _stance_parts(silver, topics, models, *, written_examples: bool = True):
    from whoclaims.training.stance import STANCE_EXAMPLES, corpus_rows, example_rows, fit_probe, ibm_rows, StanceRows

    ibm, sentiment = ibm_rows("train", nlp=models.nlp, encoder=models.encoder)
    probe = fit_probe(ibm.vectors, sentiment, c=1.0)
    examples = example_rows(topics, nlp=models.nlp, encoder=models.encoder,
                            extra=STANCE_EXAMPLES if written_examples else None)
    extra = StanceRows.concat([ibm, examples])
    return corpus_rows(silver, topics), extra, probe


def train(args) -> None:
    from whoclaims.training.stance import fit_stance_model
    from whoclaims.training.topics import TopicTraining, fit_topic_model

    clock = time.perf_counter()
    settings, models = _setup(args)
    topics = list(models.topics)
    silver, _ = _corpus(args, settings, [t.id for t in topics], progress=_say)
    _say(f"corpus ready in {time.perf_counter() - clock:.0f}s")
    trained_on = "../shared/data/whoclaims_silver (63 episodes)"
    if not args.no_debates:
        trained_on += "; debate excerpts of ../shared/data/clef2019_checkthat_task1 and claimbuster"
    if not args.no_speeches:
        trained_on += "; UN speech excerpts of ../shared/data/ungdc (2014-2021)"
    provenance = {"trained_on": trained_on, "topics": [t.id for t in topics],
                  "episodes": len(silver)}
    stance_provenance = dict(provenance)
    if not args.no_synthetic:
        provenance["trained_on"] += "; fictional podcast episodes (whoclaims/training/synthetic), context stage only"
        stance_provenance["trained_on"] += "; fictional podcast episodes (whoclaims/training/synthetic)"
    folder = Path(args.out or REPO / "whoclaims" / "resources")
    if not args.stance_only:
        config = TopicTraining() if args.threshold is None else TopicTraining(threshold=args.threshold)
        model = fit_topic_model(silver, topics, _profiles(models), config=config, metadata=provenance)
        out = folder / "topic_model.npz"
        model.save(out)
        _say(f"topic model -> {out} ({out.stat().st_size / 1024:.0f} KB) in {time.perf_counter() - clock:.0f}s")
    if not args.topics_only:
        train_rows, extra, probe = _stance_parts(silver, topics, models, written_examples=not args.no_written_examples)
        model = fit_stance_model(train_rows, extra, probe, topics, models.encoder,
                                 calibration_folds=train_rows.sources,
                                 metadata={**stance_provenance,
                                           "also": "IBM claim stance train motions; topic examples"})
        out = folder / "stance_model.npz"
        model.save(out)
        _say(f"stance model -> {out} ({out.stat().st_size / 1024:.0f} KB) in {time.perf_counter() - clock:.0f}s")


def evaluate_topics(args) -> None:
    from whoclaims.training.topics import TopicTraining, cross_validated_probabilities, fit_topic_model
    from whoclaims.training.topics import generic_probabilities

    settings, models = _setup(args)
    topics = list(models.topics)
    topic_ids = [t.id for t in topics]
    profiles = _profiles(models)
    silver, labels = _corpus(args, settings, topic_ids)
    config = TopicTraining()
    results: dict = {"with_debates": not args.no_debates, "with_speeches": not args.no_speeches,
                     "with_synthetic": not args.no_synthetic}

    # Folds over the silver episodes only: the excerpts, when used, are training data in every fold.
    folds = episode_folds([item.view.episode_id for item in silver if item.source in SOURCES], 5, seed=0)
    cv = cross_validated_probabilities(silver, topics, profiles, folds, config=config, progress=_say)
    points = curve(silver, cv, labels, topic_ids)
    chosen = operating_point(points, min_precision=MIN_PRECISION)
    results["cv_by_episode"] = {"curve": points, "operating_point": chosen}
    print("== silver corpus, 5 folds grouped by episode (precision-recall curve)")
    print(format_curve(points))
    print(f"operating point (best F1 with precision >= {MIN_PRECISION}): threshold {chosen['threshold']}, "
          f"P {chosen['precision']:.3f} R {chosen['recall']:.3f} F1 {chosen['f1']:.3f}")
    sides = found_by_side([item for item in silver if item.source in SOURCES], cv, topic_ids, config.threshold)
    results["cv_by_episode"]["found_by_side"] = sides
    print(f"claims with a side kept on their topic at {config.threshold}: {format_sides(sides)}")

    # Leaving the UN out also leaves out the UN speech excerpts (the same genre), unscored.
    by_source = {item.view.episode_id: HELD_OUT_WITH.get(item.source, item.source) for item in silver
                 if HELD_OUT_WITH.get(item.source, item.source) in SOURCES}
    loso = cross_validated_probabilities(silver, topics, profiles, by_source, config=config, progress=_say)
    results["leave_one_source_out"] = {}
    print(f"\n== leave one source out (train on the other two), threshold {config.threshold}")
    for source in SOURCES:
        part = [item for item in silver if item.source == source]
        micro = score_topics(part, loso, labels, topic_ids, config.threshold).micro
        results["leave_one_source_out"][source] = micro.to_dict()
        print(f"{source:8s} P {micro.precision:.3f} R {micro.recall:.3f} F1 {micro.f1:.3f} (support {micro.support})")

    results["leave_one_topic_out"] = {}
    print("\n== leave one topic out (the generic head, trained on the other topics; 5 folds by episode)")
    for k, topic_id in enumerate(topic_ids):
        probabilities = generic_probabilities(silver, topics, profiles, folds, k, config=config)
        topic_points = curve(silver, probabilities, labels, topic_ids, only=[k])
        best = max(topic_points, key=lambda point: point["f1"])
        at = next(point for point in topic_points if point["threshold"] == config.threshold)
        results["leave_one_topic_out"][topic_id] = {"curve": topic_points, "best": best}
        print(f"{topic_id:16s} at {config.threshold}: P {at['precision']:.3f} R {at['recall']:.3f} F1 {at['f1']:.3f};"
              f" best F1 {best['f1']:.3f} at {best['threshold']}")

    extra = [item for item in silver if item.source not in SOURCES]
    if extra:
        print("\n== the excerpts (labels written for this project), trained on the silver corpus only,"
              f" threshold {config.threshold}")
        from_silver = fit_topic_model([item for item in silver if item.source in SOURCES], topics, profiles,
                                      config=config)
        held_out = {item.view.episode_id: from_silver.probabilities(item.view, topics, profiles) for item in extra}
        results["excerpts_from_silver"] = {}
        for source in sorted({item.source for item in extra}):
            report = score_topics([i for i in extra if i.source == source], held_out, labels, topic_ids,
                                  config.threshold)
            results["excerpts_from_silver"][source] = report.to_dict()["detection"]
            micro = report.micro
            print(f"{source:8s} P {micro.precision:.3f} R {micro.recall:.3f} F1 {micro.f1:.3f} "
                  f"(support {micro.support}); " + " ".join(f"{t} {s.f1:.2f}" for t, s in report.topics.items()))

    conversation = [item for item in silver if item.source in CONVERSATION]
    if conversation:
        # The genre the silver corpus lacks, held out: each fold's model is trained as shipped on
        # everything else (the silver corpus, the UN excerpts, the other debates and podcasts).
        print(f"\n== conversation held out (4 folds over the debate excerpts, by debate, and the fictional"
              f" podcasts; trained on everything else), threshold {config.threshold}")
        folds = episode_folds([item.view.episode_id for item in conversation], 4, seed=0, group=excerpt_group)
        held_out = cross_validated_probabilities(silver, topics, profiles, folds, config=config, progress=_say)
        results["conversation_held_out"] = {}
        for source in CONVERSATION:
            part = [item for item in conversation if item.source == source]
            if not part:
                continue
            micro = score_topics(part, held_out, labels, topic_ids, config.threshold).micro
            results["conversation_held_out"][source] = {"at_threshold": micro.to_dict(),
                                                        "curve": curve(part, held_out, labels, topic_ids)}
            sides = found_by_side(part, held_out, topic_ids, config.threshold)
            results["conversation_held_out"][source]["found_by_side"] = sides
            print(f"{source:8s} P {micro.precision:.3f} R {micro.recall:.3f} F1 {micro.f1:.3f} (support {micro.support});"
                  f" kept on their topic: {format_sides(sides)}")

    gold = load_corpus(which="gold", settings=settings, topic_ids=topic_ids)
    gold_labels = load_labels(gold_files())
    model = fit_topic_model(silver, topics, profiles, config=config)
    probabilities = {item.view.episode_id: model.probabilities(item.view, topics, profiles) for item in gold}
    results["test"] = {}
    print(f"\n== test sets (trained on all of the silver corpus), threshold {config.threshold}")
    sets = {"seed": [i for i in gold if i.view.episode_id in TEST_SETS["seed"]],
            "un_2024": [i for i in gold if i.view.episode_id not in TEST_SETS["seed"]]}
    for name, part in sets.items():
        report = score_topics(part, probabilities, gold_labels, topic_ids, config.threshold)
        results["test"][name] = report.to_dict()["detection"]
        micro = report.micro
        print(f"{name:8s} P {micro.precision:.3f} R {micro.recall:.3f} F1 {micro.f1:.3f} (support {micro.support}); "
              + " ".join(f"{t} {s.f1:.2f}" for t, s in report.topics.items()))
    _write(f"topics_eval{_suffix(args)}.json", results)


def evaluate_stance(args) -> None:
    from whoclaims.training.stance import StanceTraining, corpus_rows, fit_stance_model, ibm_rows, side_scores

    settings, models = _setup(args)
    topics = list(models.topics)
    topic_ids = [t.id for t in topics]
    silver, _ = _corpus(args, settings, topic_ids)
    train_rows, extra, probe = _stance_parts(silver, topics, models, written_examples=not args.no_written_examples)
    encoder = models.encoder
    results: dict = {"leave_one_source_out": {}}
    print("== stance given the gold topic, leave one source out (trained on the other two sources, IBM train, "
          "examples)")
    config = StanceTraining()
    unshifted = dataclasses.replace(config, favor_threshold=0.5)
    def without(out: np.ndarray):
        """A model fitted on every training row but those of `out` (calibrated on the rest's sources)."""
        return fit_stance_model(train_rows.subset(~out), extra, probe, topics, encoder,
                                calibration_folds=train_rows.sources[~out], config=unshifted)

    every_label, every_p = [], []
    for source in SOURCES:
        held = train_rows.sources == source
        # Leaving the UN out also leaves out the UN speech excerpts (the same genre).
        out = held | np.isin(train_rows.sources, [s for s, with_ in HELD_OUT_WITH.items() if with_ == source])
        model = without(out)
        test = train_rows.subset(held)
        p = model.favor_probability(model.features(test.queries, test.vectors, encoder))
        every_label.append(test.labels)
        every_p.append(p)
        t = config.favor_threshold
        results["leave_one_source_out"][source] = {
            "core": side_scores(test.labels[test.core], p[test.core], threshold=t),
            "all": side_scores(test.labels, p, threshold=t)}
        _print_scores(f"{source} (core)", results["leave_one_source_out"][source]["core"])
        _print_scores(f"{source} (all)", results["leave_one_source_out"][source]["all"])
    labels, p = np.concatenate(every_label), np.concatenate(every_p)
    core = np.concatenate([train_rows.core[train_rows.sources == s] for s in SOURCES])
    results["leave_one_source_out"]["all_sources"] = {
        "core": side_scores(labels[core], p[core], threshold=config.favor_threshold),
        "all": side_scores(labels, p, threshold=config.favor_threshold)}
    _print_scores("all (core)", results["leave_one_source_out"]["all_sources"]["core"])
    _print_scores("all (all rows)", results["leave_one_source_out"]["all_sources"]["all"])
    print(f"\nthe decision threshold on P(favor), all sources, core rows (shipped: {config.favor_threshold})")
    sweep = []
    for threshold in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55):
        scores = side_scores(labels[core], p[core], threshold=threshold)
        sweep.append({"threshold": threshold, **scores})
        _print_scores(f"  at {threshold:.2f}", scores)
    results["leave_one_source_out"]["threshold_sweep"] = sweep

    # Conversation held out: the fictional podcasts left out (trained on everything else), so that a
    # figure covers the genre of the unseen episodes. (The debate excerpts have no core `against` row.)
    results["conversation_held_out"] = {}
    held = train_rows.sources == "synthetic"
    if held.any():
        model = without(held)
        test = train_rows.subset(held & train_rows.core)
        p = model.favor_probability(model.features(test.queries, test.vectors, encoder))
        results["conversation_held_out"]["synthetic"] = side_scores(test.labels, p, threshold=config.favor_threshold)
        _print_scores("synthetic held out (core)", results["conversation_held_out"]["synthetic"])

    model = fit_stance_model(train_rows, extra, probe, topics, encoder, calibration_folds=train_rows.sources,
                             config=config)
    gold = load_corpus(which="gold", settings=settings, topic_ids=topic_ids)
    gold_rows = corpus_rows(gold, topics)
    results["test"] = {}
    print("\n== test sets (trained on all of the silver corpus), core rows")
    for name, mask in (("seed", gold_rows.episodes == "robert-person-negotiate"),
                       ("un_2024", gold_rows.episodes != "robert-person-negotiate")):
        part = gold_rows.subset(mask & gold_rows.core)
        p = model.favor_probability(model.features(part.queries, part.vectors, encoder))
        results["test"][name] = side_scores(part.labels, p)
        _print_scores(name, results["test"][name])
    ibm_test, _ = ibm_rows("test", nlp=models.nlp, encoder=encoder)
    p = model.favor_probability(model.features(ibm_test.queries, ibm_test.vectors, encoder))
    results["ibm_test"] = side_scores(ibm_test.labels, p)
    _print_scores("IBM test motions", results["ibm_test"])
    _write(f"stance_eval{_suffix(args)}.json", results)


def _print_scores(name: str, scores: dict) -> None:
    print(f"{name:18s} n={scores['n']:4d} against={scores['against']:3d} accuracy {scores['accuracy']:.3f} "
          f"macro-F1 {scores['macro_f1']:.3f} against recall {scores['against_recall']:.3f} "
          f"favor recall {scores['favor_recall']:.3f}")


def _suffix(args) -> str:
    """The results file's suffix naming the training data left out."""
    return "".join(part for part, off in (("_no_written_examples", args.no_written_examples),
                                          ("_no_debates", args.no_debates),
                                          ("_no_speeches", args.no_speeches),
                                          ("_no_synthetic", args.no_synthetic)) if off)


def _write(name: str, results: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / name).write_text(json.dumps(results, indent=2, default=float), encoding="utf-8")
    _say(f"written {RESULTS / name}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m whoclaims.training", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["train", "evaluate-topics", "evaluate-stance"])
    parser.add_argument("--config", default=None, help="a whoclaims.toml")
    parser.add_argument("--out", default=None, help="folder for the model files (default whoclaims/resources)")
    parser.add_argument("--refresh", action="store_true", help="rebuild the cached episode views")
    parser.add_argument("--threshold", type=float, default=None,
                        help="topic threshold stored with the model (default: the operating point evaluate-topics chose)")
    parser.add_argument("--topics-only", action="store_true")
    parser.add_argument("--stance-only", action="store_true")
    parser.add_argument("--no-debates", action="store_true",
                        help="leave out the debate excerpts (labels/debates.jsonl)")
    parser.add_argument("--no-speeches", action="store_true",
                        help="leave out the UN speech excerpts (labels/speeches.jsonl)")
    parser.add_argument("--no-synthetic", action="store_true",
                        help="leave out the fictional podcast episodes (labels/synthetic.jsonl)")
    parser.add_argument("--no-written-examples", action="store_true",
                        help="leave out resources/stance_examples.toml (to measure what it adds)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    np.random.seed(0)
    {"train": train, "evaluate-topics": evaluate_topics, "evaluate-stance": evaluate_stance}[args.command](args)


if __name__ == "__main__":
    main()
