"""Helpers for driving the herd on a real local network: user processes with the Llama-Herder client,
funded with wAR, and everything each process prints."""
from __future__ import annotations

import re
import threading
from pathlib import Path

from aosrepl import ids
from aosrepl.services import SERVICE_OWNER

CLIENT_SOURCE = Path(__file__).resolve().parents[2] / "packages" / "@sam" / "Llama-Herder" / "main.lua"
FUNDS = "1000000000"              # 0.001 wAR, the article's amount
ANSI = re.compile(r"\x1b\[[0-9;]*m")
TIMEOUT = 120.0


class Printed:
    """Everything one process prints (its results with Output.print), ANSI colours removed."""

    def __init__(self, net, pid):
        self._lock = threading.Lock()
        self._chunks: list[str] = []
        net.subscribe(pid, self._on_result)

    def _on_result(self, _pid, result):
        data = (result.get("Output") or {}).get("data") or ""
        with self._lock:
            self._chunks.append(ANSI.sub("", str(data)))

    @property
    def text(self) -> str:
        with self._lock:
            return "\n".join(self._chunks)


def output(result: dict) -> str:
    assert "Error" not in result, result.get("Error")
    return ANSI.sub("", str(result["Output"]["data"]))


def new_client(net, name: str, funds: str = FUNDS):
    """A user process funded by a wallet Transfer of wAR, with `Llama` = the @sam/Llama-Herder client."""
    pid = net.find_or_spawn(name)
    printed = Printed(net, pid)
    net.send(ids.WAR_TOKEN, {"Action": "Transfer", "Recipient": pid, "Quantity": funds})
    assert net.run_until_idle(TIMEOUT)
    source = CLIENT_SOURCE.read_text(encoding="utf-8")
    output(net.eval(pid, "package.loaded['@sam/Llama-Herder'] = (function()\n" + source + "\nend)()"))
    output(net.eval(pid, 'Llama = require("@sam/Llama-Herder")'))
    return pid, printed


def balance(net, pid) -> int:
    """The wAR balance of `pid`, asked the way a wallet would (a Balance dry run on the token)."""
    result = net.dryrun(ids.WAR_TOKEN, tags={"Action": "Balance", "Recipient": pid})
    notice = next(m for m in result["Messages"]
                  if {"name": "Action", "value": "Balance-Notice"} in m["Tags"])
    return int(notice["Data"])


def settle(net):
    assert net.run_until_idle(TIMEOUT), "the network did not become idle"


def herder_eval(net, code: str) -> str:
    return output(net.eval(ids.LLAMA_HERDER, code, signer=SERVICE_OWNER))
