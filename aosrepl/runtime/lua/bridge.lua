-- bridge.lua: wraps a host callable into an ordinary Lua function. The host callable
-- returns (ok, value); a failure is raised as a Lua error at the caller's position.
-- The host callable stays an upvalue, unreachable from process code.
return function(call)
  return function(...)
    local ok, value = call(...)
    if not ok then error(value, 2) end
    return value
  end
end
