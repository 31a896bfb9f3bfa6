"""How the console shows an Eval's `Error` (aos-repl.md §3.5): the Lua message in bold, a blue gutter with
the offending source line (from the typed code, or from the `.load`ed file it came from) and a dim footer."""
from __future__ import annotations

import re
from typing import Callable

from aosrepl.console.display import blue, bold, dim, red
from aosrepl.records import Record

FOOTER = "This error occurred while aos was evaluating the submitted code."
# What the process puts between the prints collected before a runtime error and the Lua message.
_ERROR_MARKER = re.compile(r"\x1b\[31merror:\n\x1b\[0m|(?:^|\n)error:\n")
_CHUNK_PREFIX = re.compile(r'\[string "([^"]*)"\]:(\d+): ?')
_EVAL_CHUNK = "aos"


class SourceLine(Record):
    __slots__ = ("number", "text", "file")

    def __init__(self, number: int, text: str, file: str | None):
        self.number = number    # line number shown in the gutter
        self.text = text        # the source line itself
        self.file = file        # the file it came from (.load), None for typed code


# Maps a line number of the evaluated chunk to where it came from (None: unknown).
Origin = Callable[[int], "SourceLine | None"]


def typed_origin(code: str) -> Origin:
    lines = code.split("\n")

    def origin(number: int) -> SourceLine | None:
        if 1 <= number <= len(lines):
            return SourceLine(number, lines[number - 1], None)
        return None
    return origin


class ParsedError(Record):
    __slots__ = ("prints", "message", "line")

    def __init__(self, prints: str, message: str, line: int | None):
        self.prints = prints        # text the code printed before failing ('' if none)
        self.message = message      # the Lua message without its chunk prefixes
        self.line = line            # line in the submitted chunk, None when the error is not located there


def parse_error(raw: str) -> ParsedError | None:
    """Split a process Error into prints / message / line. None when it carries no line number at all."""
    prints, message = "", raw
    marker = _ERROR_MARKER.search(raw)
    if marker:
        prints, message = raw[:marker.start()].rstrip("\n"), raw[marker.end():]
    matches = list(_CHUNK_PREFIX.finditer(message))
    if not matches and not re.search(r":\d+:", message):
        return None
    # The last location inside the submitted chunk is where the user's code failed.
    ours = [m for m in matches if m.group(1) == _EVAL_CHUNK]
    line = int(ours[-1].group(2)) if ours else None
    clean = _CHUNK_PREFIX.sub("", message).strip()
    return ParsedError(prints, clean, line)


def format_error(raw: str, origin: Origin) -> str:
    """The text the console prints for an Eval error (always ends with a newline)."""
    parsed = parse_error(str(raw))
    if parsed is None:
        return red(str(raw).strip("\n")) + "\n"
    out = []
    if parsed.prints:
        out.append(parsed.prints)
    out += ["", bold(parsed.message)]
    where = origin(parsed.line) if parsed.line is not None else None
    if where is not None:
        if where.file:
            out.append(dim(f"  in {where.file}"))
        number = str(where.number)
        pad = " " * len(number)
        out += [blue(f" {pad} |"), blue(f" {number} | ") + where.text, blue(f" {pad} |")]
    out.append(dim(FOOTER))
    return "\n".join(out) + "\n"
