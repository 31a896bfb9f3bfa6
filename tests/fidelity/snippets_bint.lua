bint = require(".bint")(256) return type(bint)
%%
type(require(".bint"))
%%
require(".bint")(256) == bint
%%
bint.bits
%%
tostring(bint(123))
%%
tostring(bint("123456789012345678901234567890"))
%%
tostring(bint.new(42))
%%
tostring(bint(-5))
%%
tostring(bint(1e16))
%%
tostring(bint(10000 * 10^12))
%%
bint(5)
%%
tostring(bint(2) + bint(3))
%%
tostring(bint(2) - bint(3))
%%
tostring(bint(6) * bint(7))
%%
tostring(bint(7) // bint(2))
%%
tostring(bint(-7) // bint(2))
%%
tostring(bint(7) % bint(3))
%%
tostring(bint(-7) % bint(3))
%%
bint(7) / bint(2)
%%
bint(2) ^ bint(10)
%%
tostring(bint.ipow(bint(2), bint(100)))
%%
tostring(bint.ipow(2, 255))
%%
tostring(bint.ipow(2, 256))
%%
tostring(bint.ipow(3, 5))
%%
tostring(-bint(5))
%%
tostring(bint(1) + 0.5)
%%
bint(1) + 0.5
%%
tostring(bint(1) + "2")
%%
tostring(bint(10) + 5)
%%
tostring(5 + bint(10))
%%
bint(5) == bint(5)
%%
bint(5) == 5
%%
bint(3) < bint(5)
%%
bint(5) <= bint(5)
%%
bint(6) > bint(5)
%%
bint(-1) < bint(0)
%%
bint.__lt(0, bint("100"))
%%
bint.__lt(bint(1), 2)
%%
bint("100") <= bint("99")
%%
bint.eq(bint(5), 5)
%%
bint.eq(bint(5), 6)
%%
bint.tonumber(bint(42))
%%
math.type(bint.tonumber(bint(42)))
%%
bint.tonumber(bint("1000000000000000000000"))
%%
bint.tonumber(bint(-3))
%%
bint.tonumber("12")
%%
tostring(bint.zero())
%%
tostring(bint.one())
%%
bint.isbint(bint(1))
%%
bint.isbint(1)
%%
bint.isbint("1")
%%
bint.iszero(bint(0))
%%
bint.iszero(bint(1))
%%
bint.isneg(bint(-1))
%%
bint.ispos(bint(1))
%%
bint.iseven(bint(4))
%%
bint.isodd(bint(4))
%%
bint.isone(bint(1))
%%
bint.isminusone(bint(-1))
%%
bint.type(bint(1))
%%
bint.type(1)
%%
bint.type(1.5)
%%
bint.type("x")
%%
tostring(bint.maxinteger())
%%
tostring(bint.mininteger())
%%
tostring(bint.maxinteger() + 1)
%%
tostring(bint.mininteger() - 1)
%%
tostring(bint.ipow(2, 255) * 2)
%%
tostring(bint("115792089237316195423570985008687907853269984665640564039457584007913129639935"))
%%
tostring(bint("115792089237316195423570985008687907853269984665640564039457584007913129639936"))
%%
bint.tobase(bint(255), 16)
%%
bint.tobase(bint(255), 2)
%%
bint.tobase(bint(-1), 16)
%%
bint.tobase(bint(-1), 10)
%%
bint.tobase(bint(35), 36)
%%
bint(255):tobase(16)
%%
tostring(bint.frombase("ff", 16))
%%
tostring(bint.frombase("-101", 2))
%%
bint.frombase("zz", 10)
%%
tostring(bint.fromstring("0x10"))
%%
tostring(bint.fromstring("0b101"))
%%
tostring(bint.fromstring("-42"))
%%
bint.fromstring("1.5")
%%
bint.fromstring("abc")
%%
bint.fromstring(" 1")
%%
local ok, e = pcall(bint.new, "abc") return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(bint.new, 1.5) return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(bint.new, {}) return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(bint.new, nil) return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(function() return bint(1) // bint(0) end) return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(function() return bint(1) % bint(0) end) return tostring(ok) .. " " .. tostring(e)
%%
bint(1) / bint(0)
%%
tostring(bint.abs(bint(-9)))
%%
tostring(bint.max(bint(3), bint(9)))
%%
tostring(bint.min(bint(3), bint(9)))
%%
tostring(bint.inc(bint(9)))
%%
tostring(bint.dec(bint(9)))
%%
tostring(bint(1) << 10)
%%
tostring(bint(1024) >> 3)
%%
tostring(bint(12) & bint(10))
%%
tostring(bint(12) | bint(3))
%%
tostring(bint(12) ~ bint(10))
%%
tostring(~bint(0))
%%
tostring(bint.udiv(bint(100), bint(7)))
%%
tostring(bint.umod(bint(100), bint(7)))
%%
tostring(bint.tdiv(bint(-7), bint(2)))
%%
tostring(bint.tmod(bint(-7), bint(2)))
%%
tostring(bint.upowmod(bint(4), bint(13), bint(497)))
%%
bint.tointeger(bint(77))
%%
bint.tointeger(bint("1000000000000000000000"))
%%
bint.touinteger(bint(-1))
%%
tostring(bint.fromuinteger(5))
%%
tostring(bint.frominteger(-5))
%%
bint.frominteger(1.5)
%%
tostring(bint.tobint(7))
%%
bint.tobint("x")
%%
bint.parse("x")
%%
bint.parse("1.5")
%%
tostring(bint.parse("15"))
%%
tostring(bint.trunc(3.9))
%%
tostring(bint.trunc(-3.9))
%%
#bint.tole(bint(1))
%%
bint.tobe(bint(258), true) == "\1\2"
%%
tostring(bint.frombe("\1\0"))
%%
tostring(bint.fromle("\1\0"))
%%
local ok, e = pcall(bint.fromle, 5) return tostring(ok) .. " " .. tostring(e)
%%
local b8 = require(".bint")(64) return tostring(b8.maxinteger())
%%
local ok, e = pcall(require(".bint"), 60) return tostring(ok) .. " " .. tostring(e)
%%
local ok, e = pcall(require(".bint"), 32) return tostring(ok) .. " " .. tostring(e)
%%
tostring(bint("1000") - bint("1") * bint("10"))
%%
local balances = {a = "100"} local q = "30" balances.a = tostring(bint(balances.a) - bint(q)) return balances.a
%%
bint(msg and 1 or 0) <= bint("5")
%%
tostring(bint(2) ^ 3)
%%
tostring(bint("-0"))
%%
tostring(bint("+7"))
%%
tostring(bint(0) - bint(1))
%%
bint.ult(bint(-1), bint(1))
%%
bint.ule(bint(1), bint(1))
%%
tostring(bint.bwrap(bint(0xff), 4))
%%
local ok, e = pcall(function() return bint(1) < "abc" end) return tostring(ok)
%%
local ok, e = pcall(function() return bint.tonumber(bint(1) + {}) end) return tostring(ok)
