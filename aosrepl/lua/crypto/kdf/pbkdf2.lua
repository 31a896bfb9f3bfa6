-- .crypto.kdf.pbkdf2: PBKDF2 (RFC 8018) over HMAC-SHA1/SHA256. The iteration loop runs in
-- Lua so the instruction budget and interrupt apply to it.
local internal = require(".crypto.internal")
package.loaded[".crypto.internal"] = nil
local array = require(".crypto.util.array")

local pbkdf2 = {}

local HASH_BYTES = { sha1 = 20, sha256 = 32 }

local function xor_into(acc, raw)
  for i = 1, #raw do acc[i] = acc[i] ~ raw:byte(i) end
end

local function derive(password, salt, iterations, keyLen, digest)
  local hlen = HASH_BYTES[digest]
  local key_hex = internal.tohex(password)
  local out = {}
  local block = 1
  while #out < keyLen do
    local u_hex = internal.native.hmac(digest, key_hex, internal.tohex(salt .. string.pack(">I4", block)))
    local u = internal.fromhex(u_hex)
    local acc = { u:byte(1, -1) }
    for _ = 2, iterations do
      u_hex = internal.native.hmac(digest, key_hex, u_hex)
      xor_into(acc, internal.fromhex(u_hex))
    end
    for i = 1, hlen do out[#out + 1] = acc[i] end
    block = block + 1
  end
  return array.toString(array.truncate(out, keyLen))
end

-- A PBKDF2 builder (setPassword/setSalt/setIterations/setDKeyLen/setPRF/finish) and its result.
function pbkdf2.PBKDF2()
  local self = {}
  local password, salt, iterations, keyLen, digest, raw = "", "", 1, 16, "sha1", nil
  function self.setPassword(a) password = array.toString(a) return self end
  function self.setSalt(a) salt = array.toString(a) return self end
  function self.setIterations(n) iterations = n return self end
  function self.setDKeyLen(n) keyLen = n return self end
  function self.setBlockLen() return self end
  function self.setPRF(name)
    if not HASH_BYTES[name] then error("Unsupported algorithm: " .. tostring(name)) end
    digest = name
    return self
  end
  function self.finish()
    raw = derive(password, salt, iterations, keyLen, digest)
    return self
  end
  for _, name in ipairs({ "asBytes", "asHex", "asString" }) do
    self[name] = function() return internal.result(raw or "", true, true)[name]() end
  end
  return self
end

-- pbkdf2(passwordArray, saltArray, iterations, keyLen, digest = "sha1")
function pbkdf2.pbkdf2(password, salt, iterations, keyLen, digest)
  digest = digest or "sha1"
  if not HASH_BYTES[digest] then error("Unsupported algorithm: " .. tostring(digest)) end
  return pbkdf2.PBKDF2().setPassword(password).setSalt(salt).setIterations(iterations)
    .setDKeyLen(keyLen).setPRF(digest).finish()
end

return pbkdf2
