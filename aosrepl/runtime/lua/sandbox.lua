-- sandbox.lua: runs once in a fresh Lua state, before any library or user code.
-- It removes everything that reaches outside the process (files, the OS, native code,
-- bytecode, the debug library), installs the instruction-count hook that enforces the
-- per-message budget and the interrupt flag, and returns a `guard` table the host uses.
-- Arguments: poll_interrupt (a host callable returning true when a stop was requested),
-- lookup_module (a host callable: name -> source, chunkname | nil, reason).
local poll_interrupt, lookup_module = ...

-- Capture what the runtime itself needs before it becomes unreachable.
local sethook = debug.sethook
local traceback = debug.traceback
local getinfo = debug.getinfo
local format = string.format
local raw_load = load
local co_create, co_running = coroutine.create, coroutine.running
local select, error, type, next, setmetatable = select, error, type, next, setmetatable
local pack, unpack, resume, status = table.pack, table.unpack, coroutine.resume, coroutine.status
local natives = {}                -- name -> Lua value provided by the host

local HOOK_EVERY = 10000          -- instructions between hook calls
local budget = math.huge          -- instructions allowed for the current message
local used = 0
local tripped = nil               -- the error text once the message must stop

-- every thread the hook must apply to (weak: dead coroutines are collected)
local threads = setmetatable({}, { __mode = "k" })

-- The host glue and this file are never stopped: they report the stop and reset.
local TRUSTED_SOURCE = { ["=host"] = true, ["=sandbox"] = true }

local function hook()
  if not tripped then
    used = used + HOOK_EVERY
    local reason
    if used > budget then
      reason = "Instruction budget exceeded: the message ran more than "
        .. format("%d", budget) .. " Lua instructions"
    elseif poll_interrupt() then
      reason = "Interrupted"
    end
    if not reason or TRUSTED_SOURCE[getinfo(2, "S").source] then return end
    tripped = reason
    -- From now on every instruction in every thread fails, so user code that
    -- catches the error with pcall cannot keep running.
    for th in next, threads do sethook(th, hook, "", 1) end
    sethook(hook, "", 1)
  end
  if TRUSTED_SOURCE[getinfo(2, "S").source] then return end
  error(tripped, 0)
end

local main = co_running()
threads[main] = true
sethook(hook, "", HOOK_EVERY)

-- Lua 5.3 copies the C hook into new coroutines but not the Lua hook function,
-- so each new coroutine gets the hook explicitly.
local function hooked(co)
  threads[co] = true
  sethook(co, hook, "", tripped and 1 or HOOK_EVERY)
  return co
end
coroutine.create = function(f) return hooked(co_create(f)) end
coroutine.wrap = function(f)
  local co = hooked(co_create(f))
  return function(...)
    local r = pack(resume(co, ...))
    if not r[1] then error(r[2], 2) end
    return unpack(r, 2, r.n)
  end
end

-- Only text chunks: bytecode can break the VM's memory safety.
load = function(...)
  local chunk, chunkname, _, env = ...
  if select("#", ...) >= 4 then
    -- an explicit env (even nil) is passed on as given
    return raw_load(chunk, chunkname, "t", env)
  end
  return raw_load(chunk, chunkname, "t")
end

-- An error raised by the hook leaves hooks disabled while xpcall's message handler
-- runs; once the message is stopped the handler is skipped so it cannot spin forever.
local raw_xpcall = xpcall
xpcall = function(f, handler, ...)
  return raw_xpcall(f, function(e)
    if tripped then return e end
    return handler(e)
  end, ...)
end

-- Finalizers run with hooks disabled, so no budget or interrupt could stop them. The checks
-- Lua's own setmetatable makes are repeated here so its errors read exactly as Lua's do
-- (naming 'setmetatable' and the caller's position, not this wrapper's).
local raw_setmetatable = setmetatable
local true_getmetatable = debug.getmetatable   -- not fooled by a __metatable field
local function typename(n, ...)
  if select("#", ...) < n then return "no value" end
  return type((select(n, ...)))
end
_G.setmetatable = function(...)
  local t, mt = ...
  if type(t) ~= "table" then
    error("bad argument #1 to 'setmetatable' (table expected, got " .. typename(1, ...) .. ")", 2)
  end
  if mt ~= nil and type(mt) ~= "table" then
    error("bad argument #2 to 'setmetatable' (nil or table expected)", 2)
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

-- debug.getinfo as Lua's, with one exception: the `func` of a frame that belongs to the
-- host glue or this file is left out, so process code cannot get hold of those functions.
local function safe_getinfo(...)
  local first = ...
  local info
  if select("#", ...) == 0 then
    error("bad argument #1 to 'getinfo' (function or level expected)", 2)
  elseif math.type(first) == "integer" and first > 0 then
    -- one level deeper: this wrapper is a frame of its own
    info = getinfo(first + 1, select(2, ...))
  else
    info = getinfo(...)
  end
  if type(info) == "table" and info.func ~= nil then
    if TRUSTED_SOURCE[getinfo(info.func, "S").source] then info.func = nil end
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
    local source, chunkname = lookup_module(name)
    if type(source) ~= "string" then
      return "\n\tno library module '" .. name .. "'"
    end
    local fn, err = raw_load(source, chunkname, "t")
    if not fn then error(err, 0) end
    return fn, chunkname
  end,
}

local guard = {}

-- Start a message: a fresh instruction budget; undo a trip from an earlier message.
function guard.arm(instructions)
  budget = instructions or math.huge
  used = 0
  if tripped then
    tripped = nil
    for th in next, threads do
      if status(th) ~= "dead" then sethook(th, hook, "", HOOK_EVERY) end
    end
    sethook(hook, "", HOOK_EVERY)
  end
end

-- Make `require(name)` return a host-provided value (a native module).
function guard.add_native(name, value) natives[name] = value end

-- Why the current message was stopped (nil when it was not).
function guard.tripped() return tripped end

guard.traceback = traceback
return guard
