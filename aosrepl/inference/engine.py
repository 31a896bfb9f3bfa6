"""The in-process inference engine behind one worker's `llama` module: one llama-cpp-python model and
context, with aos-llama's stateful API (set a prompt, pull tokens one at a time, add text, save/restore).

One engine per worker: a llama.cpp context is not safe to share between threads; the weights are one
llama.cpp model object shared by every engine (shared_models.py). `llama_cpp` is imported (by
llama_library) the first time a model is really needed, never when the module is only wired into a process.
"""
from __future__ import annotations

import codecs
import time
from pathlib import Path

from aosrepl.inference import dialects, llama_library, models, shared_models, timeline

DEFAULT_TEMP = 0.8
DEFAULT_SEED = 42          # fixed: an AO process must compute the same thing on every replay
DEFAULT_CTX = 2048
MAX_STATES = 16            # saved states kept per engine (oldest dropped first)


class InferenceError(Exception):
    """Raised for anything the user can fix or should see (bad model, no prompt, ...)."""


class SavedStates:
    """Llama.saveState / loadState bookkeeping shared by both engines: numbered snapshots, the newest
    MAX_STATES kept; loadState() without a handle takes the newest."""

    def __init__(self):
        self._states: dict[int, tuple] = {}
        self._next = 1

    def save(self, snapshot: tuple) -> int:
        handle, self._next = self._next, self._next + 1
        self._states[handle] = snapshot
        while len(self._states) > MAX_STATES:
            del self._states[min(self._states)]
        return handle

    def get(self, handle=None) -> tuple:
        if not self._states:
            raise InferenceError("no saved state: call Llama.saveState() first")
        key = max(self._states) if handle is None else handle
        if key not in self._states:
            raise InferenceError(f"no saved state {handle}")
        return self._states[key]


class Engine:
    """What both engines (the in-process model and a remote server) share: sampling settings, saved
    states, the log lines Llama.onLog reads, and the module's info text. A subclass says how to stop the
    generation in progress (`_stop_generation`), which a new setting invalidates."""

    def __init__(self):
        self.temp = DEFAULT_TEMP
        self.seed = DEFAULT_SEED
        self.logs: list[tuple[int, str]] = []
        self._states = SavedStates()

    def _stop_generation(self) -> None:
        raise NotImplementedError

    _finished = False      # no more tokens come
    _turn_over = False     # ...because the model ended its answer (not stop() or a full context)

    def finished(self) -> bool:
        """The generation was ended by stop() or a full context: Llama.next() gives nil. After the model
        ended its answer, next() gives "" instead, as aos-llama (which never ends an answer) gives text:
        workers that concatenate Llama.next() a fixed number of times keep working."""
        return bool(self._finished) and not self._turn_over

    def info(self) -> str:
        return "A decentralized LLM inference engine, built on top of llama.cpp."

    def set_temp(self, temp) -> None:
        if not isinstance(temp, (int, float)) or temp < 0:
            raise InferenceError("temperature must be a number >= 0")
        self.temp = float(temp)
        self._stop_generation()

    def set_seed(self, seed) -> None:
        if not isinstance(seed, (int, float)) or seed != seed:
            raise InferenceError("seed must be a number")
        self.seed = int(seed) & 0xFFFFFFFF
        self._stop_generation()

    def _log(self, level: int, text: str):
        self.logs.append((level, text))
        del self.logs[:-100]

    def drain_logs(self) -> list[tuple[int, str]]:
        out, self.logs = self.logs, []
        return out


class LocalEngine(Engine):
    def __init__(self, model_override=None, threads: int | None = None, n_ctx: int = DEFAULT_CTX):
        self._override = model_override
        self._threads = threads
        self._n_ctx = n_ctx
        self._path: Path | None = None
        self._llm = None
        self._embedder = None
        super().__init__()
        self._reset_generation()

    # -- model -----------------------------------------------------------------------------------
    def load(self, reference: str) -> str:
        """Choose the model (checked now, loaded on first use so wiring a worker stays cheap)."""
        path = models.resolve(reference, self._override)
        if path != self._path:
            self._close_models()
            self._path = path
        self._log(4, f"model selected: {path}")
        return str(path)

    def _model(self):
        if self._path is None:
            raise InferenceError("no model loaded: call Llama.load(id) first")
        if self._llm is None:
            self._llm = self._open(embedding=False)
        return self._llm

    def _open(self, embedding: bool):
        llama_library.load()   # heavy: only when a model is first used
        models.check_gguf(self._path)
        started = time.monotonic()
        try:
            # Its own context, over the weights every engine of this network shares. verbose=True: the quiet
            # mode redirects the process's file descriptors (see llama_library); what verbose says goes to
            # this engine's log.
            with llama_library.logging_to(self._log):
                llm = shared_models.SHARED_MODELS.open(str(self._path), n_ctx=self._n_ctx,
                                                       n_threads=self._threads, embedding=embedding, verbose=True)
        except Exception as exc:   # llama.cpp reports a bad file as a bare ValueError/RuntimeError
            raise InferenceError(f"cannot load model {self._path}: {exc} "
                                 "(the file may be truncated, corrupt, or of an unsupported kind)") from None
        llm.verbose = False        # no per-call chatter (cache hits, prefix matches) once it is built
        self._log(4, f"model loaded in {time.monotonic() - started:.2f}s: {self._path.name}")
        return llm

    def _close_models(self):
        for llm in (self._llm, self._embedder):
            if llm is not None:
                llm.close()
        self._llm = self._embedder = None

    def _stop_generation(self) -> None:
        self._gen = self._close(self._gen)

    # -- prompt and generation -------------------------------------------------------------------
    def _reset_generation(self):
        self._context: list[int] = []
        self._gen = None
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._finished = False
        self._turn_over = False
        self._dialect = None
        self._first_pending = False

    def set_prompt(self, text) -> None:
        if not isinstance(text, str):
            raise InferenceError("prompt must be a string")
        llm = self._model()
        self._gen = self._close(self._gen)
        self._reset_generation()
        rendered = self._render(llm, text)
        self._context = llm.tokenize(rendered.encode("utf-8"), add_bos=True, special=True)
        if len(self._context) >= self._n_ctx:
            raise InferenceError(f"prompt too long: {len(self._context)} tokens (context is {self._n_ctx})")
        self._first_pending = True
        timeline.record("prompt-set")

    def _render(self, llm, text: str) -> str:
        chat = dialects.parse_phi3(text)
        template = llm.metadata.get("tokenizer.chat_template")
        if chat is None or not template:
            return text
        self._dialect = "phi3"
        bos = self._token_text(llm, llm.token_bos())
        eos = self._token_text(llm, llm.token_eos())
        try:
            rendered = dialects.render(template, chat, bos_token=bos, eos_token=eos)
        except Exception as exc:
            raise InferenceError(f"cannot render the chat prompt with the model's template: {exc}") from None
        # When llama.cpp adds BOS itself, a template that writes it too would double it.
        adds_bos = llm.tokenize(b"", add_bos=True, special=True) == [llm.token_bos()]
        return rendered[len(bos):] if adds_bos and bos and rendered.startswith(bos) else rendered

    @staticmethod
    def _token_text(llm, token: int) -> str:
        if token is None or token < 0:
            return ""
        return llm.detokenize([token], special=True).decode("utf-8", errors="replace")

    def add(self, text) -> None:
        if not isinstance(text, str):
            raise InferenceError("text to add must be a string")
        llm = self._model()
        self._gen = self._close(self._gen)
        self._context += llm.tokenize(text.encode("utf-8"), add_bos=not self._context, special=True)
        self._finished = self._turn_over = False

    def next(self) -> str:
        """One more token's text ("" once generation has ended: stop(), a full context, or the end of
        the answer's turn for a chat-dialect prompt; finished() tells which)."""
        if self._finished:
            return ""
        if not self._context:
            raise InferenceError("no prompt set: call Llama.setPrompt(text) first")
        llm = self._model()
        if len(self._context) >= self._n_ctx:
            self._finished = True
            return self._decoder.decode(b"", final=True)
        llama_cpp = llama_library.load()
        if self._gen is None:
            llm.set_seed(self.seed)
            self._gen = llm.generate(self._context, temp=self.temp, reset=True)
        try:
            token = next(self._gen)
        except StopIteration:
            self._finished = True
            return ""
        except Exception as exc:
            self._gen = None
            raise InferenceError(f"inference failed: {exc}") from None
        if self._first_pending:
            self._first_pending = False
            timeline.record("first-token")
        previous = self._context
        self._context = previous + [token]
        if self._dialect == "phi3" and llama_cpp.llama_vocab_is_eog(llm._model.vocab, token):
            # The answer's turn is over: shown the way Phi-3 ends a turn, and generation stops.
            self._finished = self._turn_over = True
            self._gen = self._close(self._gen)
            return self._decoder.decode(b"", final=True) + dialects.PHI3_TURN_END
        # Raw prompts are plain text continuation, as in aos-llama: the model's own end-of-turn tokens
        # come out as text and sampling goes on (the article's Phi-3 output shows "<|end|><|assistant|>").
        piece = llm.detokenize([token], prev_tokens=previous, special=True)
        return self._decoder.decode(piece)

    def run(self, count) -> str:
        if not isinstance(count, (int, float)) or count < 0:
            raise InferenceError("token count must be a number >= 0")
        parts = []
        before = len(self._context)
        for _ in range(int(count)):
            piece = self.next()
            if self._finished and not piece:
                break
            parts.append(piece)
        timeline.record("run-done", len(self._context) - before)
        return "".join(parts)

    def stop(self) -> None:
        """End the current generation (next() gives "" until a new prompt or add())."""
        self._gen = self._close(self._gen)
        self._finished = True
        self._turn_over = False

    @staticmethod
    def _close(gen):
        if gen is not None:
            gen.close()
        return None

    # -- state -----------------------------------------------------------------------------------
    def save_state(self) -> int:
        llm = self._model()
        self._gen = self._close(self._gen)
        return self._states.save((llm.save_state(), list(self._context), self._finished, self._dialect,
                                  self._turn_over))

    def load_state(self, handle=None) -> None:
        state, context, finished, dialect, turn_over = self._states.get(handle)
        llm = self._model()
        self._gen = self._close(self._gen)
        llm.load_state(state)
        self._context = list(context)
        self._finished, self._turn_over = finished, turn_over
        self._dialect = dialect
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    # -- embeddings ------------------------------------------------------------------------------
    def embed(self, text) -> list[float]:
        if not isinstance(text, str):
            raise InferenceError("text to embed must be a string")
        self._model()   # same checks and errors as generation
        if self._embedder is None:
            self._embedder = self._open(embedding=True)
        return pooled_unit_vector(self._embedder.embed(text))

    def close(self):
        self._gen = self._close(self._gen)
        self._close_models()


def pooled_unit_vector(vectors) -> list[float]:
    """One unit-length vector: models without a pooling layer give one vector per token (mean them)."""
    if vectors and isinstance(vectors[0], list):
        vectors = [sum(column) / len(vectors) for column in zip(*vectors)]
    norm = sum(v * v for v in vectors) ** 0.5 or 1.0
    return [float(v) / norm for v in vectors]
