"""A locked-down Lua 5.3 state: no files, OS, native code, bytecode or debug library;
a memory cap; and an instruction-count hook enforcing a per-message budget and an
interrupt flag (see lua/sandbox.lua for the Lua half)."""
from __future__ import annotations

from typing import Callable

from lupa import lua53

from .library import module_source, runtime_source
from .memory import HeapLimits


def _refuse_attribute(obj, attr_name, is_setting):
    # Lua code must never reach into Python objects.
    raise AttributeError("access to Python attributes is not allowed")


def _lookup_module(name: bytes):
    found = module_source(name.decode("utf-8", "replace"))
    if found is None:
        return None
    return found  # (source, chunkname) -> two Lua values


def new_sandbox(heap: HeapLimits, poll_interrupt: Callable[[], bool]):
    """Return (runtime, guard): the runtime with the sandbox applied and the Lua
    `guard` table (arm(budget, timestamp, memory mode), disarm(), trust(fn),
    add_native(name, value), protect, traceback). `heap` switches the memory cap."""
    runtime = lua53.LuaRuntime(
        encoding=None,
        register_eval=False,
        register_builtins=False,
        unpack_returned_tuples=True,
        attribute_filter=_refuse_attribute,
        max_memory=heap.memory_bytes,
    )
    heap.attach(runtime)
    loader = runtime.eval(b"load")
    chunk = loader(runtime_source("sandbox"), b"=sandbox", b"t")
    if chunk is None:  # pragma: no cover - only on a syntax error in sandbox.lua
        raise RuntimeError("sandbox.lua failed to compile")
    guard = chunk(poll_interrupt, _lookup_module, heap.set_mode)
    # AO's view of files and the OS (io, dofile, os.getenv, ...), defined once the host's are gone
    compat = loader(runtime_source("compat"), b"=compat", b"t")
    if compat is None:  # pragma: no cover - only on a syntax error in compat.lua
        raise RuntimeError("compat.lua failed to compile")
    compat()
    # string.find / match / gmatch / gsub whose work is bounded (lua/patterns.lua; it keeps
    # the raw string functions for its own steps), then C work charged to the budget (lua/cwork.lua)
    loader(runtime_source("patterns"), b"=patterns", b"t")()
    loader(runtime_source("cwork"), b"=cwork", b"t")(guard.charge)
    return runtime, guard
