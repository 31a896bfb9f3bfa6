-- .crypto.mac.hmac: HMAC-SHA1 / HMAC-SHA256 (hashlib's hmac through the native bridge).
local internal = require(".crypto.internal")
package.loaded[".crypto.internal"] = nil
local array = require(".crypto.util.array")

local hmac = {}

local SUPPORTED = { sha1 = true, sha256 = true }

-- An HMAC builder: setKey/setDigest/init/update/finish, then asBytes/asHex/asString.
function hmac.HMAC()
  local self = {}
  local key, algorithm, chunks, raw = "", nil, {}, nil
  function self.setBlockSize() return self end
  function self.setDigest(name)
    algorithm = name
    return self
  end
  function self.setKey(keyArray)
    key = array.toString(keyArray)
    return self
  end
  function self.init()
    chunks, raw = {}, nil
    return self
  end
  function self.update(stream)
    chunks[#chunks + 1] = internal.drain(stream)
    return self
  end
  function self.finish()
    if not algorithm then error("Digest not set") end
    raw = internal.fromhex(internal.native.hmac(algorithm, internal.tohex(key), internal.tohex(table.concat(chunks))))
    return self
  end
  local view = internal.result("", true)
  for name, _ in pairs(view) do
    self[name] = function() return internal.result(raw or "", true)[name]() end
  end
  return self
end

-- createHmac(dataStream, keyArray, algorithm = "sha1")
function hmac.hmac(data, key, algorithm)
  algorithm = algorithm or "sha1"
  if not SUPPORTED[algorithm] then error("Unsupported algorithm: " .. tostring(algorithm)) end
  return hmac.HMAC().setDigest(algorithm).setKey(key).init().update(data).finish()
end

return hmac
