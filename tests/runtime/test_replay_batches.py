"""A replay crosses into the Lua state once per batch of messages (LuaProcess.replay_many): the state it
rebuilds is the one the messages built live, one at a time."""
from aosrepl.runtime.process import REPLAY_BATCH_MESSAGES
from aosrepl.runtime.testing import WALLET, eval_in, make_id, make_msg, spawn_process

HANDLERS = """
Seen = Seen or {}
Total = Total or 0
Handlers.add("add", "Add", function(msg)
  table.insert(Seen, msg.Id)
  Total = Total + tonumber(msg.N) + (msg.Timestamp % 7)
  if msg.N == "13" then error("thirteen") end      -- an error live is an error in replay too
  Random = (Random or 0) + math.random(1000)         -- seeded from the message
end)
"""


def messages(pid: str) -> list[dict]:
    out = []
    for n in range(3 * REPLAY_BATCH_MESSAGES + 5):
        tags = {"N": str(n)}
        if n == REPLAY_BATCH_MESSAGES + 3:
            # a message not of the usual shape (a tag value that is not text): replayed alone, in its place
            tags = [{"name": "N", "value": str(n)}, {"name": "Odd", "value": 1}]
        out.append(make_msg(pid, action="Add", tags=tags, data="x" * (n % 5)))
    return out


def state(process, env) -> str:
    result = eval_in(process, env, "return table.concat(Seen, ',') .. '|' .. Total .. '|' .. Random .. '|' .. #Inbox")
    assert "Error" not in result, result["Error"]
    return result["Output"]["data"]


def test_a_batched_replay_builds_the_state_the_messages_built_live():
    pid = make_id()
    (live, live_env), (rebuilt, rebuilt_env) = spawn_process(name="a", pid=pid), spawn_process(name="a", pid=pid)
    setup = make_msg(pid, action="Eval", data=HANDLERS, sender=WALLET)
    history = [setup] + messages(pid)
    for msg in history:
        live.handle(msg, live_env)
    rebuilt.replay_many(iter(history), rebuilt_env)
    assert state(rebuilt, rebuilt_env) == state(live, live_env)
    seen = state(live, live_env).split("|")[0].split(",")
    assert seen == [m["Id"] for m in history[1:]]      # each once, in order, the odd one included


def test_a_replay_of_nothing_changes_nothing():
    process, env = spawn_process(name="a")
    before = eval_in(process, env, "return #Inbox")["Output"]["data"]
    process.replay_many(iter([]), env)
    assert eval_in(process, env, "return #Inbox")["Output"]["data"] == before
