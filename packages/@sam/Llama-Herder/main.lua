-- @sam/Llama-Herder 1.0.3: the client of the Llama herder (wh5v...Crw), which runs language-model
-- inference for whoever pays it in wrapped AR (xU9z...h10).
--
--   Llama = require("@sam/Llama-Herder")
--   Llama.run("What is the meaning of life?", 20, function(text) print(text) end)
--
-- Protocol: `Info` -> `Info-Response` (tags Base-Fee, Token-Fee, Last-Multiplier, Queue-Length).
-- A request is a wAR `Transfer` to the herder carrying X-Prompt, X-Tokens and X-Reference; the herder
-- answers `Inference-Response` (X-Reference, Data = generated text) or `Inference-Error` (X-Reference,
-- Error) and refunds a failed request with a wAR Transfer.
--
-- The returned table holds only the documented fields and functions; bookkeeping lives in locals.

local M = {
  herder = "wh5vB2IbqmIBUqgodOaTvByNFDPr73gbUq1bVOUtCrw",
  token = "xU9zFkq3X2ZQ6olwNVvr1vUWIjc3kXTWr7xKQD6dh10",
  feeBase = 0,
  feeToken = 0,
  lastMultiplier = 0,
  queueLength = 0,
  feeBump = 1.005,           -- paid on top when the herder's queue is not empty
  inferenceCallbacks = {},   -- X-Reference (number) -> function(generated_text)
  printResponses = true,     -- print responses that have no callback
  Reference = 0,             -- the last request's X-Reference
}

local pricesKnown = false
local priceWaiters = {}      -- functions to call when the next Info-Response arrives

local function words(text)
  local n = 0
  for _ in tostring(text):gmatch("%w+") do n = n + 1 end
  return n
end

local function from_herder(msg)
  return msg.From == M.herder
end

-- Asks the herder for its prices; `callback` (optional) runs once they have arrived.
function M.getPrices(callback)
  if callback then priceWaiters[#priceWaiters + 1] = callback end
  Send({ Target = M.herder, Action = "Info" })
end

-- The fee for a prompt and a number of tokens to generate, before any multiplier (nil if prices unknown).
function M.calculateFee(prompt, tokens)
  if not pricesKnown then
    print("LlamaHerder: No base fee found. Get prices before calculating.")
    return nil
  end
  return M.feeBase + M.feeToken * (words(prompt) + (tonumber(tokens) or 0))
end

-- Runs `prompt`, generating `tokens` tokens; `callback(generated_text)` gets the answer.
-- `opts.Fee` pays exactly that fee; `opts.Multiplier` multiplies the computed one.
function M.run(prompt, tokens, callback, opts)
  assert(type(prompt) == "string", "LlamaHerder: the prompt must be a string")
  tokens = math.tointeger(tonumber(tokens))
  assert(tokens and tokens > 0, "LlamaHerder: the number of tokens must be a positive integer")
  assert(callback == nil or type(callback) == "function", "LlamaHerder: the callback must be a function")
  if not pricesKnown and not (opts and opts.Fee) then
    M.getPrices(function() M.run(prompt, tokens, callback, opts) end)
    return
  end
  local fee
  if opts and opts.Fee then
    fee = tonumber(opts.Fee)
  else
    fee = M.calculateFee(prompt, tokens) * math.max(M.lastMultiplier, 1)
    if M.queueLength > 0 then fee = fee * M.feeBump end
    if opts and opts.Multiplier then fee = fee * tonumber(opts.Multiplier) end
  end
  fee = math.ceil(fee)
  M.Reference = M.Reference + 1
  if callback then M.inferenceCallbacks[M.Reference] = callback end
  Send({
    Target = M.token,
    Tags = {
      { name = "Action", value = "Transfer" },
      { name = "Recipient", value = M.herder },
      { name = "Quantity", value = tostring(fee) },
      { name = "X-Prompt", value = prompt },
      { name = "X-Tokens", value = tostring(tokens) },
      { name = "X-Reference", value = tostring(M.Reference) },
    },
  })
end

local function on_info(msg)
  print("LlamaHerder: Handling new price info...")
  M.feeBase = tonumber(msg["Base-Fee"]) or M.feeBase
  M.feeToken = tonumber(msg["Token-Fee"]) or M.feeToken
  M.lastMultiplier = tonumber(msg["Last-Multiplier"]) or M.lastMultiplier
  M.queueLength = tonumber(msg["Queue-Length"]) or M.queueLength
  pricesKnown = true
  local waiting = priceWaiters
  priceWaiters = {}
  for _, fn in ipairs(waiting) do fn() end
end

local function on_response(msg)
  local ref = tonumber(msg["X-Reference"])
  local callback = ref and M.inferenceCallbacks[ref]
  if callback then
    M.inferenceCallbacks[ref] = nil
    callback(msg.Data)
  elseif M.printResponses then
    print("LlamaHerder response: " .. tostring(msg.Data))
  end
end

local function on_error(msg)
  local ref = tonumber(msg["X-Reference"])
  if ref then M.inferenceCallbacks[ref] = nil end
  print("LlamaHerder error: " .. tostring(msg.Error or msg.Data))
end

local function herder_action(action)
  return function(msg) return from_herder(msg) and msg.Action == action end
end

Handlers.add("LlamaHerder.Info-Response", herder_action("Info-Response"), on_info)
Handlers.add("LlamaHerder.Inference-Response", herder_action("Inference-Response"), on_response)
Handlers.add("LlamaHerder.Inference-Error", herder_action("Inference-Error"), on_error)

return M
