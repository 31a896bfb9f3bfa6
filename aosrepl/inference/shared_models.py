"""One loaded copy of each model's weights for the whole network: every engine (the herd's workers, users'
own aos-llama workers, embedding contexts) gets a `llama_cpp.Llama` of its own (its own context, so engines
run side by side on their threads) over the same llama.cpp model object.

llama-cpp-python has no public way to build a `Llama` on an existing model, so `open()` lends the cached
model to `Llama.__init__` in place of loading a new one, and the model is freed when the last `Llama` using
it is closed. llama.cpp allows several contexts of one model on different threads."""
from __future__ import annotations

import threading


# model parameters that change what is loaded (those of them this llama-cpp-python version has)
_PARAMS_IN_KEY = ("vocab_only", "n_gpu_layers", "use_mmap", "load_mode", "check_tensors")


class SharedModels:
    def __init__(self):
        self._lock = threading.RLock()     # RLock: a Llama that fails to build closes its lease inside open()
        self._models: dict[tuple, object] = {}     # (path, load settings) -> shared model

    def open(self, path: str, **llama_kwargs):
        """A new `llama_cpp.Llama` for `path` whose weights are the shared ones (loaded on first use)."""
        import llama_cpp
        from llama_cpp import _internals

        pool = self
        with self._lock:      # the lending below swaps a module attribute: one construction at a time
            loader = _internals.LlamaModel

            def lend(*, path_model, params, verbose=True):
                key = (path_model,) + tuple(repr(getattr(params, name, None)) for name in _PARAMS_IN_KEY)
                shared = pool._models.get(key)
                if shared is None or shared.model is None:
                    shared = _shared_class(loader)(path_model=path_model, params=params, verbose=verbose)
                    shared.pool_key = key
                    shared.pool = pool
                    pool._models[key] = shared
                shared.leases += 1
                return shared

            _internals.LlamaModel = lend
            try:
                return llama_cpp.Llama(path, **llama_kwargs)
            finally:
                _internals.LlamaModel = loader

    def release(self, shared) -> bool:
        """(called by a shared model's close) One lease fewer; True when it was the last (then it is
        forgotten and may be freed)."""
        with self._lock:
            shared.leases -= 1
            if shared.leases > 0:
                return False
            if self._models.get(shared.pool_key) is shared:
                del self._models[shared.pool_key]
            return True

    def loaded(self) -> list[tuple[str, int]]:
        """(path, how many open Llama objects use it) for every model in memory."""
        return [(key[0], model.leases) for key, model in list(self._models.items()) if model.model is not None]


_SHARED_CLASSES: dict[type, type] = {}


def _shared_class(base: type) -> type:
    """llama_cpp's LlamaModel, closed only when its last lease is."""
    found = _SHARED_CLASSES.get(base)
    if found is not None:
        return found

    class SharedLlamaModel(base):
        leases = 0
        pool = None
        pool_key = None

        def close(self):
            if self.pool is not None and not self.pool.release(self):
                return
            super().close()

        def __del__(self):
            if self.leases <= 0:
                super().close()

    _SHARED_CLASSES[base] = SharedLlamaModel
    return SharedLlamaModel


SHARED_MODELS = SharedModels()
