-- json: encode/decode compatible with the ao dev-cli's json module (rxi style).
-- Object keys are encoded in sorted order so the output is deterministic.
local json = { _version = "0.2.0" }

local ESCAPES = {
  ["\\"] = "\\\\", ['"'] = '\\"', ["\b"] = "\\b", ["\f"] = "\\f",
  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t",
}

local function escape_char(c)
  return ESCAPES[c] or string.format("\\u%04x", c:byte())
end

local encode

local function encode_table(val, stack)
  if stack[val] then error("circular reference") end
  stack[val] = true
  local out = {}
  if rawget(val, 1) ~= nil or next(val) == nil then
    -- array: only positive integer keys, no holes
    local n = 0
    for k in pairs(val) do
      if math.type(k) ~= "integer" or k < 1 then
        error("invalid table: mixed or invalid key types")
      end
      n = n + 1
    end
    if n ~= #val then error("invalid table: sparse array") end
    for i = 1, n do out[i] = encode(val[i], stack) end
    stack[val] = nil
    return "[" .. table.concat(out, ",") .. "]"
  end
  local keys = {}
  for k, v in pairs(val) do
    if type(k) ~= "string" then error("invalid table: mixed or invalid key types") end
    if type(v) ~= "function" then keys[#keys + 1] = k end
  end
  table.sort(keys)
  for i, k in ipairs(keys) do
    out[i] = encode(k, stack) .. ":" .. encode(val[k], stack)
  end
  stack[val] = nil
  return "{" .. table.concat(out, ",") .. "}"
end

encode = function(val, stack)
  local t = type(val)
  if t == "string" then
    return '"' .. val:gsub('[%c"\\]', escape_char) .. '"'
  elseif t == "number" then
    if val ~= val or val == math.huge or val == -math.huge then
      error("unexpected number value '" .. tostring(val) .. "'")
    end
    if math.type(val) == "integer" then return tostring(val) end
    if val == math.floor(val) and math.abs(val) < 1e15 then return string.format("%.0f", val) end
    return string.format("%.14g", val)
  elseif t == "boolean" then
    return tostring(val)
  elseif t == "nil" then
    return "null"
  elseif t == "table" then
    return encode_table(val, stack or {})
  end
  error("unexpected type '" .. t .. "'")
end

function json.encode(val)
  return (encode(val, {}))
end

-- decoding ----------------------------------------------------------------

local function position(str, idx)
  local line, col = 1, 1
  for i = 1, idx - 1 do
    col = col + 1
    if str:sub(i, i) == "\n" then
      line = line + 1
      col = 1
    end
  end
  return line, col
end

local function decode_error(str, idx, msg)
  local line, col = position(str, idx)
  error(string.format("%s at line %d col %d", msg, line, col))
end

local function skip_space(str, idx)
  return (str:find("[^ \t\r\n]", idx)) or (#str + 1)
end

local LITERALS = { ["true"] = true, ["false"] = false, ["null"] = nil }

local function codepoint_to_utf8(n)
  return utf8.char(n)
end

local parse

local function parse_string(str, i)
  local parts = {}
  local j = i + 1
  while true do
    local c = str:byte(j)
    if c == nil then decode_error(str, i, "expected closing quote for string") end
    if c < 32 then
      decode_error(str, j, "control character in string")
    elseif c == 92 then -- backslash
      local e = str:sub(j + 1, j + 1)
      if e == "u" then
        local hex = str:match("^%x%x%x%x", j + 2)
        if not hex then decode_error(str, j, "invalid unicode escape in string") end
        local n = tonumber(hex, 16)
        local consumed = 6
        if n >= 0xD800 and n <= 0xDBFF then
          local low = str:match("^\\u(%x%x%x%x)", j + 6)
          if low then
            n = (n - 0xD800) * 0x400 + (tonumber(low, 16) - 0xDC00) + 0x10000
            consumed = 12
          end
        end
        parts[#parts + 1] = codepoint_to_utf8(n)
        j = j + consumed
      else
        local map = { b = "\b", f = "\f", n = "\n", r = "\r", t = "\t", ['"'] = '"', ["\\"] = "\\", ["/"] = "/" }
        local r = map[e]
        if not r then decode_error(str, j, "invalid escape char '" .. e .. "' in string") end
        parts[#parts + 1] = r
        j = j + 2
      end
    elseif c == 34 then -- closing quote
      return table.concat(parts), j + 1
    else
      local k = str:find('["\\%c]', j) or (#str + 1)
      parts[#parts + 1] = str:sub(j, k - 1)
      j = k
    end
  end
end

local function parse_number(str, i)
  local s = str:match("^-?%d+%.?%d*[eE]?[-+]?%d*", i)
  local n = s and tonumber(s)
  if not n then decode_error(str, i, "invalid number '" .. (s or str:sub(i, i)) .. "'") end
  return n, i + #s
end

local function parse_literal(str, i)
  local word = str:match("^%a+", i) or ""
  if LITERALS[word] == nil and word ~= "null" then
    decode_error(str, i, "invalid literal '" .. word .. "'")
  end
  return LITERALS[word], i + #word
end

local function parse_array(str, i)
  local res, n = {}, 0
  i = i + 1
  while true do
    i = skip_space(str, i)
    if str:sub(i, i) == "]" then return res, i + 1 end
    local x
    x, i = parse(str, i)
    n = n + 1
    res[n] = x
    i = skip_space(str, i)
    local c = str:sub(i, i)
    i = i + 1
    if c == "]" then return res, i end
    if c ~= "," then decode_error(str, i, "expected ']' or ','") end
  end
end

local function parse_object(str, i)
  local res = {}
  i = i + 1
  while true do
    i = skip_space(str, i)
    if str:sub(i, i) == "}" then return res, i + 1 end
    if str:sub(i, i) ~= '"' then decode_error(str, i, "expected string for key") end
    local key
    key, i = parse_string(str, i)
    i = skip_space(str, i)
    if str:sub(i, i) ~= ":" then decode_error(str, i, "expected ':' after key") end
    i = skip_space(str, i + 1)
    local val
    val, i = parse(str, i)
    res[key] = val
    i = skip_space(str, i)
    local c = str:sub(i, i)
    i = i + 1
    if c == "}" then return res, i end
    if c ~= "," then decode_error(str, i, "expected '}' or ','") end
  end
end

parse = function(str, i)
  local c = str:sub(i, i)
  if c == '"' then return parse_string(str, i) end
  if c == "{" then return parse_object(str, i) end
  if c == "[" then return parse_array(str, i) end
  if c == "-" or c:match("%d") then return parse_number(str, i) end
  if c:match("%a") then return parse_literal(str, i) end
  decode_error(str, i, "unexpected character '" .. c .. "'")
end

function json.decode(str)
  if type(str) ~= "string" then
    error("expected argument of type string, got " .. type(str))
  end
  local res, idx = parse(str, skip_space(str, 1))
  idx = skip_space(str, idx)
  if idx <= #str then decode_error(str, idx, "trailing garbage") end
  return res
end

return json
