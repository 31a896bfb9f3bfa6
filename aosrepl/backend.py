"""The seam between the console and the AO network behind it.

The console (aosrepl/console, aosrepl/cli.py) talks to one `Backend`: the local network (`aosrepl.network.Network`)
or a real AO network over HTTP (`aosrepl.remote.backend.RemoteNetwork`). Both implement exactly this; the console
never asks which one it has, except through `is_local` for the commands that only make sense on the local
network (.fund, .ps, .watch, .update, --publish)."""
from __future__ import annotations

from typing import Callable, Protocol, runtime_checkable

Result = dict                      # a process result in aos's shape: {"Output": ..., "Messages": ...} or {"Error": ...}
ResultCallback = Callable[[str, Result], None]


@runtime_checkable
class Backend(Protocol):
    is_local: bool                 # True for the local playground network
    wallet: object                 # has .address: the wallet that owns the console's processes
    notices: list                  # lines the network itself said so far (also sent to subscribe_notices)

    def find_or_spawn(self, name: str, tags=None, data=None, module: str | None = None) -> str:
        """The wallet's process called `name` (the first one spawned), else a new one running `module` (None:
        the backend's default module); returns its id."""

    def has_process(self, pid: str) -> bool:
        """True if the console can talk to the process with this id."""

    def processes(self) -> list:
        """ProcessInfo-like rows (id, name, owner, module, kind) the network knows for this wallet."""

    def new_id(self) -> str:
        """A fresh token for the next Eval, so that `interrupt` can name it."""

    def eval(self, pid: str, code: str, timeout: float | None = 30.0, signer: str | None = None,
             msg_id: str | None = None) -> Result:
        """Sends `code` as an Eval and returns its result (TimeoutError after `timeout` seconds)."""

    def dryrun(self, pid: str, code: str | None = None, tags=None, data=None) -> Result:
        """Evaluates without keeping anything: the process's state is unchanged."""

    def send(self, target: str, tags=None, data="", signer: str | None = None, msg_id: str | None = None) -> str:
        """Sends a message from the wallet; returns its id."""

    def subscribe(self, pid: str, callback: ResultCallback) -> Callable[[], None]:
        """The live feed: callback(pid, result) for each later result that prints. Returns an unsubscribe."""

    def subscribe_notices(self, callback: Callable[[str], None]) -> Callable[[], None]:
        """callback(text) for each line the network itself says. Returns an unsubscribe."""

    def run_until_idle(self, timeout: float | None = 10.0) -> bool:
        """Waits until what was sent so far has been handled, as far as this backend can tell (False: still busy)."""

    def interrupt(self, pid: str, message_id: str | None = None) -> bool:
        """Ctrl-C: stops the Eval named by `message_id` (or stops waiting for it). False if nothing was stopped."""

    def complete(self, pid: str, prefix: str) -> list:
        """Tab completion candidates for a Lua name from the live process."""

    def monitor(self, pid: str) -> None:
        """Starts the process's cron ticks."""

    def unmonitor(self, pid: str) -> bool:
        """Stops the process's cron ticks."""

    def close(self) -> None:
        """Stops everything this backend started."""
