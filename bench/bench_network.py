"""Network figures: ping-pong throughput between two processes (one chain, then concurrent chains), replay
speed after a restart, and start-up times (genesis, then a restart up to the first Eval result).
Run: python3 bench/bench_network.py [messages] [chains]"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aosrepl.network import Network  # noqa: E402

PINGPONG = (ROOT / "tests" / "network" / "lua" / "pingpong.lua").read_text()


def run(messages: int, chains: int) -> tuple[float, float, float]:
    """Returns (messages per wall second, messages per CPU second, messages replayed per second after a
    restart). The CPU figure is the one to compare when other programs share the machine."""
    with tempfile.TemporaryDirectory() as tmp:
        with Network(tmp, services=False) as net:
            a, b = net.spawn("a"), net.spawn("b")
            for pid in (a, b):
                net.eval(pid, PINGPONG)
            per_chain = messages // chains
            start, cpu = time.perf_counter(), time.process_time()
            for _ in range(chains):
                # the Eval's Send starts a chain of per_chain messages (N counts down to 0)
                net.eval(a, f'Send({{Target = "{b}", Action = "Ping", N = "{per_chain - 1}"}})')
            assert net.run_until_idle(timeout=600)
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
            got = sum(int(net.eval(pid, "Received")["Output"]["data"]) for pid in (a, b))
            assert got == per_chain * chains, got
        with Network(tmp, services=False) as net:
            start = time.perf_counter()
            assert net.eval(a, "Received")["Output"]["data"] == str(got // 2)   # a's history is replayed first
            replay = time.perf_counter() - start
        return got / elapsed, got / cpu, (got // 2) / replay


def startup() -> tuple[float, float, float]:
    """(first boot with genesis until idle, restart + Eval '1+1' in the user's process, restart until idle)."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        with Network(tmp) as net:
            net.find_or_spawn("t")
            assert net.run_until_idle(timeout=120)
        genesis = time.perf_counter() - start
        start = time.perf_counter()
        with Network(tmp) as net:
            assert net.eval(net.find_or_spawn("t"), "1+1")["Output"]["data"] == "2"
            first_eval = time.perf_counter() - start
            assert net.run_until_idle(timeout=120)
            idle = time.perf_counter() - start
        return genesis, first_eval, idle


def main() -> None:
    genesis, first_eval, idle = startup()
    print(f"start-up: first boot with genesis {genesis * 1000:.0f} ms; restart to first Eval result "
          f"{first_eval * 1000:.0f} ms (idle after {idle * 1000:.0f} ms)")
    messages = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    for chains in ([int(sys.argv[2])] if len(sys.argv) > 2 else [1, 4]):
        rate, cpu_rate, replay = run(messages, chains)
        print(f"ping-pong {messages} messages, {chains} chain(s): {rate:,.0f} messages/s "
              f"({cpu_rate:,.0f} per CPU second); restart replays {replay:,.0f} messages/s")


if __name__ == "__main__":
    main()
