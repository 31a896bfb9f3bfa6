-- .crypto.cipher.issac: ISAAC (Bob Jenkins' generator) for random numbers and a stream cipher.
-- Seeds come from the process's deterministic math.random or from the caller, so a replayed
-- log draws the same numbers.
local issac = {}

local M32 = 0xffffffff
local mm, randrsl = {}, {}
local aa, bb, cc = 0, 0, 0
local randcnt = 0

local function isaac()
  cc = (cc + 1) & M32
  bb = (bb + cc) & M32
  for i = 0, 255 do
    local x = mm[i]
    local sel = i % 4
    if sel == 0 then aa = aa ~ ((aa << 13) & M32)
    elseif sel == 1 then aa = aa ~ (aa >> 6)
    elseif sel == 2 then aa = aa ~ ((aa << 2) & M32)
    else aa = aa ~ (aa >> 16) end
    aa = (mm[(i + 128) % 256] + aa) & M32
    local y = (mm[(x >> 2) % 256] + aa + bb) & M32
    mm[i] = y
    bb = (mm[(y >> 10) % 256] + x) & M32
    randrsl[i] = bb
  end
  randcnt = 0
end

local function mix(a)
  a[1] = a[1] ~ ((a[2] << 11) & M32); a[4] = (a[4] + a[1]) & M32; a[2] = (a[2] + a[3]) & M32
  a[2] = a[2] ~ (a[3] >> 2); a[5] = (a[5] + a[2]) & M32; a[3] = (a[3] + a[4]) & M32
  a[3] = a[3] ~ ((a[4] << 8) & M32); a[6] = (a[6] + a[3]) & M32; a[4] = (a[4] + a[5]) & M32
  a[4] = a[4] ~ (a[5] >> 16); a[7] = (a[7] + a[4]) & M32; a[5] = (a[5] + a[6]) & M32
  a[5] = a[5] ~ ((a[6] << 10) & M32); a[8] = (a[8] + a[5]) & M32; a[6] = (a[6] + a[7]) & M32
  a[6] = a[6] ~ (a[7] >> 4); a[1] = (a[1] + a[6]) & M32; a[7] = (a[7] + a[8]) & M32
  a[7] = a[7] ~ ((a[8] << 8) & M32); a[2] = (a[2] + a[7]) & M32; a[8] = (a[8] + a[1]) & M32
  a[8] = a[8] ~ (a[1] >> 9); a[3] = (a[3] + a[8]) & M32; a[1] = (a[1] + a[2]) & M32
end

-- seedIsaac(seed, flag): seed with the bytes of `seed` (a string)
function issac.seedIsaac(seed, flag)
  aa, bb, cc = 0, 0, 0
  for i = 0, 255 do randrsl[i] = 0 end
  for i = 1, math.min(#seed, 256) do randrsl[i - 1] = seed:byte(i) end
  local a = {}
  for i = 1, 8 do a[i] = 0x9e3779b9 end
  for _ = 1, 4 do mix(a) end
  for pass = 1, (flag and 2 or 1) do
    local src = pass == 1 and randrsl or mm
    for i = 0, 255, 8 do
      if flag then for j = 1, 8 do a[j] = (a[j] + src[i + j - 1]) & M32 end end
      mix(a)
      for j = 1, 8 do mm[i + j - 1] = a[j] end
    end
  end
  if not flag then
    for i = 0, 255, 8 do
      mix(a)
      for j = 1, 8 do mm[i + j - 1] = a[j] end
    end
  end
  isaac()
  randcnt = 0
end

function issac.getRandom()
  if randcnt >= 256 then isaac() end
  local r = randrsl[randcnt]
  randcnt = randcnt + 1
  return r
end

function issac.getRandomChar() return issac.getRandom() % 256 end

-- random(min = 0, max = 2^31 - 1, seed): a seed string reseeds first
function issac.random(min, max, seed)
  min = min or 0
  max = max or 2 ^ 31 - 1
  seed = seed or tostring(math.random(0, 2 ^ 31 - 1))
  issac.seedIsaac(seed, true)
  return math.floor(issac.getRandom() % (max - min + 1) + min)
end

-- encrypt(msg, key): XOR with the ISAAC stream seeded from `key`
function issac.encrypt(msg, key)
  issac.seedIsaac(key, true)
  local out = {}
  for i = 1, #msg do out[i] = string.char(msg:byte(i) ~ issac.getRandomChar()) end
  local raw = table.concat(out)
  return {
    asString = function() return raw end,
    asHex = function() return (raw:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end,
    asBytes = function() return { raw:byte(1, -1) } end,
  }
end

function issac.decrypt(raw, key)
  issac.seedIsaac(key, true)
  local out = {}
  for i = 1, #raw do out[i] = string.char(raw:byte(i) ~ issac.getRandomChar()) end
  return table.concat(out)
end

for i = 0, 255 do mm[i], randrsl[i] = 0, 0 end
return issac
