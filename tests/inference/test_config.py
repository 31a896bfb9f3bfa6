"""Configuration of the herd's inference: worker count, threads, and when llama_cpp is imported."""
import subprocess
import sys
import textwrap
from pathlib import Path

from aosrepl import inference

REPO = Path(__file__).resolve().parents[2]


def test_worker_count_fits_the_machine_and_can_be_overridden(monkeypatch):
    monkeypatch.delenv(inference.WORKERS_ENV_VAR, raising=False)
    monkeypatch.setattr(inference.os, "cpu_count", lambda: 2)
    assert inference.default_worker_count() == 2
    assert inference.threads_per_worker() == 1           # two busy workers never oversubscribe 2 cores
    monkeypatch.setattr(inference.os, "cpu_count", lambda: 32)
    assert inference.default_worker_count() == inference.MAX_DEFAULT_WORKERS
    assert inference.threads_per_worker() == 8
    monkeypatch.setenv(inference.WORKERS_ENV_VAR, "3")
    assert inference.default_worker_count() == 3
    monkeypatch.setenv(inference.WORKERS_ENV_VAR, "zero")
    assert inference.default_worker_count() == inference.MAX_DEFAULT_WORKERS


def test_backend_comes_from_the_argument_or_the_environment(monkeypatch):
    from aosrepl.inference.llama_module import make_engine
    from aosrepl.inference.remote import RemoteEngine
    assert isinstance(make_engine(backend="http://127.0.0.1:9"), RemoteEngine)
    monkeypatch.setenv(inference.BACKEND_ENV_VAR, "http://127.0.0.1:9")
    assert "llama" in inference.default_natives()


def test_starting_a_network_does_not_import_llama_cpp(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        from aosrepl.network import Network
        with Network({str(tmp_path)!r}, workers=2) as net:
            assert net.run_until_idle(60)
        print("llama_cpp" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "False"
