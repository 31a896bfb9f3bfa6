-- Token blueprint (`.load-blueprint token`): the 2024 aos token (Variant 0.0.3), written for aosrepl.
-- Amounts are decimal strings of base units. State is created once: loading the blueprint again
-- replaces the handlers but keeps Balances, TotalSupply and the token's names.

local decimal = require(".decimal")
local json = require("json")
local notices = require(".token-notices")

local GRAY, BLUE, RESET = "\27[90m", "\27[34m", "\27[0m"

Variant = "0.0.3"
Denomination = Denomination or 12
Balances = Balances or { [ao.id] = "10000000000000000" }
TotalSupply = TotalSupply or "10000000000000000"
Name = Name or "Points Coin"
Ticker = Ticker or "PNTS"
Logo = Logo or "SBCCXwwecBlDqRLUjb8dYABExTJXLieawf7m2aBJ-KY"

-- A stored balance as a decimal string (a user may have put plain integers in Balances).
local function balanceOf(account)
  local balance = Balances[account]
  if math.type(balance) == "integer" and balance >= 0 then return tostring(balance) end
  if type(balance) == "string" and balance:match("^%d+$") then return balance end
  return "0"
end

-- The quantity tag as a normalised decimal string; bad values fail with aos's assert texts.
local function requireQuantity(raw, positiveText)
  if math.type(raw) == "integer" then raw = tostring(raw) end
  assert(type(raw) == "string", "Quantity is required!")
  assert(raw:match("^%-?%d+$"), "Quantity must be a whole number!")
  local quantity = raw:sub(1, 1) ~= "-" and decimal.normalize(raw) or "0"
  assert(quantity ~= "0", positiveText)
  return quantity
end

local answer = notices.answer

local Token = {}

function Token.info(msg)
  answer(msg, { Tags = {
    { name = "Name", value = tostring(Name) },
    { name = "Ticker", value = tostring(Ticker) },
    { name = "Logo", value = tostring(Logo) },
    { name = "Denomination", value = tostring(Denomination) },
  } })
end

function Token.balance(msg)
  local account = msg.Tags.Recipient or msg.Tags.Target or msg.From
  local balance = balanceOf(account)
  answer(msg, {
    Data = balance,
    Tags = {
      { name = "Balance", value = balance },
      { name = "Ticker", value = tostring(Ticker) },
      { name = "Account", value = tostring(msg.Tags.Recipient or msg.From) },
    },
  })
end

function Token.balances(msg)
  answer(msg, { Data = json.encode(Balances) })
end

function Token.transfer(msg)
  assert(type(msg.Recipient) == "string", "Recipient is required!")
  local quantity = requireQuantity(msg.Quantity, "Quantity must be greater than 0")
  local available = balanceOf(msg.From)
  if decimal.compare(quantity, available) > 0 then
    notices.refuse(msg, "Transfer-Error", "Insufficient Balance!")
    return
  end

  Balances[msg.From] = decimal.sub(available, quantity)
  Balances[msg.Recipient] = decimal.add(balanceOf(msg.Recipient), quantity)
  notices.transferred(msg, msg.Recipient, quantity)
end

function Token.mint(msg)
  local quantity = requireQuantity(msg.Quantity, "Quantity must be greater than zero!")
  if msg.From ~= ao.id then
    notices.refuse(msg, "Mint-Error", "Only the Process Id can mint new " .. tostring(Ticker) .. " tokens!")
    return
  end
  Balances[msg.From] = decimal.add(balanceOf(msg.From), quantity)
  TotalSupply = decimal.add(TotalSupply, quantity)
  notices.minted(msg, quantity)
end

function Token.totalSupply(msg)
  assert(msg.From ~= ao.id, "Cannot call Total-Supply from the same process!")
  answer(msg, {
    Data = TotalSupply,
    Tags = {
      { name = "Action", value = "Total-Supply" },
      { name = "Ticker", value = tostring(Ticker) },
    },
  })
end

function Token.burn(msg)
  local quantity = requireQuantity(msg.Quantity, "Quantity must be greater than 0")
  local available = balanceOf(msg.From)
  assert(decimal.compare(quantity, available) <= 0,
    "Quantity must be less than or equal to the current balance!")
  Balances[msg.From] = decimal.sub(available, quantity)
  TotalSupply = decimal.sub(TotalSupply, quantity)
  answer(msg, { Data = GRAY .. "Successfully burned " .. BLUE .. quantity .. RESET })
end

local match = Handlers.utils.hasMatchingTag
Handlers.add("info", match("Action", "Info"), Token.info)
Handlers.add("balance", match("Action", "Balance"), Token.balance)
Handlers.add("balances", match("Action", "Balances"), Token.balances)
Handlers.add("transfer", match("Action", "Transfer"), Token.transfer)
Handlers.add("mint", match("Action", "Mint"), Token.mint)
Handlers.add("totalSupply", match("Action", "Total-Supply"), Token.totalSupply)
Handlers.add("burn", match("Action", "Burn"), Token.burn)
