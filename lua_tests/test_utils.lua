-- Utils: every helper, curried and full-argument calls.
local U = Utils

test("map filter reduce find", function()
  assert_eq(U.map(function(v) return v * 2 end)({ 1, 2 }), { 2, 4 })
  assert_eq(U.map(function(v, k) return k end, { "a", "b" }), { 1, 2 })
  assert_eq(U.filter(function(v) return v > 1 end)({ 1, 2, 3 }), { 2, 3 })
  assert_eq(U.reduce(function(a, b) return a + b end)(0)({ 1, 2, 3 }), 6)
  assert_eq(U.reduce(function(a, b) return a + b end, nil, { 1, 2, 3 }), 6)
  assert_eq(U.find(function(v) return v.id == 2 end)({ { id = 1 }, { id = 2 } }), { id = 2 })
  assert_error(function() U.map(function() end)({ a = 1 }) end, "second argument should be an Array")
end)

test("propEq prop includes keys values reverse concat compose", function()
  assert_eq(U.propEq("name")("x")({ name = "x" }), true)
  assert_eq(U.prop("a")({ a = 5 }), 5)
  assert_eq(U.includes(2)({ 1, 2 }), true)
  assert_eq(U.includes(3, { 1, 2 }), false)
  assert_eq(U.keys({ b = 1, a = 2 }), { "a", "b" })
  assert_eq(U.values({ b = 1, a = 2 }), { 2, 1 })
  assert_eq(U.reverse({ 1, 2, 3 }), { 3, 2, 1 })
  assert_eq(U.concat({ 1 })({ 2 }), { 1, 2 })
  local inc = function(v) return v + 1 end
  local dbl = function(v) return v * 2 end
  assert_eq(U.compose(inc)(dbl)(5), 11)
  assert_eq(U.compose(inc, dbl)(5), 11)
end)

test("matchesSpec", function()
  local msg = { Action = "Balance", Quantity = "5" }
  assert_eq(U.matchesSpec(msg, "Balance"), true)
  assert_eq(U.matchesSpec(msg, "balance"), false)
  assert_eq(U.matchesSpec(msg, { Quantity = "%d+" }), true)
  assert_eq(U.matchesSpec(msg, { Missing = "_" }), false)
  assert_eq(U.capitalize, nil)   -- real aos's Utils has no capitalize or isArray
  assert_eq(U.isArray, nil)
end)
