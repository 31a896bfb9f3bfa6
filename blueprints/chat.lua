-- Chat blueprint (`.load-blueprint chat`): a client for chatroom processes (see the `chatroom` blueprint).
--   Join(room, nickname)  register with a room (a name from Rooms, or the room's process id)
--   Say(text[, room])     broadcast to a room (default: the room joined last)
--   Leave([room])         unregister
--   List()                the rooms this process knows
-- Broadcasts and acknowledgements from known rooms are printed as chat lines instead of filling the Inbox.
-- State (Rooms, CurrentRoom) survives reloading.

Rooms = Rooms or {}
CurrentRoom = CurrentRoom or nil

local GRAY, GREEN, BLUE, RED, RESET = "\27[90m", "\27[32m", "\27[34m", "\27[31m", "\27[0m"

local Chat = {}

local function isProcessId(text)
  return type(text) == "string" and #text == 43 and text:match("^[%w_%-]+$") ~= nil
end

local function shortId(id)
  return id:sub(1, 3) .. "..." .. id:sub(-3)
end

local function sortedNames()
  local names = {}
  for name in pairs(Rooms) do
    if type(name) == "string" then names[#names + 1] = name end
  end
  table.sort(names)
  return names
end

-- What a room is called on screen: its name, or the short form of an id used as a name.
function Chat.label(name)
  if isProcessId(name) then return shortId(name) end
  return name
end

-- The room name for a process id, if this process knows the room.
function Chat.roomOf(id)
  for _, name in ipairs(sortedNames()) do
    if Rooms[name] == id then return name end
  end
  return nil
end

-- room (a name, an id or nil for the current room) -> name, id; or nil, a message for the user.
function Chat.resolve(room)
  room = room or CurrentRoom
  if room == nil then
    return nil, "No room joined yet: use Join(room, nickname) first."
  end
  if type(room) ~= "string" then return nil, "A room is a name from Rooms or a process id." end
  if Rooms[room] then return room, Rooms[room] end
  if isProcessId(room) then return Chat.roomOf(room) or room, room end
  return nil, "Unknown room: " .. room .. ". Add it with Rooms[\"" .. room .. "\"] = \"<process id>\"."
end

function List()
  local names = sortedNames()
  if #names == 0 then return "No known rooms. Join(<room process id>, <nickname>) adds one." end
  local lines = { "Known rooms:" }
  for _, name in ipairs(names) do
    local marker = name == CurrentRoom and " (current)" or ""
    lines[#lines + 1] = "  " .. Chat.label(name) .. ": " .. tostring(Rooms[name]) .. marker
  end
  return table.concat(lines, "\n")
end

function Join(room, nickname)
  local name, id = Chat.resolve(room)
  if not name then return RED .. id .. RESET end
  if nickname ~= nil and type(nickname) ~= "string" then
    return RED .. "A nickname is a string." .. RESET
  end
  Rooms[name] = id
  CurrentRoom = name
  ao.send({ Target = id, Action = "Register", Nickname = nickname })
  return "Registering with " .. Chat.label(name) .. "..."
end

function Say(text, room)
  local name, id = Chat.resolve(room)
  if not name then return RED .. id .. RESET end
  if type(text) ~= "string" and type(text) ~= "number" then
    return RED .. "Nothing to say: Say(text[, room])." .. RESET
  end
  ao.send({ Target = id, Action = "Broadcast", Data = tostring(text) })
  return "Broadcasting to " .. Chat.label(name) .. "..."
end

function Leave(room)
  local name, id = Chat.resolve(room)
  if not name then return RED .. id .. RESET end
  ao.send({ Target = id, Action = "Unregister" })
  if CurrentRoom == name then CurrentRoom = nil end
  return "Leaving " .. Chat.label(name) .. "..."
end

-- Messages from a known room: broadcasts (they carry Broadcaster) and the room's acknowledgements.
function Chat.fromKnownRoom(msg)
  return Chat.roomOf(msg.From) ~= nil and (msg.Broadcaster ~= nil or msg.Action == nil)
end

function Chat.show(msg)
  local room = Chat.label(Chat.roomOf(msg.From))
  local data = type(msg.Data) == "string" and msg.Data or ""
  if msg.Broadcaster then
    local speaker = msg.Nickname or shortId(tostring(msg.Broadcaster))
    print(GRAY .. "[" .. BLUE .. room .. GRAY .. "] " .. GREEN .. speaker .. RESET .. ": " .. data)
  elseif data == "registered" then
    print(GRAY .. "Joined " .. BLUE .. room .. RESET)
  elseif data == "unregistered" then
    print(GRAY .. "Left " .. BLUE .. room .. RESET)
  elseif data ~= "Broadcasted." then
    print(GRAY .. "[" .. BLUE .. room .. GRAY .. "] " .. RESET .. data)
  end
end

Handlers.add("chat", Chat.fromKnownRoom, Chat.show)
