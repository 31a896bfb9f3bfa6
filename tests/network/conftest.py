"""Shared helpers for the network tests: a fresh deterministic network per test and small eval shortcuts."""
from pathlib import Path

import pytest

from aosrepl.network import Network

LUA = Path(__file__).parent / "lua"


def lua(name: str) -> str:
    return (LUA / name).read_text()


def out(result: dict) -> str:
    """The printed text of a result; fails the test on an Error result."""
    assert "Error" not in result, result["Error"]
    return result["Output"].get("data", "")


def ev(net, pid: str, code: str) -> str:
    return out(net.eval(pid, code, timeout=30))


@pytest.fixture
def net(tmp_path):
    network = Network(tmp_path / "data", services=False, deterministic=True)
    yield network
    network.close()


def wait_for_the_writer_process(log) -> None:
    """Start the log's writer process and commit until batches go to it (the committer writes them itself
    until the log is busy and the writer has started)."""
    import time
    log.start_writer()
    deadline = time.monotonic() + 30
    while not log.writer_in_use:
        assert time.monotonic() < deadline, "the log's writer process did not start"
        log.set_meta("probe", "1")
        time.sleep(0.005)
