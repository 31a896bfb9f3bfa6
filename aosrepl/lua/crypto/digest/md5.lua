-- .crypto.digest.md5: md5 of a Stream (hashlib through the native bridge).
local internal = require(".crypto.internal")
package.loaded[".crypto.internal"] = nil

return function(stream)
  return internal.result(internal.digest("md5", internal.drain(stream)), true)
end
