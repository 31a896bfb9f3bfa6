"""Helpers that run the real `aos` console (python3 -m aosrepl) as a subprocess or in a pty."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROMPT = re.compile(r"@aos-[0-9A-Za-z.]+\[Inbox:(\d+)\]>")
PROCESS_LINE = re.compile(r"Your AOS process:  ([A-Za-z0-9_-]{43})")


# Redraw codes of the prompt, and the spinner line (busy.py) when a line took long enough to show it: the
# spinner is erased in place, so output then starts on the spinner's line, not right after a newline.
_SPINNER_LINE = r"[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \[\w+\.\.\.\] Ctrl-C stops it[^\r\n\x1b]*"
_ESC = r"(?:\x1b\[[0-9;?]*[A-Za-z]| \x08|" + _SPINNER_LINE + ")*"


def output_line(text: str) -> re.Pattern:
    """A whole line of output as the pty shows it (the prompt's redraw codes may come before it)."""
    return output_line_re(re.escape(text))


def output_line_re(pattern: str) -> re.Pattern:
    return re.compile(r"\n" + _ESC + pattern + r"\r+\n")


def console_env(**extra) -> dict:
    """The environment of a console under test; an extra set to None is removed (e.g. NO_COLOR=None)."""
    env = dict(os.environ, NO_COLOR="1", TERM="xterm", PYTHONPATH=str(ROOT),
               PROMPT_TOOLKIT_NO_CPR="1")      # pexpect does not answer cursor-position requests
    for name in ("AOSREPL_HOME", "FORCE_COLOR"):
        env.pop(name, None)
    env.update(extra)
    return {name: value for name, value in env.items() if value is not None}


def aos_args(name: str, data_dir, *flags) -> list[str]:
    return [sys.executable, "-m", "aosrepl", name, "--data-dir", str(data_dir), *flags]


def run_aos(name, data_dir, *flags, stdin: str = "", timeout=120, cwd=None, **env) -> subprocess.CompletedProcess:
    return subprocess.run(aos_args(name, data_dir, *flags), input=stdin, capture_output=True, text=True,
                          env=console_env(**env), timeout=timeout, cwd=cwd or ROOT)


def spawn_console(name, data_dir, *flags, timeout=30, cwd=None, **env):
    import pexpect
    args = aos_args(name, data_dir, *flags)
    child = pexpect.spawn(args[0], args[1:], env=console_env(**env), cwd=str(cwd or ROOT),
                          encoding="utf-8", timeout=timeout, dimensions=(50, 200))
    if os.environ.get("AOSREPL_PTY_LOG"):       # debugging aid: everything the console wrote
        child.logfile_read = open(os.environ["AOSREPL_PTY_LOG"], "a", encoding="utf-8")
    return child
