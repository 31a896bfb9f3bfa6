-- .crypto.util.hex: byte strings <-> hex text.
local hex = { _version = "0.0.1" }

-- stringToHex(s, ln, sep): lowercase hex, `sep` (default none) between bytes and a newline
-- after every `ln` bytes instead
function hex.stringToHex(s, ln, sep)
  local out = {}
  local n = #s
  for i = 1, n do
    out[#out + 1] = string.format("%02x", s:byte(i))
    if i < n then
      if ln and i % ln == 0 then
        out[#out + 1] = "\n"
      elseif sep then
        out[#out + 1] = sep
      end
    end
  end
  return table.concat(out)
end

function hex.hexToString(hs, unsafe)
  if not unsafe and #hs % 2 ~= 0 then error("invalid hex string") end
  return (hs:gsub("%x%x", function(cc) return string.char(tonumber(cc, 16)) end))
end

return hex
