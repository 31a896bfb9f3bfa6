-- APM client 1.1.0: what APM.update() installs from the local registry (served as the package @apm/apm).
-- Compared with the 1.0.2 blueprint it installs packages through assignments: the registry answers
-- APM.Download with the id of the package's APM.Publish message, and the client adds an assignable for it
-- and assigns that message to itself; the network then delivers it and APM.Publish loads it.
-- Dependencies (listed by the registry in the DownloadResponse, deepest first) are assigned before the
-- package, so they are loaded first.

json = require("json")
do
  local ok, b64 = pcall(require, ".base64")
  if ok then base64 = b64 end
end

APM = {
  ID = "UdPDhw5S7pByV3pVqwyr1qzJ8mR8ktzi9olgsdsyZz4",
  _version = "1.1.0",
  -- what an earlier load installed stays listed (reloading the client must not forget packages)
  installed = (type(APM) == "table" and type(APM.installed) == "table") and APM.installed or {},
}

local function paint(color, text)
  if not Colors then return text end
  return Colors[color] .. text .. Colors.reset
end

-- Like assert, but the message is shown as it is (no code position).
local function check(condition, message)
  if not condition then error(message, 0) end
  return condition
end

-- Run a response handler; a failure prints "<Action> - <error>" instead of failing the message.
function handle_run(func, msg)
  local ok, err = pcall(func, msg)
  if not ok then
    local clean = tostring(err):gsub('%[string "[^"]*"%]:%d+: ', "")
    print(tostring(msg.Action) .. " - " .. clean)
  end
end

-- "@vendor/name[@version]" -> vendor, name, version; a bare name belongs to vendor "@apm".
function split_package_name(query)
  local vendor, rest = query:match("^(@[^/]*)/(.*)$")
  if not vendor then vendor, rest = "@apm", query end
  local name, version = rest:match("^([^@]*)@(.*)$")
  if not name then name = rest end
  return vendor, name, version
end

-- The key a package lives under in package.loaded (and APM.installed).
local function module_name(vendor, name)
  if vendor == nil or vendor == "@apm" then return name end
  return vendor .. "/" .. name
end

function hexdecode(hex)
  return (hex:gsub("%x%x", function(pair) return string.char(tonumber(pair, 16)) end))
end

function generate_package_data(name, vendor, version, readme, description, main, dependencies, repo_url, items,
                               authors)
  check(type(name) == "string", "Name must be a string")
  check(type(version) == "string", "Version must be a string")
  return {
    Name = name,
    Vendor = vendor or "@apm",
    Version = version,
    PackageData = {
      Readme = readme or "",
      Description = description or "",
      Main = main or "main.lua",
      Dependencies = dependencies or {},
      RepositoryUrl = repo_url or "",
      Items = items or {},
      Authors = authors or {},
    },
  }
end

-- `extra` is an array of {name, value}: a Tags array keeps the tag order the same on every run.
local function request(action, data, extra)
  local tags = { { name = "Action", value = action }, { name = "Version", value = APM._version } }
  for _, pair in ipairs(extra or {}) do tags[#tags + 1] = { name = pair[1], value = pair[2] } end
  Send({ Target = APM.ID, Data = data, Tags = tags })
end

local function require_text(value, what)
  if type(value) ~= "string" or value == "" then
    error(what .. " must be a non-empty string", 0)
  end
end

function APM.registerVendor(name)
  require_text(name, "Vendor name")
  request("APM.RegisterVendor", name, { { "Quantity", "100000000000" } })
  return "📤 Vendor registration request sent"
end

function APM.publish(package_data, opts)
  check(type(package_data) == "table", "Package data must be a table (see generate_package_data)")
  local quantity = (opts and opts.Update) and "10000000000" or "100000000000"
  request("APM.Publish", json.encode(package_data), { { "Quantity", quantity } })
  return "📤 Publish request sent"
end

function APM.info(name)
  require_text(name, "Package name")
  request("APM.Info", name)
  return "📤 Fetching package info"
end

function APM.popular()
  request("APM.GetPopular", "")
  return "📤 Fetching top 50 downloaded packages"
end

function APM.search(query)
  request("APM.Search", query or "")
  return "📤 Searching for packages"
end

function APM.transfer(name, to)
  require_text(name, "Package name")
  require_text(to, "Recipient")
  request("APM.Transfer", name, { { "To", to } })
  return "📤 Transfer request sent"
end

function APM.install(name)
  require_text(name, "Package name")
  request("APM.Download", name)
  return "📤 Download request sent"
end

function APM.uninstall(name)
  require_text(name, "Package name")
  local vendor, pkg = split_package_name(name)
  local key = module_name(vendor, pkg)
  if APM.installed[key] == nil then return "❌ Package is not installed" end
  APM.installed[key] = nil
  package.loaded[key] = nil
  return "📦 Package has been uninstalled"
end

function APM.update()
  request("APM.UpdateClient", "")
  return "📤 Update request sent"
end

-- ---------------------------------------------------------------------------------------------------
-- response handlers

local function from_registry(msg)
  return msg.From == APM.ID
end

local function print_list(data, describe)
  local ok, list = pcall(json.decode, data or "")
  if not ok or type(list) ~= "table" then return print(data) end
  if #list == 0 then return print("No packages found") end
  local lines = { "" }
  for _, p in ipairs(list) do lines[#lines + 1] = p.Vendor .. "/" .. p.Name .. " - " .. describe(p) end
  print(table.concat(lines, "\n") .. "\n")
end

local function nonempty(s) return type(s) == "string" and s ~= "" and s or nil end

-- Loads a package delivered as an assignment of its APM.Publish message.
local function load_package(msg)
  if msg.Target == ao.id then
    -- Not an assignment we asked for: someone sent us an APM.Publish directly. Never run that code.
    print(paint("red", "❌ Ignored an APM.Publish message from " .. tostring(msg.From) .. ": not a requested package"))
    return
  end
  local data = msg.Data
  if type(data) == "string" then data = json.decode(data) end
  check(type(data) == "table" and type(data.PackageData) == "table", "Invalid package data")
  local pd = data.PackageData
  local name = module_name(data.Vendor, data.Name)
  local main = pd.Main or "main.lua"
  local source
  for _, item in ipairs(pd.Items or {}) do
    if item.meta and item.meta.name == main then source = item.data end
  end
  check(source, "❌ Unable to find " .. main .. " file to load")
  source = source:match("^%s*(.-)%s*$")
  print("ℹ️ Attempting to load " .. name .. "@" .. data.Version .. " package")
  local loader, err = load(source, "=" .. name, "t", _G)
  if not loader then
    print(err)
    error("Error compiling load function: " .. err, 0)
  end
  package.loaded[name] = loader() or true
  APM.installed[name] = data.Version
  if ao.removeAssignable then
    pcall(ao.removeAssignable, name .. "@" .. data.Version)
  end
  print("📦 Package has been loaded, you can now import it using require function")
end

-- Adds an assignable for one publish message and assigns it to this process.
local function fetch(id, assignable_name)
  print("📦 Downloading package " .. id .. " | " .. assignable_name)
  ao.addAssignable(assignable_name, { Id = id })
  Assign({ Message = id, Processes = { ao.id } })
end

local function download_response(msg)
  check(from_registry(msg), "Invalid package source process")
  if msg.Result == "error" then return print(paint("red", tostring(msg.Data))) end
  check(type(msg.Data) == "string" and #msg.Data == 43, "Invalid package ID")
  local assignable_name = msg.AssignableName
  check(type(assignable_name) == "string", "Invalid package name")
  local ok, deps = pcall(json.decode, msg.Dependencies or "[]")
  if not ok or type(deps) ~= "table" then deps = {} end
  for _, dep in ipairs(deps) do
    local vendor, pkg = split_package_name(dep.Name)
    if APM.installed[module_name(vendor, pkg)] ~= dep.Version then
      fetch(dep.PkgID, dep.AssignableName)
    end
  end
  fetch(msg.Data, assignable_name)
end

local function update_client_response(msg)
  check(from_registry(msg), "Invalid client package source process")
  if msg.Result == "error" then return print(paint("red", tostring(msg.Data))) end
  local data = type(msg.Data) == "table" and msg.Data or json.decode(msg.Data)
  print("ℹ️ Attempting to load client " .. data.Version)
  local items = json.decode(hexdecode(data.Items))
  local source
  for _, item in ipairs(items) do
    if item.meta and item.meta.name == data.Main then source = item.data end
  end
  check(source, "❌ Unable to find main.lua file to load")
  local loader, err = load(source, "=APM client " .. data.Version, "t", _G)
  check(loader, err)
  print(loader())
  APM._version = data.Version
  print(paint("green", "✨ Client has been updated to " .. data.Version))
end

local function printer(msg) print(msg.Data) end

local function on(name, action, fn)
  Handlers.add(name, Handlers.utils.hasMatchingTag("Action", action), function(msg) handle_run(fn, msg) end)
end

on("APM.PublishAssignDownloadResponseHandler", "APM.Publish", load_package)
on("APM.RegisterVendorResponse", "APM.RegisterVendorResponse", printer)
on("APM.PublishResponse", "APM.PublishResponse", printer)
on("APM.InfoResponse", "APM.InfoResponse", printer)
on("APM.SearchResponse", "APM.SearchResponse", function(msg)
  if msg.Result == "error" then return print(msg.Data) end
  print_list(msg.Data, function(p) return p.Description or "" end)
end)
on("APM.GetPopularResponse", "APM.GetPopularResponse", function(msg)
  if msg.Result == "error" then return print(msg.Data) end
  print_list(msg.Data, function(p)
    return (nonempty(p.Description) or p.Owner) .. " - " .. (nonempty(p.RepositoryUrl) or "No Repo Url")
  end)
end)
on("APM.TransferResponse", "APM.TransferResponse", printer)
on("APM.UpdateNotice", "APM.UpdateNotice", printer)
on("APM.UpdateClientResponse", "APM.UpdateClientResponse", update_client_response)
on("APM.DownloadResponse", "APM.DownloadResponse", download_response)

return "📦 Loaded APM Client"
