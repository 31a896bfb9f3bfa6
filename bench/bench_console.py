"""Console speed figures (printed, never asserted):
  - whole-process wall time of `aos t --run '1+1'` on a warm data dir (aim: < 0.7 s),
  - the median round trip of an eval typed into the running console (pexpect, in a pty),
  - how long Ctrl-C takes to stop an endless loop and give the prompt back (aim: < 2 s).
Usage: python3 bench/bench_console.py [--runs N]"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "console"))

from console_proc import PROMPT, aos_args, console_env, output_line, spawn_console  # noqa: E402


def aos_command(data_dir: Path, *flags) -> list[str]:
    """The `aos` command a user types (the installed entry point next to this Python), else `python -m aosrepl`
    (which adds runpy's imports: a few ms)."""
    script = Path(sys.executable).with_name("aos")
    if script.is_file():
        return [str(script), "t", "--data-dir", str(data_dir), *flags]
    return aos_args("t", data_dir, *flags)


def time_run(data_dir: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(aos_command(data_dir, "--run", "1+1"), capture_output=True, text=True,
                              env=console_env(), cwd=ROOT)
        times.append(time.perf_counter() - start)
        if done.stdout != "2\n":
            raise SystemExit(f"unexpected output: {done.stdout!r} {done.stderr!r}")
    return times


def round_trips(child, prompt, runs: int) -> list[float]:
    """Seconds from sending `i + 1000` to seeing its value and the next prompt, `runs` times."""
    child.delaybeforesend = None          # pexpect's own 50 ms pause is not the console's time
    child.expect(prompt)
    trips = []
    for i in range(runs):
        start = time.perf_counter()
        child.sendline(f"{i} + 1000")
        child.expect(output_line(str(i + 1000)))
        child.expect(prompt)
        trips.append(time.perf_counter() - start)
    return trips


def time_console(data_dir: Path, runs: int) -> tuple[list[float], float]:
    child = spawn_console("t", data_dir)
    trips = round_trips(child, PROMPT, runs)
    child.sendline('while true do local s = string.rep("x", 100000) end')    # only Ctrl-C ends it
    child.expect_exact("[Computing...]")
    start = time.perf_counter()
    child.sendcontrol("c")
    child.expect(PROMPT, timeout=30)
    interrupt = time.perf_counter() - start
    child.sendline(".exit")
    child.expect_exact("Exiting...")
    child.close()
    return trips, interrupt


# Two floors of the console's round trip, driven the same way (no network, no aosrepl), each echoing a line's
# value: prompt_toolkit's PromptSession (an Application started and stopped for every line, as this console was
# built before), and one long-running Application with a one-line editor whose Enter draws the line for the
# scrollback and prints below it (as the console is built now).
BARE_PROMPT_SESSION = """
import asyncio, sys
from prompt_toolkit import PromptSession
async def main():
    session = PromptSession()
    while True:
        line = await session.prompt_async("t@aos-floor[Inbox:0]> ")
        if line == ".exit":
            return
        sys.stdout.write(str(eval(line)) + "\\n")
        sys.stdout.flush()
asyncio.run(main())
"""
BARE_APPLICATION = """
from prompt_toolkit.application import Application
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.layout import Layout, Window
from prompt_toolkit.layout.controls import BufferControl
from prompt_toolkit.layout.processors import BeforeInput
def accept(buffer):
    line = buffer.text
    app.renderer.render(app, app.layout, is_done=True)
    if line == ".exit":
        app.exit()
        return False
    app.renderer.erase()
    app.output.write_raw(str(eval(line)) + "\\n")
    app.output.flush()
    return False
buffer = Buffer(multiline=False, accept_handler=accept)
app = Application(layout=Layout(Window(BufferControl(buffer, input_processors=[BeforeInput("t@aos-floor[Inbox:0]> ")]),
                                       dont_extend_height=True, wrap_lines=True)), erase_when_done=True)
app.run()
"""
PROMPT_FLOOR = r"@aos-floor\[Inbox:0\]>"


AOSREPL_IMPORTS = "import aosrepl.cli, aosrepl.console.session, aosrepl.network"
# the standard modules (and lupa) that those imports bring in and cannot do without: the floor of the figure above
LIBRARY_IMPORTS = ("import re, argparse, shutil, pathlib, sqlite3, json, threading, hashlib, hmac, secrets, base64, "
                   "binascii, collections, subprocess, select, fcntl, decimal, typing, enum, signal, shlex, "
                   "urllib.parse, weakref, random, lupa.lua53")


def time_imports(runs: int, code: str = AOSREPL_IMPORTS) -> list[float]:
    """Wall time of a Python that only imports (by default what `aos --run` imports before it opens the
    network)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=console_env(), cwd=ROOT)
        times.append(time.perf_counter() - start)
    return times


def time_bare_prompt_toolkit(runs: int, code: str) -> list[float]:
    """The round trip of a bare prompt_toolkit program (BARE_PROMPT_SESSION or BARE_APPLICATION)."""
    import pexpect
    child = pexpect.spawn(sys.executable, ["-c", code], env=console_env(), encoding="utf-8",
                          timeout=30, dimensions=(50, 200))
    trips = round_trips(child, PROMPT_FLOOR, runs)
    child.sendline(".exit")
    child.expect(pexpect.EOF)
    child.close()
    return trips


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        # as an installed program runs: with its bytecode cached (kept out of the tree, in tmp)
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        data_dir = Path(tmp) / "data"
        start = time.perf_counter()
        first = subprocess.run(aos_command(data_dir, "--run", "1+1"), capture_output=True, env=console_env(), cwd=ROOT)
        print(f"first start (genesis of a new data dir): {time.perf_counter() - start:.3f} s (rc {first.returncode})")
        runs = time_run(data_dir, args.runs)
        print(f"{Path(aos_command(data_dir)[0]).name} t --run '1+1' wall time: median {statistics.median(runs):.3f} s, "
              f"min {min(runs):.3f} s, max {max(runs):.3f} s over {len(runs)} runs (aim < 0.7 s)")
        imports = time_imports(args.runs)
        print(f"  of which Python starting and importing aosrepl: median {statistics.median(imports):.3f} s")
        library = time_imports(args.runs, LIBRARY_IMPORTS)
        print(f"  (Python starting and importing only the standard modules and lupa that aosrepl uses: median "
              f"{statistics.median(library):.3f} s)")
        trips, interrupt = time_console(data_dir, max(args.runs, 20))
        print(f"in-console eval round trip: median {statistics.median(trips) * 1000:.1f} ms, "
              f"max {max(trips) * 1000:.1f} ms over {len(trips)} evals")
        print(f"Ctrl-C to prompt for an endless loop: {interrupt:.3f} s (aim < 2 s)")
        for what, code in (("a bare prompt_toolkit PromptSession", BARE_PROMPT_SESSION),
                           ("one bare long-running prompt_toolkit Application", BARE_APPLICATION)):
            floor = time_bare_prompt_toolkit(max(args.runs, 20), code)
            print(f"the same round trip through {what} (no network, no aosrepl): "
                  f"median {statistics.median(floor) * 1000:.1f} ms")


if __name__ == "__main__":
    os.environ.pop("AOSREPL_HOME", None)
    main()
