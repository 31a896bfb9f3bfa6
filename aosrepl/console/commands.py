"""The dot-commands, matched as aos matches them (aos-repl.md §2): whole line and case-sensitive, except
`.load-blueprint` and `.load`, which are prefixes and also work inside the editor. Our own extras
about the local network (`.fund`, `.ps`, `.watch`, `.unwatch`) are in network_commands.py."""
from __future__ import annotations

import hashlib
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from aosrepl.console import display
from aosrepl.console.display import gray, green, red, yellow
from aosrepl.console.errors import SourceLine
from aosrepl.console.loader import LoadError, file_tree, load_project
from aosrepl.console.network_commands import NetworkCommands

if TYPE_CHECKING:
    from aosrepl.console.session import ConsoleSession

EDITOR_BANNER = "<editor mode> use '.done' to submit or '.cancel' to cancel"
BAD_BLUEPRINT = "ERROR: .load-blueprint function requires a valid blueprint"
PAD_NEEDS_TERMINAL = ("ERROR: .pad opens your editor, which needs a terminal, and input is not coming from one "
                      "(use .load FILE or .editor ... .done instead)")
EDITOR_ONLY = (".done", ".cancel", ".delete", ".print")
# A dot and a letter starts a command; `.5` is still a Lua number.
_COMMAND_WORD = re.compile(r"^\.[A-Za-z]")


# Commands about aosrepl's own local network; on a real AO network they say so instead.
LOCAL_ONLY = (".fund", ".ps", ".watch", ".unwatch", ".update")


class PadError(Exception):
    """`.pad` cannot run the editor here; the message is for the user."""


def file_origin(path: Path, text: str):
    lines = text.split("\n")

    def origin(number: int):
        return SourceLine(number, lines[number - 1], str(path)) if 1 <= number <= len(lines) else None
    return origin


def default_editor(path: Path) -> int:
    """Opens $EDITOR (else vi) on the file, through a shell as aos does; returns its exit status.
    Only on a terminal: an editor started on piped input would read (and eat) the rest of the script."""
    if not sys.stdin.isatty():
        raise PadError(PAD_NEEDS_TERMINAL)
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return subprocess.call(f"{editor} {shlex.quote(str(path))}", shell=True)


class Commands:
    def __init__(self, session: "ConsoleSession", *, blueprints_dir=None, data_dir=None, cwd=None,
                 run_editor: Callable[[Path], int] | None = None):
        self.s = session
        if blueprints_dir is None:
            from aosrepl.services import BLUEPRINTS_DIR
            blueprints_dir = BLUEPRINTS_DIR
        self.blueprints_dir = Path(blueprints_dir)
        self.data_dir = Path(data_dir) if data_dir else None
        self.cwd = cwd
        self.run_editor = run_editor or default_editor
        self.network = NetworkCommands(session)
        self._simple = {
            ".help": self.help, ".dryrun": self.toggle_dryrun, ".monitor": self.monitor,
            ".unmonitor": self.unmonitor, ".pause": self.pause, ".live": self.live, ".ps": self.network.ps,
        }
        self._with_argument = {".fund": self.network.fund, ".watch": self.network.watch,
                               ".unwatch": self.network.unwatch}

    # ----- dispatch, in aos's order ------------------------------------------------------------
    def handle(self, line: str) -> bool:
        s = self.s
        in_editor = s.editor_lines is not None
        if not in_editor:
            if not line.strip():
                return True
            if line.split(" ", 1)[0] in LOCAL_ONLY and not s.net.is_local:
                return self._local_only(line.split(" ", 1)[0])
            if line in self._simple:
                return self._simple[line]()
            word, _, rest = line.partition(" ")
            if word in self._with_argument:
                return self._with_argument[word](rest.strip())
        if line.startswith(".load-blueprint"):
            return self._expand(self.blueprint(_argument(line)))
        if line.startswith(".load"):
            return self._expand(self.load(_argument(line)))
        if line == ".editor":
            s.hint(EDITOR_BANNER)
            if not in_editor:
                s.editor_lines = []
                s.on_change()
            return True
        if in_editor:
            return self._editor_line(line)
        if line == ".pad":
            return self.pad()
        if line == ".exit":
            s.hint(gray("Exiting..."))
            s.exited = True
            return True
        if line == ".update":
            return self.update()
        if _COMMAND_WORD.match(line):
            return self.not_a_command(line.split()[0])
        return s.evaluate(line)

    def not_a_command(self, word: str) -> bool:
        """A line that starts like a command but is none: said so, instead of a Lua syntax error."""
        if word in EDITOR_ONLY:
            message = f"ERROR: {word} only works in editor mode (start it with .editor)"
        elif word in self._simple or word in (".editor", ".pad", ".exit", ".update"):
            message = f"ERROR: {word} takes no argument (type {word} alone)"
        else:
            message = f"ERROR: unknown command {word} (type .help for the commands)"
        self.s.say(red(message))
        return False

    def _local_only(self, command: str) -> bool:
        why = {".update": "it installs aosrepl's own aos library"}.get(command, "it is about aosrepl's local network")
        self.s.say(red(f"ERROR: {command} is for the local network only ({why}); this console is on a real AO network."))
        return False

    def _expand(self, loaded) -> bool:
        """Evaluates what `.load`/`.load-blueprint` produced, or adds it to the editor buffer."""
        if loaded is None:
            return False
        code, origin = loaded
        if self.s.editor_lines is not None:
            self.s.editor_lines.extend(code.split("\n"))
            return True
        return self.s.evaluate(code, origin)

    # ----- editor mode -------------------------------------------------------------------------
    def _editor_line(self, line: str) -> bool:
        s = self.s
        buffer = s.editor_lines
        if line == ".done":
            code = "".join(part + "\n" for part in buffer)
            self._leave_editor()
            s.hint("")        # on a terminal, a blank line between the typed block and its result
            return s.evaluate(code)
        if line == ".cancel":
            self._leave_editor()
            return True
        if line == ".delete":
            if buffer:
                deleted = buffer.pop()
                s.hint(gray(f"(deleted: {deleted})"))
            return True
        if line == ".print":
            text = "\n".join(buffer)
            self._leave_editor()
            s.say(text)
            return True
        buffer.append(line)
        return True

    def _leave_editor(self):
        self.s.editor_lines = None
        self.s.on_change()

    # ----- loading code ------------------------------------------------------------------------
    def load(self, argument: str | None):
        try:
            project = load_project(argument, self.cwd)
        except LoadError as exc:
            self.s.say(red(str(exc)))
            return None
        self.s.say(green(f"Loading... {argument}"))
        self.s.say(yellow("\nThe following files will be deployed:"))
        self.s.say(file_tree(project.files, project.main))
        return project.code, project.origin()

    def blueprint_names(self) -> list[str]:
        try:
            return sorted(p.stem for p in self.blueprints_dir.glob("*.lua") if p.is_file())
        except OSError:
            return []

    def blueprint(self, name: str | None):
        # Only a name from the folder's listing ever becomes a path: no user text reaches the file system.
        names = self.blueprint_names()
        if name not in names:
            self.s.say(red(BAD_BLUEPRINT))
            self.s.say(gray("Blueprints: " + (", ".join(names) or "(none found in " + str(self.blueprints_dir) + ")")))
            return None
        path = self.blueprints_dir / f"{name}.lua"
        try:
            code = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.s.say(red(f"ERROR: cannot read blueprint {name}: {exc}"))
            return None
        self.s.say(green(f"Loading... {name}"))
        return code, file_origin(path, code)

    def update(self) -> bool:
        from aosrepl.runtime.library import update_script
        return self.s.evaluate(update_script())

    def pad(self) -> bool:
        try:
            edited = self.pad_edit()
        except PadError as exc:
            self.s.say(red(str(exc)))
            return False
        return True if edited is None else self.s.evaluate(*edited)

    def pad_edit(self):
        """Runs the editor on the scratch file: (code, origin) if it was saved with changes, else None.
        PadError when there is no terminal to run it on."""
        path = self.pad_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text("", encoding="utf-8")
        before = hashlib.sha256(path.read_bytes()).digest()
        status = self.run_editor(path)
        after_bytes = path.read_bytes() if path.exists() else b""
        if status != 0 or hashlib.sha256(after_bytes).digest() == before:
            return None      # aos: quietly nothing, unless saved with changes
        code = after_bytes.decode("utf-8", errors="replace")
        return code, file_origin(path, code)

    def pad_path(self) -> Path:
        base = self.data_dir / "console" if self.data_dir else Path.home()
        return base / f"pad-{self.s.pid}.lua"

    # ----- network commands --------------------------------------------------------------------
    def help(self) -> bool:
        self.s.write(display.help_text())
        return True

    def toggle_dryrun(self) -> bool:
        s = self.s
        s.dryrun = not s.dryrun
        s.say(green("Dryrun Mode Engaged") if s.dryrun else red("Dryrun Mode Disengaged"))
        s.on_change()
        return True

    def pause(self) -> bool:
        self.s.paused = True
        self.s.say(gray("=== Pausing Live Feed ==="))
        return True

    def live(self) -> bool:
        self.s.say(gray("=== Starting Live Feed ==="))
        self.s.resume_live()
        return True

    def monitor(self) -> bool:
        try:
            self.s.net.monitor(self.s.pid)
        except Exception as exc:
            self.s.say(red(f"Could not start cron monitoring process. ({exc})"))
            return False
        self.s.say(green("Successfully started cron monitoring process."))
        return True

    def unmonitor(self) -> bool:
        try:
            self.s.net.unmonitor(self.s.pid)
        except Exception as exc:
            self.s.say(red(f"Could not stop cron monitoring process. ({exc})"))
            return False
        self.s.say(green("Successfully stopped cron monitoring process."))
        return True


def _argument(line: str) -> str | None:
    """aos takes the second space-separated token as the argument; we also take a quoted one (a path with
    spaces), which aos cannot load at all."""
    parts = line.split(" ")
    if len(parts) > 1 and parts[1][:1] in ("'", '"'):
        try:
            return shlex.split(line.split(" ", 1)[1])[0]
        except (ValueError, IndexError):
            return None
    return parts[1] if len(parts) > 1 and parts[1] else None
