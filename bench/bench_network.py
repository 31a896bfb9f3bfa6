"""Network throughput: ping-pong messages between two processes (plus concurrent chains), printed as
messages per second. Run: python3 bench/bench_network.py [messages] [chains]"""
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


def main() -> None:
    messages = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    for chains in ([int(sys.argv[2])] if len(sys.argv) > 2 else [1, 4]):
        rate, cpu_rate, replay = run(messages, chains)
        print(f"ping-pong {messages} messages, {chains} chain(s): {rate:,.0f} messages/s "
              f"({cpu_rate:,.0f} per CPU second); restart replays {replay:,.0f} messages/s")


if __name__ == "__main__":
    main()
