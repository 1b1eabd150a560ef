"""Benchmark: extraction cost against episode length (one long turn).

    .venv/bin/python bench/length.py [--sizes 10000,50000,200000] [--out bench/results] [--profile N]

Builds plain-text episodes of the given word counts from the UN General Debate
speeches in ../shared/data (paragraphs kept, read as one turn of one named
speaker: the worst case for per-turn look-backs), and for each size runs
read -> extract_tables in a fresh subprocess with the models loaded and warmed
first, so the time is extraction alone. Reports seconds per 1,000 words and the
subprocess's peak resident memory, and the ratio of the slowest to the fastest
rate (linear cost: within 1.3). Writes bench/results/length.json and length.txt.

`--profile N` instead profiles one episode of N words with cProfile and prints
the top functions by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SPEECHES = REPO.parent / "shared" / "data" / "ungdc" / "speeches"
LIMIT_RATIO = 1.3
LIMIT_PEAK_MB = 2.5 * 1024


def build_text(words: int, *, speeches: Path = SPEECHES, reverse: bool = False) -> str:
    """Paragraphs of the UN speeches (in file-name order, or the reverse; cycling if needed) up to `words` words."""
    files = sorted(speeches.glob("*.txt"), reverse=reverse)
    if not files:
        raise SystemExit(f"no speeches in {speeches}")
    paragraphs: list[str] = []
    count = 0
    while count < words:
        for path in files:
            for paragraph in path.read_text(encoding="utf-8").split("\n\n"):
                paragraph = " ".join(paragraph.replace("*", "").split())
                if not paragraph:
                    continue
                taken = paragraph.split()[: words - count]
                paragraphs.append(" ".join(taken))
                count += len(taken)
                if count >= words:
                    return "\n\n".join(paragraphs) + "\n"
    return "\n\n".join(paragraphs) + "\n"


def measure_one(words: int) -> dict:
    """Extraction time and peak memory of one episode of `words` words (run in its own process)."""
    from whoclaims import pipeline
    from whoclaims.settings import Settings

    settings = Settings(default_speaker="Delegate")
    with tempfile.TemporaryDirectory() as folder:
        warm = Path(folder) / "warm.txt"
        # Other speeches than the timed ones, long enough to hold claims on topics, so that every
        # part loaded on first use (the topic and stance models, the topics' statements) is
        # loaded before the clock starts: a per-process cost, not a per-word one.
        warm.write_text(build_text(10_000, reverse=True), encoding="utf-8")
        pipeline.extract_tables(pipeline.read(warm, settings=settings), settings=settings)
        path = Path(folder) / f"episode-{words}.txt"
        path.write_text(build_text(words), encoding="utf-8")
        episode = pipeline.read(path, settings=settings)
        started, cpu_started = time.perf_counter(), time.process_time()
        tables = pipeline.extract_tables(episode, settings=settings)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "words": words,
        "turns": len(episode.turns),
        "sentences": tables["sentences"].height,
        "claims": tables["claims"].height,
        "seconds": round(seconds, 2),
        "s_per_1000_words": round(seconds / words * 1000, 4),
        # CPU seconds of the process (all its threads): less disturbed than wall time by other
        # work on a shared machine, which is what the rates are compared for.
        "cpu_seconds": round(cpu_seconds, 2),
        "cpu_s_per_1000_words": round(cpu_seconds / words * 1000, 4),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def profile_one(words: int, top: int = 30) -> None:
    import cProfile
    import pstats

    from whoclaims import pipeline
    from whoclaims.settings import Settings

    settings = Settings(default_speaker="Delegate")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"episode-{words}.txt"
        path.write_text(build_text(words), encoding="utf-8")
        episode = pipeline.read(path, settings=settings)
        pipeline.load_models(settings)
        profiler = cProfile.Profile()
        profiler.enable()
        pipeline.extract_tables(episode, settings=settings)
        profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000,200000")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    parser.add_argument("--profile", type=int, default=0, help="profile one episode of this many words")
    parser.add_argument("--one", type=int, default=0, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one)))
        return
    if args.profile:
        profile_one(args.profile)
        return

    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    results = []
    for words in (int(size) for size in args.sizes.split(",")):
        done = subprocess.run([sys.executable, __file__, "--one", str(words)], env=env, capture_output=True,
                              text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"{words} words failed:\n{done.stderr[-3000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        results.append(result)
        print(f"{words:>8} words: {result['seconds']:8.1f} s, {result['s_per_1000_words']:.3f} s per 1,000 words "
              f"(CPU {result['cpu_s_per_1000_words']:.3f}), peak RSS {result['peak_rss_mb']:.0f} MB", flush=True)
    rates = [result["s_per_1000_words"] for result in results]
    ratio = max(rates) / min(rates)
    cpu_rates = [result["cpu_s_per_1000_words"] for result in results]
    cpu_ratio = max(cpu_rates) / min(cpu_rates)
    peak = max(result["peak_rss_mb"] for result in results)
    summary = {
        "results": results, "rate_ratio": round(ratio, 3), "cpu_rate_ratio": round(cpu_ratio, 3),
        "rate_ratio_limit": LIMIT_RATIO,
        "linear": ratio <= LIMIT_RATIO, "peak_rss_mb": peak, "peak_rss_limit_mb": LIMIT_PEAK_MB,
        "memory_ok": peak <= LIMIT_PEAK_MB, "cpus": os.cpu_count(),
    }
    lines = [f"{r['words']:>8} words  {r['seconds']:8.1f} s  {r['s_per_1000_words']:.3f} s/1k words  "
             f"CPU {r['cpu_s_per_1000_words']:.3f} s/1k words  peak RSS {r['peak_rss_mb']:.0f} MB" for r in results]
    lines.append(f"slowest/fastest rate {ratio:.2f}, in CPU time {cpu_ratio:.2f} (limit {LIMIT_RATIO}): "
                 f"{'linear' if summary['linear'] else 'NOT LINEAR'}; "
                 f"peak RSS {peak:.0f} MB (limit {LIMIT_PEAK_MB:.0f}): {'ok' if summary['memory_ok'] else 'OVER'}")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "length.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    (args.out / "length.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(lines[-1])


if __name__ == "__main__":
    main()
