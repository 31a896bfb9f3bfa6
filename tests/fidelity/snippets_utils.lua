local t = {} for k in pairs(Utils) do t[#t+1] = k end table.sort(t) return table.concat(t, " ")
%%
Utils._version
%%
Utils.map(function(v) return v * 2 end, {1, 2, 3})
%%
Utils.map(function(v) return v * 2 end)({1, 2, 3})
%%
Utils.map(function(v, k) return k end, {"a", "b"})
%%
Utils.filter(function(v) return v > 1 end, {1, 2, 3})
%%
Utils.filter(function(v) return v > 1 end)({1, 2, 3})
%%
Utils.reduce(function(acc, v) return acc + v end, 0, {1, 2, 3})
%%
Utils.reduce(function(acc, v) return acc + v end)(0)({1, 2, 3})
%%
Utils.reduce(function(acc, v) return acc + v end, nil, {1, 2, 3})
%%
Utils.reduce(function(acc, v, k) return acc .. k end, "", {"a", "b"})
%%
Utils.find(function(v) return v > 1 end, {1, 2, 3})
%%
Utils.find(function(v) return v > 5 end, {1, 2, 3})
%%
Utils.find(function(v) return v.id == 2 end, {{id = 1}, {id = 2}})
%%
Utils.includes(2, {1, 2, 3})
%%
Utils.includes(5, {1, 2, 3})
%%
Utils.includes(2)({1, 2})
%%
Utils.concat({1, 2}, {3})
%%
Utils.concat({1, 2})({3, 4})
%%
Utils.reverse({1, 2, 3})
%%
Utils.reverse({})
%%
Utils.prop("a", {a = 5})
%%
Utils.prop("a")({a = "x"})
%%
Utils.propEq("a", "x", {a = "x"})
%%
Utils.propEq("a", "x")({a = "y"})
%%
Utils.propEq("a")("x")({a = "x"})
%%
Utils.compose(function(x) return x + 1 end, function(x) return x * 2 end)(5)
%%
Utils.compose(function(x) return x .. "a" end)(function(x) return x .. "b" end)("")
%%
Utils.keys({10, 20})
%%
Utils.values({10, 20})
%%
Utils.keys({a = 1})
%%
Utils.values({a = 1})
%%
Utils.matchesPattern("_", "x")
%%
Utils.matchesPattern("Ping", "Ping")
%%
Utils.matchesPattern("Ping", "Pong")
%%
Utils.matchesPattern("P.ng", "Pong")
%%
Utils.matchesPattern("^P", "Pong")
%%
Utils.matchesPattern({"A", "B"}, "B")
%%
Utils.matchesPattern({"A", "B"}, "C")
%%
Utils.matchesPattern(function(v) return v == "z" end, "z")
%%
Utils.matchesPattern(function(v) return v == "z" end, "y")
%%
Utils.matchesPattern(5, 5)
%%
Utils.matchesPattern(5, "5")
%%
Utils.matchesPattern("5", 5)
%%
Utils.matchesPattern("1.5", 1.5)
%%
Utils.matchesPattern(nil, "x")
%%
Utils.matchesPattern("x", nil)
%%
Utils.matchesPattern("a-b", "a-b")
%%
Utils.matchesPattern("a+", "aaa")
%%
Utils.matchesPattern(true, true)
%%
Utils.matchesSpec({Action = "Ping"}, "Ping")
%%
Utils.matchesSpec({Action = "Ping"}, "Pong")
%%
Utils.matchesSpec({Action = "Ping", x = "1"}, {x = "1"})
%%
Utils.matchesSpec({Action = "Ping"}, {x = "1"})
%%
Utils.matchesSpec({Action = "Ping"}, function(m) return "continue" end)
%%
Utils.matchesSpec({Action = "Ping"}, 5)
%%
Utils.matchesSpec({x = 5}, {x = 5})
%%
Utils.matchesSpec({x = "10"}, {x = "%d+"})
%%
Utils.capitalize
%%
Utils.isArray
%%
local f = Utils.curry(function(a, b, c) return a + b + c end) return f(1)(2)(3)
%%
local f = Utils.curry(function(a, b, c) return a + b + c end) return f(1, 2)(3)
%%
local f = Utils.curry(function(a, b, c) return a + b + c end) return f(1, 2, 3)
%%
local f = Utils.curry(function(a, b) return a .. b end, 2) return f("x")("y")
%%
local f = Utils.curry(function(a) return a end) return f(9)
%%
local f = Utils.curry(function(...) return select("#", ...) end) return type(f)
%%
local f = Utils.curry(function(...) return select("#", ...) end) return type(f(1))
%%
local f = Utils.curry(function(a, b, c) return tostring(a) .. tostring(b) .. tostring(c) end) return type(f(1, nil))
%%
local f = Utils.curry(function(a, b, c) return tostring(a) .. tostring(b) .. tostring(c) end) return f(1, nil, 3)
%%
local f = Utils.curry(function(a, b, c) return tostring(a) .. tostring(b) .. tostring(c) end) return type(f(1, 2, nil))
%%
local ok, e = pcall(Utils.curry, 5) return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(Utils.map, 5, {1}) return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(Utils.map, function() end, "x") return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(Utils.filter, function() end, 5) return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(Utils.reduce, 1, 0, {}) return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(Utils.concat, 1, {}) return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(Utils.concat, {a = 1}, {}) return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(Utils.reverse, "x") return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(Utils.propEq, 1, "x", {}) return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(Utils.propEq, "a", 1, {}) return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(Utils.includes, 1, "x") return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(Utils.keys, "x") return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(Utils.values, 1) return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(Utils.find, function() end, 1) return tostring(ok) .. " " .. tostring(e)
%%
Utils.map(function(v) return v end, {})
%%
Utils.filter(function(v) return true end, {})
%%
Utils.find(function(v) return v == 1 end, {})
%%
Utils.reduce(function(a, v) return a + v end, 5, {})
