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


def test_bytes_that_were_not_utf8_are_kept_as_replacement_characters(tmp_path):
    path = history_path(tmp_path, "PID")
    entries = []
    add_entry(entries, "ok = 'é'")
    add_entry(entries, "print('caf\udce9')")        # 0xE9 typed on a Latin-1 terminal (surrogateescape)
    save_history(path, entries)
    assert load_history(path) == ["print('caf\ufffd')", "ok = 'é'"]
    path.read_bytes().decode("utf-8")                  # the whole file is valid UTF-8
    assert list(path.parent.iterdir()) == [path]      # and no temporary file is left


def test_a_failed_save_leaves_no_temporary_file(tmp_path):
    path = history_path(tmp_path, "PID")
    path.mkdir(parents=True)                           # os.replace onto a directory fails
    try:
        save_history(path, ["1+1"])
    except OSError:
        pass
    else:
        raise AssertionError("saving onto a directory should fail")
    assert sorted(p.name for p in path.parent.iterdir()) == ["PID.history"]
