"""Time for the local AO network: message timestamps, block heights and timers (cron).

Two clocks share one small interface:
- `SystemClock`: wall time; timers fire from a background thread.
- `VirtualClock`: time stands still until `advance(ms)`; timers that fall due inside the advanced span fire
  in time order, each seeing `now_ms()` equal to its own due time (deterministic tests, cron in virtual time).
"""
from __future__ import annotations

import heapq
import itertools
import threading
import time

# Arweave makes a block about every two minutes; heights are derived from time around a fixed anchor
# (late November 2024, the era of the article) so that they look like real ones.
BLOCK_MS = 120_000
ANCHOR_MS = 1_732_460_000_000
ANCHOR_HEIGHT = 1_550_000
# Where a deterministic network's virtual time starts.
DETERMINISTIC_START_MS = ANCHOR_MS


def block_height_at(ms: int) -> int:
    return ANCHOR_HEIGHT + (int(ms) - ANCHOR_MS) // BLOCK_MS


class Timer:
    """A handle for a scheduled callback; `cancel()` is safe from any thread, also after it fired."""

    __slots__ = ("when", "callback", "cancelled")

    def __init__(self, when: int, callback):
        self.when = when
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Clock:
    virtual = False

    def __init__(self):
        self._lock = threading.Lock()
        self._heap: list[tuple[int, int, Timer]] = []
        self._order = itertools.count()   # ties fire in scheduling order

    def now_ms(self) -> int:
        raise NotImplementedError

    def block_height(self) -> int:
        return block_height_at(self.now_ms())

    def call_at(self, when_ms: int, callback) -> Timer:
        """Run `callback()` once the clock reaches `when_ms`."""
        timer = Timer(int(when_ms), callback)
        with self._lock:
            heapq.heappush(self._heap, (timer.when, next(self._order), timer))
        self._wake()
        return timer

    def _wake(self) -> None:
        pass

    def _pop_due(self, now: int) -> Timer | None:
        with self._lock:
            while self._heap and self._heap[0][0] <= now:
                timer = heapq.heappop(self._heap)[2]
                if not timer.cancelled:
                    return timer
        return None

    def close(self) -> None:
        pass


class VirtualClock(Clock):
    """Fixed time that moves only when told to."""

    virtual = True

    def __init__(self, start_ms: int = DETERMINISTIC_START_MS):
        super().__init__()
        self._now = int(start_ms)
        self._advance_lock = threading.RLock()

    def now_ms(self) -> int:
        return self._now

    def advance(self, ms: int) -> int:
        """Move time forward by `ms`, firing every timer due on the way (in due order). Returns the new time."""
        if ms < 0:
            raise ValueError("a clock cannot go backwards")
        with self._advance_lock:
            target = self._now + int(ms)
            while True:
                timer = self._pop_due(target)
                if timer is None:
                    break
                self._now = max(self._now, timer.when)
                timer.callback()
            self._now = target
            return target

    def set(self, ms: int) -> int:
        return self.advance(int(ms) - self._now)


class SystemClock(Clock):
    """Wall-clock time; one daemon thread fires timers (started on first use)."""

    def __init__(self):
        super().__init__()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    def now_ms(self) -> int:
        return int(time.time() * 1000)

    def _wake(self) -> None:
        with self._cond:
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(target=self._run, name="aosrepl-clock", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._closed:
                    return
                with self._lock:
                    next_due = self._heap[0][0] if self._heap else None
                wait = None if next_due is None else max(0.0, (next_due - self.now_ms()) / 1000)
                if wait is None or wait > 0:
                    self._cond.wait(wait)
                    continue
            timer = self._pop_due(self.now_ms())
            if timer is not None:
                try:
                    timer.callback()
                except Exception:   # a failing timer must not stop the others
                    pass

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
