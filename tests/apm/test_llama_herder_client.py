"""@sam/Llama-Herder against the local herder and wAR: prices first, payment with the X- tags,
callbacks routed by X-Reference, default printing, Inference-Error."""
from __future__ import annotations

from aosrepl import ids
from aosrepl.services import BLUEPRINTS_DIR

PROMPT = "What is the meaning of life?"   # 6 words


def installed(play):
    play.eval((BLUEPRINTS_DIR / "apm.lua").read_text())
    play.type("APM.update()")
    play.type('APM.install("@sam/Llama-Herder")')
    play.net.send(ids.WAR_TOKEN, {"Action": "Transfer", "Recipient": play.pid, "Quantity": "1000000000"})
    assert play.live() == ["New Message From xU9...h10: Action = Credit-Notice"]
    play.eval('Llama = require("@sam/Llama-Herder")')


def payments(play):
    out = []
    for message in play.net.log.query(action="Transfer", sender=play.pid):
        out.append({t["name"]: t["value"] for t in message["Tags"]})
    return out


def from_herder(play, tags, data=""):
    play.net.send(play.pid, tags, data, signer=ids.LLAMA_HERDER)
    return play.live()


def test_run_fetches_prices_pays_and_routes_the_answer(play):
    installed(play)
    assert play.value("Llama.calculateFee('a b', 3)") == "LlamaHerder: No base fee found. Get prices before calculating."
    lines = play.type(f'Llama.run("{PROMPT}", 20, function(text) REPLY = text end)')
    assert lines == ["LlamaHerder: Handling new price info...", "New Message From xU9...h10: Action = Debit-Notice"]
    assert play.value("Llama.feeBase .. ' ' .. Llama.feeToken .. ' ' .. Llama.Reference") == "1 1 1"
    (paid,) = payments(play)
    assert paid["Recipient"] == ids.LLAMA_HERDER
    assert (paid["Quantity"], paid["X-Prompt"], paid["X-Tokens"], paid["X-Reference"]) == ("27", PROMPT, "20", "1")
    assert play.net.log.query(action="Transfer", sender=play.pid)[0]["Target"] == ids.WAR_TOKEN
    assert play.value("Llama.calculateFee('a b', 3)") == "6"
    # the herder answers: the callback gets the text and is dropped
    assert from_herder(play, {"Action": "Inference-Response", "X-Reference": "1"}, "forty-two") == []
    assert play.value("REPLY") == "forty-two"
    assert play.value("Llama.inferenceCallbacks") == "{  }"


def test_no_callback_prints_and_errors_drop_the_callback(play):
    installed(play)
    play.type("Llama.getPrices()")
    play.type('Llama.run("hello", 5)')
    assert from_herder(play, {"Action": "Inference-Response", "X-Reference": "1"}, "hi there") == [
        "LlamaHerder response: hi there"]
    play.type('Llama.run("again", 5, function(t) REPLY = t end)')
    assert play.value("type(Llama.inferenceCallbacks[2])") == "function"
    assert from_herder(play, {"Action": "Inference-Error", "X-Reference": "2", "Error": "model exploded"}) == [
        "LlamaHerder error: model exploded"]
    assert play.value("Llama.inferenceCallbacks") == "{  }"


def test_fee_options_and_queue_bump(play):
    installed(play)
    from_herder(play, {"Action": "Info-Response", "Base-Fee": "10", "Token-Fee": "2", "Last-Multiplier": "1",
                       "Queue-Length": "3"})
    play.type('Llama.run("one two", 8)')               # (10 + 2 * 10) * 1.005 = 30.15 -> 31
    play.type('Llama.run("one two", 8, nil, { Fee = 500 })')
    play.type('Llama.run("one two", 8, nil, { Multiplier = 2 })')   # 30.15 * 2 = 60.3 -> 61
    assert [p["Quantity"] for p in payments(play)] == ["31", "500", "61"]
    assert [p["X-Reference"] for p in payments(play)] == ["1", "2", "3"]


def test_bad_arguments_are_refused_clearly(play):
    installed(play)
    assert "the prompt must be a string" in play.value("Llama.run(nil, 5)")
    assert "the number of tokens must be a positive integer" in play.value('Llama.run("x", -1)')
    assert payments(play) == []
