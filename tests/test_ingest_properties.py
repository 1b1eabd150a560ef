"""Property tests of whoclaims.ingest: no crash but `IngestError`, and offsets that always cut out the turn text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from whoclaims.ingest import IngestError, detect_format, read_episode
from whoclaims.ingest.decode import normalise_text
from whoclaims.ingest.errors import TranscriptError
from whoclaims.ingest.formats import parse_transcript
from whoclaims.ingest.names import normalise_speaker
from whoclaims.ingest.reader import build_episode
from whoclaims.records import Episode
from whoclaims.schemas import FORMATS

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FILE_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NAMES = st.sampled_from(["John Smith", "ROBERT PERSON", "Host", "host", "SPEAKER_00", "Speaker 1", "Q", "Note", "Dr. Jane Doe"])
TIMES = st.sampled_from(["00:01", "1:02:03", "00:00:01.500", "99:99", "12:34,5"])
SPECIAL_LINES = st.sampled_from([
    "", " ", "WEBVTT", "NOTE a note", "00:00:01.000 --> 00:00:02.000", "00:00:01,000 --> 00:00:02,000 X1:0",
    "1", "[Music]", "(inaudible)", "<v Jane>Hi</v>", "<i>tagged</i> &amp;", "Thank you.", "Robert Person",
    "{", "[", "]", "}", '{"segments": [', '{"text": "hi", "speaker": "A"}', "\ufeff", "\u202e", "\x0c",
    "---", "title: A", "# Heading", "## Part", "**Jane Doe:** hi", "**Jane Doe** *00:01:02*", "> quoted",
    "- speaker: A", "  text: hi", "<p><b>Ann:</b> hi</p>", "<html><body>", "</p>", "Q    a question",
    "Q: why?", "     MS. LEE:  words", "THE PRESIDENT:  yes", "END", "         END       2:55 P.M. EST",
    "2:15 P.M. EST", "(Laughter.)", "[(00:01:02)](https://x.org/?t=62) more", "Ann Lee [(00:00:05)](https://x) hi",
    "    Senator Roe. Thank you.", "(01:05:00) continued", "Name 01:02:03 text", "[00:00:05.20] - Speaker 2",
])
LINES = st.one_of(
    SPECIAL_LINES,
    st.text(max_size=40),
    st.builds(lambda name, text: f"{name}: {text}", NAMES, st.text(max_size=20)),
    st.builds(lambda name, time, text: f"{name} ({time}): {text}", NAMES, TIMES, st.text(max_size=20)),
    st.builds(lambda time, name, text: f"[{time}] {name}: {text}", TIMES, NAMES, st.text(max_size=20)),
)
LINE_TRANSCRIPTS = st.builds(
    lambda lines, newline: newline.join(lines),
    st.lists(LINES, max_size=25),
    st.sampled_from(["\n", "\r\n", "\r", "\n\n"]),
)
CUE_TEXT = st.one_of(
    st.text(max_size=30),
    st.builds(lambda name, text: f"<v {name}>{text}", NAMES, st.text(max_size=20)),
    st.builds(lambda name, text: f"{name}: {text}", NAMES, st.text(max_size=20)),
)
VTT = st.builds(
    lambda cues: "WEBVTT\n\n" + "".join(
        f"{index}\n00:00:{index % 60:02d}.000 --> 00:00:{(index + 1) % 60:02d}.500 align:start\n{text}\n\n"
        for index, text in enumerate(cues)
    ),
    st.lists(CUE_TEXT, max_size=12),
)
SRT = st.builds(
    lambda cues: "".join(
        f"{index + 1}\n00:00:{index % 60:02d},000 --> 00:00:{(index + 1) % 60:02d},500\n{text}\n\n"
        for index, text in enumerate(cues)
    ),
    st.lists(CUE_TEXT, max_size=12),
)
JSON = st.builds(
    json.dumps,
    st.lists(
        st.fixed_dictionaries(
            {"text": st.text(max_size=30)},
            optional={
                "speaker": st.one_of(NAMES, st.text(max_size=10), st.none()),
                "start": st.one_of(st.floats(min_value=0, max_value=1e6), st.none()),
                "end": st.floats(min_value=0, max_value=1e6),
            },
        ),
        max_size=10,
    ),
)
TRANSCRIPTS = st.one_of(LINE_TRANSCRIPTS, VTT, SRT, JSON)


def assert_offsets(episode: Episode) -> None:
    """Every turn's text is its slice of the episode text."""
    for index, turn in enumerate(episode.turns):
        assert turn.turn_id == index
        assert turn.text
        assert episode.text[turn.start_char:turn.end_char] == turn.text
    assert episode.text == "\n\n".join(turn.text for turn in episode.turns)


@SETTINGS
@given(text=st.one_of(TRANSCRIPTS, st.text()), fmt=st.sampled_from(FORMATS))
def test_parsers_raise_only_ingest_errors_and_place_every_turn(text, fmt):
    text = normalise_text(text)
    try:
        parsed = parse_transcript(text, format=fmt, default_speaker="Unknown", source="prop.txt")
    except IngestError as error:
        assert str(error).startswith("prop.txt: ")
        event(f"{fmt}: IngestError")
        return
    event(f"{fmt}: parsed")
    assert parsed.format == fmt
    for turn in parsed.turns:
        assert turn.speaker and turn.speaker == " ".join(turn.speaker.split())
    try:
        episode = build_episode(parsed, episode_id="prop", source_path="prop.txt", content_hash="0" * 64)
    except TranscriptError as error:
        assert str(error) == "no speech found"
        assert not any(turn.text.strip() for turn in parsed.turns)
        return
    assert_offsets(episode)


@SETTINGS
@given(text=st.one_of(TRANSCRIPTS, st.text()), suffix=st.sampled_from(
    ["", ".txt", ".md", ".vtt", ".srt", ".json", "TXT", ".yaml", ".html"]))
def test_detect_format_always_names_a_known_format(text, suffix):
    assert detect_format(normalise_text(text), suffix=suffix) in FORMATS


@SETTINGS
@given(text=st.text())
def test_normalised_text_splits_only_on_newline(text):
    normalised = normalise_text(text)
    assert normalise_text(normalised) == normalised
    # One line-splitting rule: `split("\n")` and `splitlines()` agree on normalised text.
    assert normalised.split("\n") == (normalised + "\n").splitlines()


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16-le":
        return b"\xff\xfe" + text.encode("utf-16-le", errors="surrogatepass")
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8", errors="surrogatepass")
    return text.encode(encoding, errors="replace")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ingest-properties")


@FILE_SETTINGS
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.builds(_encode, TRANSCRIPTS, st.sampled_from(["utf-8", "utf-8-sig", "utf-16-le", "cp1252"])),
    ),
    suffix=st.sampled_from([".txt", ".vtt", ".srt", ".json", ".md", ".yaml", ".html"]),
)
def test_read_episode_raises_only_ingest_errors_and_places_every_turn(folder, data, suffix):
    path = folder / f"episode{suffix}"
    path.write_bytes(data)
    try:
        episode = read_episode(path)
    except IngestError as error:
        assert str(error).startswith(f"{path}: ")
        assert "\n" not in str(error)
        event("IngestError")
        return
    event(f"read as {episode.format}")
    assert episode.format in FORMATS
    assert_offsets(episode)


# ---------------------------------------------------------------- no speech lost, in every shape
# A conversation is rendered in one of the shapes people download, parsed back, and every
# character of the spoken words must come back exactly once, in order, with the speakers.
SPOKEN_WORDS = st.sampled_from([
    "the", "war", "will", "end", "soon", "Ukraine", "talks", "Note:", "Example:", "NATO", "--", "it's",
    "“quoted”", "e.g.", "50%", "$5", "Putin's", "first,", "hello.", "why?", "yes!", "a-b", "x/y", "[sic]",
    "#1", "&", "<", "O'Brien", "naïve", "Київ", "at 10:30am", "x*y", "(laughs)", "(Laughter.)",
])
STARTERS = st.sampled_from(["we", "they", "i", "so", "and", "well,", "but", "yes,", "no,", "honestly"])
PARAGRAPHS = st.lists(
    st.builds(lambda first, rest: " ".join([first, *rest]), STARTERS, st.lists(SPOKEN_WORDS, max_size=25)),
    min_size=1, max_size=3,
)
PEOPLE = {"Ann Lee": "ANN LEE", "Bob Ray": "MS. RAY", "Dr. Jane Doe": "THE PRESIDENT", "Omar Haddad": "Q"}
CONVERSATIONS = st.lists(st.tuples(st.sampled_from(sorted(PEOPLE)), PARAGRAPHS), min_size=2, max_size=7)


def _stamp(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _markdown(turns) -> str:
    out = ["---", "title: A test", "source: https://example.org/t", "---", "", "# A test", ""]
    second = 0
    for index, (speaker, paragraphs) in enumerate(turns):
        if index % 3 == 2:
            out += [f"## Part {index}", ""]
        for position, paragraph in enumerate(paragraphs):
            second += 7
            words = [f"[{word}](https://example.org/{n})" if n % 5 == 1 and word.isalpha() else
                     f"**{word}**" if n % 7 == 3 and word.isalpha() else word
                     for n, word in enumerate(paragraph.split())]
            link = f"[({_stamp(second)})](https://video.example.org/?t={second})"
            out += [(f"{speaker} {link} " if position == 0 else f"{link} ") + " ".join(words), ""]
    return "\n".join(out)


def _press(turns) -> str:
    import textwrap

    out = ["THE WHITE HOUSE", "Office of the Press Secretary", "", "East Room", "", "2:15 P.M. EST", ""]
    for speaker, paragraphs in turns:
        label = PEOPLE[speaker]
        for position, paragraph in enumerate(paragraphs):
            head = (f"{label}    " if label == "Q" else f"{label}:  ") if position == 0 else ""
            out += textwrap.wrap(head + paragraph, width=72, initial_indent="     ") + [""]
    return "\n".join([*out, "                 END          2:55 P.M. EST", ""])


def _html(turns) -> str:
    import html

    body = []
    for speaker, paragraphs in turns:
        body.append(f"<p><strong>{html.escape(speaker)}:</strong> {html.escape(paragraphs[0])}</p>")
        body += [f"<p>{html.escape(paragraph)}</p>" for paragraph in paragraphs[1:]]
    return ("<!DOCTYPE html><html><head><title>T</title><script>x = 1</script></head><body><nav><a>Home</a></nav>"
            f"<main>{''.join(body)}</main><footer>Footer</footer></body></html>")


def _stamped(turns) -> str:
    out, second = [], 0
    for speaker, paragraphs in turns:
        for position, paragraph in enumerate(paragraphs):
            second += 5
            out += [(f"{speaker} ({_stamp(second)}) " if position == 0 else f"({_stamp(second)}) ") + paragraph, ""]
    return "\n".join(out)


def _yaml(turns) -> str:
    import yaml

    return yaml.safe_dump({"title": "T", "turns": [{"speaker": s, "text": "\n\n".join(p)} for s, p in turns]},
                          allow_unicode=True)


def _json(turns) -> str:
    return json.dumps({"utterances": [{"speaker": s, "text": "\n\n".join(p)} for s, p in turns]}, ensure_ascii=False)


RENDERERS = {
    "markdown": (_markdown, ".md"), "press": (_press, ".txt"), "html": (_html, ".html"),
    "timestamped": (_stamped, ".txt"), "yaml": (_yaml, ".yaml"), "json": (_json, ".json"),
    "inline": (lambda turns: "\n".join(f"{s}: " + "\n\n".join(p) for s, p in turns), ".txt"),
}


def _squeeze(text: str) -> str:
    # Whitespace is layout, and a stage direction that wrapping leaves alone on a line is an aside, not
    # speech (inside a line it stays: see test_ingest_formats).
    return "".join(text.replace("(Laughter.)", "").replace("(laughs)", "").split())


# A titled label of someone the catalog does not know is the person's name (as holders are written).
TITLED = {"Dr. Jane Doe": "Jane Doe"}


def _expected_speakers(turns, shape: str) -> list[str]:
    names = [("Reporter" if PEOPLE[s] == "Q" else normalise_speaker(PEOPLE[s])) if shape == "press"
             else TITLED.get(s, s) for s, _ in turns]
    collapsed: list[str] = []
    for index, name in enumerate(names):
        # A speaker's turns in a row are one turn, unless a heading (Markdown: before every third) parts them.
        heading = shape == "markdown" and index % 3 == 2
        if not collapsed or collapsed[-1] != name or name == "Reporter" or heading:
            collapsed.append(name)
    return collapsed


@SETTINGS
@given(turns=CONVERSATIONS, shape=st.sampled_from(sorted(RENDERERS)))
def test_parsing_never_loses_or_repeats_speech(folder, turns, shape):
    render, suffix = RENDERERS[shape]
    path = folder / f"conversation{suffix}"
    path.write_text(render(turns), encoding="utf-8")
    episode = read_episode(path)
    assert_offsets(episode)
    spoken = _squeeze("".join(paragraph for _, paragraphs in turns for paragraph in paragraphs))
    assert _squeeze("".join(turn.text for turn in episode.turns)) == spoken
    assert [turn.speaker for turn in episode.turns] == _expected_speakers(turns, shape)
    assert episode.format == {"timestamped": "timestamped", "inline": "inline"}.get(shape, shape)
