"""The log's writer process (aosrepl/network/writer_process.py): it holds the data dir while it may still
write, and what is typed at the console's terminal is not for it."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aosrepl.network import Network
from aosrepl.network.errors import DataDirError
from tests.network.conftest import ev

CHILD = Path(__file__).parent / "writer_child.py"


def alive(pid: int) -> bool:
    """Running (a zombie, ended but not yet reaped by whoever adopted it, is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def test_the_writer_of_a_killed_network_holds_the_data_dir_until_it_is_gone(tmp_path):
    """Killed, a network leaves its writer with the batch in hand: while that writer lives (frozen here, as
    if its last commit took long), no new network may open the log; once it has finished, one may."""
    data = tmp_path / "data"
    child = subprocess.Popen([sys.executable, str(CHILD), str(data), "hold"], stdout=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline().split()
        assert line[:1] == ["READY"], line
        writer = int(line[1])
        os.kill(writer, signal.SIGSTOP)
        child.kill()
        child.wait(30)
        with pytest.raises(DataDirError, match="in use by another aosrepl network"):
            Network(data, services=False)
        os.kill(writer, signal.SIGCONT)   # it reads the end of its pipe and stops
        wait_gone(writer)
        with Network(data, services=False) as net:
            assert ev(net, net.find_or_spawn("a"), "1 + 1") == "2"
    finally:
        child.kill()
        child.stdout.close()


def wait_gone(pid: int) -> None:
    deadline = time.monotonic() + 30
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not alive(pid)


@pytest.mark.parametrize("attempt", range(5))
def test_a_network_killed_while_its_writer_starts_leaves_the_log_as_a_kill_does(tmp_path, attempt):
    """The writer finds its network gone (its pipes broken) and stops without closing the database: a clean
    close would delete the WAL, and the next start would then warn that acknowledged messages may be lost."""
    data = tmp_path / "data"
    child = subprocess.run([sys.executable, str(CHILD), str(data), "die"], capture_output=True, text=True,
                           timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stderr
    wait_gone(int(child.stdout.split()[1]))
    assert (data / "aosrepl.db-wal").exists()
    with Network(data, services=False) as net:
        assert net.notices == []


def test_a_ctrl_c_at_the_console_does_not_reach_the_writer(tmp_path):
    data = tmp_path / "data"
    done = subprocess.run([sys.executable, str(CHILD), str(data), "sigint"], capture_output=True, text=True,
                          timeout=120, start_new_session=True)   # its own group: the SIGINT stays there
    assert done.stdout.split() == ["LOGGED"], (done.stdout, done.stderr)
    with Network(data, services=False) as net:
        assert ev(net, net.find_or_spawn("a"), "tostring(Survived)") == "true"
