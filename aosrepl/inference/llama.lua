-- The `llama` module of a worker process: aos-llama's API (load, setPrompt, next, run, add, stop, info,
-- logLevel/logLevels/log/onLog/onProgress) plus the later AO-Llama calls (setTemp, setSeed, saveState, loadState, embed),
-- over `core`, the Python functions of this worker's engine. Python never raises into Lua: a failed call
-- leaves its message in core.take_error(), which is raised here as a plain Lua error (no position prefix,
-- so users and the herder see the message itself).
local core = ...

local Llama = {
  _version = "0.0.1",
  logLevel = 5,          -- messages at or below this level reach Llama.onLog (2 error ... 5 debug)
  logToStderr = false,   -- aos-llama writes them to stderr too; here stderr is the console's terminal
  logLevels = { [2] = "error", [3] = "warn", [4] = "info", [5] = "debug" },
  log = {},              -- level name -> the messages logged at that level, oldest first
}

local LOG_KEEP = 1000    -- messages kept per level: a long-lived worker must not grow without end

local function flush_logs()
  local lines = core.take_logs()
  if type(lines) ~= "table" then return end
  for i = 1, #lines do
    local level, text = string.match(lines[i], "^(%d+)\t(.*)$")
    level = tonumber(level) or 4
    if level <= (tonumber(Llama.logLevel) or 5) then
      Llama.onLog(level, text or lines[i])
    end
  end
end

local function call(fn, ...)
  local value = fn(...)
  local err = core.take_error()
  flush_logs()
  if err ~= nil then error(err, 0) end
  return value
end

-- The default hook keeps each message in Llama.log[<level name>]; users may replace it.
function Llama.onLog(level, text)
  local name = Llama.logLevels[level] or tostring(level)
  if Llama.logToStderr then core.stderr(name .. ": " .. tostring(text)) end
  if type(Llama.log) ~= "table" then Llama.log = {} end
  local list = Llama.log[name]
  if type(list) ~= "table" then
    list = {}
    Llama.log[name] = list
  end
  list[#list + 1] = tostring(text)
  if #list > LOG_KEEP then table.remove(list, 1) end
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

-- One more token's text; nil once the generation has been ended (stop(), a full context). When the model
-- itself ended its answer, "" (so loops that concatenate a fixed number of next() calls keep working).
function Llama.next()
  local piece = call(core.next)
  if piece == "" and core.finished() then return nil end
  return piece
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
