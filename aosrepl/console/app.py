"""The interactive console on prompt_toolkit: Lua-highlighted input, per-process history, Tab completion
from the live process, Ctrl-C/Ctrl-D, a spinner while an evaluation runs, and the live feed printed above
the prompt (terminal.py) while the prompt's [Inbox:N] refreshes.

One prompt_toolkit Application runs for the whole console. Starting and stopping one for every line (as
PromptSession does) cost about 5 ms a line, and PromptSession's large layout about 0.6 ms a key; this one is
a line editor and the busy line (busy.py) in a small layout, swapped in place:
  - Enter hands the line to `ConsoleSession.submit` on a worker thread, then draws it once more as it stands
    (it stays in the scrollback, as typed, coloured);
  - meanwhile the busy line stands where the prompt was and owns the keyboard, so Ctrl-C can interrupt the
    process and keys typed ahead are kept;
  - when the line is done the prompt is back, holding what was typed meanwhile."""
from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from prompt_toolkit.application import Application
from prompt_toolkit.application.run_in_terminal import run_in_terminal
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.document import Document
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import ANSI
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.layout import ConditionalContainer, Float, FloatContainer, HSplit, Layout, Window, WindowAlign
from prompt_toolkit.layout.controls import BufferControl, FormattedTextControl
from prompt_toolkit.layout.dimension import Dimension
from prompt_toolkit.layout.menus import CompletionsMenu
from prompt_toolkit.layout.processors import BeforeInput
from prompt_toolkit.lexers import PygmentsLexer
from prompt_toolkit.patch_stdout import patch_stdout
from pygments.lexers.scripting import LuaLexer

from aosrepl.console.busy import FRAME_SECONDS, SPINNER, BusyLine, in_daemon_thread
from aosrepl.console.code_style import code_style
from aosrepl.console.commands import PadError
from aosrepl.console.display import gray, red, strip_ansi
from aosrepl.console.history import history_path
from aosrepl.console.prompt_parts import ProcessCompleter, ProcessHistory, complete_in_place
from aosrepl.console.terminal import TerminalWriter

ACTIVITY_POLL = 0.25        # seconds between looks at whether the network is busy
PROMPT_FAILURES = 5         # the application failing this many times in a row (a bug) ends the console
MENU_LINES = 8              # lines kept free below the prompt while the completion menu is open
EXIT_HINT = "(To exit, press Ctrl-C again, Ctrl-D on an empty line, or type .exit)"
LEAVING_NOTE = ("Leaving while the evaluation still runs: it was asked to stop "
                "(a message that never ends is stopped at the next start).")


class ConsoleApp:
    def __init__(self, session, net, data_dir: Path):
        self.session, self.net = session, net
        self.history = ProcessHistory(history_path(data_dir, session.pid))
        self.completer = ProcessCompleter(net, session.pid)
        self.busy = BusyLine(session.interrupt, self._styled, on_leave=self._leave_while_busy)
        self.exit_armed = False
        self.frame = 0
        self.network_busy = False
        self._prompt_text, self._prompt_ansi = None, None    # the prompt last shown, parsed (see _message)
        self._drawing_accepted = False      # drawing the accepted line for the scrollback: no menu, no spinner
        self._left = asyncio.Event()        # the user left while a line ran: stop waiting for it
        self.buffer = Buffer(history=self.history, completer=self.completer, complete_while_typing=False,
                             multiline=False, accept_handler=self._accept, enable_history_search=False)
        self.app = self._application(session.color)

    # ----- the screen ----------------------------------------------------------------------------
    def _application(self, color: bool) -> Application:
        busy = Condition(lambda: self.busy.active)
        spinning = Condition(self.busy.shows_spinner)      # (a quick line draws no line at all)
        drawing_accepted = Condition(lambda: self._drawing_accepted)
        self.input_window = Window(
            BufferControl(self.buffer, lexer=PygmentsLexer(LuaLexer) if color else None,
                          input_processors=[BeforeInput(self._message)], key_bindings=self._prompt_keys()),
            height=self._input_height, dont_extend_height=True, wrap_lines=True)
        self.busy_window = Window(FormattedTextControl(self.busy.text, focusable=True,
                                                       key_bindings=self.busy.key_bindings()), height=1)
        activity = Window(FormattedTextControl(self._activity), align=WindowAlign.RIGHT, dont_extend_width=True)
        body = FloatContainer(
            HSplit([ConditionalContainer(self.input_window, filter=~busy),
                    ConditionalContainer(self.busy_window, filter=spinning)]),
            floats=[Float(xcursor=True, ycursor=True, transparent=True,
                          content=CompletionsMenu(max_height=16, scroll_offset=1, extra_filter=~drawing_accepted)),
                    Float(right=0, top=0, hide_when_covering_content=True,
                          content=ConditionalContainer(activity, filter=~busy & ~drawing_accepted))])
        return Application(layout=Layout(body, focused_element=self.input_window), style=code_style(),
                           include_default_pygments_style=False,      # the terminal's own 16 colours
                           erase_when_done=True)      # leaving: no empty prompt under the last words

    def _input_height(self) -> Dimension:
        # room below the line for the completion menu while it is open (the menu is drawn inside the
        # application's own lines, which end at the prompt's last line otherwise)
        if self.buffer.complete_state is not None and not self._drawing_accepted:
            return Dimension(min=MENU_LINES)
        return Dimension()

    def _message(self):
        # prompt_toolkit asks for the prompt many times per redraw: parse its escape codes once per prompt text
        text = self.session.prompt
        if text != self._prompt_text:
            self._prompt_text, self._prompt_ansi = text, ANSI(text)
        return self._prompt_ansi

    def _styled(self, text: str) -> ANSI:
        return ANSI(text if self.session.color else strip_ansi(text))

    def _activity(self):
        """Right of the prompt: a spinner while the network still works (e.g. an inference after Llama.run)."""
        if not self.network_busy:
            return ""
        return self._styled(gray(SPINNER[self.frame % len(SPINNER)] + " network busy"))

    def _network_busy(self) -> bool:
        try:
            return not self.net.run_until_idle(timeout=0)
        except Exception:
            return False

    async def _watch_activity(self):
        """Redraws the prompt only while the network works (and once when it stops): no idle redraws."""
        while True:
            await asyncio.sleep(ACTIVITY_POLL)
            busy = self._network_busy()
            if busy or busy != self.network_busy:
                self.network_busy = busy
                self.frame += 1
                self._redraw()

    async def _spin(self):
        """Redraws the busy line while it shows its spinner."""
        while True:
            await asyncio.sleep(FRAME_SECONDS)
            if self.busy.shows_spinner():
                self._redraw()

    def _redraw(self):
        if self.app.is_running:
            self.app.invalidate()

    def _running_app(self):
        return self.app if self.app.is_running else None

    # ----- the prompt's keys ---------------------------------------------------------------------
    def _prompt_keys(self) -> KeyBindings:
        kb = KeyBindings()
        empty_line = Condition(lambda: not self.buffer.text)

        @kb.add("c-c")
        def _(event):
            if self.buffer.text:
                self.buffer.reset()
                self.exit_armed = False
            elif self.exit_armed:
                self._leave()
            else:
                self.exit_armed = True
                self.session.say(gray(EXIT_HINT))

        @kb.add("c-d", filter=empty_line)
        def _(event):
            self._leave()

        @kb.add("tab")
        def _(event):
            if self.buffer.complete_state:
                self.buffer.complete_next()     # the menu is open: Tab walks it, as prompt_toolkit's Tab does
            else:
                complete_in_place(self.completer, self.buffer)
        return kb

    def _accept(self, buffer: Buffer) -> bool:
        """Enter: the line stays on screen as typed, and the busy line takes the prompt's place below it."""
        work = self._start(buffer.text)      # first: it runs on its thread while the screen catches up
        buffer.complete_state = None
        self._drawing_accepted = True
        try:
            self.app.renderer.render(self.app, self.app.layout, is_done=True)   # ends below it, renderer reset
        finally:
            self._drawing_accepted = False
        self.app.renderer.request_absolute_cursor_position()   # where the next drawing starts, as at a start
        self.exit_armed = False
        self.busy.begin(work)     # before anything redraws: the empty prompt is never drawn meanwhile
        self.app.layout.focus(self.busy_window)
        asyncio.get_running_loop().create_task(self._handle(work))
        return False      # the buffer is emptied (after the line went into the history)

    def _leave(self):
        self.session.exited = True
        if self.app.is_running and not self.app.is_done:
            self.app.exit()

    def _leave_while_busy(self):
        self._left.set()

    # ----- one line, and the lines typed while it ran ---------------------------------------------
    def _start(self, line: str) -> asyncio.Future | None:
        """Starts a typed line on a worker thread: its future, or None for `.pad` (its editor needs the
        terminal before anything runs)."""
        lines = line.split("\n")
        if len(lines) > 1 and any(part.startswith(".") for part in lines):
            # A pasted transcript (e.g. `.editor` ... `.done`): its lines run one by one, as typed.
            self.busy.queued[:0] = lines[1:]
            line = lines[0]
        if line == ".pad" and self.session.editor_lines is None:
            return None
        return self._on_thread(self.session.submit, line)

    @staticmethod
    def _on_thread(fn, *args) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        try:
            return in_daemon_thread(loop, fn, *args)
        except RuntimeError as exc:      # no thread to run it on: the error is shown, the prompt comes back
            failed = loop.create_future()
            failed.set_exception(exc)
            return failed

    async def _handle(self, work: asyncio.Future | None):
        try:
            while True:
                if work is None:
                    work = await self._edit_pad()
                if work is not None:
                    await self._finish(work)
                if self.session.exited or not self.busy.queued:
                    break
                line = self.busy.queued.pop(0)
                self.session.say(self.session.prompt + line)
                self.history.append_string(line)
                work = self._start(line)
        finally:
            self.busy.end()
            if self.session.exited:
                self._leave()
            else:
                self._prompt_again()

    def _prompt_again(self):
        default, complete = self.busy.take_typeahead()
        self.buffer.reset(Document(default))
        self.app.layout.focus(self.input_window)
        if complete:       # a Tab typed while the line ran: complete now that the process answers
            complete_in_place(self.completer, self.buffer)
        self._redraw()

    async def _edit_pad(self) -> asyncio.Future | None:
        """`.pad`: the editor on the process's scratch file, then what was saved, evaluated (None: nothing)."""
        try:       # $EDITOR needs the terminal: the application steps aside while it runs
            edited = await run_in_terminal(self.session.commands.pad_edit)
        except PadError as exc:
            self.session.say(red(str(exc)))
            return None
        except Exception as exc:
            self.session.say(red(f"ERROR: {type(exc).__name__}: {exc}"))
            return None
        if edited is None:
            return None
        return self._on_thread(self.session.evaluate, *edited)

    async def _finish(self, work: asyncio.Future):
        try:
            await self._while_busy(work)
            if self.busy.leaving:          # a second Ctrl-C or Ctrl-D while it ran: leave without waiting
                self.busy.leaving = False
                self.session.exited = True
                if not work.done():
                    self.session.say(gray(LEAVING_NOTE))
                    return
            await work
        except Exception as exc:       # whatever went wrong, the console stays
            self.session.say(red(f"ERROR: {type(exc).__name__}: {exc}"))

    async def _while_busy(self, work: asyncio.Future) -> None:
        """The busy line stands in for the prompt until `work` is done (or the user leaves)."""
        if work.done():
            return
        self.busy.begin(work)     # (on screen since Enter: a queued line or `.pad`'s evaluation is a new piece of work)
        spinner = asyncio.get_running_loop().create_task(self._spin())
        left = asyncio.get_running_loop().create_task(self._left.wait())
        try:
            await asyncio.wait({work, left}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            spinner.cancel()
            left.cancel()
            self._left.clear()

    # ----- the whole console -----------------------------------------------------------------------
    async def run(self) -> int:
        self.session.on_change = self._redraw
        # While the application runs, the terminal is in raw mode and Ctrl-C is a key. When it is not (an
        # editor started by `.pad`, a restart after a fault), Ctrl-C is a signal: it must interrupt the
        # evaluation (or do nothing), never kill the console.
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGINT, self._sigint)
        except (NotImplementedError, RuntimeError):
            pass
        self.session.redirect(TerminalWriter(loop, self._running_app))
        activity = asyncio.create_task(self._watch_activity())
        try:
            with patch_stdout(raw=True):      # stray prints of other code still land above the prompt
                return await self._run_application()
        finally:
            activity.cancel()

    async def _run_application(self) -> int:
        failures = 0
        while not self.session.exited:
            try:
                await self.app.run_async(handle_sigint=False)     # Ctrl-C: see run()
                return 0
            except Exception as exc:      # a fault in the application itself: say so, and start it again
                failures += 1
                self.session.say(red(f"ERROR: the prompt failed: {type(exc).__name__}: {exc}"))
                if failures >= PROMPT_FAILURES:
                    self.session.say(red("ERROR: the prompt keeps failing; leaving the console."))
                    return 1
        return 0

    def _sigint(self):
        if self.session.busy:
            self.session.interrupt()


def run_app(session, net, data_dir: Path) -> int:
    return asyncio.run(ConsoleApp(session, net, data_dir).run())
