-- lua_errors.lua: errors of the library functions that cwork.lua wraps read as Lua's own.
-- A C function called from a wrapper reports the wrapper's position and the name the wrapper
-- used (`cwork:79: bad argument #1 to 'f' …`). Each wrapper is wrapped once more here: an
-- error it raises is given back at the caller's position, with the name Lua would use: the
-- short one ('insert') when called from Lua code, the qualified one ('table.insert') when
-- called from C (pcall). Runs once, after cwork.lua. Other errors pass unchanged.
local pcall, error, type, select, tonumber, getinfo = pcall, error, type, select, tonumber, debug.getinfo
local match = string.match

local WRAPPED = {
  { string, "string", { "upper", "lower", "reverse", "len", "rep", "format", "char", "sub", "byte" } },
  { table, "table", { "concat", "insert", "remove", "unpack", "move", "sort" } },
  { utf8, "utf8", { "len", "codepoint", "char" } },
  { _G, nil, { "tonumber", "collectgarbage" } },
}

local function rename(text, short, qualified, given)
  local n, rest = match(text, "^bad argument #(%d+) to '[^']*' (.*)$")
  if not n then return text end
  -- the wrapper passes missing arguments on as nils: say what Lua says of a missing one
  if tonumber(n) > given then rest = rest:gsub("got nil%)$", "got no value)") end
  -- level 3: the wrapper's caller (this function, then finish, which the wrapper tail-called)
  local caller = getinfo(3, "S")
  local name = (caller and caller.what == "C") and qualified or short
  return "bad argument #" .. n .. " to '" .. name .. "' " .. rest
end

local function make(f, short, qualified)
  local function finish(given, ok, ...)
    if ok then return ... end
    local e = ...
    local text = type(e) == "string" and match(e, "^cwork:%d+: (.*)$")
    if text then error(rename(text, short, qualified, given), 2) end
    error(e, 0)
  end
  return function(...) return finish(select("#", ...), pcall(f, ...)) end
end

for _, group in ipairs(WRAPPED) do
  local lib, prefix, names = group[1], group[2], group[3]
  for _, name in ipairs(names) do
    lib[name] = make(lib[name], name, prefix and (prefix .. "." .. name) or name)
  end
end
