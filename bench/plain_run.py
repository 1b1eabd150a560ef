"""The per-episode pipeline in plain Python, without Prefect, for the benchmark's Prefect share.

    python bench/plain_run.py INPUT_DIR OUT_DIR [CONFIG]
"""

from __future__ import annotations

import sys
from pathlib import Path

from whoclaims import pipeline
from whoclaims.ingest import IngestError, discover_episodes
from whoclaims.settings import load_settings


def main() -> None:
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    settings = load_settings(sys.argv[3] if len(sys.argv) > 3 else None)
    for path in discover_episodes([source]):
        try:
            episode = pipeline.read(path, settings=settings, input_root=source)
        except IngestError as error:
            print(error, file=sys.stderr)
            continue
        tables = pipeline.extract_tables(episode, settings=settings)
        pipeline.write(tables, out=out, episode_id=episode.episode_id, run_key=pipeline.run_key(episode, settings))


if __name__ == "__main__":
    main()
