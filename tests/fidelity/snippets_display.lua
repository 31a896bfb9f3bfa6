1 + 1
%%
"hello"
%%
10000 * 10^12
%%
true
%%
false
%%
nil
%%
7 // 2
%%
7 / 2
%%
3.0
%%
-0.0
%%
1/0
%%
-1/0
%%
math.maxinteger
%%
math.mininteger
%%
2^53
%%
1.005
%%
0.1 + 0.2
%%
{}
%%
{1, 2, 3}
%%
{"a", "b", 1}
%%
{a = 1}
%%
{a = "x"}
%%
{a = {b = {c = 1}}}
%%
{{a = 1}, {b = 2}}
%%
{1, 2, a = 3}
%%
{1, nil, 3}
%%
{[1] = "a", [3] = "c"}
%%
{[2] = "b"}
%%
{[1] = "a", [2] = "b", [4] = "d"}
%%
{[3] = 3, [2] = 2, [1] = 1}
%%
{[0] = "zero", [1] = "one"}
%%
{[-1] = "neg"}
%%
{[1.5] = "half"}
%%
{[10] = 1, [20] = 2, [30] = 3}
%%
local t = {} for i = 10, 1, -1 do t[i] = i end return t
%%
local t = {} t[5] = 5 t[1] = 1 return t
%%
local t = {1, 2, 3} t[5] = 5 return t
%%
local t = {} for i = 1, 5 do t[i * 2] = i end return t
%%
{{1, 2}, {3, 4}}
%%
{{}, {}}
%%
{1, {2, 3}}
%%
{true, false}
%%
{1, true}
%%
{x = true}
%%
{x = false}
%%
{[true] = 1}
%%
{[false] = "f"}
%%
{[{}] = 1}
%%
local t = {} t.self = t return t
%%
local s = {} return {a = s}
%%
local s = {1} return {s, s}
%%
local t = {1, 2} t.x = t return t
%%
{a = {}}
%%
{a = {1, "x"}}
%%
{"multi\nline"}
%%
{'quo"te'}
%%
{s = "tab\there"}
%%
{1.5, 2.25}
%%
{1e100}
%%
{n = 1/0}
%%
{math.pi}
%%
{[1] = {a = 1}}
%%
{{{}}}
%%
{{{1}}}
%%
{a = {b = {}}}
%%
{a = {b = {1, 2}}}
%%
{f = print}
%%
print({1, 2})
%%
print({a = 1})
%%
print("text")
%%
print(42)
%%
print(1.5)
%%
print(true)
%%
print(nil)
%%
print()
%%
print("a", "b")
%%
print(1, 2)
%%
print("a") print("b")
%%
print("a") return 1
%%
print({})
%%
print({[1] = "a", [3] = "c"})
%%
tostring(nil)
%%
tostring(12)
%%
tostring(1e15)
%%
tostring(1e16)
%%
tostring(-0.0)
%%
type(print)
%%
string.format("%5.2f", 3.14159)
%%
string.format("%q", "a\nb")
%%
string.format("%d", 3.0)
%%
string.format("%x", 255)
%%
string.rep("ab", 3, ",")
%%
("x"):upper()
%%
#"hello"
%%
math.type(1), math.type(1.0)
%%
math.type(1.0)
%%
math.floor(3.7)
%%
math.tointeger(3.0)
%%
3 % -2
%%
-3 // 2
%%
1 << 63
%%
"10" + 5
%%
"3" * "4"
%%
10 == 10.0
%%
utf8.char(72, 228, 8364)
%%
utf8.len("häll")
%%
table.concat({1, 2, 3}, "-")
%%
select("#", 1, nil, 3)
%%
local t = {5, 2, 8} table.sort(t) return t
%%
table.unpack({1, 2, 3})
%%
next({})
%%
rawlen({1, 2})
%%
rawequal({}, {})
%%
_VERSION
%%
return 1, 2
%%
return nil, "boom"
%%
return 1, "second is error"
%%
return false
%%
return "x", nil
