-- stringify layouts (colours stripped where the layout is the point)
local stringify = require(".stringify")
local function plain(s) return (s:gsub("\27%[%d+m", "")) end

test("simple arrays and the empty table", function()
  assert_eq(plain(stringify.format({})), "{  }")
  assert_eq(plain(stringify.format({ 1, 2, "a" })), '{ 1, 2, "a" }')
  assert_eq(stringify.format({ 1, "a" }), '{ \27[34m1\27[0m, \27[32m"a"\27[0m }')
end)

test("maps use 3-space lines and no trailing comma", function()
  assert_eq(plain(stringify.format({ a = 1 })), "{\n   a = 1\n}")
  assert_eq(plain(stringify.format({ a = {}, b = { 1, "x" } })), '{\n   a = {  },\n   b = { 1, "x" }\n}')
  assert_eq(plain(stringify.format({ a = { b = { c = 1 } } })), "{\n   a = {\n     b = {\n       c = 1\n    }\n  }\n}")
  assert_eq(stringify.format({ feeBase = 0 }), "{\n   \27[31mfeeBase\27[0m = \27[34m0\27[0m\n}")
end)

test("arrays of tables close with ' }'", function()
  assert_eq(plain(stringify.format({ { a = 1 }, { b = 2 } })), "{\n  {\n     a = 1\n  },\n  {\n     b = 2\n  }\n }")
end)

test("mixed tables drop the array part", function()
  assert_eq(plain(stringify.format({ 1, 2, a = 3 })), "{\n   a = 3\n}")
  assert_eq(plain(stringify.format({ 1, nil, 3 })), "{\n   3 = 3\n}")
end)

test("circular references", function()
  local t = {}
  t.self = t
  assert_eq(plain(stringify.format(t)), "{\n   self = <circular reference>\n}")
  local s = {}
  assert_eq(stringify.format({ a = s, b = s }), "<circular reference>")
end)

test("keys come out in a fixed order", function()
  assert_eq(plain(stringify.format({ b = 1, a = 2, c = 3 })), "{\n   a = 2,\n   b = 1,\n   c = 3\n}")
end)
