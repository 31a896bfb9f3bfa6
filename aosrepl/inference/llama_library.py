"""llama-cpp-python, imported once per program and made to talk only into the engines' logs.

Why this module exists:
- llama-cpp-python's `verbose=False` silences llama.cpp by pointing the process's file descriptors 1 and 2 at
  /dev/null around every model load (its `suppress_stdout_stderr`). Workers load their models on their own
  threads, so those swaps interleave and can leave the whole program writing into /dev/null. Models are
  therefore always built with `verbose=True`, which never touches a file descriptor, and what verbose makes
  them say is sent where it belongs instead:
  * llama.cpp's own log lines come through llama.cpp's log callback (`llama_log_set`);
  * the lines llama-cpp-python's `Llama` prints to `sys.stderr` while it is built are written through the
    `sys` that module sees, whose `stderr` is the same log (other modules' `sys.stderr` is untouched).
  Both go to the log of the engine working on the current thread (`logging_to`), which a worker reads
  through `Llama.onLog` as with aos-llama. Lines from a thread that has no engine log are dropped, as a
  non-verbose llama.cpp would.
- `llama_cpp` is big and is imported by whichever worker first needs a model; `load()` imports it once, under
  a lock, so two workers never run its imports at the same time, with OpenMP told not to spin (see load()).
"""
from __future__ import annotations

import contextlib
import os
import sys
import threading
from typing import Callable

LogSink = Callable[[int, str], None]       # (aos-llama level, text of one line)

# llama.cpp's ggml_log_level -> aos-llama's levels (2 error, 3 warning, 4 info, 5 debug); 5 = "continue".
_GGML_TO_AOS_LEVEL = {0: 4, 1: 4, 2: 3, 3: 2, 4: 5}
_GGML_CONTINUE = 5
PRINTED_LEVEL = 4        # what Llama prints to stderr when verbose is model information

_load_lock = threading.Lock()
_library = None
_callback = None         # the ctypes callback: kept referenced for as long as llama.cpp may call it
_current = threading.local()


class _LineSink:
    """Text arriving in pieces (llama.cpp logs half lines; print() writes the text, then the newline) -> whole
    lines for one engine log, each with the level of its first piece. File-like for print()."""

    def __init__(self, sink: LogSink):
        self.sink = sink
        self._pending = ""
        self._level = PRINTED_LEVEL

    def log(self, level: int | None, text: str) -> None:
        """A piece of llama.cpp's log; level None continues the line in progress."""
        if not self._pending:
            self._level = PRINTED_LEVEL if level is None else level
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            if line.strip():
                self.sink(self._level, line.rstrip())

    def write(self, text: str) -> int:
        self.log(None if self._pending else PRINTED_LEVEL, text)
        return len(text)

    def flush(self) -> None:
        pass


@contextlib.contextmanager
def logging_to(sink: LogSink):
    """Within this block, what llama.cpp and llama-cpp-python say on this thread goes to `sink`."""
    previous = getattr(_current, "lines", None)
    _current.lines = _LineSink(sink)
    try:
        yield
    finally:
        _current.lines = previous


def _current_lines() -> _LineSink | None:
    return getattr(_current, "lines", None)


class _Discard:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


class _SysForLlama:
    """The `sys` module as llama_cpp.llama sees it: itself, except that its stderr is the current engine's
    log (Llama's verbose prints use `file=sys.stderr`)."""

    def __getattr__(self, name):
        return getattr(sys, name)

    @property
    def stderr(self):
        return _current_lines() or _Discard()


def _on_llama_cpp_log(level: int, text: bytes, _user_data) -> None:
    # Called from C: must never raise.
    try:
        lines = _current_lines()
        if lines is not None:
            aos_level = None if level == _GGML_CONTINUE else _GGML_TO_AOS_LEVEL.get(level, 4)
            lines.log(aos_level, text.decode("utf-8", errors="replace"))
    except Exception:
        pass


def load():
    """The llama_cpp module, imported (once, under a lock) and set up as described above."""
    global _library, _callback
    with _load_lock:
        if _library is None:
            # Workers share a few cores with the console and with each other; llama.cpp's OpenMP threads spin
            # while they wait for work by default, which starves everything else on a busy machine (measured
            # 4x slower decodes at a load of 17 on 2 cores). The OpenMP runtime reads this when llama.cpp loads.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            import ctypes       # here, with llama_cpp: a start that loads no model does not pay its import
            import llama_cpp
            import llama_cpp.llama as llama_py
            _callback = llama_cpp.llama_log_callback(_on_llama_cpp_log)
            llama_cpp.llama_log_set(_callback, ctypes.c_void_p(0))
            llama_py.sys = _SysForLlama()
            _library = llama_cpp
        return _library
