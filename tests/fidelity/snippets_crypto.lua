crypto = require(".crypto") return crypto._version
%%
local t = {} for k in pairs(crypto.digest) do t[#t+1] = k end table.sort(t) return table.concat(t, " ")
%%
local t = {} for k in pairs(crypto.utils) do t[#t+1] = k end table.sort(t) return table.concat(t, " ")
%%
local t = {} for k in pairs(crypto.cipher) do t[#t+1] = k end table.sort(t) return table.concat(t, " ")
%%
local t = {} for k in pairs(crypto.mac) do t[#t+1] = k end table.sort(t) return table.concat(t, " ")
%%
local t = {} for k in pairs(crypto.kdf) do t[#t+1] = k end table.sort(t) return table.concat(t, " ")
%%
type(crypto.random)
%%
crypto.digest.md5(crypto.utils.stream.fromString("abc")).asHex()
%%
crypto.digest.md5(crypto.utils.stream.fromString("")).asHex()
%%
crypto.digest.md4(crypto.utils.stream.fromString("abc")).asHex()
%%
crypto.digest.md4(crypto.utils.stream.fromString("")).asHex()
%%
crypto.digest.md2(crypto.utils.stream.fromString("abc")).asHex()
%%
crypto.digest.md2(crypto.utils.stream.fromString("")).asHex()
%%
crypto.digest.sha1(crypto.utils.stream.fromString("abc")).asHex()
%%
crypto.digest.sha1(crypto.utils.stream.fromString("")).asHex()
%%
crypto.digest.sha2_256(crypto.utils.stream.fromString("abc")).asHex()
%%
crypto.digest.sha2_256(crypto.utils.stream.fromString("")).asHex()
%%
crypto.digest.sha2_256(crypto.utils.stream.fromString(string.rep("a", 1000))).asHex()
%%
crypto.digest.sha2_512("abc").asHex()
%%
crypto.digest.sha2_512("").asHex()
%%
crypto.digest.sha3_256("abc").asHex()
%%
crypto.digest.sha3_256("").asHex()
%%
crypto.digest.sha3_512("abc").asHex()
%%
crypto.digest.keccak256("abc").asHex()
%%
crypto.digest.keccak256("").asHex()
%%
crypto.digest.keccak512("abc").asHex()
%%
crypto.digest.blake2b("abc").asHex()
%%
crypto.digest.blake2b("").asHex()
%%
crypto.digest.blake2b("abc", 32).asHex()
%%
crypto.digest.blake2b("abc", 32, "key").asHex()
%%
crypto.digest.sha2_256(crypto.utils.stream.fromString("The quick brown fox jumps over the lazy dog")).asHex()
%%
crypto.digest.md5(crypto.utils.stream.fromString("The quick brown fox jumps over the lazy dog")).asHex()
%%
crypto.digest.sha3_256(string.rep("x", 200)).asHex()
%%
crypto.digest.keccak256(string.rep("y", 136)).asHex()
%%
#crypto.digest.sha1(crypto.utils.stream.fromString("abc")).asBytes()
%%
crypto.digest.sha1(crypto.utils.stream.fromString("abc")).asBytes()[1]
%%
#crypto.digest.sha2_512("abc").asString()
%%
local r = crypto.digest.md5(crypto.utils.stream.fromString("a")) local t = {} for k in pairs(r) do t[#t+1] = k end table.sort(t) return table.concat(t, " ")
%%
local r = crypto.digest.sha3_256("a") local t = {} for k in pairs(r) do t[#t+1] = k end table.sort(t) return table.concat(t, " ")
%%
crypto.utils.hex.stringToHex("abc")
%%
crypto.utils.hex.hexToString("616263")
%%
local ok, e = pcall(crypto.utils.hex.hexToString, "zz") return tostring(ok)
%%
crypto.utils.stream.toString(crypto.utils.stream.fromString("hey"))
%%
crypto.utils.stream.toHex(crypto.utils.stream.fromString("hey"))
%%
crypto.utils.array.toHex(crypto.utils.array.fromString("hey"))
%%
crypto.utils.array.fromString("AB")
%%
crypto.utils.array.toString({104, 105})
%%
crypto.utils.array.size({1, 2, 3})
%%
crypto.mac.createHmac(crypto.utils.stream.fromString("data"), crypto.utils.array.fromString("key")).asHex()
%%
crypto.mac.createHmac(crypto.utils.stream.fromString("data"), crypto.utils.array.fromString("key"), "sha256").asHex()
%%
crypto.mac.createHmac(crypto.utils.stream.fromString("The quick brown fox jumps over the lazy dog"), crypto.utils.array.fromString("key"), "sha256").asHex()
%%
local ok, e = pcall(crypto.mac.createHmac, crypto.utils.stream.fromString("d"), crypto.utils.array.fromString("k"), "md5") return tostring(ok) .. " " .. tostring(e)
%%
crypto.kdf.pbkdf2(crypto.utils.array.fromString("password"), crypto.utils.array.fromString("salt"), 1, 20).asHex()
%%
crypto.kdf.pbkdf2(crypto.utils.array.fromString("password"), crypto.utils.array.fromString("salt"), 2, 20).asHex()
%%
crypto.kdf.pbkdf2(crypto.utils.array.fromString("password"), crypto.utils.array.fromString("salt"), 2, 32, "sha256").asHex()
%%
local ok, e = pcall(crypto.kdf.pbkdf2, crypto.utils.array.fromString("p"), crypto.utils.array.fromString("s"), 1, 16, "md5") return tostring(ok) .. " " .. tostring(e)
%%
package.loaded[".crypto.digest.sha3"] ~= nil
%%
package.loaded[".crypto.init"] == crypto
%%
require(".crypto.digest.init") == crypto.digest
%%
type(require(".crypto.util.hex").stringToHex)
%%
local s = crypto.utils.stream.fromString("ab") return tostring(s()) .. "," .. tostring(s()) .. "," .. tostring(s())
%%
crypto.utils.hex.stringToHex("\0\255")
