-- .pretty: tprint(tbl, indent) returns a plain `key: value` listing of a table, nested
-- tables one space further in. Keys come in the same order as in stringify's output.
local stringify = require(".stringify")

local pretty = { _version = "0.0.1" }

function pretty.tprint(tbl, indent)
  indent = indent or 0
  local out = ""
  for _, k in ipairs(stringify.displayKeys(tbl)) do
    local v = tbl[k]
    out = out .. string.rep(" ", indent) .. k .. ": "
    if type(v) == "table" then
      out = out .. "\n" .. pretty.tprint(v, indent + 1)
    elseif type(v) == "boolean" then
      out = out .. tostring(v) .. "\n"
    else
      out = out .. v .. "\n"
    end
  end
  return out
end

return pretty
