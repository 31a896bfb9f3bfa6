-- .base64: base64 (RFC 4648) with pluggable alphabets, as aos's base64 module offers it:
-- encode(str, encoder, usecaching), decode(b64, decoder, usecaching), makeencoder, makedecoder.
local base64 = {}

local char, byte = string.char, string.byte
local LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

-- code 0..63 -> byte of the alphabet, 64 -> the pad byte
function base64.makeencoder(s62, s63, spad)
  local encoder = {}
  for i = 1, #LETTERS do encoder[i - 1] = byte(LETTERS, i) end
  encoder[62] = byte(s62 or "+")
  encoder[63] = byte(s63 or "/")
  encoder[64] = byte(spad or "=")
  return encoder
end

-- byte of the alphabet -> code (the inverse of makeencoder)
function base64.makedecoder(s62, s63, spad)
  local decoder = {}
  for code, b in pairs(base64.makeencoder(s62, s63, spad)) do decoder[b] = code end
  return decoder
end

local DEFAULT_ENCODER = base64.makeencoder()
local DEFAULT_DECODER = base64.makedecoder()

-- the four characters for the 24-bit group v
local function quad(encoder, v)
  return char(encoder[(v >> 18) & 63], encoder[(v >> 12) & 63], encoder[(v >> 6) & 63], encoder[v & 63])
end

function base64.encode(str, encoder, usecaching)
  encoder = encoder or DEFAULT_ENCODER
  local cache = usecaching and {} or nil
  local out = {}
  local n = #str
  local whole = n - n % 3
  for i = 1, whole, 3 do
    local a, b, c = byte(str, i, i + 2)
    local v = (a << 16) | (b << 8) | c
    local text = cache and cache[v]
    if not text then
      text = quad(encoder, v)
      if cache then cache[v] = text end
    end
    out[#out + 1] = text
  end
  local rest = n - whole
  local pad = char(encoder[64])
  if rest == 2 then
    local a, b = byte(str, whole + 1, whole + 2)
    out[#out + 1] = quad(encoder, (a << 16) | (b << 8)):sub(1, 3) .. pad
  elseif rest == 1 then
    local a = byte(str, whole + 1)
    out[#out + 1] = quad(encoder, a << 16):sub(1, 2) .. pad .. pad
  end
  return table.concat(out)
end

local function escape(b) return "%" .. char(b) end

-- the byte a decoder maps to `code` (the decoder's characters 62 and 63)
local function key_of(decoder, code)
  for b, c in pairs(decoder) do
    if c == code then return b end
  end
  return byte("+")
end

function base64.decode(b64, decoder, usecaching)
  decoder = decoder or DEFAULT_DECODER
  -- drop everything that is not a letter, a digit, one of the two extra characters or '='
  local keep = "[^%w" .. escape(key_of(decoder, 62)) .. escape(key_of(decoder, 63)) .. "=]"
  b64 = b64:gsub(keep, "")
  local cache = usecaching and {} or nil
  local n = #b64
  local padding = (b64:sub(-2) == "==") and 2 or ((b64:sub(-1) == "=") and 1 or 0)
  local out = {}
  -- whole groups of four (a group cut short fails on its missing characters, as in aos)
  for i = 1, (padding > 0) and (n - 4) or n, 4 do
    local a, b, c, d = byte(b64, i, i + 3)
    local key = cache and (a << 24 | b << 16 | c << 8 | d)
    local text = cache and cache[key]
    if not text then
      local v = decoder[a] * 262144 + decoder[b] * 4096 + decoder[c] * 64 + decoder[d]
      text = char((v >> 16) & 255, (v >> 8) & 255, v & 255)
      if cache then cache[key] = text end
    end
    out[#out + 1] = text
  end
  if padding == 1 then
    local a, b, c = byte(b64, n - 3, n - 1)
    local v = decoder[a] * 262144 + decoder[b] * 4096 + decoder[c] * 64
    out[#out + 1] = char((v >> 16) & 255, (v >> 8) & 255)
  elseif padding == 2 then
    local a, b = byte(b64, n - 3, n - 2)
    local v = decoder[a] * 262144 + decoder[b] * 4096
    out[#out + 1] = char((v >> 16) & 255)
  end
  return table.concat(out)
end

return base64
