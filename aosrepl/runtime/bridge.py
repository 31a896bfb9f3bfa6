"""Plain Python values <-> Lua values for one runtime.

Lua strings are bytes: Python `str` goes in as UTF-8 and comes back decoded with
errors="replace" (model output may be invalid UTF-8 and must never crash anything).
Ints stay ints, floats stay floats, lists become 1-based arrays and back."""
from __future__ import annotations

from typing import Any, Callable

from lupa.lua53 import lua_type

from .library import runtime_source


def to_lua_plain(value: Any) -> Any:
    """A copy of `value` whose strings are UTF-8 bytes (ready for `table_from`)."""
    t = type(value)
    if t is str:
        return value.encode("utf-8", "surrogatepass")
    if t is dict:
        return {to_lua_plain(k): to_lua_plain(v) for k, v in value.items()}
    if t is list or t is tuple:
        return [to_lua_plain(v) for v in value]
    return value


def decode(b: bytes) -> str:
    return b.decode("utf-8", "replace")


# How deep a table may nest to cross into Python. Deeper (or cyclic) tables are refused
# with a clear error rather than exhausting Python's recursion limit.
MAX_DEPTH = 100


class ConversionError(ValueError):
    """A Lua value that cannot become plain data (a cycle, or nested too deep)."""


def to_python(value: Any, empty_as_list: bool = False, _depth: int = 0) -> Any:
    """A Lua value as plain Python: tables with keys exactly 1..n become lists,
    other tables dicts (an empty table becomes [] when `empty_as_list`).
    Raises ConversionError for a table nested more than MAX_DEPTH levels (a cycle is
    infinitely deep)."""
    t = type(value)
    if t is bytes:
        return value.decode("utf-8", "replace")
    if value is None or t is int or t is float or t is bool:
        return value
    kind = lua_type(value)
    if kind == "table":
        if _depth >= MAX_DEPTH:
            raise ConversionError(f"a table is nested more than {MAX_DEPTH} levels deep, or contains itself")
        depth = _depth + 1
        items = [(to_python(k, False, depth), v) for k, v in value.items()]
        if not items:
            return [] if empty_as_list else {}
        n = len(items)
        if all(type(k) is int for k, _ in items):
            keys = sorted(k for k, _ in items)
            if keys[0] == 1 and keys[-1] == n:
                items.sort(key=lambda kv: kv[0])
                return [to_python(v, empty_as_list, depth) for _, v in items]
        return {str(k) if not isinstance(k, (str, int, float)) else k: to_python(v, empty_as_list, depth)
                for k, v in items}
    # functions, coroutines, userdata: not data
    return f"<{kind}>"


class Bridge:
    """Conversions bound to one Lua runtime; handed to native-module factories."""

    def __init__(self, runtime, memory_cap: int | None = None, instructions: int | None = None,
                 poll_interrupt: Callable[[], bool] | None = None, heap=None):
        self._rt = runtime
        self._heap = heap                 # the runtime's HeapLimits (which sets the Lua cap per mode)
        self.memory_cap = memory_cap      # the process's memory cap (bytes), shared by Lua and natives
        self.instructions = instructions  # the per-message budget, for natives that run code (SQL) of their own
        self._poll_interrupt = poll_interrupt
        self._wrap = runtime.execute(runtime_source("bridge"))
        # the sandbox's text-only `load`, captured before any process code can replace it
        self._load = runtime.eval(b"load")

    def interrupted(self) -> bool:
        """True when the message being handled was asked to stop (natives that run long check it)."""
        return bool(self._poll_interrupt is not None and self._poll_interrupt())

    def lua_memory_used(self) -> int:
        return int(self._rt.get_memory_used() or 0)

    def reserve_memory(self, native_bytes: int) -> None:
        """Natives (a process's SQLite databases) hold `native_bytes` of the cap: the Lua heap gets the rest."""
        if self._heap is not None:
            self._heap.reserve(native_bytes)
        elif self.memory_cap:
            self._rt.set_max_memory(max(1, self.memory_cap - int(native_bytes)))

    def globals(self) -> Any:
        """The process's global table (for natives that read the process's own state, e.g. `os`)."""
        return self._rt.globals()

    def to_lua(self, value: Any) -> Any:
        """A Python value as a Lua value (dicts/lists become tables, recursively)."""
        plain = to_lua_plain(value)
        if isinstance(plain, (dict, list)):
            return self._rt.table_from(plain, recursive=True)
        return plain

    def to_python(self, value: Any) -> Any:
        return to_python(value)

    def make_function(self, fn: Callable[..., Any], name: str = "native") -> Any:
        """A Lua function that calls `fn` with plain Python arguments and returns
        its plain result; a Python exception becomes a Lua error with its message."""
        def call(*args):
            try:
                result = fn(*[to_python(a) for a in args])
            except Exception as exc:  # the message is what the Lua caller sees
                return False, (f"{name}: {exc}" if str(exc) else f"{name}: {type(exc).__name__}").encode()
            return True, self._result_to_lua(result)
        return self._wrap(call)

    def _result_to_lua(self, result: Any) -> Any:
        # Built with the host's headroom: an allocation that fails while Python builds a table is
        # outside Lua's protection. The process's cap is back before its code runs again.
        heap = self._heap
        if heap is None:
            return self.to_lua(result)
        saved = heap.enter_host()
        try:
            return self.to_lua(result)
        finally:
            heap.leave_host(saved)

    def load_lua(self, source: bytes | str, chunkname: bytes | str, *args: Any) -> Any:
        """Run a Lua chunk (text only) in this process's state with `args` as `...`;
        returns its (first) result. For host-provided Lua such as a native module's
        Lua half; a compile error raises RuntimeError."""
        if isinstance(source, str):
            source = source.encode()
        if isinstance(chunkname, str):
            chunkname = chunkname.encode()
        loaded = self._load(source, chunkname)
        chunk, error = loaded if isinstance(loaded, tuple) else (loaded, None)
        if chunk is None:
            text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
            raise RuntimeError(f"{chunkname.decode('utf-8', 'replace')} failed to compile: {text}")
        return chunk(*args)

    def make_module(self, functions: dict[str, Callable[..., Any]], fields: dict | None = None) -> Any:
        """A Lua table of functions (plus optional plain data fields)."""
        module = self._rt.table_from({})
        for key, value in (fields or {}).items():
            module[key.encode()] = self.to_lua(value)
        for key, fn in functions.items():
            module[key.encode()] = self.make_function(fn, key)
        return module
