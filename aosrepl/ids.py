"""Ids as AO has them: 43-character base64url strings (32 bytes), plus the well-known ids of the article."""
from __future__ import annotations

import base64
import hashlib
import os
import random
import re
import secrets
import threading
import weakref

WAR_TOKEN = "xU9zFkq3X2ZQ6olwNVvr1vUWIjc3kXTWr7xKQD6dh10"
LLAMA_HERDER = "wh5vB2IbqmIBUqgodOaTvByNFDPr73gbUq1bVOUtCrw"
APM_REGISTRY = "UdPDhw5S7pByV3pVqwyr1qzJ8mR8ktzi9olgsdsyZz4"
LLAMA_HERDER_PACKAGE_MSG = "bKy3WSRCw5P0G4lOBtkwpChHSl8woPKh7FTUXvOCLrs"
PHI3_MODEL = "ISrbGzQot05rs_HKC08O_SmkipYQnqgB1yC3mjZZeEo"
# The address that signs messages pushed from one process to another (AO legacynet's MU authority).
MU_AUTHORITY = "fcoN_xJeisVsPXA-trzVAuIiqO3ydLQxM-L4XbrQKzY"
# The module every user process runs: our aos library (a fixed id of our own).
AOS_MODULE_ID = "aosrepl-aos-module-2-0-0-rc-lua53-000000000"
# The aos-sqlite module (`aos --sqlite`): aos 2.0.1's `aos.sqlite` id (Sep 2024). See aosrepl/modules.py.
AOS_SQLITE_MODULE_ID = "aGVVWHldKA7GBlI_w7Qp_agO6aKjCoOTPA1G2OlluXE"
# The aos-llama module Llama Land's LLM processes name.
AOS_LLAMA_MODULE_ID = "1PdCJiXhNafpJbvC-sjxWTeNzbf9Q_RfUNs84GYoPm0"
# Where later aos versions' `apm` clients find the registry (Sep 2024; Aug 2025).
APM_REGISTRY_V2 = "DKF8oXtPvh3q8s0fJFIeHFyHNM6oKrwMCUrPxEMroak"
APM_REGISTRY_V3 = "RLvG3tclmALLBCrwc17NqzNFqZCrUf3-RKZ5v8VRHiU"
# The local scheduler unit every process names in its Scheduler tag.
SCHEDULER_ID = "aosrepl-local-scheduler-unit-00000000000000"

ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")

assert all(len(i) == 43 for i in (AOS_MODULE_ID, SCHEDULER_ID, AOS_SQLITE_MODULE_ID, AOS_LLAMA_MODULE_ID,
                                  APM_REGISTRY_V2, APM_REGISTRY_V3))


def encode(raw: bytes) -> str:
    """32 raw bytes -> a 43-character base64url id (no padding)."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def is_id(text: str) -> bool:
    return bool(ID_PATTERN.match(text or ""))


def derived(*parts: str) -> str:
    """A stable id derived from text (used for well-known local things such as wallets of services)."""
    return encode(hashlib.sha256("\x00".join(parts).encode()).digest())


class IdSource:
    """Fresh ids: random by default, or a fixed sequence from a seed (tests, deterministic mode)."""

    # random ids are cut from a buffer of the OS's random bytes: one system call per this many ids, not per id
    BUFFERED_IDS = 256

    def __init__(self, seed: int | None = None):
        self._lock = threading.Lock()
        self._rng = random.Random(seed) if seed is not None else None
        self._random = b""
        self._used = 0
        _SOURCES.add(self)

    def new(self) -> str:
        with self._lock:
            if self._rng is not None:
                return encode(self._rng.getrandbits(256).to_bytes(32, "big"))
            if self._used >= len(self._random):
                self._random, self._used = secrets.token_bytes(32 * self.BUFFERED_IDS), 0
            raw = self._random[self._used:self._used + 32]
            self._used += 32
        return encode(raw)


# A forked copy of the network (a dry-run) must not cut the ids the network itself will use next.
_SOURCES: "weakref.WeakSet[IdSource]" = weakref.WeakSet()


def _forget_buffers_in_child() -> None:
    for source in list(_SOURCES):
        source._random, source._used = b"", 0


os.register_at_fork(after_in_child=_forget_buffers_in_child)
