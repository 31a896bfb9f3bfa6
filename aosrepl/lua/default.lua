-- .default: the `_default` handle for messages no handler took: store it in the
-- Inbox and print the one-line "New Message From" notice.
local json = require("json")
local colors = require(".stringify").colors

local function short_id(id)
  if type(id) ~= "string" then return "unknown" end
  return id:sub(1, 3) .. "..." .. id:sub(-3)
end

return function(insertInbox)
  return function(msg)
    insertInbox(msg)
    local txt = colors.gray .. "New Message From " .. colors.green .. short_id(msg.From)
      .. colors.gray .. ": "
    if msg.Action then
      txt = txt .. colors.gray .. "Action = " .. colors.blue .. tostring(msg.Action):sub(1, 20) .. colors.reset
    else
      local data = msg.Data
      if type(data) == "table" then
        local ok, encoded = pcall(json.encode, data)
        data = ok and encoded or tostring(data)
      end
      txt = txt .. colors.gray .. "Data = " .. colors.blue .. tostring(data or ""):sub(1, 20) .. colors.reset
    end
    print(txt)
  end
end
