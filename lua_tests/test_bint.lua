-- .bint: 256-bit two's-complement integers with lua-bint's API. Expected values computed
-- independently (Python integers reduced to 256 signed bits).
local bint = require(".bint")(256)
local P = bint("57896044618658097711785492504343953926634992332820282019728792003956564819949") -- 2^255 - 19

test("construction and conversion", function()
  assert_true(rawequal(require(".bint")(256), bint))    -- one class per size
  assert_eq(tostring(bint(1e16)), "10000000000000000")  -- integral floats are exact
  assert_eq(tostring(bint("-0x10")), "-16")
  assert_eq(bint.tobase(P, 16), "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed")
  assert_eq(bint.tobase(-bint.ipow(2, 100), 16), "fffffffffffffffffffffffffffffffffffffff0000000000000000000000000")
  assert_eq(tostring(bint.frombase(bint.tobase(P, 36), 36)), tostring(P))
  assert_eq(bint.tonumber(bint(-42)), -42)
  assert_eq(math.type(bint.tonumber(bint.ipow(2, 80))), "float")
  assert_eq(bint.tonumber(bint.ipow(2, 80)), 2.0 ^ 80)
  assert_eq(bint.tobe(bint(258), true), "\1\2")
  assert_eq(tostring(bint.fromle(bint.tole(P))), tostring(P))
end)

test("arithmetic wraps at 256 bits", function()
  assert_eq(tostring(bint.maxinteger() + 1), tostring(bint.mininteger()))
  assert_eq(tostring(bint("115792089237316195423570985008687907853269984665640564039457584007913129639936")), "0")
  assert_eq(tostring((bint.ipow(2, 200) + 12345) * (bint.ipow(2, 50) + 3)),
    "1809251394333070374307429417731575186093620533888441379739405332852120785067")
  assert_eq(tostring(P * P), "361")
  assert_eq(tostring(bint.ipow(3, 161)),
    "-50249739078798557550879015499717202425568834350902308397019112161924332574333")
  assert_eq(tostring(P - bint("115792089237316195423570985008687907853269984665640564039457584007913129639935")),
    "57896044618658097711785492504343953926634992332820282019728792003956564819950")
end)

test("division family", function()
  local x, y = bint("1" .. string.rep("0", 70)), bint("3" .. string.rep("0", 30)) + 7
  assert_eq(tostring(x // y), "3333333333333333333333333333325555555555")
  assert_eq(tostring(x % y), "1666666666666666666721111111115")
  local n = -bint("1" .. string.rep("0", 40))
  assert_eq(tostring(n // 7), "-1428571428571428571428571428571428571429")   -- floor
  assert_eq(tostring(n % 7), "3")
  assert_eq(tostring(bint.tdiv(n, 7)), "-1428571428571428571428571428571428571428") -- truncate
  assert_eq(tostring(bint.tmod(n, 7)), "-4")
  assert_eq(tostring(bint.upowmod(2, bint("1000000000000000000"), 1000000007)), "719476260")
  assert_eq(bint(7) / bint(2), 3.5)
end)

test("bit operations", function()
  assert_eq(tostring(bint(1) << 255), tostring(bint.mininteger()))
  assert_eq(tostring(P << 3), "-152")
  assert_eq(tostring(bint(-1) >> 200), "72057594037927935")              -- logical shift
  assert_eq(tostring(P & (bint.ipow(2, 130) + 127)), "1361129467683753853853498429727072845933")
  assert_eq(tostring(P ~ bint.ipow(2, 254)),
    "28948022309329048855892746252171976963317496166410141009864396001978282409965")
  assert_eq(tostring(bint.brol(bint.mininteger(), 1)), "1")
end)

test("comparison", function()
  assert_true(bint.mininteger() < bint.maxinteger())
  assert_true(bint(-1) < bint(0) and not bint.ult(bint(-1), bint(0)))
  assert_true(bint.__lt(0, bint("100")) and bint("100") <= bint("100"))
  assert_eq(bint(5) == 5, false)          -- __eq only runs for two tables
  assert_eq(bint.eq(bint(5), 5), true)
end)

test("errors read as lua-bint's", function()
  assert_error(function() return bint.new("12a") end, "value cannot be represented by a bint")
  assert_error(function() return bint.new(1.5) end, "value cannot be represented by a bint")
  assert_error(function() return bint(1) // bint(0) end, "attempt to divide by zero")
  assert_error(function() return bint.tdiv(bint.mininteger(), -1) end, "division overflow")
  assert_error(function() return bint.fromle(5) end, "buffer is not a string")
  assert_error(function() return require(".bint")(60) end, "bitsize is not multiple of word bitsize")
  assert_error(function() return require(".bint")(32) end, "bitsize must be >= 64")
  assert_eq(bint.fromstring("1.5"), nil)
  assert_eq(bint.frombase("zz", 10), nil)
end)

test("other sizes", function()
  local b64 = require(".bint")(64)
  assert_eq(tostring(b64.maxinteger()), "9223372036854775807")
  local b512 = require(".bint")(512)
  assert_eq(tostring(b512.ipow(2, 511) - 1),
    "6703903964971298549787012499102923063739682910296196688861780721860882015036773488400937149083451713845015929093243025426876941405973284973216824503042047")
end)
