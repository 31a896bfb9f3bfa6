-- host.lua: the entry point the Python runtime calls for each message.
-- It arms the instruction budget and runs the library's process.handle, turning any
-- error that escapes the library (budget, interrupt, memory) into a plain message.
-- Its functions are registered with the guard as trusted: the hook never stops them.
local guard, crossing = ...   -- crossing.lua: messages in and results out in one call each
local loaded = package.loaded
local tostring, type, rawget, ipairs, pairs = tostring, type, rawget, ipairs, pairs
local pcall = guard.protect   -- the raw pcall: the sandbox's own wrapper is user-stoppable
local MEMORY_ERROR = "not enough memory"
local last_good = nil   -- the last usable .process module (user code may clobber package.loaded)

local function current_process()
  local process = loaded[".process"]
  if type(process) == "table" and type(process.handle) == "function" then
    last_good = process
  end
  return last_good
end

-- The owner's Eval runs with extra heap headroom, so a process whose heap is full can
-- always be repaired (`T = nil`). Decided from the message and the Owner global, as the
-- library's own Eval gate does, so a replay decides the same.
local function memory_mode(msg)
  local owner = rawget(_G, "Owner")
  if owner == nil or msg.From ~= owner then return "user" end
  local tags = msg.Tags
  if type(tags) ~= "table" then return "user" end
  for _, tag in ipairs(tags) do
    if type(tag) == "table" and tag.name == "Action" then
      return tag.value == "Eval" and "repair" or "user"
    end
  end
  return "user"
end

local host = {}

function host.boot(version)
  local process = require(".process")
  process._version = version
  last_good = process
  return process._version
end

-- Returns the result table and, when the message was stopped (budget, interrupt,
-- memory), the reason; nil otherwise. `replay`: the message completed live once.
-- `preset`, `cap`: the heap mode the host already set for this message ("user" or "replay") and its
-- cap in bytes (nil: the host left its own cap in place). When the mode this message needs is the one
-- preset, no call goes back to the host to switch caps: the message runs from start to end without
-- the host (and, on its thread, without Python's lock), unless the heap ends near the cap (disarm).
function host.handle(msg, env, budget, replay, preset, cap)
  local mode = replay and "replay" or memory_mode(msg)
  local switched = mode ~= preset
  guard.arm(budget, msg.Timestamp, switched and mode or nil)
  local ok, result = pcall(current_process().handle, msg, env)
  local stopped = guard.disarm(not switched and cap or nil)
  if not stopped and not ok and result == MEMORY_ERROR then stopped = MEMORY_ERROR end
  if stopped then return { Error = stopped }, stopped end
  if not ok then return { Error = tostring(result) }, nil end
  if type(result) ~= "table" then
    return { Error = "process.handle returned " .. type(result) .. " instead of a result table" }, nil
  end
  return result, nil
end

-- The one-crossing path: a message from flat arguments in; out, the stop reason (as host.handle gives it)
-- and the result: in the flat form when it has the usual shape (crossing.flatten), else as one JSON text.
-- A result that cannot be written out is that message's error.
local unpack, pack = table.unpack, table.pack   -- captured: user code may replace the global `table`
function host.handle_flat(env, budget, replay, preset, cap, ...)
  local result, stopped = host.handle(crossing.inbound(...), env, budget, replay, preset, cap)
  -- a stopped guard stops all untrusted Lua (the library's string functions too) until the next
  -- message: clear it, unbudgeted, so the result can be written out (the stop reason is kept above)
  if stopped then guard.arm(nil) end
  local ok, flat, n = pcall(crossing.flatten, result)
  if ok and flat then return stopped, unpack(flat, 1, n) end
  local text
  ok, text = pcall(crossing.outbound, result)
  if ok then return stopped, text end
  return stopped, crossing.outbound({ Error = tostring(text) })
end

-- Replays: the same, with nothing read back (the result was logged the first time).
function host.replay_flat(env, budget, replay, preset, cap, ...)
  local _, stopped = host.handle(crossing.inbound(...), env, budget, replay, preset, cap)
  return stopped
end

-- Replays in batches: many messages in one call (each as its count of values, then those values), so a
-- replay crosses into the state once per batch, not once per message. Each message is handled as
-- replay_flat handles it (its own budget and clock); nothing is read back.
-- `batch_done` counts the messages of the batch replayed so far: after an error out of the call (memory,
-- while the values are unpacked) the host goes on from there, one message at a time.
local batch_done = 0
function host.replay_batch(env, budget, preset, cap, ...)
  batch_done = 0
  local values = pack(...)
  local total = values.n
  local i = 1
  while i <= total do
    local count = values[i]
    -- protected: a message that cannot be built (memory) is lost alone, as it is in replay_flat
    local ok, msg = pcall(crossing.inbound, unpack(values, i + 1, i + count))
    if ok then host.handle(msg, env, budget, true, preset, cap) end
    batch_done = batch_done + 1
    i = i + count + 1
  end
end

function host.batch_done() return batch_done end

function host.globals() return _G end

for _, fn in pairs(host) do guard.trust(fn) end
guard.trust(current_process)
guard.trust(memory_mode)
for _, fn in ipairs(crossing.functions) do guard.trust(fn) end

return host
