-- .chance: a deterministic Mersenne Twister (MT19937) that replaces math.random,
-- seeded from the spawn message so every replay draws the same numbers.
local chance = {}

local N, M = 624, 397
local MASK = 0xffffffff
local state = {}
local index = N + 1

function chance.seed(seed)
  seed = math.tointeger(seed) or math.floor(tonumber(seed) or 0)
  state[0] = seed & MASK
  for i = 1, N - 1 do
    local prev = state[i - 1]
    state[i] = (1812433253 * (prev ~ (prev >> 30)) + i) & MASK
  end
  index = N
end

local function twist()
  for i = 0, N - 1 do
    local y = (state[i] & 0x80000000) | (state[(i + 1) % N] & 0x7fffffff)
    local v = state[(i + M) % N] ~ (y >> 1)
    if y & 1 == 1 then v = v ~ 0x9908b0df end
    state[i] = v
  end
  index = 0
end

-- the next 32-bit unsigned integer
function chance.integer()
  if index >= N then
    if state[0] == nil then chance.seed(5489) end
    twist()
  end
  local y = state[index]
  index = index + 1
  y = y ~ (y >> 11)
  y = y ~ ((y << 7) & 0x9d2c5680)
  y = y ~ ((y << 15) & 0xefc60000)
  y = y ~ (y >> 18)
  return y & MASK
end

-- a float in [0, 1) with 53 bits of randomness
local function float()
  local a = chance.integer() >> 5
  local b = chance.integer() >> 6
  return (a * 67108864.0 + b) / 9007199254740992.0
end

-- math.random's interface: random() float, random(n) in 1..n, random(a, b) in a..b
function chance.random(a, b)
  if a == nil then return float() end
  if b == nil then a, b = 1, a end
  a, b = math.tointeger(a), math.tointeger(b)
  if a == nil or b == nil then error("bad argument to 'random' (number has no integer representation)", 2) end
  if a > b then error("max must bigger than min") end
  return a + math.floor(float() * (b - a + 1))
end

return chance
