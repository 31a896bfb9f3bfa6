-- .eval: the `_eval` handle. Runs the message Data as Lua (as an expression first,
-- then as statements); the result is logged after anything the code printed.
local stringify = require(".stringify")

return function(ao)
  return function(msg)
    local code = msg.Data
    if type(code) ~= "string" then code = "" end
    local fn, err = load("return " .. code, "aos", "t", _G)
    if not fn then fn, err = load(code, "aos", "t", _G) end
    if not fn then
      ao.outbox.Error = err
      return
    end
    local output, e = fn()
    if e then
      ao.outbox.Error = e
      return
    end
    if output then
      if type(output) == "table" then
        table.insert(HANDLER_PRINT_LOGS, stringify.format(output))
      else
        table.insert(HANDLER_PRINT_LOGS, tostring(output))
      end
    end
  end
end
