-- .crypto.digest.sha1: sha1 of a Stream (hashlib through the native bridge).
local internal = require(".crypto.internal")
package.loaded[".crypto.internal"] = nil

return function(stream)
  return internal.result(internal.digest("sha1", internal.drain(stream)), true)
end
