"""Tests of whoclaims.ingest: every format, the sidecar, discovery and every bad input."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import pickle
from pathlib import Path

import pytest

from whoclaims.ingest import IngestError, detect_format, discover_episodes, read_episode
from whoclaims.ingest.names import accept_label, normalise_speaker
from whoclaims.records import Episode

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
SEED = Path(__file__).parents[1] / "data" / "raw" / "robert-person-negotiate.txt"


def assert_offsets(episode: Episode) -> None:
    """Every turn's text is its slice of the episode text, and the turns tile it with blank lines."""
    assert [turn.turn_id for turn in episode.turns] == list(range(len(episode.turns)))
    for turn in episode.turns:
        assert episode.text[turn.start_char:turn.end_char] == turn.text
        assert turn.text and turn.text == turn.text.strip()
    assert episode.text == "\n\n".join(turn.text for turn in episode.turns)


def read(name: str, **options) -> Episode:
    episode = read_episode(FIXTURES / name, **options)
    assert_offsets(episode)
    return episode


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def expect_error(path: Path, problem: str, **options) -> IngestError:
    with pytest.raises(IngestError) as caught:
        read_episode(path, **options)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert problem in message, message
    return caught.value


# ---------------------------------------------------------------- speaker headers
def test_seed_episode_has_fourteen_alternating_turns():
    episode = read_episode(SEED)
    assert_offsets(episode)
    assert episode.format == "speaker_header"
    assert episode.episode_id == "robert-person-negotiate"
    assert [turn.speaker for turn in episode.turns] == ["Ferenc Laczo", "Robert Person"] * 7
    assert episode.title.startswith("Shouldn’t Ukraine Negotiate with Putin?")
    assert episode.description.startswith("In the newest episode of\xa0a podcast")  # NBSP kept as in the file
    assert "Ferenc Laczo" not in episode.text
    assert episode.turns[0].text.startswith("Thank you so much for joining us.")
    assert episode.turns[-1].text == "Thank you so much. It has been my pleasure."
    assert episode.source_path == str(SEED)
    assert len(episode.content_hash) == 64


def test_speaker_header_miniature():
    episode = read("speaker_header_mini.txt")
    assert episode.format == "speaker_header"
    assert episode.title == "A Conversation About Bridges"
    assert episode.description == "In this episode, our host talks with an engineer about why bridges stand."
    assert [turn.speaker for turn in episode.turns] == ["Jane Doe", "John Smith", "Jane Doe", "John Smith"]
    assert episode.turns[0].text == "Welcome to the show. Today we talk about bridges.\n\nWhy do they stand?"
    # The stage direction is dropped; "Thank you." is a paragraph, not a speaker.
    assert episode.turns[1].text == "Thank you for having me.\n\nThey stand because of good design."
    assert episode.turns[2].text == "Thank you."


def test_headings_and_one_line_paragraphs_are_not_speakers(tmp_path):
    text = "Introduction\n\nSome opening words here.\n\nThank you.\n\nMore words follow.\n\nPart Two\n\nThe end.\n"
    assert detect_format(text, suffix=".txt") == "plain"
    episode = read_episode(write(tmp_path, "essay.txt", text))
    assert episode.format == "plain"
    assert [turn.speaker for turn in episode.turns] == ["Unknown"]


def test_headers_without_blank_line_once_the_layout_recurs(tmp_path):
    text = "Title Here\n\nJane Doe\nHello there.\n\nJohn Smith\nHi.\n\nJane Doe\nBye.\n"
    episode = read_episode(write(tmp_path, "tight.txt", text))
    assert episode.format == "speaker_header"
    assert [(turn.speaker, turn.text) for turn in episode.turns] == [
        ("Jane Doe", "Hello there."), ("John Smith", "Hi."), ("Jane Doe", "Bye."),
    ]
    assert episode.title == "Title Here"


def test_otter_style_headers_with_times(tmp_path):
    text = "Speaker 1  0:03\nHello there.\n\nSpeaker 2  1:10\nHi.\n\nSpeaker 1  1:15\nBye.\n"
    episode = read_episode(write(tmp_path, "otter.txt", text))
    assert episode.format == "speaker_header"
    assert [(turn.speaker, turn.start_s, turn.end_s) for turn in episode.turns] == [
        ("Speaker 1", 3.0, 70.0), ("Speaker 2", 70.0, 75.0), ("Speaker 1", 75.0, None),
    ]



def test_names_over_stamped_lines_with_no_blank_lines(tmp_path):
    # Podcast pages copied as text: a name line, then paragraphs opening with a stamp in
    # parentheses, no blank line anywhere; and exports writing the stamp alone under the name.
    page = ("Lex Fridman\n(00:00:00) The following is a conversation with John Mearsheimer.\n"
            "(00:00:08) This is the podcast.\nJohn Mearsheimer\n(00:00:15) Thanks for having me.\n"
            "(00:00:21) He wants the east.\nLex Fridman\n(00:00:30) Can Trump negotiate peace?\n"
            "John Mearsheimer\n(00:00:35) I doubt it.\n")
    episode = read_episode(write(tmp_path, "page.txt", page))
    assert_offsets(episode)
    assert episode.format == "speaker_header"
    assert [(turn.speaker, turn.start_s, turn.text) for turn in episode.turns] == [
        ("Lex Fridman", 0.0, "The following is a conversation with John Mearsheimer.\nThis is the podcast."),
        ("John Mearsheimer", 15.0, "Thanks for having me.\nHe wants the east."),
        ("Lex Fridman", 30.0, "Can Trump negotiate peace?"),
        ("John Mearsheimer", 35.0, "I doubt it."),
    ]
    export = "Speaker 1\n00:00:03\nWelcome back.\nSpeaker 2\n00:00:15\nThanks.\nSpeaker 1\n00:00:20\nBye.\n"
    episode = read_episode(write(tmp_path, "export.txt", export))
    assert [(turn.speaker, turn.start_s, turn.text) for turn in episode.turns] == [
        ("Speaker 1", 3.0, "Welcome back."), ("Speaker 2", 15.0, "Thanks."), ("Speaker 1", 20.0, "Bye."),
    ]

    stamp_first = ("00:00:03 Jane Doe\nWelcome back.\n00:00:15 John Smith\nThanks.\n"
                   "00:00:30 Jane Doe\nBye.\n")
    episode = read_episode(write(tmp_path, "stamp_first.txt", stamp_first))
    assert [(turn.speaker, turn.start_s, turn.text) for turn in episode.turns] == [
        ("Jane Doe", 3.0, "Welcome back."), ("John Smith", 15.0, "Thanks."), ("Jane Doe", 30.0, "Bye."),
    ]


def test_television_labels_with_long_roles_in_capitals(tmp_path):
    # A clip inside an anchor's show: the clip's speaker is labelled once, with a long role.
    text = ("COLLINS: Welcome back.\n\n(BEGIN VIDEOTAPE)\n\n"
            "DONALD TRUMP, PRESIDENT OF THE UNITED STATES: We will have peace.\n\n(END VIDEOTAPE)\n\n"
            "COLLINS: Senator, your view?\n\nSEN. LINDSEY GRAHAM (R-SC): Putin wants all of Ukraine.\n")
    episode = read_episode(write(tmp_path, "cnn.txt", text))
    assert_offsets(episode)
    assert [(turn.speaker, turn.text) for turn in episode.turns] == [
        ("Collins", "Welcome back."), ("Donald Trump", "We will have peace."), ("Collins", "Senator, your view?"),
        ("Lindsey Graham", "Putin wants all of Ukraine."),
    ]
    assert episode.turns[1].role == "president of the united states"
    # In ordinary case a long phrase after a comma is speech, not a role.
    prose = ("Anna Berg: Welcome.\n\nMr. Smith, as you know very well from the past: it ended badly.\n\n"
             "Tom Reed: Indeed.\n\nAnna Berg: Right.\n\nTom Reed: Yes.\n")
    episode = read_episode(write(tmp_path, "prose.txt", prose))
    assert [turn.speaker for turn in episode.turns] == ["Anna Berg", "Tom Reed", "Anna Berg", "Tom Reed"]



def test_recurring_name_lines_with_no_blank_lines(tmp_path):
    # A page copied with each speaker's name in its own element: name line, text line, no blanks.
    text = ("JOHN SMITH\nWelcome back. Today, Ukraine.\nFIONA HILL\nThanks. Putin wants it all.\n"
            "JOHN SMITH\nCan Trump negotiate?\nFIONA HILL\nNo.\n")
    episode = read_episode(write(tmp_path, "page.txt", text))
    assert_offsets(episode)
    assert [(turn.speaker, turn.text) for turn in episode.turns] == [
        ("John Smith", "Welcome back. Today, Ukraine."), ("Fiona Hill", "Thanks. Putin wants it all."),
        ("John Smith", "Can Trump negotiate?"), ("Fiona Hill", "No."),
    ]
    # A name that comes back once as a whole line of prose is not a layout.
    prose = "The talks went on.\nVladimir Putin\nspoke for an hour, and then\nVladimir Putin\nleft.\n"
    assert [turn.speaker for turn in read_episode(write(tmp_path, "prose.txt", prose), default_speaker="Host").turns] == [
        "Host"]

def test_a_capitalised_line_before_a_stamp_in_captions_stays_text(tmp_path):
    captions = "0:00\nwelcome back to the show\n0:03\nPutin Wants Peace\n0:06\nor so they say\n"
    episode = read_episode(write(tmp_path, "captions.txt", captions), default_speaker="Host")
    assert [turn.speaker for turn in episode.turns] == ["Host"]
    assert "Putin Wants Peace" in episode.turns[0].text


# ---------------------------------------------------------------- inline labels
def test_inline_labels_roles_continuations_and_false_positives():
    episode = read("inline.txt")
    assert episode.format == "inline"
    assert (episode.title, episode.date) == ("Money Talk", "2024-03-01")
    assert [(turn.speaker, turn.role) for turn in episode.turns] == [
        ("Maria Lopez", "host"), ("David Chen", None), ("Maria Lopez", "host"), ("David Chen", None),
    ]
    assert episode.turns[0].text == "Welcome back. Today we talk about inflation.\nOur guest is an economist."
    assert episode.turns[1].text == (
        "Thanks, Maria.\n\nI think inflation will fall.\nNote: this is my own view, not my employer's."
    )
    assert episode.turns[3].text == "Because rates are high.\nExample: mortgages cost more."
    assert episode.roles == {"Maria Lopez": "host"}


def test_inline_label_variants():
    episode = read("inline_variants.txt")
    assert episode.format == "inline"
    # Host, HOST and host are one speaker; their lines in a row are one turn, one paragraph each.
    assert [turn.speaker for turn in episode.turns] == ["Host", "SPEAKER_00", "SPEAKER_01"]
    assert [turn.role for turn in episode.turns] == ["host", None, None]
    assert episode.turns[0].text == "Hello and welcome.\n\nStill the host here.\n\nAnd again."
    assert episode.turns[0].speaker_label == "Host"


def test_common_word_used_once_is_text(tmp_path):
    text = "Example: this is how it works.\nIt is simple.\n"
    assert detect_format(text, suffix=".txt") == "plain"
    text = "Alice Jones: We start.\nQuestion: what now?\nAlice Jones: We go on.\nBob Ray: Fine.\n"
    episode = read_episode(write(tmp_path, "qa.txt", text))
    assert [turn.speaker for turn in episode.turns] == ["Alice Jones", "Bob Ray"]
    assert episode.turns[0].text == "We start.\nQuestion: what now?\n\nWe go on."


def test_single_capitalised_word_used_once_mid_speech_is_text(tmp_path):
    text = "Ann Lee: Hello.\nBob Ray: Hi.\nLook: this matters.\nAnn Lee: Agreed.\n"
    episode = read_episode(write(tmp_path, "look.txt", text))
    assert episode.turns[1].text == "Hi.\nLook: this matters."


def test_recurring_q_and_a_labels_are_speakers(tmp_path):
    episode = read_episode(write(tmp_path, "qa.txt", "Q: Why?\nA: Because.\nQ: Sure?\nA: Yes.\n"))
    assert episode.format == "inline"
    assert [turn.speaker for turn in episode.turns] == ["Q", "A", "Q", "A"]


# ---------------------------------------------------------------- timestamped
def test_timestamped_name_then_time():
    episode = read("timestamped.txt")
    assert episode.format == "timestamped"
    assert [turn.speaker for turn in episode.turns] == ["Speaker 1", "Speaker 2", "Speaker 1"]
    assert [(turn.start_s, turn.end_s) for turn in episode.turns] == [(1.0, 5.0), (5.0, 3723.0), (3723.0, None)]
    assert episode.turns[1].text == "Morning! How are you?\nI am fine."


def test_timestamped_time_then_name_and_bare_time_lines():
    episode = read("timestamped_brackets.txt")
    assert episode.format == "timestamped"
    assert [(turn.speaker, turn.start_s, turn.end_s) for turn in episode.turns] == [
        ("Alice Walker", 10.0, 20.0), ("Bob Stone", 20.0, 30.0), ("Alice Walker", 30.0, None),
    ]
    # Bare time lines are neither labels nor speech.
    assert "00:00:20" not in episode.text and "10:15" not in episode.text


# ---------------------------------------------------------------- captions
def test_vtt_voices_notes_tags_and_merged_cues():
    episode = read("captions.vtt")
    assert episode.format == "vtt"
    assert [(turn.speaker, turn.start_s, turn.end_s) for turn in episode.turns] == [
        ("Roger Bingham", 0.0, 4.0), ("Neil deGrasse Tyson", 5.0, 9.0),
    ]
    assert episode.turns[0].text == "We are in New York City and we’re going to be talking"
    assert episode.turns[1].text == "Yes & no. about the universe."
    assert "comment" not in episode.text and "Music" not in episode.text


def test_srt_prefix_speakers_and_merged_cues():
    episode = read("captions.srt")
    assert episode.format == "srt"
    assert [(turn.speaker, turn.start_s, turn.end_s) for turn in episode.turns] == [
        ("Anna", 1.0, 5.0), ("Ben", 5.0, 6.0), ("Anna", 6.0, 8.0),
    ]
    assert episode.turns[0].text == "Hello there. How are you?"
    assert episode.turns[1].text == "Fine, thanks."


def test_cues_without_any_speaker_use_the_default_speaker(tmp_path):
    srt = "1\n00:00:01,000 --> 00:00:02,000\nHello.\n\n2\n00:00:02,000 --> 00:00:03,000\nWorld.\n"
    episode = read_episode(write(tmp_path, "nospeaker.srt", srt), default_speaker="Narrator")
    assert [(turn.speaker, turn.text, turn.start_s, turn.end_s) for turn in episode.turns] == [
        ("Narrator", "Hello. World.", 1.0, 3.0),
    ]


# ---------------------------------------------------------------- JSON
def test_json_list_of_segments():
    episode = read("diarised.json")
    assert episode.format == "json"
    assert [(turn.speaker, turn.text, turn.start_s, turn.end_s) for turn in episode.turns] == [
        ("SPEAKER_00", "Hello. How are you?", 0.0, 3.0),
        ("SPEAKER_01", "Fine.", 3.2, 4.0),
        ("Unknown", "Unattributed words.", 4.0, 5.0),
    ]


def test_json_object_with_segments_and_metadata():
    episode = read("whisper.json", default_speaker="Narrator")
    assert (episode.title, episode.date, episode.show) == ("Whisper Output", "2024-05-01", "Tech Hour")
    assert [(turn.speaker, turn.text, turn.start_s, turn.end_s) for turn in episode.turns] == [
        ("Narrator", "One. Two.", 0.0, 4.0),
    ]


def test_json_content_is_detected_in_a_txt_file(tmp_path):
    path = write(tmp_path, "segments.txt", json.dumps([{"speaker": "A B", "text": "Hi."}]))
    assert read_episode(path).format == "json"


# ---------------------------------------------------------------- plain, sidecar, forced format
def test_plain_takes_the_only_sidecar_speaker_and_sidecar_metadata():
    episode = read("monologue.txt")
    assert episode.format == "plain"
    assert [(turn.speaker, turn.role) for turn in episode.turns] == [("Greta Thunberg", "guest")]
    assert episode.turns[0].text == "My message is that we'll be watching you.\n\nThis is all wrong.\nI shouldn't be up here."
    assert (episode.title, episode.show, episode.date) == ("A Speech", "UN Climate Summit", "2019-09-23")
    assert episode.roles == {"Greta Thunberg": "guest"}


def test_plain_default_speaker_order(tmp_path):
    path = write(tmp_path, "talk.txt", "Just words, no labels.\n")
    assert read_episode(path).turns[0].speaker == "Unknown"
    assert read_episode(path, default_speaker="JANE DOE").turns[0].speaker == "Jane Doe"
    write(tmp_path, "talk.meta.json", json.dumps({"default_speaker": "Sidecar Person", "speakers": ["X Y"]}))
    assert read_episode(path, default_speaker="Jane Doe").turns[0].speaker == "Sidecar Person"


def test_sidecar_overrides_detected_metadata_and_adds_roles():
    episode = read("sidecar_override.txt")
    assert episode.format == "inline"
    assert (episode.title, episode.description, episode.date) == ("Sidecar Title", "From the sidecar.", "2024-03-01")
    assert episode.roles == {"Maria Lopez": "host", "David Chen": "guest"}
    assert [turn.role for turn in episode.turns] == ["host", "guest", "host", "guest"]


def test_source_path_is_kept_as_given(tmp_path, monkeypatch):
    write(tmp_path, "given.txt", "Host: hi\n")
    monkeypatch.chdir(tmp_path)
    assert read_episode("./given.txt").source_path == "./given.txt"


def test_content_hash_covers_the_sidecar(tmp_path):
    path = write(tmp_path, "ep.txt", "Some words.\n")
    assert read_episode(path).content_hash == hashlib.sha256(b"Some words.\n").hexdigest()
    write(tmp_path, "ep.meta.json", "{}")
    assert read_episode(path).content_hash == hashlib.sha256(b"Some words.\n{}").hexdigest()


def test_forced_format_and_sidecar_format(tmp_path):
    episode = read("inline.txt", force_format="plain")
    assert episode.format == "plain"
    assert [turn.speaker for turn in episode.turns] == ["Unknown"]
    assert episode.text.startswith("Title: Money Talk")
    path = write(tmp_path, "forced.txt", (FIXTURES / "inline.txt").read_text(encoding="utf-8"))
    write(tmp_path, "forced.meta.json", json.dumps({"format": "plain", "default_speaker": "Reader"}))
    episode = read_episode(path, force_format="inline")
    assert (episode.format, episode.speakers) == ("plain", ["Reader"])


def test_forced_format_that_does_not_fit_names_the_problem(tmp_path):
    path = write(tmp_path, "prose.txt", "Just some prose.\n")
    expect_error(path, "no speaker labels found", force_format="inline")
    expect_error(path, "vtt: not WebVTT", force_format="vtt")
    with pytest.raises(ValueError, match="unknown transcript format 'docx'"):
        read_episode(path, force_format="docx")


def test_detect_format_by_suffix_and_content():
    assert detect_format("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHi", suffix=".txt") == "vtt"
    assert detect_format("1\n00:00:00,000 --> 00:00:01,000\nHi", suffix="") == "srt"
    assert detect_format("anything", suffix=".JSON") == "json"
    assert detect_format("anything", suffix="srt") == "srt"
    assert detect_format("[Music]\nJohn Smith: Hello.", suffix=".txt") == "inline"
    assert detect_format("Just text.", suffix=".md") == "plain"


# ---------------------------------------------------------------- decoding
def test_utf8_bom_with_a_label_on_line_one(tmp_path):
    path = write(tmp_path, "bom.txt", b"\xef\xbb\xbfHost: Hello.\nGuest: Hi.\n")
    episode = read_episode(path)
    assert [turn.speaker for turn in episode.turns] == ["Host", "Guest"]
    assert "\ufeff" not in episode.text


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(tmp_path, encoding):
    bom = b"\xff\xfe" if encoding == "utf-16-le" else b"\xfe\xff"
    path = write(tmp_path, "wide.txt", bom + "Host: Grüße.\r\nGuest: Hi.\r\n".encode(encoding))
    episode = read_episode(path)
    assert [(turn.speaker, turn.text) for turn in episode.turns] == [("Host", "Grüße."), ("Guest", "Hi.")]


def test_cp1252_smart_quotes(tmp_path):
    path = write(tmp_path, "quotes.txt", "Host: It’s “fine” – really.\n".encode("cp1252"))
    assert read_episode(path).turns[0].text == "It’s “fine” – really."


def test_line_breaks_invisible_characters_and_nfc(tmp_path):
    raw = "Host: Cafe\u0301 one\r\nstill host\rthird\u2028fourth\x0cfifth\nGuest: a\u200bb\u202ec\n"
    episode = read_episode(write(tmp_path, "unicode.txt", raw))
    assert episode.turns[0].text == "Café one\nstill host\nthird\nfourth\nfifth"
    assert episode.turns[1].text == "abc"


def test_very_long_transcript_is_accepted(tmp_path):
    line = "Host: " + "word " * 40 + "\nGuest: " + "reply " * 40 + "\n"
    path = write(tmp_path, "long.txt", line * 5000)  # about 2 MB, over spaCy's max_length
    episode = read_episode(path)
    assert len(episode.text) > 1_000_000
    assert len(episode.turns) == 10_000


# ---------------------------------------------------------------- bad inputs
def test_empty_file(tmp_path):
    expect_error(write(tmp_path, "empty.txt", b""), "empty file")


def test_whitespace_only(tmp_path):
    expect_error(write(tmp_path, "blank.txt", " \n\t\r\n\u2028 \n"), "only whitespace")


def test_gzip_named_txt(tmp_path):
    expect_error(write(tmp_path, "packed.txt", gzip.compress(b"Host: hello\n")), "binary file (gzip data)")


def test_nul_bytes(tmp_path):
    expect_error(write(tmp_path, "zero.txt", b"Host: hel\x00lo\n"), "NUL byte at offset 9")


def test_nul_character_in_utf16(tmp_path):
    path = write(tmp_path, "zero16.txt", b"\xff\xfe" + "Host: a\x00b\n".encode("utf-16-le"))
    expect_error(path, "NUL character on line 1")


def test_control_characters_mean_binary(tmp_path):
    expect_error(write(tmp_path, "ctrl.txt", b"Host: \x01\x02\x03\x04 hello\n"), "binary content")


@pytest.mark.parametrize("byte", [0x81, 0x8D, 0x8F, 0x90, 0x9D])
def test_undecodable_bytes(tmp_path, byte):
    # Invalid as UTF-8, and one of the five bytes cp1252 leaves undefined.
    path = write(tmp_path, "bad.txt", b"Host: caf\xe9 " + bytes([byte]) + b"\n")
    expect_error(path, f"undecodable bytes: not UTF-8 (byte 0xe9 at offset 9")
    expect_error(path, f"not cp1252 (byte 0x{byte:02x} at offset 11 is undefined)")


def test_invalid_utf16_after_bom(tmp_path):
    expect_error(write(tmp_path, "odd16.txt", b"\xff\xfe\x00\xd8\x41\x00"), "invalid UTF-16-LE after its byte order mark")


def test_invalid_json(tmp_path):
    expect_error(write(tmp_path, "broken.json", '[\n {"text": "a"},\n {"text": }\n]'), "invalid JSON at line 3 column")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"words": []}', "an object without a 'segments' list"),
        ('"just a string"', "the top level is a str"),
        ('{"segments": {"text": "a"}}', "'segments' is a dict, not a list"),
        ("[1, 2]", "segment 0 is a int, not an object"),
        ('[{"speaker": "A"}]', "segment 0 has no 'text' string"),
        ('[{"text": "a", "start": "soon"}]', "segment 0: 'start' must be a non-negative number"),
        ('[{"text": "a", "speaker": ["x"]}]', "segment 0: 'speaker' must be a string"),
    ],
)
def test_json_of_the_wrong_shape(tmp_path, content, problem):
    expect_error(write(tmp_path, "shape.json", content), problem)


def test_json_without_speech(tmp_path):
    expect_error(write(tmp_path, "silent.json", '[{"text": "  "}, {"text": "[Music]"}]'), "no speech found")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("Hello there, no header.\n", "not WebVTT"),
        ("WEBVTT\n\nNOTE only a note\n", "no WebVTT cues found"),
        ("WEBVTT\n\n00:00:01.000 -> 00:00:02.000\nHi\n", "no WebVTT cues found (1 malformed blocks)"),
        ("WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nBackwards\n", "no WebVTT cues found"),
    ],
)
def test_vtt_that_does_not_parse(tmp_path, content, problem):
    expect_error(write(tmp_path, "bad.vtt", content), problem)


def test_srt_that_does_not_parse(tmp_path):
    expect_error(write(tmp_path, "bad.srt", "1\nnot a timing line\nHello\n"), "no SRT cues found")


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("CON.txt", "reserved"),
        ("nul.vtt", "reserved"),
        ("Con .txt", "reserved"),  # slugs to `con`, still a device name
        ("line\nbreak.txt", "control characters"),
        ("¿¡!.txt", "no letter or digit"),
        ("日本語.txt", "no letter or digit"),
    ],
)
def test_unsafe_episode_ids_that_cannot_be_made_safe(tmp_path, name, problem):
    path = write(tmp_path, name, "Host: hello\nGuest: hi\n")
    with pytest.raises(IngestError) as caught:
        read_episode(path)
    message = str(caught.value)
    assert "\n" not in message and caught.value.path == str(path)
    assert "unsafe episode id from the file name" in message
    assert problem in message and "rename the file" in message


@pytest.mark.parametrize(
    ("name", "episode_id"),
    [
        ("123 - Guest Name - Topic, Other Topic.txt", "123-guest-name-topic-other-topic"),
        ("my episode.txt", "my-episode"),
        ("-rf.txt", "rf"),
        (".hidden.txt", "hidden"),
        ("trail..txt", "trail"),
        ("Ça va – épisode 3.md", "ca-va-episode-3"),
        ("a/b".replace("/", "∕") + ".txt", "a-b"),  # a look-alike slash
        ("RUS_78_2023.txt", "RUS_78_2023"),  # a safe name is kept as it is, case included
    ],
)
def test_unsafe_but_fixable_file_names_are_slugged(tmp_path, name, episode_id):
    path = write(tmp_path, name, "Host: hello\nGuest: hi\n")
    episode = read_episode(path)
    assert episode.episode_id == episode_id
    assert episode.source_path == str(path)


def test_a_long_file_name_is_cut_and_keeps_two_names_apart(tmp_path):
    first = read_episode(write(tmp_path, "x " * 100 + "one.txt", "Host: hello\n")).episode_id
    second = read_episode(write(tmp_path, "x " * 100 + "two.txt", "Host: hello\n")).episode_id
    assert len(first) <= 128 and len(second) <= 128 and first != second
    assert first.startswith("x-x-x")


def test_the_sidecar_of_a_slugged_file_is_found_under_either_name(tmp_path):
    path = write(tmp_path, "Ep 1 - Talks.txt", "Words without labels.\n")
    write(tmp_path, "Ep 1 - Talks.meta.json", json.dumps({"default_speaker": "Jane Doe"}))
    assert read_episode(path).speakers == ["Jane Doe"]
    (tmp_path / "Ep 1 - Talks.meta.json").rename(tmp_path / "ep-1-talks.meta.json")
    assert read_episode(path).speakers == ["Jane Doe"]


def test_symlink_out_of_the_input_folder(tmp_path):
    inside, outside = tmp_path / "raw", tmp_path / "elsewhere"
    inside.mkdir()
    outside.mkdir()
    target = write(outside, "secret.txt", "Host: hello\n")
    link = inside / "link.txt"
    link.symlink_to(target)
    expect_error(link, "outside the input folder")
    expect_error(link, "outside the input folder", input_root=inside)
    # A link that stays inside the input folder is fine.
    (inside / "twin.txt").symlink_to(write(inside, "real.txt", "Host: hello\n"))
    assert read_episode(inside / "twin.txt", input_root=inside).turns[0].text == "hello"


def test_missing_file_broken_link_and_folder(tmp_path):
    expect_error(tmp_path / "absent.txt", "no such file")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    expect_error(tmp_path / "dangling.txt", "broken symbolic link")
    (tmp_path / "folder.txt").mkdir()
    expect_error(tmp_path / "folder.txt", "not a regular file")


def test_symlink_loop(tmp_path):
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    expect_error(tmp_path / "a.txt", "cannot resolve the path")


def test_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    expect_error(tmp_path / "pipe.txt", "not a regular file")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "invalid JSON in sidecar at line 1"),
        ("[1]", "sidecar must be a JSON object, got a list"),
        ('{"title": 3}', "'title' must be a string, got int"),
        ('{"speakers": "A"}', "'speakers' must be a list"),
        ('{"speakers": [{"role": "host"}]}', "speakers[0] has no 'name' string"),
        ('{"format": "docx"}', "'format' must be one of"),
    ],
)
def test_malformed_sidecar_names_the_sidecar(tmp_path, content, problem):
    path = write(tmp_path, "ep.txt", "Host: hello\n")
    sidecar = write(tmp_path, "ep.meta.json", content)
    with pytest.raises(IngestError) as caught:
        read_episode(path)
    assert caught.value.path == str(sidecar)
    assert str(caught.value).startswith(f"{sidecar}: ")
    assert problem in str(caught.value)


def test_no_speech_after_stage_directions(tmp_path):
    expect_error(write(tmp_path, "music.txt", "[Music]\n\n(inaudible)\n"), "no speech found")


def test_ingest_error_is_one_line_and_pickles():
    error = IngestError("odd\nname.txt", "bad\nthing")
    assert str(error) == "odd\\nname.txt: bad\\nthing"
    assert (error.path, error.problem) == ("odd\nname.txt", "bad\nthing")
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.path, copy.problem) == (str(error), error.path, error.problem)
    assert isinstance(error, ValueError)


# ---------------------------------------------------------------- discovery
def test_discover_episodes(tmp_path):
    for name in [
        "b.txt", "a.vtt", "a.meta.json", ".hidden.txt", "_draft.txt", "copying.txt.part", "x.tmp",
        "sub/c.srt", "sub/.git/config", "_private/d.txt", ".cache/e.txt", "sub/deeper/f.json",
    ]:
        path = tmp_path / "raw" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Host: hi\n")
    (tmp_path / "raw" / "linked").symlink_to(tmp_path / "raw" / "sub", target_is_directory=True)
    extra = tmp_path / ".given-directly.txt"
    extra.write_text("Host: hi\n")
    raw = tmp_path / "raw"
    found = discover_episodes([raw, extra, raw / "b.txt"])
    assert found == [
        raw / "a.vtt", raw / "b.txt", raw / "sub" / "c.srt", raw / "sub" / "deeper" / "f.json", extra,
    ]
    with pytest.raises(IngestError, match="no such file or folder"):
        discover_episodes([tmp_path / "nowhere"])


def test_discover_keeps_symlinks_unresolved(tmp_path):
    target = tmp_path / "t.txt"
    target.write_text("Host: hi\n")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "l.txt").symlink_to(target)
    assert discover_episodes([str(folder)]) == [folder / "l.txt"]


# ---------------------------------------------------------------- names
@pytest.mark.parametrize(
    ("label", "speaker"),
    [
        ("ROBERT  PERSON", "Robert Person"),
        ("  Ferenc\tLaczo ", "Ferenc Laczo"),
        ("SPEAKER_00", "SPEAKER_00"),
        ("Speaker 1", "Speaker 1"),
        ("speaker A", "speaker A"),
        ("HOST", "Host"),
        ("host", "Host"),
        ("Neil deGrasse Tyson", "Neil deGrasse Tyson"),
        ("Q", "Q"),
        ("Ann \u202eLee\u200b", "Ann Lee"),
    ],
)
def test_normalise_speaker(label, speaker):
    assert normalise_speaker(label) == speaker


@pytest.mark.parametrize(
    ("name", "count", "one_off_ok", "accepted"),
    [
        ("Robert Person", 1, True, True),
        ("Robert Person", 2, False, True),
        ("Robert Person", 1, False, False),
        ("SPEAKER_01", 1, False, True),
        ("host", 1, False, True),
        ("Note", 1, True, False),
        ("Note", 3, True, False),
        ("Example", 2, True, False),
        ("Question", 1, True, False),
        ("Question", 2, True, True),
        ("Thank you.", 5, True, False),
        ("Thank You", 5, True, False),
        ("Part Two", 2, True, False),
        ("Dr. Jane Smith", 1, True, True),
        ("Speakers", 1, True, True),  # name-like, used once where one-offs are credible
        ("Speakers", 1, False, False),  # not a machine label ("Speaker" + "s")
        ("Persona", 1, False, False),
    ],
)
def test_accept_label(name, count, one_off_ok, accepted):
    assert accept_label(name, count=count, one_off_ok=one_off_ok) is accepted


def test_press_conference_of_an_international_body(tmp_path):
    # Questions noted in square brackets as well as parentheses; speakers the catalog does not
    # know are named as holders are written (canonical full names), not with their titles.
    text = ("NATO Spokesperson Allison Hart: Good afternoon.\n\n"
            "NATO Secretary General Mark Rutte: Russia is not interested in peace.\n\n"
            "NATO Spokesperson Allison Hart: Next, Associated Press.\n\n"
            "Question [Lorne Cook, Associated Press]: Will Europe send troops?\n\n"
            "NATO Secretary General: That is for the coalition to decide.\n\n"
            "Question (Reuters): And the Baltics?\n\n"
            "NATO Secretary General Mark Rutte: Putin will not stop at Ukraine.\n")
    episode = read_episode(write(tmp_path, "nato.txt", text))
    assert_offsets(episode)
    assert [(turn.speaker, turn.text) for turn in episode.turns] == [
        ("Allison Hart", "Good afternoon."), ("Mark Rutte", "Russia is not interested in peace."),
        ("Allison Hart", "Next, Associated Press."), ("Question", "Will Europe send troops?"),
        ("Mark Rutte", "That is for the coalition to decide."), ("Question", "And the Baltics?"),
        ("Mark Rutte", "Putin will not stop at Ukraine."),
    ]
    assert episode.turns[0].speaker_label == "NATO Spokesperson Allison Hart"


@pytest.mark.parametrize(("label", "name"), [
    ("NATO Spokesperson Allison Hart", "Allison Hart"),
    ("Secretary of State Antony Blinken", "Antony Blinken"),
    ("PRESS SECRETARY KARINE JEAN-PIERRE", "Karine Jean-Pierre"),
    ("Foreign Minister of Ukraine Dmytro Kuleba", "Dmytro Kuleba"),
    ("Admiral John Kirby", "John Kirby"),
    ("MS. LEAVITT", None),  # a surname alone: the label stays as it is
    ("NATO Secretary General", None),
    ("The Chairman", None),
    ("Jane Doe", None),  # no title
])
def test_name_after_title(label, name):
    from whoclaims.ingest.names import name_after_title

    assert name_after_title(label) == name


def test_one_word_labels_take_the_full_name_the_episode_introduces(tmp_path):
    text = ("Ukraine and the West: a conversation with Fiona Hill\n\n"
            "JOHN: Welcome back. My guest today is Fiona Hill, who served on the National Security Council.\n\n"
            "FIONA: Thanks. Putin wants all of Ukraine.\n\nJOHN: And Trump?\n\nHILL: He cannot negotiate.\n")
    episode = read_episode(write(tmp_path, "show.txt", text))
    assert [(turn.speaker, turn.speaker_label) for turn in episode.turns] == [
        ("John", "JOHN"), ("Fiona Hill", "FIONA"), ("John", "JOHN"), ("Fiona Hill", "HILL"),
    ]
    # Two full names with the word, or a speaker map naming the label: left as they are.
    two = text.replace("Fiona Hill, who", "Fiona Hill and Fiona Bruce, who")
    assert read_episode(write(tmp_path, "two.txt", two)).turns[1].speaker == "Fiona"
    write(tmp_path, "mapped.meta.json", '{"speakers": {"FIONA": "Dr. Hill"}}')
    assert read_episode(write(tmp_path, "mapped.txt", text)).turns[1].speaker == "Dr. Hill"
