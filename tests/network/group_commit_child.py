"""Run by test_durability.py in a child process: several threads send numbered messages at once (so that
commits group many of them) and print `ACK <thread> <k>` once each send returns. At the 30th commit that
groups more than one unit, the commit stops before writing, prints `IN-COMMIT <units>` and waits to be
killed."""
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from aosrepl.network import Network, store  # noqa: E402

THREADS = 4
SETUP = """
Got = Got or {}
Handlers.add("add", "Add", function(msg) table.insert(Got, msg.T .. ":" .. msg.K) end)
"""
PINGPONG = (Path(__file__).parent / "lua" / "pingpong.lua").read_text()


def main(data_dir: str) -> None:
    net = Network(data_dir, services=False)
    b, c, d = (net.find_or_spawn(name) for name in "bcd")
    for pid, code in ((b, SETUP), (c, PINGPONG), (d, PINGPONG)):
        assert "Error" not in net.eval(pid, code)
    print("READY", b, c, d, flush=True)
    grouped = [0]
    real_commit = store.MessageLog._commit

    def commit(log):
        if log.batch_units > 1:
            grouped[0] += 1
            if grouped[0] == 30:
                print("IN-COMMIT", log.batch_units, flush=True)
                time.sleep(60)   # the batch is written by nobody: the parent kills us here
        real_commit(log)

    store.MessageLog._commit = commit
    net.send(c, {"Action": "Eval"}, f'Send({{ Target = "{d}", Action = "Ping", N = "3000" }})')
    lock = threading.Lock()

    def sender(t: int) -> None:
        for k in range(1, 100_000):
            net.send(b, {"Action": "Add", "T": str(t), "K": str(k)})
            with lock:
                print("ACK", t, k, flush=True)

    for t in range(THREADS):
        threading.Thread(target=sender, args=(t,), daemon=True).start()
    time.sleep(600)


if __name__ == "__main__":
    main(sys.argv[1])
