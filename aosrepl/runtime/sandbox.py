"""A locked-down Lua 5.3 state: no files, OS, native code, bytecode or debug library;
a memory cap; and an instruction-count hook enforcing a per-message budget and an
interrupt flag (see lua/sandbox.lua for the Lua half)."""
from __future__ import annotations

from typing import Callable

from lupa import lua53

from .library import module_chunk, runtime_chunk
from .memory import HeapLimits


def _refuse_attribute(obj, attr_name, is_setting):
    # Lua code must never reach into Python objects.
    raise AttributeError("access to Python attributes is not allowed")


def _lookup_module(name: bytes):
    found = module_chunk(name.decode("utf-8", "replace"))
    if found is None:
        return None
    return found  # (chunk, chunkname, mode) -> three Lua values


def new_sandbox(heap: HeapLimits, poll_interrupt: Callable[[], bool]):
    """Return (runtime, guard, load_runtime): the runtime with the sandbox applied, the Lua
    `guard` table (arm(budget, timestamp, memory mode), disarm(), trust(fn),
    add_native(name, value), protect, traceback), and load_runtime(stem), which loads a Lua file of the
    runtime (host.lua, crossing.lua) into it. `heap` switches the memory cap."""
    runtime = lua53.LuaRuntime(
        encoding=None,
        register_eval=False,
        register_builtins=False,
        unpack_returned_tuples=True,
        attribute_filter=_refuse_attribute,
        max_memory=heap.memory_bytes,
    )
    heap.attach(runtime)
    raw_load = runtime.eval(b"load")    # Lua's own load: the host keeps it; the sandbox takes it from Lua code

    def load_runtime(stem: str):
        """A Lua file of the runtime, loaded compiled (library.runtime_chunk), as a callable."""
        chunk, mode = runtime_chunk(stem)
        function = raw_load(chunk, b"=" + stem.encode(), mode)
        if not callable(function):  # pragma: no cover - only on a syntax error in the runtime's own Lua
            raise RuntimeError(f"{stem}.lua failed to compile: {function}")
        return function

    guard = load_runtime("sandbox")(poll_interrupt, _lookup_module, heap.set_mode)
    # AO's view of files and the OS (io, dofile, os.getenv, ...), defined once the host's are gone
    load_runtime("compat")()
    # string.find / match / gmatch / gsub whose work is bounded (lua/patterns.lua; it keeps
    # the raw string functions for its own steps), then C work charged to the budget (lua/cwork.lua)
    load_runtime("patterns")()
    load_runtime("cwork")(guard.charge)
    return runtime, guard, load_runtime
