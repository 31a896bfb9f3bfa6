-- A Llama worker: runs inference for the herder (and only for the herder) with the native `llama` module.
-- It loads its model the way AO workers do, from WeaveDrive's /data/<Arweave id>; here that id maps to the
-- local model file. Every failure is answered with Inference-Error, so the herder can refund the client
-- and hand the worker new work: a worker never leaves the herder waiting.

Llama = require("llama")
Llama.logLevel = 4

RouterID = RouterID or "wh5vB2IbqmIBUqgodOaTvByNFDPr73gbUq1bVOUtCrw"
ModelID = ModelID or "ISrbGzQot05rs_HKC08O_SmkipYQnqgB1yC3mjZZeEo"

function LoadModel(id)
  local ok, err = pcall(Llama.load, "/data/" .. id)
  ModelID = id
  LoadError = (not ok) and tostring(err) or nil
  return LoadError or ("Model " .. id .. " selected")
end

local function reply(tags, data)
  local list = {}
  for i = 1, #tags, 2 do list[#list + 1] = { name = tags[i], value = tostring(tags[i + 1]) } end
  ao.send({ Target = RouterID, Data = data, Tags = list })
end

local function from_router(action)
  return function(msg) return msg.Action == action and msg.From == RouterID end
end

Handlers.add("Init", from_router("Init"), function(msg)
  if msg["Model-ID"] then LoadModel(msg["Model-ID"]) end
  reply({ "Action", "Worker-Initialized", "Model-ID", ModelID, "Error", LoadError or "" })
end)

Handlers.add("Inference", from_router("Inference"), function(msg)
  local tokens = math.tointeger(tonumber(msg.Tokens or ""))
  local prompt = msg.Data
  print("Performing inference. Prompt: " .. tostring(prompt))
  local ok, result = pcall(function()
    if LoadError then error(LoadError, 0) end
    if type(prompt) ~= "string" or prompt == "" then error("no prompt given", 0) end
    if not tokens or tokens < 1 then error("Tokens must be a whole number above 0", 0) end
    -- Each request gets its own seed from its message, so replies vary but a replay gives the same text.
    Llama.setSeed(tonumber(msg.Timestamp) or 0)
    Llama.setPrompt(prompt)
    return Llama.run(tokens)
  end)
  if ok then
    print("Response:" .. result)
    reply({ "Action", "Inference-Response" }, result)
  else
    print("Inference failed: " .. tostring(result))
    reply({ "Action", "Inference-Error", "Error", tostring(result) })
  end
end)

return LoadModel(ModelID)
