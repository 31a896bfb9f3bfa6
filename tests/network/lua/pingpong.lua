-- Ping-pong: answer every Ping with a Ping carrying N - 1 until N reaches 0; count what arrived.
Received = Received or 0
Handlers.add("ping", "Ping", function(msg)
  Received = Received + 1
  local n = tonumber(msg.N)
  if n > 0 then
    Send({ Target = msg.From, Action = "Ping", N = tostring(n - 1) })
  end
end)
