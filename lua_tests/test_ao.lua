-- ao: send tags, reply/forward correlation, spawn, assign, normalize
local AUTHORITY = "fcoN_xJeisVsPXA-trzVAuIiqO3ydLQxM-L4XbrQKzY"   -- signs messages from processes
test("send builds the fixed tags, root keys, then Tags", function()
  local before = ao.reference
  local m = ao.send({ Target = "T", Action = "Go", Zed = "z", Tags = { { name = "Extra", value = "1" } } })
  assert_eq(m.Anchor, string.format("%032d", before + 1))
  local names = {}
  for i, t in ipairs(m.Tags) do names[i] = t.name end
  assert_eq(names, { "Data-Protocol", "Variant", "Type", "Reference", "Action", "Zed", "Extra" })
  assert_eq(tag(m, "Reference"), tostring(before + 1))
  assert_eq(ao.outbox.Messages[#ao.outbox.Messages].onReply, nil)
  assert_error(function() ao.send("x") end, "msg should be a table")
end)

test("reply correlates with X-Reference and receive() resumes", function()
  local got
  Handlers.add("ask", "Ask", function()
    local r = Send({ Target = "SVC", Action = "Q" }).receive()
    got = r.Data
  end)
  local res = send({ Action = "Ask" })
  local ref = tag(res.Messages[1], "Reference")
  send({ From = "SVC", Owner = AUTHORITY, Data = "wrong", Tags = { ["X-Reference"] = "999" } })
  assert_eq(got, nil)
  send({ From = "SVC", Owner = AUTHORITY, Data = "answer", Tags = { ["X-Reference"] = ref } })
  assert_eq(got, "answer")
end)

test("msg.reply and msg.forward", function()
  Handlers.add("fw", "Fw", function(m)
    m.reply({ Data = "r" })
    m.forward("OTHER", { Note = "n" })
  end)
  local res = send({ Action = "Fw", Data = "payload", Tags = { Reference = "4", Custom = "c" } })
  local reply, fwd = res.Messages[1], res.Messages[2]
  assert_eq(reply.Target, OWNER)
  assert_eq(tag(reply, "X-Reference"), "4")
  assert_eq(fwd.Target, "OTHER")
  assert_eq(fwd.Data, "payload")
  assert_eq(tag(fwd, "Custom"), "c")
  assert_eq(tag(fwd, "Note"), "n")
  assert_eq(tag(fwd, "Reply-To"), OWNER)
  assert_eq(tag(fwd, "X-Origin"), OWNER)
end)

test("spawn and assign", function()
  local s = ao.spawn("MOD", { Data = { a = 1 } })
  assert_eq(s.Data, '{"a":1}')
  assert_eq(tag(s, "Type"), "Process")
  assert_eq(tag(s, "Module"), "MOD")
  assert_eq(tag(s, "Content-Type"), "application/json")
  assert_error(function() ao.spawn(nil, {}) end, "Module source id is required!")
  assert_error(function() ao.assign({ Processes = {}, Message = 1 }) end, "Message should be a string")
  ao.assign({ Processes = { "p" }, Message = "m" })
  assert_eq(ao.outbox.Assignments[#ao.outbox.Assignments], { Processes = { "p" }, Message = "m" })
end)

test("normalize skips non-extractable tags; the last duplicate wins at the root", function()
  local msg = { Tags = { { name = "Type", value = "Message" }, { name = "K", value = "1" }, { name = "K", value = "2" } } }
  ao.normalize(msg)
  assert_eq(msg.Type, nil)
  assert_eq(msg.K, "2")
  assert_eq(Tab(msg).K, "1")
end)

test("authorities come from the Authority tag", function()
  assert_eq(ao.authorities, { "fcoN_xJeisVsPXA-trzVAuIiqO3ydLQxM-L4XbrQKzY" })
  assert_eq(ao.isTrusted({ From = "x", Owner = "fcoN_xJeisVsPXA-trzVAuIiqO3ydLQxM-L4XbrQKzY" }), true)
  assert_eq(ao.isTrusted({ From = "x", Owner = "y" }), false)
end)

test("base64 round trip and Dump", function()
  local base64 = require(".base64")
  assert_eq(base64.encode("hello"), "aGVsbG8=")
  assert_eq(base64.decode("aGVsbG8="), "hello")
  assert_eq(Dump({ a = 1, [2] = "x" }), '{\n    [2] = "x",\n    a = 1\n}')
end)
