"""Per-process history file: newest first, blank lines and repeats dropped, survives a bad file."""
import json

from aosrepl.console.history import add_entry, history_path, load_history, save_history


def test_round_trip_newest_first(tmp_path):
    path = history_path(tmp_path, "PID")
    entries = []
    for line in ["1+1", "1+1", "   ", "X = 5", "X * 2"]:
        add_entry(entries, line)
    save_history(path, entries)
    assert json.loads(path.read_text()) == ["X * 2", "X = 5", "1+1"]
    assert load_history(path) == ["X * 2", "X = 5", "1+1"]


def test_bad_file_is_an_empty_history(tmp_path):
    path = tmp_path / "h"
    path.write_text("{not json")
    assert load_history(path) == []
    assert load_history(tmp_path / "missing") == []
