-- .crypto.util.stream: a Stream is a function that returns the next byte, and nothing at the end.
local stream = { _version = "0.0.1" }

function stream.fromString(s)
  local i = 0
  return function()
    i = i + 1
    if i <= #s then return s:byte(i) end
  end
end

function stream.fromArray(a)
  local i = 0
  return function()
    i = i + 1
    return a[i]
  end
end

function stream.toArray(st)
  local out = {}
  while true do
    local b = st()
    if b == nil then return out end
    out[#out + 1] = b
  end
end

function stream.toString(st)
  local out = {}
  while true do
    local b = st()
    if b == nil then return table.concat(out) end
    out[#out + 1] = string.char(b)
  end
end

function stream.fromHex(h)
  return stream.fromString((h:gsub("%x%x", function(cc) return string.char(tonumber(cc, 16)) end)))
end

function stream.toHex(st)
  local out = {}
  while true do
    local b = st()
    if b == nil then return table.concat(out) end
    out[#out + 1] = string.format("%02X", b)
  end
end

return stream
