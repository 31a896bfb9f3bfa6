-- Staking blueprint (`.load-blueprint staking`, after `token`): stake tokens from Balances, unstake them
-- after a delay counted in blocks.
--   Stake    (Quantity, UnstakeDelay)  moves Quantity from Balances into Stakers[From]
--   Unstake  (Quantity)                moves it from Stakers into Unstaking, released at the stake's unstake_at
--   Finalize                           releases every matured unstake back to Balances (this also
--                                      happens before every other message but Evals: cron ticks too)
-- Amounts are decimal strings like the token's. Bad requests are answered with Stake-Error /
-- Unstake-Error and change nothing. State (Stakers, Unstaking) survives reloading.

local decimal = require(".decimal")

Stakers = Stakers or {}
Unstaking = Unstaking or {}
-- Balances belongs to the token blueprint: creating it here would stop a later `token` load from
-- minting its supply, so only point the user at it.
if type(Balances) ~= "table" then
  print("The staking blueprint stakes the token blueprint's Balances: .load-blueprint token")
end

local function ledger()
  if type(Balances) ~= "table" then Balances = {} end
  return Balances
end

local Staking = {}

local function amountOf(value)
  if math.type(value) == "integer" and value >= 0 then return tostring(value) end
  if type(value) == "string" and value:match("^%d+$") then return decimal.normalize(value) end
  return "0"
end

local function wholeNumber(raw)
  if math.type(raw) == "integer" then raw = tostring(raw) end
  if type(raw) ~= "string" or not raw:match("^%d+$") then return nil end
  return decimal.normalize(raw)
end

local function height(msg)
  return math.tointeger(tonumber(msg["Block-Height"])) or 0
end

local function fail(msg, action, reason)
  msg.reply({ Action = action, Error = reason, ["Message-Id"] = tostring(msg.Id) })
end

function Staking.stake(msg)
  local quantity = wholeNumber(msg.Quantity)
  if not quantity or quantity == "0" then
    return fail(msg, "Stake-Error", "Quantity must be greater than 0")
  end
  local delay = math.tointeger(tonumber(msg.UnstakeDelay or "0"))
  if not delay or delay < 0 then
    return fail(msg, "Stake-Error", "UnstakeDelay must be a whole number of blocks")
  end
  local balance = amountOf(ledger()[msg.From])
  if decimal.compare(balance, quantity) < 0 then
    return fail(msg, "Stake-Error", "Insufficient balance to stake")
  end
  ledger()[msg.From] = decimal.sub(balance, quantity)
  local staker = Stakers[msg.From] or { amount = "0" }
  staker.amount = decimal.add(amountOf(staker.amount), quantity)
  staker.unstake_at = height(msg) + delay
  Stakers[msg.From] = staker
  msg.reply({ Action = "Stake-Notice", Quantity = quantity, ["Unstake-At"] = tostring(staker.unstake_at),
    Data = "Successfully staked " .. quantity })
end

function Staking.unstake(msg)
  local quantity = wholeNumber(msg.Quantity)
  if not quantity or quantity == "0" then
    return fail(msg, "Unstake-Error", "Quantity must be greater than 0")
  end
  local staker = Stakers[msg.From]
  local staked = staker and amountOf(staker.amount) or "0"
  if decimal.compare(staked, quantity) < 0 then
    return fail(msg, "Unstake-Error", "Insufficient staked amount")
  end
  staker.amount = decimal.sub(staked, quantity)
  local pending = Unstaking[msg.From] or { amount = "0", release_at = 0 }
  pending.amount = decimal.add(amountOf(pending.amount), quantity)
  pending.release_at = math.max(pending.release_at or 0, staker.unstake_at or 0)
  Unstaking[msg.From] = pending
  msg.reply({ Action = "Unstake-Notice", Quantity = quantity, ["Release-At"] = tostring(pending.release_at),
    Data = "Unstaking " .. quantity .. " at block " .. pending.release_at })
end

-- Releases matured unstakes (in account order, so replays give the same outbox); returns how many.
function Staking.finalize(msg)
  local now = height(msg)
  local accounts = {}
  for account, pending in pairs(Unstaking) do
    if type(account) == "string" and (pending.release_at or 0) <= now then accounts[#accounts + 1] = account end
  end
  table.sort(accounts)
  for _, account in ipairs(accounts) do
    local amount = amountOf(Unstaking[account].amount)
    ledger()[account] = decimal.add(amountOf(ledger()[account]), amount)
    Unstaking[account] = nil
    if account ~= ao.id then
      ao.send({ Target = account, Action = "Unstake-Finalized", Quantity = amount,
        Data = "Released " .. amount .. " from staking" })
    end
  end
  if msg.Action == "Finalize" then msg.reply({ Data = "Finalized " .. #accounts .. " unstake(s)" }) end
  return #accounts
end

-- Finalization comes first and runs for every message but the owner's Evals (reading state at the
-- console must not change it); only an explicit Finalize stops there.
local function finalizePattern(msg)
  if msg.Action == "Finalize" then return "break" end
  if msg.Action == "Eval" then return "skip" end
  return "continue"
end

local match = Handlers.utils.hasMatchingTag
Handlers.prepend("staking.finalize", finalizePattern, Staking.finalize)
Handlers.add("staking.stake", match("Action", "Stake"), Staking.stake)
Handlers.add("staking.unstake", match("Action", "Unstake"), Staking.unstake)
