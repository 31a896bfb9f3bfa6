"""Golden transcripts: the article replays verbatim (rules in README.md and runner.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from .runner import TranscriptMismatch, match_block, parse, replay_in_process, replay_in_pty

HERE = Path(__file__).parent
TRANSCRIPTS = sorted(HERE.glob("*.aos"))


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
def test_transcript_replays_in_process(path, tmp_path):
    replay_in_process(path, tmp_path / "data")


def test_a_changed_user_visible_string_fails_with_a_readable_diff(tmp_path):
    original = (HERE / "04-apm.aos").read_text(encoding="utf-8")
    changed = original.replace("📦 Downloading package", "📦 Fetching package")
    assert changed != original
    path = tmp_path / "04-apm-changed.aos"
    path.write_text(changed, encoding="utf-8")
    with pytest.raises(TranscriptMismatch) as failure:
        replay_in_process(path, tmp_path / "data")
    report = str(failure.value)
    assert "-📦 Fetching package" in report and "+📦 Downloading package" in report


def test_every_input_of_the_article_is_in_the_whole_article_transcript():
    # The article's own input lines, recorded in the repository (article-inputs.txt says from where).
    text = (HERE / "article-inputs.txt").read_text(encoding="utf-8")
    steps = parse(HERE / "article.aos")
    for step in steps:
        if step.added:
            continue
        if step.prompt is not None:
            assert f"> {step.input}" in text, step.input
        else:
            assert step.input in text.splitlines(), step.input


def test_parser_reads_prompts_editor_blocks_and_added_marks():
    steps = parse(HERE / "article.aos")
    editor = [s for s in steps if s.input == ".editor"]
    assert editor and editor[0].expected == ["<editor mode> use '.done' to submit or '.cancel' to cancel"]
    assert any(s.added for s in steps)
    assert all(s.prompt is None for s in steps if s.input == ".done")


def test_matcher_rules():
    table = ["{", "   a = 1,", "   f = function: 0x…", "}"]
    assert match_block(table, ["{", "   f = function: 0x…,", "   a = 1", "}"])
    assert not match_block(table, ["{", "   a = 2,", "   f = function: 0x…", "}"])
    assert match_block(["Joke: <model text> (model)"], ["Joke: a cat walks into a bar"])
    assert match_block(['{ "<|end|> The meaning of life" } (model)'], ['{ "It is', '42" }'])
    assert not match_block(['{ "x" } (model)'], ["no quotes here"])
    assert match_block(["line (added)", "", "next"], ["", "line", "", "next", ""])


def test_whole_article_replays_in_the_real_console(tmp_path):
    """The whole article typed into the real `aos` binary in a pty."""
    replay_in_pty(HERE / "article.aos", tmp_path / "data")
