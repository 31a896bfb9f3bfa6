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


def network_runs(model_path: str, tokens: int, runs: int, workers: int):
    from aosrepl.network import Network

    results = []
    with tempfile.TemporaryDirectory() as data_dir:
        net = Network(data_dir, natives=default_natives(model=model_path, workers=workers), workers=workers)
        try:
            pid = net.find_or_spawn("bench")
            net.send(ids.WAR_TOKEN, {"Action": "Transfer", "Recipient": pid, "Quantity": "1000000000"})
            net.run_until_idle(timeout=60)
            client = CLIENT.read_text(encoding="utf-8")
            net.eval(pid, "package.loaded['@sam/Llama-Herder'] = (function() " + client + "\nend)()")
            net.eval(pid, "Llama = require('@sam/Llama-Herder'); Llama.getPrices()")
            net.run_until_idle(timeout=60)
            for w in range(workers):      # greedy sampling, like the direct run (the worker's owner may set it)
                net.eval(worker_id(w), "Llama.setTemp(0)", signer=SERVICE_OWNER)
            finished = threading.Event()
            net.subscribe(pid, lambda _pid, result: "BENCH-DONE" in str(
                result.get("Output", {}).get("data", "")) and finished.set())
            for i in range(runs + 1):                      # the first run warms the worker's model up
                finished.clear()
                started = time.monotonic()
                net.eval(pid, f"Llama.run({PROMPT!r}, {tokens}, function(t) LAST = t; print('BENCH-DONE') end)")
                if not finished.wait(300):
                    raise RuntimeError("Llama.run did not answer within 300 s")
                elapsed = time.monotonic() - started
                events = timeline.events_since(started)
                first = next((t for t, e, _ in events if e == "first-token"), None)
                generated = next((v for _, e, v in events if e == "run-done"), 0)
                if i > 0:
                    results.append((generated, elapsed, (first - started) if first else float("nan")))
            text = str(net.eval(pid, "return LAST")["Output"]["data"])
            rss = peak_rss_mb()
        finally:
            net.close()
    return results, rss, text


def direct_runs(model_path: str, tokens: int, runs: int, threads: int):
    import llama_cpp

    llm = llama_cpp.Llama(model_path, n_ctx=2048, n_threads=threads, verbose=False)
    llm.create_completion(PROMPT, max_tokens=8, temperature=0)   # warm-up
    results = []
    for _ in range(runs):
        started = time.monotonic()
        out = llm.create_completion(PROMPT, max_tokens=tokens, temperature=0)
        results.append((out["usage"]["completion_tokens"], time.monotonic() - started))
    llm.close()
    return results, out["choices"][0]["text"]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokens", type=int, default=128)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--model", default=None)
    args = ap.parse_args(argv)
    model_path = str(models.configured_model(args.model))
    threads = threads_per_worker(args.workers)

    net, rss, net_text = network_runs(model_path, args.tokens, args.runs, args.workers)
    direct, direct_text = direct_runs(model_path, args.tokens, args.runs, threads)

    net_rate = statistics.median(n / t for n, t, _ in net)
    direct_rate = statistics.median(n / t for n, t in direct)
    first_token = statistics.median(f for _, _, f in net)
    print(f"model: {Path(model_path).name}  threads/worker: {threads}  workers: {args.workers}  "
          f"tokens asked: {args.tokens}  runs: {args.runs}")
    print(f"direct llama-cpp-python: {direct_rate:8.1f} tokens/s  (tokens: {[n for n, _ in direct]})")
    print(f"Llama.run end to end:    {net_rate:8.1f} tokens/s  (tokens: {[n for n, _, _ in net]})")
    print(f"ratio (end to end / direct): {net_rate / direct_rate:.3f}  (aim >= 0.9)")
    print(f"same text from both: {net_text == direct_text}")
    print(f"Llama.run -> first token at the worker: {first_token * 1000:.1f} ms (median)")
    print(f"peak RSS of the network with the model loaded: {rss:.0f} MB")


if __name__ == "__main__":
    main()
