"""Run by test_durability.py in a child process: a network doing evals and process-to-process messages,
printing `ACK <i>` after each acknowledged step, until it is killed."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from aosrepl.network import Network  # noqa: E402

SETUP_A = """
Count = Count or 0
"""
SETUP_B = """
Adds = Adds or {}
Directs = Directs or {}
Handlers.add("add", "Add", function(msg) table.insert(Adds, tonumber(msg.N)) end)
Handlers.add("direct", "Direct", function(msg) table.insert(Directs, tonumber(msg.N)) end)
"""


PINGPONG = (Path(__file__).parent / "lua" / "pingpong.lua").read_text()
CHAIN = 3000   # messages bouncing between c and d while the steps run


def main(data_dir: str, steps: int) -> None:
    net = Network(data_dir, services=False)
    a, b, c, d = (net.find_or_spawn(name) for name in "abcd")
    for pid, code in ((a, SETUP_A), (b, SETUP_B), (c, PINGPONG), (d, PINGPONG)):
        assert "Error" not in net.eval(pid, code)
    assert "Error" not in net.eval(c, f'Send({{ Target = "{d}", Action = "Ping", N = "{CHAIN - 1}" }})')
    print("READY", a, b, c, d, flush=True)
    for i in range(1, steps + 1):
        result = net.eval(a, f'Count = {i}; Send({{ Target = "{b}", Action = "Add", N = "{i}" }}); return Count')
        assert result["Output"]["data"] == str(i), result
        net.send(b, {"Action": "Direct", "N": str(i)})
        print("ACK", i, flush=True)
    net.run_until_idle(60)
    print("DONE", flush=True)
    net.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
