"""Handling: a process's scheduler thread runs one delivery, commits it with its outbox, and publishes
the result. Processes are created on first need and rebuilt by replaying their handled messages."""
from __future__ import annotations

import sqlite3

from aosrepl import modules
from aosrepl.network.damage import delivery_damage
from aosrepl.network.slots import ProcessRecord, Slot
from aosrepl.runtime import LuaProcess

MODULE_TAGS = [
    {"name": "Data-Protocol", "value": "ao"}, {"name": "Variant", "value": "ao.TN.1"},
    {"name": "Type", "value": "Module"}, {"name": "Module-Format", "value": "lua53-aosrepl"},
    {"name": "Input-Encoding", "value": "JSON-1"}, {"name": "Output-Encoding", "value": "JSON-1"},
    {"name": "Memory-Limit", "value": "256-mb"}, {"name": "Compute-Limit", "value": "100000000"},
]


# A message that was being handled each time the network stopped, this many starts in a row, is set
# aside (a crash it causes would otherwise come back at every start).
MAX_REDELIVERIES = 3


class Unavailable(Exception):
    """A process that cannot run now (failed to load, or an ephemeral one not re-spawned)."""


class Handling:
    """Mixed into Network: running deliveries on the scheduler's threads."""

    # ProcessLimits for the Lua states created from now on (None: the runtime's defaults). Tests lower it.
    process_limits = None

    def _run(self, slot: Slot, nonce: int, message: dict) -> None:
        """A slot thread handles one delivery: run it, commit it with its outbox, route, publish."""
        try:
            redelivery = self._redelivery_key(slot, nonce)
            if redelivery is not None and self._set_aside(slot, nonce, message, redelivery):
                return
            try:
                result, state = self._handle(slot, nonce, message)
            except Unavailable as exc:
                self._notice(str(exc))
                with self._waiters_lock:   # an Eval waiting for this message gets the reason at once
                    waiter = self._waiters.get((slot.record.id, message["Id"]))
                if waiter is not None:
                    waiter.result = {"Error": str(exc)}
                    waiter.event.set()
                return
            with self._locked():
                if self._closed:
                    return   # stays pending: it will be handled again at the next start
                try:
                    with self._transaction():
                        self.log.finish_delivery(slot.record.id, nonce, state, result)
                        if redelivery is not None:
                            self.log.delete_meta(redelivery)
                        deliveries = self._route(slot, message, result) if state == "handled" else []
                except sqlite3.Error as exc:
                    # the message stays pending; the Lua state ran ahead of the log, so rebuild it from the log
                    slot.lua = None
                    self._notice(f"Could not log the result of {message['Id']} in {slot.record.id}: {exc}")
                    return
                except Exception as exc:   # a routing bug: keep the process's history whole, drop the outbox
                    result = {"Error": f"The network could not route the outbox: {type(exc).__name__}: {exc}"}
                    self._notice(f"{slot.record.name or slot.record.id}: {result['Error']}")
                    with self._transaction():
                        self.log.finish_delivery(slot.record.id, nonce, state, result)
                    deliveries = []
                self._dispatch(deliveries)
            self._publish(slot.record.id, message, result)
        finally:
            with self._idle:
                self._outstanding -= 1
                if self._outstanding == 0:
                    self._idle.notify_all()

    def _redelivery_key(self, slot: Slot, nonce: int) -> str | None:
        """For the first delivery of a process re-delivered at start (the one that may have been running
        when the network stopped): the meta key counting such starts; None otherwise."""
        pid = slot.record.id
        if self._redeliveries.get(pid) != nonce:
            return None
        del self._redeliveries[pid]
        return f"redelivery:{pid}:{nonce}"

    def _set_aside(self, slot: Slot, nonce: int, message: dict, key: str) -> bool:
        """Count one more start with this message in flight; after MAX_REDELIVERIES, set it aside (state
        'stopped', never replayed) with an Error and a notice. True when it was set aside."""
        pid = slot.record.id
        try:
            starts = int(self.log.get_meta(key, "0") or 0)
        except ValueError:
            starts = 0
        with self._locked():
            if self._closed:
                return True
            if starts < MAX_REDELIVERIES:
                self.log.set_meta(key, starts + 1)
                return False
            result = {"Error": f"This message was being handled each of the last {starts} times the network "
                               f"stopped; it was set aside so that the network can start (it stays in the log)."}
            with self._transaction():
                self.log.finish_delivery(pid, nonce, "stopped", result)
                self.log.delete_meta(key)
        self._notice(f"{slot.record.name or pid}: message {message['Id']} was set aside: {result['Error']}")
        self._publish(pid, message, result)
        return True

    def _handle(self, slot: Slot, nonce: int, message: dict):
        with slot.use_lock:
            lua = self._load(slot)
            slot.current_nonce, slot.current_id = nonce, message.get("Id")
            stopped = None
            try:
                result = lua.handle(message, self._env(slot.record))
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
        if not isinstance(result, dict):
            result = {"Error": f"the process returned {type(result).__name__}, not a result"}
        state = "stopped" if stopped is not None or slot.interrupted_nonce == nonce else "handled"
        return result, state

    def _load(self, slot: Slot):
        """The slot's LuaProcess, created and replayed from the log on first need (caller holds use_lock)."""
        if slot.lua is not None:
            return slot.lua
        rec = slot.record
        if slot.broken is None and not slot.available:
            raise Unavailable(f"{rec.name or rec.id} is a worker process that was not started in this run; "
                              f"its messages stay in the log.")
        if slot.broken is None and rec.id not in self._chains_checked:
            self._chains_checked.add(rec.id)     # once per run (a rebuild after a stop need not repeat it)
            for problem in delivery_damage(self.log.delivery_chain(rec.id)):
                self._notice(f"The log of process {rec.name or rec.id} is damaged: {problem}. It was left "
                             f"untouched; the process is rebuilt from what remains.")
        if slot.broken is None:
            try:
                lua = self._new_lua(rec)
                env = self._env(rec)
                for nonce, link, body in self.log.history(rec.id, rec.generation):
                    lua.handle(self._delivered(body, nonce, link, rec), env, replay=True)
            except Exception as exc:
                slot.broken = f"{type(exc).__name__}: {exc}"
        if slot.broken is not None:
            raise Unavailable(f"Process {rec.name or rec.id} could not be loaded ({slot.broken}); "
                              f"its messages stay in the log.")
        slot.lua = lua
        return lua

    def _new_lua(self, rec: ProcessRecord):
        wanted = tuple(rec.natives) + modules.natives_for(rec.module)   # the module decides what it can require
        factories = self._native_factories() if wanted else {}
        natives = {name: factories[name] for name in wanted if name in factories}
        return LuaProcess(rec.id, module_id=rec.module, natives=natives, limits=self.process_limits)

    def _native_factories(self) -> dict:
        with self._natives_lock:
            if self._natives_cache is None:
                if self._natives_arg is not None:
                    self._natives_cache = dict(self._natives_arg)
                else:
                    try:
                        from aosrepl.inference import default_natives
                        self._natives_cache = dict(default_natives(model=self._model, backend=self._backend,
                                                                   workers=self.workers))
                    except Exception as exc:
                        self._notice(f"Inference is not available ({type(exc).__name__}: {exc}); "
                                     f"workers run without a model.")
                        self._natives_cache = {}
                if "lsqlite3" not in self._natives_cache:
                    from aosrepl.runtime.lsqlite3 import factory as lsqlite3_factory
                    self._natives_cache["lsqlite3"] = lsqlite3_factory
            return self._natives_cache

    @staticmethod
    def _env(rec: ProcessRecord) -> dict:
        # the same object every time: the runtime reuses its Lua copy while the env is unchanged
        if rec.env is None:
            rec.env = {"Process": {"Id": rec.id, "Owner": rec.owner, "Tags": rec.tags},
                       "Module": {"Id": rec.module, "Tags": MODULE_TAGS}}
        return rec.env
