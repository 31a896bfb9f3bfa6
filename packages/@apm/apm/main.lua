-- APM client 1.1.0: what APM.update() installs from the local registry (served as the package @apm/apm).
-- It is client 1.0.2 (the `.load-blueprint apm` blueprint, bundled in when the package is published)
-- plus installs through assignments: the registry answers APM.Download with the id of the package's
-- APM.Publish message, and the client adds an assignable for it and assigns that message to itself; the
-- network then delivers it and 1.0.2's APM.Publish handler loads it.
-- Dependencies (listed by the registry in the DownloadResponse, deepest first) are assigned before the
-- package, so they are loaded first.

require("client_1_0_2")
APM._version = "1.1.0"

local function check(condition, message)
  if not condition then error(message, 0) end
end

-- Adds an assignable for one publish message and assigns it to this process.
local function fetch(id, assignable_name)
  print("📦 Downloading package " .. id .. " | " .. assignable_name)
  ao.addAssignable(assignable_name, { Id = id })
  Assign({ Message = id, Processes = { ao.id } })
end

local function download_response(msg)
  check(msg.From == APM.ID, "Invalid package source process")
  if msg.Result == "error" then return print(Colors.red .. tostring(msg.Data) .. Colors.reset) end
  check(type(msg.Data) == "string" and #msg.Data == 43, "Invalid package ID")
  local assignable_name = msg.AssignableName
  check(type(assignable_name) == "string", "Invalid package name")
  local ok, deps = pcall(json.decode, msg.Dependencies or "[]")
  if not ok or type(deps) ~= "table" then deps = {} end
  for _, dep in ipairs(deps) do
    local vendor, pkg = split_package_name(dep.Name)
    local key = vendor == "@apm" and pkg or vendor .. "/" .. pkg
    if APM.installed[key] ~= dep.Version then
      fetch(dep.PkgID, dep.AssignableName)
    end
  end
  fetch(msg.Data, assignable_name)
end

Handlers.add("APM.DownloadResponse", Handlers.utils.hasMatchingTag("Action", "APM.DownloadResponse"),
  function(msg) handle_run(download_response, msg) end)

return "📦 Loaded APM Client"
