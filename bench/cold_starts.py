"""Issue 11's acceptance run for the start-up race: N first starts of `aos t --run 1`, each with a fresh data dir
and an empty bytecode cache (PYTHONPYCACHEPREFIX), two at a time. A start fails when it exits non-zero, prints
anything but `1`, or leaves a registry without the bundled packages.

    python bench/cold_starts.py [N]      (default 50)
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aosrepl import ids, services  # noqa: E402
from aosrepl.network import Network  # noqa: E402

BUNDLED = {"@apm/apm", "@sam/Llama-Herder"}


def start(work: Path, name: str) -> tuple[Path, subprocess.Popen]:
    data = work / f"data-{name}"
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1", PYTHONPYCACHEPREFIX=str(work / f"pycache-{name}"))
    env.pop("AOSREPL_HOME", None)
    return data, subprocess.Popen([sys.executable, "-m", "aosrepl", "t", "--data-dir", str(data), "--run", "1"],
                                  cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def published(data: Path) -> set:
    with Network(data, services=False, workers=0) as net:
        net.run_until_idle(60)
        result = net.eval(ids.APM_REGISTRY, "table.concat(APMRegistry.packageOrder, ',')",
                          signer=services.SERVICE_OWNER, timeout=60)
    return set(str((result.get("Output") or {}).get("data", "")).split(","))


def main(count: int) -> int:
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for pair in range(0, count, 2):
            runs = [start(work, str(i)) for i in range(pair, min(pair + 2, count))]
            for data, run in runs:
                stdout, stderr = run.communicate(timeout=300)
                missing = BUNDLED - published(data)
                if run.returncode != 0 or stdout != "1\n" or stderr or missing:
                    failures.append((data.name, run.returncode, stdout + stderr, sorted(missing)))
    for failure in failures:
        print("FAILED", *failure)
    print(f"{count} cold first starts, two at a time: {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50))
