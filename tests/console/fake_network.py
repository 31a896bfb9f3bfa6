"""A minimal stand-in for the network, used only by session unit tests that must not depend on the real
network: evaluates code in one lupa Lua state the way aos's eval does (try `return <code>`, else the
statements; chunk name "aos"; prints collected) and returns results of aos's shape."""
from __future__ import annotations

from dataclasses import dataclass

from lupa import lua53


@dataclass
class Info:
    id: str
    name: str
    owner: str = "owner"
    module: str = "m"
    kind: str = "user"


def _pair(values):
    return values if isinstance(values, tuple) else (values, None)


class FakeNetwork:
    is_local = True

    def __init__(self, pid="P" * 43):
        self.pid = pid
        self.lua = lua53.LuaRuntime()
        self.inbox = 0
        self.sent, self.evals, self.subscribers = [], [], {}
        self.monitored = set()
        self.procs = [Info(pid, "me"), Info("H" * 43, "Llama-Herder", kind="service")]

    def prompt(self):
        return f"\x1b[32mme\x1b[90m@\x1b[34maos-2.0.0.rc1\x1b[90m[Inbox:\x1b[31m{self.inbox}\x1b[90m]\x1b[0m> "

    def new_id(self):
        return "E" * 43

    def eval(self, pid, code, timeout=None, msg_id=None):
        self.evals.append(code)
        prints = []
        g = self.lua.globals()
        g.print = lambda *a: prints.append("\t".join(map(str, a)))
        fn, err = _pair(g.load("return " + code, "aos"))
        if fn is None:
            fn, err = _pair(g.load(code, "aos"))
        if fn is None:
            return {"Error": err}
        ok, value = _pair(g.pcall(fn))
        if not ok:
            return {"Error": "\n".join(prints) + "\n\n\x1b[31merror:\n\x1b[0m" + str(value)}
        if value is not None and value is not False:
            prints.append(str(value))
        return {"Output": {"data": "\n".join(prints), "prompt": self.prompt()}}

    def dryrun(self, pid, code):
        return {"Output": {"data": f"dry:{code}", "prompt": self.prompt()}}

    def send(self, target, tags=None, data=""):
        self.sent.append((target, tags, data))
        return "M" * 43

    def request(self, target, tags=None, data="", timeout=None):
        return self.wait_result(target, self.send(target, tags, data), timeout)

    def wait_result(self, pid, msg_id, timeout=None):
        """The token's answer to the last message sent: a wallet that can pay everything."""
        action = {"Transfer": "Debit-Notice", "Balance": "Balance-Notice"}.get((self.sent[-1][1] or {}).get("Action"))
        return {"Messages": [{"Target": "W" * 43, "Tags": [{"name": "Action", "value": action or "Unknown"}]}]}

    def deliver(self, pid, text):
        """A message arrives: the process prints its notice (what subscribers get)."""
        self.inbox += 1
        for cb in self.subscribers.get(pid, []):
            cb(pid, {"Output": {"data": text, "prompt": self.prompt(), "print": True}})

    def subscribe(self, pid, cb):
        self.subscribers.setdefault(pid, []).append(cb)
        return lambda: self.subscribers[pid].remove(cb)

    def processes(self):
        return list(self.procs)

    def monitor(self, pid):
        self.monitored.add(pid)

    def unmonitor(self, pid):
        self.monitored.discard(pid)
