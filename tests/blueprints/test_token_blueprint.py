"""The `token` blueprint on a single process: the 2024 aos token's replies, errors and idempotent loading."""
import json

import pytest

from tests.token.support import BLUEPRINTS, WALLET, boot_with_blueprints, has_tags, make_id, plain, tag_map
from aosrepl.runtime.testing import AUTHORITY

SUPPLY = "10000000000000000"
ALICE = make_id("alice")


@pytest.fixture
def token():
    return boot_with_blueprints("token", name="ai-demo")


def from_self(token, action, tags=None, **extra):
    """A message the process sends itself (pushed by the MU, so Owner is the authority)."""
    return token.send(action, sender=token.id, owner=AUTHORITY, tags=tags, **extra)


def test_loading_prints_nothing_and_sets_the_token_up(token):
    assert token.load(BLUEPRINTS / "token.lua")[
        "Output"]["data"] == ""
    assert token.json("Balances") == {token.id: SUPPLY}
    assert token.value("TotalSupply") == SUPPLY
    assert token.value("Name") == "ai-demo"          # the process name wins over 'Points Coin'
    assert (token.value("Ticker"), token.value("Denomination"), token.value("Variant")) == ("PNTS", "12", "0.0.3")


def test_info(token):
    info = token.send("Info")[0]["Messages"][0]
    assert has_tags(info, {"Name": "ai-demo", "Ticker": "PNTS", "Denomination": "12",
                           "Logo": "SBCCXwwecBlDqRLUjb8dYABExTJXLieawf7m2aBJ-KY"})


def test_balance_has_no_action(token):
    reply = token.send("Balance", tags={"Recipient": token.id})[0]["Messages"][0]
    assert reply["Data"] == SUPPLY
    assert "Action" not in tag_map(reply)
    assert has_tags(reply, {"Balance": SUPPLY, "Ticker": "PNTS", "Account": token.id})
    assert token.send("Balance")[0]["Messages"][0]["Data"] == "0"


def test_transfer_notices_and_x_tags(token):
    result, _ = from_self(token, "Transfer", tags={"Recipient": ALICE, "Quantity": "250", "X-Note": "hi"})
    debit, credit = result["Messages"]
    assert debit["Target"] == token.id
    assert has_tags(debit, {"Action": "Debit-Notice", "Recipient": ALICE, "Quantity": "250", "X-Note": "hi"})
    assert plain(debit["Data"]) == f"You transferred 250 to {ALICE}"
    assert credit["Target"] == ALICE
    assert has_tags(credit, {"Action": "Credit-Notice", "Sender": token.id, "Quantity": "250", "X-Note": "hi"})
    assert plain(credit["Data"]) == f"You received 250 from {token.id}"
    assert token.json("Balances") == {token.id: "9999999999999750", ALICE: "250"}


def test_insufficient_balance(token):
    result, msg_id = token.send("Transfer", sender=ALICE, tags={"Recipient": WALLET, "Quantity": "1"})
    (error,) = result["Messages"]
    assert has_tags(error, {"Action": "Transfer-Error", "Message-Id": msg_id, "Error": "Insufficient Balance!"})
    assert token.json("Balances") == {token.id: SUPPLY}


@pytest.mark.parametrize("tags,text", [
    ({"Quantity": "5"}, "Recipient is required!"),
    ({"Recipient": ALICE}, "Quantity is required!"),
    ({"Recipient": ALICE, "Quantity": "0"}, "Quantity must be greater than 0"),
    ({"Recipient": ALICE, "Quantity": "-3"}, "Quantity must be greater than 0"),
    ({"Recipient": ALICE, "Quantity": "1.5"}, "Quantity must be a whole number!"),
])
def test_bad_transfers_take_the_handler_error_path(token, tags, text):
    result, _ = from_self(token, "Transfer", tags=tags)
    assert text in result["Error"]
    assert plain(result["Error"]).startswith("Error handling message with Action = Transfer")
    assert token.json("Balances") == {token.id: SUPPLY}


def test_cast_suppresses_the_notices(token):
    result, _ = from_self(token, "Transfer", tags={"Recipient": ALICE, "Quantity": "5", "Cast": "1"})
    assert result["Messages"] == []
    assert token.json("Balances")[ALICE] == "5"


def test_loading_twice_keeps_state(token):
    from_self(token, "Transfer", tags={"Recipient": ALICE, "Quantity": "5"})
    handlers = token.value("#Handlers.list")
    token.eval("Ticker = 'MINE'")
    token.load(BLUEPRINTS / "token.lua")
    assert token.json("Balances") == {token.id: "9999999999999995", ALICE: "5"}
    assert token.value("Ticker") == "MINE"
    assert token.value("#Handlers.list") == handlers


def test_mint(token):
    result, msg_id = token.send("Mint", tags={"Quantity": "100"})
    assert has_tags(result["Messages"][0], {"Action": "Mint-Error", "Message-Id": msg_id,
                                            "Error": "Only the Process Id can mint new PNTS tokens!"})
    result, _ = from_self(token, "Mint", tags={"Quantity": "100"})
    assert plain(result["Messages"][0]["Data"]) == "Successfully minted 100"
    assert token.value("TotalSupply") == "10000000000000100"
    assert "Quantity must be greater than zero!" in from_self(token, "Mint", tags={"Quantity": "0"})[0]["Error"]


def test_total_supply(token):
    reply = token.send("Total-Supply")[0]["Messages"][0]
    assert reply["Data"] == SUPPLY
    assert has_tags(reply, {"Action": "Total-Supply", "Ticker": "PNTS"})
    assert "Cannot call Total-Supply from the same process!" in from_self(token, "Total-Supply")[0]["Error"]


def test_burn(token):
    result, _ = from_self(token, "Burn", tags={"Quantity": "10"})
    assert plain(result["Messages"][0]["Data"]) == "Successfully burned 10"
    assert token.value("TotalSupply") == "9999999999999990"
    assert token.json("Balances") == {token.id: "9999999999999990"}


def test_balances(token):
    assert json.loads(token.send("Balances")[0]["Messages"][0]["Data"]) == {token.id: SUPPLY}
