-- .crypto.digest.md4: MD4 (RFC 1320) of a Stream, on 32-bit words.
local internal = require(".crypto.internal")
package.loaded[".crypto.internal"] = nil

-- the Stream's bytes as a string; the stream is called here (as aos calls it) so that calling
-- something else fails with aos's text and position: "attempt to call a string value"
local function same(x) return x end
local function read_all(stream)
  local out = {}
  while true do
    local b = same(stream)()
    if b == nil then return table.concat(out) end
    out[#out + 1] = string.char(b)
  end
end

local M32 = 0xffffffff
local function rotl(v, s) return ((v << s) | (v >> (32 - s))) & M32 end

local ROUNDS = {
  { f = function(x, y, z) return (x & y) | ((~x) & z) end, k = 0,
    order = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 }, shifts = { 3, 7, 11, 19 } },
  { f = function(x, y, z) return (x & y) | (x & z) | (y & z) end, k = 0x5A827999,
    order = { 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15 }, shifts = { 3, 5, 9, 13 } },
  { f = function(x, y, z) return x ~ y ~ z end, k = 0x6ED9EBA1,
    order = { 0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15 }, shifts = { 3, 9, 11, 15 } },
}

local function md4(msg)
  local bitlen = #msg * 8
  msg = msg .. "\128" .. string.rep("\0", (55 - #msg) % 64) .. string.pack("<I8", bitlen)
  local h = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476 }
  for block = 1, #msg, 64 do
    local X = { string.unpack("<" .. string.rep("I4", 16), msg, block) }
    local v = { h[1], h[2], h[3], h[4] }
    for _, round in ipairs(ROUNDS) do
      for i = 0, 15 do
        -- targets cycle a, d, c, b; the other three follow in order
        local t = (-i) % 4
        local b, c, d = v[(t + 1) % 4 + 1], v[(t + 2) % 4 + 1], v[(t + 3) % 4 + 1]
        v[t + 1] = rotl((v[t + 1] + round.f(b, c, d) + X[round.order[i + 1] + 1] + round.k) & M32,
          round.shifts[i % 4 + 1])
      end
    end
    for i = 1, 4 do h[i] = (h[i] + v[i]) & M32 end
  end
  return string.pack("<I4I4I4I4", h[1], h[2], h[3], h[4])
end

return function(stream)
  return internal.result(md4(read_all(stream)), true)
end
