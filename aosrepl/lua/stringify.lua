-- .stringify: the table pretty-printer used by print and by Eval results.
-- Keys are visited in a fixed order (integers ascending, then strings, then the rest)
-- so output never depends on Lua's hash order.
local stringify = { _version = "0.0.1" }

local colors = {
  red = "\27[31m", green = "\27[32m", blue = "\27[34m", reset = "\27[0m", gray = "\27[90m",
}
stringify.colors = colors

local RANK = { number = 1, string = 2, boolean = 3 }

local function key_before(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return (RANK[ta] or 4) < (RANK[tb] or 4) end
  if ta == "number" or ta == "string" then return a < b end
  return tostring(a) < tostring(b)
end

-- The keys of `t` in display order.
function stringify.sortedKeys(t)
  local keys, n = {}, 0
  for k in next, t do
    n = n + 1
    keys[n] = k
  end
  table.sort(keys, key_before)
  return keys, n
end

local function is_simple_array(t, keys, n)
  for i = 1, n do
    if keys[i] ~= i then return false end
    local tv = type(t[i])
    if tv ~= "string" and tv ~= "number" then return false end
  end
  return true
end

local function scalar(v)
  if type(v) == "string" then
    return colors.green .. '"' .. v .. '"' .. colors.reset
  end
  return colors.blue .. tostring(v) .. colors.reset
end

function stringify.isSimpleArray(t)
  local keys, n = stringify.sortedKeys(t)
  return is_simple_array(t, keys, n)
end

function stringify.format(tbl, indent, visited)
  indent = indent or 0
  visited = visited or {}
  local keys, n = stringify.sortedKeys(tbl)

  if is_simple_array(tbl, keys, n) then
    local items = {}
    for i = 1, n do items[i] = scalar(tbl[i]) end
    return "{ " .. table.concat(items, ", ") .. " }"
  end

  local pad = string.rep(" ", indent)
  local child = string.rep(" ", indent + 2)
  local entries = {}
  local array_mode = true
  for i = 1, n do
    local k = keys[i]
    local v = tbl[k]
    if array_mode and k ~= #entries + 1 then
      -- aos drops the array part once a key breaks the sequence
      array_mode = false
      entries = {}
    end
    local text
    if type(v) == "table" then
      if visited[v] then return "<circular reference>" end
      visited[v] = true
      text = stringify.format(v, indent + 2, visited)
    else
      text = scalar(v)
    end
    if array_mode then
      entries[#entries + 1] = child .. text
    else
      entries[#entries + 1] = child .. colors.red .. tostring(k) .. colors.reset .. " = " .. text
    end
  end

  if array_mode then
    return "{\n" .. table.concat(entries, ",\n") .. "\n" .. pad .. " }"
  end
  return "{\n " .. table.concat(entries, ",\n ") .. "\n" .. pad .. "}"
end

return stringify
