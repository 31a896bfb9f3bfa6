-- The `llama` module of a worker process: aos-llama's API (load, setPrompt, next, run, add, stop, info,
-- logLevel/onLog/onProgress) plus the later AO-Llama calls (setTemp, setSeed, saveState, loadState, embed),
-- over `core`, the Python functions of this worker's engine. Python never raises into Lua: a failed call
-- leaves its message in core.take_error(), which is raised here as a plain Lua error (no position prefix,
-- so users and the herder see the message itself).
local core = ...

local Llama = {
  _version = "0.0.1",
  logLevel = 2,          -- 2 error, 3 warning, 4 info, 5 debug (workers use 4)
  logToStderr = false,
}

local function flush_logs()
  local lines = core.take_logs()
  if type(lines) ~= "table" then return end
  for i = 1, #lines do
    local level, text = string.match(lines[i], "^(%d+)\t(.*)$")
    Llama.log(tonumber(level) or 4, text or lines[i])
  end
end

local function call(fn, ...)
  local value = fn(...)
  local err = core.take_error()
  flush_logs()
  if err ~= nil then error(err, 0) end
  return value
end

function Llama.log(level, text)
  if type(level) == "number" and level <= (tonumber(Llama.logLevel) or 2) then
    Llama.onLog(level, text)
  end
end

-- Users replace these hooks; by default logs only go to the host's stderr when asked.
function Llama.onLog(level, text)
  if Llama.logToStderr then core.stderr("[llama " .. tostring(level) .. "] " .. tostring(text)) end
end

function Llama.onProgress() end

function Llama.info()
  return call(core.info)
end

function Llama.load(id)
  local path = call(core.load, id)
  Llama.onProgress()
  return path
end

function Llama.setPrompt(text)
  call(core.set_prompt, text)
end

function Llama.add(text)
  call(core.add, text)
end

function Llama.next()
  return call(core.next)
end

function Llama.run(count)
  return call(core.run, count)
end

function Llama.stop()
  call(core.stop)
end

function Llama.setTemp(temp)
  call(core.set_temp, temp)
end

function Llama.setSeed(seed)
  call(core.set_seed, seed)
end

function Llama.saveState()
  return call(core.save_state)
end

function Llama.loadState(handle)
  call(core.load_state, handle)
end

function Llama.embed(text)
  return call(core.embed, text)
end

return Llama
