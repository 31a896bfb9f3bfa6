-- .handlers: the ordered handler list and the per-message evaluation loop.
-- Reloading this module (the `.update` script) keeps the list, coroutines and once-counter.
local utils = require(".utils")

local previous = Handlers
local handlers = { _version = "0.0.5" }
handlers.utils = require(".handlers-utils")
handlers.list = (previous and previous.list) or {}
handlers.coroutines = (previous and previous.coroutines) or {}
handlers.onceNonce = (previous and previous.onceNonce) or 0

local ARGS_ERROR = 'Invalid arguments given. Expected: \n'
  .. '\tname : string, '
  .. '\tpattern : Action : string | MsgMatch : table,\n'
  .. '\t\tfunction(msg: Message) : {-1 = break, 0 = skip, 1 = continue},\n'
  .. '\thandle(msg : Message) : void) | Resolver,\n'
  .. '\tMaxRuns? : number | "inf" | nil'

local function find_index(name)
  for i, o in ipairs(handlers.list) do
    if o.name == name then return i end
  end
  return nil
end

local function valid_name_and_pattern(name, pattern)
  local tp = type(pattern)
  return type(name) == "string" and (tp == "function" or tp == "table" or tp == "string")
end

-- Normalise (name, pattern, handle, maxRuns): `add(name, handle)` uses name as the pattern.
-- As in aos, the handle itself is not checked here (a bad one fails when it runs).
local function handler_args(name, pattern, handle, maxRuns)
  if handle == nil and maxRuns == nil then
    pattern, handle = name, pattern
  end
  assert(valid_name_and_pattern(name, pattern), ARGS_ERROR)
  return name, pattern, handle, maxRuns
end

-- Update the named handler in place; return true when it existed.
local function update_existing(name, pattern, handle, maxRuns)
  local idx = find_index(name)
  if not idx then return false end
  local o = handlers.list[idx]
  o.pattern, o.handle, o.maxRuns = pattern, handle, maxRuns
  return true
end

local function new_entry(name, pattern, handle, maxRuns)
  return { name = name, pattern = pattern, handle = handle, maxRuns = maxRuns }
end

function handlers.add(...)
  local name, pattern, handle, maxRuns = handler_args(...)
  if not update_existing(name, pattern, handle, maxRuns) then
    table.insert(handlers.list, new_entry(name, pattern, handle, maxRuns))
  end
  return #handlers.list
end

function handlers.append(...)
  local name, pattern, handle, maxRuns = handler_args(...)
  if not update_existing(name, pattern, handle, maxRuns) then
    table.insert(handlers.list, new_entry(name, pattern, handle, maxRuns))
  end
end

function handlers.prepend(...)
  local name, pattern, handle, maxRuns = handler_args(...)
  if not update_existing(name, pattern, handle, maxRuns) then
    table.insert(handlers.list, 1, new_entry(name, pattern, handle, maxRuns))
  end
end

local function next_once_name()
  local name = "_once_" .. tostring(handlers.onceNonce)
  handlers.onceNonce = handlers.onceNonce + 1
  return name
end

-- once(name, pattern, handle) or once(pattern, handle): a handler that runs one time, placed
-- first; the two-argument form is named `_once_<n>`.
function handlers.once(...)
  local name, pattern, handle
  if select("#", ...) >= 3 then
    name, pattern, handle = ...
  else
    pattern, handle = ...
    name = next_once_name()
  end
  handlers.prepend(name, pattern, handle, 1)
end

local function inserter(anchor, offset)
  assert(type(anchor) == "string", "Handler name MUST be a string")
  return {
    add = function(name, pattern, handle, maxRuns)
      assert(valid_name_and_pattern(name, pattern), ARGS_ERROR)
      local idx = find_index(anchor)
      if idx then
        table.insert(handlers.list, idx + offset, new_entry(name, pattern, handle, maxRuns))
      end
    end,
  }
end

function handlers.before(name) return inserter(name, 0) end
function handlers.after(name) return inserter(name, 1) end

function handlers.remove(name)
  assert(type(name) == "string", "name MUST be string")
  local idx = find_index(name)
  if idx then table.remove(handlers.list, idx) end
end

-- receive(pattern): suspend the running coroutine until a matching message arrives.
function handlers.receive(pattern)
  local self = coroutine.running()
  handlers.once(pattern, function(msg)
    -- the suspended code runs inside its own message's pcall: a `false` status
    -- from that pcall is its error, re-raised here in the message that resumed it
    local ok, status, err = coroutine.resume(self, msg)
    if not ok then error(status, 0) end
    if status == false then error(err, 0) end
  end)
  return coroutine.yield(pattern)
end

-- Pattern results: true/-1/"break" = run and stop; 1/"continue" = run and go on; else skip.
local function match_code(match)
  local tm = type(match)
  if tm ~= "number" and tm ~= "string" and tm ~= "boolean" then
    error("Pattern result is not valid, it MUST be string, number, or boolean")
  end
  if match == true then return -1 end
  if match == false then return 0 end
  if tm == "string" then
    if match == "continue" then return 1 end
    if match == "break" then return -1 end
    return 0
  end
  return match
end

-- A stable text for a resolver spec, so resolver entries are tried in a fixed order:
-- strings first (sorted), then tables (by their sorted contents), then functions.
local function spec_order_key(spec, depth)
  local ts = type(spec)
  if ts == "string" then return "1" .. spec end
  if ts == "table" and (depth or 0) < 4 then
    local keys = {}
    for k in pairs(spec) do keys[#keys + 1] = tostring(k) end
    table.sort(keys)
    local parts = {}
    for i, k in ipairs(keys) do
      local v = spec[k]
      if v == nil then v = spec[tonumber(k)] end
      parts[i] = k .. "=" .. spec_order_key(v, (depth or 0) + 1)
    end
    return "2{" .. table.concat(parts, ",") .. "}"
  end
  return "3" .. ts
end

-- generateResolver(spec): a function(msg) that calls `spec` itself when it is a function,
-- or, for a { [pattern] = fn } table, the first fn whose pattern matches the message.
function handlers.generateResolver(resolveSpec)
  return function(msg, env)
    if type(resolveSpec) == "function" then return resolveSpec(msg, env) end
    local entries = {}
    for spec in pairs(resolveSpec) do entries[#entries + 1] = { spec = spec, key = spec_order_key(spec) } end
    table.sort(entries, function(a, b) return a.key < b.key end)
    for _, e in ipairs(entries) do
      if utils.matchesSpec(msg, e.spec) then
        return resolveSpec[e.spec](msg, env)
      end
    end
  end
end

local function run_handle(o, msg, env)
  if type(o.handle) == "table" then return handlers.generateResolver(o.handle)(msg, env) end
  return o.handle(msg, env)
end

-- Run the handlers in list order against `msg`. The live list is walked (as in aos): a
-- handler that removes itself shifts the next one into its place, which is then skipped.
-- Returns true when a handler broke the chain, nil otherwise (then `_default` runs).
function handlers.evaluate(msg, env)
  local handled = false
  assert(type(msg) == "table", "msg is not valid")
  assert(type(env) == "table", "env is not valid")
  for _, o in ipairs(handlers.list) do
    if o.name ~= "_default" then
      local match = match_code(utils.matchesSpec(msg, o.pattern))
      if match ~= 0 then
        if match < 0 then handled = true end
        local ok, err = pcall(run_handle, o, msg, env)
        if not ok then error(err) end
        if o.maxRuns ~= nil and o.maxRuns ~= "inf" then
          -- counted down on every run; only reaching exactly 0 removes it (0 itself goes to -1)
          o.maxRuns = o.maxRuns - 1
          if o.maxRuns == 0 then handlers.remove(o.name) end
        end
      end
      if match < 0 then return handled end
    end
  end
  if not handled then
    local idx = find_index("_default")
    if idx then handlers.list[idx].handle(msg, env) end
  end
end

return handlers
