"""The `staking` and `voting` blueprints on top of `token`, on one process: stake, unstake after the delay,
and a stake-weighted vote decided when its deadline comes."""
import pytest

from aosrepl.runtime.testing import AUTHORITY
from tests.token.support import BLUEPRINTS, boot_with_blueprints, make_id, plain, tag_map

ALICE = make_id("alice")
BOB = make_id("bob")


def at(height):
    return {"Block-Height": height}


@pytest.fixture
def dao():
    proc = boot_with_blueprints("token", "staking", "voting", name="dao")
    proc.eval(f'Balances["{ALICE}"] = "1000"; Balances["{BOB}"] = "300"')
    return proc


def send(proc, action, sender, height, tags=None):
    result, _ = proc.send(action, sender=sender, owner=AUTHORITY, tags=tags, **at(height))
    assert "Error" not in result, result.get("Error")
    return result


def reply_of(result):
    return tag_map(result["Messages"][-1])


def test_stake_moves_balance_into_stakers(dao):
    reply = reply_of(send(dao, "Stake", ALICE, 100, {"Quantity": "400", "UnstakeDelay": "10"}))
    assert (reply["Action"], reply["Quantity"], reply["Unstake-At"]) == ("Stake-Notice", "400", "110")
    assert dao.json("Balances")[ALICE] == "600"
    assert dao.json("Stakers")[ALICE] == {"amount": "400", "unstake_at": 110}


@pytest.mark.parametrize("tags,error", [
    ({"Quantity": "5000", "UnstakeDelay": "1"}, "Insufficient balance to stake"),
    ({"Quantity": "0"}, "Quantity must be greater than 0"),
    ({"Quantity": "1.5"}, "Quantity must be greater than 0"),
    ({"Quantity": "5", "UnstakeDelay": "soon"}, "UnstakeDelay must be a whole number of blocks"),
])
def test_bad_stakes_are_refused(dao, tags, error):
    reply = reply_of(send(dao, "Stake", ALICE, 100, tags))
    assert (reply["Action"], reply["Error"]) == ("Stake-Error", error)
    assert dao.json("Balances")[ALICE] == "1000"
    assert dao.json("Stakers") == []


def test_unstake_waits_for_the_delay_then_finalizes(dao):
    send(dao, "Stake", ALICE, 100, {"Quantity": "400", "UnstakeDelay": "10"})
    reply = reply_of(send(dao, "Unstake", ALICE, 102, {"Quantity": "150"}))
    assert (reply["Action"], reply["Release-At"]) == ("Unstake-Notice", "110")
    assert dao.json("Stakers")[ALICE]["amount"] == "250"
    assert dao.json("Unstaking")[ALICE] == {"amount": "150", "release_at": 110}

    send(dao, "Balance", BOB, 109)                          # any message finalizes what is due: nothing yet
    assert dao.json("Balances")[ALICE] == "600"
    result = send(dao, "Finalize", BOB, 110)
    released = [m for m in result["Messages"] if tag_map(m).get("Action") == "Unstake-Finalized"]
    assert [(m["Target"], tag_map(m)["Quantity"]) for m in released] == [(ALICE, "150")]
    assert result["Messages"][-1]["Data"] == "Finalized 1 unstake(s)"
    assert dao.json("Balances")[ALICE] == "750"
    assert dao.json("Unstaking") == []


def test_unstaking_more_than_staked_is_refused(dao):
    send(dao, "Stake", ALICE, 100, {"Quantity": "10", "UnstakeDelay": "0"})
    reply = reply_of(send(dao, "Unstake", ALICE, 100, {"Quantity": "11"}))
    assert (reply["Action"], reply["Error"]) == ("Unstake-Error", "Insufficient staked amount")
    reply = reply_of(send(dao, "Unstake", BOB, 100, {"Quantity": "1"}))
    assert reply["Action"] == "Unstake-Error"


def test_stake_weighted_vote_is_decided_at_its_deadline(dao):
    send(dao, "Stake", ALICE, 100, {"Quantity": "400", "UnstakeDelay": "50"})
    send(dao, "Stake", BOB, 100, {"Quantity": "300", "UnstakeDelay": "50"})
    reply = reply_of(send(dao, "Vote", ALICE, 100, {"Proposal": "raise-fees", "Side": "yay", "Deadline": "5"}))
    assert (reply["Action"], reply["Weight"]) == ("Vote-Notice", "400")
    send(dao, "Vote", BOB, 101, {"Proposal": "raise-fees", "Side": "nay"})
    assert dao.json("Votes")["raise-fees"]["yay"] == "400"
    assert dao.json("Votes")["raise-fees"]["nay"] == "300"

    assert "Handle Vote" not in plain(send(dao, "Balance", BOB, 104)["Output"]["data"])
    result = send(dao, "Balance", BOB, 105)
    assert "Handle Vote" in plain(result["Output"]["data"])
    assert dao.json("Proposals")["raise-fees"] == {"yay": "400", "nay": "300", "passed": True, "decided_at": 105}
    assert dao.json("Votes") == []


def test_votes_need_stake_a_side_and_one_vote_per_voter(dao):
    send(dao, "Stake", ALICE, 100, {"Quantity": "400", "UnstakeDelay": "50"})
    errors = [
        (BOB, {"Proposal": "p", "Side": "yay", "Deadline": "5"}, "No staked tokens to vote"),
        (ALICE, {"Proposal": "p", "Side": "maybe", "Deadline": "5"}, "Side must be yay or nay"),
        (ALICE, {"Side": "yay", "Deadline": "5"}, "Proposal is required!"),
        (ALICE, {"Proposal": "p", "Side": "yay", "Deadline": "later"}, "Deadline must be a whole number of blocks"),
    ]
    for voter, tags, error in errors:
        reply = reply_of(send(dao, "Vote", voter, 100, tags))
        assert (reply["Action"], reply["Error"]) == ("Vote-Error", error)
    send(dao, "Vote", ALICE, 100, {"Proposal": "p", "Side": "yay", "Deadline": "5"})
    reply = reply_of(send(dao, "Vote", ALICE, 101, {"Proposal": "p", "Side": "nay"}))
    assert reply["Error"] == "Already voted on p"
    assert dao.json("Votes")["p"]["nay"] == "0"


def test_a_rejected_proposal_is_recorded_without_action(dao):
    send(dao, "Stake", BOB, 100, {"Quantity": "300", "UnstakeDelay": "50"})
    send(dao, "Vote", BOB, 100, {"Proposal": "p", "Side": "nay", "Deadline": "0"})
    result = send(dao, "Balance", ALICE, 100)
    assert "Handle Vote" not in plain(result["Output"]["data"])
    assert dao.json("Proposals")["p"]["passed"] is False


def test_reloading_keeps_stakes_and_votes(dao):
    send(dao, "Stake", ALICE, 100, {"Quantity": "400", "UnstakeDelay": "50"})
    send(dao, "Vote", ALICE, 100, {"Proposal": "p", "Side": "yay", "Deadline": "9"})
    for name in ("token", "staking", "voting"):
        dao.load(BLUEPRINTS / f"{name}.lua")
    assert dao.json("Stakers")[ALICE]["amount"] == "400"
    assert dao.json("Votes")["p"]["yay"] == "400"
    assert dao.json("Balances")[ALICE] == "600"


def test_loading_out_of_order_explains_and_breaks_nothing():
    proc = boot_with_blueprints(name="dao")
    shown = plain(proc.load(BLUEPRINTS / "voting.lua")["Output"]["data"])
    assert shown == "The voting blueprint weighs votes by stake: .load-blueprint token, then .load-blueprint staking"
    shown = plain(proc.load(BLUEPRINTS / "staking.lua")["Output"]["data"])
    assert shown == "The staking blueprint stakes the token blueprint's Balances: .load-blueprint token"
    assert proc.value("Balances") == ""               # still nil: the token's own load mints the supply
    proc.load(BLUEPRINTS / "token.lua")
    assert proc.json("Balances") == {proc.id: "10000000000000000"}
    # voting answers a voter without stake instead of failing
    reply = reply_of(send(proc, "Vote", ALICE, 1, {"Proposal": "p", "Side": "yay", "Deadline": "1"}))
    assert reply["Error"] == "No staked tokens to vote"


def test_a_failing_proposal_hook_is_reported_and_the_message_still_handled(dao):
    dao.eval('OnProposalPassed = function(p) error("no treasury for " .. p) end')
    send(dao, "Stake", ALICE, 100, {"Quantity": "400", "UnstakeDelay": "50"})
    send(dao, "Vote", ALICE, 100, {"Proposal": "p", "Side": "yay", "Deadline": "0"})
    result = send(dao, "Stake", ALICE, 100, {"Quantity": "1", "UnstakeDelay": "50"})
    assert "OnProposalPassed failed for p:" in plain(result["Output"]["data"])
    assert "no treasury for p" in plain(result["Output"]["data"])
    assert reply_of(result)["Action"] == "Stake-Notice"
    assert dao.json("Proposals")["p"]["passed"] is True
