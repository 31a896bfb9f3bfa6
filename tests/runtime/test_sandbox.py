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


# lsqlite3 (aos-sqlite processes): SQL that would reach the host or lift the memory cap. Each must be refused
# with a SQLite error code and leave nothing on disk.
SQL_ESCAPES = [
    ("ATTACH of a file", "ATTACH DATABASE '{path}' AS outside"),
    ("ATTACH through a URI", "ATTACH DATABASE 'file:{path}?mode=rwc' AS outside"),
    ("VACUUM INTO a file", "VACUUM INTO '{path}'"),
    ("temp_store_directory", "PRAGMA temp_store_directory = '{dir}'"),
    ("data_store_directory", "PRAGMA data_store_directory = '{dir}'"),
    ("temp_store back to files", "PRAGMA temp_store = FILE"),
    ("max_page_count (the memory cap)", "PRAGMA max_page_count = 2147483646"),
    ("soft_heap_limit", "PRAGMA soft_heap_limit = 0"),
    ("hard_heap_limit", "PRAGMA hard_heap_limit = 0"),
    ("cache_size", "PRAGMA cache_size = -1000000"),
    ("mmap_size", "PRAGMA mmap_size = 268435456"),
    ("writable_schema", "PRAGMA writable_schema = ON"),
    ("page_size change", "PRAGMA page_size = 65536"),
    ("threads", "PRAGMA threads = 8"),
    ("load_extension SQL function", "SELECT load_extension('{dir}/libevil.so')"),
    ("fts3_tokenizer pointer", "SELECT fts3_tokenizer('simple')"),
]


@pytest.fixture()
def sql_proc():
    from aosrepl.runtime.lsqlite3 import factory
    p, env = spawn_process(name="sql-sandbox", natives={"lsqlite3": factory},
                           limits=ProcessLimits(instructions=5_000_000))
    assert eval_in(p, env, "db = require('lsqlite3').open_memory() return 'ok'")["Output"]["data"] == "ok"
    return p, env


@pytest.mark.parametrize("what, sql", SQL_ESCAPES, ids=[e[0] for e in SQL_ESCAPES])
def test_sql_escape_attempt_fails(sql_proc, tmp_path, what, sql):
    p, env = sql_proc
    path = tmp_path / "outside.db"
    text = sql.format(path=path, dir=tmp_path).replace("\\", "\\\\").replace('"', '\\"')
    res = eval_in(p, env, f'local code = db:exec("{text}") return code .. " " .. db:errmsg()')
    code, _, message = res["Output"]["data"].partition(" ")
    assert code != "0", f"{what} was allowed"
    assert list(tmp_path.iterdir()) == [], f"{what} touched the host"
    assert eval_in(p, env, "return db:exec('SELECT 1')")["Output"]["data"] == "0"


def test_sql_native_escapes_fail(sql_proc, tmp_path):
    p, env = sql_proc
    for code in ("db:load_extension('x')", "db:create_function('f', 0, print)", f"sqlite3 = require('lsqlite3') "
                 f"assert(sqlite3.open('{tmp_path}/x.db'))", "require('lsqlite3').temp_directory('/tmp')"):
        assert "Error" in eval_in(p, env, code), code
    assert list(tmp_path.iterdir()) == []


def test_sql_objects_expose_no_host_object(sql_proc):
    p, env = sql_proc
    assert eval_in(p, env, "st = db:prepare('SELECT 1') return 'ok'")["Output"]["data"] == "ok"
    assert eval_in(p, env, WALK)["Output"]["data"] == ""


def test_sql_allowed_pragmas_still_work(sql_proc):
    p, env = sql_proc
    code = ("db:exec('CREATE TABLE t(a, b)') local t = {} "
            "for r in db:nrows('PRAGMA table_info(t)') do t[#t + 1] = r.name end "
            "db:exec('PRAGMA foreign_keys = ON') db:exec('PRAGMA user_version = 3') "
            "for v in db:urows('PRAGMA user_version') do t[#t + 1] = v end return table.concat(t, ',')")
    assert eval_in(p, env, code)["Output"]["data"] == "a,b,3"


RUNAWAY_SQL = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"


def test_runaway_sql_is_stopped_by_the_budget(sql_proc):
    p, env = sql_proc
    res = eval_in(p, env, f'local code = db:exec("{RUNAWAY_SQL}") return code .. " " .. db:errmsg()')
    assert res["Output"]["data"] == "9 interrupted"
    assert eval_in(p, env, "return db:exec('SELECT 1')")["Output"]["data"] == "0"


def test_runaway_sql_can_be_interrupted():
    import threading
    import time
    from aosrepl.runtime.lsqlite3 import factory
    p, env = spawn_process(name="sql-interrupt", natives={"lsqlite3": factory},
                           limits=ProcessLimits(instructions=10 ** 15))
    threading.Timer(0.5, p.interrupt).start()
    started = time.monotonic()
    res = eval_in(p, env, f'db = require("lsqlite3").open_memory() return db:exec("{RUNAWAY_SQL}")')
    assert time.monotonic() - started < 30
    assert res["Error"].endswith("Interrupted")
    assert eval_in(p, env, "return db:exec('SELECT 1')")["Output"]["data"] == "0"


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
    assert "=[C]=-" in frames and "=[C]=f" not in frames   # nor a C function (raw load, sort, gsub)
    assert "aos=f" in frames                               # user functions still come back


# C functions that call back into user code while the sandbox's originals are on the stack
CALLBACK_FRAMES = [
    ("load's reader", "local got local done = false "
                      "load(function() if done then return nil end done = true got = grab() return '' end) return got"),
    ("sort's comparator", "local got table.sort({3, 1, 2}, function(a, b) got = got or grab() return a < b end) return got"),
    ("gsub's replacement", "local got string.gsub(string.rep('a', 3), 'a', function() got = got or grab() end) return got"),
]


@pytest.mark.parametrize("what, code", CALLBACK_FRAMES, ids=[c[0] for c in CALLBACK_FRAMES])
def test_no_original_c_function_leaks_through_getinfo(proc, what, code):
    p, env = proc
    grab = ("local function grab() local found = {} for level = 2, 30 do "
            "local info = debug.getinfo(level, 'fS') if not info then break end "
            "if info.what == 'C' and info.func then found[#found + 1] = tostring(info.func) end end "
            "return #found == 0 and 'none' or table.concat(found, ',') end ")
    res = eval_in(p, env, grab + code)
    assert res.get("Output", {}).get("data") in ("none", ""), f"{what}: {res}"


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
