-- .boot: the `_boot` handle, run once on the spawn message: it puts the spawn message
-- in the Inbox and, with `On-Boot = Data`, evaluates the spawn message's Data.
return function(ao, insertInbox, evaluate)
  return function(msg)
    if #Inbox == 0 then insertInbox(msg) end
    local on_boot = msg.Tags and msg.Tags["On-Boot"]
    if on_boot == "Data" then
      evaluate(msg)
    elseif on_boot ~= nil then
      print("On-Boot " .. tostring(on_boot) .. " was not loaded: only On-Boot = Data is available offline")
    end
  end
end
