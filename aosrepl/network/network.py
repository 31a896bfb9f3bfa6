"""The local AO network: MU + SU + CU in one object (see the package docstring for the public API)."""
from __future__ import annotations

import json
import sqlite3
import threading

from aosrepl import ids, modules
from aosrepl.clock import DETERMINISTIC_START_MS, SystemClock, VirtualClock
from aosrepl.network import cron, datadir, dryrun, genesis
from aosrepl.network.errors import DataDirError, NetworkError
from aosrepl.network.limits import GrowthLimits
from aosrepl.network.messages import (WALLET_MESSAGE_TAGS, data_text, next_hash_chain, normalize_tags, tag_value,
                                      with_default_tags)
from aosrepl.network.observers import Observers
from aosrepl.network.processes import ProcessRecord, ProcessTable, Slot
from aosrepl.network.router import Router, boot_id, delivered
from aosrepl.network.runner import ProcessRunner, Unavailable, env_of, natives_of
from aosrepl.network.scheduler import Scheduler
from aosrepl.network.store import MessageLog
from aosrepl.records import Record
from aosrepl.runtime import library

AOS_CLI_VERSION = "2.0.0"
CLOSE_WAIT_SECONDS = 5.0
# A message that was being handled each time the network stopped, this many starts in a row, is set
# aside (a crash it causes would otherwise come back at every start).
MAX_REDELIVERIES = 3
POOL_EXTRA_THREADS = 4     # scheduler threads beyond one per inference worker


class ProcessInfo(Record):
    """A process as the network's users see it (ProcessRecord is what the network keeps)."""
    __slots__ = ("id", "name", "owner", "module", "kind")

    def __init__(self, id: str, name: str | None, owner: str, module: str, kind: str):
        self.id, self.name, self.owner, self.module = id, name, owner, module
        self.kind = kind          # user | service | worker


class Network:
    """MU + SU + CU of a local AO network on one data dir (see the package docstring).
    It is the console's local `aosrepl.backend.Backend`.

    Its parts: `log` (the durable MessageLog), a ProcessTable, a Router (log then deliver), a Scheduler
    (a fixed pool of threads, one process at a time per thread), a ProcessRunner (Lua states) and the
    Observers (waiters, subscribers, notices). The hot path is `_handle_delivery`."""

    is_local = True
    # ProcessLimits for the Lua states created from now on (None: the runtime's defaults). Tests lower it.
    process_limits = None

    def __init__(self, data_dir=None, clock=None, deterministic=False, services=True, natives=None,
                 workers=None, model=None, backend=None, seed: int = 0, preload: str | None = None):
        """`preload`: the name of one of the wallet's processes (or a process id) whose Lua state to start
        rebuilding at once, beside the services' start (the console's process: see `preload()`)."""
        # The first process to boot would compile the Lua library on the way to the first answer: a thread
        # compiles it now, beside the start-up below.
        library.compile_in_background()
        self.deterministic = bool(deterministic)
        self.data_dir = datadir.prepare(data_dir if data_dir is not None else datadir.default_data_dir())
        self._closing = False
        self._closed = False
        self._dirlock = datadir.DirLock(self.data_dir)
        try:
            self.log = MessageLog(self.data_dir, existing_network=datadir.wallet_exists(self.data_dir),
                                  lock_fd=self._dirlock.fileno())
            datadir.check_wallet(self.data_dir, self.log.has_messages(), self.log.get_meta("wallet"))
            try:
                boots = int(self.log.get_meta("boots", "0")) + 1
            except ValueError:
                raise DataDirError(f"The network log in {self.data_dir} has a damaged boot counter.") from None
            logged_wallet = self.log.get_meta("wallet")
            # The start's own records need no commit of their own: they are committed with the first batch,
            # before anything this run acknowledges (a start that dies first has acknowledged nothing).
            self.log.set_meta("boots", boots, wait=False)
            self._ids = ids.IdSource(int(seed) * 1_000_003 + boots) if self.deterministic else ids.IdSource()
            self.wallet = datadir.load_or_create_wallet(self.data_dir, self._ids)
            if logged_wallet is None:
                self.log.set_meta("wallet", self.wallet.address, wait=False)
            self.log.mark_running(wait=False)
            self._own_clock = clock is None
            if clock is None and self.deterministic:
                # virtual time never runs backwards across restarts of the same data dir
                clock = VirtualClock(max(DETERMINISTIC_START_MS, self.log.max_timestamp() or 0))
            self.clock = clock if clock is not None else SystemClock()
            self._natives_arg = natives
            self._warm_up = None
            if workers is None:
                from aosrepl.inference import default_worker_count   # light: no llama_cpp import
                workers = default_worker_count()
            self.workers = int(workers)
            self._observers = Observers()
            self._observers.notices.extend(self.log.warnings)   # damage found at start, said first
            self.log.on_failure = self._log_failed
            self._table = ProcessTable()
            self._limits = GrowthLimits()
            self._scheduler = Scheduler(self._handle_delivery, size=self.workers + POOL_EXTRA_THREADS)
            self._router = Router(self.log, self._table, self._observers, self._ids, self.clock,
                                  self._scheduler.enqueue, self.deterministic, (int(seed), boots), self._limits)
            self._runner = ProcessRunner(self.log, self._observers, natives=natives, model=model,
                                         backend=backend, workers=self.workers,
                                         limits=lambda: self.process_limits)
            self._model, self._backend = model, backend
            self._preloaded: set[str] = set()     # processes preload() has started to build
            self._redeliveries: dict[str, int] = {}   # pid -> its first pending nonce at start (maybe in flight)
            self._cron = cron.CronTimers(self.clock, self._fire_cron)
            # What the scheduler threads need is imported here, before the first of them starts: imports
            # running on several threads at once can hand a thread a half-initialised module.
            self._runner.native_factories()
            self._load_state()
            if preload is not None:
                self._preload_named(preload)
            if services:
                genesis.run(self)
        except sqlite3.DatabaseError as exc:   # damage found past the header checks
            self._abort_start()
            raise DataDirError(f"The network log in {self.data_dir} is damaged ({exc}). It was left untouched; "
                               f"move it away or choose another data directory.") from None
        except BaseException:
            self._abort_start()
            raise

    @property
    def notices(self) -> list[str]:
        return self._observers.notices

    # ======================================================================== the hot path
    def _handle_delivery(self, slot: Slot, nonce: int, message: dict, hold=None) -> None:
        """On a scheduler thread: run one delivery, log it with its outbox (queueing what it caused), then
        tell whoever waits for its result (once that is committed)."""
        if hold is not None:   # a message from outside: it runs once committed and acknowledged
            try:
                hold()
            except sqlite3.Error:
                return   # the log stopped: the message stays pending
        redelivery = self._redelivery_key(slot, nonce)
        if redelivery is not None and self._set_aside(slot, nonce, message, redelivery):
            return
        try:
            result, state = self._runner.handle(slot, nonce, message)
        except Unavailable as exc:
            self._observers.notice(str(exc))
            self._observers.fail(slot.record.id, message["Id"], str(exc))
            return
        with self._router.locked():
            if self._closed:
                return   # stays pending: it will be handled again at the next start
            result = self._router.commit_result(slot, nonce, message, state, result, redelivery)
            ticket = self.log.ticket()
        if result is None or not self._observers.wants(slot.record.id, message, result):
            return   # nobody listens: the next message runs while this one is committed
        try:
            self.log.wait_committed(ticket)   # a result is shown only once it is committed
        except sqlite3.Error:
            return   # the log stopped (its notice says why): nothing uncommitted is shown
        self._observers.publish(slot.record.id, slot.label, message, result)

    # ======================================================================== re-delivered at start
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
        if starts < MAX_REDELIVERIES:
            self.log.set_meta(key, starts + 1)
            return False
        result = {"Error": f"This message was being handled each of the last {starts} times the network "
                           f"stopped; it was set aside so that the network can start (it stays in the log)."}
        with self._router.locked():
            if self._closed:
                return True
            with self._router.unit():
                self.log.finish_delivery(pid, nonce, "stopped", result)
                self.log.delete_meta(key)
            ticket = self.log.ticket()
        self._observers.notice(f"{slot.label}: message {message['Id']} was set aside: {result['Error']}")
        self.log.wait_committed(ticket)
        self._observers.publish(pid, slot.label, message, result)
        return True

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
        router = self._router
        acknowledged = threading.Event()
        try:
            with router.locked():
                mid = router.fresh_id(msg_id)
                body = router.stamp(mid, signer, signer, target, tags, data_text(data))
                router.log_then_deliver(body, signer, "The message could not be logged ({}); nothing was sent.",
                                        hold=lambda: self._after(acknowledged))
                ticket = self.log.ticket()
            self._acknowledge(ticket, "The message could not be logged ({}).")
        finally:
            acknowledged.set()   # the message may run now: what it causes comes after this call returns
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
        router = self._router
        acknowledged = threading.Event()
        try:
            with router.locked():
                pid = router.fresh_id(process_id)
                if pid in self._table:
                    raise NetworkError(f"a process with id {pid} already exists")
                record = ProcessRecord(pid, None if name is None else str(name), owner, module, kind, process_tags,
                                       tuple(natives), bool(ephemeral), self.clock.now_ms(), 0)
                body = router.stamp(pid, owner, owner, pid, process_tags, data_text(data),
                                    timestamp=record.created_ms)
                router.log_then_deliver(body, owner, "The spawn could not be logged ({}); nothing was spawned.",
                                        new_process=record, hold=lambda: self._after(acknowledged))
                ticket = self.log.ticket()
            self._acknowledge(ticket, "The spawn could not be logged ({}).")
        finally:
            acknowledged.set()
        return pid

    def _acknowledge(self, ticket: int, failure: str) -> None:
        """Return to the caller only once what it asked for is committed (group commit)."""
        try:
            self.log.wait_committed(ticket)
        except sqlite3.Error as exc:
            raise NetworkError(failure.format(exc)) from None

    def _after(self, acknowledged: threading.Event) -> None:
        """A queued message from a caller runs once the caller's call has returned (or failed)."""
        acknowledged.wait()
        if self.log.failure is not None:
            raise sqlite3.OperationalError(str(self.log.failure))

    def _log_failed(self, exc: Exception) -> None:
        self._observers.notice(f"The network log could not commit ({exc}): nothing after this is acknowledged. "
                               f"Restart the network to continue from what the log holds.")

    def find_or_spawn(self, name: str, tags=None, data=None, module: str | None = None) -> str:
        """The wallet's process called `name` (the first one spawned), else a new one running `module`. A known
        process id is returned as it is."""
        self._check_open()
        if ids.is_id(name) and name in self._table:
            return name
        return (self._table.find_user_process(self.wallet.address, name)
                or self.spawn(name, tags=tags, data=data, module=module or ids.AOS_MODULE_ID))

    def preload(self, pid: str) -> None:
        """Build `pid`'s Lua state (replaying its history) in the background now, so the console's first line
        does not wait for it behind the services' start. Nothing is handled or logged: a message for the process
        simply finds its state ready (or waits for the load, which takes the process's lock)."""
        slot = self._table.get(pid)
        if slot is None or slot.lua is not None or pid in self._preloaded:
            return
        self._preloaded.add(pid)
        if natives_of(slot.record):
            self._runner.native_factories()   # their imports happen here, on this thread (see Threads, architecture)

        def load():
            with slot.use_lock:
                if self._closed or self._closing:
                    return
                try:
                    self._runner.load(slot)
                except Exception:   # Unavailable (its reason is kept in the slot) or the log closing: the first
                    pass            # message for the process tries again and reports it
        threading.Thread(target=load, name=f"aosrepl-preload-{slot.label}", daemon=True).start()

    def _preload_named(self, name: str) -> None:
        pid = name if name in self._table else self._table.find_user_process(self.wallet.address, name)
        if pid is not None:
            self.preload(pid)

    def new_id(self) -> str:
        """A fresh message id (e.g. for `eval(msg_id=...)`, so the Eval can be interrupted by its id)."""
        return self._ids.new()

    def eval(self, pid: str, code: str, timeout: float | None = 30.0, signer: str | None = None,
             msg_id: str | None = None) -> dict:
        """Send `code` as an Eval and wait for the result of *that* message."""
        slot = self._table.require(pid)
        if not slot.available:
            raise NetworkError(f"{slot.label} is a worker process that is not running now.")
        self._refuse_in_worker()
        if not isinstance(code, str):
            raise ValueError(f"code must be text, not {type(code).__name__}")
        return self.request(pid, {"Action": "Eval"}, code, timeout=timeout, signer=signer, msg_id=msg_id,
                            what="the Eval")

    def request(self, pid: str, tags=None, data="", timeout: float | None = 30.0, signer: str | None = None,
                msg_id: str | None = None, what: str = "the message") -> dict:
        """Send a message to `pid` and wait for *its* whole result, outbox included (the waiter is in place
        before the message can run, so the result cannot be missed)."""
        self._refuse_in_worker()
        mid = msg_id or self._ids.new()
        waiter = self._observers.add_waiter(pid, mid)
        try:
            self.send(pid, tags, data, signer=signer, msg_id=mid)
            return self._observers.wait(waiter, timeout, f"{what} {mid} in {pid}")
        finally:
            self._observers.drop_waiter(pid, mid)

    def wait_result(self, pid: str, msg_id: str, timeout: float | None = 30.0) -> dict:
        """The result of a message already sent to `pid` (from the log if it has been handled: then its
        Output or Error only, since the log keeps its outbox as the messages it caused; use `request` to
        get the whole result)."""
        self._refuse_in_worker()
        waiter = self._observers.add_waiter(pid, msg_id)
        try:
            stored = self.log.result_of(pid, msg_id)   # (committed: result_of reads after a flush)
            if stored is not None:
                return stored
            return self._observers.wait(waiter, timeout, f"the message {msg_id} in {pid}")
        finally:
            self._observers.drop_waiter(pid, msg_id)

    def dryrun(self, pid: str, code: str | None = None, tags=None, data=None) -> dict:
        """Evaluate on a throw-away copy of the process as it is now: nothing is logged, routed or kept.
        Default message: Action=Eval from the wallet with `code` as Data."""
        slot = self._table.require(pid)
        rec = slot.record
        if rec.ephemeral:
            raise NetworkError(f"dryrun is not available for {slot.label}: it is a worker process")
        tags = with_default_tags(normalize_tags(tags if tags is not None else {"Action": "Eval"}),
                                 WALLET_MESSAGE_TAGS)
        mid = ids.encode(bytes(32)) if self.deterministic else self._ids.new()
        body = self._router.stamp(mid, self.wallet.address, self.wallet.address, pid, tags,
                                  data_text(code if code is not None else data))
        if dryrun.can_fork() and self._runner.fork_safe(rec):
            with slot.use_lock:   # between two messages: the copy sees a state at rest
                lua = self._runner.load(slot)
                nonce, link = slot.handled
                child = dryrun.start(lua, delivered(body, nonce + 1, next_hash_chain(link, mid), rec), env_of(rec))
            return dryrun.finish(*child)
        copy = self._runner.new_lua(rec)
        last_nonce, last_link = self._runner.replay(copy, rec)
        return copy.handle(delivered(body, last_nonce + 1, next_hash_chain(last_link, mid), rec), env_of(rec))

    def subscribe(self, pid: str, callback):
        """`callback(pid, result)` for every later result of `pid` with Output.print. Returns an unsubscribe
        function."""
        return self._observers.subscribe(pid, callback)

    def subscribe_all(self, callback):
        """`callback(pid, result)` for every printing result of every process. Returns an unsubscribe function."""
        return self._observers.subscribe_all(callback)

    def subscribe_notices(self, callback):
        """`callback(text)` for each line of the network's own output (undeliverable messages, genesis
        problems...). Past lines are in `net.notices`. Returns an unsubscribe function."""
        return self._observers.subscribe_notices(callback)

    def run_until_idle(self, timeout: float | None = 10.0) -> bool:
        """Wait until everything caused so far has been handled. False if `timeout` ran out first."""
        self._refuse_in_worker()
        return self._scheduler.wait_idle(timeout)

    def interrupt(self, pid: str, message_id: str | None = None) -> bool:
        """Stop the handler running in `pid` (the message is marked interrupted and skipped by replays);
        with `message_id`, only if that is the message being handled. False when nothing was stopped."""
        slot = self._table.require(pid)
        nonce, lua, running = slot.current_nonce, slot.lua, slot.current_id
        if nonce is None or lua is None or (message_id is not None and running != message_id):
            return False
        slot.interrupted_nonce = nonce
        lua.interrupt()
        return True

    def complete(self, pid: str, prefix: str) -> list:
        """Tab-completion candidates from the live process; [] while it is busy or unknown."""
        slot = self._table.get(pid)
        if slot is None or not slot.use_lock.acquire(blocking=False):
            return []
        try:
            if slot.queue:
                return []
            return list(self._runner.load(slot).complete(prefix))
        except Exception:
            return []
        finally:
            slot.use_lock.release()

    def processes(self) -> list[ProcessInfo]:
        return [ProcessInfo(s.record.id, s.record.name, s.record.owner, s.record.module, s.record.kind)
                for s in self._table.slots()]

    def has_process(self, pid: str) -> bool:
        return pid in self._table


    def process_tags(self, pid: str) -> list[dict]:
        return [dict(t) for t in self._table.require(pid).record.tags]

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
        rec = self._table.require(pid).record
        interval = cron.interval_of(rec.tags)
        if interval is None:
            raise NetworkError(f"process {rec.name or pid} has no Cron-Interval tag")
        self.log.set_monitor(pid, True)
        self._cron.start(pid, rec.created_ms, interval)

    def unmonitor(self, pid: str) -> bool:
        self._table.require(pid)
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
        with self._router.locked():
            self._closed = True
        self.log.close()                            # commits the last batch
        self._observers.release_all()
        if self._own_clock:
            self.clock.close()
        self._dirlock.release()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ======================================================================== for genesis
    def _notice(self, text: str) -> None:
        self._observers.notice(text)

    def _watch(self, msg_id: str) -> None:
        self._observers.watch(msg_id)

    def _respawn_ephemeral(self, spec, source: str, owner: str) -> None:
        """Start an ephemeral service (a worker) fresh, or spawn it the first time."""
        slot = self._table.get(spec.id)
        if slot is None:
            boot = boot_id(spec.id, 0)
            self._observers.watch(boot)      # an error in the worker's Lua file becomes a notice
            self.spawn(spec.name, tags=list(spec.tags), process_id=spec.id, owner=owner, kind="worker",
                       natives=spec.natives, ephemeral=True, module=getattr(spec, "module", ids.AOS_MODULE_ID))
            self.send(spec.id, {"Action": "Eval"}, source, signer=owner, msg_id=boot)
            return
        with self._router.locked():
            kept = self._router.hold_unused_boot(slot, source)
            self._observers.watch(boot_id(spec.id, slot.record.generation + (0 if kept else 1)))
            if not kept:
                self._router.restart_ephemeral(slot, source, owner)

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
            self._table.add(Slot(rec, nonce, link, available=not rec.ephemeral))
            self._limits.count_child(rec.owner)
        self._table.set_wallets(self.log.wallets() | {self.wallet.address})
        with self._router.locked():
            for pid, nonce, link, body in self.log.pending():
                slot = self._table.get(pid)
                if slot is not None and slot.available:
                    self._redeliveries.setdefault(pid, nonce)
                    self._router.dispatch([(slot, nonce, delivered(body, nonce, link, slot.record))])
        for pid in self.log.monitors():
            slot = self._table.get(pid)
            interval = slot and cron.interval_of(slot.record.tags)
            if interval:
                self._cron.start(pid, slot.record.created_ms, interval)

    def _check_open(self) -> None:
        if self._closed or self._closing:
            raise NetworkError("The network is closed.")

    def _refuse_in_worker(self) -> None:
        if self._scheduler.in_worker():
            raise NetworkError("Cannot wait for a result inside a subscriber callback: use send() there.")

    # ======================================================================== cron
    def _fire_cron(self, pid: str, due_ms: int) -> None:
        if self._closing:
            return
        slot = self._table.get(pid)
        if slot is None:
            return
        rec = slot.record
        router = self._router
        with router.locked():
            if self._closed:
                return
            body = router.stamp(router.derived_id(pid, "cron", due_ms), rec.owner, rec.owner, pid,
                                cron.cron_tags(rec.tags), "", cron_flag=True, timestamp=due_ms)
            with router.unit():
                deliveries = router.accept(body)
            router.dispatch(deliveries, from_outside=True)
