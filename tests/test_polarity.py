"""Polarity of a claim's content from the parse (`extractors.polarity`), on hand-built parsed docs."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from extractors.polarity import content_polarity, is_negated

_VOCAB = spacy.blank("en").vocab  # English lexical attributes (lower_, ...) for hand-built docs


def parsed(words: list[str], heads: list[int], deps: list[str], lemmas: list[str] | None = None,
           pos: list[str] | None = None):
    """A hand-built parsed Doc span (heads are absolute token indices)."""
    doc = Doc(_VOCAB, words=words, heads=heads, deps=deps, lemmas=lemmas or [w.lower() for w in words],
              pos=pos or ["VERB" if d == "ROOT" else "X" for d in deps])
    return doc[:]


# "Putin will fail ."
FAIL = parsed(["Putin", "will", "fail", "."], [2, 2, 2, 2], ["nsubj", "aux", "ROOT", "punct"])
# "Putin will not fail ."
NOT_FAIL = parsed(["Putin", "will", "not", "fail", "."], [3, 3, 3, 3, 3], ["nsubj", "aux", "neg", "ROOT", "punct"])
# "I do not think that talks help ."
NOT_THINK = parsed(["I", "do", "not", "think", "that", "talks", "help", "."], [3, 3, 3, 3, 6, 6, 3, 3],
                   ["nsubj", "aux", "neg", "ROOT", "mark", "nsubj", "ccomp", "punct"])
# "The title Do n't Talk argues that talks help ." -- a negation inside the subject does not count
SUBJECT_NEGATION = parsed(["Talks", "that", "do", "n't", "end", "help", "."], [5, 4, 4, 4, 0, 5, 5],
                          ["nsubj", "nsubj", "aux", "neg", "relcl", "ROOT", "punct"])
# "Talks failed , but we must talk ." -- the clause after "but" carries the stance
BUT = parsed(["Talks", "failed", ",", "but", "we", "must", "talk", "."], [1, 1, 1, 1, 6, 6, 1, 1],
             ["nsubj", "ROOT", "punct", "cc", "nsubj", "aux", "conj", "punct"],
             pos=["NOUN", "VERB", "PUNCT", "CCONJ", "PRON", "AUX", "VERB", "PUNCT"])
# "It is not only hard ." -- "not only" does not negate
NOT_ONLY = parsed(["It", "is", "not", "only", "possible", "."], [1, 1, 1, 4, 1, 1],
                  ["nsubj", "ROOT", "neg", "advmod", "acomp", "punct"])

# "This leads to the problem ." -- a difficulty noun as the object of "to"
POINTS_TO_PROBLEM = parsed(["This", "leads", "to", "the", "problem", "."], [1, 1, 1, 4, 2, 1],
                           ["nsubj", "ROOT", "prep", "det", "pobj", "punct"],
                           pos=["PRON", "VERB", "ADP", "DET", "NOUN", "PUNCT"])
# "These are goals that are hard to reach ." -- an attribute described as difficult by a relative clause
HARD_ISSUES = parsed(["These", "are", "goals", "that", "are", "hard", "to", "reach", "."],
                     [1, 1, 1, 4, 2, 4, 7, 5, 1],
                     ["nsubj", "ROOT", "attr", "nsubj", "relcl", "acomp", "aux", "xcomp", "punct"],
                     pos=["PRON", "AUX", "NOUN", "PRON", "AUX", "ADJ", "PART", "VERB", "PUNCT"])
# "a difficult situation" -- a content span that is a noun phrase with a difficulty adjective
DIFFICULT_CONDITION = parsed(["a", "difficult", "situation"], [2, 2, 2], ["det", "amod", "ROOT"],
                             pos=["DET", "ADJ", "NOUN"])
# "They reached a good agreement ." -- a plain object is no cue
GOOD_AGREEMENT = parsed(["They", "reached", "a", "good", "agreement", "."], [1, 1, 4, 4, 1, 1],
                        ["nsubj", "ROOT", "det", "amod", "dobj", "punct"],
                        pos=["PRON", "VERB", "DET", "ADJ", "NOUN", "PUNCT"])
# "This solves the problem ." -- a remedy verb cancels its difficult object
SOLVES_PROBLEM = parsed(["This", "solves", "the", "problem", "."], [1, 1, 3, 1, 1],
                        ["nsubj", "ROOT", "det", "dobj", "punct"], lemmas=["this", "solve", "the", "problem", "."],
                        pos=["PRON", "VERB", "DET", "NOUN", "PUNCT"])
# "The problem is solved ." -- a difficulty noun as the subject is not a cue
PROBLEM_SUBJECT = parsed(["The", "problem", "is", "solved", "."], [1, 3, 3, 3, 3],
                         ["det", "nsubjpass", "auxpass", "ROOT", "punct"],
                         pos=["DET", "NOUN", "AUX", "VERB", "PUNCT"])


@pytest.mark.parametrize(
    ("span", "expected"),
    [(FAIL, -1), (NOT_FAIL, 1), (NOT_THINK, -1), (SUBJECT_NEGATION, 1), (BUT, 1), (NOT_ONLY, 1),
     (POINTS_TO_PROBLEM, -1), (HARD_ISSUES, -1), (DIFFICULT_CONDITION, -1), (GOOD_AGREEMENT, 1),
     (PROBLEM_SUBJECT, 1), (SOLVES_PROBLEM, 1)],
)
def test_content_polarity(span, expected):
    assert content_polarity(span).sign == expected


def test_negation_is_told_apart_from_failure():
    assert content_polarity(NOT_THINK).negated and not content_polarity(FAIL).negated
    assert content_polarity(NOT_FAIL).negated and content_polarity(NOT_FAIL).sign == 1
    assert not content_polarity(NOT_ONLY).negated
    assert is_negated(NOT_THINK.root) and not is_negated(FAIL.root)


def test_no_determiner_on_the_subject_negates():
    # "Nobody wants war ."
    span = parsed(["Nobody", "wants", "war", "."], [1, 1, 1, 1], ["nsubj", "ROOT", "dobj", "punct"])
    assert content_polarity(span).negated and content_polarity(span).sign == -1
