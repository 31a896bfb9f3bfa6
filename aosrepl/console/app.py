"""The interactive console on prompt_toolkit: Lua-highlighted input, per-process history, Tab completion
from the live process, Ctrl-C/Ctrl-D, a spinner while an evaluation runs, and the live feed printed above
the prompt (terminal.py) while the prompt's [Inbox:N] refreshes.

Each typed line is handled by `ConsoleSession.submit` on a worker thread; meanwhile the busy screen
(busy.py) owns the terminal, so Ctrl-C can interrupt the process and keys typed ahead are kept."""
from __future__ import annotations

import asyncio
import re
import signal
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.completion.base import get_common_complete_suffix
from prompt_toolkit.formatted_text import ANSI
from prompt_toolkit.history import History
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.lexers import PygmentsLexer
from prompt_toolkit.patch_stdout import patch_stdout
from pygments.lexers.scripting import LuaLexer

from aosrepl.console.busy import SPINNER, BusyScreen, in_daemon_thread
from aosrepl.console.code_style import code_style
from aosrepl.console.commands import PadError
from aosrepl.console.display import gray, red, strip_ansi
from aosrepl.console.history import add_entry, history_path, load_history, save_history
from aosrepl.console.terminal import TerminalWriter

ACTIVITY_POLL = 0.25        # seconds between looks at whether the network is busy
PROMPT_FAILURES = 5         # the prompt failing this many times in a row (a bug) ends the console
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


class ConsoleApp:
    def __init__(self, session, net, data_dir: Path):
        self.session, self.net = session, net
        self.history = ProcessHistory(history_path(data_dir, session.pid))
        self.completer = ProcessCompleter(net, session.pid)
        self.busy = BusyScreen(session.interrupt, self._styled)
        self.exit_armed = False
        self.frame = 0
        self.network_busy = False
        self._prompt_text, self._prompt_ansi = None, None    # the prompt last shown, parsed (see _message)
        self.prompt = PromptSession(
            history=self.history, lexer=PygmentsLexer(LuaLexer) if session.color else None,
            style=code_style(), include_default_pygments_style=False,      # the terminal's own 16 colours
            completer=self.completer, complete_while_typing=False,       # Tab: _complete_in_place
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

        @kb.add("tab")
        def _(event):
            buffer = event.current_buffer
            if buffer.complete_state:
                buffer.complete_next()          # the menu is open: Tab walks it, as prompt_toolkit's Tab does
            else:
                self._complete_in_place(buffer)
        return kb

    def _complete_in_place(self, buffer) -> None:
        """Tab: complete right now, inside the key handler. prompt_toolkit's own Tab completes in a task that
        runs after the keys already read, and keys typed right after Tab (read together with it when the
        loop was busy) changed the line first, so the completion was thrown away. net.complete never waits
        (a busy process has no candidates) and takes well under a millisecond."""
        completions = list(self.completer.get_completions(buffer.document, CompleteEvent(completion_requested=True)))
        if len(completions) == 1:
            buffer.apply_completion(completions[0])
        elif completions:
            common = get_common_complete_suffix(buffer.document, completions)
            if common:
                buffer.insert_text(common)
            else:
                buffer.start_completion(select_first=False)       # several ways on: show them

    def _message(self):
        # prompt_toolkit asks for the prompt many times per redraw: parse its escape codes once per prompt text
        text = self.session.prompt
        if text != self._prompt_text:
            self._prompt_text, self._prompt_ansi = text, ANSI(text)
        return self._prompt_ansi

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
        failures = 0
        with patch_stdout(raw=True):      # stray prints of other code still land above the prompt
            while not self.session.exited:
                if self.busy.queued:
                    line = self.busy.queued.pop(0)
                    self.session.say(self.session.prompt + line)
                    self.history.append_string(line)
                else:
                    default, complete = self.busy.take_typeahead()
                    try:
                        line = await self.prompt.prompt_async(self._message, default=default, rprompt=self._activity,
                                                              pre_run=self._complete_now if complete else None)
                    except (EOFError, KeyboardInterrupt):
                        break
                    except Exception as exc:      # a fault in the prompt itself: say so, and prompt again
                        failures += 1
                        self.session.say(red(f"ERROR: the prompt failed: {type(exc).__name__}: {exc}"))
                        if failures >= PROMPT_FAILURES:
                            self.session.say(red("ERROR: the prompt keeps failing; leaving the console."))
                            return 1
                        continue
                    failures = 0
                self.exit_armed = False
                lines = line.split("\n")
                if len(lines) > 1 and any(part.startswith(".") for part in lines):
                    # A pasted transcript (e.g. `.editor` ... `.done`): its lines run one by one, as typed.
                    self.busy.queued[:0] = lines[1:]
                    line = lines[0]
                await self._submit(line)
        return 0

    def _complete_now(self):
        """What Tab does at the prompt, for a Tab typed while the previous line was still running."""
        self._complete_in_place(self.prompt.default_buffer)

    def _running_app(self):
        for app in (self.busy.app, self.prompt.app):
            if app is not None and app.is_running:
                return app
        return None

    def _sigint(self):
        if self.session.busy:
            self.session.interrupt()

    def _redraw(self):
        app = self.prompt.app
        if app.is_running:
            app.invalidate()

    # ----- one line ----------------------------------------------------------------------------
    async def _submit(self, line: str):
        loop = asyncio.get_running_loop()
        try:
            if line == ".pad" and self.session.editor_lines is None:
                try:
                    edited = self.session.commands.pad_edit()     # $EDITOR needs the terminal: before the spinner
                except PadError as exc:
                    self.session.say(red(str(exc)))
                    return
                if edited is None:
                    return
                work = in_daemon_thread(loop, self.session.evaluate, *edited)
            else:
                work = in_daemon_thread(loop, self.session.submit, line)
            await self.busy.run_until(work)
            if self.busy.leaving:          # a second Ctrl-C or Ctrl-D while it ran: leave without waiting
                self.busy.leaving = False
                self.session.say(gray("Leaving while the evaluation still runs: it was asked to stop "
                                      "(a message that never ends is stopped at the next start)."))
                self.session.exited = True
                return
            await work
        except Exception as exc:       # whatever went wrong, the console stays
            self.session.say(red(f"ERROR: {type(exc).__name__}: {exc}"))


def run_app(session, net, data_dir: Path) -> int:
    return asyncio.run(ConsoleApp(session, net, data_dir).run())
