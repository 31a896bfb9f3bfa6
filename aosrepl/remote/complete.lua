-- Tab completion in a remote process, run as a dry-run (so it changes nothing). The console puts
-- `local prefix = "..."` in front of this chunk; it returns the global names or table fields that
-- continue the prefix ("Handlers.u" -> "Handlers.utils"), one per line.
local cut = prefix:match("^.*()[.:]")
local base = cut and prefix:sub(1, cut - 1) or ""
local sep = cut and prefix:sub(cut, cut) or ""
local partial = cut and prefix:sub(cut + 1) or prefix

local scope = _G
if base ~= "" then
  for name in base:gmatch("[^.:]+") do
    if type(scope) ~= "table" then return "" end
    scope = scope[name]
  end
end

local seen, found = {}, {}
local function collect(t, depth)
  if type(t) ~= "table" or depth > 3 then return end
  for key in pairs(t) do
    if type(key) == "string" and key:sub(1, #partial) == partial and not seen[key] then
      seen[key] = true
      found[#found + 1] = base .. sep .. key
    end
  end
  local meta = getmetatable(t)
  if type(meta) == "table" then collect(rawget(meta, "__index"), depth + 1) end
end
collect(scope, 0)
table.sort(found)
return table.concat(found, "\n")
