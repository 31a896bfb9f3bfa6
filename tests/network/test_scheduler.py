"""The scheduler: a fixed pool of threads, however many processes are busy at once."""
import threading

from aosrepl.network import Network


def test_many_busy_processes_share_a_fixed_pool_of_threads(tmp_path):
    with Network(tmp_path, services=False, workers=0) as net:
        pids = [net.spawn(f"p{i}") for i in range(24)]
        for pid in pids:
            net.send(pid, {"Action": "Eval"}, "local n = 0; for i = 1, 200000 do n = n + i end; Done = n")
        peak = threading.active_count()
        while not net.run_until_idle(timeout=0.01):
            peak = max(peak, threading.active_count())
        assert net._scheduler.thread_count() <= net._scheduler.size
        assert all(net.eval(pid, "Done")["Output"]["data"] == "20000100000" for pid in pids)
    assert peak <= net._scheduler.size + 4   # the pool, the committer, the clock and this thread
