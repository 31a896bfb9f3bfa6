"""`request` sends a message and returns its whole result, outbox included, however fast it is handled; a
result read back from the log afterwards (`wait_result`) has only Output or Error. The console's `.fund` waits
for wAR's answer with `request`: with `send` + `wait_result` the Debit-Notice was lost whenever the transfer
had already been handled (seen under load)."""
from tests.network.conftest import ev

PONG = 'Handlers.add("ping", Handlers.utils.hasMatchingTag("Action", "Ping"), ' \
       'function(m) ao.send({Target = m.From, Action = "Pong"}) end)'


def _actions(result):
    return [{t["name"]: t["value"] for t in m["Tags"]}.get("Action") for m in result.get("Messages", [])]


def test_request_returns_the_outbox_even_when_handled_at_once(net):
    pid = net.spawn("p")
    ev(net, pid, PONG)
    for _ in range(20):
        assert _actions(net.request(pid, {"Action": "Ping"}, timeout=30)) == ["Pong"]


def test_a_result_read_back_from_the_log_has_no_outbox(net):
    pid = net.spawn("p")
    ev(net, pid, PONG)
    mid = net.send(pid, {"Action": "Ping"})
    assert net.run_until_idle(30)
    stored = net.wait_result(pid, mid, timeout=30)
    assert "Output" in stored and "Messages" not in stored
