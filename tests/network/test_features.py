"""dryrun, completion, interrupt, deterministic mode, log queries, timeouts and closing."""
import threading
import time

import pytest

from aosrepl import ids
from aosrepl.network import Network, NetworkError, NetworkTimeout
from tests.network.conftest import ev


def test_dryrun_sees_the_state_but_keeps_and_logs_nothing(net):
    pid = net.spawn("a")
    ev(net, pid, "X = 1")
    logged = len(net.log.query())
    result = net.dryrun(pid, "X = X + 100; return X")
    assert result["Output"]["data"] == "101"
    assert ev(net, pid, "X") == "1"
    assert len(net.log.query()) == logged + 1   # only the Eval of X above
    assert net.dryrun(pid, tags={"Action": "Info"})["Output"]["print"] is True


def test_complete_offers_live_globals_and_nothing_for_unknown(net):
    pid = net.spawn("a")
    ev(net, pid, "MyCounterValue = 1")
    assert "MyCounterValue" in net.complete(pid, "MyCounter")
    assert net.complete(ids.derived("nobody"), "x") == []


def test_interrupt_stops_a_runaway_handler_and_replay_skips_it(tmp_path):
    with Network(tmp_path, services=False) as net:
        pid = net.spawn("a")
        ev(net, pid, "Before = 1")
        mid = net.send(pid, {"Action": "Eval"}, "Spinning = true; while true do end")
        while not net.interrupt(pid):   # wait until the loop is running, then stop it
            time.sleep(0.01)
        assert "Error" in net.wait_result(pid, mid, timeout=30)
        assert ev(net, pid, "Before") == "1"
    with Network(tmp_path, services=False) as net:   # the replay does not spin again
        assert ev(net, pid, "Before") == "1"
        assert ev(net, pid, "Spinning == nil") == "true"


def test_interrupt_by_message_id_stops_only_that_message(net):
    pid = net.spawn("a")
    mid = net.new_id()
    done = {}
    worker = threading.Thread(target=lambda: done.update(result=net.eval(
        pid, "while true do end", timeout=60, msg_id=mid)))
    worker.start()
    while not net.interrupt(pid, net.new_id()) and not net.interrupt(pid, mid):
        time.sleep(0.01)          # a stranger's id never stops it; its own id does, once it runs
    worker.join(60)
    assert "Error" in done["result"]
    assert ev(net, pid, "1+1") == "2"


def test_interrupt_with_nothing_running_is_harmless(net):
    pid = net.spawn("a")
    assert net.run_until_idle(10)
    assert net.interrupt(pid) is False


def test_deterministic_networks_make_the_same_ids(tmp_path):
    def run(path):
        with Network(path, services=False, deterministic=True) as net:
            a, b = net.spawn("a"), net.spawn("b")
            ev(net, a, f'Send({{ Target = "{b}", Action = "Hi" }})')
            ev(net, a, 'Spawn(ao._module, { Name = "kid" })')
            assert net.run_until_idle(10)
            return [(m["Id"], m["Timestamp"], m["From"]) for m in net.log.query()], net.wallet.address
    assert run(tmp_path / "one") == run(tmp_path / "two")


def test_log_query_by_process_action_and_time(net):
    a, b = net.spawn("a"), net.spawn("b")
    t0 = net.clock.now_ms()
    net.send(a, {"Action": "First"})
    net.clock.advance(5_000)
    net.send(b, {"Action": "Second"})
    net.send(a, {"Action": "Second"})
    assert net.run_until_idle(10)
    assert [m["Target"] for m in net.log.query(action="Second")] == [b, a]
    actions = [{t["name"]: t["value"] for t in m["Tags"]}.get("Action") for m in net.log.query(process=a, since=t0)]
    assert actions == [None, "First", "Second"]   # the spawn message, then the two sent to a
    assert [m["Target"] for m in net.log.query(action="Second", until=t0)] == []
    assert [m["Target"] for m in net.log.query(since=t0 + 1)] == [b, a]
    assert len(net.log.query(limit=1)) == 1


def test_eval_timeout_is_a_clear_error_and_the_message_still_runs(tmp_path):
    import threading
    gate = threading.Event()
    natives = {"gate": lambda bridge: bridge.make_module({"wait": lambda: gate.wait(30)})}
    with Network(tmp_path, services=False, natives=natives) as net:
        pid = net.spawn("a", natives=("gate",))
        net.send(pid, {"Action": "Eval"}, "require('gate').wait()")
        with pytest.raises(NetworkTimeout, match="No result"):
            net.eval(pid, "Later = 1", timeout=0.2)
        gate.set()
        assert net.run_until_idle(30)
        assert ev(net, pid, "Later") == "1"


def test_closed_network_refuses_work(tmp_path):
    net = Network(tmp_path, services=False)
    pid = net.spawn("a")
    net.close()
    net.close()   # twice is fine
    with pytest.raises(NetworkError, match="closed"):
        net.send(pid, {"Action": "X"})


def test_a_failing_subscriber_does_not_stop_the_process(net):
    pid = net.spawn("a")

    def broken(pid, result):
        raise RuntimeError("observer bug")

    net.subscribe(pid, broken)
    net.send(pid, {"Action": "Anything"})
    assert net.run_until_idle(10)
    assert any("observer bug" in line for line in net.notices)
    assert ev(net, pid, "#Inbox") == "2"


def test_unsubscribe(net):
    pid = net.spawn("a")
    assert net.run_until_idle(10)
    seen = []
    stop = net.subscribe(pid, lambda p, r: seen.append(p))
    net.send(pid, {"Action": "One"})
    assert net.run_until_idle(10)
    stop()
    net.send(pid, {"Action": "Two"})
    assert net.run_until_idle(10)
    assert seen == [pid]


def test_a_process_that_cannot_load_gives_a_clear_error_not_a_hang(tmp_path):
    def broken_factory(bridge):
        raise RuntimeError("native module exploded")

    with Network(tmp_path, services=False, natives={"bad": broken_factory}) as net:
        pid = net.spawn("a", natives=("bad",))
        result = net.eval(pid, "1 + 1", timeout=30)
        assert "native module exploded" in result["Error"]
        assert net.run_until_idle(10)
        ok = net.spawn("b")
        assert ev(net, ok, "1 + 1") == "2"   # the rest of the network is fine


def test_waiting_inside_a_subscriber_callback_is_refused_not_a_deadlock(net):
    pid = net.spawn("a")
    assert net.run_until_idle(10)
    errors = []

    def callback(p, result):
        try:
            net.eval(p, "1")
        except NetworkError as exc:
            errors.append(str(exc))

    net.subscribe(pid, callback)
    net.send(pid, {"Action": "Hello"})
    assert net.run_until_idle(10)
    assert errors and "subscriber callback" in errors[0]
