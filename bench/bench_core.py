"""The network core's figures (issue 14), all from one run so that ratios are measured side by side:

  - ping-pong messages/s between two processes through the public Network API, every message durably logged;
  - the floor: the same handlers chained through the process runtime alone (no network, no log), and the
    ratio network / floor;
  - two chains at once (four processes) against one chain: the scaling factor;
  - two busy processes at once (each message runs a long Lua loop) against one: the scaling factor;
  - the WAL's peak size during a burst of messages, sampled every 5 ms;
  - replay after a restart: messages/s and the peak memory it adds (measured in a fresh process);
  - dry-run latency in a process with half the burst in its history;
  - the console: in-console eval round trip and `aos t --run '1+1'` wall time.

  - threads in use while many processes are spawned at once (the scheduler's pool is fixed).

Usage: python3 bench/bench_core.py [--messages 10000] [--burst 100000] [--spawns 200] [--runs 10] [--no-console]
CPU figures (messages per CPU second) are printed too: they are what to compare on a shared machine.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aosrepl.network import Network  # noqa: E402
from aosrepl.runtime.testing import AUTHORITY, make_msg, spawn_process  # noqa: E402

PINGPONG = (ROOT / "tests" / "network" / "lua" / "pingpong.lua").read_text()

# A busy process: each Work message runs a Lua loop of `Loops` steps.
WORKER = """
Done = Done or 0
Handlers.add("work", "Work", function(msg)
  local s = 0
  for i = 1, tonumber(msg.Loops) do s = s + i % 7 end
  Done = Done + 1
end)
"""
# (loop steps per message, messages per process): about 1.5 ms and 15 ms of Lua a message here
BUSY_RUNS = ((100_000, 200), (1_000_000, 40))


def unlimited(net: Network) -> Network:
    """Lift the per-process message rate limit (a guard against message loops, 10,000 per 10 s): a fast
    ping-pong chain is exactly what it stops, and here it is what is measured."""
    net._limits.per_window = 10 ** 12
    return net


def chain_code(target: str, count: int) -> str:
    """The Eval that starts a chain of `count` messages (N counts down to 0)."""
    return f'Send({{Target = "{target}", Action = "Ping", N = "{count - 1}"}})'


def network_pingpong(data_dir: Path, messages: int, chains: int) -> tuple[float, float]:
    """(messages per wall second, per CPU second) for `chains` chains of `messages` each, run at once."""
    with unlimited(Network(data_dir, services=False)) as net:
        pairs = [(net.spawn(f"a{i}"), net.spawn(f"b{i}")) for i in range(chains)]
        for pid in [p for pair in pairs for p in pair]:
            net.eval(pid, PINGPONG)
        start, cpu = time.perf_counter(), network_cpu(net)
        for a, b in pairs:
            net.send(a, {"Action": "Eval"}, chain_code(b, messages))
        assert net.run_until_idle(timeout=3600)
        elapsed, cpu = time.perf_counter() - start, network_cpu(net) - cpu
        for a, b in pairs:
            got = sum(int(net.eval(pid, "Received")["Output"]["data"]) for pid in (a, b))
            assert got == messages, got
    total = messages * chains
    return total / elapsed, total / cpu


def busy_processes(data_dir: Path, loops: int, messages: int, processes: int) -> float:
    """Messages per wall second when `processes` busy processes each handle `messages` Work messages of `loops`
    loop steps at once (all sent up front by one more process, in one Eval), every message durably logged."""
    with unlimited(Network(data_dir, services=False)) as net:
        workers = [net.spawn(f"w{i}") for i in range(processes)]
        for pid in workers:
            net.eval(pid, WORKER)
        source = net.spawn("source")
        targets = ", ".join(f'"{pid}"' for pid in workers)
        code = (f"for _ = 1, {messages} do for _, t in ipairs({{{targets}}}) do "
                f"Send({{Target = t, Action = 'Work', Loops = '{loops}'}}) end end")
        start = time.perf_counter()
        net.send(source, {"Action": "Eval"}, code)
        assert net.run_until_idle(timeout=3600)
        elapsed = time.perf_counter() - start
        for pid in workers:
            done = net.eval(pid, "Done")["Output"]["data"]
            assert done == str(messages), done
    return messages * processes / elapsed


def network_cpu(net: Network) -> float:
    """CPU seconds used so far by this process and the network log's writer process."""
    writer = net.log.writer_pid   # None when the log has no writer process (the committer writes)
    return time.process_time() + (process_cpu(writer) if writer is not None else 0.0)


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of another process (Linux: /proc/<pid>/stat, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def runtime_floor(messages: int) -> tuple[float, float]:
    """The same ping-pong handlers, chained by hand through two LuaProcess objects: no network, no log."""
    (a, env_a), (b, env_b) = spawn_process(name="a"), spawn_process(name="b")
    procs = {a.process_id: (a, env_a), b.process_id: (b, env_b)}
    for proc, env in procs.values():
        proc.handle(make_msg(proc, action="Eval", data=PINGPONG), env)
    msg = make_msg(b, action="Ping", sender=a.process_id, owner=AUTHORITY, tags={"N": str(messages - 1)})
    start, cpu = time.perf_counter(), time.process_time()
    handled = 0
    while msg is not None:
        proc, env = procs[msg["Target"]]
        result = proc.handle(msg, env)
        handled += 1
        out = result.get("Messages") or []
        msg = None
        if out:
            sent = out[0]
            msg = make_msg(sent["Target"], sender=proc.process_id, owner=AUTHORITY, tags=sent["Tags"])
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert handled == messages, handled
    return messages / elapsed, messages / cpu


def burst(data_dir: Path, messages: int) -> dict:
    """One chain of `messages`, sampling the WAL's size; then the dry-run latency in the chain's first process."""
    wal = data_dir / "aosrepl.db-wal"
    peak = [0]
    stop = threading.Event()

    def sample():
        while not stop.wait(0.005):
            try:
                peak[0] = max(peak[0], wal.stat().st_size)
            except OSError:
                pass

    with unlimited(Network(data_dir, services=False)) as net:
        a, b = net.spawn("a"), net.spawn("b")
        for pid in (a, b):
            net.eval(pid, PINGPONG)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        start = time.perf_counter()
        net.send(a, {"Action": "Eval"}, chain_code(b, messages))
        assert net.run_until_idle(timeout=3600)
        elapsed = time.perf_counter() - start
        stop.set()
        sampler.join()
        dry = []
        for _ in range(7):
            t = time.perf_counter()
            assert net.dryrun(a, "Received")["Output"]["data"] == str(messages // 2)
            dry.append(time.perf_counter() - t)
    return {"a": a, "b": b, "rate": messages / elapsed, "wal_peak": peak[0], "dryrun": statistics.median(dry)}


def quick_spawns(data_dir: Path, count: int) -> tuple[int, int, float]:
    """Spawn `count` processes as fast as possible; returns (peak threads seen, scheduler pool size, seconds
    until every one of them is up and idle)."""
    peak = [threading.active_count()]
    with Network(data_dir, services=False) as net:
        start = time.perf_counter()
        for i in range(count):
            net.spawn(f"p{i}")
            peak[0] = max(peak[0], threading.active_count())
        while not net.run_until_idle(timeout=0.05):
            peak[0] = max(peak[0], threading.active_count())
        seconds = time.perf_counter() - start
        pool = net._scheduler.size
    return peak[0], pool, seconds


def replay_in_child(data_dir: Path, pids: list[str]) -> dict:
    """Restart on `data_dir` in a fresh Python and replay `pids`; returns seconds and the memory it added."""
    code = f"""
import json, sys, time
sys.path.insert(0, {str(ROOT)!r})
from aosrepl.network import Network

def kib(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1])

with Network({str(data_dir)!r}, services=False) as net:
    before = kib("VmRSS:")
    start = time.perf_counter()
    for pid in {pids!r}:
        net.eval(pid, "Received", timeout=3600)
    seconds = time.perf_counter() - start
    print(json.dumps({{"seconds": seconds, "added_kib": kib("VmHWM:") - before}}))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the replay child failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--burst", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--spawns", type=int, default=200)
    parser.add_argument("--no-console", action="store_true")
    args = parser.parse_args()
    n = args.messages
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory() as tmp:
        # alternate network and floor runs so that both see the same machine
        net_runs, floor_runs = [], []
        for i in range(2):
            net_runs.append(network_pingpong(Path(tmp) / f"one{i}", n, 1))
            floor_runs.append(runtime_floor(n))
        net_rate, net_cpu = max(net_runs)
        floor_rate, floor_cpu = max(floor_runs)
        print(f"ping-pong through the network, durably logged: {net_rate:,.0f} msg/s ({net_cpu:,.0f} per CPU s; "
              f"{1e6 / net_cpu:.0f} us CPU per message)")
        print(f"the same handlers through the runtime alone (floor): {floor_rate:,.0f} msg/s "
              f"({floor_cpu:,.0f} per CPU s)")
        print(f"network / floor: {net_rate / floor_rate:.2f} (wall), {net_cpu / floor_cpu:.2f} (CPU)")
        two_rate, two_cpu = network_pingpong(Path(tmp) / "two", n, 2)
        one_rate, _ = network_pingpong(Path(tmp) / "one-again", n, 1)
        print(f"two chains at once: {two_rate:,.0f} msg/s vs one chain {one_rate:,.0f} msg/s: "
              f"{two_rate / one_rate:.2f}x")
        for loops, count in BUSY_RUNS:
            busy_one = busy_processes(Path(tmp) / f"busy-one-{loops}", loops, count, 1)
            busy_two = busy_processes(Path(tmp) / f"busy-two-{loops}", loops, count, 2)
            print(f"two busy processes at once: {busy_two:,.0f} msg/s vs one {busy_one:,.0f} msg/s "
                  f"({1000 / busy_one:.1f} ms a message): {busy_two / busy_one:.2f}x")
        data = Path(tmp) / "burst"
        result = burst(data, args.burst)
        print(f"burst of {args.burst:,} messages: {result['rate']:,.0f} msg/s; WAL peak "
              f"{result['wal_peak'] / (1 << 20):.1f} MiB")
        print(f"dry-run in a process with {args.burst // 2:,} messages of history: "
              f"{result['dryrun'] * 1000:.1f} ms (median of 7)")
        replay = replay_in_child(data, [result["a"], result["b"]])
        print(f"restart replay of {args.burst:,} messages: {args.burst / replay['seconds']:,.0f} msg/s; "
              f"peak memory added {replay['added_kib'] / 1024:.1f} MiB")
        threads, pool, seconds = quick_spawns(Path(tmp) / "spawns", args.spawns)
        print(f"{args.spawns} quick spawns: at most {threads} threads in the whole program "
              f"(scheduler pool: {pool}); all up in {seconds:.2f} s")
    if not args.no_console:
        import bench_console
        with tempfile.TemporaryDirectory() as tmp:
            # as an installed program runs: with its bytecode cached (kept out of the tree, in tmp)
            os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
            os.environ["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
            data_dir = Path(tmp) / "data"
            bench_console.time_run(data_dir, 1)   # genesis of a new data dir
            runs = bench_console.time_run(data_dir, args.runs)
            print(f"aos t --run '1+1' wall time: median {statistics.median(runs):.3f} s, min {min(runs):.3f} s")
            imports = bench_console.time_imports(args.runs)
            print(f"  of which Python starting and importing aosrepl: median {statistics.median(imports):.3f} s")
            library = bench_console.time_imports(args.runs, bench_console.LIBRARY_IMPORTS)
            print(f"  (Python starting and importing only the standard modules and lupa that aosrepl uses: median "
                  f"{statistics.median(library):.3f} s)")
            trips, _ = bench_console.time_console(data_dir, max(args.runs, 20))
            print(f"in-console eval round trip: median {statistics.median(trips) * 1000:.1f} ms")
            for what, code in (("a bare prompt_toolkit PromptSession", bench_console.BARE_PROMPT_SESSION),
                               ("one bare long-running prompt_toolkit Application", bench_console.BARE_APPLICATION)):
                floor = bench_console.time_bare_prompt_toolkit(max(args.runs, 20), code)
                print(f"the same round trip through {what} (no network, no aosrepl): "
                      f"median {statistics.median(floor) * 1000:.1f} ms")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    os.environ.pop("AOSREPL_HOME", None)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
