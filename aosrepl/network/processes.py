"""The process table: every process of the network (its record and its live slot) and the wallets known to
sign messages. Plain memory; the log is the source of truth and the router keeps the two in step."""
from __future__ import annotations

import collections
import threading

from aosrepl.network.errors import NetworkError


class ProcessRecord:
    """Everything the network keeps about a process (ProcessInfo is the public view)."""
    __slots__ = ("id", "name", "owner", "module", "kind", "tags", "natives", "ephemeral", "created_ms", "generation",
                 "env")

    def __init__(self, id: str, name: str | None, owner: str, module: str, kind: str, tags: list,
                 natives: tuple = (), ephemeral: bool = False, created_ms: int = 0, generation: int = 0):
        self.id, self.name, self.owner, self.module = id, name, owner, module
        self.kind = kind                    # user | service | worker
        self.tags = tags                    # the spawn message's tags (env.Process.Tags)
        self.natives, self.ephemeral = natives, ephemeral
        self.created_ms, self.generation = created_ms, generation
        self.env: dict | None = None        # cached env for the runtime

    def __repr__(self) -> str:
        return f"ProcessRecord(id={self.id!r}, name={self.name!r}, kind={self.kind!r}, generation={self.generation})"


class Slot:
    """A process at run time: its scheduling counters, its Lua state and its queue."""
    __slots__ = ("record", "last_nonce", "last_hash", "lua", "available", "broken", "queue", "worker", "ready",
                 "use_lock", "current_nonce", "current_id", "interrupted_nonce", "handled", "held")

    def __init__(self, record: ProcessRecord, last_nonce: int = 0, last_hash: str | None = None,
                 available: bool = True):
        self.record = record
        self.last_nonce, self.last_hash = last_nonce, last_hash
        self.lua = None                 # the LuaProcess, created on first need (replayed from the log)
        self.available = available      # False: an ephemeral process not re-spawned in this run
        self.broken: str | None = None  # why loading failed (its messages stay pending)
        self.queue: collections.deque = collections.deque()
        self.worker = None              # the scheduler worker serving this slot (guarded by the scheduler lock)
        self.ready = False              # waiting in the scheduler's ready queue for a free worker
        self.use_lock = threading.Lock()    # one handle/complete at a time
        self.current_nonce: int | None = None
        self.current_id: str | None = None      # the id of the message being handled
        self.interrupted_nonce: int | None = None
        self.handled: tuple = (0, None)     # (nonce, hash chain) of the last message the Lua state has handled
        # a restarted worker's boot deliveries (spawn message, Lua file), queued with the first message it gets:
        # no worker's Lua state is built at a start unless there is work for it
        self.held: list = []

    def __repr__(self) -> str:
        return f"Slot({self.record!r}, last_nonce={self.last_nonce})"

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
