"""The fidelity corpus: Lua snippets (snippets_*.lua, separated by `%%` lines) that run,
in file order, as messages from the owner of one fresh aos process.

A snippet is Eval code, unless its first line is `--! msg {json}`: then it is a plain
message {"action", "data", "tags"} from the owner. Other first-line directives:
`--! unordered` marks a snippet whose output lines may come in any order, and
`--! differs: REASON` a deliberate difference from aos, explained under REASON in
docs/fidelity.md (such a snippet still counts as not matching)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = ["display", "handlers", "utils", "bint", "crypto", "modules", "globals", "more"]
RECORDED = HERE / "recorded.json"


@dataclass
class Snippet:
    group: str
    code: str
    message: dict | None = None          # a non-Eval message instead of code
    flags: set = field(default_factory=set)
    index: int = 0                       # position within its group
    differs: str | None = None           # the documented reason it differs from aos

    @property
    def key(self) -> str:
        return f"{self.group}:{self.index}"

    @property
    def source(self) -> str:
        return json.dumps(self.message, sort_keys=True) if self.message else self.code


def load_corpus() -> list[Snippet]:
    snippets = []
    for group in FILES:
        text = (HERE / f"snippets_{group}.lua").read_text()
        for index, block in enumerate(re.split(r"\n%%\n", text.strip("\n"))):
            flags, message, differs = set(), None, None
            lines = block.split("\n")
            while lines and lines[0].startswith("--! "):
                directive = lines.pop(0)[4:]
                if directive.startswith("msg "):
                    message = json.loads(directive[4:])
                elif directive.startswith("differs:"):
                    differs = directive[len("differs:"):].strip()
                else:
                    flags.add(directive.strip())
            snippets.append(Snippet(group, "\n".join(lines), message, flags, index, differs))
    return snippets


def oracle_input(snippets: list[Snippet]) -> list:
    """The snippet list in the form the aos oracle reads."""
    return [dict(s.message) if s.message else s.code for s in snippets]


# -- comparison -------------------------------------------------------------------

_ADDRESS = re.compile(r"(function|table|thread|userdata|file) ?(:|\() ?0x[0-9a-f]+\)?")
_LIB_POSITION = re.compile(r'\[string "(\.[a-z0-9.\-_]+|json)"\]:\d+:')


def normalise(text: str | None, unordered: bool = False) -> str | None:
    """What must match: addresses are not compared, nor line numbers inside library
    chunks (`[string ".handlers"]:N:`); user-chunk positions are."""
    if text is None:
        return None
    if not isinstance(text, str):
        text = json.dumps(text)   # a non-text value never equals a text one
    text = _ADDRESS.sub(lambda m: m.group(1) + ": 0x?", text)
    text = _LIB_POSITION.sub(lambda m: f'[string "{m.group(1)}"]:?:', text)
    if unordered:
        text = "\n".join(sorted(line.rstrip(",") for line in text.split("\n")))
    return text
