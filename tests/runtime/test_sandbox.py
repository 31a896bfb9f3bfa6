"""Escape attempts: each must fail with an error result, and the process must keep working."""
import pytest

from aosrepl.runtime import ProcessLimits
from aosrepl.runtime.testing import eval_in, make_msg, spawn_process

# (what is tried, Lua code that must end in an error)
ESCAPES = [
    ("os.execute", 'os.execute("echo hi")'),
    ("io.open", 'io.open("/etc/passwd")'),
    ("io.popen", 'io.popen("ls")'),
    ("os.remove", 'os.remove("/tmp/x")'),
    ("os.rename", 'os.rename("/tmp/x", "/tmp/y")'),
    ("os.exit", "os.exit(1)"),
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
    ("python module", "python.eval('1')"),
    ("python builtins", "python.builtins.open('/etc/passwd')"),
    ("coroutine escape of the hook", "coroutine.wrap(function() debug.sethook() end)()"),
    ("python object through a native bridge", "getmetatable(Send).__index"),
    ("package.searchpath", 'package.searchpath("x", "/etc/?")'),
    ("require of the io library", 'require("io").open("/etc/passwd")'),
    ("require of the full debug library", 'require("debug").sethook()'),
    ("python through package.loaded", 'package.loaded.python.eval("1")'),
    ("io through package.loaded", 'package.loaded.io.popen("ls")'),
    ("unstoppable finalizer", "setmetatable({}, {__gc = function() while true do end end})"),
    ("debug.setupvalue", "debug.setupvalue(print, 1, nil)"),
    ("debug.getlocal", "debug.getlocal(1, 1)"),
    ("the crypto native with bad input", 'require(".crypto.native").digest("md5", "not hex")'),
    ("budget escape through xpcall's handler",
     "while true do xpcall(function() while true do end end, function() while true do end end) end"),
]


@pytest.fixture(scope="module")
def proc():
    return spawn_process(name="sandbox", limits=ProcessLimits(instructions=5_000_000))


@pytest.mark.parametrize("what, code", ESCAPES, ids=[e[0] for e in ESCAPES])
def test_escape_attempt_fails(proc, what, code):
    p, env = proc
    res = eval_in(p, env, code)
    assert "Error" in res, f"{what} did not fail: {res}"
    assert eval_in(p, env, "1+1")["Output"]["data"] == "2"


def test_escape_table_is_large_enough():
    assert len(ESCAPES) >= 20


def test_what_remains_is_harmless(proc):
    p, env = proc
    res = eval_in(p, env, "type(python) .. type(string.dump) .. type(debug.sethook) .. type(package.loadlib)")
    assert res["Output"]["data"] == "nil" * 4
    # io, dofile, loadfile and os.execute exist as in AO, and fail there as they fail here
    res = eval_in(p, env, "type(io) .. type(dofile) .. type(loadfile) .. type(os.execute)")
    assert res["Output"]["data"] == "table" + "function" * 3
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


# -- the aos surfaces AO has (io, os.*, dofile, loadfile, debug.getinfo, collectgarbage) ----------

def _out(res):
    assert "Error" not in res, res
    return res["Output"]["data"]


def test_os_and_io_answer_as_ao_without_touching_the_host(proc, tmp_path, monkeypatch, capfd):
    p, env = proc
    monkeypatch.setenv("AOSREPL_SECRET", "s3cret")
    assert _out(eval_in(p, env, 'tostring(os.getenv("AOSREPL_SECRET"))')) == "nil"
    assert _out(eval_in(p, env, 'os.getenv("HOME") .. " " .. os.getenv("PATH")')) == "/home/web_user /"
    keep = tmp_path / "keep.txt"
    keep.write_text("host file")
    path = str(keep)
    code = (f'local a = select(2, os.remove("{path}")) '
            f'local b = select(2, os.rename("{path}", "{path}.moved")) '
            f'local c = select(2, io.open("{path}")) '
            f'local d = select(2, loadfile("{path}")) '
            f'local e = select(2, pcall(dofile, "{path}")) '
            f'local f = select(2, os.execute("touch {path}.made")) '
            f'return table.concat({{a, b, c, d, e, f}}, "|")')
    assert _out(eval_in(p, env, code)) == "|".join([
        f"{path}: No such file or directory", "No such file or directory",
        f"{path}: Invalid argument", f"cannot open {path}: Invalid argument",
        f"cannot open {path}: Invalid argument", "Function not implemented"])
    assert keep.read_text() == "host file"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["keep.txt"]
    name = _out(eval_in(p, env, "os.tmpname()"))
    assert name.startswith("/tmp/tmpnam_") and not __import__("os").path.exists(name)
    capfd.readouterr()
    assert _out(eval_in(p, env, 'tostring(io.write("leak") == io.stdout) .. io.type(io.stderr)')) == "truefile"
    assert capfd.readouterr().out == ""
    assert _out(eval_in(p, env, 'tostring(os.setlocale("de_DE.UTF-8")) .. os.setlocale()')) == "nilC"
    res = eval_in(p, env, 'io.popen("ls")')
    assert "'popen' not supported" in res["Error"]


def test_getinfo_never_hands_out_the_runtime_functions(proc):
    p, env = proc
    # walk every frame reachable from user code: plain, in a coroutine, in a handler, and from
    # inside the sandbox's own wrappers (load's reader, xpcall's handler, coroutine.wrap)
    walk = ('local function walk(th) local found = {} for level = 0, 80 do '
            'local info = th and debug.getinfo(th, level, "fS") or debug.getinfo(level, "fS") '
            'if not info then break end '
            'found[#found + 1] = info.source .. "=" .. (info.func and "f" or "-") end '
            'return table.concat(found, " ") end ')
    seen = [_out(eval_in(p, env, walk + "return walk()"))]
    seen.append(_out(eval_in(p, env, walk + "local co = coroutine.create(function() coroutine.yield(walk()) end) "
                                            "return select(2, coroutine.resume(co))")))
    seen.append(_out(eval_in(p, env, walk + "local out local done = false "
                                            "load(function() if done then return nil end done = true out = walk() return '' end) "
                                            "return out")))
    seen.append(_out(eval_in(p, env, walk + "return select(2, xpcall(error, function() return walk() end, 'x'))")))
    seen.append(_out(eval_in(p, env, walk + "return coroutine.wrap(function() return walk() end)()")))
    eval_in(p, env, walk + 'Handlers.add("walk", "Walk", function() print(walk()) end)')
    seen.append(_out(p.handle(make_msg(p, action="Walk"), env)))
    frames = " ".join(seen).split()
    assert "=sandbox=-" in frames, frames                  # the sandbox's frames are seen ...
    assert not [f for f in frames if f in ("=host=f", "=sandbox=f")], frames  # ... never its functions
    assert "aos=f" in frames                               # user functions still come back


def test_getinfo_reports_what_aos_code_needs(proc):
    p, env = proc
    assert _out(eval_in(p, env, "debug.getinfo(function(a, b, c) end).nparams")) == "3"
    assert _out(eval_in(p, env, 'debug.getinfo(1, "l").currentline')) == "1"
    assert _out(eval_in(p, env, "Utils.curry(function(a, b) return a + b end)(1)(2)")) == "3"
    res = eval_in(p, env, "local info = debug.getinfo() return info")
    assert "bad argument #1 to 'getinfo' (number expected, got no value)" in res["Error"]
    res = eval_in(p, env, 'local ok, e = pcall(debug.getinfo, 1, "q") return e')
    assert res["Output"]["data"] == "bad argument #2 to 'debug.getinfo' (invalid option)"


def test_collectgarbage_stop_keeps_the_memory_cap():
    p, env = spawn_process(limits=ProcessLimits(memory_bytes=48 << 20, instructions=50_000_000))
    assert _out(eval_in(p, env, 'collectgarbage("stop") return collectgarbage("isrunning")')) == ""
    # garbage piles up with the collector stopped: Lua collects in an emergency, the cap holds
    eval_in(p, env, "for i = 1, 400000 do local t = {i, i, i, i} end return 'done'")
    kib = float(_out(eval_in(p, env, 'collectgarbage("count")')))
    assert kib * 1024 <= 48 << 20
    eval_in(p, env, 'collectgarbage("setpause", 1000)')
    res = eval_in(p, env, "local keep = {} for i = 1, 10000000 do keep[i] = {i} end return #keep")
    assert "memory" in res["Error"]
    assert _out(eval_in(p, env, 'collectgarbage("restart") collectgarbage() return 1 + 1')) == "2"


def test_crypto_loops_stay_inside_the_budget(proc):
    p, env = proc
    res = eval_in(p, env, 'local c = require(".crypto") local a = c.utils.array '
                          'return c.kdf.pbkdf2(a.fromString("pw"), a.fromString("salt"), 1000000000, 20).asHex()')
    assert "Instruction budget exceeded" in res["Error"]
    res = eval_in(p, env, 'return require(".crypto").digest.sha3_256(string.rep("x", 50000000)).asHex()')
    assert "Error" in res
    assert _out(eval_in(p, env, "1+1")) == "2"
