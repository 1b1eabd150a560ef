"""Transcripts as people download them: Markdown with front matter and timestamp links, stamped
paragraphs, press and hearing transcripts, YAML/JSON turn documents, HTML pages; speaker maps,
canonical speakers, slugged ids and the warnings of a file whose speakers were not found."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from whoclaims.ingest import IngestError, detect_format, read_episode
from whoclaims.ingest.checks import LONG_TURN_WORDS
from whoclaims.records import Episode

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def assert_offsets(episode: Episode) -> None:
    assert [turn.turn_id for turn in episode.turns] == list(range(len(episode.turns)))
    for turn in episode.turns:
        assert episode.text[turn.start_char:turn.end_char] == turn.text
        assert turn.text and turn.text == turn.text.strip()
    assert episode.text == "\n\n".join(turn.text for turn in episode.turns)


def read(path: Path | str, **options) -> Episode:
    episode = read_episode(FIXTURES / path if isinstance(path, str) else path, **options)
    assert_offsets(episode)
    return episode


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def read_with_actors(path: Path) -> Episode:
    """`read` with speaker labels resolved through the default actors file, as `whoclaims run` does."""
    from whoclaims.pipeline import canonical_speakers
    from whoclaims.settings import default_actors_file

    return read(path, canonical_speaker=canonical_speakers(default_actors_file()))


def speakers_and_texts(episode: Episode) -> list[tuple[str, str]]:
    return [(turn.speaker, turn.text) for turn in episode.turns]


def speakers_and_labels(episode: Episode) -> list[tuple[str, str | None]]:
    return [(turn.speaker, turn.speaker_label) for turn in episode.turns]


def rows(episode: Episode) -> list[tuple]:
    return [(turn.speaker, turn.speaker_label, turn.start_s, turn.section) for turn in episode.turns]


# ---------------------------------------------------------------- Markdown
def test_markdown_front_matter_headings_timestamp_links_and_stamp_only_paragraphs():
    episode = read("podcast_timestamps.md")
    assert (episode.format, episode.layout) == ("markdown", "timestamped")
    assert episode.title == "Transcript for Mira Tal: Ceasefires and Their Failures | Long Talk #52"
    assert (episode.date, episode.url) == ("2024-09-14", "https://podcast.example.org/mira-tal-transcript")
    assert episode.description == "A transcript of Long Talk #52 with the historian Mira Tal."
    assert episode.tags == ("clippings", "history")
    assert episode.roles == {"Sam Okafor": "host", "Mira Tal": "guest"}
    assert rows(episode) == [
        ("Sam Okafor", "Sam Okafor", 0.0, "Introduction"),
        # The stamp-only paragraphs continue Mira Tal, across the `## Ceasefires` heading.
        ("Mira Tal", "Mira Tal", 14.0, "Introduction"),
        ("Sam Okafor", "Sam Okafor", 160.0, "Ceasefires"),
        ("Mira Tal", "Mira Tal", 163.0, "Ceasefires"),
    ]
    assert [turn.end_s for turn in episode.turns] == [14.0, 160.0, 163.0, None]
    assert episode.turns[0].text == (
        "The following is a conversation with Mira Tal, who writes about how wars stop. See her book for more."
    )
    assert episode.turns[1].text == (
        "Thanks for having me. Wars rarely end at the table first.\n\n"
        "They end when both armies are exhausted. Note: that is a pattern, not a law.\n\n"
        "And a ceasefire without guarantees tends to break within two years."
    )
    # No link, URL, stamp, heading, table of contents or front matter reaches the text.
    for markup in ("http", "](", "**", "00:00", "Table of Contents", "Introduction", "clippings", "---"):
        assert markup not in episode.text, markup
    assert "at 10:30 on a Monday" in episode.text  # a time in speech is speech


def test_markdown_bold_speakers_with_italic_stamps_and_a_title_heading():
    episode = read("bold_speakers.md")
    assert (episode.format, episode.layout) == ("markdown", "speaker_header")
    assert episode.title == "The Strategy Room, Episode 7"
    assert [(turn.speaker, turn.start_s) for turn in episode.turns] == [
        ("Nora Quist", 0.0), ("Felix Duran", 12.0), ("Nora Quist", 18.0), ("Felix Duran", 24.0),
    ]
    assert episode.turns[3].text == (
        "Usually through exhaustion, and both sides must believe it. The Korean armistice is the model people cite."
        "\n\nIts line held for seventy years."
    )


def test_markdown_bold_labels_with_colons(tmp_path):
    text = "**Jane Doe:** Welcome.\n\n**John Roe**: Thanks.\n\n**Jane Doe:** Let's talk about *NATO*.\n"
    episode = read(write(tmp_path, "bold.md", text))
    assert (episode.format, episode.layout) == ("markdown", "inline")
    assert speakers_and_texts(episode) == [
        ("Jane Doe", "Welcome."), ("John Roe", "Thanks."), ("Jane Doe", "Let's talk about NATO."),
    ]


def test_markdown_soft_line_breaks_join_a_paragraph(tmp_path):
    text = "---\ntitle: T\n---\nAnn Lee: one line\nand its continuation.\n\nA second paragraph.\nBob Ray: Reply.\n"
    episode = read(write(tmp_path, "soft.md", text))
    assert episode.turns[0].text == "one line and its continuation.\n\nA second paragraph."


def test_front_matter_only_is_a_clear_failure():
    with pytest.raises(IngestError) as caught:
        read_episode(FIXTURES / "front_matter_only.md")
    assert str(caught.value).startswith(f"{FIXTURES / 'front_matter_only.md'}: markdown: no speech found")
    assert "only metadata: title, date, url" in str(caught.value)


def test_invalid_front_matter_names_the_line(tmp_path):
    path = write(tmp_path, "bad.md", "---\ntitle: [unclosed\ndate: 2024\n---\nHost: hi\n")
    with pytest.raises(IngestError, match=r"bad\.md: markdown: invalid YAML front matter \(lines 1-4\) at line"):
        read_episode(path)


def test_a_rule_then_text_is_not_front_matter(tmp_path):
    episode = read(write(tmp_path, "rule.md", "---\nJust a line after a rule.\n---\nMore words.\n"))
    assert episode.turns[0].text == "Just a line after a rule.\n\nMore words."


# ---------------------------------------------------------------- stamped paragraphs
def test_paragraphs_with_a_stamp_after_the_name_and_stamp_only_continuations():
    episode = read("stamped_paragraphs.txt")
    assert episode.format == "timestamped"
    assert [(turn.speaker, turn.start_s, turn.end_s) for turn in episode.turns] == [
        ("Leah Brandt", 3.0, 9.0), ("Omar Haddad", 9.0, 121.0), ("Leah Brandt", 121.0, 125.0), ("Omar Haddad", 125.0, None),
    ]
    assert episode.turns[1].text == "Good evening. The talks resumed today in Vienna.\n\nBoth delegations stayed until midnight."
    assert episode.turns[3].text == "The sequencing. Prisoner exchanges come first now.\n\nThen the line of contact."


# ---------------------------------------------------------------- press and hearings
def test_press_briefing():
    episode = read("press_briefing.txt")
    assert episode.format == "press"
    assert episode.title == "PRESS BRIEFING BY PRESS SECRETARY DANA WELLS"
    assert (episode.date, episode.description) == ("March 3, 2025", "James S. Brady Press Briefing Room")
    assert [(turn.speaker, turn.speaker_label, turn.role) for turn in episode.turns] == [
        ("Ms. Wells", "MS. WELLS", None),
        ("Reporter", "Q", "questioner"),
        ("Ms. Wells", "MS. WELLS", None),
        ("Reporter", "Q", "questioner"),
        ("The President", "THE PRESIDENT", None),
        ("President Nowak", "PRESIDENT NOWAK", None),  # the "(via interpreter)" note is part of the label
        ("Reporter", "Q", "questioner"),  # `Q:` as well as `Q`
        ("The President", "THE PRESIDENT", None),
    ]
    # Hard-wrapped lines are rejoined; an indented line opens a paragraph; stage directions stay.
    assert episode.turns[0].text == (
        "Good afternoon, everyone.  I have two announcements before I take questions.  First, the President will "
        "meet the Prime Minister of Poland on Thursday.  (Applause.)\n\n"
        "Second, the Secretary of State returns from Brussels tonight."
    )
    assert episode.turns[1].text == "Thank you, Dana.  Does the President still expect a ceasefire this month?"
    assert episode.turns[2].text == "He does.  (Laughter.)  He said so this morning."
    # Place, date, time lines and END are metadata; what follows END is not speech.
    for metadata in ("1:12 P.M.", "END", "1:49", "Share this page", "Brady", "Office of the Press Secretary"):
        assert metadata not in episode.text, metadata


def test_hearing_record_with_indented_period_labels():
    episode = read("hearing.txt")
    assert episode.format == "press"
    assert episode.title == "THE ALLIANCE AFTER THE WAR: A HEARING"
    assert [turn.speaker for turn in episode.turns] == [
        "The Chairman", "Senator Brook", "The Chairman", "Ambassador Lind", "Senator Cole", "Ambassador Lind",
    ]
    assert episode.turns[0].text == (
        "The committee will come to order. We meet today to ask what the alliance must do once the fighting stops, "
        "and how long our support should last.\n\nI thank our witness for coming on short notice.\n\nSenator Brook."
    )
    assert "The committee met" not in episode.text


def test_press_questions_take_the_sidecar_name(tmp_path):
    path = write(tmp_path, "brief.txt", (FIXTURES / "press_briefing.txt").read_text(encoding="utf-8"))
    write(tmp_path, "brief.meta.json", json.dumps({
        "source": "https://example.gov/brief",
        "speakers": {"Q": "Press Pool", "THE PRESIDENT": {"name": "Alan Carter", "role": "president"},
                     "MS. WELLS": "Dana Wells"},
    }))
    episode = read(path)
    assert episode.url == "https://example.gov/brief"
    assert episode.speakers == ["Dana Wells", "Press Pool", "Alan Carter", "President Nowak"]
    assert [(turn.speaker, turn.speaker_label, turn.role) for turn in episode.turns[:5]] == [
        ("Dana Wells", "MS. WELLS", None), ("Press Pool", "Q", "questioner"), ("Dana Wells", "MS. WELLS", None),
        ("Press Pool", "Q", "questioner"), ("Alan Carter", "THE PRESIDENT", "president"),
    ]


def test_labels_resolve_to_catalog_people_and_keep_the_label():
    from whoclaims.pipeline import canonical_speakers
    from whoclaims.settings import default_actors_file

    canonical = canonical_speakers(default_actors_file())
    assert canonical("PRESIDENT TRUMP") == "Donald Trump"
    assert canonical("Mr. Trump") == "Donald Trump"
    assert canonical("MS. WELLS") is None
    assert canonical("Russia") is None  # a state keeps the name it was given


def test_labels_with_an_organisation_before_the_title_are_speakers(tmp_path):
    # As NATO and the Kremlin write them: the first label opens the file, so it must not be taken
    # for a title line, and the third must not run on inside the question before it.
    text = ("NATO Secretary General Mark Rutte: Good morning. Allies agreed to keep supporting Ukraine.\n\n"
            "Teri Schultz (Deutsche Welle): Secretary General, is the United States still committed?\n\n"
            "NATO Secretary General Mark Rutte: Absolutely.\n\n"
            "President of Russia Vladimir Putin: We are open to talks.\n\n"
            "Prime Minister of Freedonia Ana Reyes: So are we.\n")
    assert speakers_and_labels(read_with_actors(write(tmp_path, "presser.txt", text))) == [
        ("Mark Rutte", "NATO Secretary General Mark Rutte"), ("Teri Schultz", "Teri Schultz"),
        ("Mark Rutte", "NATO Secretary General Mark Rutte"), ("Vladimir Putin", "President of Russia Vladimir Putin"),
        ("Ana Reyes", "Prime Minister of Freedonia Ana Reyes"),  # not in the catalog: the name, without the title
    ]


def test_a_label_with_two_notes_as_un_meeting_records_write_it(tmp_path):
    text = ("The President: I give the floor to the representative of Freedonia.\n\n"
            "Mr. Alvarez (Freedonia) (spoke in Spanish): We are ready for negotiations.\n\n"
            "The President: I thank the representative of Freedonia.\n")
    episode = read(write(tmp_path, "record.txt", text))
    assert speakers_and_texts(episode) == [
        ("The President", "I give the floor to the representative of Freedonia."),
        ("Mr. Alvarez", "We are ready for negotiations."),
        ("The President", "I thank the representative of Freedonia."),
    ]


def test_an_office_alone_is_the_speaker_whose_titled_label_extends_it(tmp_path):
    text = ("NATO Secretary General Mark Rutte: Allies agreed to keep supporting Ukraine.\n\n"
            "Teri Schultz (Deutsche Welle): Is the United States still committed?\n\n"
            "NATO Secretary General: Absolutely.\n\n"
            "Lars Holm (Reuters): And Ukraine?\n\n"
            "NATO Secretary General: The path is irreversible.\n")
    assert speakers_and_labels(read_with_actors(write(tmp_path, "presser.txt", text))) == [
        ("Mark Rutte", "NATO Secretary General Mark Rutte"), ("Teri Schultz", "Teri Schultz"),
        ("Mark Rutte", "NATO Secretary General"), ("Lars Holm", "Lars Holm"), ("Mark Rutte", "NATO Secretary General"),
    ]
    # Two people it could be: the office stays as written.
    text = ("SENATOR RISCH: Welcome.\n\nSENATOR SHAHEEN: Thank you.\n\nSENATOR: Order, please.\n\n"
            "SENATOR RISCH: We begin.\n")
    episode = read(write(tmp_path, "hearing.txt", text))
    assert [turn.speaker for turn in episode.turns][2] == "Senator"


def test_one_question_from_the_floor_is_its_own_turn(tmp_path):
    text = ("Maria Lind: Thank you. We have a call from Odesa.\n\n"
            "Question: Good afternoon. Why did you abandon us?\n\n"
            "Ivan Petrov: We never did. We keep talking to everyone.\n")
    episode = read(write(tmp_path, "call-in.txt", text))
    assert speakers_and_texts(episode) == [
        ("Maria Lind", "Thank you. We have a call from Odesa."),
        ("Question", "Good afternoon. Why did you abandon us?"),
        ("Ivan Petrov", "We never did. We keep talking to everyone."),
    ]
    # A speaker's own "Question: ..." inside a turn, not answered by a label, stays speech.
    text = ("Anna Berg: Welcome.\n\nTom Reed: The aid is expensive.\n\n"
            "Question: is it worth it? I think yes.\n\nAnna Berg: Thanks.\n")
    episode = read(write(tmp_path, "rhetoric.txt", text))
    assert [turn.speaker for turn in episode.turns] == ["Anna Berg", "Tom Reed", "Anna Berg"]


def test_an_organisation_before_a_title_needs_a_name_after_it():
    from whoclaims.ingest.names import is_titled_label

    assert is_titled_label("UN Secretary-General António Guterres")
    assert is_titled_label("US Secretary of State Marco Rubio")
    assert is_titled_label("Ukrainian President Volodymyr Zelensky")
    assert not is_titled_label("Russian President")  # no one named
    assert not is_titled_label("Good Morning President Trump")  # a greeting, not an organisation
    assert not is_titled_label("The Russian President Putin")


def test_canonical_speaker_applies_to_labels_only(tmp_path):
    text = "PRESIDENT TRUMP:  Thank you.\n\nQ    Sir, a question?\n\nPRESIDENT TRUMP:  Go ahead.\n\nQ    Thanks.\n"
    path = write(tmp_path, "remarks.txt", text)
    episode = read(path, canonical_speaker={"PRESIDENT TRUMP": "Donald Trump"}.get)
    assert speakers_and_labels(episode) == [
        ("Donald Trump", "PRESIDENT TRUMP"), ("Reporter", "Q"), ("Donald Trump", "PRESIDENT TRUMP"), ("Reporter", "Q"),
    ]


# ---------------------------------------------------------------- YAML and JSON documents
def test_yaml_turn_list_with_metadata_speaker_map_and_nested_keys():
    episode = read("turns.yaml")
    assert episode.format == "yaml"
    assert (episode.title, episode.date, episode.url) == (
        "Panel on Reconstruction", "2024-10-02", "https://events.example.net/panel-reconstruction",
    )
    assert episode.tags == ("reconstruction", "panel")
    assert [(turn.speaker, turn.speaker_label, turn.role, turn.start_s, turn.end_s) for turn in episode.turns] == [
        ("Ines Moreau", "CHAIR", None, 4.0, 15.0),
        ("Tomas Varga", "Tomas Varga", "guest", 16.0, 61.5),
        ("Lena Fischer", "Lena Fischer", None, 61.5, 100.0),  # `who` and `speaker_name` items of one speaker merge
        ("Ines Moreau", "CHAIR", None, 100.0, None),
    ]
    assert episode.turns[1].text == "Housing first, yes. But the grid comes before housing."
    assert episode.turns[2].text == "I would add schools to that list. Schools and clinics."


def test_yaml_nested_results_paragraphs_of_sentences():
    episode = read("results_nested.yaml")
    assert episode.title == "Nested Results"
    assert [(turn.speaker, turn.speaker_label, turn.text) for turn in episode.turns] == [
        ("Speaker 0", "0", "The front is quiet. For now."), ("Speaker 1", "1", "Quiet is not peace."),
    ]


def test_json_utterances_in_milliseconds():
    episode = read("utterances.json")
    assert [(turn.speaker, turn.start_s, turn.end_s, turn.text) for turn in episode.turns] == [
        ("Speaker A", 0.32, 1.41, "Welcome back."), ("Speaker B", 1.65, 2.3, "Thank you."),
        ("Speaker A", 2.5, 4.1, "Is the ceasefire holding?"), ("Speaker B", 4.3, 5.6, "Mostly, yes."),
    ]


def test_json_monologues_of_elements():
    episode = read("monologues.json")
    assert [(turn.speaker, turn.speaker_label, turn.start_s, turn.text) for turn in episode.turns] == [
        ("Rita Solberg", "Rita Solberg", 1.25, "Sanctions bite, slowly."), ("Speaker 1", "1", 3.0, "Agreed."),
    ]


def test_json_word_objects_and_string_times(tmp_path):
    data = {"results": [
        {"speaker": {"name": "Ann Lee", "role": "host"}, "start": "00:01:02.5",
         "words": [{"word": "Hello"}, {"word": ","}, {"word": "world"}, {"word": "."}]},
    ]}
    episode = read(write(tmp_path, "words.json", json.dumps(data)))
    assert [(turn.speaker, turn.role, turn.start_s, turn.text) for turn in episode.turns] == [
        ("Ann Lee", "host", 62.5, "Hello, world."),
    ]


def test_yaml_content_is_detected_in_a_txt_file_but_a_labelled_transcript_is_not_yaml(tmp_path):
    assert detect_format("- speaker: A B\n  text: Hello.\n- speaker: C D\n  text: Hi.\n", suffix=".txt") == "yaml"
    # Valid YAML (a mapping), but no list of turns: the inline labels win.
    assert detect_format("Host: hello there\nGuest: hi\n", suffix=".txt") == "inline"


def test_yaml_errors_name_the_line(tmp_path):
    with pytest.raises(IngestError, match=r"yaml: invalid YAML at line 3 column 1"):
        read_episode(write(tmp_path, "bad.yaml", "- speaker: A\n  text: [unclosed\n"))
    with pytest.raises(IngestError, match="'turns' is a str, not a list"):
        read_episode(write(tmp_path, "shape.yaml", "turns: just words\n"))


def test_yaml_aliases_are_visited_once(tmp_path):
    text = "a: &a {b: &b {c: &c {d: 1}}}\nx: [*a, *a, *a]\nturns:\n  - speaker: Ann\n    text: Hi.\n"
    assert [turn.text for turn in read(write(tmp_path, "alias.yaml", text)).turns] == ["Hi."]


# ---------------------------------------------------------------- HTML
def test_html_page_with_navigation_boilerplate_and_bold_speakers():
    episode = read("page.html")
    assert (episode.format, episode.layout) == ("html", "inline")
    assert episode.title == "In Conversation: Daria Melnyk on the Front"
    assert episode.description == "A correspondent's interview with Daria Melnyk."
    assert episode.url == "https://news.example.com/melnyk-interview"
    assert [(turn.speaker, turn.section) for turn in episode.turns] == [
        ("Correspondent", "The front"), ("Daria Melnyk", "The front"),
        ("Correspondent", "The talks"), ("Daria Melnyk", "The talks"),
    ]
    assert episode.turns[1].text == "It is hard & cold. Our units are tired, but they hold.\n\nWe need air defence before anything else."
    assert episode.turns[3].text == "Talks without guarantees give Russia a pause to rearm.\nWe have seen that before."
    for boilerplate in ("Home", "cookies", "dataLayer", "Share on", "Related", "Example News", "console", "By Our"):
        assert boilerplate not in episode.text, boilerplate


def test_html_speaker_spans_and_timestamp_links():
    episode = read("page_spans.html")
    assert (episode.format, episode.layout) == ("html", "timestamped")
    assert episode.title == "Transcript for Episode 88 | Example Talks"
    assert rows(episode) == [
        ("Kai Berger", "Kai Berger", 0.0, "Opening"),  # the empty speaker span continues Kai Berger
        ("Ruth Amsel", "Ruth Amsel", 65.0, "Guarantees"),
        ("Kai Berger", "Kai Berger", 80.0, "Guarantees"),
    ]
    assert episode.turns[0].text == "Welcome to episode 88.\n\nMy guest is a former negotiator."
    assert "Contents" not in episode.text and "Opening" not in episode.text and "Subscribe" not in episode.text


def test_html_is_detected_in_a_txt_file_and_bold_emphasis_is_not_a_speaker(tmp_path):
    page = "<html><body><p>The <b>war</b> goes on.</p><p><b>Ukraine</b> will not give up.</p></body></html>"
    path = write(tmp_path, "page.txt", page)
    assert detect_format(page, suffix=".txt") == "html"
    episode = read(path)
    assert episode.layout == "plain"
    assert episode.turns[0].text == "The war goes on.\n\nUkraine will not give up."


# ---------------------------------------------------------------- detection: no false positives
@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("Mr. President, delegates,\n\nOur position is clear: we support the Charter.\n\nThank you.\n", "plain"),
        ("We met at 10:30.\nNote: this matters.\nExample: the oil cap.\n", "plain"),
        ("The *real* question is simple.\nIt is about trust.\n", "plain"),  # one stray emphasis in a .txt
        ("END of the story: nothing changed.\nAnd then we left.\n", "plain"),
        ("Q and A sessions were held.\nQ ratings fell.\n", "plain"),  # `Q ...` without other speakers
        ("President Smith said no. The talks failed.\nPresident Smith left.\n", "plain"),
        ("ANNA SMITH: Hello.\nBOB JONES: Hi. Note: this is a test.\n", "inline"),
        ("MS. WELLS:  Hello.\n\nQ    A question?\n\nMS. WELLS:  An answer.\n\nQ    Thanks.\n", "press"),
        ("Speaker 1  0:03\nHello there.\n\nSpeaker 2  1:10\nHi.\n", "speaker_header"),
    ],
)
def test_detection_without_false_positives(text, fmt):
    assert detect_format(text, suffix=".txt") == fmt


def test_a_md_file_without_markdown_keeps_its_layout_name():
    assert detect_format("Just text.", suffix=".md") == "plain"
    assert detect_format("Ann Lee: Hi.\nBob Ray: Hello.\n", suffix=".md") == "inline"
    assert detect_format("Ann Lee: Hi [there](https://x.org).\nBob Ray: Hello.\n", suffix=".md") == "markdown"


def test_forced_layout_reads_markdown_without_its_markup(tmp_path):
    episode = read("podcast_timestamps.md", force_format="plain")
    assert episode.format == "plain"
    assert "http" not in episode.text and "Sam Okafor" in episode.text


# ---------------------------------------------------------------- warnings
def test_one_speaker_warns_with_the_fix(tmp_path):
    episode = read(write(tmp_path, "solo.txt", "Host: Hello.\nHost: Still me.\n"))
    # A bare role names nobody either (`Host`, `Guest`, like `Speaker 1`).
    assert [warning.split(":")[0] for warning in episode.warnings] == ["one_speaker", "unnamed_speakers"]
    warning = episode.warnings[0]
    assert warning.startswith("one_speaker: one speaker, 'Host', for the whole file (read as inline, 1 turn)")
    for fix in ("--format", "--default-speaker", "solo.meta.json", "whoclaims inspect solo.txt"):
        assert fix in warning


def test_host_and_guest_labels_warn_but_press_questioners_do_not(tmp_path):
    episode = read(write(tmp_path, "show.txt", "HOST: Welcome.\n\nGUEST: Putin wants it all.\n\nHOST: Thanks.\n"))
    assert [warning.split(":")[0] for warning in episode.warnings] == ["unnamed_speakers"]
    assert "('Host', 'Guest')" in episode.warnings[0]
    briefing = read(write(tmp_path, "briefing.txt", "MS. LEAVITT: Good afternoon.\n\nQ Thank you.\n\nMS. LEAVITT: Sure.\n"))
    assert briefing.warnings == ()


def test_unknown_speaker_warns_and_a_named_speaker_does_not(tmp_path):
    path = write(tmp_path, "speech.txt", "Distinguished delegates, the war must end.\n")
    assert read(path).warnings[0].startswith("unknown_speaker: no speaker found for the whole file (read as plain)")
    assert read(path, default_speaker="Jane Doe").warnings == ()
    write(tmp_path, "speech.meta.json", json.dumps({"default_speaker": "Jane Doe"}))
    assert read(path).warnings == ()


def test_an_oversized_turn_warns(tmp_path):
    words = " ".join("word." if i % 10 == 9 else "word" for i in range(LONG_TURN_WORDS + 1))
    episode = read(write(tmp_path, "long.txt", f"Ann Lee: Hi.\nBob Ray: {words}\nAnn Lee: Bye.\n"))
    assert [warning.split(":")[0] for warning in episode.warnings] == ["long_turn"]
    assert f"turn 1 ('Bob Ray') has {LONG_TURN_WORDS + 1:,} words" in episode.warnings[0]
    # A named speaker's long speech is what was asked for.
    assert read(write(tmp_path, "speech.txt", words), default_speaker="Jane Doe").warnings == ()


def test_text_without_sentence_ends_warns(tmp_path):
    # Auto-generated captions: words with no punctuation cannot be split into sentences.
    captions = "".join(f"{i + 1}\n00:00:{i:02d},000 --> 00:00:{i + 1:02d},000\nso i think putin wants all of it\n\n"
                       for i in range(40))
    episode = read(write(tmp_path, "auto.srt", captions), default_speaker="Jane Doe")
    assert [warning.split(":")[0] for warning in episode.warnings] == ["no_punctuation"]
    assert "320 words with 0 sentence ends" in episode.warnings[0]
    punctuated = captions.replace("of it\n", "of it.\n")
    assert read(write(tmp_path, "manual.srt", punctuated), default_speaker="Jane Doe").warnings == ()


def test_a_conversation_with_speakers_has_no_warning():
    assert read("podcast_timestamps.md").warnings == ()
    assert read("press_briefing.txt").warnings == ()


# ---------------------------------------------------------------- plain text inside Markdown, captions
def test_a_speech_in_markdown_is_one_turn_whatever_its_headings(tmp_path):
    text = ("# Address to the Assembly\n\nMr President,\n\n### Page 2:\n\nThe **Charter** is clear.\n\n"
            "### Page 3:\n\n> Peace is the goal.\n")
    episode = read(write(tmp_path, "speech.md", text), default_speaker="Russia")
    assert (episode.format, episode.layout, episode.title) == ("markdown", "plain", "Address to the Assembly")
    assert [(turn.speaker, turn.section, turn.speaker_label) for turn in episode.turns] == [
        ("Russia", "Address to the Assembly", None),
    ]
    assert episode.turns[0].text == "Mr President,\n\nThe Charter is clear.\n\nPeace is the goal."
    assert episode.warnings == ()


def test_touching_bold_runs_and_a_link_around_a_bold_name(tmp_path):
    text = "Intro.\n\n[**Speaker Ann Lee**](https://x.org/1)**:** We agree.\n\n[**Bob Ray**](https://x.org/2)**:** So do we.\n"
    episode = read(write(tmp_path, "article.md", text))
    assert speakers_and_texts(episode) == [("Ann Lee", "We agree."), ("Bob Ray", "So do we.")]
    assert episode.title == "Intro."


def test_caption_style_stamps_open_the_lines_of_a_plain_text(tmp_path):
    episode = read(write(tmp_path, "captions.txt", "0:00 welcome back to the channel\n0:04 today we talk\n0:07 about the front\n"))
    assert episode.format == "plain"
    assert (episode.turns[0].start_s, episode.turns[0].text) == (0.0, "welcome back to the channel\ntoday we talk\nabout the front")


def test_surname_labels_are_the_speaker_named_in_full_once():
    episode = read("news_surnames.txt")
    assert episode.format == "inline"
    assert [(turn.speaker, turn.speaker_label) for turn in episode.turns] == [
        ("Steve Martin", "STEVE MARTIN, HOST"), ("Anna Park", "ANNA PARK, BYLINE"), ("Steve Martin", "MARTIN"),
        ("Anna Park", "PARK"), ("Volodymyr Zelenskyy", "VOLODYMYR ZELENSKYY"), ("Anna Park", "PARK"),
        ("Steve Martin", "MARTIN"), ("Anna Park", "PARK"),
    ]
    assert [turn.role for turn in episode.turns[:4]] == ["host", "byline", "host", "byline"]
    assert "SOUNDBITE" not in episode.text  # a stage direction alone on a line is dropped


def test_a_surname_two_speakers_share_stays_apart(tmp_path):
    text = "JANE DOE: Hello.\nJOHN DOE: Hi.\nDOE: Which one of us?\nMS. DOE: Me.\n"
    episode = read(write(tmp_path, "does.txt", text))
    assert episode.speakers == ["Jane Doe", "John Doe", "Doe", "Ms. Doe"]


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        # Happy Scribe: a stamped header line `[time] - Name`.
        ("[00:00:00.15] - Speaker 1\nWelcome to the program.\n\n[00:00:05.20] - Speaker 2\nThank you.\n\n"
         "[00:00:09.00] - Speaker 1\nLet us begin.\n", "speaker_header"),
        # A stamp on the line after the name.
        ("Jane Doe\n00:00:00.15\nWelcome to the program.\n\nJohn Roe\n00:00:05.20\nThank you.\n\n"
         "Jane Doe\n00:00:09\nLet us begin.\n", "speaker_header"),
        # Sonix: a stamp right after the label.
        ("Speaker1: [00:00:00.15] Welcome to the program.\n\nSpeaker2: [00:00:05.20] Thank you.\n\n"
         "Speaker1: [00:00:09] Let us begin.\n", "timestamped"),
    ],
)
def test_stamps_of_transcription_services_become_start_times(tmp_path, text, fmt):
    episode = read(write(tmp_path, "service.txt", text))
    assert episode.format == fmt
    assert [turn.text for turn in episode.turns] == ["Welcome to the program.", "Thank you.", "Let us begin."]
    assert [(turn.start_s, turn.end_s) for turn in episode.turns] == [(0.15, 5.2), (5.2, 9.0), (9.0, None)]
    assert len(set(episode.speakers)) == 2


def test_markdown_escapes_are_text_not_markup():
    from whoclaims.ingest.markdown import clean_inline

    line, found = clean_inline(r"a \*b\* [x](https://y.org/a\_b) 5\_000 \[not a link\](x) **bold** `code`")
    assert line == "a *b* x 5_000 [not a link](x) bold code"
    assert found["escape"] == 6 and found["link"] == 1 and found["emphasis"] == 1


def test_no_break_spaces_after_labels_from_saved_web_pages(tmp_path):
    text = "MS. WELLS:\u00a0 Good afternoon.\n\nQ\u00a0\u00a0\u00a0 Thank you.\n\nMS. WELLS:\u00a0 Sure.\n\nQ\u00a0\u00a0 One more.\n"
    episode = read(write(tmp_path, "nbsp.txt", text))
    assert episode.format == "press"
    assert speakers_and_texts(episode) == [
        ("Ms. Wells", "Good afternoon."), ("Reporter", "Thank you."), ("Ms. Wells", "Sure."), ("Reporter", "One more."),
    ]


def test_a_clipped_web_page_in_markdown_drops_navigation_lines(tmp_path):
    text = (
        "---\ntitle: Remarks\nsource: https://example.gov/remarks\n---\n[Skip to content](https://example.gov/#c)\n\n"
        "- [News](https://example.gov/news/)\n- [Issues](https://example.gov/issues/)\n\n2:15 P.M. EDT\n\n"
        "PRESIDENT SMITH: Thank you. (Applause.) See [the plan](https://example.gov/plan).\n\n"
        "Q Will there be guarantees?\n\nPRESIDENT SMITH: There will be.\n\n"
        "[Contact](https://example.gov/contact/) | [Privacy](https://example.gov/privacy/)\n\n"
        "[![](https://example.gov/logo.png)](https://example.gov/)\n"
    )
    episode = read(write(tmp_path, "remarks.md", text))
    assert (episode.format, episode.layout) == ("markdown", "press")
    assert speakers_and_texts(episode) == [
        ("President Smith", "Thank you. (Applause.) See the plan."),
        ("Reporter", "Will there be guarantees?"),
        ("President Smith", "There will be."),
    ]


def test_an_aside_that_wrapping_leaves_on_its_own_line_stays_in_the_paragraph(tmp_path):
    text = (
        "     MS. WELLS:  We have said it many times, and we will say it again today, that\n"
        "support for our partners will continue as long as it takes, whatever happens\n"
        "(Laughter.)\n"
        "in the meantime in the halls of Congress or elsewhere in this town, frankly.\n\n"
        "     Q    Thank you.  But is there a date, a real date, for the next package of\n"
        "aid, or is that still being discussed with the allies in Brussels this week?\n\n"
        "     MS. WELLS:  There is no date yet, and I will not speculate on one from this\n"
        "podium today.\n\n"
        "(Applause.)\n\n"
        "     Q    Thanks.\n"
    )
    episode = read(write(tmp_path, "wrapped.txt", text))
    assert [turn.speaker for turn in episode.turns] == ["Ms. Wells", "Reporter", "Ms. Wells", "Reporter"]
    assert episode.turns[0].text == (
        "We have said it many times, and we will say it again today, that support for our partners will continue "
        "as long as it takes, whatever happens (Laughter.) in the meantime in the halls of Congress or elsewhere in "
        "this town, frankly."
    )
    assert episode.turns[2].text == "There is no date yet, and I will not speculate on one from this podium today."


def test_a_place_line_before_the_one_speaker_still_opens_a_speech(tmp_path: Path):
    """A press office's remarks: a short place and time line, then one `Name:` label for the whole speech."""
    path = tmp_path / "remarks.txt"
    path.write_text("The Grand Hall, Springfield 5:39 P.M. CET\n\nJane Roe: Hello, everyone. Thank you for coming.\n"
                    "We will keep our promises to our friends.\n", encoding="utf-8")
    episode = read(path)
    assert episode.format == "inline"
    assert [turn.speaker for turn in episode.turns] == ["Jane Roe"]
    assert "Grand Hall" not in episode.turns[0].text


def test_a_long_text_before_the_first_label_is_not_a_preamble(tmp_path: Path):
    path = tmp_path / "essay.txt"
    path.write_text("An essay line that goes on. " * 20 + "\n\nJane Roe: a single quoted remark.\n", encoding="utf-8")
    assert read(path).format == "plain"


def test_an_institution_opening_a_statement_page_is_its_speaker(tmp_path: Path):
    path = tmp_path / "statement.txt"
    path.write_text("The Daily Planet: The summit was a success, officials say.\n\nMore text follows.\n",
                    encoding="utf-8")
    episode = read(path)
    assert {turn.speaker for turn in episode.turns} == {"The Daily Planet"}


def test_the_is_not_a_label_anywhere_but_the_opening(tmp_path: Path):
    path = tmp_path / "talk.txt"
    path.write_text("Anna Smith: Hello there.\nBob Jones: Hi.\nThe Point: it is not a speaker here.\n"
                    "Anna Smith: Right.\n", encoding="utf-8")
    speakers = {turn.speaker for turn in read(path).turns}
    assert speakers == {"Anna Smith", "Bob Jones"}


def test_a_press_paragraph_wrapped_onto_a_bracketed_word_keeps_it(tmp_path: Path):
    """Found by the property test: a short press transcript (too short to show its wrap width)
    whose paragraph wraps onto a line holding only `[sic]` lost the word."""
    path = tmp_path / "briefing.txt"
    path.write_text("East Room\n\n2:15 P.M. EST\n\n     MS. ROE:  We said so.\n\n"
                    "     THE PRESIDENT:  We will see what happens with the talks. (Laughter.)\n[sic]\n\n"
                    "                 END          2:55 P.M. EST\n", encoding="utf-8")
    turns = read(path).turns
    assert turns[-1].speaker == "The President" and turns[-1].text.endswith("[sic]")


# ---------------------------------------------------------------- labels as some exports write them
def test_caption_chevrons_before_labels_are_speaker_changes(tmp_path):
    text = (">> JOHN SMITH: Welcome back. Today, Ukraine.\n\n>> MARIA LOPEZ: Thanks. Putin wants all of it.\n\n"
            ">> JOHN SMITH: Can Trump make a deal?\n>> Let me add one thing.\n")
    episode = read(write(tmp_path, "cnn.txt", text))
    assert episode.format == "inline"
    assert [(t.speaker, t.text) for t in episode.turns] == [
        ("John Smith", "Welcome back. Today, Ukraine."), ("Maria Lopez", "Thanks. Putin wants all of it."),
        ("John Smith", "Can Trump make a deal?"), ("Unknown", "Let me add one thing.")]
    # A `>>` without a name is another, unnamed speaker: not the previous one, and the user is told.
    (warning,) = episode.warnings
    assert warning.startswith("unknown_speaker: no speaker found for 1 of 4 turns (read as inline)")
    named = read(write(tmp_path, "named.txt", text.replace(">> Let", "Let")))
    assert named.turns[-1].text == "Can Trump make a deal?\nLet me add one thing." and named.warnings == ()


def test_bracketed_labels_are_speakers_not_markdown_link_definitions(tmp_path):
    text = "[John Smith]: Welcome back.\n[Maria Lopez]: Thanks for having me.\n[John Smith]: Good.\n[Maria Lopez]: No.\n"
    episode = read(write(tmp_path, "brackets.txt", text))
    assert episode.format == "inline"
    assert [t.speaker for t in episode.turns] == ["John Smith", "Maria Lopez", "John Smith", "Maria Lopez"]
    assert episode.turns[-1].text == "No."
    # A real link definition is still markup, not speech.
    markdown = ("# Episode 4\n\nAnn Lee: Read [the report][1] first.\n\nBob Ray: I [did](https://x.org).\n\n"
                '[1]: https://example.org/report "The report"\n[2]: <https://example.org/b>\n[3]: example.org\n')
    episode = read(write(tmp_path, "links.md", markdown))
    assert [t.speaker for t in episode.turns] == ["Ann Lee", "Bob Ray"]
    assert "example.org" not in episode.text


def test_speakers_without_names_warn_until_a_sidecar_names_them(tmp_path):
    path = write(tmp_path, "qa.txt", "Q: Will the talks work?\n\nA: No, I do not think so.\n\nQ: Why?\n\nA: Putin wants more.\n")
    (warning,) = read(path).warnings
    assert warning.startswith("unnamed_speakers: 2 speaker(s) labelled without a name ('Q', 'A')")
    assert 'qa.meta.json holding {"speakers": {"Q": "NAME", "A": "NAME"}}' in warning
    diarised = write(tmp_path, "d.txt", "Speaker 1 (00:01): Hello.\n\nSPEAKER_02 (00:05): Hi.\n\nSpeaker B (00:09): Yes.\n")
    assert "('Speaker 1', 'SPEAKER_02', 'Speaker B')" in read(diarised).warnings[0]
    write(tmp_path, "qa.meta.json", json.dumps({"speakers": {"Q": "John Smith", "A": "Maria Lopez"}}))
    assert read(path).warnings == ()
    named = write(tmp_path, "n.txt", "Speakers Corner: Hello.\n\nAnn Lee: Hi.\n\nAl: Yes.\n\nAnn Lee: Right.\n")
    assert not any(w.startswith("unnamed_speakers") for w in read(named).warnings)


@pytest.mark.parametrize("separator", [" -", " –", " |"])
def test_a_header_with_a_separator_before_its_stamp(tmp_path, separator):
    text = (f"John Smith{separator} 00:00:01\nWelcome back.\n\nMaria Lopez{separator} 00:00:12\nThanks.\n\n"
            f"John Smith{separator} 00:00:30\nCan Trump make a deal?\n")
    episode = read(write(tmp_path, "header.txt", text))
    assert [(t.speaker, t.start_s, t.text) for t in episode.turns] == [
        ("John Smith", 1.0, "Welcome back."), ("Maria Lopez", 12.0, "Thanks."),
        ("John Smith", 30.0, "Can Trump make a deal?")]


def test_dash_labels_count_when_two_speakers_recur_and_prose_dashes_do_not(tmp_path):
    text = ("John Smith — Welcome back. Today, Ukraine.\n\nMaria Lopez — Thanks. Putin wants all of it.\n\n"
            "John Smith — Can Trump make a deal?\n\nMARIA LOPEZ – No.\n")
    episode = read(write(tmp_path, "dash.txt", text))
    assert [(t.speaker, t.text) for t in episode.turns] == [
        ("John Smith", "Welcome back. Today, Ukraine."), ("Maria Lopez", "Thanks. Putin wants all of it."),
        ("John Smith", "Can Trump make a deal?"), ("Maria Lopez", "No.")]
    prose = ("Putin — who has ruled since 2000 — wants it all.\n\nPutin — As I said — will not stop.\n\n"
             "Putin — And here is why — needs the war.\n")
    episode = read(write(tmp_path, "prose.txt", prose))
    assert episode.format == "plain" and episode.text.startswith("Putin — who has ruled")
    # One dash line beside colon labels is text of the turn, not a new speaker.
    mixed = "Ann Lee: Hello.\n\nBob Ray: Hi.\nZelensky — He said it twice.\n\nAnn Lee: Bye.\n\nBob Ray: Bye.\n"
    episode = read(write(tmp_path, "mixed.txt", mixed))
    assert [t.speaker for t in episode.turns] == ["Ann Lee", "Bob Ray", "Ann Lee", "Bob Ray"]
    assert "Zelensky — He said it twice." in episode.turns[1].text


@pytest.mark.parametrize("suffix", [".html", ".md"])
def test_headings_that_name_recurring_speakers_are_speakers(tmp_path, suffix):
    turns = [("John Smith", "Welcome back."), ("Maria Lopez", "Thanks. Putin wants all of it."),
             ("John Smith", "Can Trump make a deal?"), ("Maria Lopez", "No.")]
    if suffix == ".html":
        body = "".join(f"<h3>{name}</h3><p>{text}</p>" for name, text in turns)
        page = f"<html><body><h2>Part one</h2>{body}<h2>Part two</h2><h3>John Smith</h3><p>Bye.</p></body></html>"
    else:
        body = "".join(f"### {name}\n\n{text}\n\n" for name, text in turns)
        page = f"# Episode 5\n\n## Part one\n\n{body}## Part two\n\n### John Smith\n\nBye.\n"
    episode = read(write(tmp_path, f"page{suffix}", page))
    assert [(t.speaker, t.text, t.section) for t in episode.turns] == [
        *[(name, text, "Part one") for name, text in turns], ("John Smith", "Bye.", "Part two")]


def test_one_name_heading_two_sections_is_a_section_title(tmp_path):
    about = ("# Notes\n\n## Vladimir Putin\n\nHis aims are the point.\n\n## Donald Trump\n\nHe wants a deal.\n\n"
             "## Vladimir Putin\n\nMore on his aims.\n")
    episode = read(write(tmp_path, "about.md", about), default_speaker="Ann Lee")
    assert [(t.speaker, t.section) for t in episode.turns] == [("Ann Lee", "Vladimir Putin")]
    assert episode.text.split() == "His aims are the point. He wants a deal. More on his aims.".split()


def test_a_stamp_line_above_the_speaker_name(tmp_path):
    text = ("Episode 12: Ukraine\n\n00:00:01\nJohn Smith\nWelcome back.\n\n00:00:12\nMaria Lopez\nThanks.\n"
            "Putin wants all of it.\n\n00:00:30\nJohn Smith\nCan Trump make a deal?\n")
    episode = read(write(tmp_path, "stamps.txt", text))
    assert episode.title == "Episode 12: Ukraine"
    assert [(t.speaker, t.start_s, t.text.split()) for t in episode.turns] == [
        ("John Smith", 1.0, ["Welcome", "back."]), ("Maria Lopez", 12.0, "Thanks. Putin wants all of it.".split()),
        ("John Smith", 30.0, "Can Trump make a deal?".split())]
    # Captions copied with a stamp above each line stay text of one (unnamed, warned) speaker.
    captions = read(write(tmp_path, "yt.txt", "0:00\nwelcome back to the show\ntoday ukraine\n\n0:05\nthanks for having me\nyes\n"))
    assert captions.format == "plain" and captions.warnings[0].startswith("unknown_speaker")


@pytest.mark.parametrize("label, unnamed", [
    ("Speaker 1", True), ("SPEAKER_00", True), ("Speaker B", True), ("Speaker", True), ("Speaker #2", True),
    ("Unidentified Speaker", True), ("Caller 2", True), ("Guest 1", True), ("A", True), ("q", True),
    ("Ann Lee", False), ("Al", False), ("Speakers Corner", False), ("Host", False), ("Vladimir Putin", False),
])
def test_unnamed_labels_are_one_definition_for_the_reader_and_the_warning(label, unnamed):
    from whoclaims.ingest.names import is_unnamed_label

    assert is_unnamed_label(label) is unnamed
