"""Durability: the log survives SIGKILL at any moment, and restarts replay processes to the same state."""
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from aosrepl.network import Network
from tests.network.conftest import ev

CHILD = Path(__file__).parent / "durability_child.py"


def numbers(net, pid, table):
    text = ev(net, pid, f"table.concat({table}, ',')")
    return [int(x) for x in text.split(",")] if text else []


def state_digest(net, pid):
    """Globals that matter, printed deterministically (sorted keys)."""
    code = ("local keys = {} for k, v in pairs(_G) do if type(v) ~= 'function' and type(v) ~= 'table' "
            "then table.insert(keys, k .. '=' .. tostring(v)) end end table.sort(keys) "
            "return table.concat(keys, ';') .. '|inbox=' .. #Inbox .. '|handlers=' .. #Handlers.list")
    return ev(net, pid, code)


@pytest.mark.parametrize("kill_after", [0, 3, 17, 40])
def test_sigkill_loses_no_acknowledged_message(tmp_path, kill_after):
    data = tmp_path / "data"
    child = subprocess.Popen([sys.executable, str(CHILD), str(data), "1000"], stdout=subprocess.PIPE, text=True)
    try:
        ready = child.stdout.readline().split()
        assert ready[0] == "READY", ready
        a, b, c, d = ready[1:5]
        acked = 0
        while acked < kill_after:
            line = child.stdout.readline().split()
            assert line and line[0] == "ACK", line
            acked = int(line[1])
        os.kill(child.pid, signal.SIGKILL)   # mid-flight: the child keeps working until the signal lands
    finally:
        child.wait(30)
        child.stdout.close()

    with Network(data, services=False) as net:
        assert net.run_until_idle(60)   # what was logged but not handled is delivered now
        count = int(ev(net, a, "Count"))
        assert count >= acked
        # every acknowledged step happened exactly once, in order, and so did everything it caused
        assert numbers(net, b, "Adds") == list(range(1, count + 1))
        directs = numbers(net, b, "Directs")
        assert directs == list(range(1, len(directs) + 1)) and len(directs) >= acked
        # the ping-pong chain that was in flight finished with every message handled exactly once
        assert int(ev(net, c, "Received")) + int(ev(net, d, "Received")) == 3000
        before = [state_digest(net, pid) for pid in (a, b, c, d)]
    with Network(data, services=False) as net:
        assert net.run_until_idle(60)
        assert [state_digest(net, pid) for pid in (a, b, c, d)] == before


def test_restart_replays_state_without_reprinting(tmp_path):
    with Network(tmp_path, services=False, deterministic=True) as net:
        a, b = net.spawn("a"), net.spawn("b")
        ev(net, a, "X = 41; Handlers.add('inc', 'Inc', function() X = X + 1; print('inc ' .. X) end)")
        net.send(a, {"Action": "Inc"})
        ev(net, b, f'Send({{ Target = "{a}", Data = "hello from b" }})')
        assert net.run_until_idle(10)
        before = state_digest(net, a)
        assert ev(net, a, "X") == "42"
    printed = []
    with Network(tmp_path, services=False, deterministic=True) as net:
        net.subscribe_all(lambda pid, result: printed.append(pid))
        assert state_digest(net, a) == before
        assert ev(net, a, "Inbox[#Inbox].Data") == "hello from b"
        assert ev(net, a, "#Inbox") == "2"
        net.send(a, {"Action": "Inc"})
        assert net.run_until_idle(10)
        assert ev(net, a, "X") == "43"
    assert printed == [a]   # only the new Inc printed; the replay printed nothing


def test_processes_and_monitors_survive_restart(tmp_path):
    with Network(tmp_path, services=False, deterministic=True) as net:
        a = net.spawn("a", tags={"Cron-Interval": "1-minute", "Cron-Tag-Action": "Tick"})
        net.monitor(a)
        wallet = net.wallet.address
        infos = net.processes()
    with Network(tmp_path, services=False, deterministic=True) as net:
        assert net.processes() == infos
        assert net.monitored() == [a]
        assert net.wallet.address == wallet
