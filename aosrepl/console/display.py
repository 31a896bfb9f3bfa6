"""Colours, the splash and the help text of the console (client-side text only; the process makes its own)."""
from __future__ import annotations

import os
import re
import sys

from aosrepl import __version__

AOS_LIBRARY_VERSION = "2.0.0.rc2"       # what `.update` installs; older processes get the update hint
FALLBACK_PROMPT = "aos> "               # aos's prompt before the process has answered

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
_CODES = {"red": 31, "green": 32, "yellow": 33, "blue": 34, "gray": 90, "bold": 1, "dim": 2}


def paint(colour: str, text: str) -> str:
    """Wrap text in one of aos's client colours (each closed with a full reset, as aos does)."""
    return f"\x1b[{_CODES[colour]}m{text}\x1b[0m"


def red(text: str) -> str: return paint("red", text)
def green(text: str) -> str: return paint("green", text)
def yellow(text: str) -> str: return paint("yellow", text)
def blue(text: str) -> str: return paint("blue", text)
def gray(text: str) -> str: return paint("gray", text)
def bold(text: str) -> str: return paint("bold", text)
def dim(text: str) -> str: return paint("dim", text)


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


COLOR_MODES = ("auto", "always", "never")


def color_enabled(environ=None, stream=None, mode: str = "auto") -> bool:
    """Whether to write colour codes. `--color always|never` decides outright; otherwise a non-empty
    NO_COLOR turns colour off (https://no-color.org), a non-empty FORCE_COLOR other than "0" turns it on
    (for a pager such as `less -R`), and else colour goes only to a terminal: never into a pipe or a file.
    Without a stream (the console core used on its own) only the environment decides."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    force = env.get("FORCE_COLOR")
    if force:
        return force != "0"
    if stream is None:
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):    # no isatty, or a closed stream
        return False


class CurrentStdout:
    """Writes to whatever sys.stdout is *now* (prompt_toolkit's patch_stdout swaps it while the prompt runs)."""

    def write(self, text: str):
        sys.stdout.write(text)

    def flush(self):
        sys.stdout.flush()


class ColorFilter:
    """An `out` (anything with write) that drops ANSI codes when colour is off. Output of processes too."""

    def __init__(self, out, color: bool):
        self.out = out
        self.color = color

    def write(self, text: str):
        self.out.write(text if self.color else strip_ansi(text))

    def flush(self):
        flush = getattr(self.out, "flush", None)
        if flush:
            flush()


def _banner(network: str, data_dir: str, wallet: str, rows: list[tuple[str, str]]) -> str:
    """The start-up banner: what this console is, on which network, then one aligned row per fact."""
    lines = ["", green("aosrepl") + gray(f" {__version__}") + f" - the aos console on {network}",
             gray("Type \".help\" for commands, \"Ctrl-C\" twice or \".exit\" to leave."), ""]
    for label, value in [("Data directory", data_dir), ("Wallet", green(wallet))] + rows:
        lines.append(gray(f"{label + ':':<16}") + value)
    return "\n".join(lines + [""]) + "\n"


def splash(*, data_dir: str, wallet: str, model: str | None, backend: str | None, workers: int | None) -> str:
    """The start-up banner: what this console is, and the local network behind it."""
    if backend:
        inference = f"remote completion server {backend}"
    else:
        inference = f"{model or 'default (SmolLM2-135M-Instruct)'}, loaded on first use"
    inference += gray(f" ({workers} workers)") if workers else ""
    return _banner("a local, offline AO network", data_dir, wallet, [("Model", inference)])


def remote_splash(*, data_dir: str, wallet: str, mu: str, cu: str, gateway: str, module: str, scheduler: str) -> str:
    """The start-up banner on a real AO network: the units and ids behind this console."""
    return _banner("a real AO network", data_dir, wallet, [
        ("MU", mu), ("CU", cu), ("Gateway", gateway), ("Module", module + gray(" (for a new process)")),
        ("Scheduler", scheduler)])


def process_line(pid: str) -> str:
    # The 2024 client's wording: gray label, two spaces, green id.
    return gray("Your AOS process: ") + " " + green(pid) + "\n"


# name, argument, description: every dot-command this console understands.
COMMANDS = [
    (".load", "[file]", "Loads a local Lua file (and its local requires) into the process"),
    (".load-blueprint", "[name]", "Loads a blueprint from the blueprints directory"),
    (".editor", "", "Multi-line editor: .done submits, .cancel discards, .delete drops the last line, .print shows it"),
    (".pad", "", "Edits a per-process scratch file in $EDITOR and evaluates it when saved with changes"),
    (".update", "", "Updates the process library to aos " + AOS_LIBRARY_VERSION),
    (".dryrun", "", "Toggles dry-run mode: evaluations run on a throw-away copy and never save memory"),
    (".monitor", "", "Starts the cron ticks for this process"),
    (".unmonitor", "", "Stops the cron ticks for this process"),
    (".pause", "", "Holds incoming messages' output back (the live feed) until .live"),
    (".live", "", "Shows what arrived while paused, and everything after"),
    (".fund", "[amount]", "Sends wAR from your local wallet to this process (e.g. .fund 0.001)"),
    (".ps", "", "Lists the processes of the local network"),
    (".watch", "[name|id]", "Shows another process's output live (e.g. .watch Llama-Herder)"),
    (".unwatch", "[name|id]", "Stops watching one process, or all of them without an argument"),
    (".help", "", "Prints this help screen"),
    (".exit", "", "Closes the console"),
]


def help_text() -> str:
    lines = [green("AOS Client Functions"), "", gray("Client commands:")]
    for name, arg, text in COMMANDS:
        lines.append("  " + green(f"{name} {arg}".strip().ljust(28)) + text)
    lines += ["", gray("Keys: Tab completes from the live process, Up/Down walk the history, Ctrl-C stops a running")]
    lines += [gray("evaluation or clears the line, Ctrl-C twice or Ctrl-D on an empty line exits.")]
    return "\n".join(lines) + "\n"
