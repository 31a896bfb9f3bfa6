"""Observers: who hears about results and notices, and callers waiting for one message's result.

Callbacks never run while the network holds its routing lock: notices raised under it are deferred to the
moment it is released (`deferring()`), so a subscriber may call back into the network.
"""
from __future__ import annotations

import threading

from aosrepl.network.errors import NetworkError, NetworkTimeout

NOTICES_KEPT = 1000   # net.notices keeps the latest lines only


class Waiter:
    __slots__ = ("event", "result")

    def __init__(self):
        self.event = threading.Event()
        self.result = None


class Observers:
    def __init__(self):
        self._lock = threading.Lock()
        self._subscribers: dict[str, list] = {}
        self._all_subscribers: list = []
        self._notice_subscribers: list = []
        self._waiters: dict[tuple[str, str], Waiter] = {}
        self._watched: set[str] = set()    # messages whose errors are reported as notices (genesis Evals)
        self._deferred = threading.local()   # .lines: the notices held back on this thread (None: none)
        self._deferring = _Deferring(self)
        self.notices: list[str] = []

    # -- subscriptions ----------------------------------------------------------------------------------
    def subscribe(self, pid: str, callback):
        with self._lock:
            self._subscribers.setdefault(pid, []).append(callback)
        return lambda: self._unsubscribe(self._subscribers.get(pid, []), callback)

    def subscribe_all(self, callback):
        with self._lock:
            self._all_subscribers.append(callback)
        return lambda: self._unsubscribe(self._all_subscribers, callback)

    def subscribe_notices(self, callback):
        with self._lock:
            self._notice_subscribers.append(callback)
        return lambda: self._unsubscribe(self._notice_subscribers, callback)

    def _unsubscribe(self, listing: list, callback) -> None:
        with self._lock:
            if callback in listing:
                listing.remove(callback)

    def watch(self, msg_id: str) -> None:
        """Report an Error result of this message as a notice (nobody waits for it)."""
        self._watched.add(msg_id)

    # -- results ----------------------------------------------------------------------------------------
    def publish(self, pid: str, label: str, message: dict, result: dict) -> None:
        """A committed result: wake its waiter, then tell the subscribers that want it."""
        mid = message["Id"]
        with self._lock:
            waiter = self._waiters.get((pid, mid))
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
        if mid in self._watched and "Error" in result:
            self._watched.discard(mid)
            self.notice(f"{label}: {str(result['Error']).strip()}")
        for callback in callbacks:
            try:
                callback(pid, result)
            except Exception as exc:   # an observer's bug must not stop the process
                self.notice(f"A subscriber of {pid} failed: {type(exc).__name__}: {exc}")

    def wants(self, pid: str, message: dict, result: dict) -> bool:
        """Would publishing this result reach anyone (a waiter, a subscriber, a watched genesis Eval)?"""
        mid = message["Id"]
        if mid in self._watched or (pid, mid) in self._waiters:
            return True
        output = result.get("Output")
        if isinstance(output, dict) and output.get("print"):
            return bool(self._all_subscribers or self._subscribers.get(pid))
        return False

    def fail(self, pid: str, mid: str, error: str) -> None:
        """The message cannot run now: a caller waiting for it gets the reason at once."""
        with self._lock:
            waiter = self._waiters.get((pid, mid))
        if waiter is not None:
            waiter.result = {"Error": error}
            waiter.event.set()

    def add_waiter(self, pid: str, mid: str) -> Waiter:
        with self._lock:
            return self._waiters.setdefault((pid, mid), Waiter())

    def drop_waiter(self, pid: str, mid: str) -> None:
        with self._lock:
            self._waiters.pop((pid, mid), None)

    @staticmethod
    def wait(waiter: Waiter, timeout, what: str) -> dict:
        if not waiter.event.wait(timeout):
            raise NetworkTimeout(f"No result for {what} after {timeout:g} s (it stays queued and will still run).")
        if waiter.result is None:
            raise NetworkError("The network was closed before the result arrived.")
        return waiter.result

    def release_all(self) -> None:
        """Closing: every waiter wakes up (with no result)."""
        with self._lock:
            for waiter in self._waiters.values():
                waiter.event.set()

    # -- notices ----------------------------------------------------------------------------------------
    def deferring(self) -> "_Deferring":
        """Notices raised inside reach their subscribers when the block ends (re-entrant)."""
        return self._deferring

    def notice(self, text: str) -> None:
        self.notices.append(text)
        if len(self.notices) > NOTICES_KEPT:
            del self.notices[:-NOTICES_KEPT]
        lines = getattr(self._deferred, "lines", None)
        if lines is not None:
            lines.append(text)
        else:
            self._emit(text)

    def _emit(self, text: str) -> None:
        for callback in list(self._notice_subscribers):
            try:
                callback(text)
            except Exception:   # an observer's bug must not stop the network
                pass


class _Deferring:
    """Observers.deferring(): a reusable context manager (one object, any thread, nested), not a generator:
    it is on every message's path."""
    __slots__ = ("_observers",)

    def __init__(self, observers: Observers):
        self._observers = observers

    def __enter__(self):
        local = self._observers._deferred
        depth = getattr(local, "depth", 0)
        if depth == 0:
            local.lines = []
        local.depth = depth + 1

    def __exit__(self, kind, value, traceback) -> bool:
        local = self._observers._deferred
        local.depth -= 1
        if local.depth == 0:
            lines, local.lines = local.lines, None
            for text in lines:
                self._observers._emit(text)
        return False
