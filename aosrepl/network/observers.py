"""Observers: subscribers of results and notices, and callers waiting for one message's result."""
from __future__ import annotations

import contextlib
import threading

from aosrepl.network.errors import NetworkError, NetworkTimeout

NOTICES_KEPT = 1000   # net.notices keeps the latest lines only


class Waiter:
    __slots__ = ("event", "result")

    def __init__(self):
        self.event = threading.Event()
        self.result = None


class Observers:
    """Mixed into Network: who hears about results, and how."""

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

    @contextlib.contextmanager
    def _locked(self):
        """Hold the log lock; notices raised meanwhile reach their subscribers once it is released (so a
        subscriber may call back into the network)."""
        local = self._notice_local
        outer = getattr(local, "deferred", None) is None
        if outer:
            local.deferred = []
        try:
            with self.log.lock:
                yield
        finally:
            if outer:
                deferred, local.deferred = local.deferred, None
                for text in deferred:
                    self._emit_notice(text)

    def _notice(self, text: str) -> None:
        self.notices.append(text)
        if len(self.notices) > NOTICES_KEPT:
            del self.notices[:-NOTICES_KEPT]
        deferred = getattr(self._notice_local, "deferred", None)
        if deferred is not None:
            deferred.append(text)
        else:
            self._emit_notice(text)

    def _emit_notice(self, text: str) -> None:
        for callback in list(self._notice_subscribers):
            try:
                callback(text)
            except Exception:   # an observer's bug must not stop the network
                pass

    def _unsubscribe(self, listing: list, callback) -> None:
        with self._waiters_lock:
            if callback in listing:
                listing.remove(callback)

    def _add_waiter(self, pid: str, mid: str) -> Waiter:
        with self._waiters_lock:
            waiter = self._waiters.setdefault((pid, mid), Waiter())
        return waiter

    def _drop_waiter(self, pid: str, mid: str) -> None:
        with self._waiters_lock:
            self._waiters.pop((pid, mid), None)

    def _refuse_in_worker(self) -> None:
        if self._scheduler.in_worker():
            raise NetworkError("Cannot wait for a result inside a subscriber callback: use send() there.")

    def _wait(self, waiter: Waiter, timeout, what: str) -> dict:
        if not waiter.event.wait(timeout):
            raise NetworkTimeout(f"No result for {what} after {timeout:g} s (it stays queued and will still run).")
        if waiter.result is None:
            raise NetworkError("The network was closed before the result arrived.")
        return waiter.result
