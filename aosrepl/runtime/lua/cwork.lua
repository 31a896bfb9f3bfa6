-- cwork.lua: library functions that do long work in C without allocating, charged to the
-- message's budget. The instruction hook never fires inside a C function, and work that
-- allocates is charged by the collection sentinel (sandbox.lua); what is left is work that
-- only reads or moves what exists: a positional table.insert shifts the whole array,
-- table.sort compares n log n times, tonumber and utf8.len scan their whole string. Each
-- function below charges its work first (one instruction per element, or per BYTES bytes)
-- through the guard's `charge`, which trips the budget or the interrupt before it starts.
-- Errors read exactly as Lua's own: the C function is called by its name, and an error it
-- raises is re-raised at the caller's position.
-- Argument: charge(units) (a trusted guard function).
local charge = ...
local C = {
  tonumber = tonumber, insert = table.insert, remove = table.remove, sort = table.sort, move = table.move,
  len = utf8.len, collectgarbage = collectgarbage,
}
local type, select, tointeger, log, min, rawlen = type, select, math.tointeger, math.log, math.min, rawlen
local error, pcall = error, pcall
local match = string.match
local BYTES = 4                      -- bytes of C work that cost one instruction (about the same time)

local function finish(ok, ...)
  if ok then return ... end
  local e = ...
  if type(e) == "string" then
    -- an error of the C function names this file's position: the caller's is the one that counts
    local text = match(e, "^cwork:%d+: (.*)$")
    if text then error(text, 2) end
  end
  error(e, 0)
end

-- the C functions, called by their names so that an argument error names them as Lua does
local call = {
  tonumber = function(...) return C.tonumber(...) end,
  insert = function(...) return C.insert(...) end,
  remove = function(...) return C.remove(...) end,
  sort = function(...) return C.sort(...) end,
  move = function(...) return C.move(...) end,
  len = function(...) return C.len(...) end,
  collectgarbage = function(...) return C.collectgarbage(...) end,
}

local function size_of(t) return type(t) == "table" and rawlen(t) or 0 end

tonumber = function(...)
  local s = ...
  if type(s) == "string" and #s > 4096 then charge(#s / BYTES) end
  return finish(pcall(call.tonumber, ...))
end

utf8.len = function(...)
  local s = ...
  if type(s) == "string" then charge(#s / BYTES) end
  return finish(pcall(call.len, ...))
end

table.insert = function(...)
  if select("#", ...) >= 3 then charge(size_of((...))) end      -- a positional insert shifts
  return finish(pcall(call.insert, ...))
end

table.remove = function(...)
  if select("#", ...) >= 2 then charge(size_of((...))) end
  return finish(pcall(call.remove, ...))
end

table.move = function(...)
  local _, f, e = ...
  local first, last = tointeger(f) or 0, tointeger(e) or 0
  if last > first then charge(last - first) end
  return finish(pcall(call.move, ...))
end

table.sort = function(...)
  local n = size_of((...))
  if n > 1 then charge(n * log(n, 2)) end
  return finish(pcall(call.sort, ...))
end

-- The collection sentinel runs only when collection cycles complete. So collectgarbage keeps
-- every option, but "stop" and "restart" only change what "isrunning" reports (the collector
-- keeps running; Lua would collect in an emergency anyway), and a pause above 200% is kept at
-- 200% (what it reports is what was asked).
local MAX_PAUSE = 200
local running, pause = true, 200
collectgarbage = function(...)
  local opt, arg = ...
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
    finish(pcall(call.collectgarbage, "setpause", type(asked) == "number" and min(asked, MAX_PAUSE) or asked))
    pause = asked or 0
    return before
  end
  return finish(pcall(call.collectgarbage, ...))
end
