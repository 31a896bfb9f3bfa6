-- Answers every Question with its Data doubled.
Handlers.add("question", "Question", function(msg)
  msg.reply({ Data = tostring(tonumber(msg.Data) * 2) })
end)
