"""Helpers for unit-testing single processes without a network:

    p, env = spawn_process(name="ai-demo")
    res = p.handle(make_msg(p, action="Eval", data="1+1"), env)
"""
from __future__ import annotations

import hashlib
import itertools
from typing import Any

from .process import LuaProcess, ProcessLimits

WALLET = "Rix7e0HB-8OAaimcoYkxTZB-dStgTOHWUik1DvKD5vM"       # a 43-char test wallet
MODULE = "Do_Uc2Sju_ffp6Ev0AnLVdPtot15rvMjP-a9VVaA5fM"
AUTHORITY = "fcoN_xJeisVsPXA-trzVAuIiqO3ydLQxM-L4XbrQKzY"
START_TIMESTAMP = 1732460000000

_counter = itertools.count(1)


def make_id(seed: str | None = None) -> str:
    """A 43-char base64url id (deterministic for a given seed)."""
    seed = seed if seed is not None else f"id-{next(_counter)}"
    digest = hashlib.sha256(seed.encode()).digest()
    import base64
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:43]


def tags_list(tags: dict[str, Any] | list | None) -> list[dict]:
    if tags is None:
        return []
    if isinstance(tags, list):
        return [dict(t) for t in tags]
    return [{"name": k, "value": v if isinstance(v, str) else str(v)} for k, v in tags.items()]


def make_msg(process: LuaProcess | str, action: str | None = None, data: str = "",
             tags: dict | list | None = None, sender: str = WALLET, owner: str | None = None,
             msg_id: str | None = None, target: str | None = None, nonce: int | None = None,
             timestamp: int | None = None, **extra) -> dict:
    """An AO-shaped message to `process` (From/Owner default to the test wallet)."""
    pid = process if isinstance(process, str) else process.process_id
    n = nonce if nonce is not None else next(_counter)
    tag_list = tags_list(tags)
    if action is not None:
        tag_list.insert(0, {"name": "Action", "value": action})
    msg = {
        "Id": msg_id or make_id(), "From": sender, "Owner": owner or sender,
        "Target": target or pid, "Anchor": None, "Data": data, "Tags": tag_list,
        "Timestamp": timestamp if timestamp is not None else START_TIMESTAMP + n,
        "Block-Height": 1500000, "Module": MODULE, "Epoch": 0, "Nonce": n,
        "Hash-Chain": make_id(f"hash-{n}"), "Cron": False,
    }
    msg.update(extra)
    return msg


def make_env(pid: str, owner: str = WALLET, name: str = "aos", tags: list | dict | None = None,
             module: str = MODULE) -> dict:
    spawn_tags = [
        {"name": "Data-Protocol", "value": "ao"}, {"name": "Variant", "value": "ao.TN.1"},
        {"name": "Type", "value": "Process"}, {"name": "Module", "value": module},
        {"name": "Authority", "value": AUTHORITY}, {"name": "Name", "value": name},
    ] + tags_list(tags)
    return {"Process": {"Id": pid, "Owner": owner, "Tags": spawn_tags},
            "Module": {"Id": module, "Tags": []}}


def spawn_process(name: str = "aos", owner: str = WALLET, pid: str | None = None,
                  library_version: str = "2.0.0.rc1", limits: ProcessLimits | None = None,
                  natives: dict | None = None, tags: list | dict | None = None,
                  data: str = "") -> tuple[LuaProcess, dict]:
    """A booted process (its spawn message handled) and its env."""
    pid = pid or make_id()
    p = LuaProcess(pid, module_id=MODULE, library_version=library_version, limits=limits,
                   natives=natives)
    env = make_env(pid, owner=owner, name=name, tags=tags)
    spawn = make_msg(pid, data=data, sender=owner, msg_id=pid, tags=env["Process"]["Tags"])
    p.spawn_result = p.handle(spawn, env)
    return p, env


def eval_in(p: LuaProcess, env: dict, code: str, sender: str = WALLET) -> dict:
    """Evaluate `code` as the owner and return the result."""
    return p.handle(make_msg(p, action="Eval", data=code, sender=sender), env)
