-- A handler that waits for another process's answer in the middle of its work.
Answers = Answers or {}
Handlers.add("ask", "Ask", function(msg)
  table.insert(Answers, "asked")
  local reply = Send({ Target = msg.Peer, Action = "Question", Data = msg.Data }).receive()
  table.insert(Answers, reply.Data)
end)
