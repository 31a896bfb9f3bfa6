-- .crypto.digest.sha2_512: SHA-512 of a string (hashlib through the native bridge).
local internal = require(".crypto.internal")
package.loaded[".crypto.internal"] = nil

return function(msg)
  return internal.result(internal.digest("sha2_512", msg), true)
end
