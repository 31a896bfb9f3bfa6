"""The terminal-free core of the console: one typed line in, text out (like Python's `code.InteractiveConsole`).

`ConsoleSession.submit(line)` does what aos does with a line (dot-commands, editor mode, an Eval and its
display); `on_result` is the live feed. All text goes through `out.write`, so a test, the transcript runner,
piped stdin and the prompt_toolkit app all see exactly the same output."""
from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Callable

from aosrepl.console import display
from aosrepl.console.commands import Commands
from aosrepl.console.display import ColorFilter, FALLBACK_PROMPT, red
from aosrepl.console.errors import Origin, format_error, typed_origin
from aosrepl.console.history import storable

UNKNOWN_ERROR = "An unknown error occurred."
NOT_UTF8 = ("ERROR: this line has bytes that are not UTF-8 (shown as \ufffd: {line}); it was not run. "
            "Is your terminal set to UTF-8?")
VERSION_PROBE = "require('.process')._version"


class ConsoleSession:
    def __init__(self, network, pid: str, out, *, color: bool | None = None,
                 blueprints_dir: str | Path | None = None, data_dir: str | Path | None = None,
                 cwd: str | None = None, eval_timeout: float | None = None,
                 run_editor: Callable[[Path], int] | None = None, guide: bool = True):
        self.net = network
        self.pid = pid
        self.color = display.color_enabled() if color is None else color
        self.out = ColorFilter(out, self.color)
        self.eval_timeout = eval_timeout
        self.guide = guide      # show the hints meant for a person at the keyboard (not in piped runs)
        self.process_prompt = FALLBACK_PROMPT
        self.dryrun = False
        self.editor_lines: list[str] | None = None     # the `.editor` buffer; None outside editor mode
        self.exited = False
        self.on_change: Callable[[], None] = lambda: None   # the app redraws its prompt here
        self._lock = threading.RLock()      # one writer at a time: evals and the live feed share `out`
        self._busy = 0                      # evaluations in flight: live output waits behind them
        self.current_eval: str | None = None    # the id of the Eval in flight (for Ctrl-C)
        self.paused = False                 # `.pause`: live output waits until `.live`
        self._pending: list[Callable[[], None]] = []     # live output held back during an eval
        self.commands = Commands(self, blueprints_dir=blueprints_dir, data_dir=data_dir, cwd=cwd,
                                 run_editor=run_editor)

    # ----- what the app shows ------------------------------------------------------------------
    @property
    def prompt(self) -> str:
        if self.editor_lines is not None:
            return ""
        text = (red("*") if self.dryrun else "") + self.process_prompt
        return text if self.color else display.strip_ansi(text)

    @property
    def busy(self) -> bool:
        return self._busy > 0

    def redirect(self, out):
        """Sends all further output to `out` (the interactive app's terminal writer)."""
        with self._lock:
            self.out = ColorFilter(out, self.color)

    def write(self, text: str):
        with self._lock:
            self.out.write(text)
            flush = getattr(self.out, "flush", None)
            if flush:
                flush()

    def say(self, text: str):
        """Writes one line of console text."""
        self.write(text + "\n")

    def hint(self, text: str):
        """A line meant for a person typing (e.g. the editor banner): left out of scripted output."""
        if self.guide:
            self.say(text)

    # ----- a typed line ------------------------------------------------------------------------
    def submit(self, line: str) -> bool:
        """Handles one typed line. Returns False when it ended in an error (for `--run` exit codes)."""
        if storable(line) != line:
            # Bytes that were not UTF-8 (a Latin-1 keyboard, pasted binary) arrive as lone surrogates: they
            # cannot become a message (AO messages are UTF-8), and guessing what they meant could be wrong.
            self.say(red(NOT_UTF8.format(line=storable(line))))
            return False
        try:
            return self.commands.handle(line)
        except Exception as exc:     # nothing typed may crash the console
            self.say(red(f"ERROR: {type(exc).__name__}: {exc}"))
            return False

    def connect(self) -> str | None:
        """Asks the process for its library version, as aos does at start-up, and adopts the prompt it
        returns. A process that answers with an error (say, a broken `Prompt()`) has it shown and gives
        None; a network failure raises (the caller cannot go on without a network)."""
        result = self._call(VERSION_PROBE, dry=False)
        output = result.get("Output") if isinstance(result, dict) else None
        if not isinstance(output, dict):
            self.show_result(result, typed_origin(VERSION_PROBE))
            return None
        self._adopt_prompt(output)
        version = output.get("data")
        return version if isinstance(version, str) else None

    def evaluate(self, code: str, origin: Origin | None = None) -> bool:
        """Sends code as an Eval (or a dry-run) and shows its result; live output waits until it is shown."""
        with self.live_held():
            try:
                result = self._call(code, dry=self.dryrun)
            except Exception as exc:
                self.say(red(f"ERROR: the evaluation failed: {exc}"))
                return False
            return self.show_result(result, origin or typed_origin(code))

    @contextlib.contextmanager
    def live_held(self):
        """Live output waits until the block is over (so a command's own answer is shown before what it
        caused, e.g. `.fund`'s verdict before the Credit-Notice)."""
        with self._lock:
            self._busy += 1
        try:
            yield
        finally:
            with self._lock:
                self._busy -= 1
                if not self._busy and not self.paused:
                    self._flush_live()

    def _call(self, code: str, dry: bool) -> dict:
        if dry:
            return self.net.dryrun(self.pid, code)
        # The Eval's id is chosen here so that Ctrl-C stops this Eval and never another message.
        self.current_eval = self.net.new_id()
        try:
            return self.net.eval(self.pid, code, timeout=self.eval_timeout, msg_id=self.current_eval)
        finally:
            self.current_eval = None

    def interrupt(self) -> bool:
        """Ctrl-C: stops the Eval in flight (not whatever else the process may be handling)."""
        current = self.current_eval
        return current is not None and bool(self.net.interrupt(self.pid, current))

    def show_result(self, result, origin: Origin) -> bool:
        """aos's display rules for an Eval result (aos-repl.md §3.3)."""
        if not isinstance(result, dict):
            self.say(red(UNKNOWN_ERROR))
            return False
        error = result.get("Error", result.get("error"))
        if error is not None:
            self.write(format_error(str(error), origin))
            return False
        output = result.get("Output")
        if output is None:
            self.say(red(UNKNOWN_ERROR))
            return False
        if not isinstance(output, dict):
            self.say(str(output))
            return True
        # The prompt first: a terminal redraws it right after the text, and it must be the new one.
        self._adopt_prompt(output)
        data = output.get("data")
        if data:
            if isinstance(data, dict):
                self.say(str(data["output"]) if "output" in data else "")
            else:
                self.say(str(data))
        return True

    def _adopt_prompt(self, output: dict):
        data = output.get("data")
        prompt = data.get("prompt") if isinstance(data, dict) and data.get("prompt") else output.get("prompt")
        if isinstance(prompt, str) and prompt and prompt != self.process_prompt:
            self.process_prompt = prompt
            self.on_change()      # (only then: a redraw while a line runs costs that line a millisecond)

    # ----- the live feed -----------------------------------------------------------------------
    def on_result(self, pid: str, result: dict):
        """A later result of a process (Output.print): shown now, or right after the eval in flight."""
        self._live(lambda: self._show_live(pid, result))

    def on_notice(self, text: str):
        """A line of the network's own output (e.g. a message nobody can receive)."""
        self._live(lambda: self.say(display.gray(str(text))))

    def _live(self, show: Callable[[], None]):
        with self._lock:
            if self._busy or self.paused:
                self._pending.append(show)
            else:
                show()

    def resume_live(self):
        """`.live`: show what arrived while paused, then keep showing."""
        with self._lock:
            self.paused = False
            if not self._busy:
                self._flush_live()

    def _flush_live(self):
        pending, self._pending = self._pending, []
        for show in pending:
            show()

    def _show_live(self, pid: str, result: dict):
        if not isinstance(result, dict):
            return
        if pid != self.pid:
            self.commands.network.show_watched(pid, result)
            return
        if result.get("Error") is not None:
            self.say(red(str(result["Error"])))
            return
        output = result.get("Output")
        if isinstance(output, dict):
            self._adopt_prompt(output)       # before the text, as in show_result
            data = output.get("data")
            if data:
                self.say(str(data.get("output", "")) if isinstance(data, dict) else str(data))
