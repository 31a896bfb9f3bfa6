"""The process runner: a process's Lua state, created on first need and rebuilt by replaying its handled
messages from the log, and running one delivery in it."""
from __future__ import annotations

import threading

from aosrepl import modules
from aosrepl.network.damage import delivery_damage
from aosrepl.network.processes import ProcessRecord, Slot
from aosrepl.network.router import delivered
from aosrepl.runtime import LuaProcess

MODULE_TAGS = [
    {"name": "Data-Protocol", "value": "ao"}, {"name": "Variant", "value": "ao.TN.1"},
    {"name": "Type", "value": "Module"}, {"name": "Module-Format", "value": "lua53-aosrepl"},
    {"name": "Input-Encoding", "value": "JSON-1"}, {"name": "Output-Encoding", "value": "JSON-1"},
    {"name": "Memory-Limit", "value": "256-mb"}, {"name": "Compute-Limit", "value": "100000000"},
]


FORK_SAFE_NATIVES = {"lsqlite3"}   # natives that keep no threads: a forked copy of the process works


class Unavailable(Exception):
    """A process that cannot run now (failed to load, or an ephemeral one not re-spawned)."""


class ProcessRunner:
    def __init__(self, log, observers, natives=None, model=None, backend=None, workers: int = 1,
                 limits=lambda: None):
        """`natives`: name -> factory for native modules (None: aosrepl.inference's, loaded on first need);
        `limits()`: the ProcessLimits for new Lua states (None: the runtime's defaults)."""
        self.log = log
        self.observers = observers
        self._limits = limits
        self._chains_checked: set[str] = set()   # processes whose nonces and Hash-Chain were verified
        self._natives_arg = natives
        self._natives_cache = None
        self._natives_lock = threading.Lock()
        self._model, self._backend, self._workers = model, backend, workers

    def handle(self, slot: Slot, nonce: int, message: dict):
        """Run one delivery; returns (result, state) with state 'handled' or 'stopped'."""
        with slot.use_lock:
            lua = self.load(slot)
            slot.current_nonce, slot.current_id = nonce, message.get("Id")
            stopped = None
            try:
                result = lua.handle(message, env_of(slot.record))
                stopped = getattr(lua, "last_stop", None)
            except Exception as exc:   # the runtime returns Lua errors; this is a bug below us: keep going
                result = {"Error": f"{type(exc).__name__}: {exc}"}
            finally:
                slot.current_nonce = slot.current_id = None
            if stopped is not None or slot.interrupted_nonce == nonce:
                # Stopped by the budget, an interrupt or memory: its effects are partial. As AO's CU
                # discards a trapped evaluation, they are dropped: the state is rebuilt from the log,
                # where this message is 'stopped' and never replayed.
                slot.lua = None
                state = "stopped"
            else:
                state = "handled"
                slot.handled = (nonce, message.get("Hash-Chain"))   # what a dry-run copy follows on from
        if not isinstance(result, dict):
            result = {"Error": f"the process returned {type(result).__name__}, not a result"}
        return result, state

    def load(self, slot: Slot):
        """The slot's LuaProcess, created and replayed from the log on first need (caller holds use_lock)."""
        if slot.lua is not None:
            return slot.lua
        rec = slot.record
        if slot.broken is None and not slot.available:
            raise Unavailable(f"{slot.label} is a worker process that was not started in this run; "
                              f"its messages stay in the log.")
        if slot.broken is None and rec.id not in self._chains_checked:
            self._chains_checked.add(rec.id)     # once per run (a rebuild after a stop need not repeat it)
            # An ephemeral process's earlier generations are retired: never replayed nor delivered again. Only
            # the current one is checked (else each start would read every earlier start's deliveries).
            chain = self.log.delivery_chain(rec.id, rec.generation)
            for problem in delivery_damage(chain, anchored=rec.generation > 0):
                self.observers.notice(f"The log of process {slot.label} is damaged: {problem}. It was left "
                                      f"untouched; the process is rebuilt from what remains.")
        if slot.broken is None:
            try:
                lua = self.new_lua(rec)
                slot.handled = self.replay(lua, rec)
            except Exception as exc:
                slot.broken = f"{type(exc).__name__}: {exc}"
        if slot.broken is not None:
            raise Unavailable(f"Process {slot.label} could not be loaded ({slot.broken}); "
                              f"its messages stay in the log.")
        slot.lua = lua
        return lua

    def replay(self, lua, rec: ProcessRecord):
        """Run a process's handled history into `lua`; returns (last nonce, last hash chain)."""
        last = [0, None]

        def messages():
            for nonce, link, body in self.log.stream_history(rec.id, rec.generation):
                last[:] = nonce, link
                yield delivered(body, nonce, link, rec)

        lua.replay_many(messages(), env_of(rec))
        return tuple(last)

    def new_lua(self, rec: ProcessRecord):
        wanted = natives_of(rec)   # the module decides what it can require
        factories = self.native_factories() if wanted else {}
        natives = {name: factories[name] for name in wanted if name in factories}
        return LuaProcess(rec.id, module_id=rec.module, natives=natives, limits=self._limits())

    @staticmethod
    def fork_safe(rec: ProcessRecord) -> bool:
        """May a copy of this process be made with fork? Not when a native module may run threads of its
        own (inference): fork copies only the calling thread."""
        return set(natives_of(rec)) <= FORK_SAFE_NATIVES

    def native_factories(self) -> dict:
        with self._natives_lock:
            if self._natives_cache is None:
                if self._natives_arg is not None:
                    self._natives_cache = dict(self._natives_arg)
                else:
                    try:
                        from aosrepl.inference import default_natives
                        self._natives_cache = dict(default_natives(model=self._model, backend=self._backend,
                                                                   workers=self._workers))
                    except Exception as exc:
                        self.observers.notice(f"Inference is not available ({type(exc).__name__}: {exc}); "
                                              f"workers run without a model.")
                        self._natives_cache = {}
                if "lsqlite3" not in self._natives_cache:
                    from aosrepl.runtime.lsqlite3 import factory as lsqlite3_factory
                    self._natives_cache["lsqlite3"] = lsqlite3_factory
            return self._natives_cache


def natives_of(rec: ProcessRecord) -> tuple:
    return tuple(rec.natives) + modules.natives_for(rec.module)


def env_of(rec: ProcessRecord) -> dict:
    # the same object every time: the runtime reuses its Lua copy while the env is unchanged
    if rec.env is None:
        rec.env = {"Process": {"Id": rec.id, "Owner": rec.owner, "Tags": rec.tags},
                   "Module": {"Id": rec.module, "Tags": MODULE_TAGS}}
    return rec.env
