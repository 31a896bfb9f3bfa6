"""Hostile or runaway code (issue 16): every crossing into Lua is protected, stops cannot be escaped or
caught, a full heap can be repaired, unconvertible results are that message's Error, and the clock
and calendar come from the message."""
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from aosrepl.runtime import ProcessLimits
from aosrepl.runtime.testing import eval_in, make_msg, spawn_process

CHILD = Path(__file__).parent / "hostile_child.py"
BUDGET = "Instruction budget exceeded: the message ran more than 2000000 Lua instructions"


def small(memory_mib=48, instructions=2_000_000):
    return spawn_process(name="h", limits=ProcessLimits(memory_bytes=memory_mib << 20, instructions=instructions))


def test_a_full_heap_never_aborts_the_host():
    # Messages are built in the Lua state by the host: with the heap full that allocation used to
    # fail outside a protected call, and Lua aborted the whole interpreter (PANIC, exit 134).
    run = subprocess.run([sys.executable, str(CHILD)], capture_output=True, text=True, timeout=300)
    assert "PANIC" not in run.stderr
    assert run.returncode == 0, run.stderr[-2000:]
    lines = dict(line.split(" ", 1) for line in run.stdout.splitlines())
    assert int(lines["JUNK-ERRORS"]) > 0            # the heap did fill up: those messages were errors
    assert lines["REPAIR"] == "emptied" and lines["AFTER"] == "2"


@pytest.mark.parametrize("chunkname", ["=host", "=sandbox", "@host.lua"])
def test_a_chunk_name_does_not_escape_the_budget(chunkname):
    p, env = small()
    assert eval_in(p, env, f'load("while true do end", "{chunkname}")()') == {"Error": BUDGET}
    assert p.last_stop == BUDGET
    assert eval_in(p, env, "1+1")["Output"]["data"] == "2"
    assert p.last_stop is None


def test_a_chunk_name_does_not_escape_the_interrupt():
    p, env = small(instructions=10 ** 15)
    timer = threading.Timer(0.3, p.interrupt)
    timer.start()
    res = eval_in(p, env, 'load("while true do end", "=host")()')
    timer.join()
    assert res == {"Error": "Interrupted"} and p.last_stop == "Interrupted"


def test_a_memory_error_cannot_be_swallowed_and_the_owner_can_repair():
    p, env = small(memory_mib=32, instructions=10 ** 12)
    code = ("T = {} local ok = pcall(function() for i = 1, 1e9 do T[i] = {i} end end) "
            "local co = coroutine.wrap(function() for i = 1, 1e9 do T[#T + 1] = {i} end end) pcall(co) "
            "return 'survived'")
    res = eval_in(p, env, code)
    assert "not enough memory" in res["Error"] and "32 MiB" in res["Error"]
    assert p.last_stop == "not enough memory"
    # the heap is still full (the runtime alone does not roll back; the network does), yet the
    # owner's Eval has headroom to empty it
    assert eval_in(p, env, "T = nil collectgarbage() return 'freed'")["Output"]["data"] == "freed"
    assert eval_in(p, env, "X = {} for i = 1, 1000 do X[i] = {i} end return #X")["Output"]["data"] == "1000"


def test_a_memory_error_in_a_handler_stops_that_message_only():
    p, env = small(memory_mib=32, instructions=10 ** 12)
    eval_in(p, env, "Handlers.add('grow', 'Grow', function() G = {} for i = 1, 1e9 do G[i] = {i} end end)")
    res = p.handle(make_msg(p, action="Grow"), env)
    assert "not enough memory" in res["Error"]
    assert eval_in(p, env, "G = nil collectgarbage() return 1 + 1")["Output"]["data"] == "2"


CYCLES = [
    ("a cyclic second return value", "local t = {} t[1] = t return nil, t"),
    ("a cyclic tag value", "local t = {} t[1] = t Send({Target = 'a', Tags = {{name = 'X', value = t}}})"),
    ("a 600-deep result", "local t = {} local c = t for i = 1, 600 do c[1] = {} c = c[1] end return nil, t"),
    ("a cyclic message field", "local t = {} t.me = t ao.outbox.Messages[1] = {Target = 'a', Extra = t}"),
]


@pytest.mark.parametrize("what, code", CYCLES, ids=[c[0] for c in CYCLES])
def test_an_unconvertible_result_is_that_messages_error(what, code):
    p, env = small()
    res = eval_in(p, env, code)
    assert res["Error"].startswith("The result could not be converted"), res
    assert p.last_stop is None   # the message ran to its end: a replay tolerates it the same way
    assert eval_in(p, env, "1+1")["Output"]["data"] == "2"


def test_clock_and_calendar_come_from_the_message():
    outputs = []
    for _ in range(2):
        p, env = small()
        msg = make_msg(p, action="Eval", data="return os.date() .. '|' .. os.date('%H:%M') .. '|' .. os.clock()",
                       timestamp=1732460000000, msg_id="A" * 43)
        outputs.append(p.handle(msg, env)["Output"]["data"])
    assert outputs[0] == outputs[1]
    assert outputs[0].split("|")[:2] == ["Sun Nov 24 14:53:20 2024", "14:53"]   # the Timestamp, in UTC


def test_os_clock_counts_the_messages_work():
    p, env = small(instructions=10 ** 9)
    res = eval_in(p, env, "local t0 = os.clock() for i = 1, 1e6 do end return os.clock() - t0")
    assert float(res["Output"]["data"]) > 0


def finishes(fn, guard_seconds=120):
    """Run fn() in a thread; a hang fails the test instead of the test run (not a speed target)."""
    box = {}
    thread = threading.Thread(target=lambda: box.setdefault("value", fn()), daemon=True)
    thread.start()
    thread.join(guard_seconds)
    assert not thread.is_alive(), "still running"
    return box["value"]


C_WORK = [
    ("string.upper on a big string", 'local s = string.rep("x", 2^24) for i = 1, 1e9 do local t = s:upper() end'),
    ("concatenation of a big string", 'local s = string.rep("x", 2^24) for i = 1, 1e9 do local t = s .. "y" end'),
    ("string.rep", 'for i = 1, 1e9 do local t = string.rep("xy", 2^23) end'),
    ("full collections", 'local s = {} for i = 1, 2e5 do s[i] = {i} end for i = 1, 1e9 do collectgarbage() end'),
    ("concatenation with the collector told to stop",
     'collectgarbage("stop") local s = string.rep("x", 2^24) for i = 1, 1e9 do local t = s .. "y" end'),
    ("concatenation with a huge pause",
     'collectgarbage("setpause", 1000) local s = string.rep("x", 2^24) for i = 1, 1e9 do local t = s .. "y" end'),
    ("table.concat", 'local t = {} for i = 1, 1e5 do t[i] = "abcdefgh" end for i = 1, 1e9 do local s = table.concat(t) end'),
    ("positional table.insert", 'local t = {} for i = 1, 1e9 do table.insert(t, 1, i) end'),
    ("table.sort", 'local t = {} for i = 1, 2e5 do t[i] = -i end for i = 1, 1e9 do table.sort(t) end'),
]


@pytest.mark.parametrize("what, code", C_WORK, ids=[c[0] for c in C_WORK])
def test_work_inside_c_functions_counts_against_the_budget(what, code):
    p, env = spawn_process(name="cw", limits=ProcessLimits(instructions=20_000_000))
    res = finishes(lambda: eval_in(p, env, code))
    assert res.get("Error", "").startswith("Instruction budget exceeded"), res
    assert eval_in(p, env, "1+1")["Output"]["data"] == "2"


@pytest.mark.parametrize("code", [C_WORK[0][1], 'return string.rep("a", 20000):find(".-.-.-.-b")'],
                         ids=["upper", "backtracking find"])
def test_the_interrupt_reaches_work_inside_c_functions(code):
    p, env = spawn_process(name="ci", limits=ProcessLimits(instructions=10 ** 15))
    timer = threading.Timer(0.3, p.interrupt)
    timer.start()
    res = finishes(lambda: eval_in(p, env, code))
    timer.join()
    assert res == {"Error": "Interrupted"}
    assert eval_in(p, env, "1+1")["Output"]["data"] == "2"


def test_collectgarbage_keeps_its_options_as_seen_by_the_process():
    p, env = small()
    code = ('local a = collectgarbage("isrunning") local s = collectgarbage("stop") '
            'local b = collectgarbage("isrunning") collectgarbage("restart") '
            'local before = collectgarbage("setpause", 1000) local now = collectgarbage("setpause", 150) '
            'return table.concat({tostring(a), s, tostring(b), tostring(collectgarbage("isrunning")), '
            'before, now}, " ")')
    assert eval_in(p, env, code)["Output"]["data"] == "true 0 false true 200 1000"
