-- .crypto.digest.md5: md5 of a Stream (hashlib through the native bridge).
local internal = require(".crypto.internal")
package.loaded[".crypto.internal"] = nil

-- the Stream's bytes as a string; the stream is called here (as aos calls it) so that calling
-- something else fails with aos's text and position: "attempt to call a string value"
local function same(x) return x end
local function read_all(stream)
  local out = {}
  while true do
    local b = same(stream)()
    if b == nil then return table.concat(out) end
    out[#out + 1] = string.char(b)
  end
end

return function(stream)
  return internal.result(internal.digest("md5", read_all(stream)), true)
end
