"""A small in-memory record of inference events (prompt set, first token) with monotonic times, so a
benchmark in the same Python process can measure latency without reaching into worker processes."""
from __future__ import annotations

import collections
import threading
import time

_events: collections.deque = collections.deque(maxlen=1000)
_lock = threading.Lock()


def record(event: str, value=None) -> None:
    with _lock:
        _events.append((time.monotonic(), event, value))


def events_since(since: float) -> list[tuple]:
    """(time, event, value) recorded at or after the monotonic time `since`, oldest first."""
    with _lock:
        return [e for e in _events if e[0] >= since]
