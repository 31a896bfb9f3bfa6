-- .handlers-utils: ready-made patterns and handles (Handlers.utils).
local utils = require(".utils")
local _utils = { _version = "0.0.2" }

function _utils.hasMatchingTag(name, value)
  assert(type(name) == "string" and type(value) == "string", "invalid arguments: (name : string, value : string)")
  return function(msg)
    return msg.Tags[name] == value
  end
end

function _utils.hasMatchingTagOf(name, values)
  assert(type(name) == "string" and type(values) == "table", "invalid arguments: (name : string, values : string[])")
  return function(msg)
    for _, value in ipairs(values) do
      local result = _utils.hasMatchingTag(name, value)(msg)
      if result ~= 0 and result ~= false and result ~= "skip" then return result end
    end
    return 0
  end
end

function _utils.hasMatchingData(value)
  assert(type(value) == "string", "invalid arguments: (value : string)")
  return function(msg)
    return msg.Data == value
  end
end

function _utils.reply(input)
  assert(type(input) == "table" or type(input) == "string", "invalid arguments: (input : table or string)")
  return function(msg)
    if type(input) == "string" then
      msg.reply({ Data = input })
      return
    end
    msg.reply(input)
  end
end

function _utils.continue(fn)
  assert(type(fn) == "function" or type(fn) == "string" or type(fn) == "table", "invalid arguments: (fn : function)")
  return function(msg)
    local result = utils.matchesSpec(msg, fn)
    if result == nil or result == false or result == 0 or result == "skip" then
      return result
    end
    return 1
  end
end

return _utils
