"""The local AO network: MU + SU + CU in one object (see the package docstring for the public API)."""
from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass

from aosrepl import ids, modules
from aosrepl.clock import DETERMINISTIC_START_MS, SystemClock, VirtualClock
from aosrepl.network import cron, datadir, genesis, slots
from aosrepl.network.errors import DataDirError, NetworkError
from aosrepl.network.handling import Handling
from aosrepl.network.limits import GrowthLimits
from aosrepl.network.messages import (WALLET_MESSAGE_TAGS, data_text, next_hash_chain, normalize_tags, tag_value,
                                      with_default_tags)
from aosrepl.network.observers import Observers, Waiter
from aosrepl.network.routing import Routing
from aosrepl.network.slots import ProcessRecord, Slot
from aosrepl.network.store import MessageLog

AOS_CLI_VERSION = "2.0.0"
CLOSE_WAIT_SECONDS = 5.0


@dataclass(frozen=True)
class ProcessInfo:
    id: str
    name: str | None
    owner: str
    module: str
    kind: str          # user | service | worker


class Network(Routing, Handling, Observers):
    """MU + SU + CU of a local AO network on one data dir (see the package docstring).
    It is the console's local `aosrepl.backend.Backend`."""

    is_local = True

    def __init__(self, data_dir=None, clock=None, deterministic=False, services=True, natives=None,
                 workers=None, model=None, backend=None, seed: int = 0):
        self.deterministic = bool(deterministic)
        self.data_dir = datadir.prepare(data_dir if data_dir is not None else datadir.default_data_dir())
        self._closing = False
        self._closed = False
        self._dirlock = datadir.DirLock(self.data_dir)
        try:
            self.log = MessageLog(self.data_dir, existing_network=datadir.wallet_exists(self.data_dir))
            datadir.check_wallet(self.data_dir, self.log.has_messages(), self.log.get_meta("wallet"))
            try:
                boots = int(self.log.get_meta("boots", "0")) + 1
            except ValueError:
                raise DataDirError(f"The network log in {self.data_dir} has a damaged boot counter.") from None
            self.log.set_meta("boots", boots)
            self._seed = (int(seed), boots)
            self._ids = ids.IdSource(int(seed) * 1_000_003 + boots) if self.deterministic else ids.IdSource()
            self.wallet = datadir.load_or_create_wallet(self.data_dir, self._ids)
            if self.log.get_meta("wallet") is None:
                self.log.set_meta("wallet", self.wallet.address)
            self.log.mark_running()
            self._own_clock = clock is None
            if clock is None and self.deterministic:
                # virtual time never runs backwards across restarts of the same data dir
                clock = VirtualClock(max(DETERMINISTIC_START_MS, self.log.max_timestamp() or 0))
            self.clock = clock if clock is not None else SystemClock()
            self._natives_arg = natives
            self._natives_cache = None
            self._natives_lock = threading.Lock()
            self._model, self._backend = model, backend
            self._warm_up = None
            if workers is None:
                from aosrepl.inference import default_worker_count   # light: no llama_cpp import
                workers = default_worker_count()
            self.workers = int(workers)
            self._subscribers: dict[str, list] = {}
            self._all_subscribers: list = []
            self._notice_subscribers: list = []
            self._notice_local = threading.local()
            self.notices: list[str] = list(self.log.warnings)   # damage found at start, said first
            self._waiters: dict[tuple[str, str], Waiter] = {}
            self._waiters_lock = threading.Lock()
            self._chains_checked: set[str] = set()   # processes whose nonces and Hash-Chain were verified
            self._watched: set[str] = set()   # genesis messages whose errors are reported as notices
            self._idle = threading.Condition()
            self._outstanding = 0
            self._slots: dict[str, Slot] = {}
            self._scheduler = slots.Scheduler(self._run)
            self._limits = GrowthLimits()
            self._cron = cron.CronTimers(self.clock, self._fire_cron)
            # What the scheduler threads need is imported here, before the first of them starts: imports
            # running on several threads at once can hand a thread a half-initialised module.
            self._native_factories()
            self._load_state()
            if services:
                genesis.run(self)
        except sqlite3.DatabaseError as exc:   # damage found past the header checks
            self._abort_start()
            raise DataDirError(f"The network log in {self.data_dir} is damaged ({exc}). It was left untouched; "
                               f"move it away or choose another data directory.") from None
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
        too_large = self._limits.refuse_size({"Data": data_text(data), "Tags": tags})
        if too_large:
            raise ValueError(f"The message was not sent: {too_large}.")
        with self._locked():
            mid = self._fresh_id(msg_id)
            body = self._stamp(mid, signer, signer, target, tags, data_text(data))
            self._log_then_deliver(body, signer, "The message could not be logged ({}); nothing was sent.")
        return mid

    def spawn(self, name: str | None = None, tags=None, data=None, *, process_id: str | None = None,
              owner: str | None = None, kind: str = "user", natives=(), ephemeral: bool = False,
              module: str = ids.AOS_MODULE_ID) -> str:
        """Spawn a process owned by `owner` (default: the wallet) with aos's spawn tags plus `tags`.
        The spawn message (Id = process id) is its first message. Returns the process id."""
        self._check_open()
        modules.resolve(module)     # UnknownModule (a ValueError listing the known ids) before anything is logged
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
        with self._locked():
            pid = self._fresh_id(process_id)
            if pid in self._slots:
                raise NetworkError(f"a process with id {pid} already exists")
            record = ProcessRecord(pid, None if name is None else str(name), owner, module, kind, process_tags,
                                   tuple(natives), bool(ephemeral), self.clock.now_ms(), 0)
            body = self._stamp(pid, owner, owner, pid, process_tags, data_text(data), timestamp=record.created_ms)
            self._log_then_deliver(body, owner, "The spawn could not be logged ({}); nothing was spawned.",
                                   new_process=record)
        return pid

    def _log_then_deliver(self, body: dict, signer: str, failure: str, new_process=None) -> None:
        """Log first, deliver second: commit a message from a wallet (and the process it spawns), then
        schedule it. `failure` is the error text, with {} for the database's reason. Callers hold the lock."""
        try:
            with self._transaction():
                self._known_wallet(signer)
                if new_process is not None:
                    self._add_process(new_process)
                deliveries = self._accept(body)
        except sqlite3.Error as exc:
            raise NetworkError(failure.format(exc)) from None
        self._dispatch(deliveries)

    def find_or_spawn(self, name: str, tags=None, data=None, module: str | None = None) -> str:
        """The wallet's process called `name` (the first one spawned), else a new one running `module`. A known
        process id is returned as it is."""
        self._check_open()
        if ids.is_id(name) and name in self._slots:
            return name
        for slot in list(self._slots.values()):
            rec = slot.record
            if rec.owner == self.wallet.address and rec.name == name and rec.kind == "user":
                return rec.id
        return self.spawn(name, tags=tags, data=data, module=module or ids.AOS_MODULE_ID)

    def new_id(self) -> str:
        """A fresh message id (e.g. for `eval(msg_id=...)`, so the Eval can be interrupted by its id)."""
        return self._ids.new()

    def eval(self, pid: str, code: str, timeout: float | None = 30.0, signer: str | None = None,
             msg_id: str | None = None) -> dict:
        """Send `code` as an Eval and wait for the result of *that* message."""
        slot = self._require(pid)
        if not slot.available:
            raise NetworkError(f"{slot.record.name or pid} is a worker process that is not running now.")
        self._refuse_in_worker()
        if not isinstance(code, str):
            raise ValueError(f"code must be text, not {type(code).__name__}")
        mid = msg_id or self._ids.new()
        waiter = self._add_waiter(pid, mid)
        try:
            self.send(pid, {"Action": "Eval"}, code, signer=signer, msg_id=mid)
            return self._wait(waiter, timeout, f"the Eval {mid} in {pid}")
        finally:
            self._drop_waiter(pid, mid)

    def wait_result(self, pid: str, msg_id: str, timeout: float | None = 30.0) -> dict:
        """The result of a message already sent to `pid` (from the log if it has been handled)."""
        self._refuse_in_worker()
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
            copy.handle(self._delivered(body, nonce, link, rec), env, replay=True)
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
        self._refuse_in_worker()
        with self._idle:
            return self._idle.wait_for(lambda: self._outstanding == 0 or self._closed, timeout)

    def interrupt(self, pid: str, message_id: str | None = None) -> bool:
        """Stop the handler running in `pid` (the message is marked interrupted and skipped by replays);
        with `message_id`, only if that is the message being handled. False when nothing was stopped."""
        slot = self._require(pid)
        nonce, lua, running = slot.current_nonce, slot.lua, slot.current_id
        if nonce is None or lua is None or (message_id is not None and running != message_id):
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

    def has_process(self, pid: str) -> bool:
        return pid in self._slots

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

    def warm_up_inference(self, delay: float | None = None) -> None:
        """Load the workers' model in the background (after `delay` seconds, default warm_up.START_DELAY), so
        the first Llama.run does not wait for it (the interactive console calls this; scripted runs never load
        a model they do not use)."""
        if self.workers <= 0 or self._natives_arg is not None or self._warm_up is not None:
            return
        from aosrepl.inference import start_warm_up
        self._warm_up = start_warm_up(model=self._model, backend=self._backend, delay=delay)

    def close(self) -> None:
        if self._closed or self._closing:
            return
        self._closing = True
        if self._warm_up is not None:
            self._warm_up.close()
        self._cron.stop_all()
        self._scheduler.close(CLOSE_WAIT_SECONDS)   # a handler in progress may finish and commit
        with self._locked():
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
        """Undo a start that failed half-way (threads stopped, files closed, the dir lock released)."""
        self._closing = True
        if hasattr(self, "_cron"):
            self._cron.stop_all()
        if hasattr(self, "_scheduler"):
            self._scheduler.close(0.5)
        log = getattr(self, "log", None)
        if log is not None:
            log.close()
        clock = getattr(self, "clock", None)
        if clock is not None and getattr(self, "_own_clock", False):
            clock.close()
        self._closed = True
        self._dirlock.release()

    def _load_state(self) -> None:
        rows = self.log.process_rows()
        links = self.log.last_links([row[0] for row in rows])
        for row in rows:
            pid, name, owner, module, kind, tags, natives, ephemeral, created_ms, generation = row
            rec = ProcessRecord(pid, name, owner, module, kind, json.loads(tags), tuple(json.loads(natives)),
                                bool(ephemeral), created_ms, generation)
            nonce, link = links.get(pid, (0, None))
            self._slots[pid] = Slot(rec, nonce, link, available=not rec.ephemeral)
            self._limits.count_child(rec.owner)
        self._wallets = self.log.wallets() | {self.wallet.address}
        self._redeliveries = {}   # pid -> nonce of its first pending delivery (maybe in flight at the stop)
        with self._locked():
            for pid, nonce, link, body in self.log.pending():
                slot = self._slots.get(pid)
                if slot is not None and slot.available:
                    self._redeliveries.setdefault(pid, nonce)
                    self._dispatch([(slot, nonce, self._delivered(body, nonce, link, slot.record))])
        for pid in self.log.monitors():
            slot = self._slots.get(pid)
            interval = slot and cron.interval_of(slot.record.tags)
            if interval:
                self._cron.start(pid, slot.record.created_ms, interval)

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
        with self._locked():
            if self._closed:
                return
            body = self._stamp(self._derived_id(pid, "cron", due_ms), rec.owner, rec.owner, pid,
                               cron.cron_tags(rec.tags), "", cron_flag=True, timestamp=due_ms)
            with self._transaction():
                deliveries = self._accept(body)
            self._dispatch(deliveries)
