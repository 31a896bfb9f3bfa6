-- harness.lua: the tiny Lua test framework run inside a booted process state.
-- A test file calls test(name, fn); helpers assert_eq / assert_error / send are globals.
local env, pid, owner = ...
local tests, order = {}, {}
local process = require(".process")
local counter = 0

local function line_of_caller()
  -- the first frame outside this file in a traceback
  for line in debug.traceback("", 3):gmatch("[^\n]+") do
    local where = line:match("^%s*(.-:%d+):")
    if where and not where:find("harness", 1, true) then return tonumber(where:match(":(%d+)$")) end
  end
  return 0
end

function test(name, fn)
  assert(type(name) == "string" and type(fn) == "function", "test(name, fn)")
  assert(not tests[name], "duplicate test name: " .. name)
  tests[name] = fn
  order[#order + 1] = { name = name, line = line_of_caller() }
end

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) == "table" then
    local ok, s = pcall(require("json").encode, v)
    if ok then return s end
  end
  return tostring(v)
end

local function deep_eq(a, b)
  if type(a) ~= "table" or type(b) ~= "table" then return a == b and math.type(a) == math.type(b) end
  for k, v in pairs(a) do if not deep_eq(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

function assert_eq(actual, expected, what)
  if not deep_eq(actual, expected) then
    error((what and (what .. ": ") or "") .. "expected " .. show(expected) .. ", got " .. show(actual), 2)
  end
end

function assert_true(v, what)
  if not v then error((what or "assertion") .. " failed", 2) end
end

-- fn must raise an error whose text contains `fragment` (plain text)
function assert_error(fn, fragment)
  local ok, err = pcall(fn)
  if ok then error("expected an error containing " .. show(fragment) .. ", got none", 2) end
  if fragment and not tostring(err):find(fragment, 1, true) then
    error("expected an error containing " .. show(fragment) .. ", got " .. show(tostring(err)), 2)
  end
  return err
end

-- Deliver a message to this process as the host would; returns the result table.
-- fields: Action, Data, From (default: the owner), Owner (default: From), Tags (map or array), ...
function send(fields)
  counter = counter + 1
  local msg = {
    Id = string.format("test-message-%039d", counter):sub(1, 43),
    From = fields.From or owner, Target = fields.Target or pid,
    Data = fields.Data or "", Timestamp = 1732460000000 + counter,
    ["Block-Height"] = 1500000, Module = "test-module", Nonce = counter, Cron = false,
    Tags = {},
  }
  msg.Owner = fields.Owner or msg.From
  if fields.Action then table.insert(msg.Tags, { name = "Action", value = fields.Action }) end
  local tags = fields.Tags or {}
  if tags[1] then
    for _, t in ipairs(tags) do table.insert(msg.Tags, t) end
  else
    local keys = {}
    for k in pairs(tags) do keys[#keys + 1] = k end
    table.sort(keys)
    for _, k in ipairs(keys) do table.insert(msg.Tags, { name = k, value = tags[k] }) end
  end
  return process.handle(msg, env)
end

-- the value of a tag in an outgoing message
function tag(message, name)
  for _, t in ipairs(message.Tags) do
    if t.name == name then return t.value end
  end
end

PID, OWNER = pid, owner

local harness = {}

function harness.load(source, chunkname)
  local fn = assert(load(source, chunkname, "t", _G))
  fn()
  local names, lines = {}, {}
  for i, o in ipairs(order) do
    names[i] = o.name
    lines[i] = o.line
  end
  return names, lines
end

function harness.run(name)
  local fn = tests[name]
  if not fn then return false, "no such test: " .. name end
  local ok, err = xpcall(fn, function(e) return debug.traceback(tostring(e), 2) end)
  return ok, err
end

return harness
