-- Forwards each Hop to the next peer in Peers until its TTL runs out; records origin:seq:ttl in the order it handled them.
Seen = Seen or {}
Handlers.add("hop", "Hop", function(msg)
  table.insert(Seen, msg.Origin .. ":" .. msg.Seq .. ":" .. msg.TTL)
  local ttl = tonumber(msg.TTL)
  if ttl > 0 then
    local next_peer = Peers[(tonumber(msg.Seq) + ttl) % #Peers + 1]
    Send({ Target = next_peer, Action = "Hop", Origin = msg.Origin, Seq = msg.Seq, TTL = tostring(ttl - 1) })
  end
end)
