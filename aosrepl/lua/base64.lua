-- .base64: standard base64 (RFC 4648) encoding and decoding of byte strings.
local base64 = {}

local ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local ENCODE, DECODE = {}, {}
for i = 1, 64 do
  local c = ALPHABET:sub(i, i)
  ENCODE[i - 1] = c
  DECODE[c:byte()] = i - 1
end

function base64.encode(str)
  assert(type(str) == "string", "base64.encode expects a string")
  local out = {}
  for i = 1, #str, 3 do
    local a, b, c = str:byte(i, i + 2)
    local n = (a << 16) | ((b or 0) << 8) | (c or 0)
    out[#out + 1] = ENCODE[(n >> 18) & 63] .. ENCODE[(n >> 12) & 63]
      .. (b and ENCODE[(n >> 6) & 63] or "=") .. (c and ENCODE[n & 63] or "=")
  end
  return table.concat(out)
end

function base64.decode(str)
  assert(type(str) == "string", "base64.decode expects a string")
  str = str:gsub("[^%w%+/]", "")
  local out = {}
  for i = 1, #str, 4 do
    local n, count = 0, 0
    for j = i, math.min(i + 3, #str) do
      n = (n << 6) | DECODE[str:byte(j)]
      count = count + 1
    end
    n = n << (6 * (4 - count))
    local bytes = string.char((n >> 16) & 255, (n >> 8) & 255, n & 255)
    out[#out + 1] = bytes:sub(1, count - 1)
  end
  return table.concat(out)
end

return base64
