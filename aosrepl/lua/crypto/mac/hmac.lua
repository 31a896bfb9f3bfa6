-- .crypto.mac.hmac: HMAC-SHA1 / HMAC-SHA256 (hashlib's hmac through the native bridge).
local internal = require(".crypto.internal")
package.loaded[".crypto.internal"] = nil
local array = require(".crypto.util.array")

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

local hmac = {}

local SUPPORTED = { sha1 = true, sha256 = true }

-- An HMAC builder: setKey/setDigest/init/update/finish, then asBytes/asHex/asString.
function hmac.HMAC()
  local self = {}
  -- aos's HMAC pads keys to 32 bytes (not the 64 of RFC 2104's SHA-1/SHA-256), so its MACs
  -- differ from standard ones; aosrepl gives the same bytes as aos
  local key, algorithm, chunks, raw, block_size = "", nil, {}, nil, 32
  function self.setBlockSize(n)
    block_size = n
    return self
  end
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
    chunks[#chunks + 1] = read_all(stream)
    return self
  end
  function self.finish()
    if not algorithm then error("Digest not set") end
    raw = internal.fromhex(internal.native.hmac(algorithm, internal.tohex(key), internal.tohex(table.concat(chunks)), block_size))
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
