json
%%
--! unordered
base64
%%
type(bit32)
%%
bit32.band(12, 10)
%%
bit32.bor(12, 3)
%%
bit32.bxor(12, 10)
%%
bit32.bnot(0)
%%
bit32.lshift(1, 31)
%%
bit32.rshift(0x80000000, 4)
%%
bit32.arshift(0x80000000, 4)
%%
bit32.lrotate(1, 33)
%%
bit32.rrotate(1, 1)
%%
bit32.extract(0xff00, 8, 8)
%%
bit32.replace(0, 5, 4, 3)
%%
bit32.btest(1, 2)
%%
bit32.band(-1)
%%
type(dofile)
%%
type(loadfile)
%%
type(io)
%%
type(handle)
%%
local ok, e = pcall(dofile, "/etc/passwd") return tostring(ok)
%%
local ok, e = pcall(loadfile, "/etc/passwd") return tostring(ok)
%%
loadfile("/nonexistent.lua")
%%
local ok, e = pcall(io.open, "/nonexistent.txt") return tostring(ok)
%%
io.open("/nonexistent.txt")
%%
type(io.write)
%%
type(os)
%%
local t = {} for k in pairs(os) do t[#t+1] = k end table.sort(t) return table.concat(t, " ")
%%
os.getenv("HOME")
%%
os.getenv("PATH")
%%
os.getenv("NOPE_NOT_SET")
%%
--! differs: oracle-timestamp
type(os.time())
%%
type(os.clock())
%%
type(debug)
%%
--! differs: debug-subset
local t = {} for k in pairs(debug) do t[#t+1] = k end table.sort(t) return table.concat(t, " ")
%%
debug.getinfo(function(a, b) end).nparams
%%
debug.getinfo(function(a, b, ...) end).isvararg
%%
debug.getinfo(print).what
%%
debug.getinfo(1, "l").currentline
%%
type(debug.traceback())
%%
type(debug.traceback("x"))
%%
collectgarbage("isrunning")
%%
type(collectgarbage("count"))
%%
collectgarbage()
%%
collectgarbage("collect")
%%
collectgarbage("step")
%%
collectgarbage("stop") collectgarbage("restart") return collectgarbage("isrunning")
%%
type(collectgarbage("setpause", 200))
%%
type(collectgarbage("setstepmul", 200))
%%
--! differs: tailcall-position
collectgarbage("bogus")
%%
--! differs: tailcall-position
collectgarbage("incremental")
%%
--! differs: tailcall-position
setmetatable(1, {})
%%
--! differs: tailcall-position
setmetatable({}, 1)
%%
getmetatable("x").__index == string
%%
--! differs: gc-metamethods
setmetatable({}, {__gc = function() end}) return "ok"
%%
local t = setmetatable({}, {__index = function(t, k) return k .. "!" end}) return t.hey
%%
local t = setmetatable({}, {__tostring = function() return "custom" end}) return tostring(t)
%%
local t = setmetatable({}, {__tostring = function() return "custom" end}) return t
%%
local t = setmetatable({}, {__metatable = "locked"}) return getmetatable(t)
%%
--! differs: tailcall-position
local t = setmetatable({}, {__metatable = "locked"}) return setmetatable(t, {})
%%
error("boom")
%%
error("boom", 0)
%%
error("boom", 2)
%%
--! differs: oracle-error-values
error({code = 1})
%%
--! differs: oracle-error-values
error()
%%
error(42)
%%
local x = nil return x.y
%%
local x = nil x()
%%
undefinedFunction()
%%
1 + {}
%%
"a" + 1
%%
"a" .. {}
%%
#nil
%%
{} < {}
%%
1 < "2"
%%
string.rep()
%%
string.sub()
%%
math.floor("x")
%%
tostring()
%%
ipairs()
%%
select(-5, 1)
%%
--! differs: tailcall-position
table.insert({}, 1, 2, 3)
%%
table.concat({{}})
%%
string.format("%d", 1.5)
%%
("x"):bad()
%%
assert(false)
%%
assert(false, "custom assert")
%%
assert(nil, 42)
%%
assert(1 == 1, "fine")
%%
pcall(error)
%%
select(2, pcall(error, "msg"))
%%
select(2, pcall(error, "msg", 0))
%%
select(2, pcall(error, {1}))
%%
select(2, xpcall(function() error("x") end, function(e) return "handled: " .. e end))
%%
select(2, pcall(function() local t = nil; return t.x end))
%%
local ok, e = pcall(setmetatable, 1, {}) return e
%%
local ok, e = pcall(collectgarbage, "bogus") return e
%%
load("return 1 +")
%%
load("return 1 + 1")()
%%
select(2, load("x ="))
%%
--! differs: binary-chunks
load("\27Lua")
%%
--! differs: binary-chunks
select(2, load("\27Lua"))
%%
load(function() return nil end)
%%
local f = load("return ...") return f(5)
%%
local env = {y = 3} local f = load("return y", "c", "t", env) return f()
%%
local f = load("return y", "chunk", "t", {}) return tostring(f())
%%
select(2, load("error('in chunk')", "=mychunk"))
%%
select(2, pcall(load("error('in chunk')", "=mychunk")))
%%
select(2, pcall(load("error('in chunk')", "@file.lua")))
%%
select(2, pcall(load("error('in chunk')")))
%%
--! differs: no-dump-loadlib
string.dump
%%
--! differs: no-dump-loadlib
package.loadlib
%%
--! differs: no-search-path
package.path
%%
--! differs: no-search-path
package.cpath
%%
type(package.searchers)
%%
type(package.preload)
%%
require
%%
coroutine.isyieldable()
%%
local co = coroutine.create(function(a) local b = coroutine.yield(a + 1) return b * 2 end) local _, x = coroutine.resume(co, 1) local _, y = coroutine.resume(co, 10) return x .. " " .. y .. " " .. coroutine.status(co)
%%
local f = coroutine.wrap(function() error("in co") end) local ok, e = pcall(f) return e
%%
select(2, coroutine.resume(coroutine.create(function() error("in co2") end)))
%%
Name
%%
type(Owner)
%%
type(Inbox)
%%
--! differs: library-version
Version()
%%
type(Prompt())
%%
type(Colors)
%%
Colors.red
%%
Bell
%%
Tab
%%
Seeded
%%
type(Dump)
%%
type(Send)
%%
type(Spawn)
%%
type(Assign)
%%
type(Receive)
%%
HANDLER_PRINT_LOGS
%%
type(ao.send)
%%
ao._version
%%
ao.id == ao.env.Process.Id
%%
type(ao.env.Process.Tags)
%%
local t = {} for k in pairs(ao) do t[#t+1] = k end table.sort(t) return table.concat(t, " ")
%%
type(math.random())
%%
math.random(1, 1)
%%
local ok, e = pcall(math.random, 2, 1) return e
%%
string.format("%s", setmetatable({}, {__tostring = function() return "T" end}))
%%
tostring(1e300 * 1e10)
%%
math.huge
%%
-math.huge
%%
0/0 ~= 0/0
%%
math.abs(math.mininteger)
%%
math.maxinteger + 1 == math.mininteger
%%
string.byte("A")
%%
string.char(72, 105)
%%
("hello"):find("l")
%%
("hello"):match("(h)(e)")
%%
("a,b,c"):gsub(",", ";")
%%
("abc"):reverse()
%%
string.format("%-5s|", "ab")
%%
string.format("%05d", 42)
%%
string.format("%.3f", 1/3)
%%
string.format("%g", 1e20)
%%
string.format("%s %s", 1, true)
%%
tostring(2^63)
%%
math.tointeger(2^63)
%%
tonumber("0x10")
%%
tonumber("10", 2)
%%
tonumber("  12  ")
%%
tonumber("1e2")
%%
tonumber("abc")
%%
tonumber("z", 36)
%%
--! differs: oracle-timestamp
os.time({year = 2020, month = 1, day = 1, hour = 0})
%%
os.date("!%Y-%m-%d", 0)
