"""llama-cpp-python never touches the process's file descriptors: several workers loading models at once used to
leave the whole program's output pointing at /dev/null (its quiet mode swaps fds 1 and 2 around every load), and
what llama.cpp says goes to the engines' logs (Llama.onLog), never to the terminal."""
import os
import re
import subprocess
import sys
from pathlib import Path

from aosrepl import ids
from aosrepl.inference import llama_library
from aosrepl.inference.engine import LocalEngine

CHILD = Path(__file__).parent / "concurrent_loads_child.py"


def test_four_engines_loading_at_once_leave_stdout_and_stderr_alone(tmp_path, model_path):
    out_path, err_path = tmp_path / "out.txt", tmp_path / "err.txt"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        done = subprocess.run([sys.executable, str(CHILD)], stdout=out, stderr=err, timeout=300)
    out_text, err_text = out_path.read_text(), err_path.read_text()
    assert done.returncode == 0, err_text[-2000:]
    wrote = int(re.search(r"^WROTE (\d+)$", out_text, re.M).group(1))
    out_lines, err_lines = out_text.splitlines(), err_text.splitlines()
    # every line the main thread wrote arrived, and nothing else did (no llama.cpp chatter)
    assert sorted(line for line in out_lines if line.startswith(("OUT ", "FD1 "))) == \
        sorted([f"OUT {n}" for n in range(1, wrote + 1)] + [f"FD1 {n}" for n in range(1, wrote + 1)])
    assert sorted(err_lines) == sorted([f"ERR {n}" for n in range(1, wrote + 1)] + [f"FD2 {n}" for n in range(1, wrote + 1)])
    assert "ERRORS []" in out_lines
    for i in range(4):    # llama.cpp's lines went to each engine's own log instead
        logged = int(re.search(rf"^ENGINE {i} LOGGED (\d+)$", out_text, re.M).group(1))
        assert logged > 5


def test_llama_cpp_lines_go_to_the_engine_log(model_path, capfd):
    engine = LocalEngine(threads=1)
    try:
        engine.load("/data/" + ids.PHI3_MODEL)
        with llama_library.logging_to(engine._log):
            engine.set_prompt("Hello")
        logs = engine.drain_logs()
    finally:
        engine.close()
    texts = [text for _level, text in logs]
    assert any("model loaded in" in text for text in texts)
    assert any(text.startswith("Model metadata:") for text in texts)      # llama-cpp-python's verbose print
    assert any("llama" in text and "model loaded" not in text for text in texts)   # llama.cpp's own log lines
    assert {level for level, _text in logs} <= {2, 3, 4, 5}
    captured = capfd.readouterr()
    assert (captured.out, captured.err) == ("", "")


def test_whole_lines_from_pieces():
    lines = []
    sink = llama_library._LineSink(lambda level, text: lines.append((level, text)))
    sink.log(5, "loading")
    sink.log(None, " model")            # llama.cpp's "continue the previous line"
    sink.log(None, " ...\nsecond")
    sink.log(2, " line\n\n")
    print("Model metadata:", {"a": 1}, file=sink)
    assert lines == [(5, "loading model ..."), (5, "second line"),
                     (llama_library.PRINTED_LEVEL, "Model metadata: {'a': 1}")]


def test_openmp_is_told_not_to_spin_before_llama_cpp_loads(model_path):
    """llama.cpp's OpenMP threads spin while idle by default: on a shared machine that starved the workers and
    the console (the first Llama.run of a session took seconds). A user's own setting is kept."""
    code = ("import os, sys; from aosrepl.inference import llama_library; llama_library.load(); "
            "print(os.environ.get('OMP_WAIT_POLICY'))")
    root = str(Path(__file__).resolve().parents[2])
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=root,
                          env=dict(env, PYTHONPATH=root))
    assert done.stdout == "PASSIVE\n", done.stderr[-2000:]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=root,
                          env=dict(env, PYTHONPATH=root, OMP_WAIT_POLICY="ACTIVE"))
    assert done.stdout == "ACTIVE\n", done.stderr[-2000:]
