"""Network.preload: a process's state is rebuilt in the background at start (the console asks for it while the
services start); a message that arrives meanwhile waits for that load instead of starting a second one."""
import threading

from aosrepl.network import Network
from aosrepl.network.runner import ProcessRunner

HISTORY = 300


def a_process_with_history(data_dir) -> str:
    with Network(data_dir, services=False) as net:
        pid = net.spawn("p")
        net.eval(pid, "N = 0")
        for _ in range(HISTORY):
            net.send(pid, {"Action": "Eval"}, "N = N + 1")
        assert net.run_until_idle(60)
    return pid


def test_a_message_during_the_preload_waits_for_it_and_the_state_is_built_once(tmp_path, monkeypatch):
    pid = a_process_with_history(tmp_path)
    replays = []
    original = ProcessRunner.replay

    def counted(self, lua, rec):
        replays.append(rec.id)
        return original(self, lua, rec)

    monkeypatch.setattr(ProcessRunner, "replay", counted)
    for _ in range(5):   # the message may arrive before, during or after the load: each time the same answer
        replays.clear()
        with Network(tmp_path, services=False) as net:
            net.preload(pid)
            answers = []
            readers = [threading.Thread(target=lambda: answers.append(net.eval(pid, "N")["Output"]["data"]))
                       for _ in range(3)]
            for reader in readers:
                reader.start()
            for reader in readers:
                reader.join(60)
            assert answers == [str(HISTORY)] * 3
        assert replays.count(pid) == 1


def test_preloading_an_unknown_or_loaded_process_does_nothing(tmp_path):
    pid = a_process_with_history(tmp_path)
    with Network(tmp_path, services=False) as net:
        net.preload("x" * 43)                      # not a process here
        assert net.eval(pid, "N")["Output"]["data"] == str(HISTORY)
        net.preload(pid)                           # already loaded
        assert net.eval(pid, "N + 1")["Output"]["data"] == str(HISTORY + 1)


def test_a_network_opened_with_preload_builds_that_process_before_the_services_start(tmp_path, monkeypatch):
    """`Network(preload=NAME)` (what `aos NAME` opens): the wallet's process NAME starts rebuilding before genesis
    runs, so its replay overlaps the services' start; the console's own preload of it then does nothing."""
    from aosrepl.network import genesis

    pid = a_process_with_history(tmp_path)
    replays = []
    original_replay = ProcessRunner.replay

    def counted(self, lua, rec):
        replays.append(rec.id)
        return original_replay(self, lua, rec)

    started_by_genesis = []
    original_genesis = genesis.run

    def noting_genesis(net):
        started_by_genesis.append(pid in net._preloaded)
        return original_genesis(net)

    monkeypatch.setattr(ProcessRunner, "replay", counted)
    monkeypatch.setattr(genesis, "run", noting_genesis)
    with Network(tmp_path, workers=0, preload="p") as net:
        assert started_by_genesis == [True]
        net.preload(pid)
        assert net.eval(pid, "N")["Output"]["data"] == str(HISTORY)
    assert replays.count(pid) == 1


def test_preload_names_that_are_not_the_wallets_processes_do_nothing(tmp_path):
    pid = a_process_with_history(tmp_path)
    with Network(tmp_path, services=False, preload="no-such-name") as net:
        assert net._preloaded == set()
    with Network(tmp_path, services=False, preload=pid) as net:   # an id works too
        assert net._preloaded == {pid}
