"""Shared helpers for the wAR and blueprint tests: boot a single process with a Lua file loaded and talk to
it with AO-shaped messages (no network)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from aosrepl import ids
from aosrepl.runtime.testing import WALLET, make_id, make_msg, spawn_process

REPO = Path(__file__).resolve().parents[2]
WAR_SOURCE = REPO / "aosrepl" / "services" / "war_token.lua"
BLUEPRINTS = REPO / "blueprints"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

__all__ = ["WALLET", "make_id", "Proc", "boot_war", "boot_with_blueprints", "plain", "tag_map"]


def plain(text: str) -> str:
    return ANSI.sub("", text or "")


def tag_map(message: dict) -> dict:
    """An outgoing message's tags as name -> value (the first occurrence wins, as in aos's msg.Tags)."""
    out = {}
    for tag in message.get("Tags", []):
        out.setdefault(tag["name"], tag["value"])
    return out


class Proc:
    """One booted process plus the conveniences the tests need."""

    def __init__(self, name: str = "aos", pid: str | None = None, owner: str = WALLET):
        self.owner = owner
        self.p, self.env = spawn_process(name=name, pid=pid, owner=owner)
        self.id = self.p.process_id

    def eval(self, code: str) -> dict:
        result = self.p.handle(make_msg(self.p, action="Eval", data=code, sender=self.owner), self.env)
        assert "Error" not in result, result.get("Error")
        return result

    def value(self, expression: str) -> str:
        """What the Eval of `expression` shows, without colours."""
        return plain(self.eval(expression)["Output"].get("data", ""))

    def json(self, expression: str):
        return json.loads(self.value(f"require('json').encode({expression})"))

    def load(self, path: Path) -> dict:
        return self.eval(path.read_text(encoding="utf-8"))

    def send(self, action: str | None, sender: str = WALLET, tags: dict | None = None, data: str = "",
             msg_id: str | None = None, **extra) -> tuple[dict, str]:
        """Deliver a message from `sender`; returns (result, message id)."""
        msg_id = msg_id or make_id()
        msg = make_msg(self.p, action=action, data=data, tags=tags, sender=sender, msg_id=msg_id, **extra)
        return self.p.handle(msg, self.env), msg_id


def boot_war() -> Proc:
    """The wAR process as genesis boots it (its file evaluated by the owner)."""
    war = Proc(name="Wrapped AR", pid=ids.WAR_TOKEN)
    war.load(WAR_SOURCE)
    return war


def boot_with_blueprints(*names: str, name: str = "aos") -> Proc:
    proc = Proc(name=name)
    for blueprint in names:
        proc.load(BLUEPRINTS / f"{blueprint}.lua")
    return proc


def has_tags(message: dict, expected: dict) -> bool:
    """True when every expected tag is on the message with that value (extra tags are fine)."""
    tags = tag_map(message)
    missing = {k: v for k, v in expected.items() if tags.get(k) != v}
    assert not missing, f"tags differ: expected {missing}, message has {tags}"
    return True
