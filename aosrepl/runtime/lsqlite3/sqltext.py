"""Reading SQL text the way SQLite's tokenizer does, for what Python's sqlite3 module does not expose:
where the first statement ends (lsqlite3's `prepare` returns the unparsed tail) and which bind parameters a
statement has, numbered as SQLite numbers them (`?` next, `?NNN` that number, `:a`/`@a`/`$a` a number on first
sight). The statement is rewritten with `?NNN` placeholders, so values are always bound by position."""
from __future__ import annotations

import sqlite3

from aosrepl.records import Record

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")


class Parsed(Record):
    __slots__ = ("sql", "tail", "positional_sql", "names", "empty")

    def __init__(self, sql: str, tail: str, positional_sql: str, names: tuple[str | None, ...], empty: bool):
        self.sql = sql                          # the first statement, as written
        self.tail = tail                        # everything after it
        self.positional_sql = positional_sql    # the statement with every parameter written as ?NNN
        self.names = names      # parameter index - 1 -> its name (":a", "?3") or None for a bare `?`
        self.empty = empty                      # only whitespace / comments / `;`


def _is_name_char(ch: str) -> bool:
    return ch in _NAME_CHARS or ord(ch) >= 0x80


def _skip_quoted(sql: str, i: int, close: str) -> int:
    """Index just past the quoted token starting at i (a doubled closing quote is an escape)."""
    n = len(sql)
    i += 1
    while i < n:
        if sql[i] == close:
            if close != "]" and i + 1 < n and sql[i + 1] == close:
                i += 2
                continue
            return i + 1
        i += 1
    return n


def parse(sql: str) -> Parsed:
    """The first statement of `sql`, its tail and its parameters."""
    n = len(sql)
    i = 0
    end = None
    content = False
    pieces: list[str] = []      # positional_sql, built as we go
    last = 0
    names: dict[int, str | None] = {}
    by_name: dict[str, int] = {}
    highest = 0
    while i < n:
        ch = sql[i]
        if ch in "'\"`[":
            i = _skip_quoted(sql, i, "]" if ch == "[" else ch)
            content = True
        elif ch == "-" and sql.startswith("--", i):
            nl = sql.find("\n", i)
            i = n if nl < 0 else nl + 1
        elif ch == "/" and sql.startswith("/*", i):
            close = sql.find("*/", i + 2)
            i = n if close < 0 else close + 2
        elif ch == ";":
            i += 1
            if sqlite3.complete_statement(sql[:i]):   # not a `;` inside a trigger body
                end = i
                break
        elif ch == "?":
            j = i + 1
            while j < n and sql[j].isdigit():
                j += 1
            if j > i + 1:
                index = int(sql[i + 1:j])
                names.setdefault(index, sql[i:j])
            else:
                index = highest + 1
                names[index] = None
            highest = max(highest, index)
            pieces.append(sql[last:i] + f"?{index}")
            last = i = j
            content = True
        elif ch in ":@$" and i + 1 < n and _is_name_char(sql[i + 1]) and not (ch == ":" and sql[i + 1] == ":"):
            j = i + 1
            while j < n and _is_name_char(sql[j]):
                j += 1
            name = sql[i:j]
            index = by_name.get(name)
            if index is None:
                index = by_name[name] = highest + 1
                names[index] = name
                highest = index
            pieces.append(sql[last:i] + f"?{index}")
            last = i = j
            content = True
        else:
            if not ch.isspace():
                content = True
            i += 1
    stop = n if end is None else end
    pieces.append(sql[last:stop])
    return Parsed(sql=sql[:stop], tail=sql[stop:], positional_sql="".join(pieces),
                  names=tuple(names.get(k) for k in range(1, highest + 1)),
                  empty=not content)
