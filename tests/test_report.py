"""The HTML report: escaping, no external loads, highlights, charts, empty inputs, screenshots."""

from __future__ import annotations

import importlib.util
import re
import struct
from pathlib import Path

import pytest

from episode_builder import FakeEncoder, claim_row, episode_tables, mention_row
from whoclaims import compare, report
from whoclaims.report import ClaimSpan, highlight
from whoclaims.settings import Settings
from whoclaims.storage import Store

HOSTILE = "<script>alert('x')</script>"
TEXT_1 = (
    "Thank you for joining us.\n\n"
    "I argue that Putin's aims have not changed. He still wants all of Ukraine. "
    f"Europe must do more. {HOSTILE} See https://evil.example/x.js\n\n"
    "Trump says he will end the war."
)
TEXT_2 = "Negotiating now would reward aggression. Europe must pay for its own defence."


def _span(text: str, sentence: str) -> tuple[int, int]:
    start = text.index(sentence)
    return start, start + len(sentence)


def _claim(text: str, episode_id: str, claim_id: str, span: tuple[int, int], **labels: str):
    return claim_row(episode_id, claim_id, claim=text[span[0] : span[1]], start_char=span[0], end_char=span[1], **labels)


def _store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "processed")
    turn_2 = TEXT_1.index("I argue")
    turn_3 = TEXT_1.index("Trump says")
    aims = _span(TEXT_1, "I argue that Putin's aims have not changed.")
    wants = _span(TEXT_1, "He still wants all of Ukraine.")
    europe = _span(TEXT_1, "Europe must do more.")
    trump = _span(TEXT_1, "Trump says he will end the war.")
    hostile_holder = f"{HOSTILE}\u202eEvil\u200b Holder"
    claims = [
        _claim(TEXT_1, "ep1", "c1", aims, holder="Robert Person", topic="putin_aims", stance="favor"),
        # The same sentence on a second topic, and a nested claim overlapping it: one highlight.
        _claim(TEXT_1, "ep1", "c1", aims, holder="Robert Person", topic="negotiation", stance="against"),
        _claim(TEXT_1, "ep1", "c2", wants, holder="Vladimir Putin", topic="putin_aims", stance="favor"),
        _claim(TEXT_1, "ep1", "c3", europe, holder=hostile_holder, topic="europe_role", stance="favor"),
        _claim(TEXT_1, "ep1", "c4", trump, holder="Donald Trump", topic="trump_prospects", stance="none"),
    ]
    store.write_episode("ep1", episode_tables(
        "ep1",
        text=TEXT_1,
        turns=[("Ferenc Laczo", 0, turn_2 - 2), (f"Robert {HOSTILE} Person\u202e", turn_2, turn_3 - 2),
               ("Ferenc Laczo", turn_3, len(TEXT_1))],
        claims=claims,
        mentions=[mention_row("ep1", k, "putin", "Vladimir Putin") for k in range(3)],
        date="2025-03-01",
        title=f"Episode one {HOSTILE}",
        show="Journal \u202eof Democracy",
    ))
    europe_2 = _span(TEXT_2, "Europe must pay for its own defence.")
    store.write_episode("ep2", episode_tables(
        "ep2",
        text=TEXT_2,
        turns=[("Anne Applebaum", 0, len(TEXT_2))],
        claims=[
            _claim(TEXT_2, "ep2", "c1", (0, TEXT_2.index(" Europe")), holder="Robert Person", topic="negotiation",
                   stance="favor"),
            _claim(TEXT_2, "ep2", "c2", europe_2, holder="Anne Applebaum", topic="europe_role", stance="favor"),
        ],
        mentions=[mention_row("ep2", k, "macron", "Emmanuel Macron") for k in range(3)],
        date="2025-06-01",
        title="Episode two",
    ))
    return store


def _comparison(store: Store) -> dict:
    europe_1 = "Europe must do more."
    encoder = FakeEncoder({
        "I argue that Putin's aims have not changed.": [1.0, 0.0, 0.0],
        "He still wants all of Ukraine.": [0.0, 1.0, 0.0],
        europe_1: [0.0, 0.0, 1.0],
        "Trump says he will end the war.": [0.6, 0.8, 0.0],
        "Negotiating now would reward aggression.": [0.6, -0.8, 0.0],
        "Europe must pay for its own defence.": [0.0, 0.1, 0.995],
    })
    return compare.build_comparison(store, settings=Settings(), encoder=encoder)


@pytest.fixture
def report_html(tmp_path: Path) -> str:
    store = _store(tmp_path)
    path = report.write_report(store, tmp_path / "out" / "report.html", comparison=_comparison(store))
    return path.read_text(encoding="utf-8")


def _marks(document: str) -> list[tuple[str, str, str]]:
    """(class, title, text) of every highlight."""
    return re.findall(r'<mark class="(m-[a-z]+)" title="([^"]*)">([^<]*)</mark>', document)


def test_report_escapes_transcript_text_and_names(report_html: str) -> None:
    # Exactly one script element: the report's own.
    assert report_html.count("<script") == 1
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in report_html
    for invisible in ("\u202e", "\u200b"):
        assert invisible not in report_html
    assert "Journal of Democracy" in report_html
    assert "Episode one &lt;script&gt;" in report_html


def test_report_loads_nothing_from_outside(report_html: str) -> None:
    assert not re.search(r"""(?:src|href|action|xlink:href)\s*=\s*["']?\s*(?:https?:)?//""", report_html, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//", report_html, re.I)
    assert "@import" not in report_html and "<link" not in report_html and "<iframe" not in report_html
    # A URL in the transcript is text, not a link.
    assert "See https://evil.example/x.js" in report_html
    assert "default-src &#39;none&#39;" in report_html  # the CSP attribute, entity-escaped


def test_report_highlights_claim_spans(report_html: str) -> None:
    marks = _marks(report_html)
    texts = [text for _, _, text in marks]
    assert texts == [
        "I argue that Putin&#39;s aims have not changed.",
        "He still wants all of Ukraine.",
        "Europe must do more.",
        "Trump says he will end the war.",
        "Negotiating now would reward aggression.",
        "Europe must pay for its own defence.",
    ]
    kinds = [kind for kind, _, _ in marks]
    # Two topics on one sentence with different stances: one highlight, marked mixed, listing both.
    assert kinds[0] == "m-mixed" and "putin_aims: favor" in marks[0][1] and "negotiation: against" in marks[0][1]
    assert kinds[1:4] == ["m-favor", "m-favor", "m-none"]
    first = report_html.index(marks[0][2])
    tags = report_html[first : report_html.index("</span></span>", first)]
    assert "Robert Person · putin_aims" in tags and "Robert Person · negotiation" in tags
    # The hostile holder is escaped and stripped in its tag.
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;Evil Holder" in report_html


def test_report_shows_index_charts_and_comparison(report_html: str) -> None:
    assert report_html.index("Episode one") < report_html.index("Episode two")  # date order
    assert 'href="#ep-ep1"' in report_html and 'id="ep-ep1"' in report_html
    assert report_html.count("<svg") >= 5
    assert "net stance per holder and topic" in report_html
    # Heatmap cell: Robert Person on negotiation, against in ep1 and favor in ep2.
    assert "Robert Person — negotiation: net +0.00 from 2 claims (1 favor, 1 against, 0 none) in 2 episode(s)" in report_html
    # Stance bar of one episode.
    assert "Vladimir Putin — putin_aims: 1 favor, 0 against, 0 none</title>" in report_html
    # Robert Person: against on negotiation in ep1, favor in ep2.
    changes = report_html[report_html.index('id="changes"') : report_html.index('id="salience"')]
    assert "Robert Person" in changes and "pill against" in changes and "pill favor" in changes
    similar = report_html[report_html.index('id="similar"') : report_html.index('id="transcripts"')]
    assert "Europe must do more." in similar and "Europe must pay for its own defence." in similar
    assert "<details class=\"episode\"" in report_html and "<details class=\"episode\" open" not in report_html


def test_highlight_clips_and_merges() -> None:
    text = "abc def ghi jkl"
    spans = [
        ClaimSpan(4, 7, "A", "t1", "favor"),
        ClaimSpan(6, 11, "B", "t2", "favor"),
        ClaimSpan(12, 30, "C", "t3", "against"),  # runs past the end: clipped
        ClaimSpan(3, 3, "D", "t4", "none"),  # empty: ignored
    ]
    html = str(highlight(text[2:], spans, offset=2))
    assert html.startswith("c ")
    marks = _marks(html)
    assert [(kind, body) for kind, _, body in marks] == [("m-favor", "def ghi"), ("m-against", "jkl")]
    assert "A · t1" in html and "B · t2" in html


def test_claims_on_no_topic_are_underlined_without_labels() -> None:
    text = "We meet here today. Putin wants all of Ukraine."
    spans = [
        ClaimSpan(0, 19, "United Kingdom", None, "none"),
        ClaimSpan(20, len(text), "United Kingdom", "putin_aims", "favor"),
        ClaimSpan(20, len(text), "United Kingdom", None, "none"),
    ]
    html = str(highlight(text, spans))
    marks = _marks(html)
    assert [(kind, body) for kind, _, body in marks] == [("m-claim", "We meet here today."),
                                                         ("m-favor", "Putin wants all of Ukraine.")]
    assert html.count('class="tag ') == 1 and "claim on no topic" in marks[0][1]


def test_report_with_zero_claims_and_zero_episodes(tmp_path: Path) -> None:
    store = Store(tmp_path / "processed")
    empty_path = report.write_report(store, tmp_path / "empty.html")
    assert "No processed episodes." in empty_path.read_text(encoding="utf-8")
    store.write_episode("ep1", episode_tables("ep1", text="Hello.", turns=[("Host", 0, 6)]))
    path = report.write_report(store, tmp_path / "report.html")
    document = path.read_text(encoding="utf-8")
    assert "<mark" not in document and "Hello." in document
    assert "No claims with a topic." in document
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_report_selects_episodes(tmp_path: Path) -> None:
    store = _store(tmp_path)
    document = report.render_report(store, episode_ids=["ep2"])
    assert 'id="ep-ep2"' in document and 'id="ep-ep1"' not in document
    with pytest.raises(report.ReportError, match="nope"):
        report.render_report(store, episode_ids=["nope"])


def test_report_without_comparison_uses_stored_or_computes(tmp_path: Path) -> None:
    store = _store(tmp_path)
    computed = report.render_report(store)
    assert "Robert Person" in computed and "No similar claims across episodes" in computed
    store.write_comparison(_comparison(store))
    stored = report.render_report(store)
    assert "Europe must pay for its own defence." in stored[stored.index('id="similar"'):stored.index('id="transcripts"')]


def test_clean_transcript_keeps_joiners() -> None:
    assert report.clean_transcript("a\u202eb\u200bc\x1b[1m\u200dd\r\ne") == "abc[1m\u200dd\ne"


# ---------------------------------------------------------------- screenshot

def _screenshot_module():
    path = Path(__file__).resolve().parents[1] / "bench" / "screenshot_report.py"
    spec = importlib.util.spec_from_file_location("screenshot_report", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_screenshot_of_report(tmp_path: Path) -> None:
    shots = _screenshot_module()
    if shots.find_chromium() is None:
        pytest.skip("no Chromium on this machine (apt-get install -y chromium); screenshot not taken")
    store = _store(tmp_path)
    html_path = report.write_report(store, tmp_path / "report.html", comparison=_comparison(store))
    png = shots.screenshot(html_path, tmp_path / "report.png", fragment="only=ep-ep1", window_size=(1000, 900))
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1000, 900)
    # A blank page compresses to a few KiB; a rendered report is far larger.
    assert len(data) > 20_000
