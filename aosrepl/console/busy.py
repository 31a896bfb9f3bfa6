"""The line shown in place of the prompt while a typed line is being handled, and the keys it takes.

It is a part of the console's one long-running application (app.py), not an application of its own: the
console swaps it in for the prompt when a line is accepted and back when the line is done. While it is on
screen it owns the keyboard: keys typed meanwhile are kept for the next prompt (instead of being echoed by the
terminal in the middle of the output), whole lines typed ahead are queued, and Ctrl-C reaches the process as an
interrupt instead of killing the console."""
from __future__ import annotations

import asyncio
import threading
import time
from typing import Callable

from prompt_toolkit.formatted_text import ANSI
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.keys import Keys

from aosrepl.console.display import gray, green

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
SPINNER_DELAY = 0.15        # seconds of work before the spinner shows (quick lines: no flicker)
FRAME_SECONDS = 0.1         # between two frames of the spinner
INTERRUPT_RETRY = 0.05      # seconds between tries to interrupt a handler that has not started yet


class BusyLine:
    def __init__(self, interrupt: Callable[[], bool], styled: Callable[[str], ANSI],
                 on_leave: Callable[[], None] = lambda: None):
        self.interrupt = interrupt       # True once it stopped a running handler
        self.styled = styled
        self.on_leave = on_leave         # the user asked to leave the console while the line runs
        self.active = False              # on screen (instead of the prompt)
        self.typeahead = ""              # the line being typed meanwhile
        self.complete_typeahead = False  # Tab was the last key: complete it once the prompt is back
        self.queued: list[str] = []      # lines typed (Enter) meanwhile, run next
        self.leaving = False             # a second Ctrl-C or Ctrl-D: leave the console, even if still stuck
        self._status = "Computing"
        self._frame = 0
        self._started = 0.0
        self._work: asyncio.Future | None = None
        self._presses = 0                # Ctrl-C presses during this line

    def begin(self, work: asyncio.Future | None) -> None:
        """On screen for `work` (None: not started yet); a line's presses and spinner delay count from here."""
        if self.active and work is self._work:
            return
        self.active, self._work = True, work
        self._status, self._started, self._presses = "Computing", time.monotonic(), 0

    def end(self) -> None:
        self.active, self._work = False, None

    def take_typeahead(self) -> tuple[str, bool]:
        """The text typed meanwhile, and whether it ended with a Tab (completion needs the process, which is
        busy now, so the next prompt completes it)."""
        text, complete = self.typeahead, self.complete_typeahead
        self.typeahead, self.complete_typeahead = "", False
        return text, complete

    def key_bindings(self) -> KeyBindings:
        kb = KeyBindings()

        @kb.add("c-c")
        def _(event):
            self.ctrl_c()

        @kb.add("c-d")
        def _(event):
            self._leave()

        @kb.add("enter")
        @kb.add("c-j")
        def _(event):
            self.queued.append(self.take_typeahead()[0])

        @kb.add("tab")
        def _(event):
            self.complete_typeahead = True

        @kb.add("backspace")
        def _(event):
            self.typeahead = self.typeahead[:-1]
            self.complete_typeahead = False

        @kb.add(Keys.BracketedPaste)
        def _(event):
            *lines, last = (self.typeahead + event.data).replace("\r\n", "\n").replace("\r", "\n").split("\n")
            self.queued.extend(lines)
            self.typeahead = last
            self.complete_typeahead = False

        @kb.add("<any>")
        def _(event):
            if event.data.isprintable():
                self.typeahead += event.data
                self.complete_typeahead = False
        return kb

    def ctrl_c(self) -> None:
        self._presses += 1
        if self._presses > 1:          # the first did not end it: the user wants out
            self._leave()
            return
        self._status = "Interrupting"
        self.queued.clear()            # lines typed ahead are not wanted after a Ctrl-C
        self.take_typeahead()
        if self._work is not None:
            asyncio.get_running_loop().create_task(self._interrupt_until_stopped(self._work))

    def _leave(self) -> None:
        """Leave the console now: the handler is asked to stop, and the console does not wait for it."""
        self.leaving = True
        self.queued.clear()
        self.typeahead = ""
        self.interrupt()
        self.on_leave()

    async def _interrupt_until_stopped(self, work: asyncio.Future):
        """Ctrl-C right after Enter can come before the process has started on the message: try again
        until a running handler is stopped or the work is over."""
        while not work.done() and not self.interrupt():
            await asyncio.sleep(INTERRUPT_RETRY)

    def shows_spinner(self) -> bool:
        return self.active and (time.monotonic() - self._started >= SPINNER_DELAY or bool(self.typeahead))

    def text(self):
        if not self.shows_spinner():
            return ""
        self._frame += 1
        spin = SPINNER[self._frame % len(SPINNER)]
        return self.styled(green(spin) + gray(f" [{self._status}...] Ctrl-C stops it ") + self.typeahead)


def in_daemon_thread(loop: asyncio.AbstractEventLoop, fn, *args) -> asyncio.Future:
    """fn(*args) on a daemon thread, as a future of `loop`. Unlike the default executor, nothing waits
    for it at exit: a console left while an evaluation is stuck exits at once."""
    future = loop.create_future()

    def settle(setter, value):
        if not future.done():
            setter(value)

    def target():
        try:
            result = fn(*args)
        except BaseException as exc:   # handed to the awaiting coroutine
            loop.call_soon_threadsafe(settle, future.set_exception, exc)
        else:
            loop.call_soon_threadsafe(settle, future.set_result, result)

    threading.Thread(target=target, daemon=True, name="aosrepl-console-line").start()
    return future
