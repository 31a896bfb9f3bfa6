-- Handlers: list operations, pattern forms, break/continue/skip, maxRuns, resolvers, receive.
local function names()
  local out = {}
  for i, h in ipairs(Handlers.list) do out[i] = h.name end
  return table.concat(out, ",")
end

test("add appends, updates in place and returns the length", function()
  assert_eq(names(), "_eval,_default")
  assert_eq(Handlers.add("a", "A", function() end), 3)
  assert_eq(Handlers.add("b", "B", function() end), 4)
  assert_eq(Handlers.add("a", "A2", function() end), 4)
  assert_eq(names(), "_eval,_default,a,b")
  assert_eq(Handlers.list[3].pattern, "A2")
end)

test("prepend, once, before, after, remove", function()
  Handlers.prepend("p", "P", function() end)
  Handlers.once("o", "O", function() end)
  Handlers.once({ Action = "X" }, function() end)
  Handlers.before("_default").add("bd", "BD", function() end)
  Handlers.after("_eval").add("ae", "AE", function() end)
  Handlers.after("missing").add("nothing", "N", function() end)
  assert_eq(names(), "_once_0,o,p,_eval,ae,bd,_default")
  Handlers.remove("p")
  assert_eq(names(), "_once_0,o,_eval,ae,bd,_default")
  assert_eq(Handlers.list[2].maxRuns, 1)
end)

test("argument checks use aos's texts", function()
  assert_error(function() Handlers.add(1, "x", function() end) end, "Invalid arguments given. Expected: \n\tname : string")
  assert_error(function() Handlers.before(1) end, "Handler name MUST be a string")
  assert_error(function() Handlers.remove(1) end, "name MUST be string")
end)

test("string pattern matches Action exactly and case-sensitively", function()
  local seen = {}
  Handlers.add("ping", "Ping", function(m) seen[#seen + 1] = m.Action end)
  send({ Action = "Ping" })
  send({ Action = "ping" })
  assert_eq(seen, { "Ping" })
  assert_eq(#Inbox, 2)
end)

test("table patterns: equality, wildcard, function, any-of and Lua patterns", function()
  local hits = {}
  Handlers.add("t1", { Action = "Credit-Notice", Quantity = "_" }, function() hits[#hits + 1] = "t1" end)
  Handlers.add("t2", { Action = { "A", "B" } }, function() hits[#hits + 1] = "t2" end)
  Handlers.add("t3", { Action = "^Get%-" }, function() hits[#hits + 1] = "t3" end)
  Handlers.add("t4", { Action = function(v) return v == "Fn" end }, function() hits[#hits + 1] = "t4" end)
  send({ Action = "Credit-Notice", Tags = { Quantity = "5" } })
  send({ Action = "Credit-Notice" })
  send({ Action = "B" })
  send({ Action = "Get-Info" })
  send({ Action = "Fn" })
  assert_eq(hits, { "t1", "t2", "t3", "t4" })
end)

test("continue runs later handlers too and still reaches _default", function()
  local hits = {}
  Handlers.add("c", function() return "continue" end, function() hits[#hits + 1] = "c" end)
  Handlers.add("n", function() return 1 end, function() hits[#hits + 1] = "n" end)
  local res = send({ Action = "Anything" })
  assert_eq(hits, { "c", "n" })
  assert_true(res.Output.data:find("New Message From", 1, true), "default ran")
end)

test("break stops, skip skips", function()
  local hits = {}
  Handlers.add("skip", function() return "skip" end, function() hits[#hits + 1] = "skip" end)
  Handlers.add("stop", function() return "break" end, function() hits[#hits + 1] = "stop" end)
  Handlers.add("late", function() return true end, function() hits[#hits + 1] = "late" end)
  local res = send({ Action = "Anything" })
  assert_eq(hits, { "stop" })
  assert_eq(res.Output.data, "")
end)

test("an invalid pattern result is an error with aos's text", function()
  Handlers.add("bad", function() return {} end, function() end)
  local res = send({ Action = "Anything" })
  assert_true(res.Error:find("Pattern result is not valid, it MUST be string, number, or boolean", 1, true))
end)

test("maxRuns counts down and removes the handler", function()
  local n = 0
  Handlers.add("twice", "T", function() n = n + 1 end, 2)
  send({ Action = "T" })
  send({ Action = "T" })
  send({ Action = "T" })
  assert_eq(n, 2)
  -- as in aos, `_boot` stays listed (re-registered on every message, it runs only on the spawn)
  assert_eq(names(), "_boot,_eval,_default")
end)

test("resolver tables pick the matching entry", function()
  local got = {}
  Handlers.add("r", "R", {
    [{ Kind = "a" }] = function() got[#got + 1] = "a" end,
    [{ Kind = "b" }] = function() got[#got + 1] = "b" end,
  })
  send({ Action = "R", Tags = { Kind = "b" } })
  send({ Action = "R", Tags = { Kind = "a" } })
  assert_eq(got, { "b", "a" })
end)

test("handlers utils", function()
  local u = Handlers.utils
  assert_error(function() u.hasMatchingTag("A", 1) end, "invalid arguments: (name : string, value : string)")
  local msg = { Tags = { Action = "X" }, Data = "d" }
  assert_eq(u.hasMatchingTag("Action", "X")(msg), true)
  assert_eq(u.hasMatchingTagOf("Action", { "Y", "X" })(msg), true)
  assert_eq(u.hasMatchingTagOf("Action", { "Y" })(msg), 0)
  assert_eq(u.hasMatchingData("d")(msg), true)
  assert_eq(u.continue(u.hasMatchingTag("Action", "X"))(msg), 1)
  assert_eq(u.continue(u.hasMatchingTag("Action", "Z"))(msg), false)
end)

test("Handlers.receive suspends until the matching message", function()
  local got
  Handlers.add("waiter", "Start", function()
    local reply = Handlers.receive({ Action = "Done" })
    got = reply.Data
    print("resumed with " .. reply.Data)
  end)
  send({ Action = "Start" })
  assert_eq(got, nil)
  local res = send({ Action = "Done", Data = "yes" })
  assert_eq(got, "yes")
  assert_eq(res.Output.data, "resumed with yes")
end)

test("handler errors drop outgoing messages and print the three lines", function()
  Handlers.add("boom", "Boom", function() Send({ Target = "x" }) error("bad") end)
  local res = send({ Action = "Boom" })
  assert_eq(res.Messages, nil)
  assert_true(res.Error:find("\27[31mError\27[90m handling message with Action = Boom\27[0m\n\27[32m", 1, true))
end)
