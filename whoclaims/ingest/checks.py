"""Checks of a read episode that a person should see: signs that the speakers were not found.

A transcript whose labels were not recognised does not fail: it becomes one
long turn of one speaker, often `Unknown`, and every table after it is wrong.
These checks say so, loudly, in the run summary, the run manifest and the
`episodes.warnings` column. Each warning is one line, `<code>: <what> <fix>`.
"""

from __future__ import annotations

from whoclaims.ingest.names import ROLE_WORDS, UNKNOWN_SPEAKER, is_unnamed_label
from whoclaims.ingest.sidecar import SIDECAR_SUFFIX
from whoclaims.records import Episode

# A turn longer than this many words is almost always a transcript whose speaker labels were
# not found (podcast answers and whole speeches run to a few thousand words).
LONG_TURN_WORDS = 5000
ONE_SPEAKER = "one_speaker"
UNKNOWN = "unknown_speaker"
LONG_TURN = "long_turn"
UNNAMED = "unnamed_speakers"
UNPUNCTUATED = "no_punctuation"
# Auto-generated captions have no sentence ends; written speech has one every 15-30 words.
UNPUNCTUATED_MIN_WORDS = 200
UNPUNCTUATED_WORDS_PER_END = 80
_SENTENCE_ENDS = frozenset(".!?…。")
# Roles that stand for the people whose views a conversation is about (`HOST:`, `GUEST:`): named
# by nobody, like `Speaker 1`. Questioners at press events (`Q`, `Reporter`) are not among them.
_CONVERSATION_ROLES = ROLE_WORDS - {
    "moderator", "announcer", "reporter", "correspondent", "caller", "audience", "chair", "producer",
}


def _fix(source_name: str) -> str:
    sidecar = f"{source_name.rsplit('.', 1)[0]}{SIDECAR_SUFFIX}"
    return (
        f"Fix: check it with `whoclaims inspect {source_name}`; if the file has speaker labels, force the "
        "layout with --format (inline, timestamped, press, speaker_header, markdown, ...); otherwise name the "
        f"speaker with --default-speaker NAME or a sidecar {sidecar} holding "
        '{"default_speaker": "NAME"} or {"speakers": {"LABEL": "NAME"}}.'
    )


def episode_warnings(episode: Episode, *, speaker_given: bool) -> tuple[str, ...]:
    """Warnings about `episode` (see the module docstring).

    Args:
        episode: the episode as read.
        speaker_given: the user named the speaker of unlabelled text (a sidecar, `--default-speaker`,
            `speaker_patterns`) and it is the episode's only speaker; one speaker, and one
            long turn, are then what they asked for.
    """
    source = episode.source_path.replace("\\", "/").rsplit("/", 1)[-1]
    warnings: list[str] = []
    speakers = episode.speakers
    turns = len(episode.turns)
    unknown = sum(1 for turn in episode.turns if turn.speaker == UNKNOWN_SPEAKER)
    if unknown:
        where = "the whole file" if unknown == turns else f"{unknown} of {turns} turns"
        warnings.append(
            f"{UNKNOWN}: no speaker found for {where} (read as {_read_as(episode)}): its claims would be held "
            f"by '{UNKNOWN_SPEAKER}'. " + _fix(source)
        )
    elif len(speakers) == 1 and not speaker_given:
        warnings.append(
            f"{ONE_SPEAKER}: one speaker, '{speakers[0]}', for the whole file (read as {_read_as(episode)}, "
            f"{_turns(turns)}): the other speakers of a conversation were not found. " + _fix(source)
        )
    anonymous = [speaker for speaker in speakers
                 if is_unnamed_label(speaker) or speaker.casefold() in _CONVERSATION_ROLES]
    if anonymous:
        sidecar = f"{source.rsplit('.', 1)[0]}{SIDECAR_SUFFIX}"
        example = ", ".join(f'"{speaker}": "NAME"' for speaker in anonymous[:2])
        warnings.append(
            f"{UNNAMED}: {len(anonymous)} speaker(s) labelled without a name ("
            + ", ".join(f"'{speaker}'" for speaker in anonymous)
            + "): their claims would be held by these labels, which name nobody and differ from episode to "
            f"episode. Fix: name them in a sidecar {sidecar} holding {{\"speakers\": {{{example}}}}}."
        )
    longest = max(episode.turns, key=lambda turn: len(turn.text.split()), default=None)
    if longest is not None and (words := len(longest.text.split())) > LONG_TURN_WORDS and not speaker_given:
        warnings.append(
            f"{LONG_TURN}: turn {longest.turn_id} ('{longest.speaker}') has {words:,} words, over "
            f"{LONG_TURN_WORDS:,}: speaker labels inside it were probably not recognised. " + _fix(source)
        )
    words = len(episode.text.split())
    ends = sum(1 for char in episode.text if char in _SENTENCE_ENDS)
    if words >= UNPUNCTUATED_MIN_WORDS and ends * UNPUNCTUATED_WORDS_PER_END < words:
        warnings.append(
            f"{UNPUNCTUATED}: {words:,} words with {ends} sentence ends (auto-generated captions?): sentences "
            "cannot be told apart, so claims will be few, long and hard to place on a topic. Fix: use a "
            "punctuated transcript (the platform's own or uploaded captions, or a transcription service's export)."
        )
    return tuple(warnings)


def _read_as(episode: Episode) -> str:
    if episode.layout and episode.layout != episode.format:
        return f"{episode.format}, {episode.layout} layout"
    return episode.format


def _turns(count: int) -> str:
    return "1 turn" if count == 1 else f"{count} turns"
