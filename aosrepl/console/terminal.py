"""Console output while prompt_toolkit owns the terminal.

Text from any thread (an eval's result, the live feed) is handed to the event loop in order
(call_soon_threadsafe is first-in first-out) and printed there *above* the running application: its
rendering is erased, the text written, and it redraws below. Because an evaluation's output is queued
before the evaluation's completion is, everything it printed is on screen before the next prompt."""
from __future__ import annotations

import asyncio
import sys
from typing import Callable


class TerminalWriter:
    def __init__(self, loop: asyncio.AbstractEventLoop, running_app: Callable[[], object | None], stream=None):
        self.loop = loop
        self.running_app = running_app     # the prompt_toolkit Application on screen now, or None
        self.stream = stream or sys.__stdout__

    def write(self, text: str):
        if not text:
            return
        try:     # always through the loop's queue, even from its own thread: one first-in first-out order
            self.loop.call_soon_threadsafe(self._emit, text)
        except RuntimeError:       # the loop is gone (the console is closing): print directly
            self._plain(text)

    def flush(self):
        pass       # every emit flushes

    def _emit(self, text: str):
        app = self.running_app()
        if app is None or not app.is_running or app.is_done:
            self._plain(text)
            return
        app.renderer.erase()          # take the application off the screen, print, let it redraw below
        app.output.write_raw(text)    # (prompt_toolkit's raw mode keeps the terminal's output newline handling)
        app.output.flush()
        app.invalidate()

    def _plain(self, text: str):
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            pass      # the terminal went away: nothing left to show it on
