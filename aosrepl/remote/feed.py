"""The live feed of one remote process: poll the CU for results newer than the last one seen, and hand on
those that print (Output.print), as aos's legacy live feed does (aos-repl.md §4.2; every 2 s).

It starts at the process's newest result, so nothing old is replayed. A CU that fails is reported once, as a
notice, and again when it answers again; the poller itself never stops on an error."""
from __future__ import annotations

import threading
import time
from typing import Callable

from aosrepl.remote.errors import UnitError
from aosrepl.remote.units import ComputeUnit

DEFAULT_POLL_INTERVAL = 2.0
PAGE = 100
STOP_WAIT = 1.0


def prints(result) -> bool:
    output = result.get("Output") if isinstance(result, dict) else None
    return isinstance(output, dict) and bool(output.get("print"))


class LiveFeed:
    def __init__(self, cu: ComputeUnit, pid: str, deliver: Callable[[str, dict], None],
                 notice: Callable[[str], None], interval: float = DEFAULT_POLL_INTERVAL):
        self.cu, self.pid, self.interval = cu, pid, interval
        self._deliver, self._notice = deliver, notice
        self.cursor: str | None = None
        self._started = False             # the newest result at start is known
        self._failing = False
        self._lock = threading.Lock()     # one poll at a time (the thread, or settle())
        self._wake = threading.Event()
        self._stop = threading.Event()
        self.poll()       # the starting point now, so that nothing arriving from here on is taken for old
        self._thread = threading.Thread(target=self._run, name=f"live-feed-{pid[:8]}", daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            self.poll()

    def poll(self) -> int:
        """One look at the CU; returns how many new results there were (-1: the CU failed)."""
        with self._lock:
            if self._stop.is_set():
                return 0
            try:
                if not self._started:
                    newest = self.cu.results(self.pid, sort="DESC", limit=1)
                    self.cursor = newest[0]["cursor"] if newest else None
                    self._started = True
                    fresh = []
                else:
                    fresh = self.cu.results(self.pid, after=self.cursor, sort="ASC", limit=PAGE)
            except UnitError as exc:
                if not self._failing:
                    self._failing = True
                    self._notice(f"live feed: {exc} (trying again every {self.interval:g} s)")
                return -1
            if self._failing:
                self._failing = False
                self._notice(f"live feed: {self.cu.name} at {self.cu.base_url} answers again")
            for edge in fresh:
                self.cursor = edge["cursor"]
                if prints(edge.get("node")):
                    try:
                        self._deliver(self.pid, edge["node"])
                    except Exception as exc:       # a display problem must not stop the feed
                        self._notice(f"live feed: could not show a result ({type(exc).__name__}: {exc})")
            return len(fresh)

    def settle(self, timeout: float) -> bool:
        """Polls now and again until a poll finds nothing new (True), or `timeout` seconds pass (False)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.poll()
            if found == 0:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))

    def poke(self):
        """Poll now instead of at the next tick."""
        self._wake.set()

    def stop(self):
        self._stop.set()
        self._wake.set()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=STOP_WAIT)      # a poll stuck on a slow CU is a daemon: not worth waiting
