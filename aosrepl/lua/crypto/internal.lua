-- .crypto.internal: helpers shared by the crypto modules (not an aos module name: each
-- user removes it from package.loaded again so the process's module list stays as aos's).
local native = require(".crypto.native")
package.loaded[".crypto.native"] = nil

local internal = { native = native }

function internal.tohex(s)
  return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

function internal.fromhex(h)
  return (h:gsub("%x%x", function(cc) return string.char(tonumber(cc, 16)) end))
end

-- the aos result object for a digest (raw byte string): asBytes/asHex/asString
function internal.result(raw, with_bytes, upper)
  local r = {
    asHex = function()
      local h = internal.tohex(raw)
      return upper and h:upper() or h
    end,
    asString = function() return raw end,
  }
  if with_bytes then
    r.asBytes = function()
      local out = {}
      for i = 1, #raw do out[i] = raw:byte(i) end
      return out
    end
  end
  return r
end

function internal.digest(name, raw_input)
  return internal.fromhex(native.digest(name, internal.tohex(raw_input)))
end

return internal
