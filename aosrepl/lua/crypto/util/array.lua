-- .crypto.util.array: byte arrays (Lua arrays of integers 0..255).
local array = { _version = "0.0.1" }

function array.size(a) return #a end

function array.fromString(s)
  local out = {}
  for i = 1, #s do out[i] = s:byte(i) end
  return out
end

function array.toString(a)
  local out = {}
  for i = 1, #a do out[i] = string.char(a[i]) end
  return table.concat(out)
end

function array.fromStream(st)
  local out = {}
  while true do
    local b = st()
    if b == nil then return out end
    out[#out + 1] = b
  end
end

function array.toStream(a)
  local i = 0
  return function()
    i = i + 1
    return a[i]
  end
end

function array.fromHex(h)
  local out = {}
  for cc in h:gmatch("%x%x") do out[#out + 1] = tonumber(cc, 16) end
  return out
end

function array.toHex(a)
  local out = {}
  for i = 1, #a do out[i] = string.format("%02X", a[i]) end
  return table.concat(out)
end

function array.concat(a, b)
  local out = {}
  for i = 1, #a do out[#out + 1] = a[i] end
  for i = 1, #b do out[#out + 1] = b[i] end
  return out
end

function array.truncate(a, newSize)
  local out = {}
  for i = 1, math.min(newSize, #a) do out[i] = a[i] end
  return out
end

function array.XOR(a, b)
  local out = {}
  for i = 1, math.min(#a, #b) do out[i] = a[i] ~ b[i] end
  return out
end

function array.substitute(input, sbox)
  local out = {}
  for i = 1, #input do out[i] = sbox[input[i]] end
  return out
end

function array.permute(input, pbox)
  local out = {}
  for i = 1, #pbox do out[i] = input[pbox[i]] end
  return out
end

function array.copy(a)
  local out = {}
  for i = 1, #a do out[i] = a[i] end
  return out
end

function array.slice(a, first, last)
  local out = {}
  for i = first, last do out[#out + 1] = a[i] end
  return out
end

function array.readFromQueue(queue, size)
  local out = {}
  for i = 1, size do out[i] = queue.pop() end
  return out
end

function array.writeToQueue(queue, a)
  for i = 1, #a do queue.push(a[i]) end
end

return array
