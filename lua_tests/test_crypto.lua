-- .crypto: digests against published test vectors (FIPS 180/202, RFC 1319/1320/1321,
-- RFC 7693, Keccak team), PBKDF2 against RFC 6070, HMAC against aos's own results.
local crypto = require(".crypto")
local stream = crypto.utils.stream
local array = crypto.utils.array
local function over(name, s) return crypto.digest[name](stream.fromString(s)).asHex() end

test("stream digests", function()
  assert_eq(over("md2", ""), "8350e5a3e24c153df2275c9f80692773")
  assert_eq(over("md2", "abc"), "da853b0d3f88d99b30283a69e6ded6bb")
  assert_eq(over("md2", "abcdefghijklmnopqrstuvwxyz"), "4e8ddff3650292ab5a4108c3aa47940b")
  assert_eq(over("md4", ""), "31d6cfe0d16ae931b73c59d7e0c089c0")
  assert_eq(over("md4", "abc"), "a448017aaf21d8525fc10ae87aa6729d")
  assert_eq(over("md4", "12345678901234567890123456789012345678901234567890123456789012345678901234567890"),
    "e33b4ddc9c38f2199c3e7b164fcc0536")
  assert_eq(over("md5", ""), "d41d8cd98f00b204e9800998ecf8427e")
  assert_eq(over("md5", "message digest"), "f96b697d7cb7938d525a2f31aaf161d0")
  assert_eq(over("sha1", "abc"), "a9993e364706816aba3e25717850c26c9cd0d89d")
  assert_eq(over("sha1", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
    "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
  assert_eq(over("sha2_256", "abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  assert_eq(over("sha2_256", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
  local r = crypto.digest.sha1(stream.fromString("abc"))
  assert_eq(#r.asBytes(), 20)
  assert_eq(r.asBytes()[1], 0xa9)
  assert_eq(#r.asString(), 20)
end)

test("string digests", function()
  assert_eq(crypto.digest.sha2_512("abc").asHex(),
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
  assert_eq(crypto.digest.sha3_256("").asHex(), "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a")
  assert_eq(crypto.digest.sha3_256("abc").asHex(), "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532")
  assert_eq(crypto.digest.sha3_512("abc").asHex(),
    "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0")
  assert_eq(crypto.digest.keccak256("").asHex(), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
  assert_eq(crypto.digest.keccak256("abc").asHex(), "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
  assert_eq(crypto.digest.keccak512("abc").asHex(),
    "18587dc2ea106b9a1563e32b3312421ca164c7f1f07bc922a9c83d77cea3a1e5d0c69910739025372dc14ac9642629379540c17e2a65b19d77aa511a9d00bb96")
  -- a message that fills whole sponge blocks (136 bytes = the SHA3-256 rate)
  assert_eq(crypto.digest.keccak256(string.rep("y", 136)).asHex(),
    "299eb9c75467c19fbc1653d67b1f49ff3bb50fc9c1c9ce98c205e5ac6a05b9c8")
  assert_eq(crypto.digest.sha3_256("a").asBytes, nil)  -- as in aos: hex and string only
  assert_eq(crypto.digest.blake2b("abc").asHex(),
    "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923")
  assert_eq(crypto.digest.blake2b("abc", 32, "key").asHex(), "0330531d097355a3f72e80d55c1245ccf79f1704431c6e3887938320442c23c0")
  assert_eq(crypto.digest.blake2b("abc", 65), nil)
end)

test("binary input crosses the native bridge unchanged", function()
  local all = {}
  for i = 0, 255 do all[#all + 1] = string.char(i) end
  all = table.concat(all)
  assert_eq(crypto.digest.sha2_512(all).asHex():sub(1, 16), "1e7b80bc8edc552c")
  assert_eq(over("md5", all), "e2c865db4162bed963bfaa9ef6ac18f0")
end)

test("pbkdf2 (RFC 6070) and aos's hmac", function()
  local function kdf(p, s, c, n, d) return crypto.kdf.pbkdf2(array.fromString(p), array.fromString(s), c, n, d).asHex() end
  assert_eq(kdf("password", "salt", 1, 20), "0C60C80F961F0E71F3A9B524AF6012062FE037A6")
  assert_eq(kdf("password", "salt", 4096, 20), "4B007901B765489ABEAD49D926F721D065A429C1")
  assert_eq(kdf("passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 25),
    "3D2EEC4FE41C849B80C8D83662C0E44A8B291A964CF2F07038")
  assert_eq(kdf("password", "salt", 2, 32, "sha256"), "AE4D0C95AF6B46D32D0ADFF928F06DD02A303F8EF3C251DFD6E2D85A95474C43")
  assert_error(function() kdf("p", "s", 1, 16, "md5") end, "Unsupported algorithm: md5")
  local function mac(d, k, a) return crypto.mac.createHmac(stream.fromString(d), array.fromString(k), a).asHex() end
  assert_eq(mac("data", "key"), "21b35b42abbb2c4da5cfeda6791c5a5d75fbf657")
  assert_eq(mac("data", "key", "sha256"), "b54cf2b0ce06ff4392f40824b03d09642608d475ec8bf8fd3bc2e8c45a4d6331")
  assert_eq(mac("data", string.rep("k", 40), "sha256"), "8a22f5535e1b4c0226829280fb22e04289995e3296022aac472ec0fa953f3abb")
  assert_error(function() mac("d", "k", "md5") end, "Unsupported algorithm: md5")
end)

test("a string where a Stream belongs fails as in aos", function()
  local ok, e = pcall(crypto.digest.sha2_256, "abc")
  assert_eq(ok, false)
  assert_true(e:find('^%[string "%.crypto%.digest%.sha2_256"%]:%d+: attempt to call a string value$'), e)
end)

test("utils and module names", function()
  assert_eq(crypto.utils.hex.stringToHex("abcd", 2, ":"), "61:62\n63:64")
  assert_eq(crypto.utils.hex.hexToString("616263"), "abc")
  assert_error(function() crypto.utils.hex.hexToString("41z") end, "invalid hex string")
  assert_eq(array.toHex(array.XOR({ 1, 2 }, { 3, 3 })), "0201")
  assert_eq(stream.toHex(stream.fromHex("0aff")), "0AFF")
  local q = crypto.utils.queue()
  q.push(1) q.push(2)
  assert_eq({ q.pop(), q.size() }, { 1, 1 })
  assert_eq(require(".crypto.digest.init"), crypto.digest)
  assert_eq(type(package.loaded[".crypto.digest.sha3"].keccak256), "function")
  assert_eq(package.loaded[".crypto.internal"], nil)
  assert_eq(package.loaded[".crypto.native"], nil)
end)

test("random is deterministic for a seed", function()
  local a = crypto.random(1, 1000, "seed")
  assert_eq(crypto.random(1, 1000, "seed"), a)
  assert_true(a >= 1 and a <= 1000)
  local e = crypto.cipher.issac.encrypt("hello", "key")
  assert_eq(crypto.cipher.issac.decrypt(e.asString(), "key"), "hello")
  assert_error(function() crypto.cipher.aes.encrypt("x", "k") end, "crypto.cipher.aes is not available in aosrepl")
end)
