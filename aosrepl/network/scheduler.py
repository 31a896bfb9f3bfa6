"""Per-process scheduling on a fixed pool of threads: every process has a queue of deliveries handled one at a
time, in order; different processes run at the same time on different threads.

A worker serves one process until its queue is empty (or it has had its turn while others wait). When the
message it just handled made work for a process nobody serves, and it has nothing left of its own, it moves
on to that process itself: a message passed from process to process costs no thread hand-off. Otherwise the
process joins the ready queue, where the next free worker takes it. The pool never grows past `size`
threads, however many processes are spawned; a long handler (inference) holds one worker, not the others.
"""
from __future__ import annotations

import collections
import threading
# Worker threads import modules lazily (lupa imports typing). dataclasses reads sys.modules['typing'] without
# the import lock, so a half-imported typing breaks dataclasses made meanwhile on another thread: finish it now.
import typing  # noqa: F401

TURN = 256            # messages a worker handles for one process before letting a waiting process go first


class _Worker:
    __slots__ = ("thread", "slot", "adopted", "may_adopt")

    def __init__(self):
        self.thread = None
        self.slot = None
        self.adopted = None
        self.may_adopt = False


class Scheduler:
    def __init__(self, run, size: int):
        """`run(slot, nonce, message, hold)` handles one delivery (and may enqueue more); `size` threads at
        most. `hold` is passed through: the batch a delivery's message must be committed in before it runs."""
        self._run = run
        self._size = max(1, int(size))
        self._lock = threading.Lock()
        self._work_ready = threading.Condition(self._lock)
        self._idle = threading.Condition(self._lock)
        self._ready: collections.deque = collections.deque()
        self._threads: list[threading.Thread] = []
        self._waiting_threads = 0
        self._outstanding = 0
        self._current = threading.local()
        self.closing = False

    # -- interface ----------------------------------------------------------------------------------------
    def enqueue(self, slot, nonce: int, message: dict, hold=None) -> None:
        with self._lock:
            if self.closing:
                return
            self._outstanding += 1
            slot.queue.append((nonce, message, hold))
            if slot.worker is not None or slot.ready:
                return
            me = getattr(self._current, "worker", None)
            if me is not None and me.may_adopt and me.adopted is None:
                me.adopted = slot
                slot.worker = me
                return
            self._make_ready(slot)

    def in_worker(self) -> bool:
        """True on a scheduler thread (where waiting for a result of a process could deadlock)."""
        return getattr(self._current, "worker", None) is not None

    @property
    def size(self) -> int:
        return self._size

    def thread_count(self) -> int:
        with self._lock:
            return len(self._threads)

    def wait_idle(self, timeout: float | None) -> bool:
        """Wait until every queued delivery has been handled (or the scheduler closes)."""
        with self._lock:
            return self._idle.wait_for(lambda: self._outstanding == 0 or self.closing, timeout)

    def close(self, wait_seconds: float) -> None:
        """Stop taking messages: workers finish the message in hand (up to `wait_seconds`), then exit."""
        with self._lock:
            self.closing = True
            self._work_ready.notify_all()
            self._idle.notify_all()
            threads = list(self._threads)
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(wait_seconds)

    # -- internals (lock held where noted) -----------------------------------------------------------------
    def _make_ready(self, slot) -> None:
        """(lock held) Put `slot` in the ready queue and make sure a worker will take it."""
        slot.ready = True
        self._ready.append(slot)
        if self._waiting_threads:
            self._work_ready.notify()
        elif len(self._threads) < self._size:
            worker = _Worker()
            worker.thread = threading.Thread(target=self._work, args=(worker,), daemon=True,
                                             name=f"aosrepl-worker-{len(self._threads)}")
            self._threads.append(worker.thread)
            worker.thread.start()

    def _next_slot(self, worker: _Worker):
        """(lock held) The next process this worker serves, or None when closing."""
        while not self.closing:
            if self._ready:
                slot = self._ready.popleft()
                slot.ready = False
                slot.worker = worker
                return slot
            self._waiting_threads += 1
            self._work_ready.wait()
            self._waiting_threads -= 1
        return None

    def _work(self, worker: _Worker) -> None:
        self._current.worker = worker
        with self._lock:
            slot = self._next_slot(worker)
        turn = 0
        while slot is not None:
            with self._lock:
                if self.closing:
                    return
                if not slot.queue or (turn >= TURN and self._ready):
                    # done here (or had our turn while others wait): hand the process back, take the next one
                    slot.worker = None
                    if slot.queue:
                        self._make_ready(slot)
                    slot, turn = self._next_slot(worker), 0
                    continue
                nonce, message, hold = slot.queue.popleft()
                worker.may_adopt = True
            try:
                self._run(slot, nonce, message, hold)
            except Exception:   # never lose the worker (and with it the slot's queue) to a bug
                pass
            turn += 1
            with self._lock:
                worker.may_adopt = False
                self._outstanding -= 1
                if self._outstanding == 0:
                    self._idle.notify_all()
                adopted, worker.adopted = worker.adopted, None
                if adopted is not None:
                    if slot.queue or self.closing:
                        adopted.worker = None   # we still have work here: it waits for a worker of its own
                        if not self.closing:
                            self._make_ready(adopted)
                    else:
                        slot.worker = None
                        slot, turn = adopted, 0
