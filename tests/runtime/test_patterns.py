"""The bounded pattern functions (aosrepl/runtime/lua/patterns.lua) against Lua 5.3's own C matcher:
same results and same errors on thousands of generated cases, with the Lua matcher forced on."""
import pytest
from lupa import lua53

from aosrepl.runtime.library import runtime_source
from aosrepl.runtime.testing import eval_in, spawn_process
from aosrepl.runtime import ProcessLimits

COMPARE = r"""
local C, L, force, seed, cases = ...
local pieces = { "a", "b", ".", "%a", "%d", "%s", "%w", "%p", "%x", "%u", "%l", "%c", "%A", "%S", "[ab]", "[^a]",
  "[a-c]", "[%d_]", "[]]", "[^]]", "%b()", "%f[%w]", "%f[%s]", "(", ")", "()", "%1", "%2", "%", "[", "$", "^",
  "*", "+", "-", "?", "%.", "%%", "x", " ", "%z", "%g", "[%a-]", "[a%-z]", "%0" }
local chars = { "a", "b", "c", "(", ")", " ", "1", "2", "_", "x", ".", "%", "\0", "A", "-" }
math.randomseed(seed)
local function pick(t) return t[math.random(#t)] end
local function gen(parts, pool)
  local out = {}
  for i = 1, math.random(0, parts) do out[#out + 1] = pick(pool) end
  return table.concat(out)
end
local function show(ok, ...)
  local out = { tostring(ok) }
  for i = 1, select("#", ...) do out[#out + 1] = tostring((select(i, ...))) end
  return table.concat(out, "|")
end
local function gm(f, s, p)
  local out = {}
  for a, b in f(s, p) do out[#out + 1] = tostring(a) .. "," .. tostring(b) if #out > 50 then break end end
  return table.concat(out, ";")
end
local repls = { "<%0>", "%1-%1", "%%", "x%", "%2", "", function(a) return a end, function() return false end,
  { a = "A", b = 1 }, 7, function() return {} end }
local mismatches = {}
force(true)
for n = 1, cases do
  local s, p = gen(12, chars), gen(6, pieces)
  local init = math.random(-3, 14)
  local repl = pick(repls)
  local limit = math.random(0, 3) == 0 and math.random(0, 3) or nil
  -- (not tail calls: a Lua function called in tail position replaces its caller's frame, so an
  -- error's position would name the caller's caller; that one difference is documented)
  local checks = {
    { "find", function(f) local r = table.pack(f(s, p, init)) return table.unpack(r, 1, r.n) end },
    { "find plain", function(f) local r = table.pack(f(s, p, init, true)) return table.unpack(r, 1, r.n) end },
    { "match", function(f) local r = table.pack(f(s, p, init)) return table.unpack(r, 1, r.n) end },
    { "gsub", function(f) local r = table.pack(f(s, p, repl, limit)) return table.unpack(r, 1, r.n) end },
    { "gmatch", function(f) return gm(f, s, p) end },
  }
  for _, check in ipairs(checks) do
    local name = check[1]:match("^%a+")
    local want = show(pcall(check[2], C[name]))
    local got = show(pcall(check[2], L[name]))
    if want ~= got then
      mismatches[#mismatches + 1] = string.format("%s(%q, %q) init=%s: C %s / Lua %s", check[1], s, p, init, want, got)
    end
  end
end
force(false)
return table.concat(mismatches, "\n", 1, math.min(#mismatches, 20)), #mismatches
"""


def fresh():
    lua = lua53.LuaRuntime(encoding=None)
    originals = lua.execute(b"return { find = string.find, match = string.match, gmatch = string.gmatch, "
                            b"gsub = string.gsub }")
    control = lua.eval(b"load")(runtime_source("patterns"), b"=patterns")()
    bounded = lua.execute(b"return { find = string.find, match = string.match, gmatch = string.gmatch, "
                          b"gsub = string.gsub }")
    return lua, originals, bounded, control


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_lua_matcher_agrees_with_c(seed):
    lua, originals, bounded, control = fresh()
    text, count = lua.execute(COMPARE.encode(), originals, bounded, control[b"force"], seed, 3000)
    assert count == 0, text.decode("utf-8", "replace")


def test_cheap_calls_still_run_in_c_and_agree():
    lua, originals, bounded, control = fresh()
    text, count = lua.execute(COMPARE.replace("force(true)", "").encode(), originals, bounded,
                              control[b"force"], 9, 3000)
    assert count == 0, text.decode("utf-8", "replace")


RUNAWAY = [
    ("backtracking find", 'return string.rep("a", 20000):find(".-.-.-.-b")'),
    ("backtracking match", 'return string.rep("a", 5000):match("(.*)(.*)(.*)b")'),
    ("backtracking gsub", 'return string.rep("a", 5000):gsub("a*a*a*b", "")'),
    ("backtracking gmatch", 'for x in string.rep("a", 5000):gmatch("a-a-a-b") do end'),
    ("quadratic plain find", 'return ("a"):rep(1e7):find(("a"):rep(1e5) .. "b", 1, true)'),
    ("quadratic single repetition", 'return (" "):rep(1e6):find("%s+x")'),
]


@pytest.mark.parametrize("what, code", RUNAWAY, ids=[r[0] for r in RUNAWAY])
def test_runaway_patterns_stop_on_the_budget(what, code):
    p, env = spawn_process(name="pat", limits=ProcessLimits(instructions=20_000_000))
    res = eval_in(p, env, code)
    assert res.get("Error", "").startswith("Instruction budget exceeded"), res
    assert eval_in(p, env, "1+1")["Output"]["data"] == "2"


def test_common_big_inputs_stay_cheap():
    p, env = spawn_process(name="pat", limits=ProcessLimits(instructions=20_000_000))
    code = ('local s = string.rep("ab  cd ", 2e5) local t = s:gsub("%s+", "_") '
            'local n = 0 for w in s:gmatch("%a+") do n = n + 1 end '
            'return #t .. " " .. n .. " " .. tostring(s:find("cd", 1e6, true))')
    assert eval_in(p, env, code)["Output"]["data"] == "1200000 400000 1000004"
