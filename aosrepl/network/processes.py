"""The process table: every process of the network (its record and its live slot) and the wallets known to
sign messages. Plain memory; the log is the source of truth and the router keeps the two in step."""
from __future__ import annotations

import collections
import threading
from dataclasses import dataclass, field

from aosrepl.network.errors import NetworkError


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
    """A process at run time: its scheduling counters, its Lua state and its queue."""
    record: ProcessRecord
    last_nonce: int = 0
    last_hash: str | None = None
    lua: object = None              # the LuaProcess, created on first need (replayed from the log)
    available: bool = True          # False: an ephemeral process not re-spawned in this run
    broken: str | None = None       # why loading failed (its messages stay pending)
    queue: collections.deque = field(default_factory=collections.deque)
    worker: object = None           # the scheduler worker serving this slot (guarded by the scheduler lock)
    ready: bool = False             # waiting in the scheduler's ready queue for a free worker
    use_lock: threading.Lock = field(default_factory=threading.Lock)   # one handle/complete at a time
    current_nonce: int | None = None
    current_id: str | None = None       # the id of the message being handled
    interrupted_nonce: int | None = None
    handled: tuple = (0, None)          # (nonce, hash chain) of the last message the Lua state has handled
    # a restarted worker's boot deliveries (spawn message, Lua file), queued with the first message it gets: no
    # worker's Lua state is built at a start unless there is work for it
    held: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.record.name or self.record.id


class ProcessTable:
    """pid -> Slot, plus the set of wallet addresses whose mail is kept."""

    def __init__(self):
        self._slots: dict[str, Slot] = {}
        self._wallets: set[str] = set()

    # -- processes
    def get(self, pid) -> Slot | None:
        return self._slots.get(pid) if isinstance(pid, str) else None

    def require(self, pid) -> Slot:
        slot = self.get(pid)
        if slot is None:
            raise NetworkError(f"No process {pid!r} on this network.")
        return slot

    def __contains__(self, pid) -> bool:
        return self.get(pid) is not None

    def slots(self) -> list[Slot]:
        return list(self._slots.values())

    def add(self, slot: Slot) -> None:
        self._slots[slot.record.id] = slot

    def remove(self, pid: str) -> None:
        self._slots.pop(pid, None)

    def find_user_process(self, owner: str, name: str) -> str | None:
        """The first user process of `owner` called `name`."""
        for slot in self.slots():
            rec = slot.record
            if rec.owner == owner and rec.name == name and rec.kind == "user":
                return rec.id
        return None

    # -- wallets
    def is_wallet(self, address) -> bool:
        return address in self._wallets

    def set_wallets(self, addresses) -> None:
        self._wallets = set(addresses)

    def add_wallet(self, address: str) -> bool:
        """True if the address was new (and is neither a wallet nor a process yet)."""
        if address in self._wallets or address in self._slots:
            return False
        self._wallets.add(address)
        return True

    def remove_wallet(self, address: str) -> None:
        self._wallets.discard(address)
