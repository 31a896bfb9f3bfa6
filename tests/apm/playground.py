"""A real local network with one user process, seen the way the console shows it: the Eval's own output,
then the live feed (results of later messages to the process, in order)."""
from __future__ import annotations

import re

from aosrepl.network import Network

ANSI = re.compile(r"\x1b\[[0-9;]*m")
IDLE_TIMEOUT = 60.0


def plain(text: str) -> str:
    return ANSI.sub("", text)


class Playground:
    def __init__(self, data_dir, name: str = "ai-demo"):
        self.net = Network(data_dir, deterministic=True, workers=0)
        self.feeds: dict[str, list[str]] = {}
        self.pid = self.spawn(name)

    def spawn(self, name: str, module: str | None = None) -> str:
        """A user process whose live feed is collected (from its first message on)."""
        pid = self.net.find_or_spawn(name, module=module) if module else self.net.find_or_spawn(name)
        self.feeds[pid] = []
        self.net.subscribe(pid, self._on_result)
        self.live(pid)
        return pid

    def _on_result(self, pid: str, result: dict) -> None:
        # Called in the process's own thread right after the message was handled and logged, so the
        # last handled delivery (user processes stay in generation 0) is that message.
        message = self.net.log.history(pid, 0)[-1][2]
        if message["Target"] != pid:
            return   # an assignment: aos's live feed does not show it (aos-process.md §6.1)
        data = (result.get("Output") or {}).get("data")
        if data:
            self.feeds[pid].extend(plain(data).split("\n"))

    def eval(self, code: str, pid: str | None = None) -> list[str]:
        """What the console prints for an Eval: its Output.data lines (or the error)."""
        result = self.net.eval(pid or self.pid, code, timeout=IDLE_TIMEOUT)
        if "Error" in result:
            return ["ERROR: " + plain(result["Error"])]
        data = plain((result.get("Output") or {}).get("data") or "")
        return data.split("\n") if data else []

    def live(self, pid: str | None = None) -> list[str]:
        """A process's live feed once the network is idle (and clears it)."""
        assert self.net.run_until_idle(IDLE_TIMEOUT), "the network did not become idle"
        feed = self.feeds[pid or self.pid]
        lines, feed[:] = list(feed), []
        return lines

    def type(self, code: str, pid: str | None = None) -> list[str]:
        """Eval output followed by the live feed it causes."""
        return self.eval(code, pid) + self.live(pid)

    def value(self, code: str, pid: str | None = None) -> str:
        return "\n".join(self.eval(code, pid))

    def close(self) -> None:
        self.net.close()
