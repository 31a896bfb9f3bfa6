"""Messages per second through one process with a trivial handler (prints the figure).

    python3 bench/bench_runtime.py [count]
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aosrepl.runtime.testing import eval_in, make_msg, spawn_process  # noqa: E402


def main(count: int = 20000) -> None:
    p, env = spawn_process(name="bench")
    res = eval_in(p, env, 'Handlers.add("ping", Handlers.utils.hasMatchingTag("Action", "Ping"), '
                          'function(msg) Count = (Count or 0) + 1 end)')
    assert "Output" in res, res
    sender = "B" * 43
    msgs = [make_msg(p, action="Ping", sender=sender, owner=sender, data="x") for _ in range(count)]
    # messages from another process pass the trust gate through the MU authority
    for m in msgs:
        m["Owner"] = "fcoN_xJeisVsPXA-trzVAuIiqO3ydLQxM-L4XbrQKzY"
    start = time.perf_counter()
    for m in msgs:
        p.handle(m, env)
    elapsed = time.perf_counter() - start
    assert eval_in(p, env, "Count")["Output"]["data"] == str(count)
    print(f"handled {count} messages in {elapsed:.2f} s: {count / elapsed:,.0f} messages/s "
          f"({elapsed / count * 1e6:.0f} us each)")

    replies = [make_msg(p, action="Ping", sender=sender, data="x") for _ in range(count // 4)]
    eval_in(p, env, 'Handlers.add("ping", "Ping", function(msg) msg.reply({Data = "pong"}) end)')
    start = time.perf_counter()
    for m in replies:
        m["Owner"] = "fcoN_xJeisVsPXA-trzVAuIiqO3ydLQxM-L4XbrQKzY"
        p.handle(m, env)
    elapsed = time.perf_counter() - start
    n = len(replies)
    print(f"handled {n} messages that each reply in {elapsed:.2f} s: {n / elapsed:,.0f} messages/s")

    spawns = 200
    start = time.perf_counter()
    for _ in range(spawns):
        spawn_process(name="s")
    elapsed = time.perf_counter() - start
    kib = eval_in(p, env, "collectgarbage('count')")["Output"]["data"]
    print(f"spawned and booted {spawns} processes: {elapsed / spawns * 1e3:.1f} ms each; "
          f"a process's Lua heap after the run above: {float(kib):,.0f} KiB")

    evals = 2000
    start = time.perf_counter()
    for _ in range(evals):
        eval_in(p, env, "1+1")
    elapsed = time.perf_counter() - start
    print(f"evaluated {evals} `1+1` in {elapsed:.2f} s: {evals / elapsed:,.0f} evals/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
