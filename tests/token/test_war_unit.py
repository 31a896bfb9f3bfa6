"""wAR on a single process: the outbox of every handler, and every way a Transfer can be refused."""
import json
import random

import pytest

from aosrepl import ids
from aosrepl.runtime.testing import make_msg
from tests.token.support import WAR_SOURCE, WALLET, boot_war, has_tags, make_id, plain, tag_map

FAUCET = "1000000000000000"          # what genesis mints for the wallet (1000 wAR)
ALICE = make_id("alice")
HERDER = ids.LLAMA_HERDER


@pytest.fixture
def war():
    war = boot_war()
    war.eval(f'GenesisMint("{WALLET}", "{FAUCET}")')
    return war


def balances(war) -> dict:
    return war.json("Balances")


def only_message(result) -> dict:
    assert "Error" not in result, result.get("Error")
    assert len(result["Messages"]) == 1, result["Messages"]
    return result["Messages"][0]


def test_token_identity(war):
    assert war.value("Name") == "Wrapped AR"
    assert war.value("Ticker") == "wAR"
    assert war.value("Denomination") == "12"
    info = tag_map(only_message(war.send("Info")[0]))
    assert (info["Name"], info["Ticker"], info["Denomination"]) == ("Wrapped AR", "wAR", "12")


def test_genesis_mint_funds_the_wallet_and_the_supply(war):
    assert balances(war) == {WALLET: FAUCET}
    assert war.value("TotalSupply") == FAUCET
    war.eval(f'GenesisMint("{ALICE}", "5")')
    assert balances(war) == {WALLET: FAUCET, ALICE: "5"}
    assert war.value("TotalSupply") == "1000000000000005"


def test_amounts_beyond_64_bits(war):
    huge = "123456789012345678901234567890"
    war.eval(f'GenesisMint("{ALICE}", "{huge}")')
    result, _ = war.send("Transfer", sender=ALICE, tags={"Recipient": WALLET, "Quantity": "99999999999999999999"})
    assert [tag_map(m)["Action"] for m in result["Messages"]] == ["Debit-Notice", "Credit-Notice"]
    assert balances(war) == {ALICE: str(int(huge) - 99999999999999999999),
                             WALLET: str(int(FAUCET) + 99999999999999999999)}
    assert war.value("TotalSupply") == str(int(FAUCET) + int(huge))


def test_transfer_sends_a_debit_and_a_credit_notice(war):
    result, _ = war.send("Transfer", tags={"Recipient": ALICE, "Quantity": "1000000000", "X-Note": "coffee"})
    debit, credit = result["Messages"]
    assert debit["Target"] == WALLET
    assert has_tags(debit, {"Action": "Debit-Notice", "Recipient": ALICE, "Quantity": "1000000000",
                             "X-Note": "coffee"})
    assert plain(debit["Data"]) == f"You transferred 1000000000 to {ALICE}"
    assert credit["Target"] == ALICE
    assert has_tags(credit, {"Action": "Credit-Notice", "Sender": WALLET, "Quantity": "1000000000",
                             "X-Note": "coffee"})
    assert plain(credit["Data"]) == f"You received 1000000000 from {WALLET}"
    assert balances(war) == {WALLET: "999999000000000", ALICE: "1000000000"}
    assert war.value("TotalSupply") == FAUCET


def test_herder_payment_carries_its_x_tags_to_both_notices(war):
    tags = {"Recipient": HERDER, "Quantity": "250", "X-Prompt": "What is the meaning of life?",
            "X-Tokens": "20", "X-Reference": "3"}
    result, _ = war.send("Transfer", tags=tags, Reference="9")
    debit, credit = (tag_map(m) for m in result["Messages"])
    for name in ("X-Prompt", "X-Tokens", "X-Reference"):
        assert credit[name] == tags[name]
        assert debit[name] == tags[name]
    assert credit["Sender"] == WALLET and credit["Quantity"] == "250"
    # one X-Reference each: msg.reply must not duplicate the forwarded one
    assert [t["name"] for t in result["Messages"][0]["Tags"]].count("X-Reference") == 1
    assert [t["name"] for t in result["Messages"][1]["Tags"]].count("X-Reference") == 1


def test_leading_zeros_are_normalised(war):
    result, _ = war.send("Transfer", tags={"Recipient": ALICE, "Quantity": "0007"})
    assert tag_map(result["Messages"][1])["Quantity"] == "7"
    assert balances(war)[ALICE] == "7"


def test_cast_moves_funds_without_notices(war):
    result, _ = war.send("Transfer", tags={"Recipient": ALICE, "Quantity": "10", "Cast": "true"})
    assert result["Messages"] == []
    assert balances(war)[ALICE] == "10"


def test_transfer_to_oneself_changes_nothing_but_notifies(war):
    result, _ = war.send("Transfer", tags={"Recipient": WALLET, "Quantity": "10"})
    assert len(result["Messages"]) == 2
    assert balances(war) == {WALLET: FAUCET}


BAD_QUANTITIES = [
    ("", "Quantity is required!"),
    ("0", "Quantity must be greater than 0"),
    ("000", "Quantity must be greater than 0"),
    ("-5", "Quantity must be a whole number of base units!"),
    ("1.5", "Quantity must be a whole number of base units!"),
    ("0.001", "Quantity must be a whole number of base units!"),
    ("abc", "Quantity must be a whole number of base units!"),
    ("1e9", "Quantity must be a whole number of base units!"),
    (" 5", "Quantity must be a whole number of base units!"),
    ("5 ", "Quantity must be a whole number of base units!"),
    ("+5", "Quantity must be a whole number of base units!"),
    ("0x10", "Quantity must be a whole number of base units!"),
    ("1000000000000001", "Insufficient Balance!"),
    ("9" * 80, "Insufficient Balance!"),
]


@pytest.mark.parametrize("quantity,error", BAD_QUANTITIES)
def test_bad_quantity_is_answered_with_transfer_error(war, quantity, error):
    result, msg_id = war.send("Transfer", tags={"Recipient": ALICE, "Quantity": quantity})
    answer = only_message(result)
    assert answer["Target"] == WALLET
    assert has_tags(answer, {"Action": "Transfer-Error", "Message-Id": msg_id, "Error": error})
    assert balances(war) == {WALLET: FAUCET}
    assert war.value("TotalSupply") == FAUCET


def test_missing_quantity_or_recipient(war):
    for tags, error in (({"Recipient": ALICE}, "Quantity is required!"),
                        ({"Quantity": "5"}, "Recipient is required!")):
        result, msg_id = war.send("Transfer", tags=tags)
        assert has_tags(only_message(result), {"Action": "Transfer-Error", "Message-Id": msg_id,
                                                "Error": error})
    assert balances(war) == {WALLET: FAUCET}


@pytest.mark.parametrize("recipient", ["bob", ALICE + "x", ALICE[:-1] + "!", "0x12"])
def test_a_recipient_that_is_no_address_is_refused(war, recipient):
    result, msg_id = war.send("Transfer", tags={"Recipient": recipient, "Quantity": "5"})
    assert has_tags(only_message(result), {"Action": "Transfer-Error", "Message-Id": msg_id,
                                            "Error": "Recipient must be a process id or a wallet address!"})
    assert balances(war) == {WALLET: FAUCET}


def test_an_ethereum_style_recipient_is_an_address(war):
    recipient = "0x" + "ab" * 20
    result, _ = war.send("Transfer", tags={"Recipient": recipient, "Quantity": "5"})
    assert [tag_map(m)["Action"] for m in result["Messages"]] == ["Debit-Notice", "Credit-Notice"]
    assert balances(war)[recipient] == "5"


def test_an_account_without_balance_cannot_transfer(war):
    result, _ = war.send("Transfer", sender=ALICE, tags={"Recipient": WALLET, "Quantity": "1"})
    assert tag_map(only_message(result))["Error"] == "Insufficient Balance!"
    assert balances(war) == {WALLET: FAUCET}


def test_balance_notice_replies_with_x_reference(war):
    result, _ = war.send("Balance", Reference="12", tags={"Reference": "12"})
    notice = only_message(result)
    assert notice["Target"] == WALLET
    assert notice["Data"] == FAUCET
    assert has_tags(notice, {"Action": "Balance-Notice", "Balance": FAUCET, "Ticker": "wAR",
                             "Account": WALLET, "X-Reference": "12"})


def test_balance_of_another_account(war):
    notice = only_message(war.send("Balance", tags={"Recipient": ALICE})[0])
    assert notice["Data"] == "0"
    assert tag_map(notice)["Account"] == ALICE


def test_balances_is_json(war):
    assert json.loads(only_message(war.send("Balances")[0])["Data"]) == {WALLET: FAUCET}


def test_mint_is_restricted(war):
    result, msg_id = war.send("Mint", sender=ALICE, tags={"Quantity": "100"})
    assert has_tags(only_message(result), {"Action": "Mint-Error", "Message-Id": msg_id,
                                            "Error": "Only the Process Id can mint new wAR tokens!"})
    assert ALICE not in balances(war)
    assert war.value("TotalSupply") == FAUCET


def test_mint_by_the_process_itself(war):
    result, _ = war.send("Mint", sender=ids.WAR_TOKEN, tags={"Quantity": "100"})
    assert plain(only_message(result)["Data"]) == "Successfully minted 100"
    assert balances(war)[ids.WAR_TOKEN] == "100"
    assert war.value("TotalSupply") == "1000000000000100"
    result, _ = war.send("Mint", sender=ids.WAR_TOKEN, tags={"Quantity": "-1"})
    assert tag_map(only_message(result))["Action"] == "Mint-Error"


def test_total_supply(war):
    notice = only_message(war.send("Total-Supply")[0])
    assert notice["Data"] == FAUCET
    assert has_tags(notice, {"Action": "Total-Supply", "Ticker": "wAR"})
    # asking itself would answer itself forever: it is ignored
    assert war.send("Total-Supply", sender=ids.WAR_TOKEN)[0]["Messages"] == []


def test_reloading_keeps_the_ledger(war):
    war.send("Transfer", tags={"Recipient": ALICE, "Quantity": "5"})
    handlers = war.value("#Handlers.list")
    war.load(WAR_SOURCE)
    assert balances(war) == {WALLET: str(int(FAUCET) - 5), ALICE: "5"}
    assert war.value("TotalSupply") == FAUCET
    assert war.value("#Handlers.list") == handlers


def test_genesis_mint_refuses_bad_input(war):
    result = war.p.handle(make_msg(war.p, action="Eval", data='GenesisMint("x", "1.5")'), war.env)
    assert "Quantity must be a whole number" in result["Error"]
    assert war.value("TotalSupply") == FAUCET


JUNK = ["", " ", "0", "-0", "1", "7", "00", "1.0", "1e2", "NaN", "inf", "-1", "9" * 300, "ü", "\x00", "{}",
        ALICE, WALLET, "0x" + "ab" * 20, "nil", "true", "%d+", "1 1"]


def test_no_message_makes_war_fail(war):
    """Random Actions and tag values from random senders: wAR answers or ignores, never errors, and the
    supply stays whole."""
    rng = random.Random(11)
    actions = ["Transfer", "Balance", "Balances", "Info", "Mint", "Total-Supply", "Burn", None, "transfer"]
    senders = [WALLET, ALICE, ids.WAR_TOKEN]
    for _ in range(300):
        tags = {name: rng.choice(JUNK) for name in ("Recipient", "Quantity", "Target", "Cast", "X-Note")
                if rng.random() < 0.7}
        result, _ = war.send(rng.choice(actions), sender=rng.choice(senders), tags=tags,
                             data=rng.choice(JUNK))
        assert "Error" not in result, (tags, result.get("Error"))
    ledger = balances(war)
    assert all(value.isdigit() for value in ledger.values())
    assert sum(int(value) for value in ledger.values()) == int(war.value("TotalSupply"))
