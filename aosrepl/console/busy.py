"""The screen while a typed line is being handled: a one-line spinner application that owns the keyboard.

Owning the keyboard matters: keys typed meanwhile are kept for the next prompt (instead of being echoed by
the terminal in the middle of the output), whole lines typed ahead are queued, and Ctrl-C reaches the
process as an interrupt instead of killing the console."""
from __future__ import annotations

import asyncio
import threading
import time
from typing import Callable

from prompt_toolkit.application import Application
from prompt_toolkit.formatted_text import ANSI
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import Layout, Window
from prompt_toolkit.layout.controls import FormattedTextControl

from aosrepl.console.display import gray, green

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
SPINNER_DELAY = 0.15        # seconds of work before the spinner shows (quick lines: no flicker)
QUICK_LINE = 0.01           # seconds a line may take before the spinner application is built
INTERRUPT_RETRY = 0.05      # seconds between tries to interrupt a handler that has not started yet


class BusyScreen:
    def __init__(self, interrupt: Callable[[], bool], styled: Callable[[str], ANSI]):
        self.interrupt = interrupt       # True once it stopped a running handler
        self.styled = styled
        self.typeahead = ""              # the line being typed meanwhile
        self.complete_typeahead = False  # Tab was the last key: complete it once the prompt is back
        self.queued: list[str] = []      # lines typed (Enter) meanwhile, run next
        self.app: Application | None = None
        self._status = "Computing"
        self._frame = 0
        self._started = 0.0
        self._work: asyncio.Future | None = None
        self._presses = 0                # Ctrl-C presses during this line
        self.leaving = False             # a second Ctrl-C or Ctrl-D: leave the console, even if still stuck

    def take_typeahead(self) -> tuple[str, bool]:
        """The text typed meanwhile, and whether it ended with a Tab (completion needs the process, which is
        busy now, so the next prompt completes it)."""
        text, complete = self.typeahead, self.complete_typeahead
        self.typeahead, self.complete_typeahead = "", False
        return text, complete

    def _keys(self) -> KeyBindings:
        kb = KeyBindings()

        @kb.add("c-c")
        def _(event):
            self._presses += 1
            if self._presses > 1:          # the first did not end it: the user wants out
                self._leave(event)
                return
            self._status = "Interrupting"
            self.queued.clear()            # lines typed ahead are not wanted after a Ctrl-C
            self.take_typeahead()
            if self._work is not None:
                event.app.create_background_task(self._interrupt_until_stopped(self._work))

        @kb.add("c-d")
        def _(event):
            self._leave(event)

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

    def _leave(self, event) -> None:
        """Leave the console now: the handler is asked to stop, and the console does not wait for it."""
        self.leaving = True
        self.queued.clear()
        self.typeahead = ""
        self.interrupt()
        if event.app.is_running:
            event.app.exit()

    async def _interrupt_until_stopped(self, work: asyncio.Future):
        """Ctrl-C right after Enter can come before the process has started on the message: try again
        until a running handler is stopped or the work is over."""
        while not work.done() and not self.interrupt():
            await asyncio.sleep(INTERRUPT_RETRY)

    def _text(self):
        if time.monotonic() - self._started < SPINNER_DELAY and not self.typeahead:
            return ""
        self._frame += 1
        spin = SPINNER[self._frame % len(SPINNER)]
        return self.styled(green(spin) + gray(f" [{self._status}...] Ctrl-C stops it ") + self.typeahead)

    async def run_until(self, work: asyncio.Future) -> None:
        """Shows the spinner until `work` is done."""
        if work.done():
            return
        # most lines take a millisecond: wait that long before building the spinner application (keys typed
        # in this short while stay in the terminal's buffer and reach the next prompt)
        await asyncio.wait({work}, timeout=QUICK_LINE)
        if work.done():
            return
        self._status, self._started, self._presses = "Computing", time.monotonic(), 0
        app = Application(layout=Layout(Window(FormattedTextControl(self._text), height=1)),
                          key_bindings=self._keys(), refresh_interval=0.1, erase_when_done=True)

        def stop(_=None):
            if app.is_running and app.future is not None and not app.future.done():
                app.exit()

        work.add_done_callback(stop)
        self.app, self._work = app, work
        try:
            await app.run_async(pre_run=lambda: work.done() and stop())
        finally:
            self.app, self._work = None, None


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
