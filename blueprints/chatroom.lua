-- Chatroom blueprint (`.load-blueprint chatroom`): processes Register, then every Broadcast is sent to all
-- members. A member is listed once however often it registers; an optional Nickname tag is remembered
-- and travels with that member's broadcasts (the `chat` blueprint shows it). State survives reloading.

local json = require("json")

Members = Members or {}
Nicknames = Nicknames or {}

local Chatroom = {}

function Chatroom.isMember(id)
  for _, member in ipairs(Members) do
    if member == id then return true end
  end
  return false
end

function Chatroom.register(msg)
  if not Chatroom.isMember(msg.From) then table.insert(Members, msg.From) end
  if type(msg.Nickname) == "string" and msg.Nickname ~= "" then Nicknames[msg.From] = msg.Nickname end
  msg.reply({ Data = "registered" })
end

function Chatroom.unregister(msg)
  for index, member in ipairs(Members) do
    if member == msg.From then
      table.remove(Members, index)
      break
    end
  end
  Nicknames[msg.From] = nil
  msg.reply({ Data = "unregistered" })
end

function Chatroom.broadcast(msg)
  local data = msg.Data
  if type(data) == "table" then data = json.encode(data) end
  for _, recipient in ipairs(Members) do
    local tags = { { name = "Broadcaster", value = msg.From } }
    if Nicknames[msg.From] then tags[2] = { name = "Nickname", value = Nicknames[msg.From] } end
    ao.send({ Target = recipient, Data = data, Tags = tags })
  end
  msg.reply({ Data = "Broadcasted." })
end

local match = Handlers.utils.hasMatchingTag
Handlers.add("register", match("Action", "Register"), Chatroom.register)
Handlers.add("unregister", match("Action", "Unregister"), Chatroom.unregister)
Handlers.add("broadcast", match("Action", "Broadcast"), Chatroom.broadcast)
