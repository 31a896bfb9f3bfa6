-- The Llama herder: takes paid inference requests and spreads them over its worker processes.
--
-- Protocol (Llama-Herder 0.2): a client pays with a wAR Transfer to the herder carrying X-Prompt,
-- X-Tokens and X-Reference; wAR tells us with a Credit-Notice (Sender = the client). The fee needed is
-- SetPromptFee + (words in the prompt + tokens) * FeePerToken; paying more buys a higher place in the
-- queue (multiplier = paid / needed). The answer goes back to the client as Inference-Response with its
-- X-Reference. If anything fails, a request refused on arrival included (no prompt, a bad token count,
-- too small a fee), the client gets Inference-Error (Error = the reason) and its payment back (a wAR
-- Transfer with X-Reason). Workers are registered by RegisterWorkers at a network start (unless this herder
-- has received nothing since it registered the same workers).

WrappedAR = WrappedAR or "xU9zFkq3X2ZQ6olwNVvr1vUWIjc3kXTWr7xKQD6dh10"
SetPromptFee = SetPromptFee or 1
FeePerToken = FeePerToken or 1
MaxTokens = MaxTokens or 2048
LastMultiplier = LastMultiplier or 1
Herd = Herd or {}          -- worker ids, in registration order (dispatch order)
Busy = Busy or {}          -- worker id -> job it is working on
Queue = Queue or {}        -- waiting jobs, highest multiplier first, first come first served within one
JobCount = JobCount or 0
WorkerTimeout = WorkerTimeout or 10 * 60 * 1000   -- ms a worker may hold a job before it is failed

local HerderName = "Llama-Herder"
local HerderVersion = "0.2"

local function short(id)
  return string.sub(tostring(id or "?"), 1, 6)
end

local function stamp(kind)
  return Colors.gray .. "[" .. tostring(os.time()) .. ":" .. kind .. "]" .. Colors.reset .. " "
end

local function log_request(job)
  print(stamp("REQ") .. "Requested: " .. Colors.blue .. job.tokens .. Colors.reset
    .. " | Fee: " .. Colors.green .. string.format("%.1f", job.multiplier) .. "x" .. Colors.reset
    .. " | In queue: " .. #Queue .. " | Client: " .. short(job.client)
    .. " | Client ref: " .. tostring(job.reference))
end

local function count_words(text)
  local n = 0
  for _ in string.gmatch(text, "%w+") do n = n + 1 end
  return n
end

function FeeNeeded(prompt, tokens)
  return SetPromptFee + (count_words(prompt) + tokens) * FeePerToken
end

local function queue_job(job)
  -- Insert after every job that pays at least as much (stable: equal multipliers keep their order).
  local at = #Queue + 1
  for i, other in ipairs(Queue) do
    if other.multiplier < job.multiplier or
       (other.multiplier == job.multiplier and other.seq > job.seq) then
      at = i
      break
    end
  end
  table.insert(Queue, at, job)
end

-- Messages are built with a Tags array so their tag order never depends on Lua's `pairs`.
local function send(target, tags, data)
  local list = {}
  for i = 1, #tags, 2 do
    if tags[i + 1] ~= nil then list[#list + 1] = { name = tags[i], value = tostring(tags[i + 1]) } end
  end
  ao.send({ Target = target, Data = data, Tags = list })
end

-- Pay a client back through wAR; the X- tags reach the client on its Credit-Notice.
local function refund(client, quantity, reason, reference, needed)
  send(WrappedAR, { "Action", "Transfer", "Recipient", client, "Quantity", quantity,
                    "X-Reason", reason, "X-Reference", reference, "X-Needed", needed })
end

-- Every request that will not be answered gets both: an Inference-Error the client shows (or hands to
-- its error path), and its payment back.
local function refuse(client, quantity, reason, reference, needed)
  send(client, { "Action", "Inference-Error", "X-Reference", reference, "Error", reason })
  refund(client, quantity, reason, reference, needed)
end

local function fail_job(job, reason)
  print(stamp("ERR") .. Colors.red .. "Inference failed for client " .. short(job.client)
    .. " (ref " .. tostring(job.reference) .. "): " .. reason .. Colors.reset)
  refuse(job.client, job.paid, reason, job.reference)
end

-- A worker that has held a job too long (it crashed, or was stuck): fail the job (refund) and keep the
-- worker out of work until it answers. Checked on every message the herder gets, by message time.
local function expire_stuck_jobs(now)
  if type(now) ~= "number" then return end
  for _, worker in ipairs(Herd) do
    local job = Busy[worker]
    if job and not job.stuck and job.dispatched and now - job.dispatched > WorkerTimeout then
      fail_job(job, "worker " .. short(worker) .. " timed out")
      Busy[worker] = { stuck = true }
    end
  end
end

function DispatchWork()
  for _, worker in ipairs(Herd) do
    if #Queue == 0 then return end
    if not Busy[worker] then
      local job = table.remove(Queue, 1)
      job.dispatched = os.time()
      Busy[worker] = job
      LastMultiplier = job.multiplier
      print(Colors.blue .. "[DISPATCHING WORK ]" .. Colors.reset .. " Worker: " .. short(worker)
        .. " | Client: " .. short(job.client) .. " | Client ref: " .. tostring(job.reference)
        .. " | Tokens: " .. job.tokens .. " | Queue: " .. #Queue)
      send(worker, { "Action", "Inference", "Tokens", job.tokens }, job.prompt)
    end
  end
end

-- Genesis calls this at a start with the freshly spawned workers (skipped when nothing reached this herder
-- since it registered the same workers): the old ones are gone, so their jobs go back to the queue (in their
-- old places) and are handed to the new herd.
function RegisterWorkers(workers)
  assert(type(workers) == "table", "RegisterWorkers expects a list of worker process ids")
  for _, id in ipairs(workers) do
    assert(type(id) == "string" and #id > 0, "RegisterWorkers expects a list of worker process ids")
  end
  local requeued = 0
  for _, worker in ipairs(Herd) do
    local job = Busy[worker]
    if job and not job.stuck then
      job.dispatched = nil
      queue_job(job)
      requeued = requeued + 1
    end
  end
  Herd = {}
  for i, id in ipairs(workers) do Herd[i] = id end
  Busy = {}
  DispatchWork()
  return "Registered " .. #Herd .. " workers" .. (requeued > 0 and (", re-queued " .. requeued .. " jobs") or "")
end

local function is_payment(msg)
  return msg.Action == "Credit-Notice" and msg.From == WrappedAR
end

Handlers.prepend("Expire-Stuck-Jobs", function() return "continue" end, function(msg)
  expire_stuck_jobs(tonumber(msg.Timestamp))
end)

Handlers.add("Start-Inference", is_payment, function(msg)
  local client = msg.Sender
  local quantity = msg.Quantity
  local paid = tonumber(quantity)
  local reference = msg["X-Reference"]
  if type(client) ~= "string" or not paid or paid <= 0 then
    print(stamp("ERR") .. "Credit-Notice without a valid Sender/Quantity ignored.")
    return
  end
  local prompt = msg["X-Prompt"]
  local tokens = math.tointeger(tonumber(msg["X-Tokens"] or ""))
  if type(prompt) ~= "string" or prompt == "" then
    print(stamp("INFO") .. "Client: " .. short(client) .. " sent wAR without X-Prompt: refunded.")
    return refuse(client, quantity, "No X-Prompt given", reference)
  end
  if not tokens or tokens < 1 or tokens > MaxTokens then
    print(stamp("INFO") .. "Client: " .. short(client) .. " asked for an invalid X-Tokens: refunded.")
    return refuse(client, quantity, "X-Tokens must be a whole number from 1 to " .. MaxTokens, reference)
  end
  local needed = FeeNeeded(prompt, tokens)
  local multiplier = paid / needed
  if multiplier < 1 then
    print(stamp("INFO") .. "Client: " .. short(client) .. " paid " .. quantity .. ", needed "
      .. needed .. ": refunded.")
    return refuse(client, quantity, "Insufficient payment", reference, needed)
  end
  JobCount = JobCount + 1
  local job = { seq = JobCount, client = client, reference = reference, prompt = prompt, tokens = tokens,
                paid = quantity, multiplier = multiplier, requested = os.time() }
  queue_job(job)
  log_request(job)
  DispatchWork()
end)

local function worker_of(msg)
  for _, worker in ipairs(Herd) do
    if worker == msg.From then return worker end
  end
end

local function finish(msg, on_job)
  local worker = worker_of(msg)
  local job = worker and Busy[worker]
  if not job then
    print(stamp("ERR") .. Colors.red .. msg.Action .. " not from worker." .. Colors.reset)
    return
  end
  Busy[worker] = nil
  if job.stuck then
    print(stamp("ERR") .. Colors.red .. "Late " .. msg.Action .. " from " .. short(worker)
      .. " dropped (its job was already failed)." .. Colors.reset)
  else
    on_job(job)
  end
  DispatchWork()
end

Handlers.add("Inference-Response",
  function(msg) return msg.Action == "Inference-Response" end,
  function(msg)
    finish(msg, function(job)
      local seconds = math.max(os.time() - (job.dispatched or os.time()), 0) / 1000
      local rate = seconds > 0 and string.format("%.1f", job.tokens / seconds) or "-"
      print(stamp("RES") .. "Client: " .. short(job.client) .. " | Client ref: " .. tostring(job.reference)
        .. " | Worker: " .. short(msg.From) .. " | Duration: " .. string.format("%.2f", seconds) .. "s ("
        .. rate .. " tks/s) | Queue: " .. #Queue)
      send(job.client, { "Action", "Inference-Response", "X-Reference", job.reference }, msg.Data)
    end)
  end)

Handlers.add("Inference-Error",
  function(msg) return msg.Action == "Inference-Error" end,
  function(msg)
    finish(msg, function(job)
      fail_job(job, tostring(msg.Error or msg.Data or "inference failed"))
    end)
  end)

Handlers.add("Info", function(msg) return msg.Action == "Info" end, function(msg)
  send(msg.From, {
    "Action", "Info-Response", "Name", HerderName, "Version", HerderVersion,
    "Base-Fee", SetPromptFee, "Token-Fee", FeePerToken,
    "Last-Multiplier", LastMultiplier, "Queue-Length", #Queue,
  }, "A decentralized service for Llama inference on AO. Pay with wAR: "
     .. "Base-Fee + (prompt words + tokens) * Token-Fee, times a multiplier for priority.")
end)

return HerderName .. " " .. HerderVersion .. " ready"
