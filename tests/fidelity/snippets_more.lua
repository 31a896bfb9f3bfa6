load(5)
%%
select(2, pcall(load, 5))
%%
select(2, pcall(load))
%%
select(2, pcall(coroutine.wrap, 5))
%%
select(2, pcall(coroutine.create, 5))
%%
select(2, pcall(xpcall))
%%
select(2, pcall(xpcall, print))
%%
--! differs: tailcall-position
coroutine.wrap(5)
%%
--! differs: tailcall-position
coroutine.create(nil)
%%
--! differs: tailcall-position
xpcall()
%%
select(2, pcall(setmetatable))
%%
select(2, pcall(setmetatable, {}))
%%
select(2, pcall(collectgarbage, "count", "x"))
%%
select(2, pcall(getmetatable))
%%
select(2, pcall(rawset, 1))
%%
--! differs: no-search-path
select(2, pcall(require, 5))
%%
select(2, pcall(debug.traceback, {}))
%%
type(debug.traceback("m", 1))
%%
select(2, pcall(debug.getinfo, "x"))
%%
select(2, pcall(debug.getinfo, 1, "q"))
%%
debug.getinfo(100)
%%
select(2, pcall(os.getenv))
%%
select(2, pcall(io.open))
%%
io.type(io.stdout)
%%
io.type(42)
%%
io.read()
%%
io.write("x") == io.stdout
%%
select(2, pcall(io.lines, "/x"))
%%
os.setlocale()
%%
os.execute()
%%
{{[2] = 1}}
%%
{[1] = {}, [3] = {}}
%%
{n = 1, [1] = "a"}
%%
{[1] = 1, [2] = 2, [3] = 3, [5] = 5, [4] = 4}
%%
local t = {} for i = 1, 20 do t[i] = i end t[10] = nil return t
%%
local t = {} for i = 1, 5 do t[i] = i end t[2] = nil return t
%%
local t = {1, 2, 3} t[2] = nil return t
%%
{[2] = "b", [1] = "a"}
%%
{1, 2, [4] = 4}
%%
{x = {y = {z = {}}}}
%%
{[100] = "a", [200] = "b"}
%%
{[-1] = 1, [0] = 0, [1] = 1}
%%
{[2.0] = "two"}
%%
{[0.5] = "half", [1] = "one"}
%%
{{1, {2, {3}}}}
%%
{1, "two", 3.5}
%%
{"a", {"b"}}
%%
{{a = 1}, 2}
%%
Handlers.prepend("res2", function(m) return m.Action == "RZ" end, { [{ Kind = "x" }] = function(m) print("resolved x") end }) return "ok"
%%
--! msg {"action": "RZ", "data": "", "tags": {"Kind": "x"}}
%%
Handlers.remove("res2")
%%
Handlers.once("ONCE2", function(m) print("once ran") end)
%%
--! msg {"action": "ONCE2", "data": ""}
%%
--! msg {"action": "ONCE2", "data": "second"}
%%
#Inbox
%%
Handlers.prepend("xx", "XX", function() end) == nil
%%
Handlers.append("yy", "YY", function() end) == nil
%%
Handlers.once("zz", "ZZ", function() end) == nil
%%
Handlers.remove("xx") == nil
%%
Handlers.remove("yy") Handlers.remove("zz") return #Handlers.list
%%
local ok, e = pcall(Handlers.once) return tostring(ok)
%%
Utils.reduce(function(a, b) return a .. b end, "", {"x", "y", "z"})
%%
Utils.map(function(v) return v end, {1, nil, 3})
%%
Utils.filter(function(v) return v ~= 2 end, {1, 2, 3, 2})
%%
Utils.includes("a", {x = "a"})
%%
Utils.find(function(v) return v == "a" end, {x = "a"})
%%
Utils.concat({}, {})
%%
Utils.propEq("n", "1", {n = 1})
%%
Utils.matchesSpec({Action = "A", Tags = {}}, {Action = "A"})
%%
Utils.matchesSpec({Action = "A"}, {Action = {"B", "A"}})
%%
Utils.matchesSpec({Action = "A"}, {Action = "_"})
%%
Utils.matchesSpec({}, {Action = "_"})
%%
Utils.matchesSpec({Data = "x"}, {Data = function(v) return v == "x" end})
%%
Utils.matchesSpec({Quantity = "100"}, {Quantity = "%d+"})
%%
Utils.matchesSpec({Action = "Credit-Notice"}, {Action = "Credit-Notice"})
%%
Utils.matchesSpec({Action = "Credit-Notice"}, "Credit-Notice")
%%
bint = require(".bint")(256) return tostring(bint("0xff") + bint("0b11"))
%%
tostring(bint(2) * "3")
%%
bint(2) * 1.5
%%
tostring(bint.max(3, 2))
%%
bint.tobase(bint(100), 37)
%%
bint.tobase(bint(-5), 2, false)
%%
tostring(bint.ceil(2.5))
%%
tostring(bint.floor(-2.5))
%%
bint.iszero(0)
%%
bint.isneg(-1.5)
%%
bint.tonumber(bint.maxinteger())
%%
tostring(bint.abs(bint.mininteger()))
%%
tostring(bint.ipow(bint(-2), 3))
%%
tostring(bint.ipow(10, 77))
%%
tostring(bint.ipow(10, 78))
%%
local b = bint(5) b:_inc() return tostring(b)
%%
tostring(bint(10) // 3)
%%
bint(10) // 2.5
%%
bint(10) % 3.5
%%
tostring(bint(-10) >> 1)
%%
tostring(bint(3) << -1)
%%
tostring(bint("1" .. string.rep("0", 76)))
%%
bint("1" .. string.rep("0", 76)) < bint("1" .. string.rep("0", 77))
%%
local c = require(".crypto") return c.digest.sha1(c.utils.stream.fromString(string.rep("a", 64))).asHex()
%%
local c = require(".crypto") return c.digest.md5(c.utils.stream.fromString(string.rep("a", 55))).asHex()
%%
local c = require(".crypto") return c.digest.md5(c.utils.stream.fromString(string.rep("a", 56))).asHex()
%%
local c = require(".crypto") return c.digest.sha2_256(c.utils.stream.fromString(string.rep("\0", 64))).asHex()
%%
local c = require(".crypto") return c.digest.md4(c.utils.stream.fromString(string.rep("b", 120))).asHex()
%%
local c = require(".crypto") return c.digest.md2(c.utils.stream.fromString(string.rep("c", 33))).asHex()
%%
local c = require(".crypto") return c.digest.sha3_512(string.rep("z", 72)).asHex()
%%
--! differs: aos-sha3-padding
local c = require(".crypto") return c.digest.keccak512(string.rep("z", 71)).asHex()
%%
--! differs: aos-sha3-padding
local c = require(".crypto") return c.digest.sha3_256(string.rep("q", 135)).asHex()
%%
local c = require(".crypto") return c.digest.blake2b(string.rep("w", 129), 20).asHex()
%%
--! differs: aos-blake2b-long-key
local c = require(".crypto") return c.digest.blake2b("", 64, string.rep("k", 64)).asHex()
%%
local c = require(".crypto") return c.kdf.pbkdf2(c.utils.array.fromString("pw"), c.utils.array.fromString("na"), 3, 40, "sha256").asHex()
%%
local c = require(".crypto") return #c.kdf.pbkdf2(c.utils.array.fromString("pw"), c.utils.array.fromString("na"), 1, 7).asBytes()
%%
local c = require(".crypto") return c.mac.createHmac(c.utils.stream.fromString(""), c.utils.array.fromString("")).asHex()
%%
local c = require(".crypto") return c.utils.array.toString(c.utils.array.fromHex("414243"))
%%
local c = require(".crypto") return c.utils.stream.toString(c.utils.stream.fromArray({72, 73}))
%%
require(".base64").encode(string.rep("\255", 5))
%%
require(".base64").decode("////")
%%
require(".base64").decode("YQ==YQ==")
%%
require(".base64").encode("abc", require(".base64").makeencoder("*", "!", "."))
%%
require(".base64").encode("\251\255", require(".base64").makeencoder("-", "_", "~"))
%%
require(".pretty").tprint({a = {b = {c = 1}}})
%%
require(".pretty").tprint({10, 20}, 1)
%%
require("json").encode({a = {1, 2}, b = {}})
%%
require("json").decode("[]")
%%
require("json").decode("{}")
%%
require("json").decode("null")
%%
require("json").encode(nil)
%%
require("json").encode({[1] = 1, [3] = 3})
