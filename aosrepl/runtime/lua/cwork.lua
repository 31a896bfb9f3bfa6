-- cwork.lua: the library functions that do work proportional to their input in C, charged
-- to the message's budget. The instruction hook never fires inside a C function, so a
-- loop of a few VM instructions around a big copy (`s:upper()` on a 64 MiB string) would
-- run for minutes between two hook calls. Each function below first charges its work (one
-- instruction per BYTES_PER_INSTRUCTION bytes, one per element) through the guard's
-- `charge`, which trips the budget or the interrupt before the work starts.
-- Argument: charge(units) (a trusted guard function).
local charge = ...
local type, select, tointeger, log, min = type, select, math.tointeger, math.log, math.min
local pcall, error, load, rawlen = pcall, error, load, rawlen
local raw_sub = string.sub
local BYTES = 4                      -- bytes of C work that cost one instruction (about the same time)

local function length(v)
  local t = type(v)
  if t == "string" then return #v end
  if t == "number" then return 24 end
  return 0
end
local function size_of(t) return type(t) == "table" and rawlen(t) or 0 end

-- Errors must read as if the process had called the C function itself (aos's Lua has no such
-- wrappers): the C function is called through a one-line chunk named "=cwork" in which a local
-- of its own name calls it, so Lua names it as usual ('rep', 'collectgarbage'); every argument
-- is passed on as given (a missing one is "no value", not nil); and an error it raises carries
-- the position "cwork:1: ", which is swapped for the position of the wrapper's caller.
local HERE = "cwork:1: "
local function direct_caller(name, f)
  return load("local " .. name .. " = ... return function(...) return " .. name .. "(...) end", "=cwork")(f)
end
local function relay(ok, ...)
  if ok then return ... end
  local e = ...
  if type(e) == "string" and raw_sub(e, 1, #HERE) == HERE then
    error(raw_sub(e, #HERE + 1), 2)    -- tail-called by the wrapper: level 2 is the wrapper's caller
  end
  error(e, 0)                          -- raised by other code (a sort comparator...): as it was
end
local function charged(lib, name, cost, as)
  local call = direct_caller(as or name, lib[name])
  lib[name] = function(...)
    charge(cost(...))
    return relay(pcall(call, ...))
  end
end

-- functions whose work is the length of their first argument
local function by_input(s) return length(s) / BYTES end
for _, name in ipairs({ "upper", "lower", "reverse", "len" }) do charged(string, name, by_input) end
charged(_G, "tonumber", by_input)
charged(utf8, "len", by_input)
charged(utf8, "codepoint", by_input)

-- functions whose work is the size of what they build (or take apart)
local function count(...) return select("#", ...) end
local function span(_, i, j)
  local first, last = tointeger(i) or 1, tointeger(j) or tointeger(i) or 1
  return last > first and last - first or 0
end
charged(string, "rep", function(s, n, sep)
  local times = tointeger(n) or 0
  return times > 0 and (length(s) + length(sep)) * times / BYTES or 0
end)
charged(string, "format", function(...)
  local size = 0
  for i = 1, select("#", ...) do size = size + length((select(i, ...))) end
  return size / BYTES
end)
charged(string, "char", count)
charged(string, "sub", function(s) return length(s) / BYTES end)   -- at most the input is copied
charged(string, "byte", span)
charged(utf8, "char", count)

-- table functions: work per element
charged(table, "concat", function(t)
  local size = 0
  if type(t) == "table" then
    for i = 1, rawlen(t) do size = size + length(t[i]) end   -- counted, not copied: no C work here
  end
  return size / BYTES + size_of(t)
end)
charged(table, "insert", function(t, ...) return select("#", ...) >= 2 and size_of(t) or 0 end)  -- a positional insert shifts
charged(table, "remove", function(t, ...) return select("#", ...) >= 1 and size_of(t) or 0 end)
charged(table, "unpack", function(t, i, j)
  local first, last = tointeger(i) or 1, tointeger(j) or size_of(t)
  return last > first and last - first or 0
end)
charged(table, "move", function(_, f, e)
  local first, last = tointeger(f) or 0, tointeger(e) or 0
  return last > first and last - first or 0
end)
charged(table, "sort", function(t)
  local n = size_of(t)
  return n > 1 and n * log(n, 2) or 0
end)

-- The collection sentinel (sandbox.lua) is what charges work done by allocating VM instructions
-- (`s .. s`), and it runs only when collection cycles complete. So collectgarbage keeps every
-- option, but "stop" and "restart" only change what "isrunning" reports (the collector keeps
-- running; Lua would collect in an emergency anyway), and a pause above 200% is kept at 200%
-- (what it reports is what was asked).
local raw_gc = direct_caller("collectgarbage", collectgarbage)
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
    relay(pcall(raw_gc, "setpause", type(asked) == "number" and min(asked, MAX_PAUSE) or asked, ...))
    pause = asked or 0
    return before
  end
  return relay(pcall(raw_gc, opt, arg, ...))
end
