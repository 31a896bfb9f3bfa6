-- cwork.lua: the library functions that do work proportional to their input in C, charged
-- to the message's budget. The instruction hook never fires inside a C function, so a
-- loop of a few VM instructions around a big copy (`s:upper()` on a 64 MiB string) would
-- run for minutes between two hook calls. Each function below first charges its work (one
-- instruction per BYTES_PER_INSTRUCTION bytes, one per element) through the guard's
-- `charge`, which trips the budget or the interrupt before the work starts.
-- Argument: charge(units) (a trusted guard function).
local charge = ...
local type, select, tointeger, log, min = type, select, math.tointeger, math.log, math.min
local BYTES = 4                      -- bytes of C work that cost one instruction (about the same time)

local function length(v)
  local t = type(v)
  if t == "string" then return #v end
  if t == "number" then return 24 end
  return 0
end

-- functions whose work is the length of their first argument
local function by_input(lib, name)
  local f = lib[name]
  lib[name] = function(s, ...)
    charge(length(s) / BYTES)
    return f(s, ...)
  end
end
for _, name in ipairs({ "upper", "lower", "reverse", "len" }) do by_input(string, name) end
by_input(_G, "tonumber")
by_input(utf8, "len")
by_input(utf8, "codepoint")

-- functions whose work is the size of what they build
local rep, format, char, sub, byte = string.rep, string.format, string.char, string.sub, string.byte
string.rep = function(s, n, sep)
  local count = tointeger(n) or 0
  if count > 0 then
    charge((length(s) + length(sep)) * count / BYTES)
  end
  return rep(s, n, sep)
end
string.format = function(fmt, ...)
  local size = length(fmt)
  for i = 1, select("#", ...) do size = size + length((select(i, ...))) end
  charge(size / BYTES)
  return format(fmt, ...)
end
string.char = function(...)
  charge(select("#", ...))
  return char(...)
end
string.sub = function(s, i, j)
  local r = sub(s, i, j)
  charge(#r / BYTES)
  return r
end
string.byte = function(s, i, j)
  local first, last = tointeger(i) or 1, tointeger(j) or tointeger(i) or 1
  if last > first then charge(last - first) end
  return byte(s, i, j)
end
local uchar = utf8.char
utf8.char = function(...)
  charge(select("#", ...))
  return uchar(...)
end

-- table functions: work per element
local concat, insert, remove, unpack, move, sort = table.concat, table.insert, table.remove,
  table.unpack, table.move, table.sort
local rawlen = rawlen
local function size_of(t) return type(t) == "table" and rawlen(t) or 0 end
table.concat = function(t, sep, i, j)
  local r = concat(t, sep, i, j)
  charge(#r / BYTES + size_of(t))
  return r
end
table.insert = function(t, ...)
  if select("#", ...) >= 2 then charge(size_of(t)) end      -- a positional insert shifts
  return insert(t, ...)
end
table.remove = function(t, ...)
  if select("#", ...) >= 1 then charge(size_of(t)) end
  return remove(t, ...)
end
table.unpack = function(t, i, j)
  local first, last = tointeger(i) or 1, tointeger(j) or size_of(t)
  if last > first then charge(last - first) end
  return unpack(t, i, j)
end
table.move = function(a1, f, e, t, a2)
  local first, last = tointeger(f) or 0, tointeger(e) or 0
  if last > first then charge(last - first) end
  return move(a1, f, e, t, a2)
end
table.sort = function(t, cmp)
  local n = size_of(t)
  if n > 1 then charge(n * log(n, 2)) end
  return sort(t, cmp)
end

-- The collection sentinel (sandbox.lua) is what charges work done by allocating VM instructions
-- (`s .. s`), and it runs only when collection cycles complete. So collectgarbage keeps every
-- option, but "stop" and "restart" only change what "isrunning" reports (the collector keeps
-- running; Lua would collect in an emergency anyway), and a pause above 200% is kept at 200%
-- (what it reports is what was asked).
local raw_gc = collectgarbage
local MAX_PAUSE = 200
local running, pause = true, 200
collectgarbage = function(opt, arg, ...)
  if opt == "stop" then
    running = false
    return 0
  elseif opt == "restart" then
    running = true
    return 0
  elseif opt == "isrunning" then
    return running
  elseif opt == "setpause" then
    local asked = tointeger(arg) or arg
    local before = pause
    raw_gc("setpause", type(asked) == "number" and min(asked, MAX_PAUSE) or asked, ...)
    pause = asked or 0
    return before
  end
  return raw_gc(opt, arg, ...)
end
