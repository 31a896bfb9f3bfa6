"""Per-process scheduling: every process has a queue of deliveries handled one at a time, in order; different
processes run at the same time on a pool of worker threads.

A worker serves one process until its queue is empty. When the message it just handled made work for a
process that has no worker, and the worker has nothing left of its own, it moves on to that process itself:
a message passed from process to process costs no thread hand-off. Otherwise an idle worker is woken, or a
new one started, so a long handler (inference) never delays another process. Idle workers linger a little,
then exit.
"""
from __future__ import annotations

import collections
import threading
from dataclasses import dataclass, field

LINGER_SECONDS = 2.0


@dataclass
class ProcessRecord:
    """Everything the network keeps about a process (ProcessInfo is the public view)."""
    id: str
    name: str | None
    owner: str
    module: str
    kind: str                       # user | service | worker
    tags: list                      # the spawn message's tags (env.Process.Tags)
    natives: tuple = ()
    ephemeral: bool = False
    created_ms: int = 0
    generation: int = 0
    env: dict | None = field(default=None, repr=False, compare=False)   # cached env for the runtime


@dataclass
class Slot:
    record: ProcessRecord
    last_nonce: int = 0
    last_hash: str | None = None
    lua: object = None              # the LuaProcess, created on first need (replayed from the log)
    available: bool = True          # False: an ephemeral process not re-spawned in this run
    broken: str | None = None       # why loading failed (its messages stay pending)
    queue: collections.deque = field(default_factory=collections.deque)
    worker: object = None           # the _Worker serving this slot (guarded by the scheduler lock)
    use_lock: threading.Lock = field(default_factory=threading.Lock)   # one handle/complete at a time
    current_nonce: int | None = None
    current_id: str | None = None       # the id of the message being handled
    interrupted_nonce: int | None = None


class _Worker:
    __slots__ = ("thread", "cond", "slot", "adopted", "may_adopt")

    def __init__(self, lock):
        self.thread = None
        self.cond = threading.Condition(lock)
        self.slot = None
        self.adopted = None
        self.may_adopt = False


class Scheduler:
    def __init__(self, run):
        """`run(slot, nonce, message)` handles one delivery (and may enqueue more)."""
        self._run = run
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._threads: list[threading.Thread] = []
        self._current = threading.local()
        self.closing = False

    def enqueue(self, slot: Slot, nonce: int, message: dict) -> None:
        with self._lock:
            slot.queue.append((nonce, message))
            if slot.worker is not None or self.closing:
                return
            me = getattr(self._current, "worker", None)
            if me is not None and me.may_adopt and me.adopted is None:
                me.adopted = slot
                slot.worker = me
                return
            self._assign(slot)

    def in_worker(self) -> bool:
        """True on a scheduler thread (where waiting for a result of a process could deadlock)."""
        return getattr(self._current, "worker", None) is not None

    def _assign(self, slot: Slot) -> None:
        """(lock held) Give `slot` a worker of its own: an idle one, else a new thread."""
        if self._idle:
            worker = self._idle.pop()
            worker.slot = slot
            slot.worker = worker
            worker.cond.notify()
            return
        worker = _Worker(self._lock)
        worker.slot = slot
        slot.worker = worker
        worker.thread = threading.Thread(target=self._work, args=(worker,), daemon=True,
                                         name=f"aosrepl-{slot.record.id[:8]}")
        self._threads = [t for t in self._threads if t.is_alive()]
        self._threads.append(worker.thread)
        worker.thread.start()

    def _work(self, worker: _Worker) -> None:
        self._current.worker = worker
        while True:
            with self._lock:
                slot = worker.slot
                if slot is None or self.closing:
                    if slot is not None:
                        slot.worker = None
                    return
                if not slot.queue:
                    slot.worker = None
                    worker.slot = None
                    if not self._park(worker):
                        return
                    continue
                nonce, message = slot.queue.popleft()
                worker.may_adopt = True
            try:
                self._run(slot, nonce, message)
            except Exception:   # never lose the worker (and with it the slot's queue) to a bug
                pass
            finally:
                with self._lock:
                    worker.may_adopt = False
                    adopted, worker.adopted = worker.adopted, None
                    if adopted is not None:
                        if slot.queue or self.closing:
                            adopted.worker = None   # we still have work here: it gets its own worker
                            if not self.closing:
                                self._assign(adopted)
                        else:
                            slot.worker = None
                            worker.slot = adopted

    def _park(self, worker: _Worker) -> bool:
        """(lock held) Wait idle for a slot; False when the linger time ran out or we are closing."""
        self._idle.append(worker)
        worker.cond.wait(LINGER_SECONDS)
        if worker.slot is None:
            if worker in self._idle:
                self._idle.remove(worker)
            return False
        return True

    def close(self, wait_seconds: float) -> None:
        """Stop taking messages: workers finish the message in hand (up to `wait_seconds`), then exit."""
        with self._lock:
            self.closing = True
            for worker in self._idle:
                worker.cond.notify()
            threads = list(self._threads)
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(wait_seconds)
