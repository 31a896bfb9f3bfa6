-- Voting blueprint (`.load-blueprint voting`, after `token` and `staking`): stake-weighted votes.
--   Vote (Proposal -- or a Target tag --, Side = "yay" | "nay", Deadline = blocks from now, first vote only)
--        adds the voter's staked amount (Stakers[From].amount) to that side; one vote per voter.
-- finalizationHandler runs before every message but Evals (cron ticks included): each proposal whose deadline
-- has been reached is decided, recorded in Proposals, and OnProposalPassed is called if yay > nay.
-- Amounts are decimal strings. State (Votes, Proposals) survives reloading.

local decimal = require(".decimal")

Votes = Votes or {}
Proposals = Proposals or {}
-- What a passed proposal does; replace it with your own function(proposal, tally).
OnProposalPassed = OnProposalPassed or function() print("Handle Vote") end

if type(Stakers) ~= "table" then
  print("The voting blueprint weighs votes by stake: .load-blueprint token, then .load-blueprint staking")
end

local Voting = {}

local function height(msg)
  return math.tointeger(tonumber(msg["Block-Height"])) or 0
end

local function stakeOf(account)
  local staker = type(Stakers) == "table" and Stakers[account]
  local amount = type(staker) == "table" and staker.amount
  if math.type(amount) == "integer" and amount > 0 then return tostring(amount) end
  if type(amount) == "string" and amount:match("^%d+$") then return decimal.normalize(amount) end
  return "0"
end

local function fail(msg, reason)
  msg.reply({ Action = "Vote-Error", Error = reason, ["Message-Id"] = tostring(msg.Id) })
end

function Voting.vote(msg)
  local proposal = msg.Tags.Proposal or msg.Tags.Target
  local side = msg.Side
  if type(proposal) ~= "string" or proposal == "" then return fail(msg, "Proposal is required!") end
  if side ~= "yay" and side ~= "nay" then return fail(msg, "Side must be yay or nay") end
  local weight = stakeOf(msg.From)
  if weight == "0" then return fail(msg, "No staked tokens to vote") end
  local tally = Votes[proposal]
  if not tally then
    local blocks = math.tointeger(tonumber(msg.Deadline or ""))
    if not blocks or blocks < 0 then return fail(msg, "Deadline must be a whole number of blocks") end
    tally = { yay = "0", nay = "0", deadline = height(msg) + blocks, voters = {} }
    Votes[proposal] = tally
  end
  if tally.voters[msg.From] then return fail(msg, "Already voted on " .. proposal) end
  tally.voters[msg.From] = side
  tally[side] = decimal.add(tally[side], weight)
  msg.reply({ Action = "Vote-Notice", Proposal = proposal, Side = side, Weight = weight,
    Data = "Voted " .. side .. " on " .. proposal .. " with " .. weight })
end

-- Decides every proposal whose deadline has come, in name order (deterministic outbox).
function finalizationHandler(msg)
  local now = height(msg)
  local due = {}
  for proposal, tally in pairs(Votes) do
    if type(proposal) == "string" and now >= (tally.deadline or 0) then due[#due + 1] = proposal end
  end
  table.sort(due)
  for _, proposal in ipairs(due) do
    local tally = Votes[proposal]
    local passed = decimal.compare(tally.yay, tally.nay) > 0
    Proposals[proposal] = { yay = tally.yay, nay = tally.nay, passed = passed, decided_at = now }
    Votes[proposal] = nil
    if passed then
      -- a failing user hook must not stop the handlers after this one (it runs before every message)
      local ok, err = pcall(OnProposalPassed, proposal, Proposals[proposal])
      if not ok then print("OnProposalPassed failed for " .. proposal .. ": " .. tostring(err)) end
    end
  end
end

-- First in line for every message but the owner's Evals (reading state must not change it).
local function everyMessage(msg)
  if msg.Action == "Eval" then return "skip" end
  return "continue"
end

Handlers.prepend("voting.finalize", everyMessage, finalizationHandler)
Handlers.add("voting.vote", Handlers.utils.hasMatchingTag("Action", "Vote"), Voting.vote)
