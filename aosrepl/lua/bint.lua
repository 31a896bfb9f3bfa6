-- .bint: fixed-width arbitrary-precision integers with lua-bint's API (v0.5.1 as aos ships it).
-- `require(".bint")(256)` returns the class for 256-bit integers. A value is a table of
-- `wordbits`-bit words, index 1 least significant, in two's complement; results wrap at the
-- width. Every class function is also a method (the class is the metatable and __index).
-- Written for aosrepl from the documented API; no lua-bint code.

local math_type, math_tointeger, floor = math.type, math.tointeger, math.floor
local setmetatable, getmetatable, type, tonumber, tostring = setmetatable, getmetatable, type, tonumber, tostring
local concat, char, byte = table.concat, string.char, string.byte

local DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
local classes = {}   -- "bits:wordbits" -> class, so the same size always gives the same class

local function newmodule(bits, wordbits)
  local intbits = math.ult(0xffffffff, math.maxinteger) and 64 or 32
  bits = bits or 256
  wordbits = wordbits or (intbits // 2)
  local memo = tostring(bits) .. ":" .. tostring(wordbits)
  if classes[memo] then return classes[memo] end

  if not (bits % wordbits == 0) then error("bitsize is not multiple of word bitsize") end
  if not (2 * wordbits <= intbits) then error("word bitsize must be half of the lua integer bitsize") end
  if not (bits >= 64) then error("bitsize must be >= 64") end
  if not (wordbits >= 8) then error("wordbits must be at least 8") end
  if not (bits % 8 == 0) then error("bitsize must be multiple of 8") end

  local N = bits // wordbits            -- words per value
  local MASK = (1 << wordbits) - 1
  local TOP = 1 << (wordbits - 1)      -- the sign bit within the top word
  local WORDS_IN_INT = 64 // wordbits

  local bint = { bits = bits }
  bint.__index = bint

  local function raw() return setmetatable({}, bint) end

  local function isbint(x) return getmetatable(x) == bint end
  bint.isbint = isbint

  local function zero()
    local r = raw()
    for i = 1, N do r[i] = 0 end
    return r
  end
  bint.zero = zero

  function bint.one()
    local r = zero()
    r[1] = 1
    return r
  end

  local function copy(x)
    local r = raw()
    for i = 1, N do r[i] = x[i] end
    return r
  end

  local function assign(dst, src)
    for i = 1, N do dst[i] = src[i] end
    return dst
  end

  -- a 64-bit Lua integer's bit pattern, sign-extended (signed) or zero-extended (unsigned)
  local function from_int(n, signed)
    local r = raw()
    local fill = (signed and n < 0) and MASK or 0
    for i = 1, N do
      if i <= WORDS_IN_INT then
        r[i] = (n >> ((i - 1) * wordbits)) & MASK
      else
        r[i] = fill
      end
    end
    return r
  end

  local function isneg_b(x) return x[N] & TOP ~= 0 end

  local function iszero_b(x)
    for i = 1, N do if x[i] ~= 0 then return false end end
    return true
  end

  local function bnot_b(x)
    local r = raw()
    for i = 1, N do r[i] = (~x[i]) & MASK end
    return r
  end

  local function add_b(x, y)
    local r, carry = raw(), 0
    for i = 1, N do
      local s = x[i] + y[i] + carry
      r[i] = s & MASK
      carry = s >> wordbits
    end
    return r
  end

  local function inc_b(x)
    local r, carry = raw(), 1
    for i = 1, N do
      local s = x[i] + carry
      r[i] = s & MASK
      carry = s >> wordbits
    end
    return r
  end

  local function neg_b(x) return inc_b(bnot_b(x)) end

  local function sub_b(x, y) return add_b(x, neg_b(y)) end

  local function mul_b(x, y)
    -- column sums of split partial products stay far below 2^63
    local cols = {}
    for i = 1, N do cols[i] = 0 end
    for i = 1, N do
      local xi = x[i]
      if xi ~= 0 then
        for j = 1, N - i + 1 do
          local p = xi * y[j]
          local k = i + j - 1
          cols[k] = cols[k] + (p & MASK)
          if k < N then cols[k + 1] = cols[k + 1] + (p >> wordbits) end
        end
      end
    end
    local r, carry = raw(), 0
    for i = 1, N do
      local s = cols[i] + carry
      r[i] = s & MASK
      carry = s >> wordbits
    end
    return r
  end

  -- x * m + a for small non-negative m and a (parsing)
  local function mul_small_add(x, m, a)
    local r, carry = raw(), a
    for i = 1, N do
      local s = x[i] * m + carry
      r[i] = s & MASK
      carry = s >> wordbits
    end
    return r
  end

  -- unsigned x / d for 0 < d < 2^(63 - wordbits): quotient and remainder (an integer)
  local function divmod_small(x, d)
    local q, rem = raw(), 0
    for i = N, 1, -1 do
      local cur = (rem << wordbits) | x[i]
      q[i] = cur // d
      rem = cur % d
    end
    return q, rem
  end

  local function ucmp(x, y)
    for i = N, 1, -1 do
      if x[i] ~= y[i] then return x[i] < y[i] and -1 or 1 end
    end
    return 0
  end

  local function scmp(x, y)
    local nx, ny = isneg_b(x), isneg_b(y)
    if nx ~= ny then return nx and -1 or 1 end
    return ucmp(x, y)
  end

  local function shl_b(x, n)
    if n <= 0 then return n == 0 and copy(x) or nil end
    if n >= bits then return zero() end
    local ws, bs = n // wordbits, n % wordbits
    local r = raw()
    for i = N, 1, -1 do
      local src = i - ws
      local v = 0
      if src >= 1 then
        v = (x[src] << bs) & MASK
        if bs > 0 and src - 1 >= 1 then v = v | (x[src - 1] >> (wordbits - bs)) end
      end
      r[i] = v
    end
    return r
  end

  local function shr_b(x, n)
    if n <= 0 then return n == 0 and copy(x) or nil end
    if n >= bits then return zero() end
    local ws, bs = n // wordbits, n % wordbits
    local r = raw()
    for i = 1, N do
      local src = i + ws
      local v = 0
      if src <= N then
        v = x[src] >> bs
        if bs > 0 and src + 1 <= N then v = v | ((x[src + 1] << (wordbits - bs)) & MASK) end
      end
      r[i] = v
    end
    return r
  end

  local function bitlength(x)
    for i = N, 1, -1 do
      local w = x[i]
      if w ~= 0 then
        local b = 0
        while w ~= 0 do w = w >> 1; b = b + 1 end
        return (i - 1) * wordbits + b
      end
    end
    return 0
  end

  -- unsigned long division (callers rule out a zero divisor)
  local function udivmod_b(x, y)
    local small = true
    for i = 2, N do if y[i] ~= 0 then small = false break end end
    if small and y[1] < (1 << (62 - wordbits)) then
      local q, rem = divmod_small(x, y[1])
      local r = zero()
      r[1] = rem
      return q, r
    end
    local q, r = zero(), zero()
    for bit = bitlength(x) - 1, 0, -1 do
      r = shl_b(r, 1)
      local w, b = bit // wordbits + 1, bit % wordbits
      r[1] = r[1] | ((x[w] >> b) & 1)
      if ucmp(r, y) >= 0 then
        r = sub_b(r, y)
        q[w] = q[w] | (1 << b)
      end
    end
    return q, r
  end

  -- the low 64 bits as a Lua integer
  local function low_int(x)
    local n = 0
    for i = 1, WORDS_IN_INT do n = n | (x[i] << ((i - 1) * wordbits)) end
    return n
  end

  -- does x fit a signed 64-bit Lua integer?
  local function fits_int(x)
    local n = low_int(x)
    local fill = n < 0 and MASK or 0
    for i = WORDS_IN_INT + 1, N do
      if x[i] ~= fill then return false end
    end
    return true
  end

  -- conversion in ---------------------------------------------------------------------

  local function integral(x)
    if math_type(x) == "integer" then return x end
    if math_type(x) == "float" then return math_tointeger(x) end
    return nil
  end

  function bint.fromuinteger(x)
    x = integral(tonumber(x))
    if x == nil then return nil end
    return from_int(x, false)
  end

  function bint.frombase(s, base)
    if type(s) ~= "string" then return nil end
    base = base or 10
    if math_type(base) ~= "integer" or base < 2 or base > 36 then return nil end
    local sign, digits = s:match("^([+-]?)(%w+)$")
    if not digits then return nil end
    local r = zero()
    local lower = digits:lower()
    for i = 1, #lower do
      local d = DIGITS:find(lower:sub(i, i), 1, true)
      if not d or d > base then return nil end
      r = mul_small_add(r, base, d - 1)
    end
    if sign == "-" then r = neg_b(r) end
    return r
  end

  function bint.fromstring(s)
    if type(s) ~= "string" then return nil end
    local sign, rest = s:match("^([+-]?)(.*)$")
    local base, digits = 10, rest
    if rest:find("^0[xX]") then
      base, digits = 16, rest:sub(3)
    elseif rest:find("^0[bB]") then
      base, digits = 2, rest:sub(3)
    end
    if not digits:find("^%w+$") then return nil end
    return bint.frombase(sign .. digits, base)
  end

  function bint.frominteger(x)
    local n = tonumber(x)
    local i = integral(n)
    if i ~= nil then return from_int(i, true) end
    if math_type(n) == "float" and n == floor(n) and n == n and n ~= math.huge and n ~= -math.huge then
      -- integral floats beyond 64 bits are exact in decimal
      return bint.fromstring(string.format("%.0f", n))
    end
    return nil
  end

  local function frombytes(buf, littleendian)
    if type(buf) ~= "string" then error("buffer is not a string") end
    local nbytes = bits // 8
    local r = zero()
    local len = #buf
    for k = 0, nbytes - 1 do
      local b
      if littleendian then
        b = k < len and byte(buf, k + 1) or 0
      else
        b = k < len and byte(buf, len - k) or 0
      end
      local bitpos = k * 8
      local w = bitpos // wordbits + 1
      r[w] = r[w] | (b << (bitpos % wordbits))
    end
    return r
  end
  function bint.fromle(buf) return frombytes(buf, true) end
  function bint.frombe(buf) return frombytes(buf, false) end

  local function tobint(x, clone)
    if isbint(x) then return clone and copy(x) or x end
    local tx = type(x)
    if tx == "number" then return bint.frominteger(x) end
    if tx == "string" then return bint.fromstring(x) end
    return nil
  end
  bint.tobint = tobint

  function bint.new(x)
    if type(x) == "table" and not isbint(x) then
      -- lua-bint hands a plain table back as it is
      return x
    end
    local r = tobint(x, true)
    if r == nil then error("value cannot be represented by a bint") end
    return r
  end

  function bint.parse(x, clone)
    local r = tobint(x, clone)
    if r ~= nil then return r end
    return tonumber(x)
  end

  function bint.trunc(x)
    if isbint(x) then return copy(x) end
    x = tonumber(x)
    if x == nil then return nil end
    if x < 0 then return bint.frominteger(math.ceil(x)) end
    return bint.frominteger(floor(x))
  end

  function bint.maxinteger()
    local r = zero()
    for i = 1, N do r[i] = MASK end
    r[N] = MASK >> 1
    return r
  end

  function bint.mininteger()
    local r = zero()
    r[N] = TOP
    return r
  end

  -- conversion out --------------------------------------------------------------------

  function bint.touinteger(x)
    if isbint(x) then return low_int(x) end
    return integral(x)
  end

  function bint.tointeger(x)
    if isbint(x) then return low_int(x) end
    return integral(x)
  end

  function bint.tobase(x, base, unsigned)
    x = tobint(x)
    if x == nil then return nil end
    base = base or 10
    if math_type(base) ~= "integer" or base < 2 or base > 36 then return nil end
    if unsigned == nil then unsigned = base ~= 10 end
    local negative = not unsigned and isneg_b(x)
    if negative then x = neg_b(x) end
    if iszero_b(x) then return "0" end
    -- peel off as many digits per division as fit a word-sized divisor
    local chunk, per = base, 1
    while chunk * base < (1 << 30) do chunk, per = chunk * base, per + 1 end
    local parts = {}
    while not iszero_b(x) do
      local rem
      x, rem = divmod_small(x, chunk)
      local digits = {}
      for i = per, 1, -1 do
        local d = rem % base
        digits[i] = DIGITS:sub(d + 1, d + 1)
        rem = rem // base
      end
      parts[#parts + 1] = concat(digits)
    end
    -- parts are least significant first; the leading chunk loses its zero padding
    local out = {}
    for i = #parts, 1, -1 do out[#out + 1] = parts[i] end
    local text = concat(out):gsub("^0+", "")
    return (negative and "-" or "") .. text
  end

  function bint.tonumber(x)
    if isbint(x) then
      if fits_int(x) then return low_int(x) end
      return tonumber(bint.tobase(x, 10))
    end
    return tonumber(x)
  end

  function bint.__tostring(x) return bint.tobase(x, 10) end

  local function tobytes(x, trim, littleendian)
    x = tobint(x)
    local nbytes = bits // 8
    local out = {}
    for k = 0, nbytes - 1 do
      local bitpos = k * 8
      out[k + 1] = (x[bitpos // wordbits + 1] >> (bitpos % wordbits)) & 0xff
    end
    if trim then
      while #out > 1 and out[#out] == 0 do out[#out] = nil end
    end
    local chars = {}
    local n = #out
    for k = 1, n do
      chars[k] = char(littleendian and out[k] or out[n - k + 1])
    end
    return concat(chars)
  end
  function bint.tole(x, trim) return tobytes(x, trim, true) end
  function bint.tobe(x, trim) return tobytes(x, trim, false) end

  -- predicates ------------------------------------------------------------------------

  function bint.isintegral(x) return isbint(x) or math_type(x) == "integer" end
  function bint.isnumeric(x) return isbint(x) or type(x) == "number" end
  function bint.type(x)
    if isbint(x) then return "bint" end
    return math_type(x)
  end

  local function pred(on_bint, on_number)
    return function(x)
      if isbint(x) then return on_bint(x) end
      return on_number(x)
    end
  end
  bint.iszero = pred(iszero_b, function(x) return x == 0 end)
  bint.isone = pred(function(x)
    if x[1] ~= 1 then return false end
    for i = 2, N do if x[i] ~= 0 then return false end end
    return true
  end, function(x) return x == 1 end)
  bint.isminusone = pred(function(x)
    for i = 1, N do if x[i] ~= MASK then return false end end
    return true
  end, function(x) return x == -1 end)
  bint.isneg = pred(isneg_b, function(x) return x < 0 end)
  bint.ispos = pred(function(x) return not isneg_b(x) and not iszero_b(x) end, function(x) return x > 0 end)
  bint.iseven = pred(function(x) return x[1] & 1 == 0 end, function(x) return x & 1 == 0 end)
  bint.isodd = pred(function(x) return x[1] & 1 == 1 end, function(x) return x & 1 == 1 end)

  -- helpers ---------------------------------------------------------------------------

  function bint.abs(x)
    local b = tobint(x)
    if not b then return math.abs(x) end
    return isneg_b(b) and neg_b(b) or copy(b)
  end
  function bint.floor(x)
    if isbint(x) then return copy(x) end
    return bint.new(floor(tonumber(x)))
  end
  function bint.ceil(x)
    if isbint(x) then return copy(x) end
    return bint.new(math.ceil(tonumber(x)))
  end
  function bint.inc(x)
    local b = tobint(x)
    if not b then return tonumber(x) + 1 end
    return inc_b(b)
  end
  function bint.dec(x)
    local b = tobint(x)
    if not b then return tonumber(x) - 1 end
    return sub_b(b, bint.one())
  end

  local function lt(x, y)
    local bx, by = tobint(x), tobint(y)
    if bx and by then return scmp(bx, by) < 0 end
    return bint.tonumber(x) < bint.tonumber(y)
  end
  local function le(x, y)
    local bx, by = tobint(x), tobint(y)
    if bx and by then return scmp(bx, by) <= 0 end
    return bint.tonumber(x) <= bint.tonumber(y)
  end

  function bint.max(x, y)
    local bx, by = tobint(x), tobint(y)
    if bx and by then return copy(scmp(bx, by) >= 0 and bx or by) end
    return math.max(bint.tonumber(x), bint.tonumber(y))
  end
  function bint.min(x, y)
    local bx, by = tobint(x), tobint(y)
    if bx and by then return copy(scmp(bx, by) <= 0 and bx or by) end
    return math.min(bint.tonumber(x), bint.tonumber(y))
  end

  local function need_bint(x)
    local b = tobint(x)
    if not b then error("value has not integer representation") end
    return b
  end

  local function need_int(y)
    if isbint(y) then return low_int(y) end
    local i = integral(tonumber(y))
    if i == nil then error("value has no integer representation") end
    return i
  end

  function bint.bwrap(x, y)
    x = need_bint(x)
    y = need_int(y)
    if y <= 0 then return zero() end
    if y >= bits then return copy(x) end
    return shr_b(shl_b(x, bits - y), bits - y)
  end

  function bint.brol(x, y)
    x = need_bint(x)
    y = need_int(y) % bits
    if y == 0 then return copy(x) end
    local a, b = shl_b(x, y), shr_b(x, bits - y)
    for i = 1, N do a[i] = a[i] | b[i] end
    return a
  end

  function bint.bror(x, y)
    x = need_bint(x)
    y = need_int(y) % bits
    return bint.brol(x, bits - y)
  end

  -- division family -------------------------------------------------------------------

  local function check_divisor(y)
    if iszero_b(y) then error("attempt to divide by zero") end
  end

  function bint.udivmod(x, y)
    x, y = need_bint(x), need_bint(y)
    check_divisor(y)
    return udivmod_b(x, y)
  end
  function bint.udiv(x, y) return (bint.udivmod(x, y)) end
  function bint.umod(x, y) return select(2, bint.udivmod(x, y)) end

  -- truncated signed division on bints
  local function tdivmod_b(x, y)
    local nx, ny = isneg_b(x), isneg_b(y)
    if nx and ny and ucmp(x, bint.mininteger()) == 0 and bint.isminusone(y) then
      error("division overflow")
    end
    local q, r = udivmod_b(nx and neg_b(x) or x, ny and neg_b(y) or y)
    if nx ~= ny then q = neg_b(q) end
    if nx then r = neg_b(r) end
    return q, r
  end

  function bint.tdivmod(x, y)
    local bx, by = tobint(x), tobint(y)
    if bx and by then
      check_divisor(by)
      return tdivmod_b(bx, by)
    end
    local nx, ny = bint.tonumber(x), bint.tonumber(y)
    local q = nx / ny
    q = q < 0 and math.ceil(q) or floor(q)
    return q, math.fmod(nx, ny)
  end
  function bint.tdiv(x, y) return (bint.tdivmod(x, y)) end
  function bint.tmod(x, y) return select(2, bint.tdivmod(x, y)) end

  function bint.idivmod(x, y)
    local bx, by = tobint(x), tobint(y)
    if bx and by then
      check_divisor(by)
      local q, r = tdivmod_b(bx, by)
      -- floor: a non-zero remainder whose sign differs from the divisor's moves one down
      if not iszero_b(r) and isneg_b(r) ~= isneg_b(by) then
        q = sub_b(q, bint.one())
        r = add_b(r, by)
      end
      return q, r
    end
    local nx, ny = bint.tonumber(x), bint.tonumber(y)
    return nx // ny, nx % ny
  end
  function bint.__idiv(x, y) return (bint.idivmod(x, y)) end
  function bint.__mod(x, y) return select(2, bint.idivmod(x, y)) end
  function bint.__div(x, y) return bint.tonumber(x) / bint.tonumber(y) end

  -- power -----------------------------------------------------------------------------

  function bint.ipow(x, y)
    x, y = need_bint(x), need_bint(y)
    local result, base = bint.one(), copy(x)
    for bit = 0, bitlength(y) - 1 do
      if (y[bit // wordbits + 1] >> (bit % wordbits)) & 1 == 1 then result = mul_b(result, base) end
      base = mul_b(base, base)
    end
    return result
  end

  function bint.upowmod(x, y, m)
    x, y, m = need_bint(x), need_bint(y), need_bint(m)
    check_divisor(m)
    if bint.isone(m) then return zero() end
    local result = bint.one()
    local base = select(2, udivmod_b(x, m))
    for bit = 0, bitlength(y) - 1 do
      if (y[bit // wordbits + 1] >> (bit % wordbits)) & 1 == 1 then
        result = select(2, udivmod_b(mul_b(result, base), m))
      end
      base = select(2, udivmod_b(mul_b(base, base), m))
    end
    return result
  end

  function bint.__pow(x, y) return bint.tonumber(x) ^ bint.tonumber(y) end

  -- arithmetic metamethods: bints when both sides convert, plain Lua numbers otherwise
  local function arith(on_bints, on_numbers)
    return function(x, y)
      local bx, by = tobint(x), tobint(y)
      if bx and by then return on_bints(bx, by) end
      return on_numbers(bint.tonumber(x), bint.tonumber(y))
    end
  end
  bint.__add = arith(add_b, function(a, b) return a + b end)
  bint.__sub = arith(sub_b, function(a, b) return a - b end)
  bint.__mul = arith(mul_b, function(a, b) return a * b end)
  bint.add, bint.sub, bint.mul = bint.__add, bint.__sub, bint.__mul

  function bint.__unm(x) return neg_b(need_bint(x)) end
  function bint.__bnot(x) return bnot_b(need_bint(x)) end

  local function bitwise(op)
    return function(x, y)
      x, y = need_bint(x), need_bint(y)
      local r = raw()
      for i = 1, N do r[i] = op(x[i], y[i]) end
      return r
    end
  end
  bint.__band = bitwise(function(a, b) return a & b end)
  bint.__bor = bitwise(function(a, b) return a | b end)
  bint.__bxor = bitwise(function(a, b) return a ~ b end)

  function bint.__shl(x, y)
    x, y = need_bint(x), need_int(y)
    if y < 0 then return shr_b(x, -y) end
    return shl_b(x, y)
  end
  function bint.__shr(x, y)
    x, y = need_bint(x), need_int(y)
    if y < 0 then return shl_b(x, -y) end
    return shr_b(x, y)
  end

  -- comparison ------------------------------------------------------------------------

  function bint.__eq(x, y)
    for i = 1, N do if x[i] ~= y[i] then return false end end
    return true
  end
  function bint.eq(x, y)
    local bx, by = tobint(x), tobint(y)
    if bx and by then return ucmp(bx, by) == 0 end
    return x == y
  end
  bint.__lt, bint.__le = lt, le
  function bint.ult(x, y) return ucmp(need_bint(x), need_bint(y)) < 0 end
  function bint.ule(x, y) return ucmp(need_bint(x), need_bint(y)) <= 0 end

  -- in-place variants (`x:_add(y)` changes x and returns it)
  for _, name in ipairs({ "inc", "dec", "abs", "bwrap", "brol", "bror" }) do
    local op = bint[name]
    bint["_" .. name] = function(x, ...) return assign(x, op(x, ...)) end
  end
  for _, name in ipairs({ "add", "sub", "mul", "idiv", "mod", "unm", "band", "bor", "bxor", "bnot", "shl", "shr" }) do
    local op = bint["__" .. name]
    bint["_" .. name] = function(x, ...) return assign(x, op(x, ...)) end
  end
  bint._pow = function(x, y) return assign(x, bint.ipow(x, y)) end

  setmetatable(bint, { __call = function(_, x) return bint.new(x) end })
  classes[memo] = bint
  return bint
end

return newmodule
