"""The herder and its workers on a real local network, with the real default model.

The user's side is the article's: a process funded with 0.001 wAR, the @sam/Llama-Herder client,
`Llama.run(prompt, tokens, callback)`. Token counts stay small so the suite is quick."""
import math
import re

import pytest

from aosrepl import ids
from aosrepl.network import Network
from aosrepl.services import worker_id
from tests.inference.herd import (FUNDS, Printed, balance, herder_eval, new_client, output, settle)
from tests.inference.prompts import JOKER_PROMPT

ARTICLE_RUN = """Llama.run(
"What is the meaning of life?", -- Your prompt
20, -- Number of tokens to generate
function(generated_text) -- Optional: A function to handle the response
print(generated_text)
table.insert(OUTPUTS, generated_text)
end
)"""

ARTICLE_JOKER = """function CreatePrompt(systemPrompt, userContent)
return [[<|system|>
]] .. systemPrompt .. [[<|end|>
<|user|>
]] .. userContent .. [[<|end|>
<|assistant|>
]]
end
local userContent = "cats"
local prompt = CreatePrompt(
"Tell a joke on the given topic",
userContent
);
JOKER_PROMPT_SENT = prompt
JOKE_HISTORY = JOKE_HISTORY or {}
Llama.run(
prompt,
30,
function(generated_text)
-- Match up until the first newline character
local joke = generated_text:match("^(.-)\\n")
if joke == nil then
return print("Could not find joke in: " .. generated_text)
end
print("Joke: " .. joke)
table.insert(JOKE_HISTORY, joke)
end
)"""


@pytest.fixture(scope="module")
def net(tmp_path_factory, model_path):
    network = Network(tmp_path_factory.mktemp("herd"), workers=2)
    yield network
    network.close()


@pytest.fixture(scope="module")
def workers(net):
    return [worker_id(0), worker_id(1)]


@pytest.fixture(scope="module")
def worker_lines(net, workers):
    """prompt -> response, from what the workers print for each request."""
    lines = {}

    def on_result(_pid, result):
        text = str((result.get("Output") or {}).get("data") or "")
        m = re.match(r"(?s)Performing inference\. Prompt: (.*)\nResponse:(.*)$", text)
        if m:
            lines.setdefault(m.group(1), []).append(m.group(2))
    for w in workers:
        net.subscribe(w, on_result)
    return lines


def test_article_section_5_meaning_of_life(net):
    pid, printed = new_client(net, "ai-demo")
    output(net.eval(pid, "OUTPUTS = {}"))
    output(net.eval(pid, ARTICLE_RUN))
    settle(net)
    text = output(net.eval(pid, 'return #OUTPUTS .. "|" .. tostring(OUTPUTS[1])'))
    count, generated = text.split("|", 1)
    assert count == "1" and generated.strip() and generated != "nil"
    assert generated in printed.text           # the callback printed it in the process's output
    # Balance: the funds minus the fee the client computed (formula of ecosystem.md 3.2).
    last_multiplier = float(output(net.eval(pid, "return Llama.lastMultiplier")))
    queue = int(output(net.eval(pid, "return Llama.queueLength")))
    fee = (1 + len("What is the meaning of life?".replace("?", "").split()) + 20) * max(last_multiplier, 1)
    fee = math.ceil(fee * (1.005 if queue > 0 else 1))
    assert balance(net, pid) == int(FUNDS) - fee


def test_article_section_6_joker(net, worker_lines):
    pid, printed = new_client(net, "joker")
    output(net.eval(pid, ARTICLE_JOKER))
    settle(net)
    assert output(net.eval(pid, "return JOKER_PROMPT_SENT")) == JOKER_PROMPT
    out = printed.text
    joke = re.search(r"^Joke: (.+)$", out, re.M)
    missing = re.search(r"^Could not find joke in: ", out, re.M)
    assert joke or missing, out
    # The words come from the model: the worker generated exactly what the client received.
    generated = worker_lines[JOKER_PROMPT][-1]
    if joke:
        assert generated.startswith(joke.group(1) + "\n")
    else:
        assert "Could not find joke in: " + generated in out


def test_three_concurrent_runs_from_two_processes_reach_the_right_callbacks(net, worker_lines):
    a, _ = new_client(net, "client-a")
    b, _ = new_client(net, "client-b")
    prompts = {"A1": "Name a colour.", "A2": "Name a fruit.", "B1": "Name an animal."}
    output(net.eval(a, "GOT = {}; Llama.getPrices()"))
    output(net.eval(b, "GOT = {}; Llama.getPrices()"))
    settle(net)
    for pid, key in ((a, "A1"), (a, "A2"), (b, "B1")):
        output(net.eval(pid, f'Llama.run("{prompts[key]}", 6, function(t) GOT["{key}"] = t end)'))
    settle(net)
    for pid, key in ((a, "A1"), (a, "A2"), (b, "B1")):
        got = output(net.eval(pid, f'return GOT["{key}"]'))
        assert got in worker_lines[prompts[key]], (key, got, worker_lines.get(prompts[key]))
    assert output(net.eval(a, 'return tostring(GOT["B1"])')) == "nil"
    assert output(net.eval(b, 'return tostring(GOT["A1"]) .. tostring(GOT["A2"])')) == "nilnil"


def test_queue_is_ordered_by_fee_multiplier_while_workers_are_busy(net, workers):
    pid, _ = new_client(net, "queue-client")
    blocker = net.find_or_spawn("never-answers")      # a "worker" that holds its job forever
    output(net.eval(pid, "ORDER = {}; Llama.getPrices()"))
    settle(net)
    assert herder_eval(net, f'return RegisterWorkers({{"{blocker}"}})') == "Registered 1 workers"
    jobs = [("held", 1), ("x1", 1), ("x3", 3), ("x2", 2)]
    for name, mult in jobs:
        output(net.eval(pid, f'Llama.run("Say {name}.", 2, function() table.insert(ORDER, "{name}") end, '
                             f'{{Multiplier = {mult}}})'))
        settle(net)
    assert herder_eval(net, "return #Queue") == "3"
    assert herder_eval(net, 'local t = {} for i, j in ipairs(Queue) do t[i] = j.prompt end '
                            'return table.concat(t, ",")') == "Say x3.,Say x2.,Say x1."
    # New workers: the held job goes back to the queue in its place (multiplier 1, before x1).
    registered = herder_eval(net, f'return RegisterWorkers({{"{workers[0]}"}})')
    assert registered.endswith("Registered 1 workers, re-queued 1 jobs")
    assert "[DISPATCHING WORK ] Worker: " + workers[0][:6] in registered
    settle(net)
    assert output(net.eval(pid, 'return table.concat(ORDER, ",")')) == "x3,x2,held,x1"
    herder_eval(net, f'return RegisterWorkers({{"{workers[0]}", "{workers[1]}"}})')


def test_underpayment_is_refunded_with_a_reason(net):
    pid, _ = new_client(net, "stingy")
    output(net.eval(pid, 'CALLED = false; Llama.run("What is the meaning of life?", 20, '
                         'function() CALLED = true end, {Fee = 3})'))
    settle(net)
    assert balance(net, pid) == int(FUNDS)
    notice = output(net.eval(pid, 'local m = Inbox[#Inbox] return m.Action .. "|" .. m["X-Reason"] .. "|" '
                                  '.. m["X-Needed"] .. "|" .. m.Quantity'))
    assert notice == "Credit-Notice|Insufficient payment|27|3"
    assert output(net.eval(pid, "return tostring(CALLED)")) == "false"


def test_info_response_carries_the_fees(net):
    pid = net.find_or_spawn("curious")
    output(net.eval(pid, f'Send({{Target = "{ids.LLAMA_HERDER}", Action = "Info"}})'))
    settle(net)
    tags = output(net.eval(pid, 'local m = Inbox[#Inbox] return table.concat({m.Action, m.Name, m.Version, '
                                'm["Base-Fee"], m["Token-Fee"], m["Queue-Length"]}, "|") .. "|" .. '
                                'tostring(tonumber(m["Last-Multiplier"]) >= 1)'))
    assert tags == "Info-Response|Llama-Herder|0.2|1|1|0|true"


def test_only_the_herder_can_use_a_worker_and_only_workers_can_answer(net, workers):
    pid = net.find_or_spawn("intruder")
    herder_out = Printed(net, ids.LLAMA_HERDER)
    worker_out = Printed(net, workers[0])
    output(net.eval(pid, f'Send({{Target = "{workers[0]}", Action = "Inference", Tokens = "3", Data = "hi"}})'))
    output(net.eval(pid, f'Send({{Target = "{ids.LLAMA_HERDER}", Action = "Inference-Response", Data = "x"}})'))
    settle(net)
    assert "Performing inference" not in worker_out.text
    assert "Inference-Response not from worker." in herder_out.text


def test_herder_logs_requests_dispatches_and_responses(net):
    herder_out = Printed(net, ids.LLAMA_HERDER)
    pid, _ = new_client(net, "logged")
    output(net.eval(pid, 'Llama.run("Hello there", 3, function() end)'))
    settle(net)
    text = herder_out.text
    short = pid[:6]
    assert re.search(rf"\[\d+:REQ\] Requested: 3 \| Fee: 1\.\dx \| In queue: \d+ \| Client: {short} \| "
                     r"Client ref: 1", text), text
    assert re.search(rf"\[DISPATCHING WORK \] Worker: \S+ \| Client: {short} \| Client ref: 1", text), text
    assert re.search(rf"\[\d+:RES\] Client: {short} \| Client ref: 1 \| Worker: \S+ \| "
                     r"Duration: [\d.]+s \([\d.-]+ tks/s\)", text), text


def test_bad_token_counts_are_refunded(net):
    pid, _ = new_client(net, "greedy")
    output(net.eval(pid, f'Send({{Target = "{ids.WAR_TOKEN}", Action = "Transfer", Recipient = "{ids.LLAMA_HERDER}", '
                         'Quantity = "100000", ["X-Prompt"] = "hi", ["X-Tokens"] = "lots", ["X-Reference"] = "9"})'))
    settle(net)
    assert balance(net, pid) == int(FUNDS)
    reason = output(net.eval(pid, 'return Inbox[#Inbox]["X-Reason"]'))
    assert reason == "X-Tokens must be a whole number from 1 to 2048"


@pytest.mark.parametrize("prompt, tokens, funds, reason", [
    ("Say hi", 4096, FUNDS, "X-Tokens must be a whole number from 1 to 2048"),
    ("Say hi", 10 ** 9, str(10 ** 10), "X-Tokens must be a whole number from 1 to 2048"),
    ("", 8, FUNDS, "No X-Prompt given"),
])
def test_a_request_refused_on_arrival_reaches_the_client_as_an_inference_error(net, prompt, tokens, funds, reason):
    """Refunded requests used to bring only a Credit-Notice: now the client's error path runs as for any failure."""
    pid, printed = new_client(net, f"refused-{tokens}-{len(prompt)}", funds)
    output(net.eval(pid, f'CALLED = false; Llama.run("{prompt}", {tokens}, function() CALLED = true end)'))
    settle(net)
    assert f"LlamaHerder error: {reason}" in printed.text.splitlines()
    assert balance(net, pid) == int(funds)                                   # and the payment came back
    assert output(net.eval(pid, "return tostring(CALLED) .. ' ' .. tostring(next(Llama.inferenceCallbacks))")) \
        == "false nil"
    notice = output(net.eval(pid, 'local m = Inbox[#Inbox] return m.Action .. "|" .. m["X-Reason"]'))
    assert notice == f"Credit-Notice|{reason}"


def test_worker_init_from_the_herder_reports_its_model(net, workers):
    herder_eval(net, f'ao.send({{Target = "{workers[1]}", Action = "Init"}})')
    settle(net)
    reply = herder_eval(net, 'local m = Inbox[#Inbox] return m.Action .. "|" .. m["Model-ID"] .. "|" .. m.Error')
    assert reply == f"Worker-Initialized|{ids.PHI3_MODEL}|"


def test_a_worker_that_never_answers_times_out_with_a_refund(net, workers):
    pid, printed = new_client(net, "timed-out")
    blocker = net.find_or_spawn("silent-worker")
    herder_out = Printed(net, ids.LLAMA_HERDER)
    herder_eval(net, f'RegisterWorkers({{"{blocker}"}})')
    output(net.eval(pid, 'Llama.run("Hello", 3, function() CALLED = true end)'))
    settle(net)
    herder_eval(net, "WorkerTimeout = -1")              # the next message finds the job overdue
    output(net.eval(pid, f'Send({{Target = "{ids.LLAMA_HERDER}", Action = "Info"}})'))
    settle(net)
    assert f"LlamaHerder error: worker {blocker[:6]} timed out" in printed.text
    assert balance(net, pid) == int(FUNDS)
    # Its late answer is dropped, and the worker is free again.
    output(net.eval(blocker, f'Send({{Target = "{ids.LLAMA_HERDER}", Action = "Inference-Response", Data = "late"}})'))
    settle(net)
    assert "Late Inference-Response from " + blocker[:6] + " dropped" in herder_out.text
    assert herder_eval(net, f'return tostring(Busy["{blocker}"])') == "nil"
    assert output(net.eval(pid, "return tostring(CALLED)")) == "nil"
    herder_eval(net, f'WorkerTimeout = 600000; RegisterWorkers({{"{workers[0]}", "{workers[1]}"}})')
