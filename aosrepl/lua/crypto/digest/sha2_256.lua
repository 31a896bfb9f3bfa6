-- .crypto.digest.sha2_256: sha2_256 of a Stream (hashlib through the native bridge).
local internal = require(".crypto.internal")
package.loaded[".crypto.internal"] = nil

return function(stream)
  return internal.result(internal.digest("sha2_256", internal.drain(stream)), true)
end
