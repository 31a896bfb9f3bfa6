"""Cron: processes spawned with `Cron-Interval` get a message every interval while monitored.

As on AO, ticks are aligned on the process's spawn time (spawn + k * interval) and carry the process's
`Cron-Tag-<Name>` tags as `<Name>` tags; they come From the process Owner (so they pass the trust gate).
Ticks missed while a process was not monitored (or the network was closed) are not made up.
"""
from __future__ import annotations

import re
import threading

from aosrepl.clock import BLOCK_MS, Clock
from aosrepl.network.messages import tag_value

UNIT_MS = {
    "second": 1000, "minute": 60_000, "hour": 3_600_000, "day": 86_400_000,
    "month": 30 * 86_400_000, "year": 365 * 86_400_000, "block": BLOCK_MS,
}
_INTERVAL = re.compile(r"^\s*(\d+)\s*-\s*([A-Za-z]+?)s?\s*$")


def parse_interval(text: str) -> int:
    """`10-seconds`, `1-minute`, `2-Hours`, `5-blocks` -> milliseconds. ValueError with a clear text otherwise."""
    m = _INTERVAL.match(text or "")
    unit = m and m.group(2).lower()
    if not m or unit not in UNIT_MS or int(m.group(1)) <= 0:
        raise ValueError(f"Invalid cron interval {text!r}: use <number>-<unit>, unit one of "
                         f"second(s), minute(s), hour(s), day(s), month(s), year(s), block(s)")
    return int(m.group(1)) * UNIT_MS[unit]


def cron_tags(process_tags) -> list[dict]:
    prefix = "Cron-Tag-"
    return [{"name": t["name"][len(prefix):], "value": t["value"]}
            for t in process_tags if t["name"].startswith(prefix) and len(t["name"]) > len(prefix)]


def interval_of(process_tags) -> int | None:
    text = tag_value(process_tags, "Cron-Interval")
    return None if text is None else parse_interval(text)


class CronTimers:
    """One timer per monitored process; `fire(pid, timestamp)` is called for each tick."""

    def __init__(self, clock: Clock, fire):
        self._clock = clock
        self._fire = fire
        self._lock = threading.Lock()
        self._timers: dict[str, object] = {}

    def start(self, pid: str, anchor_ms: int, interval_ms: int) -> None:
        now = self._clock.now_ms()
        ticks_done = max(0, (now - anchor_ms) // interval_ms)
        self._schedule(pid, anchor_ms + (ticks_done + 1) * interval_ms, interval_ms)

    def _schedule(self, pid: str, due: int, interval_ms: int) -> None:
        def tick():
            with self._lock:
                if self._timers.get(pid) is not timer:
                    return   # stopped meanwhile
            self._schedule(pid, due + interval_ms, interval_ms)
            self._fire(pid, due)

        with self._lock:
            old = self._timers.get(pid)
            if old is not None:
                old.cancel()
            timer = self._clock.call_at(due, tick)
            self._timers[pid] = timer

    def stop(self, pid: str) -> bool:
        with self._lock:
            timer = self._timers.pop(pid, None)
        if timer is not None:
            timer.cancel()
        return timer is not None

    def running(self, pid: str) -> bool:
        with self._lock:
            return pid in self._timers

    def stop_all(self) -> None:
        with self._lock:
            timers, self._timers = list(self._timers.values()), {}
        for timer in timers:
            timer.cancel()
