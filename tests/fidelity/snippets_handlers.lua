function hnames() local n = {} for _, h in ipairs(Handlers.list) do n[#n + 1] = h.name end return table.concat(n, ",") end
%%
hnames()
%%
Handlers._version
%%
type(Handlers.utils)
%%
Handlers.add("fA", "FA", function() end)
%%
hnames()
%%
Handlers.add("fA", "FA2", function() end)
%%
hnames()
%%
Handlers.append("fB", "FB", function() end)
%%
hnames()
%%
Handlers.prepend("fC", "FC", function() end)
%%
hnames()
%%
Handlers.once("fD", "FD", function() end)
%%
hnames()
%%
Handlers.once("FE", function() end)
%%
hnames()
%%
Handlers.once(function(m) return false end, function() end)
%%
hnames()
%%
Handlers.onceNonce
%%
Handlers.before("fA").add("fF", "FF", function() end)
%%
hnames()
%%
Handlers.after("fA").add("fG", "FG", function() end)
%%
hnames()
%%
Handlers.before("nope").add("fH", "FH", function() end)
%%
hnames()
%%
Handlers.remove("fF")
%%
hnames()
%%
Handlers.remove("does-not-exist")
%%
hnames()
%%
Handlers.remove(1)
%%
Handlers.add(1, "x", function() end)
%%
Handlers.add("fI", "FI", "not a function")
%%
hnames()
%%
Handlers.add("fJ", 5, function() end)
%%
Handlers.add("fK", function() end)
%%
hnames()
%%
Handlers.add("fL", "FL", function() end, 3)
%%
Handlers.list[#Handlers.list].maxRuns
%%
Handlers.add("fM", "FM", function() end, "inf")
%%
Handlers.list[#Handlers.list].maxRuns
%%
Handlers.before(1)
%%
Handlers.after(1)
%%
Handlers.before("fA").add(1, "x", function() end)
%%
Handlers.after("fA").add("fN", 5, function() end)
%%
for _, n in ipairs({"fA","fB","fC","fD","FE","fG","fH","fI","fJ","fK","fL","fM","fN","_once_0","_once_1","_once_2"}) do Handlers.remove(n) end return hnames()
%%
Handlers.generateResolver
%%
type(Handlers.generateResolver)
%%
local r = Handlers.generateResolver({ [function(m) return m.x == 1 end] = function(m) return "one" end }) return type(r)
%%
local r = Handlers.generateResolver(function(m) return "plain" end) return r({})
%%
local r = Handlers.generateResolver({ [{x = "1"}] = function(m) return "matched" end }) return r({x = "1"})
%%
local r = Handlers.generateResolver({ ["Act"] = function(m) return "act" end }) return r({Action = "Act"})
%%
local r = Handlers.generateResolver({ ["Act"] = function(m) return "act" end }) return r({Action = "Other"})
%%
local log = {} Handlers.prepend("t1", function() return true end, function() log[#log+1] = "t1" end) local r = Handlers.evaluate({Action = "T"}, ao.env) Handlers.remove("t1") return tostring(r) .. " " .. table.concat(log, ",")
%%
local log = {} Handlers.prepend("t1", function() return "continue" end, function() log[#log+1] = "t1" end) Handlers.prepend("t0", function() return 1 end, function() log[#log+1] = "t0" end) Handlers.after("t1").add("t2", function() return "break" end, function() log[#log+1] = "t2" end) local r = Handlers.evaluate({Action = "T"}, ao.env) for _, n in ipairs({"t0","t1","t2"}) do Handlers.remove(n) end return tostring(r) .. " " .. table.concat(log, ",")
%%
local log = {} Handlers.prepend("r1", function() return -1 end, function() log[#log+1] = "r1" end, 2) local a = Handlers.evaluate({Action = "T"}, ao.env) local b = Handlers.evaluate({Action = "T"}, ao.env) return tostring(a) .. tostring(b) .. " " .. table.concat(log, ",") .. " " .. hnames()
%%
local log = {} Handlers.prepend("z1", function() return -1 end, function() log[#log+1] = "z1" end, 0) local a = Handlers.evaluate({Action = "T"}, ao.env) local mr = Handlers.list[1].name .. "=" .. tostring(Handlers.list[1].maxRuns) Handlers.remove("z1") return tostring(a) .. " " .. table.concat(log, ",") .. " " .. mr
%%
local log = {} Handlers.prepend("m2", function() return 1 end, function() log[#log+1] = "m2" end) Handlers.prepend("m1", function() return 1 end, function() log[#log+1] = "m1"; Handlers.remove("m1") end) Handlers.after("m2").add("m3", function() return -1 end, function() log[#log+1] = "m3" end) local r = Handlers.evaluate({Action = "T"}, ao.env) Handlers.remove("m2") Handlers.remove("m3") return tostring(r) .. " " .. table.concat(log, ",")
%%
local ok, e = pcall(Handlers.evaluate, nil, ao.env) return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(Handlers.evaluate, {}, nil) return tostring(ok) .. " " .. tostring(e)
%%
Handlers.prepend("bad", function() return {} end, function() end) local ok, e = pcall(Handlers.evaluate, {Action = "T"}, ao.env) Handlers.remove("bad") return tostring(ok) .. " " .. tostring(e)
%%
Handlers.prepend("bad2", function() return nil end, function() end) local ok, e = pcall(Handlers.evaluate, {Action = "T"}, ao.env) Handlers.remove("bad2") return tostring(ok) .. " " .. tostring(e)
%%
Handlers.prepend("e1", function() return true end, function() error("inner boom") end) local ok, e = pcall(Handlers.evaluate, {Action = "T"}, ao.env) Handlers.remove("e1") return tostring(ok)
%%
local u = Handlers.utils local f = u.hasMatchingTag("Action", "Ping") return f({Tags = {Action = "Ping"}})
%%
local u = Handlers.utils local f = u.hasMatchingTag("Action", "Ping") return f({Tags = {Action = "Pong"}})
%%
local u = Handlers.utils local f = u.hasMatchingTagOf("Action", {"A", "B"}) return f({Tags = {Action = "B"}})
%%
local u = Handlers.utils local f = u.hasMatchingTagOf("Action", {"A", "B"}) return f({Tags = {Action = "C"}})
%%
local u = Handlers.utils local f = u.hasMatchingData("hi") return f({Data = "hi"})
%%
local u = Handlers.utils local f = u.hasMatchingData("hi") return f({Data = "ho"})
%%
local u = Handlers.utils return u.continue(function() return true end)({})
%%
local u = Handlers.utils return u.continue(function() return false end)({})
%%
local ok, e = pcall(Handlers.utils.hasMatchingTag, 1, "x") return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(Handlers.utils.hasMatchingData, 1) return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(Handlers.utils.hasMatchingTagOf, "A", "notatable") return tostring(ok) .. " " .. tostring(e)
%%
local t = {} for k in pairs(Handlers.utils) do t[#t+1] = k end table.sort(t) return table.concat(t, " ")
%%
local t = {} for k in pairs(Handlers) do t[#t+1] = k end table.sort(t) return table.concat(t, " ")
%%
#Handlers.coroutines >= 0
%%
Handlers.add("pp", "PP", function(m) print("handled " .. m.Data) end) return hnames()
%%
--! msg {"action": "PP", "data": "d1"}
%%
Handlers.remove("pp") return hnames()
%%
Handlers.add("err", "ERR", function(m) error("handler failed") end) return "ok"
%%
--! msg {"action": "ERR", "data": ""}
%%
Handlers.remove("err") return #Inbox
%%
Handlers.add("ret", "RET", function(m) return "ignored" end)
%%
--! msg {"action": "RET", "data": ""}
%%
Handlers.remove("ret")
%%
--! msg {"action": "Unknown-Action", "data": "hello inbox"}
%%
#Inbox
%%
Inbox[#Inbox].Action
%%
Inbox[#Inbox].Data
%%
Handlers.add("cont", function(m) return m.Action == "CONT" and "continue" or "skip" end, function(m) print("cont ran") end)
%%
--! msg {"action": "CONT", "data": ""}
%%
#Inbox
%%
Handlers.remove("cont")
%%
Handlers.add("tagm", { Action = "TM", Color = "red" }, function(m) print("tag match " .. m.Color) end)
%%
--! msg {"action": "TM", "data": "", "tags": {"Color": "red"}}
%%
--! msg {"action": "TM", "data": "", "tags": {"Color": "blue"}}
%%
Handlers.remove("tagm")
%%
Handlers.add("pat", { Action = "P%d+" }, function(m) print("pattern " .. m.Action) end)
%%
--! msg {"action": "P12", "data": ""}
%%
Handlers.remove("pat")
%%
Handlers.add("wild", { Action = "W", Extra = "_" }, function(m) print("wild " .. m.Extra) end)
%%
--! msg {"action": "W", "data": "", "tags": {"Extra": "anything"}}
%%
Handlers.remove("wild")
%%
Handlers.add("res", "RES", { [{ Kind = "a" }] = function(m) print("kind a") end, [{ Kind = "b" }] = function(m) print("kind b") end })
%%
--! msg {"action": "RES", "data": "", "tags": {"Kind": "b"}}
%%
Handlers.remove("res")
%%
#Errors
%%
hnames()
