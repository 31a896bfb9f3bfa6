"""The interactive console on prompt_toolkit: Lua-highlighted input, per-process history, Tab completion
from the live process, Ctrl-C/Ctrl-D, a spinner while an evaluation runs, and the live feed printed above
the prompt (patch_stdout) while the prompt's [Inbox:N] refreshes.

Each typed line is handled by `ConsoleSession.submit` on a worker thread; meanwhile a one-line spinner
application owns the terminal, so Ctrl-C can interrupt the process and keys typed ahead are kept."""
from __future__ import annotations

import asyncio
import re
import signal
import time
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.application import Application
from prompt_toolkit.completion import Completer, Completion, ThreadedCompleter
from prompt_toolkit.formatted_text import ANSI
from prompt_toolkit.history import History
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.layout import Layout, Window
from prompt_toolkit.layout.controls import FormattedTextControl
from prompt_toolkit.lexers import PygmentsLexer
from prompt_toolkit.patch_stdout import patch_stdout
from pygments.lexers.scripting import LuaLexer

from aosrepl.console.display import gray, green, strip_ansi
from aosrepl.console.history import add_entry, history_path, load_history, save_history
from aosrepl.console.terminal import TerminalWriter

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
SPINNER_DELAY = 0.15        # seconds of work before the spinner shows
ACTIVITY_POLL = 0.25        # seconds between looks at whether the network is busy
EXIT_HINT = "(To exit, press Ctrl-C again, Ctrl-D on an empty line, or type .exit)"
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
            self._loaded_strings.insert(0, string)
            self.store_string(string)

    def store_string(self, string: str) -> None:
        try:
            save_history(self.path, self.entries)
        except OSError:
            pass      # a read-only data dir must not break typing


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


class ConsoleApp:
    def __init__(self, session, net, data_dir: Path):
        self.session, self.net = session, net
        self.history = ProcessHistory(history_path(data_dir, session.pid))
        self.typeahead = ""            # keys typed while an evaluation ran
        self.queued: list[str] = []    # whole lines typed while an evaluation ran
        self.exit_armed = False
        self.frame = 0
        self.network_busy = False
        self.spinner: Application | None = None
        self.prompt = PromptSession(
            history=self.history, lexer=PygmentsLexer(LuaLexer) if session.color else None,
            completer=ThreadedCompleter(ProcessCompleter(net, session.pid)), complete_while_typing=False,
            key_bindings=self._prompt_keys(), enable_history_search=False)

    # ----- the prompt --------------------------------------------------------------------------
    def _prompt_keys(self) -> KeyBindings:
        kb = KeyBindings()

        @kb.add("c-c")
        def _(event):
            buffer = event.current_buffer
            if buffer.text:
                buffer.reset()
                self.exit_armed = False
            elif self.exit_armed:
                event.app.exit(exception=EOFError())
            else:
                self.exit_armed = True
                self.session.say(gray(EXIT_HINT))
        return kb

    def _message(self):
        return ANSI(self.session.prompt)

    def _styled(self, text: str) -> ANSI:
        return ANSI(text if self.session.color else strip_ansi(text))

    def _network_busy(self) -> bool:
        try:
            return not self.net.run_until_idle(timeout=0)
        except Exception:
            return False

    def _activity(self):
        """Right of the prompt: a spinner while the network still works (e.g. an inference after Llama.run)."""
        if not self.network_busy:
            return ""
        return self._styled(gray(SPINNER[self.frame % len(SPINNER)] + " network busy"))

    async def _watch_activity(self):
        """Redraws the prompt only while the network works (and once when it stops): no idle redraws."""
        while True:
            await asyncio.sleep(ACTIVITY_POLL)
            busy = self._network_busy()
            if busy or busy != self.network_busy:
                self.network_busy = busy
                self.frame += 1
                self._redraw()

    async def run(self) -> int:
        self.session.on_change = self._redraw
        # Between two prompt_toolkit applications the terminal is not in raw mode, so Ctrl-C is a signal:
        # it must interrupt the evaluation (or do nothing), never kill the console.
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGINT, self._sigint)
        except (NotImplementedError, RuntimeError):
            pass
        self.session.redirect(TerminalWriter(loop, self._running_app))
        activity = asyncio.create_task(self._watch_activity())
        try:
            return await self._loop()
        finally:
            activity.cancel()

    async def _loop(self) -> int:
        with patch_stdout(raw=True):      # stray prints of other code still land above the prompt
            while not self.session.exited:
                if self.queued:
                    line = self.queued.pop(0)
                    self.session.say(self.session.prompt + line)
                    self.history.append_string(line)
                else:
                    default, self.typeahead = self.typeahead, ""
                    try:
                        line = await self.prompt.prompt_async(self._message, default=default, rprompt=self._activity)
                    except (EOFError, KeyboardInterrupt):
                        break
                self.exit_armed = False
                lines = line.split("\n")
                if len(lines) > 1 and any(part.startswith(".") for part in lines):
                    # A pasted transcript (e.g. `.editor` ... `.done`): its lines run one by one, as typed.
                    self.queued[:0] = lines[1:]
                    line = lines[0]
                await self._submit(line)
        return 0

    def _running_app(self):
        for app in (self.spinner, self.prompt.app):
            if app is not None and app.is_running:
                return app
        return None

    def _sigint(self):
        if self.session.busy:
            self.net.interrupt(self.session.pid)

    def _redraw(self):
        app = self.prompt.app
        if app.is_running:
            app.invalidate()

    # ----- one line ----------------------------------------------------------------------------
    async def _submit(self, line: str):
        loop = asyncio.get_running_loop()
        if line == ".pad" and self.session.editor_lines is None:
            edited = self.session.commands.pad_edit()     # $EDITOR needs the terminal: before the spinner
            if edited is None:
                return
            work = loop.run_in_executor(None, self.session.evaluate, *edited)
        else:
            work = loop.run_in_executor(None, self.session.submit, line)
        await self._spin_until(work)
        await work

    async def _spin_until(self, work: asyncio.Future):
        frame = [0]
        status = {"text": "Computing"}
        kb = KeyBindings()

        @kb.add("c-c")
        def _(event):
            status["text"] = "Interrupting"
            self.queued.clear()            # lines typed ahead are not wanted after a Ctrl-C
            self.typeahead = ""
            self.net.interrupt(self.session.pid)

        @kb.add("enter")
        def _(event):
            self.queued.append(self.typeahead)
            self.typeahead = ""

        @kb.add("backspace")
        def _(event):
            self.typeahead = self.typeahead[:-1]

        @kb.add("<any>")
        def _(event):
            if event.data.isprintable():
                self.typeahead += event.data

        started = time.monotonic()

        def text():
            if time.monotonic() - started < SPINNER_DELAY and not self.typeahead:
                return ""           # quick commands finish without a spinner flicker
            frame[0] += 1
            spin = SPINNER[frame[0] % len(SPINNER)]
            return self._styled(green(spin) + gray(f" [{status['text']}...] Ctrl-C stops it ") + self.typeahead)

        app = Application(layout=Layout(Window(FormattedTextControl(text), height=1)),
                          key_bindings=kb, refresh_interval=0.1, erase_when_done=True)
        self.spinner = app

        def stop(_=None):
            if app.is_running and app.future is not None and not app.future.done():
                app.exit()

        # The spinner application owns the keyboard from the start, so keys typed ahead are kept (not echoed
        # by the terminal) and Ctrl-C reaches the process.
        if work.done():
            return
        work.add_done_callback(stop)
        try:
            await app.run_async(pre_run=lambda: work.done() and stop())
        finally:
            self.spinner = None


def run_app(session, net, data_dir: Path) -> int:
    return asyncio.run(ConsoleApp(session, net, data_dir).run())
