"""LuaProcess: one AO process = one sandboxed Lua state running the aos library."""
from __future__ import annotations

import json
import threading
from typing import Any, Callable

from lupa.lua53 import LuaError, LuaMemoryError

from aosrepl.records import Record

from .bridge import Bridge, ConversionError, decode, to_lua_plain, to_python
from .completion import complete_in
from .crypto_native import crypto_native
from .memory import MAX_MESSAGE_BYTES, HeapLimits, message_bytes
from .sandbox import new_sandbox

# A replayed message completed live: it gets this many times the budget, so a replay never
# stops what the live run let finish.
REPLAY_BUDGET_FACTOR = 4


# native modules every process has (the Lua library requires them by these names)
BUILTIN_NATIVES: dict[str, Callable[[Bridge], Any]] = {".crypto.native": crypto_native}


class LuaProcessError(Exception):
    """The process could not be created (the library failed to boot)."""


class ProcessLimits(Record):
    __slots__ = ("memory_bytes", "instructions")

    def __init__(self, memory_bytes: int = 256 << 20, instructions: int = 100_000_000):
        self.memory_bytes = memory_bytes     # Lua heap cap for the whole process
        self.instructions = instructions     # Lua instructions per handled message


# What pushing a message's arguments may allocate besides their bytes (stack growth, string headers):
# the preset cap must leave this much room (process.py `_preset_heap`).
PUSH_SLACK = 64 << 10
PUSH_SLACK_PER_VALUE = 64
_MODE_NAMES = {"user": b"user", "replay": b"replay"}   # Lua strings (a Python str would cross as an object)

# A replay crosses into the state once per batch of at most this many messages or bytes of text (replay_many).
REPLAY_BATCH_MESSAGES = 64
REPLAY_BATCH_BYTES = 1 << 20

# result fields that are arrays even when empty
_ARRAY_FIELDS = ("Messages", "Spawns", "Assignments")
# the message fields crossing.lua's `inbound` takes, in its argument order (then the tags)
_FLAT_FIELDS = ("Id", "From", "Owner", "Target", "Anchor", "Data", "Timestamp", "Block-Height", "Cron", "Nonce",
                "Hash-Chain", "Epoch", "Module")
_FLAT_KEYS = frozenset(_FLAT_FIELDS + ("Tags",))
_SCALARS = (int, float, bool, type(None))


class LuaProcess:
    def __init__(self, process_id: str, module_id: str = "", library_version: str = "2.0.0.rc1",
                 limits: ProcessLimits | None = None,
                 natives: dict[str, Callable[[Bridge], Any]] | None = None):
        self.process_id = process_id
        self.module_id = module_id
        self.limits = limits or ProcessLimits()
        self._interrupted = False
        self.last_stop: str | None = None   # why the last handled message was stopped (None: it was not)
        self._busy = threading.Lock()      # held while a message is handled
        self._env_py: Any = None
        self._env_lua: Any = None
        try:
            self._heap = HeapLimits(self.limits.memory_bytes)
            self._runtime, self._guard, self._load_runtime = new_sandbox(self._heap, self._poll_interrupt)
            self.bridge = Bridge(self._runtime, memory_cap=self.limits.memory_bytes,
                                 instructions=self.limits.instructions, poll_interrupt=self._poll_interrupt,
                                 heap=self._heap)
            for name, factory in {**BUILTIN_NATIVES, **(natives or {})}.items():
                self._guard.add_native(name.encode(), factory(self.bridge))
            self._host = self._load_host()
            self._host.boot(library_version.encode())
        except LuaError as exc:
            raise LuaProcessError(f"process library failed to boot: {_text(exc)}") from exc
        self._handle = self._host.handle
        self._handle_flat = self._host.handle_flat
        self._replay_flat = self._host.replay_flat
        self._table_from = self._runtime.table_from

    def _load_host(self):
        # host.lua registers its functions as trusted
        crossing = self._load_runtime("crossing")(self._guard.raw)
        return self._load_runtime("host")(self._guard, crossing)

    def _poll_interrupt(self) -> bool:
        return self._interrupted

    # -- the contract ---------------------------------------------------------------

    def handle(self, msg: dict, env: dict, replay: bool = False, keep_result: bool = True) -> dict | None:
        """Run one message through the process; Lua errors come back as {"Error": ...}.
        After it, `last_stop` says whether the message was stopped (budget, interrupt,
        memory): such a message's effects are partial, and the network discards them.
        `replay`: the message completed live; it runs with more budget and heap.
        keep_result=False (replays): the result is not read back at all, and None is returned."""
        with self._busy:
            self._interrupted = False
            self.last_stop = None
            flat = _flat_message(msg)
            size = message_bytes(msg) if flat is None else flat[1]
            if size > MAX_MESSAGE_BYTES:
                return {"Error": f"The message is too large ({size} bytes; a message may have at most "
                                 f"{MAX_MESSAGE_BYTES} bytes of Data and tags)."}
            budget = self.limits.instructions * (REPLAY_BUDGET_FACTOR if replay else 1)
            try:
                self._heap.set_mode("host")
                if flat is not None:   # the usual shape: one call in, one flat list (or JSON text) out
                    flat, _, pushed = flat
                    env_lua = self._env_table(env)
                    preset = self._preset_heap(len(flat), pushed, replay)
                    if not keep_result:
                        self._note_stop(self._replay_flat(env_lua, budget, replay, preset, self._heap.current,
                                                          *flat))
                        return None
                    values = self._handle_flat(env_lua, budget, replay, preset, self._heap.current, *flat)
                    self._note_stop(values[0])
                    if type(values[1]) is bytes:   # a result of another shape, as one JSON text
                        return self._finish_result(_from_json(values[1]))
                    return self._finish_result(_from_flat(values))
                lua_msg = self._table_from(to_lua_plain(msg), recursive=True)
                result, stop = self._handle(lua_msg, self._env_table(env), budget, replay)
                if stop is not None:
                    self.last_stop = decode(stop) if type(stop) is bytes else str(stop)
                return self._convert_result(result)
            except LuaMemoryError:
                self.last_stop = "not enough memory"
                return {"Error": self._memory_error("not enough memory")}
            except LuaError as exc:
                return {"Error": _text(exc)}
            except ConversionError as exc:
                return {"Error": f"The result could not be converted: {exc}"}
            finally:
                self._interrupted = False
                self._heap.set_mode("host")

    def replay_many(self, messages, env: dict) -> None:
        """Replay messages that completed live (nothing is read back), as handle(replay=True,
        keep_result=False) would one by one: those of the usual shape in batches, one call into the state
        per batch (host.lua `replay_batch`), any other one alone."""
        batch, values, pushed = [], [], 0
        for msg in messages:
            flat = _flat_message(msg)
            if flat is None or flat[1] > MAX_MESSAGE_BYTES:
                self._replay_batch(batch, values, pushed, env)
                batch, values, pushed = [], [], 0
                self.handle(msg, env, replay=True, keep_result=False)
                continue
            args, _, text_bytes = flat
            batch.append(msg)
            values.append(len(args))
            values += args
            pushed += text_bytes
            if len(batch) >= REPLAY_BATCH_MESSAGES or pushed >= REPLAY_BATCH_BYTES:
                self._replay_batch(batch, values, pushed, env)
                batch, values, pushed = [], [], 0
        self._replay_batch(batch, values, pushed, env)

    def _replay_batch(self, batch: list, values: list, pushed: int, env: dict) -> None:
        if not batch:
            return
        with self._busy:
            self._interrupted = False
            self.last_stop = None
            budget = self.limits.instructions * REPLAY_BUDGET_FACTOR
            try:
                self._heap.set_mode("host")
                preset = self._preset_heap(len(values), pushed, True)
                self._host.replay_batch(self._env_table(env), budget, preset, self._heap.current, *values)
                return
            except LuaError:   # out of the call itself (memory while unpacking): on from where it stopped
                done = self._host.batch_done()
            finally:
                self._interrupted = False
                self._heap.set_mode("host")
        for msg in batch[done:]:
            self.handle(msg, env, replay=True, keep_result=False)

    def _preset_heap(self, values: int, pushed: int, replay: bool) -> bytes | None:
        """Set the heap cap the message will run under before the call (so Lua need not call back to switch
        it), when the message's arguments surely fit under it; returns that mode as host.lua names it, or
        None (the host's cap stays and Lua switches). The arguments are pushed outside any protected call:
        they must never fail. `values`: how many; `pushed`: the bytes of their texts."""
        mode = "replay" if replay else "user"
        cap = self._heap.cap(mode)
        need = self._runtime.get_memory_used() + PUSH_SLACK + PUSH_SLACK_PER_VALUE * values + pushed
        if need > cap:
            return None
        self._heap.set_mode(mode)
        return _MODE_NAMES[mode]

    def _note_stop(self, stop) -> None:
        if stop is not None:
            self.last_stop = decode(stop) if type(stop) is bytes else str(stop)

    def interrupt(self) -> None:
        """Stop the handle in progress (safe to call from any thread)."""
        self._interrupted = True

    def complete(self, prefix: str) -> list[str]:
        """Completion candidates for `prefix` from the live globals and table fields.
        Returns [] rather than waiting when a message is being handled."""
        if not self._busy.acquire(timeout=0.05):
            return []
        try:
            return complete_in(self._host.globals(), prefix)
        except LuaError:
            return []
        finally:
            self._busy.release()

    def _load_trusted(self, source: bytes, chunkname: bytes):
        """Compile host-trusted Lua (test harnesses) in this state; returns a callable.
        Not for user input: it runs outside the message pipeline and budget."""
        return self._runtime.eval(b"load")(source, chunkname)

    # -- internals --------------------------------------------------------------------

    def _env_table(self, env: dict):
        # the env rarely changes: reuse its Lua table (the library adapts it in place)
        if env is not self._env_py:
            self._env_lua = self._table_from(to_lua_plain(env), recursive=True)
            self._env_py = env
        return self._env_lua

    def _memory_error(self, text: str) -> str:
        mib = self.limits.memory_bytes / (1 << 20)
        return f"{text} (the process memory limit is {mib:g} MiB)"

    def _convert_result(self, result) -> dict:
        out = {}
        for key, value in result.items():
            name = decode(key) if type(key) is bytes else str(key)
            if name == "Error":
                text = value.decode("utf-8", "replace") if type(value) is bytes else str(to_python(value))
                if text.endswith("not enough memory"):
                    text = self._memory_error(text)
                return {"Error": text}
            out[name] = to_python(value, empty_as_list=name in _ARRAY_FIELDS)
        return self._finish_result(out)

    def _finish_result(self, out: dict) -> dict:
        if "Error" in out:
            value = out["Error"]
            text = value if type(value) is str else str(value)
            if text.endswith("not enough memory"):
                text = self._memory_error(text)
            return {"Error": text}
        output = out.get("Output")
        if isinstance(output, list) and not output:
            out["Output"] = {}
        for name in _ARRAY_FIELDS:
            if isinstance(out.get(name), dict):
                out[name] = []
        return out


def _text(exc: BaseException) -> str:
    msg = exc.args[0] if exc.args else str(exc)
    if isinstance(msg, bytes):
        msg = msg.decode("utf-8", "replace")
    # lupa appends a Lua traceback of host frames: not the user's concern
    return str(msg).split("\nstack traceback:", 1)[0]


def _flat_message(msg: dict):
    """For a message of the usual shape (the fields above with plain values, Tags a list of {name, value}
    texts): (the arguments of crossing.lua's `inbound`, its size as `message_bytes` counts it, the bytes of its
    texts). None for any other shape (it then crosses the general way)."""
    if type(msg) is not dict or not _FLAT_KEYS.issuperset(msg):
        return None
    tags = msg.get("Tags")
    if type(tags) is not list:
        return None
    args = []
    pushed = 0
    for field in _FLAT_FIELDS:
        value = msg.get(field)
        if type(value) is str:
            value = value.encode("utf-8", "surrogatepass")
            pushed += len(value)
        elif type(value) not in _SCALARS:
            return None
        args.append(value)
    data = msg.get("Data")
    size = len(data) if type(data) is str else (0 if data is None else len(str(data)))
    for tag in tags:
        if type(tag) is not dict or len(tag) != 2:
            return None
        name, value = tag.get("name"), tag.get("value")
        if type(name) is not str or type(value) is not str:
            return None
        size += len(name) + len(value)
        name, value = name.encode("utf-8", "surrogatepass"), value.encode("utf-8", "surrogatepass")
        pushed += len(name) + len(value)
        args.append(name)
        args.append(value)
    return args, size, pushed


def _text_of(value: bytes) -> str:
    return value.decode("utf-8", "replace")


def _from_flat(values: tuple) -> dict:
    """crossing.lua's flat form (after the stop reason at values[0]) -> the values `_from_json` gives."""
    out = {}
    i = 2
    for _ in range(values[1]):
        key = values[i].decode()
        i += 1
        if key == "Output":
            count = values[i]
            fields = {}
            for j in range(i + 1, i + 1 + 2 * count, 2):
                value = values[j + 1]
                fields[_text_of(values[j])] = _text_of(value) if type(value) is bytes else value
            out[key] = fields
            i += 1 + 2 * count
        elif key == "Error":
            out[key] = _text_of(values[i])
            i += 1
        else:   # Messages, Spawns, Assignments
            entries = []
            for _ in range(values[i]):
                i += 1
                count = values[i]
                entry = {_text_of(values[j]): _text_of(values[j + 1]) for j in range(i + 1, i + 1 + 2 * count, 2)}
                i += 1 + 2 * count
                tags = values[i]
                if tags >= 0:
                    entry["Tags"] = [{"name": _text_of(values[j]), "value": _text_of(values[j + 1])}
                                     for j in range(i + 1, i + 1 + 2 * tags, 2)]
                    i += 2 * tags
                entries.append(entry)
            out[key] = entries
            i += 1
    return out


def _from_json(text: bytes) -> dict:
    """crossing.lua's JSON -> the values `to_python` gives (keys that were not strings restored)."""
    decoded = text.decode("utf-8", "replace")
    out = json.loads(decoded)
    if "\\u0000" in decoded:
        out = _restore_keys(out)
        out = {k if type(k) is str else str(k): v for k, v in out.items()}
    return out


def _restore_keys(value):
    if type(value) is list:
        return [_restore_keys(v) for v in value]
    if type(value) is not dict:
        return value
    return {_key(k): _restore_keys(v) for k, v in value.items()}


def _key(text: str):
    if not text.startswith("\0"):
        return text
    kind, rest = text[1:2], text[2:]
    if kind == "i":
        return int(rest)
    if kind == "f":
        return float(rest)
    if kind == "b":
        return rest == "true"
    return rest   # "s": a string that began with NUL
