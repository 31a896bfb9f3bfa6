"""Limits on what one process can make the network do: message size, message rate, spawns.

A process that sends to itself from a handler makes messages as fast as the machine allows, and a
spawning loop grows memory without end; both must end with a clear notice instead. The limits act
on routing only (a live decision about a handled message's outbox), so replays are unaffected.
"""
from __future__ import annotations

import collections
import time

from aosrepl.runtime.memory import MAX_MESSAGE_BYTES, message_bytes

MESSAGES_PER_WINDOW = 10_000     # messages (and spawns) one process may send ...
WINDOW_SECONDS = 10.0            # ... within this many seconds
MAX_CHILDREN = 1_000             # processes one process may spawn, ever

__all__ = ["GrowthLimits", "MAX_MESSAGE_BYTES", "message_bytes", "MESSAGES_PER_WINDOW", "WINDOW_SECONDS",
           "MAX_CHILDREN"]


class GrowthLimits:
    def __init__(self, clock=time.monotonic, per_window: int = MESSAGES_PER_WINDOW,
                 window_seconds: float = WINDOW_SECONDS, max_children: int = MAX_CHILDREN):
        self._clock = clock
        self.per_window = per_window
        self.window_seconds = window_seconds
        self.max_children = max_children
        self._sent: dict[str, collections.deque] = {}
        self._children: dict[str, int] = {}

    def count_child(self, parent: str) -> None:
        """Record an existing child (at start, from the log) or a new one."""
        self._children[parent] = self._children.get(parent, 0) + 1

    def refuse_message(self, sender: str) -> str | None:
        """Why `sender` may not send one more message now (None: it may; the message is counted)."""
        now = self._clock()
        sent = self._sent.setdefault(sender, collections.deque())
        while sent and now - sent[0] > self.window_seconds:
            sent.popleft()
        if len(sent) >= self.per_window:
            return (f"it sent more than {self.per_window} messages in {self.window_seconds:g} s "
                    f"(a message loop?)")
        sent.append(now)
        return None

    def refuse_spawn(self, parent: str) -> str | None:
        """Why `parent` may not spawn one more process (None: it may; the child is counted)."""
        if self._children.get(parent, 0) >= self.max_children:
            return f"it has spawned {self.max_children} processes, the most one process may spawn"
        why = self.refuse_message(parent)
        if why is None:
            self.count_child(parent)
        return why

    def refuse_size(self, message: dict) -> str | None:
        size = message_bytes(message)
        if size > MAX_MESSAGE_BYTES:
            return f"it is {size} bytes; a message may have at most {MAX_MESSAGE_BYTES} bytes of Data and tags"
        return None
