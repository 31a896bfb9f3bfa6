-- .ao: the process's view of the network: identity, env, authorities and the outbox
-- (send / spawn / assign). Reloading keeps the live state of the previous `ao`.
local json = require("json")

local previous = ao or {}

local function new_outbox()
  return { Output = {}, Messages = {}, Spawns = {}, Assignments = {} }
end

local ao = {
  _version = "0.0.6",
  id = previous.id or "",
  _module = previous._module or "",
  authorities = previous.authorities or {},
  reference = previous.reference or 0,
  outbox = previous.outbox or new_outbox(),
  env = previous.env or {},
  assignables = previous.assignables or {},
  Nonce = previous.Nonce,
  nonExtractableTags = {
    "Data-Protocol", "Variant", "From-Process", "From-Module", "Type",
    "From", "Owner", "Anchor", "Target", "Data", "Tags", "Read-Only",
  },
  nonForwardableTags = {
    "Data-Protocol", "Variant", "From-Process", "From-Module", "Type",
    "From", "Owner", "Anchor", "Target", "Tags", "TagArray", "Hash-Chain",
    "Timestamp", "Nonce", "Epoch", "Signature", "Forwarded-By", "Pushed-For",
    "Read-Only", "Cron", "Block-Height", "Reference", "Id", "Reply-To",
  },
}

local function as_set(list)
  local set = {}
  for _, v in ipairs(list) do set[v] = true end
  return set
end
local NON_EXTRACTABLE = as_set(ao.nonExtractableTags)
local NON_FORWARDABLE = as_set(ao.nonForwardableTags)
local NOT_A_TAG = as_set({ "Target", "Data", "Anchor", "Tags", "From" })

-- The tag list of a message/process, whether still an array or already a name->value map.
local function tag_array(holder)
  return holder.TagArray or holder.Tags or {}
end

local function includes(list, value)
  for _, v in ipairs(list) do
    if v == value then return true end
  end
  return false
end

function ao.init(env)
  local proc = env.Process or {}
  if ao.id == "" then ao.id = proc.Id or "" end
  if ao.env ~= env then
    local tags = tag_array(proc)
    for _, o in ipairs(tags) do
      if ao._module == "" and o.name == "Module" then ao._module = o.value end
      if o.name == "Authority" and type(o.value) == "string" then
        for part in o.value:gmatch("[^,]+") do
          local id = part:match("^%s*(.-)%s*$")
          if id ~= "" and not includes(ao.authorities, id) then
            table.insert(ao.authorities, id)
          end
        end
      end
    end
    if ao._module == "" and env.Module and env.Module.Id then ao._module = env.Module.Id end
  end
  ao.outbox = new_outbox()
  ao.env = env
end

-- Copy tags onto the message root (the last duplicate wins).
function ao.normalize(msg)
  for _, o in ipairs(msg.Tags or {}) do
    if not NON_EXTRACTABLE[o.name] then msg[o.name] = o.value end
  end
  return msg
end

function ao.clone(obj, seen)
  if type(obj) ~= "table" then return obj end
  seen = seen or {}
  if seen[obj] then return seen[obj] end
  local copy = {}
  seen[obj] = copy
  for k, v in pairs(obj) do copy[ao.clone(k, seen)] = ao.clone(v, seen) end
  return setmetatable(copy, getmetatable(obj))
end

function ao.sanitize(msg)
  local copy = ao.clone(msg)
  for k in pairs(NON_FORWARDABLE) do copy[k] = nil end
  return copy
end

function ao.isTrusted(msg)
  for _, authority in ipairs(ao.authorities) do
    if msg.From == authority or msg.Owner == authority then return true end
  end
  return false
end

local function sorted_string_keys(t)
  local keys = {}
  for k in pairs(t) do
    if type(k) == "string" then keys[#keys + 1] = k end
  end
  table.sort(keys)
  return keys
end

-- Append the caller's root keys, then the caller's Tags (array or map), to `tags`.
local function append_custom_tags(tags, msg)
  for _, key in ipairs(sorted_string_keys(msg)) do
    local v = msg[key]
    if not NOT_A_TAG[key] and type(v) ~= "function" then
      tags[#tags + 1] = { name = key, value = v }
    end
  end
  local extra = msg.Tags
  if type(extra) == "table" then
    if extra[1] ~= nil then
      for _, o in ipairs(extra) do tags[#tags + 1] = o end
    else
      for _, key in ipairs(sorted_string_keys(extra)) do
        tags[#tags + 1] = { name = key, value = extra[key] }
      end
    end
  end
end

local function anchor_for(reference)
  return string.format("%032d", reference)
end

-- The copy that goes into the outbox: plain data only.
local function outbox_copy(message)
  local copy = {}
  for k, v in pairs(message) do
    if type(v) ~= "function" then copy[k] = v end
  end
  return copy
end

-- Table Data travels as JSON with a Content-Type tag.
local function encode_data(msg)
  if type(msg.Data) == "table" then
    msg.Data = json.encode(msg.Data)
    msg["Content-Type"] = "application/json"
  end
end

function ao.send(msg)
  assert(type(msg) == "table", "msg should be a table")
  encode_data(msg)
  ao.reference = ao.reference + 1
  local reference = tostring(ao.reference)
  local message = {
    Target = msg.Target,
    Data = msg.Data,
    Anchor = anchor_for(ao.reference),
    Tags = {
      { name = "Data-Protocol", value = "ao" },
      { name = "Variant", value = "ao.TN.1" },
      { name = "Type", value = "Message" },
      { name = "Reference", value = reference },
    },
  }
  append_custom_tags(message.Tags, msg)
  table.insert(ao.outbox.Messages, outbox_copy(message))

  -- onReply([from,] handler): run handler once when the correlated reply arrives
  message.onReply = function(...)
    local from, handler = message.Target, ...
    if select("#", ...) >= 2 then from, handler = ... end
    Handlers.once({ From = from, ["X-Reference"] = reference }, handler)
  end
  -- receive([from]): suspend until the correlated reply arrives and return it
  message.receive = function(from)
    return Handlers.receive({ From = from or message.Target, ["X-Reference"] = reference })
  end
  return message
end

function ao.spawn(module, msg)
  assert(type(module) == "string", "Module source id is required!")
  assert(type(msg) == "table", "Message must be a table")
  encode_data(msg)
  ao.reference = ao.reference + 1
  local reference = tostring(ao.reference)
  local spawn = {
    Data = msg.Data or "NODATA",
    Anchor = anchor_for(ao.reference),
    Tags = {
      { name = "Data-Protocol", value = "ao" },
      { name = "Variant", value = "ao.TN.1" },
      { name = "Type", value = "Process" },
      { name = "From-Process", value = ao.id },
      { name = "From-Module", value = ao._module },
      { name = "Module", value = module },
      { name = "Reference", value = reference },
    },
  }
  append_custom_tags(spawn.Tags, msg)
  table.insert(ao.outbox.Spawns, outbox_copy(spawn))

  local spawned = { Action = "Spawned", From = ao.id, Reference = reference }
  spawn.onReply = function(handler) Handlers.once(spawned, handler) end
  spawn.receive = function() return Handlers.receive(spawned) end
  return spawn
end

function ao.assign(assignment)
  assert(type(assignment) == "table", "assignment should be a table")
  assert(type(assignment.Processes) == "table", "Processes should be a table")
  assert(type(assignment.Message) == "string", "Message should be a string")
  table.insert(ao.outbox.Assignments, { Processes = assignment.Processes, Message = assignment.Message })
end

function ao.log(txt)
  if type(ao.outbox.Output) == "string" then
    ao.outbox.Output = { ao.outbox.Output }
  end
  table.insert(ao.outbox.Output, txt)
end

function ao.clearOutbox()
  ao.outbox = new_outbox()
end

function ao.result(result)
  if result.Error or ao.outbox.Error then
    return { Error = result.Error or ao.outbox.Error }
  end
  return {
    Output = result.Output or ao.outbox.Output,
    Messages = ao.outbox.Messages,
    Spawns = ao.outbox.Spawns,
    Assignments = ao.outbox.Assignments,
  }
end

return ao
