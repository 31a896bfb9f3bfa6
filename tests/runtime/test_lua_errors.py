"""The library functions the sandbox wraps (to charge C work to the budget, lua/cwork.lua)
still fail with Lua's own words: the caller's position, the function's name, and `no value`
for a missing argument."""
import pytest

from aosrepl.runtime import ProcessLimits
from aosrepl.runtime.testing import eval_in, spawn_process


@pytest.fixture(scope="module")
def proc():
    return spawn_process(limits=ProcessLimits(instructions=5_000_000))


CASES = [
    ("local ok, e = pcall(function() table.concat({{}}) end) return e",
     "[string \"aos\"]:1: invalid value (table) at index 1 in table for 'concat'"),
    ("local ok, e = pcall(function() local x = string.rep() end) return e",
     "[string \"aos\"]:1: bad argument #1 to 'rep' (string expected, got no value)"),
    ("local ok, e = pcall(function() local x = string.format('%d', 1.5) end) return e",
     "[string \"aos\"]:1: bad argument #2 to 'format' (number has no integer representation)"),
    ("local ok, e = pcall(table.insert, {}, 1, 2, 3) return e", "wrong number of arguments to 'insert'"),
    ("select(2, pcall(collectgarbage, 'bogus'))", "bad argument #1 to 'collectgarbage' (invalid option 'bogus')"),
    ("local ok, e = pcall(table.sort, {3, 1, 2}, function(a, b) error('cmp', 0) end) return e", "cmp"),
]


@pytest.mark.parametrize("code, expected", CASES)
def test_wrapped_functions_fail_as_lua_does(proc, code, expected):
    p, env = proc
    res = eval_in(p, env, code)
    assert res.get("Output", {}).get("data") == expected, res


def test_results_and_budget_are_unchanged(proc):
    p, env = proc
    assert eval_in(p, env, "select('#', string.byte('abc', 1, 3)) .. table.concat({1, 2}, '-')")["Output"]["data"] == "31-2"
    # a 400 MB string is refused before it is built (string.rep allocates: the memory cap stops it,
    # docs/sandbox.md); under pcall that is an ordinary error, as in Lua, and the process goes on
    res = eval_in(p, env, "local s = string.rep('x', 400000000) return #s")
    assert "not enough memory" in res["Error"]
    res = eval_in(p, env, "local ok, e = pcall(string.rep, 'x', 400000000) return tostring(ok) .. ': ' .. e")
    assert res["Output"]["data"] == "false: not enough memory for buffer allocation"
    assert eval_in(p, env, "#string.rep('x', 1000)")["Output"]["data"] == "1000"
