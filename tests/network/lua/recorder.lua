-- Records the Action and sender of every message it is given (assignments included).
Seen = Seen or {}
Handlers.add("record", function(msg) return msg.Action ~= nil and msg.Action ~= "Eval" end, function(msg)
  table.insert(Seen, msg.Action .. ":" .. msg.From)
end)
