-- sandbox.lua: runs once in a fresh Lua state, before any library or user code.
-- It removes everything that reaches outside the process (files, the OS, native code,
-- bytecode, the debug library), installs the instruction-count hook that enforces the
-- per-message budget and the interrupt flag, and returns a `guard` table the host uses.
-- Arguments: poll_interrupt (a host callable returning true when a stop was requested),
-- lookup_module (a host callable: name -> chunk, chunkname, mode ("t" source or "b" the host's bytecode) | nil),
-- set_memory_mode (a host callable: "user" | "repair" | "host" -> the heap cap in force).
local poll_interrupt, lookup_module, set_memory_mode = ...

-- Capture what the runtime itself needs before it becomes unreachable.
local sethook = debug.sethook
local traceback = debug.traceback
local getinfo = debug.getinfo
local format = string.format
-- What host code (crossing.lua) uses as Lua ships it: the string functions before lua/patterns.lua wraps
-- them (its patterns are fixed and linear: the wrappers' cost estimates would cost more than the work),
-- and the metatable lookup no __metatable field can hide.
local raw_lib = { find = string.find, gsub = string.gsub, match = string.match, gmatch = string.gmatch,
                  getmetatable = debug.getmetatable }
local raw_load = load
local co_create, co_running = coroutine.create, coroutine.running
local select, error, type, next, setmetatable = select, error, type, next, setmetatable
local pack, unpack, resume, status = table.pack, table.unpack, coroutine.resume, coroutine.status
local raw_collectgarbage = collectgarbage
local raw_pcall, raw_xpcall = pcall, xpcall
local raw_date, floor, tonumber = os.date, math.floor, tonumber
local natives = {}                -- name -> Lua value provided by the host

local HOOK_EVERY = 10000          -- instructions between hook calls
local INSTRUCTIONS_PER_SECOND = 1e8   -- what os.clock counts: virtual CPU time, the same at every replay
local MEMORY_ERROR = "not enough memory"   -- the message Lua raises when the allocator refuses
local budget = math.huge          -- instructions allowed for the current message
local used = 0
local tripped = nil               -- the error text once the message must stop
local message_time = 0            -- the current message's Timestamp (seconds), for os.date

-- every thread the hook must apply to (weak: dead coroutines are collected)
local threads = setmetatable({}, { __mode = "k" })

-- The host glue is never stopped: it reports the stop and resets. It is recognised by
-- function identity (a closure user code cannot obtain or forge), never by chunk name.
local trusted = setmetatable({}, { __mode = "k" })

local hook

local function over_budget()
  return "Instruction budget exceeded: the message ran more than " .. format("%d", budget) .. " Lua instructions"
end

-- Stop the current message: from now on every instruction in every thread fails, so
-- user code that catches the error with pcall cannot keep running.
local function trip(reason)
  if tripped then return end
  tripped = reason
  for th in next, threads do sethook(th, hook, "", 1) end
  sethook(hook, "", 1)
end

-- The results of a protected call, after a memory error inside it stopped the message (see
-- the pcall wrappers below).
local function checked(ok, ...)
  if not ok and ... == MEMORY_ERROR then trip(MEMORY_ERROR) end
  return ok, ...
end

hook = function()
  if not tripped then
    used = used + HOOK_EVERY
    local reason
    if used > budget then
      reason = over_budget()
    elseif poll_interrupt() then
      reason = "Interrupted"
    end
    if not reason or trusted[getinfo(2, "f").func] then return end
    trip(reason)
  end
  if trusted[getinfo(2, "f").func] then return end
  error(tripped, 0)
end

-- Work inside C functions never reaches the hook, but allocation reaches the collector.
-- A finalizer on a sentinel object runs once per collection cycle, and a cycle completes
-- each time the program has allocated about as much as the heap holds. The finalizer
-- charges those bytes to the budget and polls the interrupt, so a loop of big copies done
-- in C (s:upper(), s .. s, string.rep, collectgarbage()) stops like any other loop.
-- It never raises (an error in a finalizer can surface outside any protected call); it
-- trips the guard and the next instruction of user code fails.
local BYTES_PER_INSTRUCTION = 4
local armed = false               -- a message is being handled
local sentinel_alive = false
local sentinel_mt = {}
local function new_sentinel()
  setmetatable({}, sentinel_mt)
  sentinel_alive = true
end
local function on_collection()
  sentinel_alive = false
  new_sentinel()
  if not armed or tripped then return end
  used = used + raw_collectgarbage("count") * (1024 / BYTES_PER_INSTRUCTION)
  if used > budget then
    trip(over_budget())
  elseif poll_interrupt() then
    trip("Interrupted")
  end
end
sentinel_mt.__gc = function() raw_pcall(on_collection) end
new_sentinel()

local main = co_running()
threads[main] = true
sethook(hook, "", HOOK_EVERY)

-- Argument errors of the wrappers below, worded as Lua's own C functions word them: the
-- name the caller used ('create'), or the qualified name when called from C
-- ('coroutine.create' under pcall), and the caller's position.
local function typename(n, ...)
  if select("#", ...) < n then return "no value" end
  return type((select(n, ...)))
end
local tostring, tonumber, math_tointeger = tostring, tonumber, math.tointeger
local function arg_error(position, qualified, message)
  local info = getinfo(2, "n")     -- level 2: the wrapper, as its caller named it
  local name = info and info.name or qualified
  error("bad argument #" .. position .. " to '" .. name .. "' (" .. message .. ")", 3)
end

-- Lua 5.3 copies the C hook into new coroutines but not the Lua hook function,
-- so each new coroutine gets the hook explicitly.
local function hooked(co)
  threads[co] = true
  sethook(co, hook, "", tripped and 1 or HOOK_EVERY)
  return co
end
coroutine.create = function(...)
  local f = ...
  if type(f) ~= "function" then arg_error(1, "coroutine.create", "function expected, got " .. typename(1, ...)) end
  return hooked(co_create(f))
end
coroutine.wrap = function(...)
  local f = ...
  if type(f) ~= "function" then arg_error(1, "coroutine.wrap", "function expected, got " .. typename(1, ...)) end
  local co = hooked(co_create(f))
  return function(...)
    local r = pack(checked(resume(co, ...)))
    if not r[1] then error(r[2], 2) end
    return unpack(r, 2, r.n)
  end
end

-- Only text chunks: bytecode can break the VM's memory safety.
load = function(...)
  local chunk, chunkname, _, env = ...
  local kind = type(chunk)
  if kind ~= "string" and kind ~= "number" and kind ~= "function" then
    arg_error(1, "load", "function expected, got " .. typename(1, ...))
  end
  if chunkname ~= nil and type(chunkname) ~= "string" and type(chunkname) ~= "number" then
    arg_error(2, "load", "string expected, got " .. type(chunkname))
  end
  if select("#", ...) >= 4 then
    -- an explicit env (even nil) is passed on as given
    return raw_load(chunk, chunkname, "t", env)
  end
  return raw_load(chunk, chunkname, "t")
end

-- A memory error stops the message like the budget does (pcall cannot swallow it), so
-- a message that fills the heap is reported as that message's Error and the owner can
-- repair the process afterwards.
pcall = function(...) return checked(raw_pcall(...)) end

-- An error raised by the hook leaves hooks disabled while xpcall's message handler
-- runs; once the message is stopped the handler is skipped so it cannot spin forever.
xpcall = function(...)
  local f, handler = ...
  if type(handler) ~= "function" then
    arg_error(2, "xpcall", "function expected, got " .. typename(2, ...))
  end
  return checked(raw_xpcall(f, function(e)
    if tripped then return e end
    if e == MEMORY_ERROR then trip(MEMORY_ERROR) return e end
    return handler(e)
  end, select(3, ...)))
end
coroutine.resume = function(...) return checked(resume(...)) end

-- Finalizers run with hooks disabled, so no budget or interrupt could stop them. The checks
-- Lua's own setmetatable makes are repeated here so its errors read exactly as Lua's do
-- (naming 'setmetatable' and the caller's position, not this wrapper's).
local raw_setmetatable = setmetatable
local true_getmetatable = debug.getmetatable   -- not fooled by a __metatable field
_G.setmetatable = function(...)
  local t, mt = ...
  if type(t) ~= "table" then
    arg_error(1, "setmetatable", "table expected, got " .. typename(1, ...))
  end
  if select("#", ...) < 2 or (mt ~= nil and type(mt) ~= "table") then
    arg_error(2, "setmetatable", "nil or table expected")
  end
  local current = true_getmetatable(t)
  if type(current) == "table" and rawget(current, "__metatable") ~= nil then
    error("cannot change a protected metatable", 2)
  end
  if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
    error("__gc metamethods are not allowed in a process", 2)
  end
  return raw_setmetatable(t, mt)
end

-- collectgarbage stays Lua's own (every option as in AO): the memory cap holds whatever
-- the collector is told, and Lua collects in an emergency before it reports no memory.

-- debug.getinfo as Lua's, with one exception: a stack frame's `func` is left out when it
-- belongs to the host glue or this file, or is a C function. The sandbox keeps Lua's own C
-- functions (load with bytecode, the C pattern matcher, the collector, sort) behind wrappers,
-- and they are on the stack while they call user code (load's reader, sort's comparator,
-- gsub's replacement): handing them out would undo the sandbox.
local GETINFO_OPTIONS = "^[SlnutfL]*$"
-- (hiding by chunk name only hides: a process that names its own chunk "=host" hides its own functions)
local HIDDEN_SOURCE = { ["=host"] = true, ["=sandbox"] = true }
local function safe_getinfo(...)
  local args = pack(...)
  local base = type(args[1]) == "thread" and 1 or 0     -- getinfo([thread,] f, what)
  local f, what = args[base + 1], args[base + 2]
  local by_level = type(f) ~= "function"
  if by_level then
    local level = math_tointeger(tonumber(f))
    if level == nil then
      arg_error(base + 1, "debug.getinfo", "number expected, got " .. typename(base + 1, ...))
    end
    if base == 0 and level > 0 then level = level + 1 end  -- this wrapper is a frame of its own
    f = level
  end
  if what ~= nil then
    if type(what) ~= "string" and type(what) ~= "number" then
      arg_error(base + 2, "debug.getinfo", "string expected, got " .. type(what))
    end
    if not tostring(what):find(GETINFO_OPTIONS) then arg_error(base + 2, "debug.getinfo", "invalid option") end
  end
  local info
  if base == 1 then
    info = getinfo(args[1], f, what or "flnStu")
  else
    info = getinfo(f, what or "flnStu")
  end
  if type(info) == "table" and info.func ~= nil and by_level then
    local source = getinfo(info.func, "S")
    if trusted[info.func] or HIDDEN_SOURCE[source.source] or source.what == "C" then info.func = nil end
  end
  return info
end

-- Remove everything that touches the host.
python = nil
io = nil
print = nil            -- the library defines the process `print`
dofile = nil
loadfile = nil
string.dump = nil
debug = { traceback = traceback, getinfo = safe_getinfo }
-- `require` reads package.loaded first: it must not hand back the originals either
package.loaded.io = nil
package.loaded.python = nil
package.loaded.debug = debug
for _, name in ipairs({ "execute", "remove", "rename", "exit", "getenv", "tmpname", "setlocale" }) do
  os[name] = nil
end
-- Replay is a pure fold of the log: the clock and the calendar come from the message.
-- os.clock counts the message's instructions as virtual CPU seconds; os.date defaults to
-- the message's Timestamp and always uses UTC (as aos does in its WebAssembly runtime).
os.clock = function() return used / INSTRUCTIONS_PER_SECOND end
os.date = function(fmt, t)
  fmt = fmt == nil and "%c" or fmt
  if type(fmt) == "string" and fmt:sub(1, 1) ~= "!" then fmt = "!" .. fmt end
  if t == nil then t = message_time end
  return raw_date(fmt, t)
end
package.loadlib = nil
package.searchpath = nil
package.path = ""
package.cpath = ""
package.preload = {}

-- Module search: package.preload, then the library / natives the host knows.
package.searchers = {
  function(name)
    local loader = package.preload[name]
    if loader then return loader, ":preload:" end
    return "\n\tno field package.preload['" .. name .. "']"
  end,
  function(name)
    local native = natives[name]
    if native ~= nil then return function() return native end, ":native:" end
    local chunk, chunkname, mode = lookup_module(name)
    if type(chunk) ~= "string" then
      return "\n\tno library module '" .. name .. "'"
    end
    -- mode "b": the library compiled by the host (runtime/library.py), never code a process wrote
    local fn, err = raw_load(chunk, chunkname, mode == "b" and "b" or "t")
    if not fn then error(err, 0) end
    return fn, chunkname
  end,
}

local guard = {}

-- Start a message: a fresh instruction budget and the message's time; undo a trip from an
-- earlier message. `memory_mode` is the heap cap for the user code that follows ("user",
-- or "repair" for the owner's Eval, which gets headroom so a full heap can be emptied).
function guard.arm(instructions, timestamp_ms, memory_mode)
  budget = instructions or math.huge
  used = 0
  armed = instructions ~= nil
  if not sentinel_alive then raw_pcall(new_sentinel) end
  message_time = floor((tonumber(timestamp_ms) or 0) / 1000)
  if tripped then
    tripped = nil
    for th in next, threads do
      if status(th) ~= "dead" then sethook(th, hook, "", HOOK_EVERY) end
    end
    sethook(hook, "", HOOK_EVERY)
  end
  if memory_mode then set_memory_mode(memory_mode) end
end

-- End a message: the host's headroom is back, the budget is off; returns why the message
-- was stopped (nil when it was not). `cap`: the cap the host preset for the message (see host.lua);
-- it stays while the heap is at least RESULT_HEADROOM below it (writing out the result needs no more),
-- which saves a call to the host.
local RESULT_HEADROOM = 16 * 1024 * 1024
function guard.disarm(cap)
  if cap == nil or raw_collectgarbage("count") * 1024 + RESULT_HEADROOM > cap then
    set_memory_mode("host")
  end
  budget = math.huge
  armed = false
  return tripped
end

-- Charge work done in C (lua/cwork.lua) to the budget, and poll the interrupt once per
-- POLL_UNITS units; trips the guard when either says stop.
local POLL_UNITS = 65536
local unpolled = 0
function guard.charge(units)
  if not armed or tripped or units <= 0 then return end
  used = used + units
  unpolled = unpolled + units
  if used > budget then
    trip(over_budget())
  elseif unpolled >= POLL_UNITS then
    unpolled = 0
    if poll_interrupt() then trip("Interrupted") end
  end
end

-- Mark a host function as trusted: the hook never stops it.
function guard.trust(fn) trusted[fn] = true end

-- Make `require(name)` return a host-provided value (a native module).
function guard.add_native(name, value) natives[name] = value end

-- Why the current message was stopped (nil when it was not).
function guard.tripped() return tripped end

guard.traceback = traceback
guard.raw = raw_lib
guard.protect = raw_pcall
for _, fn in next, guard do trusted[fn] = true end
return guard
