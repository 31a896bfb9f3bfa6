"""Instruction budget, interrupt and memory cap: each stops the message with a clear
error and leaves the process usable."""
import threading

from aosrepl.runtime import ProcessLimits
from aosrepl.runtime.testing import eval_in, spawn_process

BUDGET = "Instruction budget exceeded: the message ran more than 2000000 Lua instructions"


def small():
    return spawn_process(name="lim", limits=ProcessLimits(memory_bytes=48 << 20, instructions=2_000_000))


def test_infinite_loop_hits_the_budget():
    p, env = small()
    assert eval_in(p, env, "while true do end") == {"Error": BUDGET}
    assert eval_in(p, env, "1+1")["Output"]["data"] == "2"


def test_budget_cannot_be_caught_by_pcall_or_coroutines():
    p, env = small()
    for code in [
        "while true do pcall(function() while true do end end) end",
        "while true do pcall(coroutine.wrap(function() while true do end end)) end",
        "local co = coroutine.create(function() while true do end end) "
        "while true do coroutine.resume(co) end",
        "while true do xpcall(function() while true do end end, function() while true do end end) end",
    ]:
        assert eval_in(p, env, code) == {"Error": BUDGET}, code
        assert eval_in(p, env, "1+1")["Output"]["data"] == "2"


def test_budget_applies_in_a_handler():
    p, env = small()
    eval_in(p, env, 'Handlers.add("spin", "Spin", function() while true do end end)')
    from aosrepl.runtime.testing import make_msg
    res = p.handle(make_msg(p, action="Spin"), env)
    assert res == {"Error": BUDGET}
    assert eval_in(p, env, "#Inbox")["Output"]["data"] == "1"


def test_interrupt_stops_a_running_message():
    p, env = spawn_process(name="int", limits=ProcessLimits(instructions=10 ** 15))
    timer = threading.Timer(0.2, p.interrupt)
    timer.start()
    res = eval_in(p, env, "while true do end")
    timer.join()
    assert res == {"Error": "Interrupted"}
    assert eval_in(p, env, "1+1")["Output"]["data"] == "2"


def test_memory_bomb_is_stopped():
    p, env = small()
    big = ProcessLimits(memory_bytes=48 << 20, instructions=10 ** 12)
    p, env = spawn_process(name="mem", limits=big)
    res = eval_in(p, env, "local t = {} for i = 1, 1e9 do t[i] = ('x'):rep(64) .. i end")
    assert "not enough memory" in res["Error"] and "48 MiB" in res["Error"]
    res = eval_in(p, env, "local s = ('x'):rep(1e9)")
    assert "not enough memory" in res["Error"]
    assert eval_in(p, env, "1+1")["Output"]["data"] == "2"
    assert eval_in(p, env, "Send({Target = 'a'}) return #Inbox")["Output"]["data"] == "1"
