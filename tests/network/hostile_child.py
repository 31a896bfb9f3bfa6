"""Run by test_hostile.py in a child process: start a network on a data dir; with "spin" as the second
argument, also send an Eval that runs (for practical purposes) forever. Prints READY once started; the
test kills it while the Eval runs."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from aosrepl.network import Network  # noqa: E402
from aosrepl.network.errors import NetworkTimeout  # noqa: E402
from aosrepl.runtime import ProcessLimits  # noqa: E402


def main(data_dir: str, mode: str) -> None:
    Network.process_limits = ProcessLimits(instructions=10 ** 15)
    net = Network(data_dir, services=False, deterministic=True)
    pid = net.find_or_spawn("a")
    if mode == "spin":
        net.send(pid, {"Action": "Eval"}, "Spins = (Spins or 0) + 1 while true do end")
    print("READY", pid, flush=True)
    try:
        result = net.eval(pid, "return 'alive'", timeout=60)
        print("RESULT", (result.get("Output") or {}).get("data") or result.get("Error"), flush=True)
    except NetworkTimeout:
        print("TIMEOUT", flush=True)
    net.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
