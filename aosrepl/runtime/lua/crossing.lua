-- crossing.lua: one call each way between Python and a process.
-- `inbound` builds a message table from flat arguments (no per-field calls from Python);
-- `outbound` turns a result table into one JSON text that Python decodes in one piece.
-- The JSON follows the runtime's conversion rules: a table whose keys are exactly 1..n is an array,
-- other tables are objects; a key that is not a string is written as "\0" .. type letter .. value
-- ("\0i5", "\0f1.5", "\0btrue"; a string key starting with "\0" gets "\0s" in front) so Python can
-- restore it; functions and other non-data become "<function>" and so on; empty tables are
-- arrays inside the outbox fields and objects elsewhere.
local concat, format, byte, gsub, sub = table.concat, string.format, string.byte, string.gsub, string.sub
local mtype, huge = math.type, math.huge
local type, pairs, select, error, tostring = type, pairs, select, error, tostring

local MAX_DEPTH = 100   -- as bridge.to_python
local ARRAY_FIELDS = { Messages = true, Spawns = true, Assignments = true }

local escapes = { ['"'] = '\\"', ['\\'] = '\\\\', ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' }
local function escape(c) return escapes[c] or format("\\u%04x", byte(c)) end
local function quote(s) return '"' .. gsub(s, '[%c"\\]', escape) .. '"' end

local function number_text(v)
  if mtype(v) == "integer" then return format("%d", v) end
  if v ~= v then return "NaN" end
  if v == huge then return "Infinity" end
  if v == -huge then return "-Infinity" end
  local text = format("%.17g", v)
  if not text:find("[.eEn]") then text = text .. ".0" end   -- stays a float in Python
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
  for _ in pairs(v) do count = count + 1 end
  local len = #v
  if count == 0 then
    n = n + 1; out[n] = as_list and "[]" or "{}"
  else
    local is_array = len == count
    if is_array then
      for i = 1, len do if v[i] == nil then is_array = false break end end
    end
    if is_array then
      n = n + 1; out[n] = "["
      for i = 1, len do
        if i > 1 then n = n + 1; out[n] = "," end
        n = encode(v[i], out, n, as_list, depth + 1, open)
      end
      n = n + 1; out[n] = "]"
    else
      n = n + 1; out[n] = "{"
      local first = true
      for k, item in pairs(v) do
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
  for k, v in pairs(result) do
    n = n + 1; out[n] = first and key_text(k) or "," .. key_text(k)
    first = false
    n = n + 1; out[n] = ":"
    n = encode(v, out, n, ARRAY_FIELDS[k] == true, 1, open)
  end
  n = n + 1; out[n] = "}"
  return concat(out, "", 1, n)
end

-- id, from, owner, target, anchor, data, timestamp, block_height, cron, nonce, hash_chain, epoch, module,
-- then the tags as name, value, name, value...
function crossing.inbound(id, from, owner, target, anchor, data, timestamp, height, cron, nonce, chain, epoch,
                          module, ...)
  local tags = {}
  local count = select("#", ...)
  for i = 1, count, 2 do
    local name, value = select(i, ...)
    tags[(i + 1) // 2] = { name = name, value = value }
  end
  return { Id = id, From = from, Owner = owner, Target = target, Anchor = anchor, Data = data,
           Tags = tags, Timestamp = timestamp, ["Block-Height"] = height, Cron = cron, Nonce = nonce,
           ["Hash-Chain"] = chain, Epoch = epoch, Module = module }
end

-- Every function here, for the host to register as trusted: after a message was stopped, the guard
-- stops any untrusted Lua that runs until the next message, and writing out its result must still work.
crossing.functions = { escape, quote, number_text, key_text, encode_table, encode, crossing.outbound,
                       crossing.inbound }

return crossing
