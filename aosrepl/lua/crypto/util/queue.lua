-- .crypto.util.queue: `Queue()` makes a FIFO of values with push/pop/size/getHead/getTail/reset.
return function()
  local queue = {}
  local head, tail = 0, 0
  local items = {}
  function queue.push(v)
    items[tail] = v
    tail = tail + 1
  end
  function queue.pop()
    if head == tail then return nil end
    local v = items[head]
    items[head] = nil
    head = head + 1
    return v
  end
  function queue.size() return tail - head end
  function queue.getHead() return head end
  function queue.getTail() return tail end
  function queue.reset()
    items, head, tail = {}, 0, 0
  end
  return queue
end
