"""Python <-> Lua conversion, native modules, completion and the Inbox cap."""
from aosrepl.runtime import LuaProcess
from aosrepl.runtime.testing import AUTHORITY, eval_in, make_msg, spawn_process


def echo_factory(bridge):
    calls = []

    def generate(prompt, tokens, options=None):
        calls.append((prompt, tokens, options))
        return {"text": prompt.upper(), "tokens": tokens, "ratio": 0.5, "list": [1, "a", 2.0],
                "bad": b"\xff\xfe".decode("utf-8", "replace")}

    def fail(_):
        raise ValueError("model not loaded")

    def raw_bytes():
        return "ok \udcff".encode("utf-8", "surrogateescape").decode("utf-8", "replace")

    module = bridge.make_module({"generate": generate, "fail": fail, "raw": raw_bytes},
                                fields={"name": "echo", "version": 3})
    module_calls[:] = []
    module_calls.append(calls)
    return module


module_calls = []


def test_native_module_round_trip():
    p, env = spawn_process(name="n", natives={"echo": echo_factory})
    code = ('local e = require("echo"); local r = e.generate("héllo", 5, {temp = 0.5, stop = {"\\n"}}); '
            'return r.text .. " " .. math.type(r.tokens) .. " " .. math.type(r.ratio) .. " " '
            '.. #r.list .. " " .. math.type(r.list[3]) .. " " .. e.name .. e.version')
    assert eval_in(p, env, code)["Output"]["data"] == "HÉLLO integer float 3 float echo3"
    assert module_calls[0] == [("héllo", 5, {"temp": 0.5, "stop": ["\n"]})]


def test_native_errors_become_lua_errors():
    p, env = spawn_process(name="n", natives={"echo": echo_factory})
    res = eval_in(p, env, 'local ok, err = pcall(require("echo").fail, 1); return err')
    assert res["Output"]["data"].endswith("fail: model not loaded")
    res = eval_in(p, env, 'require("echo").fail(1)')
    assert "fail: model not loaded" in res["Error"]
    assert "Traceback" not in res["Error"]


def test_natives_expose_no_python_objects():
    p, env = spawn_process(name="n", natives={"echo": echo_factory})
    res = eval_in(p, env, 'local f = require("echo").generate; return type(f) .. tostring(getmetatable(f))')
    assert res["Output"]["data"] == "functionnil"


def test_invalid_utf8_from_lua_is_replaced():
    p, env = spawn_process(name="u")
    res = eval_in(p, env, 'print("bad \\255\\254 bytes"); return "\\192"')
    assert res["Output"]["data"] == "bad \ufffd\ufffd bytes\n\ufffd"
    res = p.handle(make_msg(p, data="caf\u00e9 \U0001F600"), env)
    assert eval_in(p, env, "Inbox[#Inbox].Data")["Output"]["data"] == "caf\u00e9 \U0001F600"


def test_numbers_keep_their_types():
    p, env = spawn_process(name="t")
    res = eval_in(p, env, 'Send({Target = "x", Data = "d", Count = 3, Ratio = 1.5, Flag = true})')
    tags = {t["name"]: t["value"] for t in res["Messages"][0]["Tags"]}
    assert tags["Count"] == 3 and type(tags["Count"]) is int
    assert tags["Ratio"] == 1.5 and tags["Flag"] is True
    msg = make_msg(p, action="Eval", data="math.type(os.time())")
    assert p.handle(msg, env)["Output"]["data"] == "integer"


def test_completion():
    p, env = spawn_process(name="c")
    assert p.complete("Handlers.u") == ["Handlers.utils"]
    assert "Handlers.utils.hasMatchingTag" in p.complete("Handlers.utils.has")
    assert p.complete("Inb") == ["Inbox"]
    assert "ao.send" in p.complete("x = ao.s")
    assert p.complete("nothing_here.x") == []
    assert p.complete("") == []
    # user metamethods never run during completion
    eval_in(p, env, "setmetatable(_G, {__index = function() while true do end end}); "
                    "Trap = setmetatable({a = 1}, {__index = function() while true do end end})")
    assert p.complete("Trap.") == ["Trap.a"]
    assert p.complete("Missing.") == []


def test_inbox_is_capped_at_10000():
    p, env = spawn_process(name="cap")
    other = "O" * 43
    for i in range(10005):
        p.handle(make_msg(p, data=f"m{i}", sender=other, owner=AUTHORITY), env)
    assert eval_in(p, env, "#Inbox")["Output"]["data"] == "10000"
    assert eval_in(p, env, "Inbox[1].Data .. ' ' .. Inbox[10000].Data")["Output"]["data"] == "m5 m10004"


def test_clobbered_library_globals_do_not_break_the_process():
    p, env = spawn_process(name="clob")
    for code in ["Inbox = nil", "Colors = nil", "HANDLER_PRINT_LOGS = 5", "Prompt = function() error('x') end",
                 "package.loaded['.process'] = nil", "Name = {}"]:
        eval_in(p, env, code)
        assert eval_in(p, env, "1+1")["Output"]["data"] == "2", code


def test_library_version_stamp():
    p = LuaProcess("P" * 43, module_id="m", library_version="2.0.0.rc1")
    from aosrepl.runtime.testing import make_env
    env = make_env(p.process_id)
    p.handle(make_msg(p, msg_id=p.process_id), env)
    assert eval_in(p, env, "require('.process')._version")["Output"]["data"] == "2.0.0.rc1"


def test_load_lua_runs_host_chunks_in_the_process():
    def factory(bridge):
        core = bridge.make_module({"twice": lambda x: x * 2})
        return bridge.load_lua(b"local core = ...; return { quad = function(x) return core.twice(core.twice(x)) end }",
                               "@wrapper.lua", core)

    p, env = spawn_process(name="w", natives={"w": factory})
    assert eval_in(p, env, 'require("w").quad(3)')["Output"]["data"] == "12"


def test_load_lua_reports_compile_errors():
    import pytest
    p, env = spawn_process(name="w")
    with pytest.raises(RuntimeError, match="bad.lua failed to compile"):
        p.bridge.load_lua("return +", "@bad.lua")
    with pytest.raises(RuntimeError):
        p.bridge.load_lua(b"\x1bLua", "=bin")
