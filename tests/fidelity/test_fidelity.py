"""Fidelity against the real aos: every snippet of the corpus (tests/fidelity/snippets_*.lua)
runs through our runtime as an Eval (or message) from the owner, and what it prints is
compared with what the real aos wasm printed (recorded once with record.py; no node here)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from fidelity_corpus import RECORDED, load_corpus
from fidelity_runner import run_corpus

DOC = Path(__file__).resolve().parents[2] / "docs" / "fidelity.md"
REQUIRED_MATCH = 0.95


@pytest.fixture(scope="module")
def outcomes():
    return run_corpus()


def _describe(outcome) -> str:
    s = outcome.snippet
    return (f"{s.key} {json.dumps(s.message) if s.message else s.code!r}\n"
            f"    aos : {json.dumps({k: outcome.expected[k] for k in ('output', 'error')}, ensure_ascii=False)[:300]}\n"
            f"    ours: {json.dumps(outcome.actual, ensure_ascii=False)[:300]}")


def test_corpus_is_large_and_recorded():
    snippets = load_corpus()
    recorded = json.loads(RECORDED.read_text())["records"]
    assert len(snippets) >= 300
    # the recording belongs to this corpus: same snippets at the same places
    for s in snippets:
        assert s.key in recorded, f"{s.key} has no recording: run tests/fidelity/record.py"
        assert recorded[s.key]["source"] == (json.dumps(s.message, sort_keys=True) if s.message else s.code), \
            f"{s.key} changed since it was recorded: run tests/fidelity/record.py"


def test_at_least_95_percent_match_exactly(outcomes):
    mismatches = [o for o in outcomes if not o.matches]
    rate = 1 - len(mismatches) / len(outcomes)
    report = "\n".join(_describe(o) for o in mismatches)
    print(f"\n{len(outcomes) - len(mismatches)}/{len(outcomes)} snippets match aos exactly ({rate:.1%})\n{report}")
    assert rate >= REQUIRED_MATCH, f"only {rate:.1%} match aos exactly:\n{report}"


def test_every_difference_is_deliberate_and_documented(outcomes):
    documented = set(re.findall(r"^### `([a-z0-9-]+)`", DOC.read_text(), flags=re.M))
    undocumented = [o for o in outcomes if not o.matches and o.snippet.differs is None]
    assert not undocumented, "differences from aos nobody decided on:\n" + "\n".join(map(_describe, undocumented))
    unknown = {o.snippet.differs for o in outcomes if o.snippet.differs} - documented
    assert not unknown, f"reasons not explained in docs/fidelity.md: {sorted(unknown)}"
    # a snippet marked as differing that now matches should lose its mark
    stale = [o.snippet.key for o in outcomes if o.matches and o.snippet.differs]
    assert not stale, f"these match aos now; drop their `--! differs` line: {stale}"
