"""Per-process input history, kept in the data directory as aos keeps `~/.<pid>.history`: a JSON array,
newest first. Saved after every line, so every way out of the console (and a crash) keeps it."""
from __future__ import annotations

import json
import os
from pathlib import Path

MAX_ENTRIES = 1000


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
    return [e for e in entries if isinstance(e, str)][:MAX_ENTRIES]


def save_history(path: Path, entries: list[str]) -> None:
    """Atomic write: a crash mid-save leaves the previous file intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(entries[:MAX_ENTRIES], indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def add_entry(entries: list[str], line: str) -> bool:
    """aos's rule: blank lines and a repeat of the previous line are not kept. True if added."""
    if not line.strip() or (entries and entries[0] == line):
        return False
    entries.insert(0, line)
    del entries[MAX_ENTRIES:]
    return True
