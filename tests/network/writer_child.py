"""Run by test_writer_process.py in a child process: a network whose log's writer process is in use.

`die`: starts the log's writer process, prints `WRITER <writer pid>` and SIGKILLs itself at once (its writer may
still be starting).
`hold`: prints `READY <writer pid>` and waits to be killed.
`sigint`: sends SIGINT to its own process group (as a Ctrl-C typed at the console does), ignoring it itself,
then logs a message and prints `LOGGED` once it is committed."""
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from aosrepl.network import Network  # noqa: E402
from tests.network.conftest import wait_for_the_writer_process  # noqa: E402


def main(data_dir: str, mode: str) -> None:
    net = Network(data_dir, services=False)
    if mode == "die":
        net.log.start_writer()
        print("WRITER", net.log.writer_pid, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    pid = net.find_or_spawn("a")
    wait_for_the_writer_process(net.log)
    if mode == "hold":
        print("READY", net.log.writer_pid, flush=True)
        time.sleep(600)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.killpg(os.getpgrp(), signal.SIGINT)
    time.sleep(0.2)   # a writer that took the signal would be gone by now
    net.send(pid, {"Action": "Eval"}, "Survived = true")
    print("LOGGED", flush=True)
    net.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
