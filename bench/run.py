"""Benchmark: whoclaims end to end against the floor of its two models.

    .venv/bin/python bench/run.py [--speeches DIR] [--sizes 10,50,100] [--out bench/results]

In one run on one machine it
1. measures the floor: the configured spaCy pipeline (`nlp.pipe`, same chunks and
   batch size as the pipeline) and one encoder pass over the resulting sentences
   (same batch size, length-sorted), over the seed and the 100-speech batch;
2. runs `whoclaims run` (the real CLI and flows, cold, in a subprocess) on the seed
   and on batches of 10, 50 and 100 UN speeches, each into a fresh output folder,
   polling the resident memory of the whole process tree;
3. reruns the 100-speech batch unchanged (everything should be skipped);
4. runs the same 100 speeches through the plain-Python pipeline without Prefect
   (read -> extract -> write) to estimate Prefect's share of the time;
and writes the figures as JSON and a short table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "data" / "raw" / "robert-person-negotiate.txt"
SPEECHES = REPO.parent / "shared" / "data" / "ungdc" / "speeches"
UNGDC_CONFIG = REPO / "config" / "ungdc.toml"
WHOCLAIMS = Path(sys.executable).parent / "whoclaims"


def run_monitored(command: list[str], *, env: dict[str, str]) -> dict:
    """Run `command`, polling the RSS of its process tree; returns wall time, peak RSS and exit code."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    root = psutil.Process(process.pid)
    peak_tree = peak_main = 0
    while process.poll() is None:
        try:
            main = root.memory_info().rss
            tree = main + sum(child.memory_info().rss for child in root.children(recursive=True))
            peak_main, peak_tree = max(peak_main, main), max(peak_tree, tree)
        except psutil.Error:
            pass
        time.sleep(0.1)
    stdout, stderr = process.communicate()
    return {
        "seconds": time.perf_counter() - started,
        "peak_rss_main_mb": peak_main / 2**20,
        "peak_rss_tree_mb": peak_tree / 2**20,
        "returncode": process.returncode,
        "stdout_tail": stdout[-1500:],
        "stderr_tail": stderr[-1500:],
    }


def measure_floor(files: list[Path]) -> dict:
    """spaCy over the pipeline's chunks plus one encoder pass over the sentences, as the pipeline batches them."""
    from whoclaims.annotate import split_chunks
    from whoclaims.ingest import read_episode
    from whoclaims.models import load_encoder, load_spacy
    from whoclaims.settings import load_settings

    settings = load_settings()
    clock = time.perf_counter()
    nlp = load_spacy(settings.spacy_model, actors_file=settings.actors_file)
    encoder = load_encoder(settings.encoder_path, batch_size=settings.encoder_batch_size)
    load_s = time.perf_counter() - clock
    texts: list[str] = []
    for path in files:
        episode = read_episode(path)
        for turn in episode.turns:
            texts.extend(turn.text[a:b] for a, b in split_chunks(turn.text, max_chars=settings.max_chunk_chars))
    clock = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=settings.spacy_batch_size))
    spacy_s = time.perf_counter() - clock
    sentences = [sent.text.strip() for doc in docs for sent in doc.sents if sent.text.strip()]
    words = sum(1 for doc in docs for token in doc if not (token.is_punct or token.is_space))
    clock = time.perf_counter()
    encoder.encode(sentences)
    encoder_s = time.perf_counter() - clock
    pieces = encoder.count_word_pieces(sentences)
    return {
        "episodes": len(files),
        "words": words,
        "sentences": len(sentences),
        "word_pieces": pieces,
        "model_load_s": load_s,
        "spacy_s": spacy_s,
        "encoder_s": encoder_s,
        "floor_s": spacy_s + encoder_s,
        "spacy_words_per_s": words / spacy_s if spacy_s else None,
        "encoder_pieces_per_s": pieces / encoder_s if encoder_s else None,
    }


def stage_files(files: list[Path], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for path in files:
        shutil.copy2(path, folder / path.name)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--speeches", type=Path, default=SPEECHES)
    parser.add_argument("--sizes", default="10,50,100")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    args = parser.parse_args()
    if not args.speeches.is_dir():
        sys.exit(f"bench: speeches folder {args.speeches} not found (the shared data sits beside the clone)")
    sizes = [int(s) for s in args.sizes.split(",")]
    speeches = sorted(args.speeches.glob("*.txt"))[: max(sizes)]
    work = Path(tempfile.mkdtemp(prefix="whoclaims-bench-"))
    env = {
        **os.environ,
        "PREFECT_HOME": str(work / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    }
    results: dict = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}}
    results["commit"] = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()

    print("floor: seed ...", flush=True)
    results["floor_seed"] = measure_floor([SEED])
    print(f"floor: {len(speeches)} speeches ...", flush=True)
    results["floor_batch"] = measure_floor(speeches)

    print("whoclaims run: seed (cold) ...", flush=True)
    seed_dir = stage_files([SEED], work / "in-seed")
    results["run_seed"] = run_monitored([str(WHOCLAIMS), "run", str(seed_dir), "--out", str(work / "out-seed")], env=env)

    results["run_sizes"] = {}
    for size in sizes:
        print(f"whoclaims run: {size} speeches ...", flush=True)
        folder = stage_files(speeches[:size], work / f"in-{size}")
        run = run_monitored(
            [str(WHOCLAIMS), "run", str(folder), "--out", str(work / f"out-{size}"), "--config", str(UNGDC_CONFIG)], env=env
        )
        run["seconds_per_episode"] = run["seconds"] / size
        results["run_sizes"][str(size)] = run
    biggest = max(sizes)
    print(f"whoclaims run: {biggest} speeches again, unchanged ...", flush=True)
    results["rerun_unchanged"] = run_monitored(
        [str(WHOCLAIMS), "run", str(work / f"in-{biggest}"), "--out", str(work / f"out-{biggest}"), "--config", str(UNGDC_CONFIG)],
        env=env,
    )
    # Prefect's share: the same 10 speeches, one at a time, through `whoclaims run`
    # (flows, tasks, temporary server) and through the plain pipeline, both cold.
    smallest = min(sizes)
    print(f"Prefect's share: {smallest} speeches with and without Prefect ...", flush=True)
    results["prefect_sequential"] = run_monitored(
        [str(WHOCLAIMS), "run", str(work / f"in-{smallest}"), "--out", str(work / "out-seq"), "--config", str(UNGDC_CONFIG),
         "--concurrency", "1"],
        env=env,
    )
    results["plain_sequential"] = run_monitored(
        [sys.executable, str(REPO / "bench" / "plain_run.py"), str(work / f"in-{smallest}"), str(work / "out-plain"), str(UNGDC_CONFIG)],
        env=env,
    )

    floor = results["floor_batch"]
    full = results["run_sizes"][str(biggest)]
    summary = {
        "words_per_s_end_to_end": floor["words"] / full["seconds"],
        "ratio_to_floor": full["seconds"] / floor["floor_s"],
        "ratio_to_floor_plus_model_load": full["seconds"] / (floor["floor_s"] + results["floor_seed"]["model_load_s"]),
        "seconds_per_episode": {k: v["seconds_per_episode"] for k, v in results["run_sizes"].items()},
        "prefect_share": 1 - results["plain_sequential"]["seconds"] / results["prefect_sequential"]["seconds"],
        "peak_rss_tree_mb": full["peak_rss_tree_mb"],
        "peak_rss_main_mb": full["peak_rss_main_mb"],
        "rerun_unchanged_s": results["rerun_unchanged"]["seconds"],
        "rerun_share": results["rerun_unchanged"]["seconds"] / full["seconds"],
        "seed_cold_s": results["run_seed"]["seconds"],
        "all_runs_ok": all(
            r["returncode"] == 0
            for r in [results["run_seed"], results["rerun_unchanged"], results["plain_sequential"],
                      results["prefect_sequential"], *results["run_sizes"].values()]
        ),
    }
    results["summary"] = summary
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.json").write_text(json.dumps(results, indent=2))
    lines = [
        f"commit {results['commit'][:10]} on {results['machine']['cpus']} CPUs",
        f"floor ({biggest} speeches, {floor['words']} words): spaCy {floor['spacy_s']:.1f} s "
        f"({floor['spacy_words_per_s']:.0f} words/s) + encoder {floor['encoder_s']:.1f} s "
        f"({floor['encoder_pieces_per_s']:.0f} pieces/s) = {floor['floor_s']:.1f} s; model load {results['floor_seed']['model_load_s']:.1f} s",
        f"end to end ({biggest} speeches): {full['seconds']:.1f} s, {summary['words_per_s_end_to_end']:.0f} words/s, "
        f"{summary['ratio_to_floor']:.2f}x floor (target <= 1.5x)",
        "seconds per episode: " + ", ".join(f"{k}: {v:.2f}" for k, v in summary["seconds_per_episode"].items()),
        f"Prefect's share of the time ({smallest} speeches, one at a time): {summary['prefect_share']:.0%} "
        f"(whoclaims run {results['prefect_sequential']['seconds']:.1f} s, plain pipeline {results['plain_sequential']['seconds']:.1f} s)",
        f"peak RSS (process tree): {summary['peak_rss_tree_mb']:.0f} MB (main process {summary['peak_rss_main_mb']:.0f} MB; target < 2560)",
        f"unchanged rerun: {summary['rerun_unchanged_s']:.1f} s = {summary['rerun_share']:.1%} of the first run (target < 5%)",
        f"seed, cold, whoclaims run to tables: {summary['seed_cold_s']:.1f} s (target < 30 s)",
        f"all runs exited 0: {summary['all_runs_ok']}",
    ]
    table = "\n".join(lines)
    (args.out / "bench.txt").write_text(table + "\n")
    print(table)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
