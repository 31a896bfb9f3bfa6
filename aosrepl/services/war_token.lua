-- Wrapped AR (wAR): the local network's payment token, process xU9zFkq3X2ZQ6olwNVvr1vUWIjc3kXTWr7xKQD6dh10.
-- Genesis evaluates this file as an Eval from the process owner, then calls GenesisMint to fund the wallet.
-- Amounts are decimal strings of base units (12 decimals): the supply does not fit a 64-bit integer.
-- Unlike the aos token blueprint, every bad request is answered (Transfer-Error / Mint-Error), never a
-- handler error, because other processes (the herder, Llama clients) pay through this token.

local decimal = require(".decimal")
local json = require("json")
local notices = require(".token-notices")

-- Constants of the token; state (Balances, TotalSupply) is created once and kept on reload.
Name = "Wrapped AR"
Ticker = "wAR"
Denomination = 12
Balances = Balances or {}
TotalSupply = TotalSupply or "0"

local War = {}

-- A quantity as a normalised decimal string, or nil and the reason it is refused.
function War.parseQuantity(raw)
  if math.type(raw) == "integer" then raw = tostring(raw) end
  if raw == nil or raw == "" then return nil, "Quantity is required!" end
  if type(raw) ~= "string" or not raw:match("^%d+$") then
    return nil, "Quantity must be a whole number of base units!"
  end
  local quantity = decimal.normalize(raw)
  if quantity == "0" then return nil, "Quantity must be greater than 0" end
  return quantity
end

-- Arweave-style ids (43 base64url characters) and Ethereum-style 0x addresses: a Transfer to anything
-- else could never be spent again, so it is refused.
function War.isAddress(text)
  if type(text) ~= "string" then return false end
  if #text == 43 and text:match("^[%w_%-]+$") then return true end
  return #text == 42 and text:match("^0x%x+$") ~= nil
end

function War.balanceOf(account)
  return Balances[account] or "0"
end

local answer, refuse = notices.answer, notices.refuse

local function transferError(msg, reason)
  refuse(msg, "Transfer-Error", reason)
end

function War.info(msg)
  answer(msg, { Tags = {
    { name = "Name", value = Name },
    { name = "Ticker", value = Ticker },
    { name = "Denomination", value = tostring(Denomination) },
  } })
end

function War.balance(msg)
  local account = msg.Tags.Recipient or msg.Tags.Target or msg.From
  local balance = War.balanceOf(account)
  answer(msg, {
    Data = balance,
    Tags = {
      { name = "Action", value = "Balance-Notice" },
      { name = "Balance", value = balance },
      { name = "Ticker", value = Ticker },
      { name = "Account", value = tostring(account) },
    },
  })
end

function War.balances(msg)
  answer(msg, { Data = json.encode(Balances) })
end

function War.transfer(msg)
  local recipient = msg.Recipient
  if type(recipient) ~= "string" or recipient == "" then
    return transferError(msg, "Recipient is required!")
  end
  if not War.isAddress(recipient) then
    return transferError(msg, "Recipient must be a process id or a wallet address!")
  end
  local quantity, problem = War.parseQuantity(msg.Quantity)
  if not quantity then return transferError(msg, problem) end
  local available = War.balanceOf(msg.From)
  if decimal.compare(quantity, available) > 0 then
    return transferError(msg, "Insufficient Balance!")
  end

  Balances[msg.From] = decimal.sub(available, quantity)
  Balances[recipient] = decimal.add(War.balanceOf(recipient), quantity)
  notices.transferred(msg, recipient, quantity)
end

-- Adds newly created units to an account (Mint and genesis funding share it).
function War.credit(account, quantity)
  Balances[account] = decimal.add(War.balanceOf(account), quantity)
  TotalSupply = decimal.add(TotalSupply, quantity)
end

local function mintError(msg, reason)
  refuse(msg, "Mint-Error", reason)
end

function War.mint(msg)
  if msg.From ~= ao.id and msg.From ~= Owner then
    return mintError(msg, "Only the Process Id can mint new " .. Ticker .. " tokens!")
  end
  local quantity, problem = War.parseQuantity(msg.Quantity)
  if not quantity then return mintError(msg, problem) end
  War.credit(msg.From, quantity)
  notices.minted(msg, quantity)
end

function War.totalSupply(msg)
  -- Answering ourselves would match this handler again, forever.
  if msg.From == ao.id then return end
  answer(msg, {
    Data = TotalSupply,
    Tags = {
      { name = "Action", value = "Total-Supply" },
      { name = "Ticker", value = Ticker },
    },
  })
end

-- Genesis funding: only code evaluated by the owner can reach this global.
function GenesisMint(account, quantity)
  local amount, problem = War.parseQuantity(quantity)
  assert(type(account) == "string" and account ~= "", "GenesisMint: account is required")
  assert(amount, problem)
  War.credit(account, amount)
end

local match = Handlers.utils.hasMatchingTag
Handlers.add("info", match("Action", "Info"), War.info)
Handlers.add("balance", match("Action", "Balance"), War.balance)
Handlers.add("balances", match("Action", "Balances"), War.balances)
Handlers.add("transfer", match("Action", "Transfer"), War.transfer)
Handlers.add("mint", match("Action", "Mint"), War.mint)
Handlers.add("totalSupply", match("Action", "Total-Supply"), War.totalSupply)
