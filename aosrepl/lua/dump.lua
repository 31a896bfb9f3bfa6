-- .dump: a Lua-literal dump of a value with 4-space indentation (used for Output.test).
local function is_identifier(s)
  return type(s) == "string" and s:match("^[%a_][%w_]*$") ~= nil
end

local function key_before(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then
    if ta == "number" then return true end
    if tb == "number" then return false end
    return ta < tb
  end
  if ta == "number" or ta == "string" then return a < b end
  return tostring(a) < tostring(b)
end

local function render(v, indent, seen)
  local tv = type(v)
  if tv == "string" then return string.format("%q", v) end
  if tv ~= "table" then return tostring(v) end
  if seen[v] then return '"<circular>"' end
  seen[v] = true
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  if #keys == 0 then
    seen[v] = nil
    return "{}"
  end
  table.sort(keys, key_before)
  local pad = string.rep(" ", indent + 4)
  local lines = {}
  for i, k in ipairs(keys) do
    local key
    if is_identifier(k) then
      key = k
    elseif type(k) == "string" then
      key = "[" .. string.format("%q", k) .. "]"
    else
      key = "[" .. tostring(k) .. "]"
    end
    lines[i] = pad .. key .. " = " .. render(v[k], indent + 4, seen)
  end
  seen[v] = nil
  return "{\n" .. table.concat(lines, ",\n") .. "\n" .. string.rep(" ", indent) .. "}"
end

return function(v)
  return render(v, 0, {})
end
