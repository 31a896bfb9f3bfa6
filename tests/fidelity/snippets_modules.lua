base64 = require(".base64") return base64.encode("hello")
%%
base64.encode("")
%%
base64.encode("a")
%%
base64.encode("ab")
%%
base64.encode("abc")
%%
base64.encode("\0\1\2\255")
%%
base64.decode("aGVsbG8=")
%%
base64.decode("aGVsbG8")
%%
base64.decode("aGV sbG8=")
%%
base64.decode("")
%%
base64.encode("hello", nil, true)
%%
base64.encode("??>>", base64.makeencoder("-", "_"))
%%
base64.encode("??>>")
%%
base64.decode("Pz8-Pg==", base64.makedecoder("-", "_"))
%%
base64.makeencoder()[62]
%%
base64.makeencoder()[64]
%%
base64.makeencoder()[0]
%%
base64.makedecoder()[65]
%%
base64.makedecoder()[61]
%%
local t = {} for k in pairs(base64) do t[#t+1] = k end table.sort(t) return table.concat(t, " ")
%%
base64.decode(base64.encode(string.rep("xyz", 100))) == string.rep("xyz", 100)
%%
local json = require("json") return json.encode({1, 2, 3})
%%
require("json").encode({a = 1})
%%
require("json").encode("s\"q")
%%
require("json").encode(1.5)
%%
require("json").encode(true)
%%
require("json").encode({})
%%
require("json").decode('{"a":[1,2,{"b":null}]}').a[2]
%%
require("json").decode('[1,2,3]')
%%
require("json").decode('"x\\u0041"')
%%
local ok, e = pcall(require("json").decode, "{bad") return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(require("json").encode, {1, 2, x = 1}) return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(require("json").encode, print) return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(require("json").encode, 1/0) return tostring(ok) .. " " .. tostring(e)
%%
require("json")._version
%%
require("json") == package.loaded.json
%%
local ok, e = pcall(require, ".json") return tostring(ok)
%%
local ok, e = pcall(require, "base64") return tostring(ok)
%%
local ok, e = pcall(require, "decimal") return tostring(ok)
%%
require(".pretty")._version
%%
require(".pretty").tprint({a = 1})
%%
require(".pretty").tprint({a = {b = "x"}})
%%
require(".pretty").tprint({1, 2})
%%
require(".pretty").tprint({a = true})
%%
require(".pretty").tprint({}, 2)
%%
require(".pretty").tprint({a = 1}, 2)
%%
local ok, e = pcall(require(".pretty").tprint, {f = print}) return tostring(ok)
%%
require(".stringify").format({1, 2})
%%
require(".stringify").isSimpleArray({1, 2})
%%
require(".stringify").isSimpleArray({a = 1})
%%
require(".stringify")._version
%%
require(".chance")
%%
type(require(".chance").integer)
%%
require(".utils") == Utils
%%
require(".handlers") == Handlers
%%
require("ao") == ao
%%
require(".ao") == ao
%%
--! differs: no-search-path
local ok, e = pcall(require, "nope.module") return e
%%
local ok, e = pcall(require, ".nope") return tostring(ok)
