"""Why two ping-pong chains do not run faster than one here: what two threads gain when each sends message after
message through the process runtime, with more or less Python between the calls into Lua.

lupa releases Python's lock while Lua runs, so two processes' Lua runs at the same time on two threads; everything
else, including the conversions of the call's arguments and results, takes turns on that lock. Each thread here
drives a process of its own with one message again and again (a Ping that needs no answer):

  - through `LuaProcess.handle`, the runtime's public call (its own Python around the call included);
  - through the one crossing it makes (`_handle_flat`: the message's values in, the flat result out), with a
    Python loop of 0, 300 or 1,000 steps between calls standing in for the work a network does per message.

Printed: messages per second and CPU per message on one thread and on two, and the ratio.
Usage: python3 bench/bench_threads.py [--messages 5000]
"""
from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aosrepl.runtime.process import _flat_message  # noqa: E402
from aosrepl.runtime.testing import AUTHORITY, make_msg, spawn_process  # noqa: E402

PINGPONG = (ROOT / "tests" / "network" / "lua" / "pingpong.lua").read_text()
PYTHON_STEPS = (0, 300, 1_000)


def a_process():
    """A ping-pong process and a Ping it handles without answering (N = 0)."""
    proc, env = spawn_process(name="p")
    proc.handle(make_msg(proc, action="Eval", data=PINGPONG), env)
    return proc, env, make_msg(proc, action="Ping", sender="S" * 43, owner=AUTHORITY, tags={"N": "0"})


def through_handle(proc, env, msg, messages: int, python_steps: int) -> None:
    for _ in range(messages):
        proc.handle(msg, env)


def through_the_crossing(proc, env, msg, messages: int, python_steps: int) -> None:
    values = _flat_message(msg)[0]
    env_lua = proc._env_table(env)
    proc._heap.set_mode("user")
    for _ in range(messages):
        proc._handle_flat(env_lua, 10 ** 9, False, b"user", proc._heap.current, *values)
        total = 0
        for i in range(python_steps):
            total += i


def measure(drive, threads: int, messages: int, python_steps: int) -> tuple[float, float]:
    """(messages per wall second, CPU µs per message) with `threads` threads, each driving its own process."""
    setups = [a_process() for _ in range(threads)]
    workers = [threading.Thread(target=drive, args=(*s, messages, python_steps)) for s in setups]
    start, cpu = time.perf_counter(), time.process_time()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    total = threads * messages
    return total / (time.perf_counter() - start), (time.process_time() - cpu) / total * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=5000)
    n = parser.parse_args().messages
    cases = [("LuaProcess.handle", through_handle, 0)] + [
        (f"the crossing alone, {steps:,} Python steps between calls", through_the_crossing, steps)
        for steps in PYTHON_STEPS]
    for name, drive, steps in cases:
        one, one_cpu = measure(drive, 1, n, steps)
        two, two_cpu = measure(drive, 2, n, steps)
        print(f"{name}: one thread {one:,.0f} msg/s ({one_cpu:.0f} µs CPU each), two threads {two:,.0f} msg/s "
              f"({two_cpu:.0f} µs CPU each): {two / one:.2f}x")


if __name__ == "__main__":
    main()
