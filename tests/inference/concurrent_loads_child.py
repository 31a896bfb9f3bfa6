"""Run by test_llama_library.py in a child process (so its stdout and stderr are files of the test): four
engines load the model on four threads at once while the main thread keeps writing to stdout and stderr,
through Python and straight to the file descriptors. Afterwards it prints what the engines logged."""
import os
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from aosrepl import ids  # noqa: E402
from aosrepl.inference.engine import LocalEngine  # noqa: E402

ENGINES = 4


def main() -> None:
    engines = [LocalEngine(threads=1) for _ in range(ENGINES)]
    start = threading.Barrier(ENGINES + 1)
    errors = []

    def load(engine):
        try:
            engine.load("/data/" + ids.PHI3_MODEL)
            start.wait()
            engine.set_prompt("Say hi")        # loads the model
        except Exception as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=load, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    start.wait()
    n = 0
    while any(t.is_alive() for t in threads) or n < 200:
        n += 1
        print(f"OUT {n}", flush=True)
        sys.stderr.write(f"ERR {n}\n")
        sys.stderr.flush()
        os.write(1, f"FD1 {n}\n".encode())
        os.write(2, f"FD2 {n}\n".encode())
    for t in threads:
        t.join()
    print(f"WROTE {n}", flush=True)
    print("ERRORS", errors, flush=True)
    for i, engine in enumerate(engines):
        print(f"ENGINE {i} LOGGED {len(engine.drain_logs())}", flush=True)


if __name__ == "__main__":
    main()
