"""Spawning, sending, replies, spawns, assignments and message stamping between real Lua processes."""
import threading

from aosrepl import ids
from tests.network.conftest import ev, lua


def test_fresh_process_has_its_spawn_message_in_the_inbox(net):
    pid = net.spawn("ai-demo")
    assert ids.is_id(pid)
    assert ev(net, pid, "#Inbox") == "1"
    assert ev(net, pid, "Inbox[1].Id == ao.id") == "true"
    assert ev(net, pid, "Owner") == net.wallet.address
    assert ev(net, pid, "Name") == "ai-demo"
    assert "[Inbox:" in net.eval(pid, "1")["Output"]["prompt"]


def test_spawn_tags_are_aos_ones_plus_the_users(net):
    pid = net.spawn("p", tags={"Custom": "x"})
    tags = [(t["name"], t["value"]) for t in net.process_tags(pid)]
    for expected in [("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Process"),
                     ("Module", ids.AOS_MODULE_ID), ("Scheduler", ids.SCHEDULER_ID), ("SDK", "aoconnect"),
                     ("App-Name", "aos"), ("Name", "p"), ("Authority", ids.MU_AUTHORITY), ("Custom", "x")]:
        assert expected in tags
    spawn = net.get_message(pid)
    assert spawn["Id"] == pid and spawn["From"] == net.wallet.address == spawn["Owner"]
    assert ev(net, pid, "ao.env.Process.Tags.Custom") == "x"


def test_find_or_spawn_reuses_the_wallets_process(net):
    a = net.find_or_spawn("one")
    assert net.find_or_spawn("one") == a
    assert net.find_or_spawn("two") != a
    assert net.find_or_spawn(a) == a
    assert [p.name for p in net.processes()] == ["one", "two"]
    assert {p.kind for p in net.processes()} == {"user"}


def test_process_messages_are_stamped_like_ao(net):
    a, b = net.spawn("a"), net.spawn("b")
    ev(net, b, "Handlers.add('hello', 'Hello', function(m) LastHello = m end)")
    ev(net, a, f'Send({{Target = "{b}", Action = "Hello", Num = 1.5, Flag = true, Int = 3}})')
    assert net.run_until_idle(10)
    msg = net.log.query(process=b, action="Hello")[0]
    assert msg["From"] == a and msg["Owner"] == ids.MU_AUTHORITY and msg["Target"] == b
    tags = {t["name"]: t["value"] for t in msg["Tags"]}
    assert tags["Num"] == "1.5" and tags["Flag"] == "true" and tags["Int"] == "3"
    assert tags["From-Process"] == a and tags["From-Module"] == ids.AOS_MODULE_ID
    # what b's handler saw: the MU/SU fields
    seen = ev(net, b, "table.concat({ LastHello.From, LastHello.Owner, LastHello.Nonce, LastHello.Epoch, "
                      "LastHello.Module, LastHello.Timestamp, LastHello['Block-Height'], "
                      "LastHello['Hash-Chain'], LastHello.Id, tostring(LastHello.Cron) }, ' ')").split(" ")
    assert seen[:5] == [a, ids.MU_AUTHORITY, "3", "0", ids.AOS_MODULE_ID]
    assert int(seen[5]) == msg["Timestamp"] == net.clock.now_ms()
    assert int(seen[6]) == msg["Block-Height"] > 1_000_000
    assert ids.is_id(seen[7]) and seen[8] == msg["Id"] and seen[9] == "false"
    assert ev(net, b, "#Inbox") == "1"   # the Hello was handled, not put in the Inbox


def test_nonces_count_up_per_process_and_hash_chain_links(net):
    from aosrepl.network.messages import next_hash_chain
    a = net.spawn("a")
    ev(net, a, "Nonces = {}; Links = {}; Handlers.add('n', 'N', function(m) "
               "table.insert(Nonces, m.Nonce); table.insert(Links, m['Hash-Chain']) end)")
    for _ in range(3):
        net.send(a, {"Action": "N"})
    assert net.run_until_idle(10)
    assert ev(net, a, "table.concat(Nonces, ',')") == "3,4,5"   # 1 the spawn, 2 the Eval
    order = [m["Id"] for m in net.log.query(process=a)][:5]
    link = None
    expected = []
    for mid in order:
        link = next_hash_chain(link, mid)
        expected.append(link)
    assert ev(net, a, "table.concat(Links, ',')") == ",".join(expected[2:5])


def test_ping_pong_ten_thousand_messages(net):
    a, b = net.spawn("a"), net.spawn("b")
    for pid in (a, b):
        ev(net, pid, lua("pingpong.lua"))
    ev(net, a, f'Send({{Target = "{b}", Action = "Ping", N = "9999"}})')
    assert net.run_until_idle(timeout=300)
    assert ev(net, a, "Received") == "5000"
    assert ev(net, b, "Received") == "5000"


def test_handler_waiting_in_receive_resumes_when_the_peer_replies(net):
    a, b = net.spawn("a"), net.spawn("b")
    ev(net, a, lua("asker.lua"))
    ev(net, b, lua("answerer.lua"))
    net.send(a, {"Action": "Ask", "Peer": b}, "21")
    assert net.run_until_idle(10)
    assert ev(net, a, "table.concat(Answers, ',')") == "asked,42"


def test_eval_waiting_in_receive_resumes_later(net):
    a, b = net.spawn("a"), net.spawn("b")
    ev(net, b, lua("answerer.lua"))
    result = net.eval(a, f'Got = Send({{Target = "{b}", Action = "Question", Data = "5"}}).receive().Data')
    assert "Error" not in result
    assert net.run_until_idle(10)
    assert ev(net, a, "Got") == "10"


def test_spawn_from_a_process_and_receive_the_spawned_notice(net):
    a = net.spawn("parent")
    ev(net, a, lua("spawner.lua"))
    net.send(a, {"Action": "MakeChild"}, "kid")
    assert net.run_until_idle(10)
    kids = [p for p in net.processes() if p.name == "kid"]
    assert len(kids) == 1
    kid = kids[0]
    assert kid.owner == a and kid.kind == "user"
    assert ev(net, a, "Children[1]") == kid.id
    notice = net.log.query(process=a, action="Spawned")[0]
    assert notice["From"] == a
    assert {t["name"]: t["value"] for t in notice["Tags"]}["Process"] == kid.id
    # the child booted from its spawn message: parent is its Owner, and it takes messages from the parent
    ev(net, a, f'Send({{Target = "{kid.id}", Action = "Eval", Data = "Seen = Owner"}})')
    assert net.run_until_idle(10)
    assert net.eval(kid.id, "Seen", signer=a)["Output"]["data"] == a
    child_tags = {t["name"]: t["value"] for t in net.process_tags(kid.id)}
    assert child_tags["Child-Tag"] == "yes" and child_tags["From-Process"] == a


def test_assignment_through_an_assignable(net):
    a, b = net.spawn("a"), net.spawn("b")
    ev(net, b, lua("recorder.lua"))
    ev(net, b, 'ao.addAssignable("shared", { Action = "Shared" })')
    shared = net.send(a, {"Action": "Shared"}, "payload")
    other = net.send(a, {"Action": "Private"}, "secret")
    ev(net, a, f'Assign({{ Processes = {{ "{b}" }}, Message = "{shared}" }})')
    ev(net, a, f'Assign({{ Processes = {{ "{b}" }}, Message = "{other}" }})')
    assert net.run_until_idle(10)
    assert ev(net, b, "#Seen") == "1"
    assert ev(net, b, "Seen[1]") == f"Shared:{net.wallet.address}"
    assigned = [m for m in net.log.query(process=b) if m["Id"] == shared]
    assert assigned and assigned[0]["Target"] == a   # Target stays the original one
    # the rejected assignment got the gate's reply back to the sender
    assert any(m["Data"] == "Assignment is not trusted by this process!" for m in net.wallet_inbox())


def test_message_to_unknown_target_is_kept_and_reported(net):
    a = net.spawn("a")
    nowhere = ids.derived("nowhere")
    seen = []
    net.subscribe_notices(seen.append)
    ev(net, a, f'Send({{Target = "{nowhere}", Action = "Lost"}})')
    assert net.run_until_idle(10)
    lost = net.undeliverable()
    assert len(lost) == 1 and lost[0]["Target"] == nowhere
    assert seen and nowhere in seen[0] and "kept in the log" in seen[0]
    assert net.log.query(action="Lost")[0]["Id"] == lost[0]["Id"]


def test_messages_to_the_wallet_are_its_inbox(net):
    a = net.spawn("a")
    ev(net, a, f'Send({{Target = "{net.wallet.address}", Action = "Debit-Notice", Data = "hi"}})')
    assert net.run_until_idle(10)
    inbox = net.wallet_inbox()
    assert [m["Data"] for m in inbox] == ["hi"]
    assert net.undeliverable() == []


def test_subscribers_get_printing_results_only(net):
    a, b = net.spawn("a"), net.spawn("b")
    assert net.run_until_idle(10)   # (the spawn messages' results print too)
    mine, everything = [], []
    net.subscribe(a, lambda pid, r: mine.append((pid, r["Output"]["data"])))
    net.subscribe_all(lambda pid, r: everything.append(pid))
    ev(net, a, "1 + 1")                      # an Eval result: no print flag
    ev(net, b, f'Send({{Target = "{a}", Data = "hello"}})')
    assert net.run_until_idle(10)
    assert len(mine) == 1 and mine[0][0] == a and "New Message From" in mine[0][1]
    assert everything == [a]


def test_send_rejects_bad_input_clearly(net):
    import pytest
    a = net.spawn("a")
    with pytest.raises(ValueError, match="43-character"):
        net.send("short", {"Action": "X"})
    with pytest.raises(ValueError, match="tag"):
        net.send(a, "Action=X")
    with pytest.raises(ValueError, match="data must be text"):
        net.send(a, {"Action": "X"}, data={"a": 1})
    with pytest.raises(ValueError, match="id"):
        net.send(a, {"Action": "X"}, msg_id="bad id")
    fixed = ids.derived("fixed")
    assert net.send(a, {"Action": "X"}, msg_id=fixed) == fixed
    from aosrepl.network import NetworkError
    with pytest.raises(NetworkError, match="already exists"):
        net.send(a, {"Action": "X"}, msg_id=fixed)
    with pytest.raises(NetworkError, match="No process"):
        net.eval(ids.derived("nobody"), "1")
    assert ev(net, a, "1") == "1"   # nothing broke


def test_any_signer_is_accepted_and_its_mail_kept(net):
    a = net.spawn("a")
    other = ids.derived("someone")
    ev(net, a, "Handlers.add('r', 'Hi', function(m) m.reply({ Data = 'back' }) end)")
    net.send(a, {"Action": "Hi"}, signer=other)
    assert net.run_until_idle(10)
    assert [m["Data"] for m in net.wallet_inbox(other)] == ["back"]


def test_a_blocking_handler_does_not_delay_another_process(tmp_path):
    from aosrepl.network import Network
    release = threading.Event()
    entered = threading.Event()
    events = []

    def wait():
        entered.set()
        events.append("A blocked")
        release.wait(30)
        events.append("A released")
        return "done"

    natives = {"blocker": lambda bridge: bridge.make_module({"wait": wait})}
    with Network(tmp_path, services=False, natives=natives) as net:
        a = net.spawn("a", natives=("blocker",))
        b = net.spawn("b")
        ev(net, a, "Handlers.add('block', 'Block', function() Result = require('blocker').wait() end)")
        net.send(a, {"Action": "Block"})
        assert entered.wait(30)
        events.append("B eval " + ev(net, b, "1 + 1"))
        events.append("B again " + ev(net, b, "2 + 2"))
        release.set()
        assert net.run_until_idle(30)
        assert events == ["A blocked", "B eval 2", "B again 4", "A released"]
        assert ev(net, a, "Result") == "done"


def test_spawn_data_with_on_boot_runs_at_boot(net):
    pid = net.spawn("booter", tags={"On-Boot": "Data"}, data="BootedWith = 42")
    assert ev(net, pid, "BootedWith") == "42"
    assert net.get_message(pid)["Data"] == "BootedWith = 42"


def test_child_spawned_with_on_boot_runs_its_data(net):
    a = net.spawn("parent")
    ev(net, a, 'Spawn(ao._module, { Name = "kid", ["On-Boot"] = "Data", Data = "Hello = \'from boot\'" })')
    assert net.run_until_idle(10)
    kid = next(p for p in net.processes() if p.name == "kid")
    assert net.eval(kid.id, "Hello", signer=a)["Output"]["data"] == "from boot"


def test_odd_text_is_stored_and_delivered_unchanged(net):
    a = net.spawn("a")
    ev(net, a, "Got = {}; Handlers.add('t', 'T', function(m) table.insert(Got, m.Data) end)")
    odd = "emoji 📦, nul \x00 byte, ünïcode"
    net.send(a, {"Action": "T", "Note": "📦"}, odd)
    net.send(a, {"Action": "T\udcff"}, "lone \udcff surrogate")   # not crashing is what matters here
    assert net.run_until_idle(10)
    assert ev(net, a, "Got[1]") == odd
    stored = net.log.query(action="T")[0]
    assert stored["Data"] == odd and {"name": "Note", "value": "📦"} in stored["Tags"]
    assert ev(net, a, "#Got") == "1"


def test_notice_subscribers_may_call_back_into_the_network(net):
    a = net.spawn("a")
    forwarded = []

    def on_notice(text):
        forwarded.append(net.send(a, {"Action": "Notice"}, text))

    net.subscribe_notices(on_notice)
    ev(net, a, f'Send({{ Target = "{ids.derived("void")}", Action = "Lost" }})')
    assert net.run_until_idle(10)
    assert len(forwarded) == 1
    assert "not a process on this network" in ev(net, a, "Inbox[#Inbox].Data")


def test_a_process_feed_leaves_out_what_its_assignments_printed(net):
    a, b = net.spawn("a"), net.spawn("b")
    ev(net, b, 'ao.addAssignable("any", { Action = "Shared" }); '
               'Handlers.add("s", "Shared", function() print("assigned output") end)')
    shared = net.send(a, {"Action": "Shared"})
    assert net.run_until_idle(10)
    feed, everything = [], []
    net.subscribe(b, lambda pid, r: feed.append(r["Output"]["data"]))
    net.subscribe_all(lambda pid, r: everything.append((pid, r["Output"]["data"])))
    ev(net, a, f'Assign({{ Processes = {{ "{b}" }}, Message = "{shared}" }})')
    assert net.run_until_idle(10)
    assert feed == []                                   # aos's live feed shows the process's own messages
    assert (b, "assigned output") in everything         # watchers of the whole network see it
    assert net.log.result_of(b, shared)["Output"]["data"] == "assigned output"


def test_many_processes_exchanging_at_once_keep_counts_and_per_sender_order(net):
    peers = [net.spawn(f"p{i}") for i in range(6)]
    listing = ", ".join(f'"{p}"' for p in peers)
    for pid in peers:
        ev(net, pid, f"Peers = {{ {listing} }}\n" + lua("hopper.lua"))
    sends, ttl = 40, 5
    for i, pid in enumerate(peers):   # every process starts 40 chains at once
        ev(net, pid, f'for s = 1, {sends} do Send({{ Target = Peers[{(i + 1) % 6 + 1}], Action = "Hop", '
                     f'Origin = "{i}", Seq = tostring(s), TTL = "{ttl}" }}) end')
    assert net.run_until_idle(120)
    seen = []
    for j, pid in enumerate(peers):
        text = ev(net, pid, "table.concat(Seen, ',')")
        entries = [tuple(map(int, e.split(":"))) for e in text.split(",")] if text else []
        seen += [(origin, seq) for origin, seq, _ in entries]
        # first hops come straight from one sender: handled in the order that sender sent them
        first = [(origin, seq) for origin, seq, left in entries if left == ttl]
        assert first == [((j - 1) % 6, s) for s in range(1, sends + 1)]
    assert len(seen) == len(peers) * sends * (ttl + 1)
    assert set(seen) == {(o, s) for o in range(6) for s in range(1, sends + 1)}


def test_a_process_cannot_claim_to_be_another(net):
    a, b = net.spawn("a"), net.spawn("b")
    fake = ids.derived("someone else")
    ev(net, a, f'Send({{ Target = "{b}", Action = "Hi", ["From-Process"] = "{fake}" }}); '
               f'Spawn(ao._module, {{ Name = "kid", ["From-Process"] = "{fake}" }})')
    assert net.run_until_idle(10)
    hi = net.log.query(action="Hi")[0]
    assert [t["value"] for t in hi["Tags"] if t["name"] == "From-Process"] == [a]
    kid = next(p for p in net.processes() if p.name == "kid")
    assert kid.owner == a
    assert net.eval(kid.id, "Owner", signer=a)["Output"]["data"] == a
