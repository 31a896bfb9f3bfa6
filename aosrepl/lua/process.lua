-- .process: the per-message pipeline (`handle`) and the globals an aos process offers:
-- Send, Spawn, Assign, Receive, print, Prompt, Version, Inbox, Errors, Colors, ...
local process = { _version = "2.0.0.rc2" }

local stringify = require(".stringify")
local json = require("json")
local base64 = require(".base64")
local chance = require(".chance")
local ao = require(".ao")
require(".assignment")(ao)
local handlers = require(".handlers")
local utils = require(".utils")
local dump = require(".dump")

local colors = stringify.colors
local INBOX_LIMIT = 10000

-- globals ------------------------------------------------------------------------------
_G.ao = ao
package.loaded["ao"] = ao
-- modules aos has loaded once a process is up (`json`, `.base64`, `.pretty` and `.crypto`
-- are required, not globals)
bit32 = require("bit32")
require(".pretty")
require(".crypto.init")
Handlers = handlers
Utils = utils
-- the process entry point, a global in aos
function handle(msg, env) return process.handle(msg, env) end
Dump = dump
Colors = { red = colors.red, green = colors.green, blue = colors.blue, reset = colors.reset, gray = colors.gray }
Bell = "\7"
Errors = Errors or {}
Inbox = Inbox or {}
HANDLER_PRINT_LOGS = HANDLER_PRINT_LOGS or {}

-- Tab(msg): the message's tag array as a name -> value map (the first occurrence wins)
function Tab(msg)
  local inputs = {}
  for _, o in ipairs(msg.Tags or {}) do
    if inputs[o.name] == nil then inputs[o.name] = o.value end
  end
  return inputs
end

local function log(text)
  if type(HANDLER_PRINT_LOGS) ~= "table" then HANDLER_PRINT_LOGS = {} end
  HANDLER_PRINT_LOGS[#HANDLER_PRINT_LOGS + 1] = text
end

-- print looks at its first argument only and collects the text into the message's output
print = function(a)
  local ta = type(a)
  if ta == "table" then
    log(stringify.format(a))
  elseif ta == "boolean" then
    log(colors.blue .. tostring(a) .. colors.reset)
  elseif ta == "nil" then
    log(colors.red .. "nil" .. colors.reset)
  elseif ta == "number" then
    log(colors.green .. tostring(a) .. colors.reset)
  else
    log(tostring(a))
  end
end

local function inbox_count()
  return type(Inbox) == "table" and #Inbox or 0
end

function Prompt()
  return colors.green .. tostring(Name) .. colors.gray .. "@" .. colors.blue .. "aos-" .. process._version
    .. colors.gray .. "[Inbox:" .. colors.red .. tostring(inbox_count()) .. colors.gray .. "]"
    .. colors.reset .. "> "
end

function Version()
  print("version: " .. process._version)
end

-- The Inbox also has a byte limit (the Data of its messages): junk sent to a process must
-- not fill its heap, or no message (not even the owner's Eval) could run any more.
local INBOX_BYTE_LIMIT = 64 * 1024 * 1024
local MESSAGE_OVERHEAD = 512   -- what a message's fields and tags take besides its Data
local inbox_counted, inbox_bytes = nil, 0

local function entry_bytes(m)
  local data = type(m) == "table" and m.Data
  return (type(data) == "string" and #data or 0) + MESSAGE_OVERHEAD
end

-- the Inbox's size, recounted when user code replaced or shrank the table
local function inbox_size()
  if inbox_counted ~= Inbox then
    inbox_bytes = 0
    for i = 1, #Inbox do inbox_bytes = inbox_bytes + entry_bytes(Inbox[i]) end
    inbox_counted = Inbox
  end
  return inbox_bytes
end

local function drop_oldest(n, drop)
  table.move(Inbox, drop + 1, n, 1)
  for i = n - drop + 1, n do Inbox[i] = nil end
end

local function insert_inbox(msg)
  if type(Inbox) ~= "table" then Inbox = {} end
  local size = inbox_size() + entry_bytes(msg)
  local n = #Inbox + 1
  Inbox[n] = msg
  inbox_bytes = size
  if n > INBOX_LIMIT then
    -- drop the oldest entries from the front
    drop_oldest(n, n - INBOX_LIMIT)
    inbox_counted = nil
    n = INBOX_LIMIT
  end
  if size > INBOX_BYTE_LIMIT then
    inbox_counted = nil
    size = inbox_size()    -- exact again (user code may have edited entries)
    local drop = 0
    while size > INBOX_BYTE_LIMIT and drop < n - 1 do
      drop = drop + 1
      size = size - entry_bytes(Inbox[drop])
    end
    if drop > 0 then drop_oldest(n, drop) end
    inbox_counted, inbox_bytes = Inbox, size
  end
end

function Send(msg)
  if msg.Target == nil then
    print("WARN: No target specified for message. Data will be stored, but no process will receive it.")
  end
  local message = ao.send(msg)
  return {
    output = "Message added to outbox",
    receive = message.receive,
    onReply = message.onReply,
  }
end

function Spawn(...)
  local module, msg
  if select("#", ...) == 1 then
    module, msg = ao._module, ...
  else
    module, msg = ...
  end
  msg = msg or {}
  local spawn = ao.spawn(module, msg)
  return {
    output = "Spawn process request added to outbox",
    receive = spawn.receive,
  }
end

function Assign(assignment)
  if not ao.assign then
    print("Assign is not implemented.")
    return "Assign is not implemented."
  end
  ao.assign(assignment)
  print("Assignment added to outbox.")
  return "Assignment added to outbox."
end

function Receive(match)
  return Handlers.receive(match)
end

-- the pipeline ---------------------------------------------------------------------------

-- the first value of a tag, from a tag array
local function tag_value(tags, name)
  for _, o in ipairs(tags or {}) do
    if o.name == name then return o.value end
  end
  return nil
end

-- math.random seed: Block-Height followed by the byte sum of Owner .. Module .. Id
local function seed_for(msg)
  local sum = 0
  local text = tostring(msg.Owner or "") .. tostring(msg.Module or "") .. tostring(msg.Id or "")
  for i = 1, #text do sum = sum + text:byte(i) end
  return tonumber(tostring(msg["Block-Height"] or "") .. tostring(sum)) or sum
end

local function initialize_state(msg, env)
  if not Seeded then
    chance.seed(seed_for(msg))
    math.random = chance.random
    Seeded = true
  end
  if type(Errors) ~= "table" then Errors = {} end
  if type(Inbox) ~= "table" then Inbox = {} end
  local proc_tags = env.Process.TagArray or env.Process.Tags
  if msg.Id ~= nil and msg.Id == env.Process.Id and not Owner then
    Owner = tag_value(msg.Tags, "From-Process") or msg.From
  end
  if not Name then
    Name = tag_value(proc_tags, "Name") or "aos"
  end
end

-- reply / forward, correlated with X-Reference so onReply / receive can match them
local function add_reply_forward(msg)
  msg.reply = function(replyMsg)
    replyMsg.Target = msg["Reply-To"] or replyMsg.Target or msg.From
    replyMsg["X-Reference"] = msg["X-Reference"] or msg.Reference
    replyMsg["X-Origin"] = msg["X-Origin"] or nil
    return ao.send(replyMsg)
  end
  msg.forward = function(target, forwardMsg)
    local newMsg = ao.sanitize(msg)
    for k, v in pairs(forwardMsg or {}) do newMsg[k] = v end
    newMsg.Target = target
    newMsg["Reply-To"] = msg["Reply-To"] or msg.From
    newMsg["X-Reference"] = msg["X-Reference"] or msg.Reference
    newMsg["X-Origin"] = msg["X-Origin"] or msg.From
    for k, v in pairs(newMsg) do
      if type(v) == "function" then newMsg[k] = nil end
    end
    ao.send(newMsg)
  end
end

local eval_handle = require(".eval")(ao)
local function eval_pattern(msg)
  return msg.Action == "Eval" and Owner == msg.From
end
local boot_handle = require(".boot")(ao, insert_inbox, eval_handle)
local function boot_pattern(msg)
  return msg.Id == ao.id
end
local default_handle = require(".default")(insert_inbox)
local function default_pattern() return true end

local function output_text()
  local logs = HANDLER_PRINT_LOGS
  if type(logs) ~= "table" then return "" end
  return table.concat(logs, "\n")
end

local function current_prompt()
  local ok, prompt = pcall(Prompt)
  if ok and type(prompt) == "string" then return prompt end
  return colors.green .. tostring(Name) .. colors.reset .. "> "
end

-- the early-return result of the trust and assignment gates
local function gate_result()
  return ao.result({ Output = { data = output_text(), prompt = current_prompt(), print = true } })
end

local function handler_error_lines(msg, err)
  local action = msg.Action
  if action ~= nil then
    print(colors.red .. "Error" .. colors.gray .. " handling message with Action = " .. tostring(action) .. colors.reset)
  else
    print(colors.red .. "Error" .. colors.gray .. " handling message " .. colors.reset)
  end
  print(colors.green .. tostring(err) .. colors.reset)
  print("\n" .. colors.gray .. process.traceback() .. colors.reset)
end

-- a traceback of the library frames only (the host's frames are not the user's concern)
function process.traceback()
  local tb = debug.traceback()
  local lines = {}
  for line in tb:gmatch("[^\n]+") do
    if line:find('[string "', 1, true) and not line:find('[string "=', 1, true)
      and not line:find("process.traceback", 1, true) and not line:find("handler_error_lines", 1, true) then
      lines[#lines + 1] = line
    elseif #lines == 0 and line == "stack traceback:" then
      lines[1] = line
    end
  end
  return table.concat(lines, "\n")
end

function process.handle(msg, env)
  if env and env.env then env = env.env end
  ao.init(env)
  ao.normalize(msg)
  ao.id = ao.env.Process.Id
  initialize_state(msg, ao.env)
  HANDLER_PRINT_LOGS = {}
  os.time = function() return msg.Timestamp end

  msg.TagArray = msg.Tags
  msg.Tags = Tab(msg)
  local proc = ao.env.Process
  if proc.TagArray == nil then
    proc.TagArray = proc.Tags or {}
    proc.Tags = Tab({ Tags = proc.TagArray })
  end

  if msg.Tags["Content-Type"] == "application/json" then
    local ok, decoded = pcall(json.decode, msg.Data or "{}")
    if ok then msg.Data = decoded end
  end

  ao.clearOutbox()

  -- trust gate
  if msg.From ~= msg.Owner and not ao.isTrusted(msg) then
    print("Message is not trusted! From: " .. tostring(msg.From) .. " - Owner: " .. tostring(msg.Owner))
    return gate_result()
  end

  -- assignment gate
  if ao.isAssignment(msg) and not ao.isAssignable(msg) then
    if msg.From ~= ao.id then
      ao.send({ Target = msg.From, Data = "Assignment is not trusted by this process!" })
    end
    print("Assignment is not trusted! From: " .. tostring(msg.From) .. " - Owner: " .. tostring(msg.Owner))
    return gate_result()
  end

  Handlers.add("_eval", eval_pattern, eval_handle)
  -- re-registered on every message, as aos does: it stays listed (first) and runs only on
  -- the spawn message
  Handlers.once("_boot", boot_pattern, boot_handle)
  Handlers.append("_default", default_pattern, default_handle)

  add_reply_forward(msg)

  local co = coroutine.create(function()
    return pcall(Handlers.evaluate, msg, ao.env)
  end)
  local _, status, result = coroutine.resume(co)
  local live = {}
  for _, c in ipairs(Handlers.coroutines) do
    if coroutine.status(c) ~= "dead" then live[#live + 1] = c end
  end
  if coroutine.status(co) ~= "dead" then live[#live + 1] = co end
  Handlers.coroutines = live

  if not status then
    if type(result) ~= "string" then result = tostring(result) end
    if msg.Action == "Eval" then
      table.insert(Errors, result)
      return { Error = output_text() .. "\n\n" .. colors.red .. "error:\n" .. colors.reset .. result }
    end
    handler_error_lines(msg, result)
    return { Error = output_text() .. "\n\n" .. colors.red .. "error:\n" .. colors.reset .. result }
  end

  if msg.Action == "Eval" then
    local logs = HANDLER_PRINT_LOGS
    return ao.result({
      Output = { data = output_text(), prompt = current_prompt(), test = dump(type(logs) == "table" and logs or {}) },
    })
  end
  return ao.result({ Output = { data = output_text(), prompt = current_prompt(), print = true } })
end

return process
