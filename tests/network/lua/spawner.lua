-- Spawns a child on request and remembers the Spawned notice it waited for.
Children = Children or {}
Handlers.add("make-child", "MakeChild", function(msg)
  local notice = Spawn(ao._module, { Name = msg.Data, Data = "", ["Child-Tag"] = "yes" }).receive()
  table.insert(Children, notice.Process)
end)
