-- .stringify: the table pretty-printer used by print and by Eval results, laid out as aos
-- lays it out (simple arrays inline, map entries one per line, a broken array sequence
-- restarting in map mode).
-- Key order: aos walks `pairs`. Number and boolean keys sit where Lua's tables put them
-- whatever the process, so they keep that native order and print as aos prints them; the
-- order of string keys depends on a per-state hash seed, so they come sorted instead
-- (replays and tests see the same text every time). Numbers come first, as Lua keeps a
-- table's array part ahead of its hash part.
local stringify = { _version = "0.0.1" }

local colors = {
  red = "\27[31m", green = "\27[32m", blue = "\27[34m", reset = "\27[0m", gray = "\27[90m",
}
stringify.colors = colors

-- The keys of `t` in display order.
function stringify.displayKeys(t)
  local numbers, strings, others = {}, {}, {}
  for k in next, t do
    local tk = type(k)
    if tk == "number" then
      numbers[#numbers + 1] = k
    elseif tk == "string" then
      strings[#strings + 1] = k
    else
      others[#others + 1] = k
    end
  end
  table.sort(strings)
  local keys = numbers
  for i = 1, #strings do keys[#keys + 1] = strings[i] end
  for i = 1, #others do keys[#keys + 1] = others[i] end
  return keys
end

local function is_simple_array(t, keys)
  for i = 1, #keys do
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
  return is_simple_array(t, stringify.displayKeys(t))
end

-- `visited` holds the tables met in map mode (as in aos, a table met there a second time
-- turns the whole call into "<circular reference>"); `open` holds the tables being printed
-- around this one, so a table inside itself in array mode stops there too (aos would
-- recurse until it runs out of memory).
function stringify.format(tbl, indent, visited, open)
  indent = indent or 0
  visited = visited or {}
  open = open or {}
  if open[tbl] then return "<circular reference>" end
  local keys = stringify.displayKeys(tbl)

  if is_simple_array(tbl, keys) then
    local items = {}
    for i = 1, #keys do items[i] = scalar(tbl[i]) end
    return "{ " .. table.concat(items, ", ") .. " }"
  end

  local pad = string.rep(" ", indent)
  local child = string.rep(" ", indent + 2)
  local entries = {}
  local array_mode = true
  for i = 1, #keys do
    local k = keys[i]
    local v = rawget(tbl, k)
    if array_mode and k ~= #entries + 1 then
      -- as in aos: once a key breaks the 1, 2, 3 sequence, the lines so far are dropped
      array_mode = false
      entries = {}
    end
    local text
    if type(v) == "table" then
      if not array_mode then
        if visited[v] then return "<circular reference>" end
        visited[v] = true
      end
      open[tbl] = true
      text = stringify.format(v, indent + 2, visited, open)
      open[tbl] = nil
    else
      text = scalar(v)
    end
    if array_mode then
      entries[#entries + 1] = child .. text
    else
      -- the key is concatenated as is: a boolean or table key fails as it does in aos
      entries[#entries + 1] = child .. colors.red .. k .. colors.reset .. " = " .. text
    end
  end

  if array_mode then
    return "{\n" .. table.concat(entries, ",\n") .. "\n" .. pad .. " }"
  end
  return "{\n " .. table.concat(entries, ",\n ") .. "\n" .. pad .. "}"
end

return stringify
