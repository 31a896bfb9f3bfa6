"""Llama inference figures: `Llama.run` end to end through the local AO network (user process -> wAR ->
herder -> worker -> herder -> user process) against llama-cpp-python called directly, on the same model,
prompt, sampling settings (greedy, so both produce the very same tokens) and thread count, in one run; the time from `Llama.run` to the first token at
the worker; the peak RSS of the whole network with the model loaded.

    python3 bench/bench_llama.py [--tokens 128] [--runs 3] [--model PATH]
"""
from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aosrepl import ids  # noqa: E402
from aosrepl.inference import default_natives, models, threads_per_worker, timeline  # noqa: E402
from aosrepl.services import SERVICE_OWNER, worker_id  # noqa: E402

PROMPT = "Once upon a time, in a small village by the sea,"
CLIENT = Path(__file__).resolve().parent.parent / "packages" / "@sam" / "Llama-Herder" / "main.lua"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class NetworkRunner:
    """A whole local network; `run()` is one `Llama.run` from a funded user process, timed to its callback."""

    def __init__(self, data_dir: str, model_path: str, workers: int):
        from aosrepl.network import Network
        self.net = Network(data_dir, natives=default_natives(model=model_path, workers=workers), workers=workers)
        net = self.net
        self.pid = net.find_or_spawn("bench")
        net.send(ids.WAR_TOKEN, {"Action": "Transfer", "Recipient": self.pid, "Quantity": "1000000000"})
        net.run_until_idle(timeout=60)
        client = CLIENT.read_text(encoding="utf-8")
        net.eval(self.pid, "package.loaded['@sam/Llama-Herder'] = (function() " + client + "\nend)()")
        net.eval(self.pid, "Llama = require('@sam/Llama-Herder'); Llama.getPrices()")
        net.run_until_idle(timeout=60)
        for w in range(workers):      # greedy sampling, like the direct run (the worker's owner may set it)
            net.eval(worker_id(w), "Llama.setTemp(0)", signer=SERVICE_OWNER)
        self._finished = threading.Event()
        net.subscribe(self.pid, lambda _pid, result: "BENCH-DONE" in str(
            result.get("Output", {}).get("data", "")) and self._finished.set())

    def run(self, tokens: int):
        """(tokens generated, seconds to the callback, seconds to the first token at the worker)."""
        self._finished.clear()
        started = time.monotonic()
        self.net.eval(self.pid, f"Llama.run({PROMPT!r}, {tokens}, function(t) LAST = t; print('BENCH-DONE') end)")
        if not self._finished.wait(300):
            raise RuntimeError("Llama.run did not answer within 300 s")
        elapsed = time.monotonic() - started
        events = timeline.events_since(started)
        first = next((t for t, e, _ in events if e == "first-token"), None)
        generated = next((v for _, e, v in events if e == "run-done"), 0)
        return generated, elapsed, (first - started) if first else float("nan")

    def warm_all(self, workers: int, tokens: int):
        """One request per worker at once, so every worker has loaded its model."""
        for _ in range(workers):
            self.net.eval(self.pid, f"Llama.run({PROMPT!r}, {tokens}, function(t) end)")
        if not self.net.run_until_idle(timeout=300):
            raise RuntimeError("the warm-up requests did not finish within 300 s")

    def last_text(self) -> str:
        return str(self.net.eval(self.pid, "return LAST")["Output"]["data"])


class DirectRunner:
    """llama-cpp-python on its own: the same model, prompt, greedy sampling and thread count."""

    def __init__(self, model_path: str, threads: int):
        import llama_cpp
        self.llm = llama_cpp.Llama(model_path, n_ctx=2048, n_threads=threads, verbose=False)
        self.llm.create_completion(PROMPT, max_tokens=8, temperature=0)   # warm-up
        self.text = ""

    def run(self, tokens: int):
        started = time.monotonic()
        out = self.llm.create_completion(PROMPT, max_tokens=tokens, temperature=0)
        self.text = out["choices"][0]["text"]
        return out["usage"]["completion_tokens"], time.monotonic() - started


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokens", type=int, default=128)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--model", default=None)
    args = ap.parse_args(argv)
    model_path = str(models.configured_model(args.model))
    threads = threads_per_worker(args.workers)

    with tempfile.TemporaryDirectory() as data_dir:
        network = NetworkRunner(data_dir, model_path, args.workers)
        try:
            _, _, cold = network.run(args.tokens)          # loads the first worker's model
            network.warm_all(args.workers, 8)
            rss = peak_rss_mb()                            # before the direct model exists in this process
            direct = DirectRunner(model_path, threads)
            net_runs, direct_runs = [], []
            for _ in range(args.runs):                     # interleaved: both see the same machine load
                net_runs.append(network.run(args.tokens))
                direct_runs.append(direct.run(args.tokens))
            same_text = network.last_text() == direct.text
        finally:
            network.net.close()

    net_rate = statistics.median(n / t for n, t, _ in net_runs)
    direct_rate = statistics.median(n / t for n, t in direct_runs)
    first_token = statistics.median(f for _, _, f in net_runs)
    print(f"model: {Path(model_path).name}  threads/worker: {threads}  workers: {args.workers}  "
          f"tokens asked: {args.tokens}  runs: {args.runs}")
    print(f"direct llama-cpp-python: {direct_rate:8.1f} tokens/s  (tokens: {[n for n, _ in direct_runs]})")
    print(f"Llama.run end to end:    {net_rate:8.1f} tokens/s  (tokens: {[n for n, _, _ in net_runs]})")
    print(f"ratio (end to end / direct): {net_rate / direct_rate:.3f}  (aim >= 0.9)")
    print(f"same text from both: {same_text}")
    print(f"Llama.run -> first token at the worker: {first_token * 1000:.1f} ms (median, warm model); "
          f"{cold * 1000:.0f} ms on the first run (model loaded then)")
    print(f"peak RSS of the network with the model loaded: {rss:.0f} MB")


if __name__ == "__main__":
    main()
