"""Tests of the actor catalog and the entities extractor."""

from __future__ import annotations

import pytest
import spacy

from extractors.entities import add_actor_ruler, extract_mentions
from whoclaims.actors import ActorFileError, load_actor_catalog
from whoclaims.annotate import annotate
from whoclaims.settings import default_actors_file

from entities_helpers import episode_from_turns


@pytest.fixture(scope="module")
def catalog():
    return load_actor_catalog(default_actors_file())


@pytest.fixture(scope="module")
def blank_nlp(catalog):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return add_actor_ruler(nlp, catalog)


def test_default_catalog_loads(catalog):
    assert catalog.lookup("Putin's").actor_id == "person:vladimir_putin"
    assert catalog.lookup("US").actor_id == "state:united_states"
    assert catalog.lookup("us") is None


def test_duplicate_id_is_rejected(tmp_path):
    path = tmp_path / "actors.toml"
    path.write_text('[[actor]]\nid = "person:a"\nname = "A"\ntype = "person"\n' * 2, encoding="utf-8")
    with pytest.raises(ActorFileError, match="duplicate actor id 'person:a'"):
        load_actor_catalog(path)


def test_extract_mentions_with_blank_pipeline(blank_nlp, catalog):
    episode = episode_from_turns([("Host", "Putin met Zelenskyy in Kyiv. He said nothing.")])
    annotated = annotate(episode, blank_nlp)
    mentions = extract_mentions(annotated, catalog=catalog)
    assert [(m.text, m.actor_id, m.source) for m in mentions] == [
        ("Putin", "person:vladimir_putin", "ruler"),
        ("Zelenskyy", "person:volodymyr_zelensky", "ruler"),
        ("Kyiv", "state:ukraine", "ruler"),
        ("He", "person:volodymyr_zelensky", "coreference"),
    ]
