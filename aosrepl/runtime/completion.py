"""Tab completion over a live Lua state: `Handlers.u` -> `Handlers.utils`, ..."""
from __future__ import annotations

import re

from lupa.lua53 import lua_type

# the dotted/colon path being typed at the end of the line, e.g. `Handlers.ut`
_PATH = re.compile(r"([A-Za-z_][A-Za-z0-9_]*(?:[.:][A-Za-z_][A-Za-z0-9_]*)*[.:]?)$")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _string_keys(table) -> list[str]:
    keys = []
    for key in table.keys():
        if type(key) is bytes:
            text = key.decode("utf-8", "replace")
            if _IDENT.match(text):
                keys.append(text)
    return keys


def _raw_field(table, key: bytes):
    # a raw walk (lua_next): no metamethod of user code runs on the console's thread
    for k, v in table.items():
        if k == key:
            return v
    return None


def complete_in(globals_table, prefix: str) -> list[str]:
    """Candidates that complete the identifier path at the end of `prefix`; each
    candidate is the whole path (e.g. `Handlers.utils`)."""
    match = _PATH.search(prefix)
    if not match:
        return []
    path = match.group(1)
    parts = re.split(r"([.:])", path)
    # parts: name, sep, name, sep, ..., partial
    partial = parts[-1]
    table = globals_table
    base = ""
    for i in range(0, len(parts) - 1, 2):
        name, sep = parts[i], parts[i + 1]
        value = _raw_field(table, name.encode())
        if lua_type(value) != "table":
            return []
        table = value
        base += name + sep
    candidates = [base + key for key in _string_keys(table) if key.startswith(partial)]
    return sorted(set(candidates))
