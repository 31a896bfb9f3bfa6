"""The local AO network: MU + SU + CU in one object (see the package docstring for the public API)."""
from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass

from aosrepl import ids
from aosrepl.clock import DETERMINISTIC_START_MS, SystemClock, VirtualClock, block_height_at
from aosrepl.network import cron, datadir, genesis, slots
from aosrepl.network.errors import DataDirError, NetworkError, NetworkTimeout
from aosrepl.network.messages import (WALLET_MESSAGE_TAGS, action_of, data_text, lua_tostring, next_hash_chain,
                                      normalize_tags, tag_value, tags_from_lua, with_default_tags)
from aosrepl.network.slots import ProcessRecord, Slot
from aosrepl.network.store import MessageLog

AOS_CLI_VERSION = "2.0.0"
DEFAULT_WORKERS = 2
CLOSE_WAIT_SECONDS = 5.0
MODULE_TAGS = [
    {"name": "Data-Protocol", "value": "ao"}, {"name": "Variant", "value": "ao.TN.1"},
    {"name": "Type", "value": "Module"}, {"name": "Module-Format", "value": "lua53-aosrepl"},
    {"name": "Input-Encoding", "value": "JSON-1"}, {"name": "Output-Encoding", "value": "JSON-1"},
    {"name": "Memory-Limit", "value": "256-mb"}, {"name": "Compute-Limit", "value": "100000000"},
]


@dataclass(frozen=True)
class ProcessInfo:
    id: str
    name: str | None
    owner: str
    module: str
    kind: str          # user | service | worker


class _Unavailable(Exception):
    """A process that cannot run now (failed to load, or an ephemeral one not re-spawned)."""


class _Waiter:
    __slots__ = ("event", "result")

    def __init__(self):
        self.event = threading.Event()
        self.result = None


class Network:
    def __init__(self, data_dir=None, clock=None, deterministic=False, services=True, natives=None,
                 workers=None, model=None, backend=None, seed: int = 0):
        self.deterministic = bool(deterministic)
        self.data_dir = datadir.prepare(data_dir if data_dir is not None else datadir.default_data_dir())
        self._closing = False
        self._closed = False
        self._dirlock = datadir.DirLock(self.data_dir)
        try:
            self.log = MessageLog(self.data_dir)
            try:
                boots = int(self.log.get_meta("boots", "0")) + 1
            except ValueError:
                raise DataDirError(f"The network log in {self.data_dir} has a damaged boot counter.") from None
            self.log.set_meta("boots", boots)
            self._seed = (int(seed), boots)
            self._ids = ids.IdSource(int(seed) * 1_000_003 + boots) if self.deterministic else ids.IdSource()
            self.wallet = datadir.load_or_create_wallet(self.data_dir, self._ids)
            self._own_clock = clock is None
            if clock is None and self.deterministic:
                # virtual time never runs backwards across restarts of the same data dir
                clock = VirtualClock(max(DETERMINISTIC_START_MS, self.log.max_timestamp() or 0))
            self.clock = clock if clock is not None else SystemClock()
            self._natives_arg = natives
            self._natives_cache = None
            self._natives_lock = threading.Lock()
            self._model, self._backend = model, backend
            self.workers = DEFAULT_WORKERS if workers is None else int(workers)
            self._subscribers: dict[str, list] = {}
            self._all_subscribers: list = []
            self._notice_subscribers: list = []
            self.notices: list[str] = []
            self._waiters: dict[tuple[str, str], _Waiter] = {}
            self._waiters_lock = threading.Lock()
            self._watched: set[str] = set()   # genesis messages whose errors are reported as notices
            self._idle = threading.Condition()
            self._outstanding = 0
            self._slots: dict[str, Slot] = {}
            self._scheduler = slots.Scheduler(self._run)
            self._cron = cron.CronTimers(self.clock, self._fire_cron)
            self._load_state()
            if services:
                genesis.run(self)
        except BaseException:
            self._abort_start()
            raise

    # ======================================================================== public API
    def send(self, target: str, tags=None, data="", signer: str | None = None, msg_id: str | None = None) -> str:
        """Log a message signed by `signer` (default: the wallet) and route it; returns its id once committed."""
        self._check_open()
        if not isinstance(target, str) or not ids.is_id(target):
            raise ValueError(f"target must be a 43-character process id, not {target!r}")
        signer = signer or self.wallet.address
        if not ids.is_id(signer):
            raise ValueError(f"signer must be a 43-character address, not {signer!r}")
        if data is not None and not isinstance(data, (str, bytes, int, float)):
            raise ValueError(f"data must be text, not {type(data).__name__}")
        tags = with_default_tags(normalize_tags(tags), WALLET_MESSAGE_TAGS)
        with self.log.lock:
            mid = self._fresh_id(msg_id)
            body = self._stamp(mid, signer, signer, target, tags, data_text(data))
            with self.log.transaction():
                self._known_wallet(signer)
                deliveries = self._accept(body)
            self._dispatch(deliveries)
        return mid

    def spawn(self, name: str | None = None, tags=None, data=None, *, process_id: str | None = None,
              owner: str | None = None, kind: str = "user", natives=(), ephemeral: bool = False,
              module: str = ids.AOS_MODULE_ID) -> str:
        """Spawn a process owned by `owner` (default: the wallet) with aos's spawn tags plus `tags`.
        The spawn message (Id = process id) is its first message. Returns the process id."""
        self._check_open()
        owner = owner or self.wallet.address
        if not ids.is_id(owner):
            raise ValueError(f"owner must be a 43-character address, not {owner!r}")
        user_tags = normalize_tags(tags)
        interval = tag_value(user_tags, "Cron-Interval")
        if interval is not None:
            cron.parse_interval(interval)     # reject a bad interval now, not at .monitor time
        base = [("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Process"), ("Module", module),
                ("Scheduler", ids.SCHEDULER_ID), ("SDK", "aoconnect"), ("App-Name", "aos")]
        if name is not None:
            base.append(("Name", str(name)))
        base += [("Authority", ids.MU_AUTHORITY), ("aos-Version", AOS_CLI_VERSION)]
        process_tags = [{"name": n, "value": v} for n, v in base] + user_tags
        with self.log.lock:
            pid = self._fresh_id(process_id)
            if pid in self._slots:
                raise NetworkError(f"a process with id {pid} already exists")
            record = ProcessRecord(pid, None if name is None else str(name), owner, module, kind, process_tags,
                                   tuple(natives), bool(ephemeral), self.clock.now_ms(), 0)
            body = self._stamp(pid, owner, owner, pid, process_tags, data_text(data), timestamp=record.created_ms)
            with self.log.transaction():
                self._known_wallet(owner)
                self._add_process(record)
                deliveries = self._accept(body)
            self._dispatch(deliveries)
        return pid

    def find_or_spawn(self, name: str, tags=None, data=None) -> str:
        """The wallet's process called `name` (the first one spawned), else a new one. A known process id is
        returned as it is."""
        self._check_open()
        if ids.is_id(name) and name in self._slots:
            return name
        for slot in list(self._slots.values()):
            rec = slot.record
            if rec.owner == self.wallet.address and rec.name == name and rec.kind == "user":
                return rec.id
        return self.spawn(name, tags=tags, data=data)

    def eval(self, pid: str, code: str, timeout: float | None = 30.0, signer: str | None = None) -> dict:
        """Send `code` as an Eval and wait for the result of *that* message."""
        self._require(pid)
        if not isinstance(code, str):
            raise ValueError(f"code must be text, not {type(code).__name__}")
        mid = self._ids.new()
        waiter = self._add_waiter(pid, mid)
        try:
            self.send(pid, {"Action": "Eval"}, code, signer=signer, msg_id=mid)
            return self._wait(waiter, timeout, f"the Eval {mid} in {pid}")
        finally:
            self._drop_waiter(pid, mid)

    def wait_result(self, pid: str, msg_id: str, timeout: float | None = 30.0) -> dict:
        """The result of a message already sent to `pid` (from the log if it has been handled)."""
        waiter = self._add_waiter(pid, msg_id)
        try:
            stored = self.log.result_of(pid, msg_id)
            if stored is not None:
                return stored
            return self._wait(waiter, timeout, f"the message {msg_id} in {pid}")
        finally:
            self._drop_waiter(pid, msg_id)

    def dryrun(self, pid: str, code: str | None = None, tags=None, data=None) -> dict:
        """Evaluate on a throw-away copy (the process's history replayed into a fresh state): nothing is
        logged, routed or kept. Default message: Action=Eval from the wallet with `code` as Data."""
        slot = self._require(pid)
        rec = slot.record
        if rec.ephemeral:
            raise NetworkError(f"dryrun is not available for {rec.name or pid}: it is a worker process")
        copy = self._new_lua(rec)
        env = self._env(rec)
        history = self.log.history(pid, rec.generation)
        for nonce, link, body in history:
            copy.handle(self._delivered(body, nonce, link, rec), env)
        tags = with_default_tags(normalize_tags(tags if tags is not None else {"Action": "Eval"}),
                                 WALLET_MESSAGE_TAGS)
        last_nonce, last_link = (history[-1][0], history[-1][1]) if history else (0, None)
        mid = ids.encode(bytes(32)) if self.deterministic else self._ids.new()
        body = self._stamp(mid, self.wallet.address, self.wallet.address, pid, tags,
                           data_text(code if code is not None else data))
        return copy.handle(self._delivered(body, last_nonce + 1, next_hash_chain(last_link, mid), rec), env)

    def subscribe(self, pid: str, callback):
        """`callback(pid, result)` for every later result of `pid` with Output.print. Returns an unsubscribe
        function."""
        with self._waiters_lock:
            self._subscribers.setdefault(pid, []).append(callback)
        return lambda: self._unsubscribe(self._subscribers.get(pid, []), callback)

    def subscribe_all(self, callback):
        """`callback(pid, result)` for every printing result of every process. Returns an unsubscribe function."""
        with self._waiters_lock:
            self._all_subscribers.append(callback)
        return lambda: self._unsubscribe(self._all_subscribers, callback)

    def subscribe_notices(self, callback):
        """`callback(text)` for each line of the network's own output (undeliverable messages, genesis
        problems...). Past lines are in `net.notices`. Returns an unsubscribe function."""
        with self._waiters_lock:
            self._notice_subscribers.append(callback)
        return lambda: self._unsubscribe(self._notice_subscribers, callback)

    def run_until_idle(self, timeout: float | None = 10.0) -> bool:
        """Wait until everything caused so far has been handled. False if `timeout` ran out first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._outstanding == 0 or self._closed, timeout)

    def interrupt(self, pid: str) -> bool:
        """Stop the handler running in `pid` (the message is marked interrupted and skipped by replays).
        Returns False when nothing was running."""
        slot = self._require(pid)
        nonce, lua = slot.current_nonce, slot.lua
        if nonce is None or lua is None:
            return False
        slot.interrupted_nonce = nonce
        lua.interrupt()
        return True

    def complete(self, pid: str, prefix: str) -> list:
        """Tab-completion candidates from the live process; [] while it is busy or unknown."""
        slot = self._slots.get(pid)
        if slot is None or not slot.use_lock.acquire(blocking=False):
            return []
        try:
            if slot.queue:
                return []
            return list(self._load(slot).complete(prefix))
        except Exception:
            return []
        finally:
            slot.use_lock.release()

    def processes(self) -> list[ProcessInfo]:
        return [ProcessInfo(s.record.id, s.record.name, s.record.owner, s.record.module, s.record.kind)
                for s in list(self._slots.values())]

    def process_tags(self, pid: str) -> list[dict]:
        return [dict(t) for t in self._require(pid).record.tags]

    def get_message(self, msg_id: str) -> dict | None:
        found = self.log.get_message(msg_id)
        return found[1] if found else None

    def wallet_inbox(self, address: str | None = None) -> list[dict]:
        """Messages sent to a wallet address (default: this network's wallet), oldest first."""
        return self.log.mail(address or self.wallet.address, "wallet")

    def undeliverable(self) -> list[dict]:
        """Messages whose target is neither a process nor a known wallet (kept in the log)."""
        return self.log.undeliverable()

    def monitor(self, pid: str) -> None:
        """Start the process's cron (its `Cron-Interval`); kept across restarts until `unmonitor`."""
        rec = self._require(pid).record
        interval = cron.interval_of(rec.tags)
        if interval is None:
            raise NetworkError(f"process {rec.name or pid} has no Cron-Interval tag")
        self.log.set_monitor(pid, True)
        self._cron.start(pid, rec.created_ms, interval)

    def unmonitor(self, pid: str) -> bool:
        self._require(pid)
        self.log.set_monitor(pid, False)
        return self._cron.stop(pid)

    def monitored(self) -> list[str]:
        return self.log.monitors()

    def close(self) -> None:
        if self._closed or self._closing:
            return
        self._closing = True
        self._cron.stop_all()
        self._scheduler.close(CLOSE_WAIT_SECONDS)   # a handler in progress may finish and commit
        with self.log.lock:
            self._closed = True
            self.log.close()
        with self._idle:
            self._idle.notify_all()
        with self._waiters_lock:
            for waiter in self._waiters.values():
                waiter.event.set()
        if self._own_clock:
            self.clock.close()
        self._dirlock.release()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ======================================================================== start-up
    def _abort_start(self) -> None:
        log = getattr(self, "log", None)
        if log is not None:
            log.close()
        clock = getattr(self, "clock", None)
        if clock is not None and getattr(self, "_own_clock", False):
            clock.close()
        self._closed = True
        self._dirlock.release()

    def _load_state(self) -> None:
        import json
        links = self.log.last_links()
        for row in self.log.process_rows():
            pid, name, owner, module, kind, tags, natives, ephemeral, created_ms, generation = row
            rec = ProcessRecord(pid, name, owner, module, kind, json.loads(tags), tuple(json.loads(natives)),
                                bool(ephemeral), created_ms, generation)
            nonce, link = links.get(pid, (0, None))
            self._slots[pid] = Slot(rec, nonce, link, available=not rec.ephemeral)
        self._wallets = self.log.wallets() | {self.wallet.address}
        with self.log.lock:
            for pid, nonce, link, body in self.log.pending():
                slot = self._slots.get(pid)
                if slot is not None and slot.available:
                    self._dispatch([(slot, nonce, self._delivered(body, nonce, link, slot.record))])
        for pid in self.log.monitors():
            slot = self._slots.get(pid)
            interval = slot and cron.interval_of(slot.record.tags)
            if interval:
                self._cron.start(pid, slot.record.created_ms, interval)

    def _respawn_ephemeral(self, spec, source: str, owner: str) -> None:
        """Start an ephemeral service (a worker) fresh: its earlier run is retired (never replayed: inference is
        not re-run), it gets its spawn message and its Lua file again, then the messages it had not handled."""
        slot = self._slots.get(spec.id)
        boot_id = self._ids.new()
        self._watched.add(boot_id)
        if slot is None:
            self.spawn(spec.name, tags=list(spec.tags), process_id=spec.id, owner=owner, kind="worker",
                       natives=spec.natives, ephemeral=True)
            self.send(spec.id, {"Action": "Eval"}, source, signer=owner, msg_id=boot_id)
            return
        rec = slot.record
        with self.log.lock:
            with self.log.transaction():
                pending = self.log.retire(rec.id)
                rec.generation += 1
                rec.created_ms = self.clock.now_ms()
                self.log.set_generation(rec.id, rec.generation, rec.created_ms)
                slot.lua, slot.broken, slot.available = None, None, True
                deliveries = self._accept(self._stamp(rec.id, rec.owner, rec.owner, rec.id, rec.tags, "",
                                                      timestamp=rec.created_ms))
                tags = with_default_tags(normalize_tags({"Action": "Eval"}), WALLET_MESSAGE_TAGS)
                deliveries += self._accept(self._stamp(boot_id, owner, owner, rec.id, tags, source))
                for seq in pending:
                    deliveries.append(self._schedule(slot, seq, self.log.body_by_seq(seq)))
            self._dispatch(deliveries)

    # ======================================================================== messages and routing
    def _fresh_id(self, wanted: str | None) -> str:
        if wanted is None:
            return self._ids.new()
        if not isinstance(wanted, str) or not ids.is_id(wanted):
            raise ValueError(f"an id must be 43 base64url characters, not {wanted!r}")
        if self.log.message_exists(wanted):
            raise NetworkError(f"a message with id {wanted} already exists")
        return wanted

    def _derived_id(self, *parts) -> str:
        """Ids of messages made by processes: random, or in deterministic mode derived from what caused them
        (so thread timing cannot change them)."""
        if not self.deterministic:
            return self._ids.new()
        mid = ids.derived("aosrepl-det", *map(str, self._seed), *map(str, parts))
        if self.log.message_exists(mid):   # the same message handled twice (assignments): disambiguate
            mid = ids.derived(mid, str(self._ids.new()))
        return mid

    def _stamp(self, mid, sender, owner, target, tags, data, anchor=None, cron_flag=False, timestamp=None) -> dict:
        ts = self.clock.now_ms() if timestamp is None else int(timestamp)
        return {"Id": mid, "From": sender, "Owner": owner, "Target": target, "Anchor": anchor, "Data": data,
                "Tags": tags, "Timestamp": ts, "Block-Height": block_height_at(ts), "Cron": cron_flag}

    @staticmethod
    def _delivered(body: dict, nonce: int, link: str, rec: ProcessRecord) -> dict:
        msg = dict(body)
        msg["Nonce"] = nonce
        msg["Hash-Chain"] = link
        msg["Epoch"] = 0
        msg["Module"] = rec.module
        return msg

    def _known_wallet(self, address: str) -> None:
        if address not in self._wallets and address not in self._slots:
            self._wallets.add(address)
            self.log.add_wallet(address)

    def _add_process(self, rec: ProcessRecord) -> Slot:
        self.log.insert_process(rec)
        slot = Slot(rec)
        self._slots[rec.id] = slot
        return slot

    def _accept(self, body: dict) -> list:
        """Inside a transaction: log `body` and decide where it goes. Returns the deliveries to dispatch."""
        seq = self.log.insert_message(body, action_of(body))
        target = body.get("Target")
        slot = self._slots.get(target) if isinstance(target, str) else None
        if slot is not None:
            return [self._schedule(slot, seq, body)]
        if target in self._wallets:
            self.log.add_mail(seq, target, "wallet")
        elif target is not None:
            self.log.add_mail(seq, str(target), "unknown")
            self._notice(f"Message {body['Id']} (Action = {action_of(body) or '-'}) from {body.get('From')} "
                         f"is for {target}, which is not a process on this network: it is kept in the log.")
        return []

    def _schedule(self, slot: Slot, seq: int, body: dict):
        nonce = slot.last_nonce + 1
        link = next_hash_chain(slot.last_hash, body["Id"])
        self.log.add_delivery(slot.record.id, nonce, seq, slot.record.generation, link)
        slot.last_nonce, slot.last_hash = nonce, link
        return slot, nonce, self._delivered(body, nonce, link, slot.record)

    def _dispatch(self, deliveries) -> None:
        """After the commit (still under the log lock, so queues follow nonce order): queue for handling."""
        for slot, nonce, msg in deliveries:
            if not slot.available:
                continue   # stays pending in the log
            with self._idle:
                self._outstanding += 1
            self._scheduler.enqueue(slot, nonce, msg)

    def _route(self, slot: Slot, message: dict, result: dict) -> list:
        """Inside the transaction that marks `message` handled: log and route the result's outbox."""
        rec = slot.record
        pid = rec.id
        deliveries = []
        parts = (pid, rec.generation, message["Id"])
        for i, out in enumerate(_as_list(result.get("Messages"))):
            if not isinstance(out, dict):
                continue
            tags = tags_from_lua(out.get("Tags"))
            tags += [{"name": n, "value": v} for n, v in (("From-Process", pid), ("From-Module", rec.module))
                     if tag_value(tags, n) is None]
            target = out.get("Target")
            target = lua_tostring(target) if target is not None else None
            body = self._stamp(self._derived_id(*parts, "m", i), pid, ids.MU_AUTHORITY, target, tags,
                               data_text(out.get("Data")), anchor=_anchor(out))
            deliveries += self._accept(body)
        for i, spawn in enumerate(_as_list(result.get("Spawns"))):
            if isinstance(spawn, dict):
                deliveries += self._spawn_child(slot, spawn, self._derived_id(*parts, "s", i),
                                                self._derived_id(*parts, "n", i))
        for assignment in _as_list(result.get("Assignments")):
            if isinstance(assignment, dict):
                deliveries += self._assign(pid, assignment)
        return deliveries

    def _spawn_child(self, parent: Slot, spawn: dict, child_id: str, notice_id: str) -> list:
        prec = parent.record
        tags = tags_from_lua(spawn.get("Tags"))
        # The local MU vouches for process-to-process traffic: a child trusts it like a console-spawned process.
        process_tags = tags if tag_value(tags, "Authority") else tags + [{"name": "Authority",
                                                                           "value": ids.MU_AUTHORITY}]
        now = self.clock.now_ms()
        rec = ProcessRecord(child_id, tag_value(tags, "Name"), prec.id, tag_value(tags, "Module") or prec.module,
                            "user", process_tags, (), False, now, 0)
        self._add_process(rec)
        body = self._stamp(child_id, prec.id, ids.MU_AUTHORITY, child_id, process_tags,
                           data_text(spawn.get("Data")), anchor=_anchor(spawn), timestamp=now)
        deliveries = self._accept(body)
        notice_tags = [{"name": n, "value": v} for n, v in (
            ("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Message"), ("Action", "Spawned"),
            ("Process", child_id), ("Reference", tag_value(tags, "Reference")),
            ("From-Process", prec.id), ("From-Module", prec.module)) if v is not None]
        notice = self._stamp(notice_id, prec.id, ids.MU_AUTHORITY, prec.id, notice_tags, "", timestamp=now)
        return deliveries + self._accept(notice)

    def _assign(self, sender: str, assignment: dict) -> list:
        mid = assignment.get("Message")
        found = self.log.get_message(mid) if isinstance(mid, str) else None
        if found is None:
            self._notice(f"Assignment from {sender} names the message {mid}, which is not in the log: ignored.")
            return []
        seq, body = found
        deliveries = []
        for pid in _as_list(assignment.get("Processes")):
            slot = self._slots.get(pid) if isinstance(pid, str) else None
            if slot is None:
                self._notice(f"Assignment from {sender} of message {mid} to {pid}, "
                             f"which is not a process on this network: ignored.")
                continue
            deliveries.append(self._schedule(slot, seq, body))
        return deliveries

    # ======================================================================== handling
    def _run(self, slot: Slot, nonce: int, message: dict) -> None:
        """A slot thread handles one delivery: run it, commit it with its outbox, route, publish."""
        try:
            try:
                result, state = self._handle(slot, nonce, message)
            except _Unavailable as exc:
                self._notice(str(exc))
                with self._waiters_lock:   # an Eval waiting for this message gets the reason at once
                    waiter = self._waiters.get((slot.record.id, message["Id"]))
                if waiter is not None:
                    waiter.result = {"Error": str(exc)}
                    waiter.event.set()
                return
            with self.log.lock:
                if self._closed:
                    return   # stays pending: it will be handled again at the next start
                try:
                    with self.log.transaction():
                        # results are kept for messages a wallet sent (someone may wait for them)
                        keep = result if message.get("From") not in self._slots else None
                        self.log.finish_delivery(slot.record.id, nonce, state, keep)
                        deliveries = self._route(slot, message, result) if state == "handled" else []
                except sqlite3.Error as exc:
                    self._notice(f"Could not log the result of {message['Id']} in {slot.record.id}: {exc}")
                    return
                self._dispatch(deliveries)
            self._publish(slot.record.id, message, result)
        finally:
            with self._idle:
                self._outstanding -= 1
                if self._outstanding == 0:
                    self._idle.notify_all()

    def _handle(self, slot: Slot, nonce: int, message: dict):
        with slot.use_lock:
            lua = self._load(slot)
            slot.current_nonce = nonce
            try:
                result = lua.handle(message, self._env(slot.record))
            except Exception as exc:   # the runtime returns Lua errors; this is a bug below us: keep going
                result = {"Error": f"{type(exc).__name__}: {exc}"}
            finally:
                slot.current_nonce = None
        if not isinstance(result, dict):
            result = {"Error": f"the process returned {type(result).__name__}, not a result"}
        state = "interrupted" if slot.interrupted_nonce == nonce else "handled"
        return result, state

    def _load(self, slot: Slot):
        """The slot's LuaProcess, created and replayed from the log on first need (caller holds use_lock)."""
        if slot.lua is not None:
            return slot.lua
        rec = slot.record
        if slot.broken:
            raise _Unavailable(f"Process {rec.name or rec.id} could not be loaded ({slot.broken}); "
                               f"its messages stay in the log.")
        if not slot.available:
            raise _Unavailable(f"{rec.name or rec.id} is a worker process that was not started in this run; "
                               f"its messages stay in the log.")
        try:
            lua = self._new_lua(rec)
            env = self._env(rec)
            for nonce, link, body in self.log.history(rec.id, rec.generation):
                lua.handle(self._delivered(body, nonce, link, rec), env)
        except Exception as exc:
            slot.broken = f"{type(exc).__name__}: {exc}"
            return self._load(slot)
        slot.lua = lua
        return lua

    def _new_lua(self, rec: ProcessRecord):
        from aosrepl.runtime import LuaProcess
        factories = self._native_factories() if rec.natives else {}
        natives = {name: factories[name] for name in rec.natives if name in factories}
        return LuaProcess(rec.id, module_id=rec.module, natives=natives)

    def _native_factories(self) -> dict:
        with self._natives_lock:
            if self._natives_cache is None:
                if self._natives_arg is not None:
                    self._natives_cache = dict(self._natives_arg)
                else:
                    try:
                        from aosrepl.inference import default_natives
                        self._natives_cache = dict(default_natives(model=self._model, backend=self._backend))
                    except Exception as exc:
                        self._notice(f"Inference is not available ({type(exc).__name__}: {exc}); "
                                     f"workers run without a model.")
                        self._natives_cache = {}
            return self._natives_cache

    @staticmethod
    def _env(rec: ProcessRecord) -> dict:
        # the same object every time: the runtime reuses its Lua copy while the env is unchanged
        if rec.env is None:
            rec.env = {"Process": {"Id": rec.id, "Owner": rec.owner, "Tags": rec.tags},
                       "Module": {"Id": rec.module, "Tags": MODULE_TAGS}}
        return rec.env

    # ======================================================================== observers
    def _publish(self, pid: str, message: dict, result: dict) -> None:
        with self._waiters_lock:
            waiter = self._waiters.get((pid, message["Id"]))
            callbacks = []
            output = result.get("Output")
            if isinstance(output, dict) and output.get("print"):
                # aos's console never shows what an assigned message printed (e.g. APM loading a package):
                # its live feed follows the process's own messages only. Watchers of the network see all.
                own = message.get("Target") == pid
                callbacks = (list(self._subscribers.get(pid, ())) if own else []) + list(self._all_subscribers)
        if waiter is not None:
            waiter.result = result
            waiter.event.set()
        if message["Id"] in self._watched and "Error" in result:
            self._watched.discard(message["Id"])
            self._notice(f"{self._slots[pid].record.name or pid}: {str(result['Error']).strip()}")
        for callback in callbacks:
            try:
                callback(pid, result)
            except Exception as exc:   # an observer's bug must not stop the process
                self._notice(f"A subscriber of {pid} failed: {type(exc).__name__}: {exc}")

    def _notice(self, text: str) -> None:
        self.notices.append(text)
        for callback in list(self._notice_subscribers):
            try:
                callback(text)
            except Exception:
                pass

    def _unsubscribe(self, listing: list, callback) -> None:
        with self._waiters_lock:
            if callback in listing:
                listing.remove(callback)

    def _add_waiter(self, pid: str, mid: str) -> _Waiter:
        with self._waiters_lock:
            waiter = self._waiters.setdefault((pid, mid), _Waiter())
        return waiter

    def _drop_waiter(self, pid: str, mid: str) -> None:
        with self._waiters_lock:
            self._waiters.pop((pid, mid), None)

    def _wait(self, waiter: _Waiter, timeout, what: str) -> dict:
        if not waiter.event.wait(timeout):
            raise NetworkTimeout(f"No result for {what} after {timeout:g} s (it stays queued and will still run).")
        if waiter.result is None:
            raise NetworkError("The network was closed before the result arrived.")
        return waiter.result

    def _check_open(self) -> None:
        if self._closed or self._closing:
            raise NetworkError("The network is closed.")

    def _require(self, pid: str) -> Slot:
        slot = self._slots.get(pid) if isinstance(pid, str) else None
        if slot is None:
            raise NetworkError(f"No process {pid!r} on this network.")
        return slot

    # ======================================================================== cron
    def _fire_cron(self, pid: str, due_ms: int) -> None:
        if self._closing:
            return
        slot = self._slots.get(pid)
        if slot is None:
            return
        rec = slot.record
        with self.log.lock:
            if self._closed:
                return
            body = self._stamp(self._derived_id(pid, "cron", due_ms), rec.owner, rec.owner, pid,
                               cron.cron_tags(rec.tags), "", cron_flag=True, timestamp=due_ms)
            with self.log.transaction():
                deliveries = self._accept(body)
            self._dispatch(deliveries)


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

