-- host.lua: the entry point the Python runtime calls for each message.
-- It arms the instruction budget and runs the library's process.handle, turning any
-- error that escapes the library (budget, interrupt, memory) into a plain message.
local guard, crossing = ...
local loaded = package.loaded
local pcall, tostring, type = pcall, tostring, type
local last_good = nil   -- the last usable .process module (user code may clobber package.loaded)

local function current_process()
  local process = loaded[".process"]
  if type(process) == "table" and type(process.handle) == "function" then
    last_good = process
  end
  return last_good
end

local host = {}

function host.boot(version)
  local process = require(".process")
  process._version = version
  last_good = process
  return process._version
end

function host.handle(msg, env, budget)
  guard.arm(budget)
  local ok, result = pcall(current_process().handle, msg, env)
  local stopped = guard.tripped()
  guard.arm(nil)
  if stopped then return { Error = stopped } end
  if not ok then return { Error = tostring(result) } end
  if type(result) ~= "table" then
    return { Error = "process.handle returned " .. type(result) .. " instead of a result table" }
  end
  return result
end

-- The one-crossing path: a message from flat arguments in, its result as one JSON text out.
function host.handle_flat(env, budget, ...)
  local result = host.handle(crossing.inbound(...), env, budget)
  local ok, text = pcall(crossing.outbound, result)
  if ok then return text end
  return crossing.outbound({ Error = tostring(text) })
end

-- Replays: the same, with nothing read back (the result was logged the first time).
function host.replay_flat(env, budget, ...)
  host.handle(crossing.inbound(...), env, budget)
end

function host.globals() return _G end

return host
