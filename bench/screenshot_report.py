"""Render the HTML report and take screenshots of it with headless Chromium.

Usage (from the repository root):

    # the report of an output folder of `whoclaims run`
    .venv/bin/python bench/screenshot_report.py --data data/processed --out /tmp/wc-shots
    # a small made-up output folder (three episodes, hostile names included)
    .venv/bin/python bench/screenshot_report.py --demo --out /tmp/wc-shots

It writes `report.html` and three PNGs into `--out`: `report-top.png` (index
and cross-episode charts, as a reader first sees it), `report-episode.png`
(the first episode with claims, opened with its transcript) and
`report-comparison.png` (changes, salience, similar claims). Look at them to judge
the layout. Chromium is `/usr/bin/chromium` (Debian: `apt-get install -y
chromium`) or `--chromium PATH`; the report needs no network, and Chromium is
started with networking features off and a throwaway profile.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")


class ScreenshotError(RuntimeError):
    """Chromium did not produce a screenshot."""


def find_chromium() -> str | None:
    """Path of a Chromium binary, or None."""
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def screenshot(
    html_path: Path,
    png_path: Path,
    *,
    fragment: str = "",
    chromium: str | None = None,
    window_size: tuple[int, int] = (1400, 2000),
    timeout_s: float = 120.0,
) -> Path:
    """Screenshot `html_path` (opened at `#fragment`) into `png_path` with headless Chromium."""
    binary = chromium or find_chromium()
    if binary is None:
        raise ScreenshotError("no Chromium found; install it with `apt-get install -y chromium`")
    url = Path(html_path).resolve().as_uri() + (f"#{fragment}" if fragment else "")
    png_path = Path(png_path).resolve()
    png_path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="wc-chromium-") as profile:
        command = [
            binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--hide-scrollbars", "--virtual-time-budget=3000",
            f"--user-data-dir={profile}", f"--screenshot={png_path}",
            f"--window-size={window_size[0]},{window_size[1]}", url,
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
    if not png_path.is_file() or png_path.stat().st_size == 0:
        raise ScreenshotError(f"chromium exited {result.returncode} without a screenshot: {result.stderr[-2000:]}")
    return png_path


def build_demo_store(root: Path):
    """A made-up output folder of three episodes, with a hostile name and `<script>` in the text."""
    from whoclaims.schemas import EPISODE_TABLES, empty, to_frame
    from whoclaims.storage import Store

    store = Store(root)
    people = {
        "Robert Person": "person:robert_person", "Ferenc Laczo": "person:ferenc_laczo",
        "Anne Applebaum": "person:anne_applebaum", "Vladimir Putin": "person:vladimir_putin",
        "Donald Trump": "person:donald_trump", "Timothy Snyder": "person:timothy_snyder",
    }
    episodes = [
        ("person-negotiate", "Shouldn't Ukraine Negotiate with Putin?", "Journal of Democracy", "2025-03-02", [
            ("Ferenc Laczo", "Your article argues that it is dangerous to think that all wars end in negotiation.",
             [("Robert Person", "negotiation", "against")]),
            ("Robert Person", "I argue that, fundamentally, Putin's aims have not changed. He still wants all of Ukraine. "
             "Europe has to carry much more of the burden now.",
             [("Robert Person", "putin_aims", "favor"), ("Robert Person", "putin_aims", "favor"),
              ("Robert Person", "europe_role", "favor")]),
            ("Ferenc Laczo", "Trump has said repeatedly that he will end the war in a day. <script>alert(1)</script>",
             [("Donald Trump", "trump_prospects", "favor")]),
            ("Robert Person", "I doubt that Trump will get a deal; Putin is not interested in one.",
             [("Robert Person", "trump_prospects", "against"), ("Robert Person", "putin_aims", "favor")]),
        ]),
        ("applebaum-europe", "Europe After America", "The Atlantic", "2025-05-14", [
            ("Anne Applebaum", "Europe must build its own defence industry, and fast.",
             [("Anne Applebaum", "europe_role", "favor")]),
            ("Timothy Snyder", "Putin's aims have not moderated at all; he wants Ukraine gone as a nation.",
             [("Timothy Snyder", "putin_aims", "favor")]),
            ("Anne Applebaum", "I think Trump may actually get a ceasefire this summer.",
             [("Anne Applebaum", "trump_prospects", "favor")]),
            ("Robert Person", "Negotiating now would reward aggression.", [("Robert Person", "negotiation", "against")]),
        ]),
        ("person-revisited", "Robert Person, six months later", "Journal of Democracy", "2025-09-20", [
            ("Ferenc Laczo", "Has your view changed?", []),
            ("Robert Person", "Honestly, a negotiated settlement now looks like the least bad option for Kyiv.",
             [("Robert Person", "negotiation", "favor")]),
            ("\u202eRobert Person\u200b", "Fundamentally, Putin's aims have not changed.",
             [("Robert Person", "putin_aims", "favor")]),
        ]),
    ]
    for episode_id, title, show, date, script in episodes:
        text, turns, claims, mentions = "", [], [], []
        for turn_id, (speaker, said, turn_claims) in enumerate(script):
            start = len(text)
            text += said + "\n\n"
            turns.append({"episode_id": episode_id, "turn_id": turn_id, "speaker": speaker, "text": said,
                          "start_char": start, "end_char": start + len(said), "start_s": 40.0 * turn_id})
            sentences, position = [], start
            for piece in said.replace(". ", ".|").replace("? ", "?|").split("|"):
                sentences.append((position, position + len(piece)))
                position += len(piece) + 1
            for k, (holder, topic, stance) in enumerate(turn_claims):
                s_start, s_end = sentences[min(k, len(sentences) - 1)]
                claims.append({
                    "episode_id": episode_id, "claim_id": f"t{turn_id}-c{k}", "turn_id": turn_id, "sentence_id": k,
                    "speaker": speaker, "holder": holder, "holder_id": people[holder], "attribution": "self",
                    "claim": text[s_start:s_end], "sentence": text[s_start:s_end], "start_char": s_start,
                    "end_char": s_end, "sentence_start_char": s_start, "sentence_end_char": s_end, "topic": topic,
                    "topic_score": 0.7, "stance": stance, "stance_score": 0.8,
                })
            for name, actor_id in people.items():
                index = said.find(name.split()[-1])
                if index >= 0:
                    mentions.append({
                        "episode_id": episode_id, "mention_id": len(mentions), "sentence_id": 0, "turn_id": turn_id,
                        "speaker": speaker, "start_char": start + index, "end_char": start + index + len(name),
                        "text": name, "label": "PERSON", "actor_id": actor_id, "canonical_name": name,
                        "source": "ruler",
                    })
        tables = {name: empty(schema) for name, schema in EPISODE_TABLES.items()}
        tables["texts"] = to_frame([{"episode_id": episode_id, "text": text}], EPISODE_TABLES["texts"])
        tables["turns"] = to_frame(turns, EPISODE_TABLES["turns"])
        tables["claims"] = to_frame(claims, EPISODE_TABLES["claims"])
        tables["mentions"] = to_frame(mentions, EPISODE_TABLES["mentions"])
        tables["episodes"] = to_frame([{
            "episode_id": episode_id, "title": title, "show": show, "date": date, "format": "speaker_header",
            "n_chars": len(text), "n_turns": len(turns), "n_sentences": len(claims),
            "speakers": list(dict.fromkeys(t["speaker"] for t in turns)),
        }], EPISODE_TABLES["episodes"])
        store.write_episode(episode_id, tables)
    return store


def first_episode_with_claims(store) -> str | None:
    """The id of the earliest (by the report's order) episode that has claims."""
    from whoclaims.compare import episode_order

    with_claims = set(store.read("claims")["episode_id"].unique().to_list())
    rank = episode_order(store.scan("episodes"))
    ordered = sorted(rank, key=rank.__getitem__)
    return next((e for e in ordered if e in with_claims), None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", type=Path, help="output folder of `whoclaims run`")
    source.add_argument("--demo", action="store_true", help="use a small made-up output folder")
    parser.add_argument("--out", type=Path, required=True, help="folder for report.html and the PNGs")
    parser.add_argument("--chromium", help="Chromium binary (default: found on PATH)")
    parser.add_argument("--similar", action="store_true", help="compute similar claims with the real encoder")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from whoclaims.compare import build_comparison
    from whoclaims.report import write_report
    from whoclaims.settings import Settings
    from whoclaims.storage import Store

    args.out.mkdir(parents=True, exist_ok=True)
    store = build_demo_store(args.out / "demo-processed") if args.demo else Store(args.data)
    comparison = None
    if args.similar or args.demo:
        comparison = build_comparison(store, settings=Settings())
    html_path = write_report(store, args.out / "report.html", comparison=comparison)
    print(f"wrote {html_path} ({html_path.stat().st_size / 1024:.0f} KiB)")
    # "#only=..." shows just those parts, opened, at the top: headless screenshots do not scroll reliably.
    shots = [("report-top.png", ""), ("report-comparison.png", "only=changes,salience,similar")]
    episode_id = first_episode_with_claims(store)
    if episode_id:
        shots.insert(1, ("report-episode.png", f"only=ep-{episode_id}"))
    for name, fragment in shots:
        path = screenshot(html_path, args.out / name, fragment=fragment, chromium=args.chromium)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
