"""Run by test_genesis_steps.py in a child process: start a network on a data dir and SIGKILL ourselves right
after the Nth message genesis logs (a spawn, an Eval or a package publish), as a crash or a Ctrl-\\ would."""
import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from aosrepl.network import Network  # noqa: E402


def main(data_dir: str, kill_after: int) -> None:
    logged = 0

    def then_maybe_die(method):
        def wrapper(self, *args, **kwargs):
            nonlocal logged
            result = method(self, *args, **kwargs)   # returns once the message is committed to the log
            logged += 1
            if logged == kill_after:
                os.kill(os.getpid(), signal.SIGKILL)
            return result
        return wrapper

    Network.send = then_maybe_die(Network.send)
    Network.spawn = then_maybe_die(Network.spawn)
    net = Network(data_dir, workers=0)
    print("GENESIS LOGGED", logged, flush=True)
    net.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
