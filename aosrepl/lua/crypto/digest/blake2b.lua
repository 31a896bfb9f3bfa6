-- .crypto.digest.blake2b: BLAKE2b(data, outlen = 64, key = "") (hashlib through the native bridge).
local internal = require(".crypto.internal")
package.loaded[".crypto.internal"] = nil

local blake2b = {}

function blake2b.blake2b(data, outlen, key)
  outlen = outlen or 64
  key = key or ""
  if math.type(outlen) ~= "integer" or outlen < 1 or outlen > 64 or #key > 64 then return nil end
  local hex = internal.native.blake2b(internal.tohex(data), outlen, internal.tohex(key))
  return internal.result(internal.fromhex(hex), true)
end

return blake2b
