-- .crypto.util.hex: byte strings <-> hex text.
local hex = { _version = "0.0.1" }

-- stringToHex(s, ln, sep): lowercase hex; with `ln`, groups of `ln` bytes joined by `sep` (default " ")
function hex.stringToHex(s, ln, sep)
  local text = (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
  if ln and ln > 0 then
    local groups = {}
    for i = 1, #text, 2 * ln do groups[#groups + 1] = text:sub(i, i + 2 * ln - 1) end
    text = table.concat(groups, sep or " ")
  end
  return text
end

function hex.hexToString(hs, unsafe)
  if not unsafe and #hs % 2 ~= 0 then error("invalid hex string") end
  return (hs:gsub("%x%x", function(cc) return string.char(tonumber(cc, 16)) end))
end

return hex
