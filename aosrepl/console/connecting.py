"""The spinner aos shows while the console first reaches its process: `[Connecting To Process...]`.

Here that first answer waits for the process's state to be rebuilt from its log, which takes longer the longer
its history (about a second per 10,000 messages on a small machine). Without a sign of life the console would
look stuck; with aos's own spinner it looks like what it is. A quick connect shows nothing (no flicker), and the
spinner's line is erased once the process answers."""
from __future__ import annotations

import threading

from aosrepl.console.busy import SPINNER
from aosrepl.console.display import gray

TEXT = "[Connecting To Process...]"       # aos's spinner text for the same wait
SHOW_AFTER = 0.5                           # seconds without an answer before the spinner shows
FRAME_SECONDS = 0.1
# the spinner's line blanked with spaces, not an erase code: with colour off, the console drops escape codes
ERASE_LINE = "\r" + " " * (len(TEXT) + 2) + "\r"


class ConnectingSpinner:
    """`with ConnectingSpinner(out): session.connect()`: spins on `out` (a terminal) while the block runs."""

    def __init__(self, out):
        self._out = out
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._spin, daemon=True, name="aosrepl-connecting")
        self.shown = False

    def __enter__(self) -> "ConnectingSpinner":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> bool:
        self._done.set()
        self._thread.join()
        if self.shown:
            self._write(ERASE_LINE)
        return False

    def _spin(self) -> None:
        if self._done.wait(SHOW_AFTER):
            return
        frame = 0
        while not self._done.is_set():
            self._write("\r" + gray(SPINNER[frame % len(SPINNER)] + " " + TEXT))
            self.shown = True
            frame += 1
            self._done.wait(FRAME_SECONDS)

    def _write(self, text: str) -> None:
        try:
            self._out.write(text)
            self._out.flush()
        except (OSError, ValueError):
            pass       # the terminal went away: the console ends anyway
