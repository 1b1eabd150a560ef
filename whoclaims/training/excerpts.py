"""Excerpts of other transcripts in `../shared/data`, labelled for this project, for training.

**Debates** (`write_excerpts`, episode ids `debate-...`). The silver corpus has no
conversational source from US politics: its White House transcripts are briefings by
officials, its other sources speeches and Kremlin events. `../shared/data` holds two
collections of such transcripts, one sentence a row with the speaker: CLEF-2019
CheckThat! (2015-2019 debates, press conferences, a 60 Minutes interview) and
ClaimBuster's 2019-2020 Democratic primary debates. Both discuss Russia, Putin, Ukraine,
NATO and Europe, often as near-topic talk, which is what an unseen episode mostly holds.
They become episodes in the silver corpus's form ("Name: text" paragraphs with a
`.meta.json`): every turn that names Russia, Ukraine, NATO, Europe and the like, with one
turn either side; a long turn (a speech) keeps only the sentences within three of such a
sentence.

**UN speeches** (`write_speech_excerpts`, episode ids `ungdc-<year>-<delegation>`): General
Debate statements of the years the silver corpus does not hold (see below), cut to the
paragraphs naming the same actors, with a paragraph either side. Russia's, Ukraine's and
Belarus's statements of 2015-2020 speak of Crimea, the Donbas and the Minsk agreements,
which the silver corpus has only from the Kremlin.

The selection is by those names only, never by labels, and is deterministic, so the
labels in `labels/` (written for these excerpts by readers who saw only ANNOTATION.md,
the topics file and three reference episodes; `labels/README.md`) stay aligned.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

from whoclaims.training.corpus import SHARED_DATA, UNGDC, CorpusError

CLEF = SHARED_DATA / "clef2019_checkthat_task1"
DEBATES_2020 = SHARED_DATA / "claimbuster" / "debates_2020.csv"
LABELS = Path(__file__).resolve().parent / "labels" / "debates.jsonl"
SPEECH_LABELS = Path(__file__).resolve().parent / "labels" / "speeches.jsonl"
SYNTHETIC = Path(__file__).resolve().parent / "synthetic"
SYNTHETIC_LABELS = Path(__file__).resolve().parent / "labels" / "synthetic.jsonl"

MENTIONS = re.compile(r"\b(Putin|Russia|Russian|Russians|Ukraine|Ukrainian|Ukrainians|NATO|Kremlin|Crimea|"
                      r"Zelensky|Zelenskyy|Moscow|Donbas|Donbass|Europe|European|Europeans|Minsk)\b")
LONG_TURN = 15  # sentences; a longer turn is a speech, cut to the sentences near a mention
NEAR = 3

# The CLEF files label speakers by surname in capitals.
CLEF_SPEAKERS = {
    "TRUMP": "Donald Trump", "CLINTON": "Hillary Clinton", "SANDERS": "Bernie Sanders", "RUBIO": "Marco Rubio",
    "CRUZ": "Ted Cruz", "KASICH": "John Kasich", "KAINE": "Tim Kaine", "QUESTION": "Reporter",
    "PENCE": "Mike Pence", "BLITZER": "Wolf Blitzer", "WALLACE": "Chris Wallace", "RADDATZ": "Martha Raddatz",
    "O'MALLEY": "Martin O'Malley", "LESLEY STAHL": "Lesley Stahl", "MUIR": "David Muir",
    "QUIJANO": "Elaine Quijano", "HOLT": "Lester Holt", "TAPPER": "Jake Tapper", "CARSON": "Ben Carson",
    "TODD": "Chuck Todd", "BASH": "Dana Bash", "KELLY": "Megyn Kelly", "MEGYN": "Megyn Kelly",
    "BUSH": "Jeb Bush", "COOPER": "Anderson Cooper", "CHRISTIE": "Chris Christie", "PAUL": "Rand Paul",
    "MADDOW": "Rachel Maddow", "BAIER": "Bret Baier", "PELOSI": "Nancy Pelosi", "HEWITT": "Hugh Hewitt",
    "SCHUMER": "Chuck Schumer", "LOUIS": "Errol Louis", "DINAN": "Stephen Dinan",
}
DROPPED = {"SYSTEM", "AUDIENCE", "UNIDENTIFIED MALE"}


def _turns(rows: list[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    turns: list[tuple[str, list[str]]] = []
    for speaker, sentence in rows:
        if turns and turns[-1][0] == speaker:
            turns[-1][1].append(sentence)
        else:
            turns.append((speaker, [sentence]))
    return turns


def _around_mentions(texts: list[str], within: int) -> list[int]:
    """Indices of the texts naming the war's actors and of those within `within` of one, in order."""
    keep: set[int] = set()
    for i, text in enumerate(texts):
        if MENTIONS.search(text):
            keep.update(range(i - within, i + within + 1))
    return [i for i in range(len(texts)) if i in keep]


def excerpt(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (speaker, paragraph) turns kept of one transcript's (speaker, sentence) rows."""
    turns = _turns(rows)
    out = []
    for i in _around_mentions([" ".join(sentences) for _, sentences in turns], 1):
        speaker, sentences = turns[i]
        if len(sentences) > LONG_TURN:
            sentences = [sentences[j] for j in _around_mentions(sentences, NEAR)] or sentences[:NEAR]
        out.append((speaker, " ".join(s.strip() for s in sentences if s.strip())))
    return out


def _clef() -> Iterator[tuple[str, dict, list[tuple[str, str]]]]:
    for path in sorted(CLEF.glob("*/*.tsv")):
        rows = []
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) < 3:
                continue
            label = re.sub(r"^\(APPLAUSE\)\s*", "", parts[1].strip())
            if label in DROPPED:
                continue
            rows.append((CLEF_SPEAKERS.get(label, label.title()), parts[2]))
        stamp = path.stem.split("_")[0]
        date = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:]}" if stamp[4:6] <= "12" else f"{stamp[:4]}-{stamp[6:]}-{stamp[4:6]}"
        meta = {"title": path.stem.replace("_", " "), "date": date, "show": "CLEF-2019 CheckThat!",
                "source": f"clef2019_checkthat_task1/{path.parent.name}/{path.name}"}
        yield f"debate-{path.stem.replace('_', '-').lower()}", meta, rows


def _primaries() -> Iterator[tuple[str, dict, list[tuple[str, str]]]]:
    by_title: dict[str, list[tuple[int, str, str, str]]] = {}
    with DEBATES_2020.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            speaker = f"{row['first_name']} {row['last_name']}".strip()
            by_title.setdefault(row["title"], []).append((int(row["id"]), speaker, row["text"], row["time"]))
    # The file repeats one debate's sentences under another's title (the 10th debate's inside
    # the first's second night): a long sentence said under two titles stays with the shorter one.
    size = {title: len(rows) for title, rows in by_title.items()}
    home: dict[tuple[str, str], str] = {}
    for title, rows in by_title.items():
        for _, speaker, text, _ in rows:
            key = (speaker, text)
            if len(text.split()) >= 8 and (key not in home or size[title] < size[home[key]]):
                home[key] = title
    for title, rows in sorted(by_title.items()):
        rows = sorted(row for row in rows if home.get((row[1], row[2]), title) == title)
        number = re.match(r"(\d+)", title).group(1)
        part = re.search(r"\(([AB])\)", title)
        episode_id = f"debate-2020-dem-{int(number):02d}{part.group(1).lower() if part else ''}"
        meta = {"title": title, "date": rows[0][3], "show": "2020 Democratic primary debates (ClaimBuster)",
                "source": f"claimbuster/debates_2020.csv: {title}"}
        yield episode_id, meta, [(speaker, text) for _, speaker, text, _ in rows]


def write_excerpts(folder: Path) -> list[Path]:
    """Write every excerpt that keeps a turn as `<id>.txt` with `<id>.meta.json`; the texts."""
    for source in (CLEF, DEBATES_2020):
        if not source.exists():
            raise CorpusError(f"{source}: not there (expected ../shared/data beside the repository)")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for episode_id, meta, rows in [*_clef(), *_primaries()]:
        turns = excerpt(rows)
        if not any(MENTIONS.search(text) for _, text in turns):
            continue
        meta = {**meta, "description": "excerpt: the turns naming Russia, Ukraine, NATO or Europe and their "
                                       "neighbours"}
        text = "\n\n".join(f"{speaker}: {text}" for speaker, text in turns)
        written.append(_write_episode(folder, episode_id, text, meta))
    return written


def _write_episode(folder: Path, episode_id: str, text: str, meta: dict) -> Path:
    """`<id>.txt` and its `<id>.meta.json` sidecar in `folder`; the text's path."""
    path = folder / f"{episode_id}.txt"
    path.write_text(text + "\n", encoding="utf-8")
    (folder / f"{episode_id}.meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return path


# **UN speeches** (`write_speech_excerpts`, episode ids `ungdc-<year>-<delegation>`): General
# Debate statements of 2014-2021 by Russia, Ukraine and Belarus, and of 2014, 2015, 2016, 2018,
# 2019 and 2021 by the other ten delegations of `../shared/data/ungdc`, cut to the paragraphs
# naming Russia, Ukraine, NATO or Europe with a paragraph either side. The silver corpus's UN
# speeches and every 2024 speech (the UN 2024 gold files are test sets) are never taken.
DELEGATIONS = {"BLR": "Belarus", "DEU": "Germany", "EST": "Estonia", "EU": "European Union", "FIN": "Finland",
               "FRA": "France", "GBR": "United Kingdom", "LTU": "Lithuania", "LVA": "Latvia", "POL": "Poland",
               "RUS": "Russia", "UKR": "Ukraine", "USA": "United States"}
EVERY_YEAR = ("RUS", "UKR", "BLR")
YEARS = ("2014", "2015", "2016", "2017", "2018", "2019", "2020", "2021")
OTHER_YEARS = ("2014", "2015", "2016", "2018", "2019", "2021")
SILVER_EPISODES = SHARED_DATA / "whoclaims_silver" / "episodes"


def speech_paragraphs(text: str) -> list[str]:
    """The paragraphs kept of one speech: those naming the war's actors, one either side."""
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    return [paragraphs[i] for i in _around_mentions(paragraphs, 1)]


def write_speech_excerpts(folder: Path) -> list[Path]:
    """Write the UN speech excerpts as `<id>.txt` with `<id>.meta.json` (the delegation as the
    default speaker, as the silver corpus's UN speeches have it); the texts."""
    if not UNGDC.is_dir():
        raise CorpusError(f"{UNGDC}: not there (expected ../shared/data beside the repository)")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(UNGDC.glob("*.txt")):
        code, _, year = path.stem.split("_")
        if code not in DELEGATIONS or year not in (YEARS if code in EVERY_YEAR else OTHER_YEARS):
            continue
        if (SILVER_EPISODES / f"unga-{year}-{code.lower()}.txt").exists():
            continue
        paragraphs = speech_paragraphs(path.read_text(encoding="utf-8"))
        if not paragraphs:
            continue
        episode_id = f"ungdc-{year}-{code.lower()}"
        meta = {"title": f"UN General Debate {year}: {DELEGATIONS[code]}", "date": year,
                "show": "UN General Debate", "default_speaker": DELEGATIONS[code],
                "source": f"ungdc/speeches/{path.name}",
                "description": "excerpt: the paragraphs naming Russia, Ukraine, NATO or Europe and their neighbours"}
        written.append(_write_episode(folder, episode_id, "\n".join(paragraphs), meta))
    return written


def synthetic_episodes(folder: Path | None = None) -> list[Path]:
    """The fictional podcast episodes written for training (`synthetic/`, shipped in the
    repository: they are not in `../shared`); `folder` is not written to."""
    return sorted(SYNTHETIC.glob("synth-*.txt"))


# Each collection: its labels and what gives its episodes' texts (written into a cache folder).
COLLECTIONS = {"debates": (LABELS, write_excerpts), "speeches": (SPEECH_LABELS, write_speech_excerpts),
               "synthetic": (SYNTHETIC_LABELS, synthetic_episodes)}


def _main() -> None:
    import sys

    which = write_speech_excerpts if sys.argv[1:2] == ["speeches"] else write_excerpts
    for path in which(Path(sys.argv[-1])):
        text = path.read_text(encoding="utf-8")
        print(f"{path.name}\t{len(text.split())} words")


if __name__ == "__main__":
    _main()
