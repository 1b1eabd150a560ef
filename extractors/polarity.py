"""Polarity of a claim's content from the dependency parse, computed once (by the claims stage).

The main predicate chain runs from the content's root (or, after a contrastive
"but", from the later clause) down through clausal complements ("I think that it
is impossible to say that ..."). Each predicate of the chain that is negated
("not", "never", "no" on its subject or object) flips the polarity once, and so
does each predicate that is itself a failure or difficulty predicate ("fail",
"impossible", "hard to", "leads to problems"); a negated failure predicate
("will not fail") flips twice. Subjects, modifiers, relative, concessive and
other adverbial clauses are left out: they do not carry the holder's position.

The word lists are general English (`extractors.lexicon`), none of one episode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from extractors.lexicon import (
    DIFFICULTY_NOUNS, DIFFICULTY_WORDS, FAILURE_LEMMAS, NEGATIVE_DETERMINERS, NEGATORS, REMEDY_LEMMAS,
)

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

_NOT_ONLY = frozenset({"only", "just", "merely"})


@dataclass(frozen=True, slots=True)
class Polarity:
    """`negated`: a predicate of the main chain is negated; `sign`: +1, or -1 when the chain
    flips an odd number of times (negation, failure and difficulty predicates together)."""

    negated: bool
    sign: int


def content_polarity(span: Span) -> Polarity:
    """The polarity of the main predicate chain of `span` (see the module docstring)."""
    head = _contrast_head(span) or span.root
    flips = int(head.pos_ in {"NOUN", "PROPN"} and not _is_failure_token(head) and _is_failure_noun_phrase(head))
    negated = False
    for predicate in _predicate_chain(head, span):
        predicate_negated, failure = _predicate_flips(predicate)
        negated = negated or predicate_negated
        flips += int(predicate_negated) + int(failure)
    return Polarity(negated=negated, sign=-1 if flips % 2 else 1)


def is_negated(predicate: Token) -> bool:
    """Whether `predicate` itself is negated ("does not believe", "nobody thinks")."""
    return _predicate_flips(predicate)[0]


def _predicate_chain(head: Token, span: Span) -> list[Token]:
    """`head`, then its clausal complement, then that one's, ... (copular adjectives included)."""
    chain = [head]
    seen = {head.i}
    node = head
    while True:
        following = None
        for child in node.children:
            if not span.start <= child.i < span.end or child.i in seen:
                continue
            if child.dep_ in {"ccomp", "xcomp"}:
                following = child
                break
            if child.dep_ in {"acomp", "attr"} and following is None:
                grandchildren = [g for g in child.children if g.dep_ in {"xcomp", "ccomp", "acl"}]
                if grandchildren:
                    chain.append(child)
                    seen.add(child.i)
                    following = grandchildren[0]
        if following is None:
            return chain
        chain.append(following)
        seen.add(following.i)
        node = following


def _predicate_flips(predicate: Token) -> tuple[bool, bool]:
    """Whether `predicate` is negated, and whether it predicts failure or difficulty."""
    negated = False
    failure = _is_failure_token(predicate)
    # "solves the problem", "overcome the obstacles": a remedy verb cancels its difficult object
    remedy = predicate.lemma_.lower() in REMEDY_LEMMAS
    for child in predicate.children:
        if child.dep_ == "neg" or (child.dep_ in {"advmod", "cc", "preconj"} and child.lower_ in NEGATORS):
            after = child.doc[child.i + 1] if child.i + 1 < len(child.doc) else None
            negated = negated or not (after is not None and after.lower_ in _NOT_ONLY)  # "not only X" asserts X
        elif child.dep_ in {"nsubj", "nsubjpass", "dobj", "attr"} and (
            child.lower_ in NEGATIVE_DETERMINERS
            or any(g.dep_ == "det" and g.lower_ in NEGATIVE_DETERMINERS for g in child.children)
        ):
            negated = True
        elif child.dep_ in {"acomp", "oprd", "attr"} and _is_failure_token(child):
            failure = not failure
        elif child.dep_ in {"attr", "dobj"} and _is_failure_noun_phrase(child) and not remedy:
            failure = not failure
        elif child.dep_ == "prep" and child.lower_ == "to" and any(
            g.dep_ == "pobj" and _is_failure_noun_phrase(g) for g in child.children
        ):  # "this leads to difficulties"
            failure = not failure
    return negated, failure


def _is_failure_noun_phrase(noun: Token) -> bool:
    """A noun that names a difficulty ("a problem"), or one described as difficult or failing
    ("a difficult situation", "goals that are hard to reach")."""
    if noun.pos_ not in {"NOUN", "PROPN"}:
        return False
    if noun.lemma_.lower() in DIFFICULTY_NOUNS:
        return True
    for child in noun.children:
        if child.dep_ == "amod" and (child.lemma_.lower() in DIFFICULTY_WORDS or child.lemma_.lower() in FAILURE_LEMMAS):
            return True
        if child.dep_ == "relcl" and sum(_predicate_flips(child)) % 2:
            return True
    return False


def _is_failure_token(token: Token) -> bool:
    lemma = token.lemma_.lower()
    if lemma in DIFFICULTY_WORDS or token.lower_ in DIFFICULTY_WORDS:
        return token.dep_ in {"acomp", "attr", "ROOT", "ccomp", "xcomp"}
    return lemma in FAILURE_LEMMAS or token.lower_ in FAILURE_LEMMAS


def _contrast_head(span: Span) -> Token | None:
    """The head of the clause after a contrastive "but"/"yet" joining two clauses, if any."""
    for token in span:
        if token.lower_ in {"but", "yet"} and token.i > span.start and token.dep_ == "cc":
            later = [t for t in token.head.children if t.dep_ == "conj" and t.i > token.i]
            if later and later[0].pos_ in {"VERB", "AUX"}:
                return later[0]
    return None
