-- .crypto.cipher.init: the `crypto.cipher` table. ISAAC is here; AES, MORUS and NORX are not
-- available in aosrepl yet: their functions fail with a message saying so (see docs/fidelity.md).
local function unavailable(name)
  local function fail() error("crypto.cipher." .. name .. " is not available in aosrepl", 2) end
  return { encrypt = fail, decrypt = fail }
end

return {
  _version = "0.0.1",
  issac = require(".crypto.cipher.issac"),
  aes = unavailable("aes"),
  morus = unavailable("morus"),
  norx = unavailable("norx"),
}
