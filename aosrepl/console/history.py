"""Per-process input history, kept in the data directory as aos keeps `~/.<pid>.history`: a JSON array,
newest first. Saved after every line, so every way out of the console (and a crash) keeps it."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

MAX_ENTRIES = 1000
_SURROGATE = re.compile("[\ud800-\udfff]")


def history_path(data_dir: str | Path, pid: str) -> Path:
    return Path(data_dir) / "console" / f"{pid}.history"


def load_history(path: Path) -> list[str]:
    """Newest first. A missing or unreadable file is an empty history (never an error at start-up)."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(entries, list):
        return []
    return [storable(e) for e in entries if isinstance(e, str)][:MAX_ENTRIES]


def save_history(path: Path, entries: list[str]) -> None:
    """Atomic write: a crash mid-save leaves the previous file intact, and a failed save leaves no
    temporary file behind (the error is raised after cleaning up). The entries are storable already
    (add_entry, load_history). The file is saved after every line: it is written as json.dumps(indent=2)
    writes it, through json's C encoder (given an indent, json takes its pure-Python encoder: milliseconds
    for a long history, at every Enter), the indent put in by the separator (a JSON string has no raw
    newline, so only the separators hold one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = entries[:MAX_ENTRIES]
    text = "[\n  " + json.dumps(kept, ensure_ascii=False, separators=(",\n  ", ": "))[1:-1] + "\n]" if kept else "[]"
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def storable(line: str) -> str:
    """The line as the history keeps it. Bytes the terminal sent that are not UTF-8 reach Python as lone
    surrogates (surrogateescape); each becomes U+FFFD, so the file stays valid UTF-8 that any reader (and
    the next start) can load, and the recalled line shows where the bad byte was. Keeping the raw byte
    instead would make the whole file unreadable as UTF-8, losing every other entry with it."""
    return _SURROGATE.sub("\ufffd", line)


def add_entry(entries: list[str], line: str) -> bool:
    """aos's rule: blank lines and a repeat of the previous line are not kept. True if added."""
    line = storable(line)
    if not line.strip() or (entries and entries[0] == line):
        return False
    entries.insert(0, line)
    del entries[MAX_ENTRIES:]
    return True
