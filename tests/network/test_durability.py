"""Durability: the log survives SIGKILL at any moment, and restarts replay processes to the same state."""
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from aosrepl.network import Network
from tests.network.conftest import ev

CHILD = Path(__file__).parent / "durability_child.py"
GROUP_CHILD = Path(__file__).parent / "group_commit_child.py"


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
    watchdog = threading.Timer(120, child.kill)   # a hung child ends the reads below instead of the test run
    watchdog.start()
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
        watchdog.cancel()
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


def test_sigkill_during_a_group_commit_loses_no_acknowledged_message_and_applies_none_twice(tmp_path):
    data = tmp_path / "data"
    child = subprocess.Popen([sys.executable, str(GROUP_CHILD), str(data)], stdout=subprocess.PIPE, text=True)
    watchdog = threading.Timer(120, child.kill)
    watchdog.start()
    acked: dict[int, int] = {}
    try:
        ready = child.stdout.readline().split()
        assert ready[0] == "READY", ready
        b = ready[1]
        while True:
            line = child.stdout.readline().split()
            assert line, "the child ended before its commit was stopped"
            if line[0] == "IN-COMMIT":
                assert int(line[1]) > 1   # the commit being killed groups several messages
                break
            assert line[0] == "ACK", line
            acked[int(line[1])] = int(line[2])
    finally:
        os.kill(child.pid, signal.SIGKILL)   # (also when an assertion above failed)
        watchdog.cancel()
        child.wait(30)
        child.stdout.close()
    assert sum(acked.values()) > 0

    with Network(data, services=False) as net:
        assert net.run_until_idle(60)
        got = ev(net, b, "table.concat(Got, ',')").split(",")
        assert len(got) == len(set(got)), "a message was applied twice"
        per_thread: dict[int, list[int]] = {}
        for item in got:
            t, k = item.split(":")
            per_thread.setdefault(int(t), []).append(int(k))
        for t, last in acked.items():
            ks = per_thread.get(t, [])
            assert ks == list(range(1, len(ks) + 1)), f"thread {t}: {ks[:20]}..."   # in order, no gap
            assert len(ks) >= last, f"thread {t}: acknowledged {last}, only {len(ks)} kept"


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


def fail_once(monkeypatch, log, method, call=1):
    """Make one call (the `call`-th from now) of a log method fail as a full disk would."""
    import sqlite3
    real = getattr(log, method)
    calls = []

    def failing(*args):
        calls.append(args)
        if len(calls) == call:
            raise sqlite3.OperationalError("disk I/O error")
        return real(*args)

    monkeypatch.setattr(log, method, failing)


def test_a_write_that_fails_leaves_memory_and_log_in_step(tmp_path, monkeypatch):
    from aosrepl.network import NetworkError
    with Network(tmp_path, services=False, deterministic=True) as net:
        a = net.spawn("a")
        ev(net, a, "Got = {}; Handlers.add('n', 'N', function(m) table.insert(Got, m.Nonce .. '/' .. m.K) end)")
        fail_once(monkeypatch, net.log, "add_delivery")
        with pytest.raises(NetworkError, match="could not be logged"):
            net.send(a, {"Action": "N", "K": "lost"})
        net.send(a, {"Action": "N", "K": "kept"})
        fail_once(monkeypatch, net.log, "insert_message")
        with pytest.raises(NetworkError, match="could not be logged"):
            net.spawn("never")
        assert [p.name for p in net.processes()] == ["a"]
        assert net.run_until_idle(10)
        assert ev(net, a, "table.concat(Got, ',')") == "3/kept"   # no gap left by the failed send
        before = state_digest(net, a)
    with Network(tmp_path, services=False, deterministic=True) as net:
        assert state_digest(net, a) == before                    # the hash chain and nonces replay the same
        assert [p.name for p in net.processes()] == ["a"]
        assert [m["Tags"][-1]["value"] for m in net.log.query(action="N")] == ["kept"]


def test_a_failed_routing_commit_rolls_back_scheduling_counters(tmp_path, monkeypatch):
    with Network(tmp_path, services=False, deterministic=True) as net:
        a, b, c = net.spawn("a"), net.spawn("b"), net.spawn("c")
        ev(net, b, "Got = {}; Handlers.add('n', 'N', function(m) table.insert(Got, m.Nonce) end)")
        # a's Eval sends to b then c: the delivery to c fails, so the whole outbox commit rolls back
        fail_once(monkeypatch, net.log, "add_delivery", call=3)
        net.send(a, {"Action": "Eval"}, f'Send({{ Target = "{b}", Action = "N" }}); Send({{ Target = "{c}" }})')
        assert net.run_until_idle(10)
        assert any("Could not log the result" in line for line in net.notices)
        net.send(b, {"Action": "N"})
        assert net.run_until_idle(10)
        assert ev(net, b, "table.concat(Got, ',')") == "3"   # b's numbering has no hole
        assert ev(net, a, "ao.reference") == "0"             # a was rebuilt from the log: the Eval never ran
    with Network(tmp_path, services=False, deterministic=True) as net:
        # the pending Eval runs at the next start, on the same state: its two messages go out then
        assert net.run_until_idle(10)
        assert ev(net, a, "ao.reference") == "2"
        assert ev(net, b, "#Got") == "2" and ev(net, c, "#Inbox") == "2"


def test_the_wal_stays_bounded_while_messages_keep_coming(tmp_path, monkeypatch):
    from aosrepl.network import store
    monkeypatch.setattr(store, "WAL_CHECKPOINT_BYTES", 64 << 10)
    wal = tmp_path / "aosrepl.db-wal"
    sizes = []
    stop = threading.Event()

    def sample():
        while not stop.wait(0.002):
            sizes.append(wal.stat().st_size if wal.exists() else 0)

    pingpong = (Path(__file__).parent / "lua" / "pingpong.lua").read_text()
    with Network(tmp_path, services=False) as net:
        a, b = net.spawn("a"), net.spawn("b")
        for pid in (a, b):
            ev(net, pid, pingpong)
        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            net.send(a, {"Action": "Eval"}, f'Send({{ Target = "{b}", Action = "Ping", N = "2999" }})')
            assert net.run_until_idle(120)
        finally:
            stop.set()
            sampler.join()
        assert int(ev(net, a, "Received")) + int(ev(net, b, "Received")) == 3000
    # 3000 messages write several MiB of WAL frames; checkpoints keep the file near the limit
    assert max(sizes) < 2 << 20, max(sizes)
