"""wAR on the real local network: the article's funding and balance sections, X- tags reaching a process,
and 1,000 random transfers among 10 processes (a fifth of them invalid)."""
import json
import random
import re

import pytest

from aosrepl import ids, services
from aosrepl.network import Network
from aosrepl.network.genesis import MINT_AMOUNT
from tests.token.support import plain

WAR = ids.WAR_TOKEN
FUND = "1000000000"                  # 0.001 wAR in base units


@pytest.fixture
def net(tmp_path):
    network = Network(tmp_path / "net", deterministic=True, workers=0)
    yield network
    network.close()


def settle(net):
    assert net.run_until_idle(timeout=120), "the network did not go idle"


def war_state(net, expression: str):
    """Read wAR's state with an Eval from its owner (the network's service wallet)."""
    result = net.eval(WAR, f"require('json').encode({expression})", signer=services.SERVICE_OWNER)
    return json.loads(plain(result["Output"]["data"]))


def tags_of(body: dict) -> dict:
    out = {}
    for tag in body.get("Tags", []):
        out.setdefault(tag["name"], tag["value"])
    return out


def test_article_sections_2_and_3(net):
    pid = net.find_or_spawn("ai-demo")
    settle(net)
    lines = []
    net.subscribe(pid, lambda _pid, result: lines.append(plain(result["Output"].get("data", ""))))

    # Section 2: the wallet sends 0.001 wAR to the process.
    net.send(WAR, {"Action": "Transfer", "Recipient": pid, "Quantity": FUND})
    settle(net)
    assert lines == ["New Message From xU9...h10: Action = Credit-Notice"]

    # Section 3: ask wAR for the balance; the Send's table comes back, then the Balance-Notice arrives.
    shown = net.eval(pid, 'Send({ Target = "xU9zFkq3X2ZQ6olwNVvr1vUWIjc3kXTWr7xKQD6dh10", Action = "Balance"})')
    table = plain(shown["Output"]["data"]).splitlines()
    assert (table[0], table[-1]) == ("{", "}")
    entries = sorted(re.sub(r"0x[0-9a-f]+", "0x…", line.strip().rstrip(",")) for line in table[1:-1])
    assert entries == ["onReply = function: 0x…", 'output = "Message added to outbox"', "receive = function: 0x…"]
    settle(net)
    assert lines[-1] == "New Message From xU9...h10: Action = Balance-Notice"
    assert plain(net.eval(pid, "Inbox[#Inbox].Data")["Output"]["data"]) == FUND
    assert war_state(net, "Balances")[pid] == FUND


def test_x_tags_reach_the_recipient_process(net):
    payer, payee = net.spawn("payer"), net.spawn("payee")
    net.send(WAR, {"Action": "Transfer", "Recipient": payer, "Quantity": "1000"})
    settle(net)
    net.eval(payer, f'Send({{ Target = "{WAR}", Action = "Transfer", Recipient = "{payee}", Quantity = "250",'
                    f' ["X-Prompt"] = "Tell a joke", ["X-Tokens"] = "30", ["X-Reference"] = "4" }})')
    settle(net)
    credit = json.loads(plain(net.eval(payee, "require('json').encode({ Inbox[#Inbox].Action, Inbox[#Inbox].Sender,"
                                              " Inbox[#Inbox].Quantity, Inbox[#Inbox]['X-Prompt'],"
                                              " Inbox[#Inbox]['X-Tokens'], Inbox[#Inbox]['X-Reference'] })")
                              ["Output"]["data"]))
    assert credit == ["Credit-Notice", payer, "250", "Tell a joke", "30", "4"]
    debit = plain(net.eval(payer, "Inbox[#Inbox].Action .. ' ' .. Inbox[#Inbox]['X-Reference']")["Output"]["data"])
    assert debit == "Debit-Notice 4"


INVALID_QUANTITIES = ["", "0", "-5", "1.5", "abc", "1e3", " 7", "0x10", "1" + "0" * 40]


def plan_transfers(rng, processes, count=1000):
    """(seq, sender, recipient, quantity, valid). Valid amounts are small enough that every sender can
    always pay, so validity does not depend on the order the token sees them in."""
    plan = []
    for seq in range(count):
        sender, recipient = rng.sample(processes, 2)
        if rng.random() < 0.2:
            plan.append((seq, sender, recipient, rng.choice(INVALID_QUANTITIES), False))
        else:
            plan.append((seq, sender, recipient, str(rng.randint(1, 1_000_000)), True))
    return plan


def lua_send(seq, recipient, quantity):
    return (f'Send({{ Target = "{WAR}", Action = "Transfer", Recipient = "{recipient}",'
            f' Quantity = "{quantity}", ["X-Seq"] = "{seq}" }})')


def test_random_transfers_conserve_supply_and_are_all_answered(net):
    rng = random.Random(5)
    processes = [net.spawn(f"trader-{i}") for i in range(10)]
    funding = 10 ** 12                                  # 1 wAR each: far more than 100 transfers can spend
    for pid in processes:
        net.send(WAR, {"Action": "Transfer", "Recipient": pid, "Quantity": str(funding)})
    settle(net)

    plan = plan_transfers(rng, processes)
    for start in range(0, len(plan), 25):               # 25 transfers at a time, one Eval per sender
        by_sender = {}
        for seq, sender, recipient, quantity, _ in plan[start:start + 25]:
            by_sender.setdefault(sender, []).append((seq, recipient, quantity))
        for sender in sorted(by_sender):
            net.send(sender, {"Action": "Eval"}, "\n".join(lua_send(*t) for t in by_sender[sender]))
    settle(net)

    transfers = {tags_of(m)["X-Seq"]: m for m in net.log.query(process=WAR, action="Transfer")
                 if "X-Seq" in tags_of(m)}
    errors = {}
    for m in net.log.query(action="Transfer-Error"):
        errors.setdefault(tags_of(m)["Message-Id"], []).append(m)
    debits, credits = {}, {}
    for m in net.log.query(action="Debit-Notice"):
        debits.setdefault(tags_of(m).get("X-Seq"), []).append(m)
    for m in net.log.query(action="Credit-Notice"):
        credits.setdefault(tags_of(m).get("X-Seq"), []).append(m)

    expected = {pid: funding for pid in processes}
    assert len(transfers) == len(plan)
    for seq, sender, recipient, quantity, valid in plan:
        transfer = transfers[str(seq)]
        assert "Error" not in net.log.result_of(WAR, transfer["Id"]), f"wAR failed on transfer {seq}"
        if valid:
            assert transfer["Id"] not in errors, (seq, quantity)
            (debit,) = debits[str(seq)]
            (credit,) = credits[str(seq)]
            assert debit["Target"] == sender and tags_of(debit)["Quantity"] == quantity
            assert credit["Target"] == recipient
            assert (tags_of(credit)["Sender"], tags_of(credit)["Quantity"]) == (sender, quantity)
            expected[sender] -= int(quantity)
            expected[recipient] += int(quantity)
        else:
            (error,) = errors[transfer["Id"]]
            assert error["Target"] == sender and tags_of(error)["Error"], (seq, quantity)
            assert str(seq) not in debits and str(seq) not in credits
    assert sum(not valid for *_, valid in plan) > 150

    balances = war_state(net, "Balances")
    assert all(re.fullmatch(r"\d+", value) for value in balances.values())
    assert {pid: int(balances[pid]) for pid in processes} == expected
    assert sum(int(v) for v in balances.values()) == int(MINT_AMOUNT)
    assert war_state(net, "TotalSupply") == MINT_AMOUNT


def test_the_ledger_survives_a_restart(tmp_path):
    with Network(tmp_path / "net", deterministic=True, workers=0) as first:
        pid = first.find_or_spawn("ai-demo")
        first.send(WAR, {"Action": "Transfer", "Recipient": pid, "Quantity": FUND})
        settle(first)
        before = war_state(first, "Balances")
    with Network(tmp_path / "net", deterministic=True, workers=0) as second:
        settle(second)
        assert war_state(second, "Balances") == before
        assert war_state(second, "TotalSupply") == MINT_AMOUNT       # genesis did not mint a second time
        assert before[pid] == FUND
