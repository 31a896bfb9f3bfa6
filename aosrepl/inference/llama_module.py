"""The `llama` native module for worker processes: a factory the runtime calls once per process.

Each worker gets its own engine (in-process model, or a remote completion server when `backend` is a URL)
and the Lua wrapper `llama.lua`, which gives it aos-llama's API. The Python functions only take and return
plain values and never raise into Lua: an error is kept and handed over by `take_error()`.
"""
from __future__ import annotations

import sys
from pathlib import Path

from aosrepl import ids
from aosrepl.inference import llama_library, models
from aosrepl.inference.engine import InferenceError, LocalEngine
from aosrepl.inference.models import ModelError

WRAPPER = Path(__file__).with_name("llama.lua")


class EngineCalls:
    """The engine's methods as plain-value functions with errors captured instead of raised."""

    def __init__(self, engine):
        self.engine = engine
        self._error: str | None = None

    def _guard(self, method):
        def call(*args):
            self._error = None
            try:
                with llama_library.logging_to(self.engine._log):   # llama.cpp's lines -> Llama.onLog
                    return method(*args)
            except (InferenceError, ModelError) as exc:
                self._error = str(exc)
            except Exception as exc:   # a bug or llama.cpp failure must not take the process down
                self._error = f"llama: internal error: {type(exc).__name__}: {exc}"
            return None
        return call

    def take_error(self):
        error, self._error = self._error, None
        return error

    def take_logs(self):
        return [f"{level}\t{text}" for level, text in self.engine.drain_logs()]

    @staticmethod
    def stderr(text):
        print(str(text), file=sys.stderr)

    def functions(self) -> dict:
        e = self.engine
        guarded = {
            "load": lambda ref=None: e.load(weavedrive_reference(ref)),
            "info": e.info,
            "set_prompt": lambda text=None: e.set_prompt(text),
            "add": lambda text=None: e.add(text),
            "next": e.next,
            "run": lambda count=None: e.run(count),
            "stop": e.stop,
            "set_temp": lambda temp=None: e.set_temp(temp),
            "set_seed": lambda seed=None: e.set_seed(seed),
            "save_state": e.save_state,
            "load_state": lambda handle=None: e.load_state(_as_int(handle)),
            "embed": lambda text=None: e.embed(text),
        }
        funcs = {name: self._guard(fn) for name, fn in guarded.items()}
        funcs.update(take_error=self.take_error, take_logs=self.take_logs, stderr=self.stderr,
                     finished=e.finished)
        return funcs


def weavedrive_reference(reference):
    """What a process may load: an Arweave model id, as AO's WeaveDrive mounts it (`/data/<id>`) or bare.
    A process has no other files: a host path is refused without looking at it (nothing about the host's
    files can be learnt from the answer)."""
    if isinstance(reference, str):
        name = reference.strip()
        if name.startswith(models.WEAVEDRIVE_PREFIX):
            name = name[len(models.WEAVEDRIVE_PREFIX):]
        if not ids.is_id(name):
            raise ModelError(f"Llama.load takes an Arweave model id as /data/<id> (a process has no other files), "
                             f"not {reference!r}")
    return reference


def _as_int(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def make_engine(model=None, backend=None, threads=None):
    if backend:
        from aosrepl.inference.remote import RemoteEngine   # http.client and friends: only for a backend
        return RemoteEngine(backend)
    return LocalEngine(model_override=model, threads=threads)


def make_factory(model=None, backend=None, threads=None):
    """factory(bridge) -> the `llama` Lua table for one process (one engine per process)."""
    if backend:
        # imported here, on the thread that builds the network: scheduler threads import nothing
        import aosrepl.inference.remote  # noqa: F401

    def factory(bridge):
        calls = EngineCalls(make_engine(model, backend, threads))
        core = bridge.make_module(calls.functions())
        return bridge.load_lua(WRAPPER.read_bytes(), b"@llama.lua", core)
    return factory
