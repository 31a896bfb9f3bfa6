"""Escape attempts: each must fail with an error result, and the process must keep working."""
import pytest

from aosrepl.runtime import ProcessLimits
from aosrepl.runtime.testing import eval_in, spawn_process

# (what is tried, Lua code that must end in an error)
ESCAPES = [
    ("os.execute", 'os.execute("echo hi")'),
    ("io.open", 'io.open("/etc/passwd")'),
    ("io.popen", 'io.popen("ls")'),
    ("os.remove", 'os.remove("/tmp/x")'),
    ("os.rename", 'os.rename("/tmp/x", "/tmp/y")'),
    ("os.exit", "os.exit(1)"),
    ("os.getenv", 'os.getenv("HOME")'),
    ("os.tmpname", "os.tmpname()"),
    ("dofile", 'dofile("/etc/passwd")'),
    ("loadfile", 'loadfile("/etc/passwd")'),
    ("package.loadlib", 'package.loadlib("libc.so.6", "system")'),
    ("require of a C module", 'require("socket")'),
    ("require of a file", 'require("os_helpers_that_do_not_exist")'),
    ("string.dump", "string.dump(function() end)"),
    ("string.dump via the string metatable", 'getmetatable("").__index.dump(print)'),
    ("load of bytecode", 'assert(load("\\27LuaS\\0\\25\\147\\r\\n\\26\\n"))'),
    ("load with mode b", 'assert(load("\\27Lua", "x", "b"))'),
    ("debug.getregistry", "debug.getregistry()"),
    ("debug.sethook removal", "debug.sethook()"),
    ("debug.getupvalue", "debug.getupvalue(print, 1)"),
    ("debug.getinfo", "debug.getinfo(1)"),
    ("python module", "python.eval('1')"),
    ("python builtins", "python.builtins.open('/etc/passwd')"),
    ("collectgarbage stop", 'collectgarbage("stop")'),
    ("collectgarbage setpause", 'collectgarbage("setpause", 1000)'),
    ("coroutine escape of the hook", "coroutine.wrap(function() debug.sethook() end)()"),
    ("python object through a native bridge", "getmetatable(Send).__index"),
    ("package.searchpath", 'package.searchpath("x", "/etc/?")'),
    ("os.setlocale", 'os.setlocale("C")'),
    ("require of the io library", 'require("io").open("/etc/passwd")'),
    ("require of the full debug library", 'require("debug").sethook()'),
    ("python through package.loaded", 'package.loaded.python.eval("1")'),
    ("io through package.loaded", 'package.loaded.io.popen("ls")'),
    ("unstoppable finalizer", "setmetatable({}, {__gc = function() while true do end end})"),
    ("budget escape through xpcall's handler",
     "while true do xpcall(function() while true do end end, function() while true do end end) end"),
    # issue 16: trust never rests on what user code chooses
    ("budget escape by the host's chunk name", 'load("while true do end", "=host")()'),
    ("budget escape by the sandbox's chunk name", 'load("while true do end", "=sandbox")()'),
    ("memory error swallowed by pcall",
     "T = {} pcall(function() for i = 1, 1e9 do T[i] = ('x'):rep(1000) .. i end end) return #T"),
    ("memory error swallowed by a coroutine",
     "T = {} coroutine.resume(coroutine.create(function() for i = 1, 1e9 do T[i] = {i} end end)) return #T"),
    ("memory error swallowed by xpcall's handler",
     "T = {} xpcall(function() for i = 1, 1e9 do T[i] = {i} end end, function() return 'caught' end)"),
    ("a cyclic result", "local t = {} t[1] = t return nil, t"),
]


@pytest.fixture(scope="module")
def proc():
    return spawn_process(name="sandbox", limits=ProcessLimits(memory_bytes=64 << 20, instructions=5_000_000))


@pytest.mark.parametrize("what, code", ESCAPES, ids=[e[0] for e in ESCAPES])
def test_escape_attempt_fails(proc, what, code):
    p, env = proc
    res = eval_in(p, env, code)
    assert "Error" in res, f"{what} did not fail: {res}"
    eval_in(p, env, "T = nil collectgarbage()")   # the owner can always empty a full heap
    assert eval_in(p, env, "1+1")["Output"]["data"] == "2"


def test_escape_table_is_large_enough():
    assert len(ESCAPES) >= 20


def test_what_remains_is_harmless(proc):
    p, env = proc
    res = eval_in(p, env, "type(io) .. type(python) .. type(dofile) .. type(string.dump) .. "
                          "type(debug.sethook) .. type(os.execute)")
    assert res["Output"]["data"] == "nil" * 6
    assert eval_in(p, env, "type(debug.traceback) .. type(os.time) .. type(load)")["Output"]["data"] \
        == "functionfunctionfunction"


def test_text_load_still_works(proc):
    p, env = proc
    assert eval_in(p, env, 'load("return 40 + 2")()')["Output"]["data"] == "42"
    assert eval_in(p, env, 'load("return x", "c", "t", {x = 7})()')["Output"]["data"] == "7"


WALK = """
local seen, found = {}, {}
local function walk(v, path)
  if type(v) == "userdata" or type(v) == "thread" then found[#found + 1] = path end
  if type(v) ~= "table" or seen[v] then return end
  seen[v] = true
  local mt = getmetatable(v)
  if type(mt) == "table" then walk(mt, path .. "<mt>") end
  for k, x in next, v do
    if type(k) == "string" or type(k) == "number" then walk(x, path .. "." .. tostring(k)) end
  end
end
walk(_G, "_G")
walk(getmetatable(""), "<string mt>")
table.sort(found)
return table.concat(found, " ")
"""


def test_no_host_object_is_reachable(proc):
    p, env = proc
    assert eval_in(p, env, WALK)["Output"]["data"] == ""
