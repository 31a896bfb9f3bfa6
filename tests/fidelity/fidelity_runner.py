"""Runs the fidelity corpus through our runtime, the way the console's Evals reach a
process: each snippet is one message from the owner to one aos process."""
from __future__ import annotations

import json
from dataclasses import dataclass

from aosrepl.runtime.testing import WALLET, eval_in, make_msg, spawn_process

from fidelity_corpus import RECORDED, Snippet, load_corpus, normalise


@dataclass
class Outcome:
    snippet: Snippet
    expected: dict
    actual: dict

    @property
    def matches(self) -> bool:
        unordered = "unordered" in self.snippet.flags
        return all(normalise(self.expected[k], unordered) == normalise(self.actual[k], unordered)
                   for k in ("output", "error"))


def _result_fields(result: dict) -> dict:
    output = result.get("Output")
    data = output.get("data") if isinstance(output, dict) else None
    return {"output": data if "Error" not in result else None, "error": result.get("Error")}


def run_corpus() -> list[Outcome]:
    recorded = json.loads(RECORDED.read_text())["records"]
    process, env = spawn_process(owner=WALLET)
    outcomes = []
    for snippet in load_corpus():
        if snippet.message:
            m = snippet.message
            msg = make_msg(process, action=m.get("action"), data=m.get("data", ""), tags=m.get("tags"), sender=WALLET)
            result = process.handle(msg, env)
        else:
            result = eval_in(process, env, snippet.code)
        outcomes.append(Outcome(snippet, recorded[snippet.key], _result_fields(result)))
    return outcomes


if __name__ == "__main__":
    import sys
    outcomes = run_corpus()
    bad = [o for o in outcomes if not o.matches]
    groups = sys.argv[1:]
    for o in bad:
        if groups and o.snippet.group not in groups:
            continue
        print("=" * 70)
        print(f"[{o.snippet.group}] {o.snippet.message or o.snippet.code}")
        print("  aos :", json.dumps(o.expected, ensure_ascii=False))
        print("  ours:", json.dumps(o.actual, ensure_ascii=False))
    print(f"{len(outcomes) - len(bad)}/{len(outcomes)} match exactly "
          f"({100 * (len(outcomes) - len(bad)) / len(outcomes):.1f}%)")
    from collections import Counter
    print(Counter(o.snippet.group for o in bad))
