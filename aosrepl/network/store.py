"""The network's durable log: one SQLite file (WAL, synchronous=NORMAL) in the data dir.

Tables
- meta(key, value)                     format marker, version, boot counter, one-off genesis flags
- messages(seq, id, target, sender, action, timestamp, body)   every message ever accepted, body = JSON
- processes(id, name, owner, module, kind, tags, natives, ephemeral, created_ms, generation)
- deliveries(process, nonce, msg_seq, generation, hash_chain, state, result)
      the scheduler's order per process; state: pending | handled | interrupted | retired
- mailbox(msg_seq, address, kind)      messages that reached no process: kind 'wallet' or 'unknown'
- wallets(address)                     addresses known to sign messages (their mail is kept as an inbox)
- monitors(process)                    processes whose cron is running

Group commit. One connection, shared by the network's threads behind `lock`. Callers group writes into atomic
units with `transaction()` (a SAVEPOINT: a unit that fails is rolled back alone); units join the open batch
(one SQLite transaction), and the committer thread commits the batch as soon as the previous commit is done,
so many messages share one commit. `ticket()` names the batch of the last unit; `wait_committed(ticket)` is
how the network acknowledges (a send returns, a result is published) only what is committed.
A commit that fails stops the log (`failure`): nothing after it is acknowledged.

Bounded WAL: automatic checkpoints are off (they would run on the message path); after a commit, once the
WAL passes WAL_CHECKPOINT_BYTES, the committer copies it back and truncates it (never waiting for a
reader: a busy checkpoint is simply retried after a later commit).
Streamed reads (`stream_history`) use a connection of their own and fetch in pages: constant memory.
"""
from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from pathlib import Path

from aosrepl.network.errors import DataDirError

DB_NAME = "aosrepl.db"
FORMAT = "aosrepl-network-log"
VERSION = 1
OUTBOX_FIELDS = ("Messages", "Spawns", "Assignments")
APPLICATION_ID = 0x414F5352   # "AOSR": marks the file as ours at the SQLite header level
WAL_CHECKPOINT_BYTES = 16 << 20   # checkpoint and truncate the WAL once it is this big
COMMIT_GATHER_SECONDS = 0.002     # with nobody waiting for an acknowledgement, let a batch gather this long
STREAM_PAGE = 512                 # rows per fetch when streaming a history

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, target TEXT, sender TEXT, action TEXT,
    timestamp INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX messages_id ON messages(id);
CREATE TABLE processes (
    id TEXT PRIMARY KEY, name TEXT, owner TEXT NOT NULL, module TEXT NOT NULL, kind TEXT NOT NULL,
    tags TEXT NOT NULL, natives TEXT NOT NULL, ephemeral INTEGER NOT NULL, created_ms INTEGER NOT NULL,
    generation INTEGER NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE deliveries (
    process TEXT NOT NULL, nonce INTEGER NOT NULL, msg_seq INTEGER NOT NULL, generation INTEGER NOT NULL,
    hash_chain TEXT NOT NULL, state TEXT NOT NULL, result TEXT, PRIMARY KEY (process, nonce));
CREATE INDEX deliveries_pending ON deliveries(state) WHERE state = 'pending';
CREATE TABLE mailbox (msg_seq INTEGER NOT NULL, address TEXT NOT NULL, kind TEXT NOT NULL);
CREATE INDEX mailbox_address ON mailbox(address, msg_seq);
CREATE TABLE wallets (address TEXT PRIMARY KEY);
CREATE TABLE monitors (process TEXT PRIMARY KEY);
"""


class MessageLog:
    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / DB_NAME
        self.lock = threading.RLock()
        self.closed = False
        self._depth = 0
        existed = self.path.exists()
        try:
            # the only writer (the data dir is locked): a busy database means a reader, never wait long for it
            self._conn = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None,
                                         timeout=0.1)
        except sqlite3.Error as exc:
            raise DataDirError(f"Cannot open the network log {self.path}: {exc}") from None
        try:
            fresh = not existed or self._is_empty_database()
            if fresh:
                self._create()
            else:
                self._check_marker()
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            # checkpoints (which sync the main file) run on the committer thread, off the message path
            self._conn.execute("PRAGMA wal_autocheckpoint=0")
            self._conn.execute(f"PRAGMA journal_size_limit={WAL_CHECKPOINT_BYTES}")
        except DataDirError:
            self._conn.close()
            raise
        except sqlite3.OperationalError as exc:   # locked, read-only, disk full...: the file may be fine
            self._conn.close()
            raise DataDirError(f"Cannot use the network log {self.path}: {exc}.") from None
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise DataDirError(f"The network log {self.path} is damaged or not an aosrepl log ({exc}). "
                               f"It was left untouched; move it away or choose another data directory.") from None

        self._batch = 1             # the batch units join now (committed batches are < this)
        self._committed = 0
        self._in_batch = False
        self._dirty = False
        self.batch_units = 0        # units in the open batch (what the next commit groups)
        self._waiting = 0           # callers in wait_committed: commit at once for them
        self._stopping = False
        self.failure: Exception | None = None
        self.on_failure = None      # called (off the lock) with the exception when a commit fails
        self._changed = threading.Condition(self.lock)
        self._committer = threading.Thread(target=self._commit_loop, name="aosrepl-commit", daemon=True)
        self._committer.start()

    # -- opening ---------------------------------------------------------------------------------------
    def _is_empty_database(self) -> bool:
        app_id = self._conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id != 0:
            return False
        tables = self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        return tables == 0   # an empty file left by a start that died before creating the schema

    def _create(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in SCHEMA.strip().split(";"):
                if statement.strip():
                    self._conn.execute(statement)
            self._conn.execute("INSERT INTO meta VALUES ('format', ?), ('version', ?)", (FORMAT, str(VERSION)))
            self._conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
            self._conn.execute(f"PRAGMA user_version={VERSION}")
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise

    def _check_marker(self) -> None:
        app_id = self._conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id != APPLICATION_ID:
            raise DataDirError(f"{self.path} is not an aosrepl network log (it belongs to another program). "
                               f"It was left untouched; choose another data directory.")
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        if row is None:
            raise DataDirError(f"The network log {self.path} has no version marker; it was left untouched.")
        version = int(row[0])
        if version > VERSION:
            raise DataDirError(f"The network log {self.path} was written by a newer aosrepl (format {version}, "
                               f"this one reads {VERSION}). It was left untouched.")

    # -- transactions and group commit ----------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self):
        """One atomic unit of writes (re-entrant: nested uses join the outer one). It joins the open batch;
        `ticket()` afterwards names that batch."""
        with self.lock:
            if self.closed or self.failure is not None:
                raise sqlite3.ProgrammingError("the network log is closed" if self.closed else
                                               f"the network log stopped after a failed commit ({self.failure})")
            self._depth += 1
            if self._depth == 1:
                if not self._in_batch:
                    self._conn.execute("BEGIN IMMEDIATE")
                    self._in_batch = True
                self._conn.execute("SAVEPOINT unit")
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if self._depth == 0:
                    self._conn.execute("ROLLBACK TO unit")
                    self._conn.execute("RELEASE unit")
                raise
            self._depth -= 1
            if self._depth == 0:
                self._conn.execute("RELEASE unit")
                self.batch_units += 1
                if not self._dirty:
                    self._dirty = True
                    self._changed.notify_all()

    def ticket(self) -> int:
        """The batch that the units written so far belong to."""
        with self.lock:
            return self._batch if self._dirty else self._committed

    def wait_committed(self, ticket: int, timeout: float | None = None) -> None:
        """Return once batch `ticket` is committed; sqlite3.Error if the log stopped before that."""
        with self.lock:
            self._waiting += 1
            self._changed.notify_all()
            try:
                self._changed.wait_for(lambda: self._committed >= ticket or self.failure is not None or self.closed,
                                       timeout)
            finally:
                self._waiting -= 1
            if self._committed >= ticket:
                return
            if self.failure is not None:
                raise sqlite3.OperationalError(f"the commit failed ({self.failure})")
            raise sqlite3.ProgrammingError("the network log is closed")

    def flush(self) -> None:
        """Wait until everything written so far is committed."""
        self.wait_committed(self.ticket())

    def _commit_loop(self) -> None:
        while True:
            with self.lock:
                self._changed.wait_for(lambda: self._dirty or self._stopping)
                if not self._dirty:
                    return
                if not self._waiting and not self._stopping:   # nobody needs it yet: let more units join
                    self._changed.wait_for(lambda: self._waiting or self._stopping, COMMIT_GATHER_SECONDS)
                self._commit()
                failed = self.failure
            if failed is not None:
                if self.on_failure is not None:
                    self.on_failure(failed)
                return
            self._bound_wal()

    def _commit(self) -> None:
        """(lock held) Commit the open batch and wake whoever waits for it."""
        try:
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self.failure = exc
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
        else:
            self._committed = self._batch
            self._batch += 1
        self._in_batch = self._dirty = False
        self.batch_units = 0
        self._changed.notify_all()

    def _bound_wal(self) -> None:
        try:
            size = os.path.getsize(str(self.path) + "-wal")
        except OSError:
            return
        if size < WAL_CHECKPOINT_BYTES:
            return
        with self.lock:
            if not self._in_batch and not self.closed:
                with contextlib.suppress(sqlite3.Error):   # busy (a reader): retried after a later commit
                    self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        with self.lock:
            if self.closed:
                return
            if self._dirty and self.failure is None:
                self._commit()
            self._stopping = True
            self._changed.notify_all()
        self._committer.join(5)
        with self.lock:
            self.closed = True
            self._changed.notify_all()
            self._conn.close()   # the last connection to close checkpoints what is left

    def _all(self, sql, args=()):
        with self.lock:
            return self._conn.execute(sql, args).fetchall()

    def _one(self, sql, args=()):
        with self.lock:
            return self._conn.execute(sql, args).fetchone()

    # -- meta ------------------------------------------------------------------------------------------
    def get_meta(self, key: str, default=None):
        row = self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return row[0] if row else default

    def set_meta(self, key: str, value) -> None:
        with self.transaction():
            self._conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, str(value)))
        self.flush()

    # -- messages --------------------------------------------------------------------------------------
    def insert_message(self, body: dict, action: str | None) -> int:
        # the body as ASCII JSON: any Python text (even lone surrogates) is stored and read back unchanged
        cur = self._conn.execute(
            "INSERT INTO messages (id, target, sender, action, timestamp, body) VALUES (?, ?, ?, ?, ?, ?)",
            (_column(body["Id"]), _column(body.get("Target")), _column(body.get("From")), _column(action),
             body["Timestamp"], json.dumps(body, separators=(",", ":"), ensure_ascii=True)))
        return cur.lastrowid

    def message_exists(self, msg_id: str) -> bool:
        return self._one("SELECT 1 FROM messages WHERE id = ? LIMIT 1", (msg_id,)) is not None

    def get_message(self, msg_id: str) -> tuple[int, dict] | None:
        """(seq, body) of the latest message with that id."""
        row = self._one("SELECT seq, body FROM messages WHERE id = ? ORDER BY seq DESC LIMIT 1", (msg_id,))
        return (row[0], json.loads(row[1])) if row else None

    def max_timestamp(self) -> int | None:
        """The latest timestamp among the last messages (enough to keep virtual time moving forward)."""
        row = self._one("SELECT max(timestamp) FROM (SELECT timestamp FROM messages ORDER BY seq DESC LIMIT 1000)")
        return row[0] if row else None

    def query(self, process=None, action=None, since=None, until=None, sender=None, limit=None) -> list[dict]:
        """Messages in log order. `process`: messages delivered to that process (assignments included) or
        sent to it; `since`/`until`: Timestamp bounds in ms (inclusive)."""
        where, args = _conditions([
            ("(m.target = ? OR m.seq IN (SELECT msg_seq FROM deliveries WHERE process = ?))",
             None if process is None else (process, process)),
            ("m.action = ?", None if action is None else (action,)),
            ("m.sender = ?", None if sender is None else (sender,)),
            ("m.timestamp >= ?", None if since is None else (int(since),)),
            ("m.timestamp <= ?", None if until is None else (int(until),)),
        ])
        sql = "SELECT m.body FROM messages m" + where + " ORDER BY m.seq"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [json.loads(r[0]) for r in self._all(sql, args)]

    # -- processes -------------------------------------------------------------------------------------
    def insert_process(self, rec) -> None:
        self._conn.execute(
            "INSERT INTO processes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT count(*) FROM processes))",
            (rec.id, rec.name, rec.owner, rec.module, rec.kind, json.dumps(rec.tags), json.dumps(list(rec.natives)),
             int(rec.ephemeral), rec.created_ms, rec.generation))

    def set_generation(self, pid: str, generation: int, created_ms: int) -> None:
        self._conn.execute("UPDATE processes SET generation = ?, created_ms = ? WHERE id = ?",
                           (generation, created_ms, pid))

    def process_rows(self) -> list[tuple]:
        return self._all("SELECT id, name, owner, module, kind, tags, natives, ephemeral, created_ms, generation "
                         "FROM processes ORDER BY seq")

    # -- deliveries ------------------------------------------------------------------------------------
    def add_delivery(self, pid: str, nonce: int, msg_seq: int, generation: int, hash_chain: str) -> None:
        self._conn.execute("INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, 'pending', NULL)",
                           (pid, nonce, msg_seq, generation, hash_chain))

    def finish_delivery(self, pid: str, nonce: int, state: str, result=None) -> None:
        """Mark a delivery handled, keeping its result's Output or Error (its outbox is in the log already,
        as the messages it caused)."""
        kept = None if result is None else {k: v for k, v in result.items() if k not in OUTBOX_FIELDS}
        text = None if kept is None else json.dumps(kept, separators=(",", ":"), ensure_ascii=True, default=str)
        self._conn.execute("UPDATE deliveries SET state = ?, result = ? WHERE process = ? AND nonce = ?",
                           (state, text, pid, nonce))

    def retire(self, pid: str) -> list[int]:
        """Close the books of an ephemeral process: returns the seqs of its messages that were still pending."""
        pending = [r[0] for r in self._conn.execute(
            "SELECT msg_seq FROM deliveries WHERE process = ? AND state = 'pending' ORDER BY nonce", (pid,))]
        self._conn.execute("UPDATE deliveries SET state = 'retired' WHERE process = ? AND state IN "
                           "('pending', 'handled', 'interrupted')", (pid,))
        return pending

    def last_links(self, pids) -> dict[str, tuple[int, str]]:
        """process -> (last nonce, last hash chain), one index seek per process."""
        links = {}
        for pid in pids:
            row = self._one("SELECT nonce, hash_chain FROM deliveries WHERE process = ? ORDER BY nonce DESC LIMIT 1",
                            (pid,))
            if row:
                links[pid] = (row[0], row[1])
        return links

    def history(self, pid: str, generation: int, states=("handled",)) -> list[tuple[int, str, dict]]:
        """(nonce, hash_chain, body) of a process's deliveries in the given states, in scheduler order."""
        marks = ",".join("?" * len(states))
        rows = self._all(f"SELECT d.nonce, d.hash_chain, m.body FROM deliveries d JOIN messages m ON m.seq = d.msg_seq "
                         f"WHERE d.process = ? AND d.generation = ? AND d.state IN ({marks}) ORDER BY d.nonce",
                         (pid, generation, *states))
        return [(r[0], r[1], json.loads(r[2])) for r in rows]

    def stream_history(self, pid: str, generation: int, states=("handled",)):
        """history() as an iterator that holds one page of rows at a time (for replays). It reads through a
        connection of its own, after committing what is written so far (so it sees everything)."""
        self.flush()
        marks = ",".join("?" * len(states))
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False,
                               isolation_level=None)
        try:
            cursor = conn.execute(
                f"SELECT d.nonce, d.hash_chain, m.body FROM deliveries d JOIN messages m ON m.seq = d.msg_seq "
                f"WHERE d.process = ? AND d.generation = ? AND d.state IN ({marks}) ORDER BY d.nonce",
                (pid, generation, *states))
            loads = json.loads
            while True:
                rows = cursor.fetchmany(STREAM_PAGE)
                if not rows:
                    return
                for nonce, link, body in rows:
                    yield nonce, link, loads(body)
        finally:
            conn.close()

    def pending(self) -> list[tuple[str, int, str, dict]]:
        """(process, nonce, hash_chain, body) of every pending delivery, per process in nonce order."""
        rows = self._all("SELECT d.process, d.nonce, d.hash_chain, m.body FROM deliveries d "
                         "JOIN messages m ON m.seq = d.msg_seq WHERE d.state = 'pending' ORDER BY d.process, d.nonce")
        return [(r[0], r[1], r[2], json.loads(r[3])) for r in rows]

    def body_by_seq(self, seq: int) -> dict:
        return json.loads(self._one("SELECT body FROM messages WHERE seq = ?", (seq,))[0])

    def result_of(self, pid: str, msg_id: str):
        """The kept result (Output or Error) of message `msg_id` in process `pid`; None until handled."""
        row = self._one("SELECT d.result FROM deliveries d JOIN messages m ON m.seq = d.msg_seq "
                        "WHERE d.process = ? AND m.id = ? AND d.result IS NOT NULL ORDER BY d.nonce DESC LIMIT 1",
                        (pid, msg_id))
        return json.loads(row[0]) if row else None

    # -- mailbox, wallets, monitors --------------------------------------------------------------------
    def add_mail(self, msg_seq: int, address: str, kind: str) -> None:
        self._conn.execute("INSERT INTO mailbox VALUES (?, ?, ?)", (msg_seq, address, kind))

    def mail(self, address=None, kind=None) -> list[dict]:
        where, args = _conditions([
            ("b.address = ?", None if address is None else (address,)),
            ("b.kind = ?", None if kind is None else (kind,)),
        ])
        sql = "SELECT m.body FROM mailbox b JOIN messages m ON m.seq = b.msg_seq" + where
        return [json.loads(r[0]) for r in self._all(sql + " ORDER BY b.msg_seq", args)]

    def undeliverable(self) -> list[dict]:
        return self.mail(kind="unknown")

    def add_wallet(self, address: str) -> None:
        self._conn.execute("INSERT OR IGNORE INTO wallets VALUES (?)", (address,))

    def wallets(self) -> set[str]:
        return {r[0] for r in self._all("SELECT address FROM wallets")}

    def set_monitor(self, pid: str, on: bool) -> None:
        with self.transaction():
            if on:
                self._conn.execute("INSERT OR IGNORE INTO monitors VALUES (?)", (pid,))
            else:
                self._conn.execute("DELETE FROM monitors WHERE process = ?", (pid,))
        self.flush()

    def monitors(self) -> list[str]:
        return [r[0] for r in self._all("SELECT process FROM monitors ORDER BY process")]


def _column(text):
    """Text for an indexed column: SQLite needs valid UTF-8 (the exact text is in the JSON body)."""
    if isinstance(text, str) and not text.isascii():
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def _conditions(clauses) -> tuple[str, list]:
    """(" WHERE a AND b", args) for the clauses whose arguments are given (None: not asked for)."""
    used = [(sql, args) for sql, args in clauses if args is not None]
    if not used:
        return "", []
    return " WHERE " + " AND ".join(sql for sql, _ in used), [a for _, args in used for a in args]
