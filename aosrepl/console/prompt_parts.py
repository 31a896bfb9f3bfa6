"""What the prompt's line editor is given by the process it talks to: its history (the per-process file) and
completion of Lua names from the live process."""
from __future__ import annotations

import re
from pathlib import Path

from prompt_toolkit.buffer import Buffer
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.completion.base import get_common_complete_suffix
from prompt_toolkit.history import History

from aosrepl.console.history import add_entry, load_history, save_history

_EXPRESSION_TAIL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:[.:][A-Za-z_][A-Za-z0-9_]*)*[.:]?$")


class ProcessHistory(History):
    """prompt_toolkit history backed by the per-process JSON file (saved on every new line)."""

    def __init__(self, path: Path):
        super().__init__()
        self.path = path
        self.entries = load_history(path)

    def load_history_strings(self):
        yield from self.entries

    def append_string(self, string: str) -> None:
        if string == ".exit":
            return      # the way out is not worth recalling
        if add_entry(self.entries, string):
            self._loaded_strings.insert(0, self.entries[0])     # as stored (bytes that were not UTF-8: U+FFFD)
            self.store_string(string)

    def store_string(self, string: str) -> None:
        try:
            save_history(self.path, self.entries)
        except (OSError, ValueError):
            pass      # a read-only data dir (or any other failed save) must not break typing


class ProcessCompleter(Completer):
    """Completes the Lua name before the cursor from the live process's globals and table fields."""

    def __init__(self, net, pid: str):
        self.net, self.pid = net, pid

    def get_completions(self, document, complete_event):
        match = _EXPRESSION_TAIL.search(document.text_before_cursor)
        if not match:
            return
        prefix = match.group(0)
        cut = max(prefix.rfind("."), prefix.rfind(":"))
        base = prefix[:cut + 1]
        try:
            candidates = self.net.complete(self.pid, prefix)
        except Exception:
            return
        for candidate in sorted(set(map(str, candidates or []))):
            full = candidate if candidate.startswith(base) else base + candidate
            if full.startswith(prefix) and full != prefix:
                yield Completion(full, start_position=-len(prefix), display=full[len(base):] or full)


def complete_in_place(completer: Completer, buffer: Buffer) -> None:
    """Tab: complete right now, inside the key handler. prompt_toolkit's own Tab completes in a task that
    runs after the keys already read, and keys typed right after Tab (read together with it when the
    loop was busy) changed the line first, so the completion was thrown away. net.complete never waits
    (a busy process has no candidates) and takes well under a millisecond."""
    completions = list(completer.get_completions(buffer.document, CompleteEvent(completion_requested=True)))
    if len(completions) == 1:
        buffer.apply_completion(completions[0])
    elif completions:
        common = get_common_complete_suffix(buffer.document, completions)
        if common:
            buffer.insert_text(common)
        else:
            buffer.start_completion(select_first=False)       # several ways on: show them
