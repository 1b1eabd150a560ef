"""Quotations and their sources (`extractors.quotes`), and quoted holders in the claims (`extractors.claims`).

Texts are hand-written; parses are frozen in `tests/claims_helpers.py` (no model needed).
"""

from __future__ import annotations

import dataclasses

import pytest

from extractors.claims import extract_claims
from extractors.quotes import attribute_quotations, find_quotations, name_from_description
from tests.claims_helpers import build_annotated, build_doc, flat_detector
from whoclaims.actors import Actor, ActorCatalog
from whoclaims.settings import Settings

HOST = "Ann Host"


def quoted_texts(text: str) -> list[str]:
    return [text[q.inner_start : q.inner_end] for q in find_quotations(text)]


# ---------------------------------------------------------------- finding quotations
def test_curly_straight_and_guillemet_quotations_are_found():
    text = 'She said “we will hold the line” and he said "the line will not hold" and «nobody knows the end».'
    assert quoted_texts(text) == ["we will hold the line", "the line will not hold", "nobody knows the end"]


def test_scare_quotes_and_apostrophes_are_not_quotations():
    assert find_quotations("He called the plan “historic” and the allies’ reply ‘premature’ today.") == []
    assert find_quotations("Don’t think the allies’ position won’t hold.") == []


def test_short_quotations_count_when_they_end_a_sentence_or_break_for_an_attribution():
    assert quoted_texts("“We stand ready.”") == ["We stand ready."]
    assert quoted_texts("“The talks,” she said.") == ["The talks,"]


def test_nested_single_quotation_has_depth_one():
    text = "“It is a big win. ‘The door is open now, and you opened it,’ as Kohl put it.”"
    quotations = find_quotations(text)
    assert [(text[q.inner_start : q.inner_end], q.depth) for q in quotations] == [
        (text[1:-1], 0), ("The door is open now, and you opened it,", 1),
    ]


def test_a_single_quotation_never_spans_the_edge_of_a_double_one():
    text = "“They call it ‘historic’ and it is.” Then: “It worked,’ as we know.”"
    assert all(q.depth == 0 for q in find_quotations(text))


def test_an_unclosed_quotation_runs_to_the_end_of_the_text():
    (quotation,) = find_quotations("He wrote: “The war will end this year. Nobody doubts it")
    assert not quotation.closed
    assert quotation.inner_end == len("He wrote: “The war will end this year. Nobody doubts it")


# ---------------------------------------------------------------- names in descriptions
@pytest.mark.parametrize(("description", "name"), [
    ("Former U.S. Ambassador to Ruritania Jane Doe", "Jane Doe"),
    ("Gen. Tom Roe (ret.)", "Tom Roe"),
    ("Newsweekly’s Ed Roe", "Ed Roe"),
    ("Policy Institute President and CEO Mary Ann Kent", "Ann Kent"),
    ("Former National Security Advisor Robert O’Dell, Jr.", "Robert O’Dell"),
    ("Special Envoy Roe", "Roe"),
    ("Here’s what they’re saying", None),
    ("That’s why I understand", None),  # a pronoun is never the source: was "I"
    ("And He", None),
])
def test_name_from_description(description, name):
    assert name_from_description(description) == name


def test_a_known_name_wins_and_a_surname_alone_never_stands_for_another_person():
    known = {"Mary Ann Kent": "Mary Ann Kent", "Kent": "Clark Kent"}.get
    assert name_from_description("Institute President Mary Ann Kent", known=known) == "Mary Ann Kent"
    assert name_from_description("Senator Lois Kent", known=known) == "Lois Kent"


# ---------------------------------------------------------------- attribution
def attributed(*sentences: str) -> list[tuple[list[str], str, str | None]]:
    doc = build_doc(list(sentences))
    return [([doc.text[a:b] for a, b in quote.pieces], quote.source.cue,
             quote.source.name or (quote.source.token.text if quote.source.token is not None else None))
            for quote in attribute_quotations(doc)]


def test_a_quotation_split_by_its_attribution_is_one_quotation():
    assert attributed("“The talks,” the minister said, “will resume next week in Geneva.”") == [
        (["The talks,", "will resume next week in Geneva."], "say", "minister"),
    ]


def test_cue_after_and_a_quotation_that_goes_on_after_it():
    assert attributed("“The war must end soon,” the senator said.", "“We are ready to help.”") == [
        (["The war must end soon,", "We are ready to help."], "say", "senator"),
    ]
    assert attributed("Putin spoke on Friday.", "“We will not stop,” he said.") == [
        (["We will not stop,"], "say", "he"),
    ]


def test_cue_before_a_colon_or_in_the_same_clause():
    assert attributed("The minister said: “We will never accept this deal.”") == [
        (["We will never accept this deal."], "say", "minister"),
    ]
    assert attributed("Jane Doe: “The deal is dead and nobody will revive it.”") == [
        (["The deal is dead and nobody will revive it."], "colon", "Jane Doe"),
    ]
    assert attributed("As I said last year, “this war will end in a deal.”") == [
        (["this war will end in a deal."], "say", "I"),
    ]


def test_article_links_name_each_quotation_and_a_nested_quotation_has_its_own_cue():
    assert attributed("[Former Ambassador Jane Doe](#a): “Peace is possible this year.", "The talks are serious.”",
                      "[Sen. John Roe](#b): “We stand ready.”") == [
        (["Peace is possible this year. The talks are serious."], "link", "Jane Doe"),
        (["We stand ready."], "link", "John Roe"),
    ]
    assert attributed("[Jane Doe](#c): “It is a big win.",
                      "‘The door is open now, and you opened it,’ as Chancellor Kohl put it.”") == [
        (["It is a big win. ‘The door is open now, and you opened it,’ as Chancellor Kohl put it."], "link",
         "Jane Doe"),
        (["The door is open now, and you opened it,"], "put", "Kohl"),
    ]


def test_press_release_attributions_a_name_with_a_party_or_title_or_after_a_dash():
    assert attributed("Senator Jane Doe (R-TX): “The aid package will pass this week.”") == [
        (["The aid package will pass this week."], "colon", "Jane Doe"),
    ]
    assert attributed("Jane Doe, Senator from Texas: “The aid package will pass this week.”") == [
        (["The aid package will pass this week."], "colon", "Jane Doe"),
    ]
    assert attributed("“The aid package will pass this week.”", "— Senator Jane Doe") == [
        (["The aid package will pass this week."], "dash", "Jane Doe"),
    ]


def test_a_heading_names_the_quotations_listed_under_it():
    assert attributed("### **Senator Tom Roe on Morning News** - “We will fund the army.”",
                      "([Watch](#v)) - “The vote is next week and we will win it.”") == [
        (["We will fund the army."], "heading", "Tom Roe"),
        (["The vote is next week and we will win it."], "heading", "Tom Roe"),
    ]


def test_scare_quotes_get_no_source():
    assert attributed("He called the plan “historic” and left.") == []


# ---------------------------------------------------------------- quoted holders in the claims
def claims_of(turns, *, catalog=None):
    annotated = build_annotated(turns)
    return extract_claims(annotated, detector=flat_detector(0.9), settings=Settings(), catalog=catalog)


def by_sentence(claims):
    return {claim.sentence: claim for claim in claims if claim.parent_claim_id is None}


def test_every_sentence_of_a_linked_quotation_is_held_by_the_quoted_person():
    claims = by_sentence(claims_of([(HOST, [
        "[Former Ambassador Jane Doe](#a): “Peace is possible this year.", "The talks are serious.”",
        "[Sen. John Roe](#b): “We stand ready.”",
    ])]))
    first = claims["[Former Ambassador Jane Doe](#a): “Peace is possible this year."]
    assert (first.holder, first.attribution, first.cue) == ("Jane Doe", "quoted", "link")
    assert first.claim == "Peace is possible this year"
    assert (claims["The talks are serious.”"].holder, claims["The talks are serious.”"].attribution) == (
        "Jane Doe", "quoted")
    assert claims["[Sen. John Roe](#b): “We stand ready.”"].holder == "John Roe"


def test_a_nested_quotation_goes_to_its_own_source_through_the_catalog():
    catalog = ActorCatalog.from_actors((
        Actor("person:hans_kohl", "Hans Kohl", "person", "PERSON", aliases=("Kohl",)),
    ))
    claims = by_sentence(claims_of([(HOST, [
        "[Jane Doe](#c): “It is a big win.", "‘The door is open now, and you opened it,’ as Chancellor Kohl put it.”",
    ])], catalog=catalog))
    assert claims["[Jane Doe](#c): “It is a big win."].holder == "Jane Doe"
    nested = claims["‘The door is open now, and you opened it,’ as Chancellor Kohl put it.”"]
    assert (nested.holder, nested.attribution) == ("Kohl", "quoted")


def test_a_catalog_name_from_a_link_is_canonical():
    catalog = ActorCatalog.from_actors((
        Actor("person:john_roe", "John Q. Roe", "person", "PERSON", aliases=("John Roe",)),
    ))
    claim = by_sentence(claims_of([(HOST, ["[Sen. John Roe](#b): “We stand ready.”"])], catalog=catalog))[
        "[Sen. John Roe](#b): “We stand ready.”"]
    assert (claim.holder, claim.holder_id, claim.attribution) == ("John Q. Roe", "person:john_roe", "quoted")


def test_the_speaker_quoting_themselves_keeps_a_self_claim():
    claim = by_sentence(claims_of([(HOST, ["As I said last year, “this war will end in a deal.”"])]))[
        "As I said last year, “this war will end in a deal.”"]
    assert (claim.holder, claim.attribution) == (HOST, "self")


def test_a_pronoun_source_resolves_through_the_turn_and_an_unresolved_one_is_left_alone():
    claims = by_sentence(claims_of([(HOST, ["Putin spoke on Friday.", "“We will not stop,” he said."])]))
    claim = claims["“We will not stop,” he said."]
    assert (claim.holder, claim.attribution, claim.cue) == ("Putin", "quoted", "say")
    assert claim.claim == "We will not stop"


def test_scare_quotes_leave_the_holder_alone():
    claims = claims_of([(HOST, ["He called the plan “historic” and left."])])
    assert all(claim.attribution != "quoted" for claim in claims)


def test_a_quoted_title_inside_the_subject_is_not_a_quotation_of_speech():
    sentence = "Your new article “Why Peace Fails Now” argues that talks are futile."
    assert attributed(sentence) == []
    claim = by_sentence(claims_of([("Guest", ["Sure."]), (HOST, [sentence]), ("Guest", ["Sure."])]))[sentence]
    assert claim.attribution == "addressee"


def test_an_unmatched_straight_quote_is_not_a_quotation():
    assert find_quotations('He said "we will win and then left the room without a word.') == []


def test_a_quotation_running_over_paragraphs_keeps_its_source():
    from whoclaims.records import Segment, Sentence

    # One turn of two paragraphs: the quotation opens in the first and reopens in the second.
    first = build_annotated([(HOST, ["The minister wrote: “The loan will come this spring."])])
    second = build_annotated([(HOST, ["“Nobody should doubt that it will come in time.”"])])
    doc = second.segments[0].doc
    offset = len(first.episode.text) + 2
    text = first.episode.text + "\n\n" + doc.text
    turn = dataclasses.replace(first.episode.turns[0], text=text, end_char=len(text))
    first.episode = dataclasses.replace(first.episode, text=text, turns=(turn,))
    first.segments.append(Segment(turn_id=0, offset=offset, doc=doc))
    sent = doc[:]
    first.sentences.append(Sentence(1, 0, HOST, sent.text, offset, offset + len(sent.text), None, None, sent, offset))
    claims = extract_claims(first, detector=flat_detector(0.9), settings=Settings())
    holders = {claim.sentence: (claim.holder, claim.attribution) for claim in claims}
    assert holders == {"The minister wrote: “The loan will come this spring.": ("minister", "quoted"),
                       "“Nobody should doubt that it will come in time.”": ("minister", "quoted")}


def test_a_quotation_introduced_by_a_relative_who_goes_to_the_named_person():
    sentence = "We recall Governor Hale, who said: “The talks will fail.”"
    claim = by_sentence(claims_of([(HOST, [sentence])]))[sentence]
    assert (claim.holder, claim.attribution) == ("Hale", "quoted")
