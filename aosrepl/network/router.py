"""The router: a message, or a handled message's outbox, -> the log -> the processes it is for.

Every change goes through `unit()`: one atomic log write whose effects in memory (new processes, scheduling
counters, known wallets) are undone if it fails, so memory always matches the log. Deliveries are handed to
the scheduler under the same lock, so queue order always follows nonce order.
"""
from __future__ import annotations

import sqlite3

from aosrepl import ids, modules
from aosrepl.clock import block_height_at
from aosrepl.network.errors import NetworkError
from aosrepl.network.messages import (WALLET_MESSAGE_TAGS, action_of, data_text, lua_tostring, next_hash_chain,
                                      normalize_tags, tag_value, tags_from_lua, with_default_tags)
from aosrepl.network.processes import ProcessRecord, Slot


class Router:
    def __init__(self, log, table, observers, id_source, clock, deliver, deterministic: bool, seed: tuple,
                 limits):
        """`deliver(slot, nonce, message, hold)` queues a logged delivery for handling; `limits`: the
        GrowthLimits a process's outbox must keep to."""
        self.log = log
        self.table = table
        self.observers = observers
        self.ids = id_source
        self.clock = clock
        self._deliver = deliver
        self.deterministic = deterministic
        self._seed = seed
        self.limits = limits
        self._undo: list | None = None
        # the context managers of locked() and unit(): classes, not generators (they are on every message's path)
        self._locked = _Locked(observers, log.lock)
        self._unit = _Unit(self)

    # -- locking and atomic units ---------------------------------------------------------------------------
    def locked(self) -> "_Locked":
        """Hold the routing lock; notices raised meanwhile are emitted once it is released."""
        return self._locked

    def unit(self) -> "_Unit":
        """One atomic log write (re-entrant); memory changes registered with `_remember` are undone if it
        fails. Callers hold the lock."""
        return self._unit

    def _remember(self, undo) -> None:
        if self._undo is not None:
            self._undo.append(undo)

    def dispatch(self, deliveries, from_outside: bool = False, hold=None) -> None:
        """After the write (still under the lock): queue each delivery for handling. A message from outside
        the processes (a wallet, cron, a restart) runs only once committed (`hold()` returns when it may
        run; by default once its batch is committed). What processes send runs at once, while its batch is
        written."""
        if from_outside and hold is None:
            ticket = self.log.ticket()
            hold = lambda: self.log.wait_committed(ticket)   # noqa: E731
        for slot, nonce, msg in deliveries:
            if slot.available:          # else it stays pending in the log
                if slot.held:           # a restarted worker's boot, queued ahead of its first message
                    held, slot.held = slot.held, []
                    for entry in held:
                        self._deliver(*entry, hold)
                self._deliver(slot, nonce, msg, hold)

    # -- ids and message shapes -----------------------------------------------------------------------------
    def fresh_id(self, wanted: str | None) -> str:
        if wanted is None:
            return self.ids.new()
        if not isinstance(wanted, str) or not ids.is_id(wanted):
            raise ValueError(f"an id must be 43 base64url characters, not {wanted!r}")
        if self.log.message_exists(wanted):
            raise NetworkError(f"a message with id {wanted} already exists")
        return wanted

    def derived_id(self, *parts) -> str:
        """Ids of messages made by processes: random, or in deterministic mode derived from what caused them
        (so thread timing cannot change them)."""
        if not self.deterministic:
            return self.ids.new()
        mid = ids.derived("aosrepl-det", *map(str, self._seed), *map(str, parts))
        if self.log.message_exists(mid):   # the same message handled twice (assignments): disambiguate
            mid = ids.derived(mid, str(self.ids.new()))
        return mid

    def stamp(self, mid, sender, owner, target, tags, data, anchor=None, cron_flag=False, timestamp=None) -> dict:
        ts = self.clock.now_ms() if timestamp is None else int(timestamp)
        return {"Id": mid, "From": sender, "Owner": owner, "Target": target, "Anchor": anchor, "Data": data,
                "Tags": tags, "Timestamp": ts, "Block-Height": block_height_at(ts), "Cron": cron_flag}

    # -- requests from wallets ------------------------------------------------------------------------------
    def log_then_deliver(self, body: dict, signer: str, failure: str, new_process: ProcessRecord | None = None,
                         hold=None):
        """Log first, deliver second: stage a message from a wallet (and the process it spawns) and queue it,
        to run once `hold()` returns. `failure` is the error text, with {} for the database's reason.
        Callers hold the lock."""
        try:
            with self.unit():
                self._known_wallet(signer)
                if new_process is not None:
                    self._add_process(new_process)
                deliveries = self.accept(body)
        except sqlite3.Error as exc:
            raise NetworkError(failure.format(exc)) from None
        self.dispatch(deliveries, from_outside=True, hold=hold)

    # -- results of handled messages ------------------------------------------------------------------------
    def commit_result(self, slot: Slot, nonce: int, message: dict, state: str, result: dict,
                      redelivery: str | None = None):
        """Log that `message` was handled, with its outbox routed, and queue what it caused. Returns the
        result to publish, or None when nothing could be logged (the message stays pending). `redelivery`:
        the meta key that counted starts with this message in flight (done now). Lock held."""
        try:
            with self.unit():
                self.log.finish_delivery(slot.record.id, nonce, state, result)
                if redelivery is not None:
                    self.log.delete_meta(redelivery)
                deliveries = self.route_outbox(slot, message, result) if state == "handled" else []
        except sqlite3.Error as exc:
            # the message stays pending; the Lua state ran ahead of the log, so rebuild it from the log
            slot.lua = None
            self.observers.notice(f"Could not log the result of {message['Id']} in {slot.record.id}: {exc}")
            return None
        except Exception as exc:   # a routing bug: keep the process's history whole, drop the outbox
            result = {"Error": f"The network could not route the outbox: {type(exc).__name__}: {exc}"}
            self.observers.notice(f"{slot.label}: {result['Error']}")
            with self.unit():
                self.log.finish_delivery(slot.record.id, nonce, state, result)
            deliveries = []
        self.dispatch(deliveries)
        return result

    # -- the routing rules (inside a unit) ------------------------------------------------------------------
    def _known_wallet(self, address: str) -> None:
        if self.table.add_wallet(address):
            self._remember(lambda: self.table.remove_wallet(address))
            self.log.add_wallet(address)

    def _add_process(self, rec: ProcessRecord) -> Slot:
        self.log.insert_process(rec)
        slot = Slot(rec)
        self.table.add(slot)
        self._remember(lambda: self.table.remove(rec.id))
        return slot

    def accept(self, body: dict) -> list:
        """Log `body` and decide where it goes. Returns the deliveries to dispatch."""
        seq = self.log.insert_message(body, action_of(body))
        target = body.get("Target")
        slot = self.table.get(target)
        if slot is not None:
            return [self.schedule(slot, seq, body)]
        if self.table.is_wallet(target):
            self.log.add_mail(seq, target, "wallet")
        elif target is not None:
            self.log.add_mail(seq, str(target), "unknown")
            self.observers.notice(f"Message {body['Id']} (Action = {action_of(body) or '-'}) from "
                                  f"{body.get('From')} is for {target}, which is not a process on this network: "
                                  f"it is kept in the log.")
        return []

    def schedule(self, slot: Slot, seq: int, body: dict):
        nonce = slot.last_nonce + 1
        link = next_hash_chain(slot.last_hash, body["Id"])
        self.log.add_delivery(slot.record.id, nonce, seq, slot.record.generation, link)
        before = (slot.last_nonce, slot.last_hash)

        def undo():
            slot.last_nonce, slot.last_hash = before

        self._remember(undo)
        slot.last_nonce, slot.last_hash = nonce, link
        return slot, nonce, delivered(body, nonce, link, slot.record)

    def route_outbox(self, slot: Slot, message: dict, result: dict) -> list:
        """Log and route the result's outbox (messages, spawns, assignments)."""
        rec = slot.record
        pid = rec.id
        deliveries = []
        parts = (pid, rec.generation, message["Id"])
        for i, out in enumerate(_as_list(result.get("Messages"))):
            if not isinstance(out, dict):
                continue
            tags = _vouched(tags_from_lua(out.get("Tags")), pid, rec.module)
            target = out.get("Target")
            target = lua_tostring(target) if target is not None else None
            body = self.stamp(self.derived_id(*parts, "m", i), pid, ids.MU_AUTHORITY, target, tags,
                              data_text(out.get("Data")), anchor=_anchor(out))
            why = self.limits.refuse_size(body) or self.limits.refuse_message(pid)
            if why is not None:
                self._refused(slot, f"A message to {target}", why)
                continue
            deliveries += self.accept(body)
        for i, spawn in enumerate(_as_list(result.get("Spawns"))):
            if isinstance(spawn, dict):
                if self._refused(slot, "A spawn", self.limits.refuse_size(spawn) or self.limits.refuse_spawn(pid)):
                    continue
                deliveries += self._spawn_child(slot, spawn, self.derived_id(*parts, "s", i),
                                                self.derived_id(*parts, "n", i))
        for assignment in _as_list(result.get("Assignments")):
            if isinstance(assignment, dict):
                deliveries += self._assign(pid, assignment)
        return deliveries

    def _refused(self, slot: Slot, what: str, why: str | None) -> bool:
        """Report an outbox entry the growth limits refuse (True: it is dropped)."""
        if why is None:
            return False
        self.observers.notice(f"{what} from {slot.label} was not sent: {why}.")
        return True

    def _spawn_child(self, parent: Slot, spawn: dict, child_id: str, notice_id: str) -> list:
        prec = parent.record
        tags = _vouched(tags_from_lua(spawn.get("Tags")), prec.id, prec.module)
        # The local MU vouches for process-to-process traffic: a child trusts it like a console-spawned process.
        process_tags = tags if tag_value(tags, "Authority") else tags + [{"name": "Authority",
                                                                           "value": ids.MU_AUTHORITY}]
        module = tag_value(tags, "Module") or prec.module
        if modules.lookup(module) is None:
            self.observers.notice(f"{parent.label} asked to spawn a process with module {module}, which this "
                                  f"network does not have: nothing was spawned. Modules here: "
                                  f"{modules.known_list()}.")
            return []
        now = self.clock.now_ms()
        rec = ProcessRecord(child_id, tag_value(tags, "Name"), prec.id, module, "user", process_tags, (), False,
                            now, 0)
        self._add_process(rec)
        body = self.stamp(child_id, prec.id, ids.MU_AUTHORITY, child_id, process_tags,
                          data_text(spawn.get("Data")), anchor=_anchor(spawn), timestamp=now)
        deliveries = self.accept(body)
        notice_tags = [{"name": n, "value": v} for n, v in (
            ("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Message"), ("Action", "Spawned"),
            ("Process", child_id), ("Reference", tag_value(tags, "Reference")),
            ("From-Process", prec.id), ("From-Module", prec.module)) if v is not None]
        notice = self.stamp(notice_id, prec.id, ids.MU_AUTHORITY, prec.id, notice_tags, "", timestamp=now)
        return deliveries + self.accept(notice)

    def _assign(self, sender: str, assignment: dict) -> list:
        mid = assignment.get("Message")
        found = self.log.get_message(mid) if isinstance(mid, str) else None
        if found is None:
            self.observers.notice(f"Assignment from {sender} names the message {mid}, which is not in the log: "
                                  f"ignored.")
            return []
        seq, body = found
        deliveries = []
        for pid in _as_list(assignment.get("Processes")):
            slot = self.table.get(pid)
            if slot is None:
                self.observers.notice(f"Assignment from {sender} of message {mid} to {pid}, "
                                      f"which is not a process on this network: ignored.")
                continue
            # As AO's scheduler does: a process never receives the same message twice from another process
            # (re-assigning a Transfer would spend it again). A process may assign a message to itself again:
            # it replays into its own state only (APM re-installs a version by assigning its publish message).
            if pid != sender and self.log.delivered_to(pid, mid):
                self.observers.notice(f"Assignment from {sender} of message {mid} to {slot.label} refused: "
                                      f"that process has received it already.")
                continue
            deliveries.append(self.schedule(slot, seq, body))
        return deliveries

    # -- ephemeral processes --------------------------------------------------------------------------------
    def hold_unused_boot(self, slot: Slot, source: str) -> bool:
        """Keep an ephemeral process's run as it is when that run never got to work: its only deliveries are
        its boot (spawn message, then the Eval of this very `source`), both unhandled. The boot is held again
        (as restart_ephemeral holds a new one) and nothing is written: a start that does not use the workers
        adds nothing to the log for them. False: it must be restarted. Lock held."""
        rec = slot.record
        rows = self.log.history(rec.id, rec.generation, states=("pending",))
        if len(rows) != 2:
            return False
        (first, first_link, spawn), (second, second_link, load) = rows
        if (spawn.get("Id") != rec.id or load.get("Id") != boot_id(rec.id, rec.generation)
                or load.get("Data") != source or second != first + 1 or second != slot.last_nonce):
            return False
        slot.lua, slot.broken, slot.available = None, None, True
        slot.held = [(slot, first, delivered(spawn, first, first_link, rec)),
                     (slot, second, delivered(load, second, second_link, rec))]
        return True

    def restart_ephemeral(self, slot: Slot, source: str, owner: str) -> None:
        """Start an ephemeral process (a worker) fresh: its earlier run is retired (never replayed: inference
        is not re-run), it gets its spawn message and its Lua file again (the Eval's id is `boot_id`), then
        the messages it had not handled, but for the earlier run's own boot. When there are none, the boot is
        held (`Slot.held`) and queued with the first message the worker gets: a start builds no worker's Lua
        state before there is work for it. Lock held."""
        rec = slot.record
        with self.unit():
            retired_boot = {rec.id, boot_id(rec.id, rec.generation)}   # the earlier run's spawn message and Eval
            pending = [(seq, self.log.body_by_seq(seq)) for seq in self.log.retire(rec.id)]
            before = (rec.generation, rec.created_ms)

            def undo():
                rec.generation, rec.created_ms = before

            self._remember(undo)
            rec.generation += 1
            rec.created_ms = self.clock.now_ms()
            self.log.set_generation(rec.id, rec.generation, rec.created_ms)
            slot.lua, slot.broken, slot.available = None, None, True
            boot = self.accept(self.stamp(rec.id, rec.owner, rec.owner, rec.id, rec.tags, "",
                                          timestamp=rec.created_ms))
            tags = with_default_tags(normalize_tags({"Action": "Eval"}), WALLET_MESSAGE_TAGS)
            boot += self.accept(self.stamp(boot_id(rec.id, rec.generation), owner, owner, rec.id, tags, source))
            work = [self.schedule(slot, seq, body) for seq, body in pending if body["Id"] not in retired_boot]
        if work:
            self.dispatch(boot + work, from_outside=True)
        else:
            slot.held = boot


class _Locked:
    __slots__ = ("_deferring", "_lock")

    def __init__(self, observers, lock):
        self._deferring, self._lock = observers.deferring(), lock

    def __enter__(self):
        self._deferring.__enter__()
        try:
            self._lock.acquire()
        except BaseException:
            self._deferring.__exit__(None, None, None)
            raise

    def __exit__(self, kind, value, traceback) -> bool:
        try:
            self._lock.release()
        finally:
            self._deferring.__exit__(kind, value, traceback)
        return False


class _Unit:
    """Router.unit(): the log's transaction, with the router's undo list (state lives in the router, which is
    only used with its lock held)."""
    __slots__ = ("_router", "_outer")

    def __init__(self, router: Router):
        self._router = router
        self._outer: list = []   # per entered level: was it the outer one

    def __enter__(self):
        router = self._router
        outer = router._undo is None
        if outer:
            router._undo = []
        try:
            router.log.transaction().__enter__()
        except BaseException:
            if outer:
                router._undo = None
            raise
        self._outer.append(outer)

    def __exit__(self, kind, value, traceback) -> bool:
        router = self._router
        outer = self._outer.pop()
        failed = kind is not None
        try:
            router.log.transaction().__exit__(kind, value, traceback)
        except BaseException:
            failed = True
            raise
        finally:
            if outer:
                undo, router._undo = router._undo or [], None
                if failed:
                    for step in reversed(undo):
                        step()
        return False


def boot_id(pid: str, generation: int) -> str:
    """The id of the Eval that loads an ephemeral process's Lua file in run `generation` (fixed, so that a later
    run knows an earlier run's boot among the messages that run left unhandled)."""
    return ids.derived("aosrepl", "worker-boot", pid, str(generation))


def delivered(body: dict, nonce: int, link: str, rec: ProcessRecord) -> dict:
    """A logged message as its process receives it: with the scheduler's fields."""
    msg = dict(body)
    msg["Nonce"] = nonce
    msg["Hash-Chain"] = link
    msg["Epoch"] = 0
    msg["Module"] = rec.module
    return msg


def _vouched(tags: list, pid: str, module: str) -> list:
    """The MU's sender tags, set by the network: a process cannot claim to be another one."""
    kept = [t for t in tags if t["name"] not in ("From-Process", "From-Module")]
    return kept + [{"name": "From-Process", "value": pid}, {"name": "From-Module", "value": module}]


def _as_list(value) -> list:
    """Outbox fields as lists (a Lua table may come across as a dict keyed 1..n)."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [value[k] for k in sorted(value, key=lambda k: (not isinstance(k, int), str(k) if not
                                                                 isinstance(k, int) else k))]
    if isinstance(value, (list, tuple)):
        return list(value)
    return []


def _anchor(out: dict):
    anchor = out.get("Anchor")
    return None if anchor is None else lua_tostring(anchor)
