"""Loading the model before the first `Llama.run` needs it.

Workers load their model on first use, so that starting a network (`aos t --run ...`, tests) never pays for it.
In the interactive console that made the first `Llama.run` of every session wait for all of it behind the
spinner: importing llama_cpp, loading the weights, and the first decode paging them in (seconds on a busy
machine). The console therefore starts a warm-up when it opens: llama_cpp is imported on the console's thread,
then, START_DELAY later (the console's first moments keep the CPU), one small engine on a thread of its own
loads the configured model and decodes one token. The weights are shared by every engine of the process
(shared_models.py), so the workers' first requests find them loaded; the warm engine holds them until close().
"""
from __future__ import annotations

import threading

from aosrepl.inference import models
from aosrepl.inference.engine import LocalEngine

WARM_CONTEXT = 64          # tokens: the warm engine only ever decodes one
START_DELAY = 2.0          # seconds: the console's first moments (its first prompt, the user's first keys) go
                           # first; typing a Llama.run takes longer than this


class WarmUp:
    def __init__(self, model=None, delay: float = START_DELAY):
        self._model = model
        self._delay = delay
        self._engine: LocalEngine | None = None
        self._closed = False
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self.error: str | None = None
        self.thread = threading.Thread(target=self._run, name="aosrepl-model-warm-up", daemon=True)

    def start(self) -> "WarmUp":
        self.thread.start()
        return self

    def _run(self) -> None:
        if self._cancel.wait(self._delay):
            return
        engine = LocalEngine(model_override=self._model, threads=1, n_ctx=WARM_CONTEXT)
        try:
            engine.load(str(models.configured_model(self._model)))
            engine.set_prompt("Hi")        # loads the (shared) weights
            engine.next()                  # the first decode: pages them in
        except Exception as exc:           # no model, a bad file: the workers say so when they are used
            self.error = f"{type(exc).__name__}: {exc}"
            engine.close()
            return
        with self._lock:
            if self._closed:
                engine.close()
            else:
                self._engine = engine

    def close(self, timeout: float = 10.0) -> None:
        """Let go of the weights (waiting a little for a warm-up still in progress)."""
        self._cancel.set()
        self.thread.join(timeout)
        with self._lock:
            self._closed = True
            engine, self._engine = self._engine, None
        if engine is not None:
            engine.close()
