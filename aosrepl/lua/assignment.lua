-- .assignment: which assigned messages (Target ~= this process) the process accepts.
local utils = require(".utils")

return function(ao)
  ao.assignables = ao.assignables or {}

  -- addAssignable([name,] matchSpec): replaces the entry with the same name
  function ao.addAssignable(...)
    local name, spec
    if select("#", ...) >= 2 then name, spec = ... else spec = ... end
    assert(type(spec) == "table" or type(spec) == "function" or type(spec) == "string",
      "MatchSpec must be a string, table, or function")
    if name ~= nil then
      assert(type(name) == "string", "Name must be a string")
      for i, o in ipairs(ao.assignables) do
        if o.name == name then
          ao.assignables[i] = { name = name, pattern = spec }
          return
        end
      end
    end
    table.insert(ao.assignables, { name = name, pattern = spec })
  end

  function ao.removeAssignable(nameOrIndex)
    if type(nameOrIndex) == "number" then
      assert(nameOrIndex >= 1 and nameOrIndex <= #ao.assignables, "index out of range")
      table.remove(ao.assignables, nameOrIndex)
      return
    end
    assert(type(nameOrIndex) == "string", "index MUST be a number or string")
    for i, o in ipairs(ao.assignables) do
      if o.name == nameOrIndex then
        table.remove(ao.assignables, i)
        return
      end
    end
  end

  function ao.isAssignment(msg)
    return msg.Target ~= nil and msg.Target ~= ao.id
  end

  function ao.isAssignable(msg)
    for _, o in ipairs(ao.assignables) do
      local m = utils.matchesSpec(msg, o.pattern)
      if m and m ~= 0 and m ~= "skip" then return true end
    end
    return false
  end
end
