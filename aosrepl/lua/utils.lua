-- .utils: small functional helpers (all curried) and the pattern matcher used by Handlers.
local utils = { _version = "0.0.5" }

-- An "array" as aos checks it: every key a positive whole number (holes allowed).
local function is_array(t)
  if type(t) ~= "table" then return false end
  for k in pairs(t) do
    if type(k) ~= "number" or k < 1 or math.floor(k) ~= k then return false end
  end
  return true
end

-- curry(fn, arity): collect arguments over several calls until `arity` are known; the
-- arity defaults to fn's parameter count. Behaves as aos's does, quirks included: arguments
-- are counted with `#` (trailing nils do not count), and a partial application passes on
-- only the first argument it collected (`f(1, 2)(3)` calls fn(1, 3)).
function utils.curry(fn, arity)
  assert(type(fn) == "function", "function is required as first argument")
  arity = arity or debug.getinfo(fn, "u").nparams
  if arity < 2 then return fn end
  return function(...)
    local args = { ... }
    if #args >= arity then return fn(table.unpack(args)) end
    return utils.curry(function(...) return fn(table.unpack(args), ...) end, arity - #args)
  end
end

-- Does one value match one spec? `'_'` matches anything, a function decides, a table matches
-- when any of its entries does, a string with Lua pattern characters is matched with
-- string.match (which converts a number value to text: "1.5" matches 1.5), another string
-- must be equal. Anything else never matches (as in aos, even 5 against 5).
function utils.matchesPattern(pattern, value, msg)
  if not pattern then return false end
  if pattern == "_" then return true end
  local tp = type(pattern)
  if tp == "function" then return pattern(value, msg) and true or false end
  if tp == "table" then
    for _, sub in pairs(pattern) do
      if utils.matchesPattern(sub, value, msg) then return true end
    end
    return false
  end
  if tp == "string" then
    if value == nil then return false end
    if pattern:find("[%^%$%(%)%%%.%[%]%*%+%?]") then
      return string.match(value, pattern) ~= nil
    end
    return value == pattern
  end
  return false
end

-- Does the message match a handler spec (function, Action string, or field table)?
function utils.matchesSpec(msg, spec)
  local ts = type(spec)
  if ts == "function" then return spec(msg) end
  if ts == "table" then
    for key, pattern in pairs(spec) do
      if not msg[key] then return false end
      if not utils.matchesPattern(pattern, msg[key], msg) then return false end
    end
    return true
  end
  if ts == "string" then
    return msg.Action ~= nil and msg.Action == spec
  end
  return false
end

utils.concat = utils.curry(function(a, b)
  assert(type(a) == "table", "first argument should be a table that is an array")
  assert(type(b) == "table", "second argument should be a table that is an array")
  assert(is_array(a), "first argument should be a table")
  assert(is_array(b), "second argument should be a table")
  local result = {}
  for i = 1, #a do result[#result + 1] = a[i] end
  for i = 1, #b do result[#result + 1] = b[i] end
  return result
end, 2)

utils.reduce = utils.curry(function(fn, initial, t)
  assert(type(fn) == "function", "first argument should be a function that accepts (result, value, key)")
  assert(type(t) == "table" and is_array(t), "third argument should be a table that is an array")
  local result = initial
  for k = 1, #t do
    if result == nil then
      result = t[k]
    else
      result = fn(result, t[k], k)
    end
  end
  return result
end, 3)

utils.map = utils.curry(function(fn, t)
  assert(type(fn) == "function", "first argument should be a unary function")
  assert(type(t) == "table" and is_array(t), "second argument should be an Array")
  local result = {}
  for k = 1, #t do result[k] = fn(t[k], k) end
  return result
end, 2)

utils.filter = utils.curry(function(fn, t)
  assert(type(fn) == "function", "first argument should be a unary function")
  assert(type(t) == "table" and is_array(t), "second argument should be an Array")
  local result = {}
  for k = 1, #t do
    if fn(t[k]) then result[#result + 1] = t[k] end
  end
  return result
end, 2)

utils.find = utils.curry(function(fn, t)
  assert(type(fn) == "function", "first argument should be a unary function")
  assert(type(t) == "table", "second argument should be a table that is an array")
  if is_array(t) then
    for k = 1, #t do
      if fn(t[k]) then return t[k] end
    end
    return nil
  end
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  for _, k in ipairs(keys) do
    if fn(t[k]) then return t[k] end
  end
end, 2)

utils.propEq = utils.curry(function(propName, value, object)
  assert(type(propName) == "string", "first argument should be a string")
  assert(type(value) == "string", "second argument should be a string")
  assert(type(object) == "table", "third argument should be a table<object>")
  return object[propName] == value
end, 3)

function utils.reverse(data)
  assert(type(data) == "table" and is_array(data), "argument needs to be a table that is an array")
  local result = {}
  for i = #data, 1, -1 do result[#result + 1] = data[i] end
  return result
end

utils.compose = utils.curry(function(...)
  local fns = table.pack(...)
  return function(v)
    for i = fns.n, 1, -1 do v = fns[i](v) end
    return v
  end
end, 2)

utils.prop = utils.curry(function(propName, object)
  return object[propName]
end, 2)

utils.includes = utils.curry(function(val, t)
  assert(type(t) == "table", "argument needs to be a table")
  assert(is_array(t), "argument should be a table that is an array")
  for k = 1, #t do
    if t[k] == val then return true end
  end
  return false
end, 2)

-- Keys and values come back in a fixed (sorted) order.
local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return ta < tb end
    if ta == "number" or ta == "string" then return a < b end
    return tostring(a) < tostring(b)
  end)
  return keys
end

function utils.keys(t)
  assert(type(t) == "table", "argument needs to be a table")
  return sorted_keys(t)
end

function utils.values(t)
  assert(type(t) == "table", "argument needs to be a table")
  local values = {}
  for i, k in ipairs(sorted_keys(t)) do values[i] = t[k] end
  return values
end

return utils
