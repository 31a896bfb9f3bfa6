"""llama-cpp-python's own OpenAI-compatible server on loopback, started and stopped by a test."""
import contextlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def llama_server(model_path, startup_timeout=60.0):
    try:
        import llama_cpp.server.app  # noqa: F401  (needs the [server] extras)
    except ImportError as exc:
        pytest.skip(f"llama-cpp-python server extras missing ({exc.name}): pip install 'llama-cpp-python[server]'")
    port = free_port()
    log = tempfile.TemporaryFile()       # not a pipe: llama.cpp logs a lot and would block on a full pipe
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model_path), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "2048", "--n_threads", "1", "--embedding", "true"],
        stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError("llama_cpp.server exited: " + log.read().decode(errors="replace")[-2000:])
            try:
                urllib.request.urlopen(url + "/v1/models", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("llama_cpp.server did not start in time")
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
