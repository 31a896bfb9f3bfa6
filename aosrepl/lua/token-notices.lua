-- What every token of ours answers the same way (the token blueprint and the wAR service):
-- replies that keep X-Reference correlation, and the Debit/Credit notices of a Transfer with the
-- Transfer's X- tags forwarded to both. Amounts are decimal strings; the ledger stays in the caller.

local notices = {}

local GRAY, BLUE, GREEN, RESET = "\27[90m", "\27[34m", "\27[32m", "\27[0m"

-- Answer the sender of msg: msg.reply keeps X-Reference correlation (Send's .receive/onReply).
function notices.answer(msg, reply)
  if msg.reply then return msg.reply(reply) end
  reply.Target = msg.From
  return ao.send(reply)
end

-- The X- tags of msg in sending order (the last duplicate wins, like msg's own fields), minus `skip`.
function notices.forwardedTags(msg, skip)
  local names, values = {}, {}
  for _, tag in ipairs(msg.TagArray or {}) do
    local name = tag.name
    if type(name) == "string" and name:sub(1, 2) == "X-" and not (skip and skip[name]) then
      if values[name] == nil then names[#names + 1] = name end
      values[name] = tag.value
    end
  end
  local tags = {}
  for _, name in ipairs(names) do tags[#tags + 1] = { name = name, value = values[name] } end
  return tags
end

local function append(tags, extra)
  for _, tag in ipairs(extra) do tags[#tags + 1] = tag end
  return tags
end

-- A Transfer-Error (or Mint-Error) answer naming the refused message.
function notices.refuse(msg, action, reason)
  notices.answer(msg, { Tags = {
    { name = "Action", value = action },
    { name = "Message-Id", value = tostring(msg.Id) },
    { name = "Error", value = reason },
  } })
end

-- The two notices of a Transfer that moved `quantity` from msg.From to `recipient` (unless msg.Cast).
function notices.transferred(msg, recipient, quantity)
  if msg.Cast then return end
  -- msg.reply sets X-Reference/X-Origin itself; copying them too would duplicate the tags.
  notices.answer(msg, {
    Data = GRAY .. "You transferred " .. BLUE .. quantity .. GRAY .. " to " .. GREEN .. recipient .. RESET,
    Tags = append({
      { name = "Action", value = "Debit-Notice" },
      { name = "Recipient", value = recipient },
      { name = "Quantity", value = quantity },
    }, notices.forwardedTags(msg, { ["X-Reference"] = true, ["X-Origin"] = true })),
  })
  ao.send({
    Target = recipient,
    Data = GRAY .. "You received " .. BLUE .. quantity .. GRAY .. " from " .. GREEN .. msg.From .. RESET,
    Tags = append({
      { name = "Action", value = "Credit-Notice" },
      { name = "Sender", value = msg.From },
      { name = "Quantity", value = quantity },
    }, notices.forwardedTags(msg)),
  })
end

function notices.minted(msg, quantity)
  notices.answer(msg, { Data = GRAY .. "Successfully minted " .. BLUE .. quantity .. RESET })
end

return notices
