"""The message pipeline of one process: evals, prints, errors, Send, the default
handler, gates, boot, prompt, handler errors, replies and `.update`."""
import json

import pytest

from aosrepl.runtime import update_script
from aosrepl.runtime.testing import AUTHORITY, WALLET, eval_in, make_msg, spawn_process

PROMPT_RC1 = "\x1b[32mai-demo\x1b[90m@\x1b[34maos-2.0.0.rc1\x1b[90m[Inbox:\x1b[31m1\x1b[90m]\x1b[0m> "
OTHER = "xU9zFkq3X2ZQ6olwNVvr1vUWIjc3kXTWr7xKQD6dh10"


@pytest.fixture
def proc():
    return spawn_process(name="ai-demo")


def data(res):
    assert "Output" in res, res
    return res["Output"]["data"]


def from_process(p, sender=OTHER, **kw):
    """A message from another process: signed by the MU authority."""
    return make_msg(p, sender=sender, owner=AUTHORITY, **kw)


def test_spawn_result_and_prompt_bytes(proc):
    p, env = proc
    assert p.spawn_result["Output"]["print"] is True
    assert p.spawn_result["Output"]["prompt"] == PROMPT_RC1
    res = eval_in(p, env, "1+1")
    assert res["Output"]["prompt"] == PROMPT_RC1
    assert "print" not in res["Output"]
    assert data(eval_in(p, env, "Owner")) == WALLET
    assert data(eval_in(p, env, "Name")) == "ai-demo"
    assert data(eval_in(p, env, "#Inbox")) == "1"


@pytest.mark.parametrize("code, expected", [
    ("1+1", "2"),
    ('"hello"', "hello"),
    ("10000 * 10^12", "1e+16"),
    ("true", "true"),
    ("false", ""),
    ("x = 1", ""),
    ("print(2)", "\x1b[32m2\x1b[0m"),
    ("print(nil)", "\x1b[31mnil\x1b[0m"),
    ("print(true)", "\x1b[34mtrue\x1b[0m"),
    ("print('a'); print({1,2}); return 3", "a\n{ \x1b[34m1\x1b[0m, \x1b[34m2\x1b[0m }\n3"),
    ("{}", "{  }"),
    ('{1, "a"}', '{ \x1b[34m1\x1b[0m, \x1b[32m"a"\x1b[0m }'),
    ("{a=1}", "{\n   \x1b[31ma\x1b[0m = \x1b[34m1\x1b[0m\n}"),
    ("{1,2,a=3}", "{\n   \x1b[31ma\x1b[0m = \x1b[34m3\x1b[0m\n}"),
    ("local t={};t.self=t; return t", "{\n   \x1b[31mself\x1b[0m = <circular reference>\n}"),
    ("Version()", "version: 2.0.0.rc1"),
    ("require('.process')._version", "2.0.0.rc1"),
])
def test_eval_output(proc, code, expected):
    p, env = proc
    assert data(eval_in(p, env, code)) == expected


def test_eval_test_field_is_a_dump(proc):
    p, env = proc
    assert eval_in(p, env, "1+1")["Output"]["test"] == '{\n    [1] = "2"\n}'


def test_compile_and_runtime_errors(proc):
    p, env = proc
    assert eval_in(p, env, "x = = 1") == {"Error": "[string \"aos\"]:1: unexpected symbol near '='"}
    err = eval_in(p, env, "print('before'); error('boom')")["Error"]
    assert err.startswith("\x1b[32m") is False
    assert err.startswith("before\n\n\x1b[31merror:\n\x1b[0m[string \".handlers\"]:")
    assert err.endswith('[string "aos"]:1: boom')
    assert eval_in(p, env, "return 1, 'oops'") == {"Error": "oops"}
    assert data(eval_in(p, env, "#Errors")) == "1"


def test_runtime_error_drops_outgoing_messages(proc):
    p, env = proc
    res = eval_in(p, env, "Send({Target = 'abc', Action = 'Ping'}); error('x')")
    assert set(res) == {"Error"}


def test_send_message_and_rendering(proc):
    p, env = proc
    res = eval_in(p, env, f'Send({{Target = "{OTHER}", Action = "Balance", Data = "d"}})')
    text = data(res)
    assert text.startswith("{\n   \x1b[31monReply\x1b[0m = \x1b[34mfunction: 0x")
    assert '\x1b[31moutput\x1b[0m = \x1b[32m"Message added to outbox"\x1b[0m,\n' in text
    assert text.endswith("\x1b[0m\n}")
    assert res["Messages"] == [{
        "Target": OTHER, "Data": "d", "Anchor": "0" * 31 + "1",
        "Tags": [{"name": "Data-Protocol", "value": "ao"}, {"name": "Variant", "value": "ao.TN.1"},
                 {"name": "Type", "value": "Message"}, {"name": "Reference", "value": "1"},
                 {"name": "Action", "value": "Balance"}],
    }]
    res = eval_in(p, env, 'Send({Target = "t", Data = {a = 1}, Tags = {X = "y"}})')
    msg = res["Messages"][0]
    assert msg["Anchor"].endswith("2") and msg["Data"] == '{"a":1}'
    assert {"name": "Content-Type", "value": "application/json"} in msg["Tags"]
    assert msg["Tags"][-1] == {"name": "X", "value": "y"}


def test_send_without_target_warns(proc):
    p, env = proc
    res = eval_in(p, env, 'Send({Data = "x"}); return nil')
    assert data(res) == ("WARN: No target specified for message. Data will be stored, "
                         "but no process will receive it.")


def test_default_handler_line_and_inbox(proc):
    p, env = proc
    res = p.handle(from_process(p, action="Credit-Notice"), env)
    assert res["Output"]["data"] == ("\x1b[90mNew Message From \x1b[32mxU9...h10\x1b[90m: "
                                     "\x1b[90mAction = \x1b[34mCredit-Notice\x1b[0m")
    assert res["Output"]["print"] is True
    assert "[Inbox:\x1b[31m2" in res["Output"]["prompt"]
    res = p.handle(from_process(p, data="Hello there this is a long text"), env)
    assert res["Output"]["data"].endswith("\x1b[90mData = \x1b[34mHello there this is \x1b[0m")
    assert data(eval_in(p, env, "Inbox[#Inbox].Data")) == "Hello there this is a long text"
    assert data(eval_in(p, env, "Inbox[2].Action")) == "Credit-Notice"


def test_eval_from_stranger_goes_to_inbox(proc):
    p, env = proc
    res = p.handle(from_process(p, action="Eval", data="Owner = 'me'"), env)
    assert "Action = \x1b[34mEval" in res["Output"]["data"]
    assert data(eval_in(p, env, "Owner")) == WALLET


def test_trust_gate(proc):
    p, env = proc
    stranger = "S" * 43
    res = p.handle(make_msg(p, action="Ping", sender=stranger, owner="O" * 43), env)
    assert res["Output"]["data"] == f"Message is not trusted! From: {stranger} - Owner: {'O' * 43}"
    assert data(eval_in(p, env, "#Inbox")) == "1"


def test_assignment_gate_and_assignables(proc):
    p, env = proc
    other = "R" * 43
    res = p.handle(make_msg(p, action="APM.Publish", target=other, sender=OTHER, msg_id="M" * 43), env)
    assert res["Output"]["data"] == f"Assignment is not trusted! From: {OTHER} - Owner: {OTHER}"
    assert res["Messages"][0]["Data"] == "Assignment is not trusted by this process!"
    assert res["Messages"][0]["Target"] == OTHER
    eval_in(p, env, f'ao.addAssignable("pkg", {{ Id = "{"M" * 43}" }})')
    res = p.handle(make_msg(p, action="APM.Publish", target=other, sender=OTHER, msg_id="M" * 43), env)
    assert "New Message From" in res["Output"]["data"]


def test_handler_error_lines(proc):
    p, env = proc
    # _boot, _eval, _default, p (aos keeps `_boot` listed)
    assert data(eval_in(p, env, "Handlers.add('p', 'Ping', function(m) error('bad') end)")) == "4"
    res = p.handle(from_process(p, action="Ping"), env)
    err = res["Error"]
    lines = err.split("\n")
    assert lines[0] == "\x1b[31mError\x1b[90m handling message with Action = Ping\x1b[0m"
    assert lines[1].startswith("\x1b[32m[string \".handlers\"]:") and lines[1].endswith(
        '[string "aos"]:1: bad\x1b[0m')
    assert lines[3].startswith("\x1b[90mstack traceback:")
    assert err.endswith('\n\n\x1b[31merror:\n\x1b[0m' + lines[1][5:-4])
    res = p.handle(from_process(p, data="no action", tags={"Kind": "x"}), env)
    assert "Output" in res


def test_handlers_add_returns_length(proc):
    p, env = proc
    # _boot, _eval, _default, a (aos keeps `_boot` listed); a second add updates in place
    assert data(eval_in(p, env, "Handlers.add('a', 'A', function() end)")) == "4"
    assert data(eval_in(p, env, "Handlers.add('a', 'A', function() end)")) == "4"


def test_assign_prints_twice_at_the_repl(proc):
    p, env = proc
    res = eval_in(p, env, "Assign({Processes = {'a'}, Message = 'm'})")
    assert data(res) == "Assignment added to outbox.\nAssignment added to outbox."
    assert res["Assignments"] == [{"Processes": ["a"], "Message": "m"}]


def test_spawn(proc):
    p, env = proc
    res = eval_in(p, env, "Spawn({Data = 'x', Name = 'child'})")
    assert '"Spawn process request added to outbox"' in data(res)
    spawn = res["Spawns"][0]
    assert spawn["Data"] == "x"
    names = [t["name"] for t in spawn["Tags"]]
    assert names[:7] == ["Data-Protocol", "Variant", "Type", "From-Process", "From-Module",
                         "Module", "Reference"]
    assert {"name": "From-Process", "value": p.process_id} in spawn["Tags"]


def test_reply_and_receive_across_messages(proc):
    p, env = proc
    res = eval_in(p, env, f'local r = Send({{Target = "{OTHER}", Action = "Balance"}}).receive(); '
                          'print("got " .. r.Data)')
    assert data(res) == ""
    ref = next(t["value"] for t in res["Messages"][0]["Tags"] if t["name"] == "Reference")
    res = p.handle(from_process(p, action="Balance-Notice", data="42",
                                tags={"X-Reference": ref}), env)
    assert res["Output"]["data"] == "got 42"
    assert res["Output"]["print"] is True


def test_on_reply(proc):
    p, env = proc
    res = eval_in(p, env, f'Send({{Target = "{OTHER}", Action = "Info"}})'
                          '.onReply(function(m) print("reply " .. m.Data) end)')
    ref = next(t["value"] for t in res["Messages"][0]["Tags"] if t["name"] == "Reference")
    res = p.handle(from_process(p, data="ok", tags={"X-Reference": ref}), env)
    assert res["Output"]["data"] == "reply ok"


def test_msg_reply_sets_correlation_tags(proc):
    p, env = proc
    eval_in(p, env, 'Handlers.add("ping", "Ping", function(m) m.reply({Data = "pong"}) end)')
    res = p.handle(from_process(p, action="Ping", tags={"Reference": "7"}), env)
    out = res["Messages"][0]
    assert out["Target"] == OTHER and out["Data"] == "pong"
    assert {"name": "X-Reference", "value": "7"} in out["Tags"]


def test_json_content_type_is_decoded(proc):
    p, env = proc
    eval_in(p, env, 'Handlers.add("j", "J", function(m) print(m.Data.a) end)')
    res = p.handle(from_process(p, action="J", data=json.dumps({"a": 5}),
                                tags={"Content-Type": "application/json"}), env)
    assert res["Output"]["data"] == "\x1b[32m5\x1b[0m"


def test_tags_map_and_root_copy(proc):
    p, env = proc
    msg = from_process(p, action="Dup", tags=[{"name": "K", "value": "first"},
                                              {"name": "K", "value": "last"},
                                              {"name": "Type", "value": "Message"}])
    p.handle(msg, env)
    assert data(eval_in(p, env, "Inbox[#Inbox].Tags.K .. Inbox[#Inbox].K")) == "firstlast"
    assert data(eval_in(p, env, "tostring(Inbox[#Inbox].Type) .. Inbox[#Inbox].Tags.Type")) == "nilMessage"


def test_on_boot_data():
    p, env = spawn_process(name="b", tags={"On-Boot": "Data"}, data="Booted = true; print('booted')")
    assert p.spawn_result["Output"]["data"] == "booted"
    assert data(eval_in(p, env, "Booted")) == "true"


def test_os_time_and_random_are_deterministic():
    a, env_a = spawn_process(name="x", pid="P" * 43)
    b, env_b = spawn_process(name="x", pid="P" * 43)
    code = "math.random(1000) .. ' ' .. math.random() .. ' ' .. math.random(5, 6)"
    assert data(eval_in(a, env_a, code)) == data(eval_in(b, env_b, code))
    msg = make_msg(a, action="Eval", data="os.time()", timestamp=1732460000123)
    assert data(a.handle(msg, env_a)) == "1732460000123"


def test_update_script():
    p, env = spawn_process(name="ai-demo")
    eval_in(p, env, "Handlers.add('keep', 'Keep', function() print('kept') end); X = 1")
    res = eval_in(p, env, update_script())
    assert data(res) == "Updated AOS to version 2.0.0.rc2"
    assert res["Output"]["prompt"] == PROMPT_RC1.replace("rc1", "rc2")
    assert data(eval_in(p, env, "X")) == "1"
    assert p.handle(from_process(p, action="Keep"), env)["Output"]["data"] == "kept"
    assert data(eval_in(p, env, "#Inbox")) == "1"
    assert data(eval_in(p, env, "1+1")) == "2"


def test_update_keeps_the_aos_modules_working():
    p, env = spawn_process(name="ai-demo")
    eval_in(p, env, 'B = require(".bint")(256)')
    assert data(eval_in(p, env, update_script())) == "Updated AOS to version 2.0.0.rc2"
    assert data(eval_in(p, env, "tostring(B(2) ^ 1 == 2.0) .. tostring(require('.bint')(256).ipow(2, 70))")) \
        == "true1180591620717411303424"
    assert data(eval_in(p, env, 'require(".crypto").digest.keccak256("").asHex()')) \
        == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert data(eval_in(p, env, 'require(".base64").encode("??>>", require(".base64").makeencoder("-", "_"))')) \
        == "Pz8-Pg=="
    assert data(eval_in(p, env, "type(Handlers.generateResolver) .. type(json) .. type(base64)")) == "functionnilnil"
    assert data(eval_in(p, env, "{[1] = 'a', [3] = 'c'}")).count("=") == 2


def test_eval_value_after_receive_lands_in_the_reply_result(proc):
    p, env = proc
    res = eval_in(p, env, f'Send({{Target = "{OTHER}", Action = "Balance"}}).receive().Data')
    assert res["Output"]["data"] == ""
    ref = next(t["value"] for t in res["Messages"][0]["Tags"] if t["name"] == "Reference")
    res = p.handle(from_process(p, data="999999673", tags={"X-Reference": ref}), env)
    assert res["Output"]["data"] == "999999673"
    # the reply was consumed by the waiting Eval, not stored
    assert data(eval_in(p, env, "#Inbox")) == "1"


def test_receive_errors_surface_in_the_later_message(proc):
    p, env = proc
    res = eval_in(p, env, f'local r = Send({{Target = "{OTHER}"}}).receive(); error("after " .. r.Data)')
    ref = next(t["value"] for t in res["Messages"][0]["Tags"] if t["name"] == "Reference")
    res = p.handle(from_process(p, data="reply", tags={"X-Reference": ref}), env)
    assert 'after reply' in res["Error"]
    assert data(eval_in(p, env, "1+1")) == "2"
