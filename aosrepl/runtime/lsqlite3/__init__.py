"""The `lsqlite3` native module of aos-sqlite (and aos-llama) processes: LuaSQLite3's API over Python's
sqlite3, one set of in-memory databases per process (see database.py for the sandbox, determinism and
memory rules). `factory(bridge)` is what the network registers as the "lsqlite3" native; the Lua half,
runtime/lua/lsqlite3.lua, gives the lsqlite3 objects and calls the plain-value functions below by handle.

The databases live in the process's runtime object: a restart (or a dry-run copy) builds a new process,
which starts with no databases, and replaying its messages rebuilds them."""
from __future__ import annotations

import sqlite3

from aosrepl.runtime.library import runtime_source
from aosrepl.runtime.lsqlite3 import codes
from aosrepl.runtime.lsqlite3.database import Databases, Limits


class Calls:
    """Plain-value functions over one process's Databases (what the Lua half calls)."""

    def __init__(self, dbs: Databases, interrupted=lambda: False):
        self.dbs = dbs
        self.interrupted = interrupted

    # -- databases --------------------------------------------------------------------------------
    def open_memory(self):
        return self.dbs.open_memory()

    def db_close(self, h):
        return self.dbs.close(h)

    def db_isopen(self, h):
        db = self.dbs.dbs.get(h)
        return bool(db is not None and db.open)

    def db_prepare(self, h, sql):
        if not isinstance(sql, str):
            raise TypeError("bad argument #1 to 'prepare' (string expected)")
        db = self.dbs.db(h)
        stmt, tail, code = db.prepare(sql)
        return {"h": self.dbs.add_statement(stmt) if stmt is not None else 0, "tail": tail, "code": code}

    def db_errcode(self, h):
        return self.dbs.db(h).errcode

    def db_errmsg(self, h):
        return self.dbs.db(h).errmsg

    def db_changes(self, h):
        return self.dbs.db(h).scalar("SELECT changes()")

    def db_total_changes(self, h):
        return self.dbs.db(h).conn.total_changes

    def db_last_insert_rowid(self, h):
        return self.dbs.db(h).scalar("SELECT last_insert_rowid()")

    # -- statements -------------------------------------------------------------------------------
    def st_bind(self, s, index, value):
        stmt = self.dbs.stmt(s)
        if not isinstance(index, int):
            raise TypeError("bad argument #1 to 'bind' (number expected)")
        try:
            return stmt.bind(index, value)
        except IndexError as exc:
            raise ValueError(str(exc)) from None

    def st_bind_values(self, s, values, n):
        stmt = self.dbs.stmt(s)
        wanted = len(stmt.values)
        if n != wanted:
            raise ValueError(f"incorrect number of parameters to bind ({n} given, {wanted} to bind)")
        listed = _as_array(values, n)
        for i, value in enumerate(listed, 1):
            stmt.bind(i, value)
        return codes.OK

    def st_bind_names(self, s, table):
        stmt = self.dbs.stmt(s)
        listed = table if isinstance(table, dict) else {i: v for i, v in enumerate(table or [], 1)}
        for i, name in enumerate(stmt.parsed.names, 1):
            key = name[1:] if name and name[0] in ":@$" else i
            stmt.bind(i, listed.get(key))
        return codes.OK

    def st_param_count(self, s):
        return len(self.dbs.stmt(s).values)

    def st_param_name(self, s, index):
        names = self.dbs.stmt(s).parsed.names
        if not isinstance(index, int) or not 1 <= index <= len(names):
            return None
        return names[index - 1]

    def st_step(self, s, now=None):
        self.dbs.now_ms = now
        return self.dbs.stmt(s).step()

    def st_next(self, s, now=None):
        """One step and its row: {c = code, r = values}. `now`: the message's time (os.time()), for SQLite's 'now'."""
        self.dbs.now_ms = now
        stmt = self.dbs.stmt(s)
        code = stmt.step()
        return {"c": code, "r": stmt.row} if code == codes.ROW else {"c": code}

    def st_row(self, s):
        return self.dbs.stmt(s).row

    def st_names(self, s):
        return self.dbs.stmt(s).column_names()

    def st_reset(self, s):
        return self.dbs.stmt(s).reset()

    def st_finalize(self, s):
        stmt = self.dbs.stmts.get(s)
        if stmt is None or not stmt.open:
            return codes.OK
        self.dbs.drop_statement(s)
        return stmt.finalize()

    def st_isopen(self, s):
        stmt = self.dbs.stmts.get(s)
        return bool(stmt is not None and stmt.open)

    def st_db(self, s):
        stmt = self.dbs.stmt(s)
        for handle, db in self.dbs.dbs.items():
            if db is stmt.db:
                return handle
        return 0

    # -- library ----------------------------------------------------------------------------------
    @staticmethod
    def complete(sql):
        return sqlite3.complete_statement(sql) if isinstance(sql, str) else False

    @staticmethod
    def version():
        return sqlite3.sqlite_version

    def functions(self) -> dict:
        names = [name for name in dir(self) if not name.startswith("_") and name not in ("functions", "dbs")]
        return {name: getattr(self, name) for name in names if callable(getattr(self, name))}


def _as_array(values, n: int) -> list:
    if isinstance(values, list):
        return (values + [None] * n)[:n]
    if isinstance(values, dict):
        return [values.get(i) for i in range(1, n + 1)]
    return [None] * n


def factory(bridge):
    """The `lsqlite3` Lua table for one process."""
    limits = None
    if bridge.memory_cap:
        limits = Limits(bridge.memory_cap, bridge.lua_memory_used, bridge.reserve_memory,
                        operations=bridge.instructions, interrupted=bridge.interrupted)
    calls = Calls(Databases(limits), bridge.interrupted)
    core = bridge.make_module(calls.functions())
    return bridge.load_lua(runtime_source("lsqlite3"), b"=lsqlite3", core, bridge.to_lua(codes.CONSTANTS))
