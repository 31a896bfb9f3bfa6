"""Dry-runs on a copy of a live process: the scheduler's process is forked (copy-on-write, so the copy costs
page tables, not the process's history), the copy handles the message and sends its result back as JSON, and
exits. Nothing is logged, routed or kept, and the cost does not grow with the process's history.

Where fork is unavailable, or the process has native modules (which may hold threads a fork would not
copy), the caller falls back to replaying the history into a fresh state.
"""
from __future__ import annotations

import json
import os


def can_fork() -> bool:
    return hasattr(os, "fork")


def start(lua, message: dict, env: dict) -> tuple[int, int]:
    """Fork; the child handles `message` in its copy of `lua` and writes the result to a pipe.
    Returns (child pid, read end). The caller holds the process's use_lock (no handler is running in it)."""
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:   # the copy: one thread, only the Lua state and the pipe are used, then _exit
        code = 0
        try:
            os.close(read_end)
            try:
                result = lua.handle(message, env)
            except BaseException as exc:   # a bug below us: report it like the network would
                result = {"Error": f"{type(exc).__name__}: {exc}"}
            data = json.dumps(result, default=str, ensure_ascii=True).encode()
            view = memoryview(data)
            while view:
                view = view[os.write(write_end, view):]
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    return child, read_end


def finish(child: int, read_end: int) -> dict:
    """Read the copy's result and reap it."""
    chunks = []
    try:
        while True:
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        os.waitpid(child, 0)
    if not chunks:
        return {"Error": "The dry-run copy of the process ended without a result."}
    return json.loads(b"".join(chunks))
