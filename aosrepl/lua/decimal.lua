-- .decimal: arithmetic on unsigned decimal strings of any length ("10000000000000000").
-- Token balances and fees are kept as such strings; this replaces a big-integer library.
local decimal = { _version = "1.0.0" }

local CHUNK = 7                 -- digits per limb: limb products stay far below 2^63
local BASE = 10000000

function decimal.isValid(s)
  return type(s) == "string" and s:match("^%d+$") ~= nil
end

local function check(s, what)
  if math.type(s) == "integer" and s >= 0 then return tostring(s) end
  if not decimal.isValid(s) then
    error("decimal." .. what .. ": expected an unsigned decimal string, got " .. tostring(s), 3)
  end
  return s
end

-- strip leading zeros ("000" -> "0")
local function norm(s)
  local r = s:match("^0*(%d-)$")
  if r == "" then return "0" end
  return r
end

function decimal.normalize(s)
  return norm(check(s, "normalize"))
end

-- little-endian limbs
local function limbs(s)
  local out = {}
  local i = #s
  while i >= 1 do
    local j = math.max(1, i - CHUNK + 1)
    out[#out + 1] = tonumber(s:sub(j, i))
    i = j - 1
  end
  return out
end

local function join(l)
  local n = #l
  while n > 1 and l[n] == 0 do
    l[n] = nil
    n = n - 1
  end
  local parts = { tostring(l[n]) }
  for i = n - 1, 1, -1 do parts[#parts + 1] = string.format("%07d", l[i]) end
  return table.concat(parts)
end

-- -1, 0 or 1
function decimal.compare(a, b)
  a, b = norm(check(a, "compare")), norm(check(b, "compare"))
  if #a ~= #b then return #a < #b and -1 or 1 end
  if a == b then return 0 end
  return a < b and -1 or 1
end

function decimal.eq(a, b) return decimal.compare(a, b) == 0 end
function decimal.lt(a, b) return decimal.compare(a, b) < 0 end
function decimal.lte(a, b) return decimal.compare(a, b) <= 0 end
function decimal.gt(a, b) return decimal.compare(a, b) > 0 end
function decimal.gte(a, b) return decimal.compare(a, b) >= 0 end
function decimal.isZero(a) return norm(check(a, "isZero")) == "0" end

function decimal.add(a, b)
  local x, y = limbs(check(a, "add")), limbs(check(b, "add"))
  local out, carry = {}, 0
  for i = 1, math.max(#x, #y) do
    local s = (x[i] or 0) + (y[i] or 0) + carry
    out[i] = s % BASE
    carry = s // BASE
  end
  if carry > 0 then out[#out + 1] = carry end
  return join(out)
end

-- a - b; an error when b > a (the strings are unsigned)
function decimal.sub(a, b)
  a, b = check(a, "sub"), check(b, "sub")
  if decimal.compare(a, b) < 0 then
    error("decimal.sub: result would be negative (" .. a .. " - " .. b .. ")", 2)
  end
  local x, y = limbs(a), limbs(b)
  local out, borrow = {}, 0
  for i = 1, #x do
    local d = x[i] - (y[i] or 0) - borrow
    if d < 0 then
      d = d + BASE
      borrow = 1
    else
      borrow = 0
    end
    out[i] = d
  end
  return join(out)
end

function decimal.mul(a, b)
  local x, y = limbs(check(a, "mul")), limbs(check(b, "mul"))
  local out = {}
  for i = 1, #x + #y do out[i] = 0 end
  for i = 1, #x do
    local carry = 0
    for j = 1, #y do
      local cur = out[i + j - 1] + x[i] * y[j] + carry
      out[i + j - 1] = cur % BASE
      carry = cur // BASE
    end
    local k = i + #y
    while carry > 0 do
      local cur = out[k] + carry
      out[k] = cur % BASE
      carry = cur // BASE
      k = k + 1
    end
  end
  return join(out)
end

-- multiply by a non-negative Lua integer
function decimal.mulSmall(a, n)
  assert(math.type(n) == "integer" and n >= 0, "decimal.mulSmall: n must be a non-negative integer")
  return decimal.mul(a, tostring(n))
end

-- integer division by a positive Lua integer (< 2^31): quotient string, remainder integer
function decimal.divSmall(a, n)
  assert(math.type(n) == "integer" and n > 0 and n < 2147483648,
    "decimal.divSmall: n must be a positive integer below 2^31")
  a = check(a, "divSmall")
  local x = limbs(a)
  local out, rem = {}, 0
  for i = #x, 1, -1 do
    local cur = rem * BASE + x[i]
    out[i] = cur // n
    rem = cur % n
  end
  return join(out), rem
end

-- a Lua number (may lose precision above 2^53)
function decimal.toNumber(a)
  return tonumber(norm(check(a, "toNumber")))
end

-- from a non-negative integer (or integral float) to a decimal string
function decimal.fromNumber(n)
  local i = math.tointeger(n)
  assert(i and i >= 0, "decimal.fromNumber: expected a non-negative integer")
  return tostring(i)
end

return decimal
