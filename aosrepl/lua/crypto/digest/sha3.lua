-- .crypto.digest.sha3: SHA3-256/512 (FIPS 202 padding) and Keccak-256/512 (original padding),
-- one Keccak-f[1600] sponge on Lua's 64-bit integers.
local sha3 = {}

local RC = {
  0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
  0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
  0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
  0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
  0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
  0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
}

-- rotation offsets by lane index x + 5y
local ROT = {
  [0] = 0, 1, 62, 28, 27,
  36, 44, 6, 55, 20,
  3, 10, 43, 25, 39,
  41, 45, 15, 21, 8,
  18, 2, 61, 56, 14,
}

local function rotl(v, n)
  if n == 0 then return v end
  return (v << n) | (v >> (64 - n))
end

local function permute(A)
  local C, D, B = {}, {}, {}
  for round = 1, 24 do
    for x = 0, 4 do C[x] = A[x] ~ A[x + 5] ~ A[x + 10] ~ A[x + 15] ~ A[x + 20] end
    for x = 0, 4 do D[x] = C[(x + 4) % 5] ~ rotl(C[(x + 1) % 5], 1) end
    for i = 0, 24 do A[i] = A[i] ~ D[i % 5] end
    for x = 0, 4 do
      for y = 0, 4 do
        B[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(A[x + 5 * y], ROT[x + 5 * y])
      end
    end
    for y = 0, 20, 5 do
      for x = 0, 4 do
        A[x + y] = B[x + y] ~ ((~B[(x + 1) % 5 + y]) & B[(x + 2) % 5 + y])
      end
    end
    A[0] = A[0] ~ RC[round]
  end
end

local function sponge(msg, outlen, pad)
  local rate = 200 - 2 * outlen
  local q = rate - (#msg % rate)
  local padding
  if q == 1 then
    padding = string.char(pad | 0x80)
  else
    padding = string.char(pad) .. string.rep("\0", q - 2) .. "\128"
  end
  local data = msg .. padding
  local A = {}
  for i = 0, 24 do A[i] = 0 end
  for block = 1, #data, rate do
    for lane = 0, rate // 8 - 1 do
      A[lane] = A[lane] ~ string.unpack("<i8", data, block + lane * 8)
    end
    permute(A)
  end
  local out = {}
  for lane = 0, (outlen + 7) // 8 - 1 do out[#out + 1] = string.pack("<i8", A[lane]) end
  return table.concat(out):sub(1, outlen)
end

local function result(raw)
  return {
    asHex = function()
      return (raw:gsub(".", function(c) return string.format("%02x", c:byte()) end))
    end,
    asString = function() return raw end,
  }
end

function sha3.sha3_256(msg) return result(sponge(msg, 32, 0x06)) end
function sha3.sha3_512(msg) return result(sponge(msg, 64, 0x06)) end
function sha3.keccak256(msg) return result(sponge(msg, 32, 0x01)) end
function sha3.keccak512(msg) return result(sponge(msg, 64, 0x01)) end

return sha3
