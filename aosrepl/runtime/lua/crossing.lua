-- crossing.lua: one call each way between Python and a process.
-- `inbound` builds a message table from flat arguments (no per-field calls from Python);
-- `outbound` turns a result table into one JSON text that Python decodes in one piece; `flatten` writes
-- a result of the usual shape as a flat list of plain values instead (cheaper on both sides).
-- The JSON follows the runtime's conversion rules: a table whose keys are exactly 1..n is an array,
-- other tables are objects; a key that is not a string is written as "\0" .. type letter .. value
-- ("\0i5", "\0f1.5", "\0btrue"; a string key starting with "\0" gets "\0s" in front) so Python can
-- restore it; functions and other non-data become "<function>" and so on; empty tables are
-- arrays inside the outbox fields and objects elsewhere. Tables are read raw (no metamethods run here,
-- as the field-by-field conversion runs none).
-- Argument: what the guard keeps of Lua as it ships (guard.raw): the string functions (the patterns
-- here are fixed and linear; lua/patterns.lua's bounded wrappers would cost more than the work itself)
-- and the raw metatable lookup.
local raw = ...
local concat, format, byte, sub = table.concat, string.format, string.byte, string.sub
local gsub, find, getmetatable = raw.gsub, raw.find, raw.getmetatable
local next, rawlen, rawget = next, rawlen, rawget
local mtype, huge = math.type, math.huge
local type, error, tostring = type, error, tostring

local MAX_DEPTH = 100   -- as bridge.to_python
local ARRAY_FIELDS = { Messages = true, Spawns = true, Assignments = true }

local escapes = { ['"'] = '\\"', ['\\'] = '\\\\', ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' }
local function escape(c) return escapes[c] or format("\\u%04x", byte(c)) end
local function quote(s)
  if not find(s, '[%c"\\]') then return '"' .. s .. '"' end
  return '"' .. gsub(s, '[%c"\\]', escape) .. '"'
end

local function number_text(v)
  if mtype(v) == "integer" then return format("%d", v) end
  if v ~= v then return "NaN" end
  if v == huge then return "Infinity" end
  if v == -huge then return "-Infinity" end
  local text = format("%.17g", v)
  if not find(text, "[.eEn]") then text = text .. ".0" end   -- stays a float in Python
  return text
end

local function key_text(k)
  local t = type(k)
  if t == "string" then
    if byte(k, 1) == 0 then return quote("\0s" .. k) end
    return quote(k)
  elseif t == "number" then
    if mtype(k) == "integer" then return quote("\0i" .. format("%d", k)) end
    return quote("\0f" .. number_text(k))
  elseif t == "boolean" then
    return quote("\0b" .. tostring(k))
  end
  return quote("<" .. t .. ">")
end

local encode

local function encode_table(v, out, n, as_list, depth, open)
  if open[v] or depth > MAX_DEPTH then
    error("The result could not be converted: a table is nested more than " .. MAX_DEPTH
          .. " levels deep, or contains itself", 0)
  end
  open[v] = true
  local count = 0
  for _ in next, v do count = count + 1 end
  local len = rawlen(v)
  if count == 0 then
    n = n + 1; out[n] = as_list and "[]" or "{}"
  else
    local is_array = len == count
    if is_array then
      for i = 1, len do if rawget(v, i) == nil then is_array = false break end end
    end
    if is_array then
      n = n + 1; out[n] = "["
      for i = 1, len do
        if i > 1 then n = n + 1; out[n] = "," end
        n = encode(rawget(v, i), out, n, as_list, depth + 1, open)
      end
      n = n + 1; out[n] = "]"
    else
      n = n + 1; out[n] = "{"
      local first = true
      for k, item in next, v do
        n = n + 1; out[n] = first and key_text(k) or "," .. key_text(k)
        first = false
        n = n + 1; out[n] = ":"
        n = encode(item, out, n, as_list, depth + 1, open)
      end
      n = n + 1; out[n] = "}"
    end
  end
  open[v] = nil
  return n
end

encode = function(v, out, n, as_list, depth, open)
  local t = type(v)
  n = n + 1
  if t == "string" then out[n] = quote(v)
  elseif t == "number" then out[n] = number_text(v)
  elseif t == "boolean" then out[n] = v and "true" or "false"
  elseif t == "table" then return encode_table(v, out, n - 1, as_list, depth, open)
  elseif t == "nil" then out[n] = "null"
  else out[n] = quote("<" .. t .. ">") end
  return n
end

local crossing = {}

function crossing.outbound(result)
  local out, n, open = {}, 1, {}
  out[1] = "{"
  local first = true
  for k, v in next, result do
    n = n + 1; out[n] = first and key_text(k) or "," .. key_text(k)
    first = false
    n = n + 1; out[n] = ":"
    n = encode(v, out, n, ARRAY_FIELDS[k] == true, 1, open)
  end
  n = n + 1; out[n] = "}"
  return concat(out, "", 1, n)
end

-- The flat form: a result of the usual shape as a list of plain values, which Python reads in order
-- (process.py `_from_flat`). Numbers are counts; everything else is data:
--   result   := n_fields, then per field: its name and its payload
--   Output   := n, then n (key, value) pairs (text keys, scalar values)
--   Messages, Spawns := n, then per entry: n_fields, (key, text) pairs, then n_tags (-1: no Tags), (name, value)...
--   Assignments := 0 (only an empty list)
--   Error    := the text
-- Anything else (a nested table, a number in a message, a metatable) returns nil: the JSON form is used,
-- so the two forms always agree.
local FLAT_LIMIT = 100000        -- values returned at most (Lua's stack holds about a million)

local function plain(t) return type(t) == "table" and getmetatable(t) == nil end

-- a table whose keys are exactly 1..#t
local function array_length(t)
  local len, count = rawlen(t), 0
  for _ in next, t do count = count + 1 end
  if count ~= len then return nil end
  return len
end

local function flat_scalars(t, out, n)
  local at = n + 1
  n = at
  local count = 0
  for k, v in next, t do
    local tv = type(v)
    if type(k) ~= "string" or (tv ~= "string" and tv ~= "boolean" and tv ~= "number") then return nil end
    out[n + 1], out[n + 2] = k, v
    n, count = n + 2, count + 1
  end
  out[at] = count
  return n
end

-- A plain array: its length, then each item (a plain table) as `item(entry, out, n)` writes it.
local function flat_list(list, out, n, item)
  if not plain(list) then return nil end
  local len = array_length(list)
  if not len then return nil end
  n = n + 1; out[n] = len
  for i = 1, len do
    local entry = rawget(list, i)
    if not plain(entry) then return nil end
    n = item(entry, out, n)
    if not n or n > FLAT_LIMIT then return nil end
  end
  return n
end

-- a tag: exactly the two fields, both text
local function flat_tag(tag, out, n)
  local name, value = rawget(tag, "name"), rawget(tag, "value")
  if type(name) ~= "string" or type(value) ~= "string" or next(tag, next(tag, next(tag))) ~= nil then
    return nil
  end
  out[n + 1], out[n + 2] = name, value
  return n + 2
end

-- an outbox entry: its text fields, then its Tags (-1 when it has none)
local function flat_entry(entry, out, n)
  local at = n + 1
  n = at
  local count, tags = 0, nil
  for k, v in next, entry do
    if k == "Tags" then
      tags = v
    elseif type(k) == "string" and type(v) == "string" then
      out[n + 1], out[n + 2] = k, v
      n, count = n + 2, count + 1
    else
      return nil
    end
  end
  out[at] = count
  if tags == nil then
    out[n + 1] = -1
    return n + 1
  end
  return flat_list(tags, out, n, flat_tag)
end

-- The flat form of `result` and its length, or nil when it has another shape.
function crossing.flatten(result)
  if not plain(result) then return nil end
  local out, n, fields = {}, 1, 0
  for k, v in next, result do
    n = n + 1; out[n] = k
    if k == "Output" then
      n = plain(v) and flat_scalars(v, out, n)
    elseif k == "Messages" or k == "Spawns" then
      n = flat_list(v, out, n, flat_entry)
    elseif k == "Assignments" then
      if not plain(v) or next(v) ~= nil then return nil end
      n = n + 1; out[n] = 0
    elseif k == "Error" and type(v) == "string" then
      n = n + 1; out[n] = v
    else
      return nil
    end
    if not n or n > FLAT_LIMIT then return nil end
    fields = fields + 1
  end
  out[1] = fields
  return out, n
end

-- id, from, owner, target, anchor, data, timestamp, block_height, cron, nonce, hash_chain, epoch, module,
-- then the tags as name, value, name, value...
function crossing.inbound(id, from, owner, target, anchor, data, timestamp, height, cron, nonce, chain, epoch,
                          module, ...)
  -- the tag list is made in the table that holds the flat values (one table less per message): entry j
  -- takes values 2j-1 and 2j, read before they are overwritten, then the second half is cleared
  local tags = { ... }
  local count = #tags
  local j = 0
  for i = 1, count, 2 do
    j = j + 1
    tags[j] = { name = tags[i], value = tags[i + 1] }
  end
  for i = count, j + 1, -1 do tags[i] = nil end
  return { Id = id, From = from, Owner = owner, Target = target, Anchor = anchor, Data = data,
           Tags = tags, Timestamp = timestamp, ["Block-Height"] = height, Cron = cron, Nonce = nonce,
           ["Hash-Chain"] = chain, Epoch = epoch, Module = module }
end

-- Every function here, for the host to register as trusted: after a message was stopped, the guard
-- stops any untrusted Lua that runs until the next message, and writing out its result must still work.
crossing.functions = { escape, quote, number_text, key_text, encode_table, encode, crossing.outbound,
                       crossing.inbound, plain, array_length, flat_scalars, flat_list, flat_tag, flat_entry,
                       crossing.flatten }

return crossing
