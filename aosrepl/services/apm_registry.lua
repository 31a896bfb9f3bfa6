-- The local APM registry (v1 protocol, mid-2024), a service process at
-- UdPDhw5S7pByV3pVqwyr1qzJ8mR8ktzi9olgsdsyZz4, and again at the ids later aos versions use
-- (DKF8o... Sep 2024, RLvG3... Aug 2025), where APM.Download also answers apm v2 clients (see
-- download_source). Genesis evaluates this file as the Owner, then publishes the packages under
-- packages/ to each registry.
--
-- A package version is identified by the id of the APM.Publish message that brought it: installing is
-- "assign that very message to the client", which loads it (see packages/@apm/apm/main.lua).
--
-- Dependencies: APM.DownloadResponse carries a `Dependencies` tag, a JSON array of
-- {Name, Version, PkgID, AssignableName} holding every (transitive) dependency, deepest first and without
-- duplicates. The client assigns those messages to itself before the package's own, so the network
-- delivers (and the client loads) dependencies first.
--
-- Errors are answered with the request's usual response Action, `Result = "error"` and a Data text that
-- starts with "❌", so every client handler that prints Data shows a clear message.
--
-- State is kept in arrays (never iterated with pairs) and json.encode sorts object keys, so every answer
-- is the same on every run.

local json = require("json")

APMRegistry = APMRegistry or {
  packages = {},      -- "@vendor/name" -> record
  packageOrder = {},  -- the keys of packages, in publish order
  vendors = {},       -- "@vendor" -> owner address
}
local R = APMRegistry

local CLIENT_PACKAGE = "@apm/apm"       -- the client is itself a package: APM.UpdateClient serves it
local ASSIGNABLE_CLIENT = { 1, 1, 0 }   -- clients older than this cannot take assignments
local POPULAR_LIMIT = 50

-- ---------------------------------------------------------------------------------------------------
-- helpers

local function fail(text)
  error({ apm = "❌ " .. text }, 0)
end

local function clean_error(err)
  if type(err) == "table" and err.apm then return err.apm end
  local text = tostring(err)
  text = text:gsub('%[string "[^"]*"%]:%d+: ', "")
  return "❌ " .. text
end

local function is_id(s)
  return type(s) == "string" and #s == 43 and s:match("^[A-Za-z0-9_%-]+$") ~= nil
end

local function parse_version(v)
  if type(v) ~= "string" then return nil end
  local a, b, c = v:match("^(%d+)%.(%d+)%.(%d+)$")
  if not a then return nil end
  return { tonumber(a), tonumber(b), tonumber(c) }
end

-- -1, 0, 1 like a comparator; numeric per part, so 1.0.10 > 1.0.9
local function compare_versions(x, y)
  for i = 1, 3 do
    if x[i] ~= y[i] then return x[i] < y[i] and -1 or 1 end
  end
  return 0
end

local function valid_name(n)
  return type(n) == "string" and n:match("^[A-Za-z0-9_%-]+$") ~= nil
end

local function valid_vendor(v)
  return type(v) == "string" and v:match("^@[a-z0-9%-]+$") ~= nil
end

local function full_name(vendor, name) return vendor .. "/" .. name end


local HEX = "0123456789abcdef"
local function hexencode(s)
  return (s:gsub(".", function(ch)
    local b = ch:byte()
    local hi, lo = b // 16, b % 16
    return HEX:sub(hi + 1, hi + 1) .. HEX:sub(lo + 1, lo + 1)
  end))
end

-- "@vendor/name", "name" (vendor @apm), each optionally followed by "@x.y.z" or "@<publish message id>"
local function parse_query(text)
  if type(text) ~= "string" or text == "" then fail("No package name given") end
  text = text:match("^%s*(.-)%s*$")
  local vendor, rest = text:match("^(@[^/]*)/(.*)$")
  if not vendor then vendor, rest = "@apm", text end
  local name, version = rest:match("^([^@]*)@(.*)$")
  if not name then name = rest end
  if not valid_vendor(vendor) then fail("Invalid vendor name: " .. vendor) end
  if not valid_name(name) then fail("Invalid package name: " .. text) end
  if version ~= nil and not parse_version(version) and not is_id(version) then
    fail("Invalid version: " .. version)
  end
  return vendor, name, version
end

local function find_package(vendor, name)
  local record = R.packages[full_name(vendor, name)]
  if not record then fail("Package " .. full_name(vendor, name) .. " not found") end
  return record
end

-- A version of a package: the latest when `version` is nil, else by number or by publish message id.
local function find_version(record, version)
  local versions = record.Versions
  if version == nil or version == "latest" then return versions[#versions] end
  for _, v in ipairs(versions) do
    if v.Version == version or v.PkgID == version then return v end
  end
  fail("Version " .. version .. " of " .. full_name(record.Vendor, record.Name) .. " not found")
end

-- Dependencies as given by a publisher -> a sorted array of {Name = "@vendor/name", Version = "x.y.z"|nil}.
-- Accepted: {["@v/n"] = "x.y.z"}, {["@v/n"] = {version = "x.y.z"}}, or an array of "@v/n[@x.y.z]".
local function normalize_dependencies(deps)
  local out = {}
  if deps == nil then return out end
  if type(deps) ~= "table" then fail("Dependencies must be a table") end
  local function add(query, version)
    local vendor, name, v = parse_query(query)
    if type(version) == "table" then version = version.version or version.Version end
    version = version or v
    if version == "" or version == "latest" or version == "*" then version = nil end
    if version ~= nil and not parse_version(version) and not is_id(version) then
      fail("Invalid version for dependency " .. query .. ": " .. tostring(version))
    end
    out[#out + 1] = { Name = full_name(vendor, name), Version = version }
  end
  if #deps > 0 then
    for _, query in ipairs(deps) do add(query) end
  else
    for query, version in pairs(deps) do add(query, version) end  -- sorted right below
  end
  table.sort(out, function(a, b) return a.Name < b.Name end)
  return out
end

-- Every dependency of `entry` (a version record), transitively, deepest first, each once.
local function resolve_dependencies(entry)
  local order, seen, path = {}, {}, {}
  local function visit(dep, chain)
    local vendor, name = dep.Name:match("^(@[^/]*)/(.*)$")
    local record = find_package(vendor, name)
    local v = find_version(record, dep.Version)
    if path[dep.Name] then fail("Dependency cycle: " .. table.concat(chain, " -> ") .. " -> " .. dep.Name) end
    if seen[dep.Name] then return end
    path[dep.Name] = true
    chain[#chain + 1] = dep.Name
    for _, sub in ipairs(v.Dependencies) do visit(sub, chain) end
    chain[#chain] = nil
    path[dep.Name] = nil
    seen[dep.Name] = true
    order[#order + 1] = {
      Name = dep.Name, Version = v.Version, PkgID = v.PkgID,
      AssignableName = dep.Name .. "@" .. v.Version,
    }
  end
  local root = full_name(entry.Vendor, entry.Name)
  path[root] = true
  for _, dep in ipairs(entry.Dependencies) do visit(dep, { root }) end
  return order
end

-- `tags` is an array of {name, value}: a Tags array keeps the message's tag order the same on every run.
-- Request-Id (the request's message id) lets a sender that is not a process (a wallet publishing with
-- `aos --publish`) find the answer to its request in the network's log.
local function respond(msg, action, data, tags)
  local list = { { name = "Action", value = action }, { name = "Request-Id", value = tostring(msg.Id) } }
  for _, pair in ipairs(tags or {}) do list[#list + 1] = { name = pair[1], value = tostring(pair[2]) } end
  ao.send({ Target = msg.From, Data = data, Tags = list })
end

-- Wrap a request handler: any failure is answered to the sender with `responseAction`, Result = error.
local function serve(responseAction, fn)
  return function(msg)
    local ok, err = pcall(fn, msg)
    if not ok then
      respond(msg, responseAction, clean_error(err), { { "Result", "error" } })
    end
  end
end

local function decode_data(msg)
  if type(msg.Data) == "table" then return msg.Data end
  local ok, value = pcall(json.decode, msg.Data or "")
  if not ok or type(value) ~= "table" then fail("Invalid package data: expected JSON") end
  return value
end

local function summary(record)
  local latest = record.Versions[#record.Versions]
  return {
    Vendor = record.Vendor, Name = record.Name, Version = latest.Version, Owner = record.Owner,
    Description = latest.Description, RepositoryUrl = latest.RepositoryUrl,
    Installs = record.Installs, PkgID = latest.PkgID,
  }
end

local function register_vendor(vendor, owner)
  R.vendors[vendor] = owner
end

-- ---------------------------------------------------------------------------------------------------
-- requests

local function publish(msg)
  local data = decode_data(msg)
  local vendor = data.Vendor or "@apm"
  local name, version, pd = data.Name, data.Version, data.PackageData
  if not valid_vendor(vendor) then fail("Invalid vendor name: " .. tostring(vendor)) end
  if not valid_name(name) then fail("Invalid package name: " .. tostring(name)) end
  local parsed = parse_version(version)
  if not parsed then fail("Invalid version: " .. tostring(version) .. " (expected x.y.z)") end
  if type(pd) ~= "table" then fail("Missing PackageData") end
  local main = pd.Main or "main.lua"
  if type(pd.Items) ~= "table" or #pd.Items == 0 then fail("Package has no Items") end
  local has_main = false
  for _, item in ipairs(pd.Items) do
    if type(item) ~= "table" or type(item.meta) ~= "table" or type(item.data) ~= "string" then
      fail("Each item must be {meta = {name = ...}, data = <lua source>}")
    end
    if item.meta.name == main then has_main = true end
  end
  if not has_main then fail("Main file " .. tostring(main) .. " not found in Items") end

  local key = full_name(vendor, name)
  local owner = R.vendors[vendor]
  if vendor ~= "@apm" and owner ~= nil and owner ~= msg.From then
    fail("Vendor " .. vendor .. " belongs to another address")
  end
  local record = R.packages[key]
  if record then
    if record.Owner ~= msg.From then fail(key .. " belongs to another address") end
    for _, v in ipairs(record.Versions) do
      if compare_versions(parsed, parse_version(v.Version)) == 0 then
        fail(key .. "@" .. v.Version .. " is already published")
      end
    end
    local latest = record.Versions[#record.Versions]
    if compare_versions(parsed, parse_version(latest.Version)) < 0 then
      fail("Version " .. version .. " of " .. key .. " must be greater than the latest " .. latest.Version)
    end
  end
  local deps = normalize_dependencies(pd.Dependencies)
  local entry = {
    Vendor = vendor, Name = name, Version = version, PkgID = msg.Id, Main = main, Items = pd.Items,
    Description = pd.Description, Readme = pd.Readme, RepositoryUrl = pd.RepositoryUrl,
    Authors = pd.Authors, Dependencies = deps, Timestamp = msg.Timestamp,
  }
  resolve_dependencies(entry)  -- every dependency must already be published, and no cycles

  if vendor ~= "@apm" and owner == nil then register_vendor(vendor, msg.From) end
  if not record then
    record = { Vendor = vendor, Name = name, Owner = msg.From, Versions = {}, Installs = 0 }
    R.packages[key] = record
    R.packageOrder[#R.packageOrder + 1] = key
  end
  record.Versions[#record.Versions + 1] = entry
  respond(msg, "APM.PublishResponse", "🎉 Published " .. key .. "@" .. version,
    { { "Result", "success" }, { "PkgID", msg.Id }, { "Name", key }, { "Version", version } })
end

local function older_than_assignable(client_version)
  local v = parse_version(client_version)
  return v ~= nil and compare_versions(v, ASSIGNABLE_CLIENT) < 0
end

-- Later aos versions' `apm` clients (v2, Sep 2024 on) look for the registry at these ids and expect the
-- package's source itself in APM.DownloadResponse (hex encoded), its direct dependencies as JSON
-- {"@v/n": {"version": "x.y.z"}} (the client installs them itself) and a Warnings JSON.
local LATER_REGISTRIES = {
  ["DKF8oXtPvh3q8s0fJFIeHFyHNM6oKrwMCUrPxEMroak"] = true,
  ["RLvG3tclmALLBCrwc17NqzNFqZCrUf3-RKZ5v8VRHiU"] = true,
}

local function wants_source(msg)
  if not LATER_REGISTRIES[ao.id] then return false end
  local v = parse_version(msg.Version)
  return v == nil or v[1] >= 2
end

local function main_source(entry)
  for _, item in ipairs(entry.Items) do
    if item.meta.name == entry.Main then return item.data end
  end
  fail("Main file " .. tostring(entry.Main) .. " not found")
end

local function latest_client_version()
  local record = R.packages[CLIENT_PACKAGE]
  return record and record.Versions[#record.Versions].Version or "0.0.0"
end

local function download_source(msg, record, entry)
  local deps = {}
  for _, dep in ipairs(entry.Dependencies) do
    local vendor_d, name_d = dep.Name:match("^(@[^/]*)/(.*)$")
    local v = find_version(find_package(vendor_d, name_d), dep.Version)
    deps[#deps + 1] = json.encode(dep.Name) .. ":{\"version\":" .. json.encode(v.Version) .. "}"
  end
  record.Installs = record.Installs + 1
  local key = full_name(record.Vendor, record.Name)
  respond(msg, "APM.DownloadResponse", hexencode(main_source(entry)), {
    { "Name", key }, { "Version", entry.Version }, { "PkgID", entry.PkgID },
    { "Dependencies", "{" .. table.concat(deps, ",") .. "}" }, { "Warnings", "{}" },
    { "Result", "success" }, { "LatestClientVersion", latest_client_version() },
  })
end

local function download(msg)
  if wants_source(msg) then
    local vendor, name, version = parse_query(msg.Data)
    local record = find_package(vendor, name)
    return download_source(msg, record, find_version(record, version))
  end
  if older_than_assignable(msg.Version) then
    respond(msg, "APM.UpdateNotice", "⚠️ APM client " .. msg.Version ..
      " cannot install packages: run APM.update() to get client 1.1.0, then install again")
    return
  end
  local vendor, name, version = parse_query(msg.Data)
  local record = find_package(vendor, name)
  local entry = find_version(record, version)
  local deps = resolve_dependencies(entry)
  record.Installs = record.Installs + 1
  for _, dep in ipairs(deps) do
    local vendor_d, name_d = dep.Name:match("^(@[^/]*)/(.*)$")
    local r = R.packages[full_name(vendor_d, name_d)]
    r.Installs = r.Installs + 1
  end
  local key = full_name(vendor, name)
  respond(msg, "APM.DownloadResponse", entry.PkgID, {
    { "AssignableName", key .. "@" .. entry.Version }, { "Name", key }, { "Version", entry.Version },
    { "Dependencies", json.encode(deps) }, { "Result", "success" },
  })
end

local function info(msg)
  local vendor, name, version = parse_query(msg.Data)
  local record = find_package(vendor, name)
  local entry = find_version(record, version)
  local versions = {}
  for _, v in ipairs(record.Versions) do versions[#versions + 1] = v.Version end
  local deps = {}
  for _, d in ipairs(entry.Dependencies) do deps[#deps + 1] = d.Name .. (d.Version and ("@" .. d.Version) or "") end
  local key = full_name(vendor, name)
  local lines = {
    "📦 " .. key .. "@" .. entry.Version,
    "📄 " .. (entry.Description or "No description"),
    "🔖 Versions: " .. table.concat(versions, ", "),
    "🧩 Dependencies: " .. (#deps > 0 and table.concat(deps, ", ") or "none"),
    "👤 Owner: " .. record.Owner,
    "📥 Installs: " .. record.Installs,
    "🔗 " .. (entry.RepositoryUrl or "No Repo Url"),
    "🆔 " .. entry.PkgID,
  }
  respond(msg, "APM.InfoResponse", table.concat(lines, "\n"),
    { { "Result", "success" }, { "Name", key }, { "Version", entry.Version }, { "PkgID", entry.PkgID } })
end

local function search(msg)
  local query = type(msg.Data) == "string" and msg.Data:lower() or ""
  local found = {}
  for _, key in ipairs(R.packageOrder) do
    local record = R.packages[key]
    local description = record.Versions[#record.Versions].Description or ""
    if query == "" or key:lower():find(query, 1, true) or description:lower():find(query, 1, true) then
      found[#found + 1] = summary(record)
    end
  end
  respond(msg, "APM.SearchResponse", json.encode(found), { { "Result", "success" } })
end

local function popular(msg)
  local list = {}
  for i, key in ipairs(R.packageOrder) do list[#list + 1] = { R.packages[key], i } end
  table.sort(list, function(a, b)
    if a[1].Installs ~= b[1].Installs then return a[1].Installs > b[1].Installs end
    return a[2] < b[2]
  end)
  local top = {}
  for i = 1, math.min(POPULAR_LIMIT, #list) do top[i] = summary(list[i][1]) end
  respond(msg, "APM.GetPopularResponse", json.encode(top), { { "Result", "success" } })
end

local function register(msg)
  local vendor = type(msg.Data) == "string" and msg.Data:match("^%s*(.-)%s*$") or ""
  if vendor:sub(1, 1) ~= "@" then vendor = "@" .. vendor end
  if not valid_vendor(vendor) then fail("Invalid vendor name: " .. vendor .. " (use @ and a-z, 0-9, -)") end
  if vendor == "@apm" or R.vendors[vendor] then fail("Vendor " .. vendor .. " is already registered") end
  register_vendor(vendor, msg.From)
  respond(msg, "APM.RegisterVendorResponse", "🎉 Registered " .. vendor, { { "Result", "success" } })
end

local function transfer(msg)
  local vendor, name = parse_query(msg.Data)
  local record = find_package(vendor, name)
  if not is_id(msg.To) then fail("Transfer needs a To tag with the new owner's address") end
  if record.Owner ~= msg.From then fail(full_name(vendor, name) .. " belongs to another address") end
  record.Owner = msg.To
  respond(msg, "APM.TransferResponse", "🎉 Transferred " .. full_name(vendor, name) .. " to " .. msg.To,
    { { "Result", "success" } })
end

local function update_client(msg)
  local vendor, name = CLIENT_PACKAGE:match("^(@[^/]*)/(.*)$")
  local entry = find_version(find_package(vendor, name), nil)
  local payload = { Version = entry.Version, Main = entry.Main, Items = hexencode(json.encode(entry.Items)) }
  respond(msg, "APM.UpdateClientResponse", json.encode(payload), { { "Result", "success" } })
end

-- ---------------------------------------------------------------------------------------------------
-- handlers (re-evaluating this file replaces them in place)

local function on(action, responseAction, fn)
  Handlers.add(action, Handlers.utils.hasMatchingTag("Action", action), serve(responseAction, fn))
end

on("APM.Publish", "APM.PublishResponse", publish)
on("APM.Download", "APM.DownloadResponse", download)
on("APM.Info", "APM.InfoResponse", info)
on("APM.Search", "APM.SearchResponse", search)
on("APM.GetPopular", "APM.GetPopularResponse", popular)
on("APM.RegisterVendor", "APM.RegisterVendorResponse", register)
on("APM.Transfer", "APM.TransferResponse", transfer)
on("APM.UpdateClient", "APM.UpdateClientResponse", update_client)

-- A registry-local listing for whoever evaluates code in this process: "@v/name@ver | N installs | PkgID".
function ListPackages()
  local lines = {}
  for _, key in ipairs(R.packageOrder) do
    local record = R.packages[key]
    for _, v in ipairs(record.Versions) do
      lines[#lines + 1] = key .. "@" .. v.Version .. " | " .. record.Installs .. " installs | " .. v.PkgID
    end
  end
  return table.concat(lines, "\n")
end

return "📦 APM Registry Loaded"
