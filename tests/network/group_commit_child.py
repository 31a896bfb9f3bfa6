"""Run by test_durability.py in a child process: several threads send numbered messages at once (so that
commits group many of them) and print `ACK <thread> <k>` once each send returns. At the 30th commit that
groups more than one message, the commit stops before writing, prints `IN-COMMIT <units>` and waits to be
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
PRINTING = threading.Lock()   # one line at a time from every thread


def say(*words) -> None:
    with PRINTING:
        print(*words, flush=True)


def main(data_dir: str) -> None:
    net = Network(data_dir, services=False)
    b, c, d = (net.find_or_spawn(name) for name in "bcd")
    for pid, code in ((b, SETUP), (c, PINGPONG), (d, PINGPONG)):
        assert "Error" not in net.eval(pid, code)
    print("READY", b, c, d, flush=True)
    grouped = [0]
    real_write = store.MessageLog._write_batch

    def write_batch(log, rows, number):
        messages = sum(1 for statement, _ in rows if statement is store.INSERT_MESSAGE)
        if messages > 1:
            grouped[0] += 1
            if grouped[0] == 30:
                say("IN-COMMIT", messages)
                time.sleep(60)   # the batch is written by nobody: the parent kills us here
        return real_write(log, rows, number)

    store.MessageLog._write_batch = write_batch
    net.send(c, {"Action": "Eval"}, f'Send({{ Target = "{d}", Action = "Ping", N = "3000" }})')
    def sender(t: int) -> None:
        for k in range(1, 100_000):
            net.send(b, {"Action": "Add", "T": str(t), "K": str(k)})
            say("ACK", t, k)

    for t in range(THREADS):
        threading.Thread(target=sender, args=(t,), daemon=True).start()
    time.sleep(600)


if __name__ == "__main__":
    main(sys.argv[1])
