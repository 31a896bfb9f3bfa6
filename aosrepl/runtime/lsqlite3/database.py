"""One process's SQLite databases, on Python's sqlite3 module: in memory only, deterministic, sandboxed and
held to the process's memory cap. lsqlite3's statement model (prepare, bind, step, reset, finalize) is
emulated with a cursor per statement: the first step executes it, each later step fetches one more row.

- Sandbox: an authorizer denies ATTACH of anything but a private temporary database (so also
  `VACUUM INTO 'file'`), every pragma outside a read-mostly allow-list, and functions that reach the host;
  extensions are never enabled; temp storage is kept in memory.
- Determinism (replay must rebuild the same rows): `random()`/`randomblob()` come from a seeded generator,
  every date/time function's 'now' is the time of the message being handled (`os.time()` in the process,
  handed over with each step), and time is UTC ('localtime' would be the host's zone: it changes nothing).
- Memory: before a statement runs, each database may grow only to what the process's cap leaves free after
  the Lua heap and the other databases (`max_page_count`); afterwards the Lua heap's own limit is lowered by
  what the databases hold, so Lua and SQLite together never exceed the cap.
"""
from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timezone
from typing import Any, Callable

from aosrepl.runtime.lsqlite3 import codes
from aosrepl.runtime.lsqlite3.sqltext import Parsed, parse

# Pragmas a process may run: they read the schema or set per-connection behaviour that stays inside it.
ALLOWED_PRAGMAS = frozenset({
    "application_id", "case_sensitive_like", "collation_list", "data_version", "database_list",
    "defer_foreign_keys", "encoding", "foreign_key_check", "foreign_key_list", "foreign_keys", "freelist_count",
    "function_list", "ignore_check_constraints", "index_info", "index_list", "index_xinfo", "integrity_check",
    "legacy_alter_table", "module_list", "optimize", "page_count", "page_size", "pragma_list", "query_only",
    "quick_check", "recursive_triggers", "reverse_unordered_selects", "schema_version", "table_info",
    "table_list", "table_xinfo", "user_version", "automatic_index", "count_changes", "full_column_names",
    "short_column_names",
})
DENIED_FUNCTIONS = frozenset({"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"})
_NOW_FUNCTIONS = ("date", "time", "datetime", "julianday", "unixepoch", "strftime")
_CURRENT = {"current_date": "date", "current_time": "time", "current_timestamp": "datetime"}
RANDOM_SEED = 0x5EED
CAP_STEP_PAGES = 64
PROGRESS_EVERY = 1000      # SQLite VM operations between budget / interrupt checks
# statements that begin so cannot make a database grow: no memory bookkeeping around them
_READ_ONLY_STARTS = ("select", "values", "explain")


class Limits:
    """What the databases of one process may use: the process cap minus the Lua heap, and for one step of a
    statement as many SQLite VM operations as the process may run Lua instructions per message (from the
    bridge)."""

    def __init__(self, cap: int, lua_used: Callable[[], int], reserve: Callable[[int], None],
                 operations: int | None = None, interrupted: Callable[[], bool] = lambda: False):
        self.cap = cap
        self.lua_used = lua_used
        self.reserve = reserve      # tells the Lua heap how many bytes the databases hold
        self.operations = operations
        self.interrupted = interrupted


class Database:
    """One `sqlite3.open_memory()` database."""

    def __init__(self, host: "Databases", number: int):
        self.host = host
        self.conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False,
                                    cached_statements=64)
        self.conn.text_factory = bytes    # Lua strings are bytes: TEXT comes back as it is stored
        self._internal = False
        self._random = random.Random(RANDOM_SEED + number)
        self._last_cap_pages = None
        self._schemas = None
        self.errcode = codes.OK
        self.errmsg = "not an error"
        self.statements: set[Statement] = set()
        self.open = True
        self._internal_run("PRAGMA temp_store = MEMORY")
        self.page_size = int(self._internal_run("PRAGMA page_size")[0][0])
        self.last_size = 0
        self.conn.set_authorizer(self._authorize)
        self.operations = 0
        self.conn.set_progress_handler(self._progress, PROGRESS_EVERY)
        self._install_functions()

    # -- sandbox --------------------------------------------------------------------------------
    def _authorize(self, action, arg1, arg2, _db, _trigger):
        if self._internal:
            return sqlite3.SQLITE_OK
        if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
            self._schemas = None     # the schemas whose growth is capped change
        if action == sqlite3.SQLITE_ATTACH:
            # "" is a private temporary database (VACUUM makes one); kept in memory by temp_store and
            # counted like the others. Any other name would be a file.
            return sqlite3.SQLITE_OK if arg1 == "" else sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_DETACH:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA:
            name = (arg1 or "").lower()
            if name == "page_size":      # read only: the memory accounting relies on one page size
                return sqlite3.SQLITE_OK if arg2 is None else sqlite3.SQLITE_DENY
            return sqlite3.SQLITE_OK if name in ALLOWED_PRAGMAS else sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in DENIED_FUNCTIONS:
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    def _progress(self):
        """SQLite runs no Lua, so the instruction hook cannot stop it: a step that runs longer than the
        budget (a counted, so deterministic, number of VM operations) or is interrupted is aborted here."""
        self.operations += PROGRESS_EVERY
        limits = self.host.limits
        if limits is None or self._internal:
            return 0
        if limits.interrupted() or (limits.operations and self.operations > limits.operations):
            return 1
        return 0

    def _internal_run(self, sql: str, params=()):
        self._internal = True
        try:
            return self.conn.execute(sql, params).fetchall()
        finally:
            self._internal = False

    # -- determinism ----------------------------------------------------------------------------
    def _install_functions(self):
        rng = self._random
        self.conn.create_function("random", 0, lambda: rng.getrandbits(64) - (1 << 63))
        self.conn.create_function("randomblob", 1, lambda size: bytes(
            rng.getrandbits(8) for _ in range(max(1, min(int(size or 1), 1 << 20)))))
        for name in _NOW_FUNCTIONS:
            self.conn.create_function(name, -1, self._with_now(name))
        for name, builtin in _CURRENT.items():
            self.conn.create_function(name, 0, self._with_now(builtin))

    def _with_now(self, name: str):
        def call(*args):
            args = list(args)
            if not args or (name == "strftime" and len(args) == 1):
                args.append("now")
            args = [self.host.now_text() if _is_word(a, "now") else a for a in args
                    if not (_is_word(a, "localtime") or _is_word(a, "utc"))]
            return self.host.builtin(name, args)
        return call

    # -- memory ---------------------------------------------------------------------------------
    def size(self) -> int:
        """Bytes held by every schema of this connection (main, temp, and any private temporary one);
        page_size cannot be changed by the process, so every schema has the same one."""
        pages = self._internal_run("SELECT sum(p.page_count) FROM pragma_database_list AS d "
                                   "JOIN pragma_page_count(d.name) AS p")[0][0]
        self.last_size = int(pages or 0) * self.page_size
        return self.last_size

    def cap_growth(self) -> None:
        """Let this database grow only into what the process has free (in steps of CAP_STEP_PAGES, so the
        limit is not rewritten for every statement)."""
        limits = self.host.limits
        if limits is None:
            return
        # an eighth of the cap stays for Lua, so a process whose databases are full can still run the
        # code that empties them
        free = limits.cap - limits.cap // 8 - limits.lua_used() - self.host.others_size(self)
        pages = max(1, max(free, 0) // self.page_size)
        if pages > CAP_STEP_PAGES:
            pages -= pages % CAP_STEP_PAGES
        if self._schemas is None:
            self._schemas = tuple(bytes(row[1]).decode("utf-8", "replace")
                                  for row in self._internal_run("PRAGMA database_list"))
        schemas = self._schemas
        if (pages, schemas) != self._last_cap_pages:
            for schema in schemas:
                quoted = schema.replace('"', '""')
                self._internal_run(f'PRAGMA "{quoted}".max_page_count = {pages}')
            self._last_cap_pages = (pages, schemas)

    # -- errors ---------------------------------------------------------------------------------
    def ok(self) -> int:
        self.errcode, self.errmsg = codes.OK, "not an error"
        return codes.OK

    def failed(self, exc: Exception) -> int:
        self.errcode = codes.of_exception(exc)
        self.errmsg = codes.message_of(exc)
        return self.errcode

    # -- statements -----------------------------------------------------------------------------
    def prepare(self, sql: str):
        """(Statement or None, tail, code)."""
        parsed = parse(sql)
        if parsed.empty:
            self.ok()
            return None, parsed.tail, codes.OK
        try:
            self._check_compiles(parsed)
        except Exception as exc:
            return None, parsed.tail, self.failed(exc)
        self.ok()
        stmt = Statement(self, parsed)
        self.statements.add(stmt)
        return stmt, parsed.tail, codes.OK

    def _check_compiles(self, parsed: Parsed):
        """Compile without running: EXPLAIN goes through SQLite's parser and the authorizer."""
        head = parsed.positional_sql.lstrip().lower()
        if head.startswith("explain"):
            return
        self.conn.execute("EXPLAIN " + parsed.positional_sql, [None] * len(parsed.names)).close()

    def scalar(self, sql: str):
        return self._internal_run(sql)[0][0]

    def close(self) -> int:
        for stmt in list(self.statements):
            stmt.finalize()
        self.conn.close()
        self.open = False
        return codes.OK


class Statement:
    """A prepared statement: bound values, and the cursor once it has been stepped."""

    def __init__(self, db: Database, parsed: Parsed):
        self.db = db
        self.parsed = parsed
        self.values: list[Any] = [None] * len(parsed.names)
        self.cursor = None
        self.row = None
        self.names: list[str] = []
        self.open = True
        self.done = False
        self.may_grow = not _first_word(parsed.sql).startswith(_READ_ONLY_STARTS)

    def bind(self, index: int, value) -> int:
        if not 1 <= index <= len(self.values):
            raise IndexError(f"bind index out of range [1..{len(self.values)}]")
        self._drop_cursor()
        self.values[index - 1] = value
        return codes.OK

    def step(self) -> int:
        db = self.db
        db.operations = 0
        try:
            if self.cursor is None:
                if self.done:
                    # stepping a finished statement again runs it again (SQLite's automatic reset)
                    self.done = False
                if self.may_grow:
                    db.cap_growth()
                self.cursor = db.conn.cursor()
                try:
                    self.cursor.execute(self.parsed.positional_sql, self.values)
                finally:
                    if self.may_grow:
                        db.size()
                        db.host.settle_memory()
                self.names = [d[0] for d in (self.cursor.description or ())]
            row = self.cursor.fetchone()
        except Exception as exc:
            self._drop_cursor()
            self.row = None
            return db.failed(exc)
        db.ok()
        if row is None:
            self.row = None
            self._drop_cursor()
            self.done = True
            return codes.DONE
        self.row = list(row)
        return codes.ROW

    def column_names(self) -> list[str]:
        """The result columns: known once the statement has run; before that, a query's columns are read
        from the same query limited to no rows (nothing is evaluated, nothing changes)."""
        if self.names or self.cursor is not None or self.done or not self.parsed.sql.strip():
            return self.names
        if _first_word(self.parsed.sql).startswith(("select", "values", "with")):
            body = self.parsed.positional_sql.rstrip().rstrip(";")
            try:
                probe = self.db.conn.execute(f"SELECT * FROM ({body}) LIMIT 0", self.values)
                self.names = [d[0] for d in (probe.description or ())]
                probe.close()
            except sqlite3.Error:
                pass
        return self.names

    def reset(self) -> int:
        self._drop_cursor()
        self.row = None
        self.done = False
        return codes.OK

    def finalize(self) -> int:
        self._drop_cursor()
        self.open = False
        self.db.statements.discard(self)
        return codes.OK

    def _drop_cursor(self):
        if self.cursor is not None:
            try:
                self.cursor.close()
            except sqlite3.Error:
                pass
            self.cursor = None


class Databases:
    """Every database one process has opened, numbered by handle (what the Lua side holds)."""

    def __init__(self, limits: Limits | None = None):
        self.limits = limits
        self.now_ms = None          # the time of the message being handled, set with each step
        self.dbs: dict[int, Database] = {}
        self.stmts: dict[int, Statement] = {}
        self._next = 1
        self._opened = 0
        self._helper = None

    def _handle(self) -> int:
        handle, self._next = self._next, self._next + 1
        return handle

    def open_memory(self) -> int:
        self._opened += 1
        handle = self._handle()
        self.dbs[handle] = Database(self, self._opened)
        return handle

    def db(self, handle) -> Database:
        db = self.dbs.get(handle)
        if db is None or not db.open:
            raise ValueError("attempt to use closed sqlite database")
        return db

    def stmt(self, handle) -> Statement:
        stmt = self.stmts.get(handle)
        if stmt is None or not stmt.open:
            raise ValueError("attempt to use closed sqlite statement")
        return stmt

    def add_statement(self, stmt: Statement) -> int:
        handle = self._handle()
        self.stmts[handle] = stmt
        return handle

    def close(self, handle) -> int:
        db = self.dbs.pop(handle, None)
        if db is None or not db.open:
            return codes.OK
        for key in [k for k, s in self.stmts.items() if s.db is db]:
            del self.stmts[key]
        code = db.close()
        self.settle_memory()
        return code

    def drop_statement(self, handle) -> None:
        self.stmts.pop(handle, None)

    # -- memory ---------------------------------------------------------------------------------
    def others_size(self, db: Database) -> int:
        return sum(other.last_size for other in self.dbs.values() if other is not db and other.open)

    def settle_memory(self) -> None:
        """Tell the Lua heap what the databases hold (their sizes as of their last write)."""
        if self.limits is not None:
            self.limits.reserve(sum(db.last_size for db in self.dbs.values() if db.open))

    # -- time -----------------------------------------------------------------------------------
    def now_text(self) -> str:
        """'now' for SQLite: the time of the message being handled."""
        value = self.now_ms
        ms = int(value) if isinstance(value, (int, float)) and 0 <= value < 1 << 46 else 0
        moment = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
        return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{ms % 1000:03d}"

    def builtin(self, name: str, args: list):
        """SQLite's own date/time function (shadowed in the process's databases) on a private connection."""
        if self._helper is None:
            self._helper = sqlite3.connect(":memory:", check_same_thread=False)
        marks = ", ".join("?" for _ in args)
        return self._helper.execute(f"SELECT {name}({marks})", args).fetchone()[0]



def _first_word(sql: str) -> str:
    """The statement's first keyword, lower case (comments and whitespace skipped)."""
    text = sql
    while True:
        text = text.lstrip()
        if text.startswith("--"):
            nl = text.find("\n")
            text = "" if nl < 0 else text[nl + 1:]
        elif text.startswith("/*"):
            close = text.find("*/")
            text = "" if close < 0 else text[close + 2:]
        else:
            break
    return text[:8].lower()


def _is_word(value, word: str) -> bool:
    return isinstance(value, str) and value.strip().lower() == word
