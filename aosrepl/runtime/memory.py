"""The heap cap of one Lua state, switched between who is running.

Lua raises a memory error where it can; but an allocation that fails while the host itself
pushes values into the state (building the message table, converting the result) happens
outside any protected call, and Lua then panics and aborts the whole network. So the cap
depends on who runs:

- "user":   the process's own code: the configured cap (ProcessLimits.memory_bytes);
- "repair": the owner's Eval: the cap, or REPAIR_HEADROOM above what the heap holds when it starts
            if that is more, so a process whose heap is full can always be emptied (`T = nil`);
- "replay": a replayed message, which completed live: the cap plus HOST_HEADROOM, so a replay
            tolerates at least what the live run tolerated (heap layouts may differ a little);
- "host":   host crossings: the cap plus HOST_HEADROOM. Messages are limited to
            MAX_MESSAGE_BYTES, so a crossing always fits in the headroom.
"""
from __future__ import annotations

MIB = 1 << 20
REPAIR_HEADROOM = 4 * MIB
HOST_HEADROOM = 96 * MIB
MAX_MESSAGE_BYTES = 16 * MIB      # Data plus tag names and values of one message


class HeapLimits:
    def __init__(self, memory_bytes: int):
        self.memory_bytes = memory_bytes
        self.reserved = 0          # bytes of the cap held by natives (a process's SQLite databases)
        self.mode = "host"
        self.current = 0
        self._runtime = None

    def attach(self, runtime) -> None:
        self._runtime = runtime
        self.set_mode("host")

    def cap(self, mode: str) -> int:
        user = max(1, self.memory_bytes - self.reserved)
        if mode == "user":
            return user
        if mode == "repair":
            return max(user, int(self._runtime.get_memory_used() or 0) + REPAIR_HEADROOM)
        return user + HOST_HEADROOM          # "replay", "host"

    def set_mode(self, mode) -> None:
        """Called by the sandbox (a Lua-side mode name as bytes) and by the runtime."""
        if isinstance(mode, bytes):
            mode = mode.decode()
        cap = self.cap(mode)
        self.mode = mode
        if cap != self.current:   # unchanged (host -> host, the usual case between messages): nothing to do
            self.current = cap
            self._runtime.set_max_memory(cap)

    def enter_host(self) -> tuple[str, int]:
        """Switch to the host's cap for a crossing made while process code runs (a native's result);
        returns what `leave_host` puts back exactly."""
        saved = (self.mode, self.current)
        self.set_mode("host")
        return saved

    def leave_host(self, saved: tuple[str, int]) -> None:
        self.mode, self.current = saved
        self._runtime.set_max_memory(self.current)

    def reserve(self, native_bytes: int) -> None:
        """Natives now hold `native_bytes` of the cap: every mode's cap shrinks by it, from now on."""
        self.reserved = max(0, int(native_bytes))
        self.set_mode(self.mode)


def message_bytes(msg: dict) -> int:
    """The size the MAX_MESSAGE_BYTES limit counts: Data plus every tag name and value."""
    data = msg.get("Data")
    size = len(data) if type(data) is str else len(_text(data))
    for tag in msg.get("Tags") or ():
        if isinstance(tag, dict):
            name, value = tag.get("name"), tag.get("value")
            if type(name) is str and type(value) is str:   # the usual case, on every message's path
                size += len(name) + len(value)
            else:
                size += len(_text(name)) + len(_text(value))
    return size


def _text(value) -> bytes | str:
    if value is None:
        return ""
    if isinstance(value, (str, bytes)):
        return value
    return str(value)
