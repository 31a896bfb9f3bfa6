"""The network's durable log: one SQLite file (WAL, synchronous=NORMAL) in the data dir.

Tables
- meta(key, value)                     format marker, version, boot counter, one-off genesis flags
- messages(seq, id, target, sender, action, timestamp, body)   every message ever accepted, body = JSON
- processes(id, name, owner, module, kind, tags, natives, ephemeral, created_ms, generation)
- deliveries(process, nonce, msg_seq, generation, hash_chain, state, result)
      the scheduler's order per process; state: pending | handled | stopped | retired
      (stopped: ended by the budget, an interrupt or memory; never replayed. Older logs say interrupted)
- mailbox(msg_seq, address, kind)      messages that reached no process: kind 'wallet' or 'unknown'
- wallets(address)                     addresses known to sign messages (their mail is kept as an inbox)
- monitors(process)                    processes whose cron is running

One connection, shared by the network's threads behind `lock`; callers group writes with `transaction()`.
"""
from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from pathlib import Path

from aosrepl.network.damage import wal_damage
from aosrepl.network.errors import DataDirError

DB_NAME = "aosrepl.db"
FORMAT = "aosrepl-network-log"
VERSION = 1
OUTBOX_FIELDS = ("Messages", "Spawns", "Assignments")
APPLICATION_ID = 0x414F5352   # "AOSR": marks the file as ours at the SQLite header level

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
    def __init__(self, data_dir: Path, existing_network: bool = False):
        """`existing_network`: the data dir already holds a network (its wallet exists), so a missing or
        empty log is damage, not a first start. Damage raises DataDirError before anything is written;
        `warnings` lists what was found that does not stop the start."""
        self.path = Path(data_dir) / DB_NAME
        self.lock = threading.RLock()
        self.closed = False
        self._depth = 0
        self.warnings: list[str] = []
        self._running_marked = False      # only a start that got as far as marking it clears it at close
        existed = self.path.exists()
        if existing_network and (not existed or self.path.stat().st_size == 0):
            what = "is missing" if not existed else "is empty (0 bytes)"
            raise DataDirError(f"The network log {self.path} {what}, but {data_dir} holds a network (its "
                               f"wallet.json is there): its messages are gone. Nothing was changed; restore the "
                               f"log or choose another data directory.")
        wal_missing = existed and not Path(f"{self.path}-wal").exists()
        damage = wal_damage(self.path)
        if damage:
            raise DataDirError(f"The network log {self.path} is damaged: {damage}. It was left untouched; "
                               f"move it away (with its -wal and -shm files) or choose another data directory.")
        try:
            self._conn = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
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
            # checkpoints (which sync the main file) run on a thread of their own, off the message path
            self._conn.execute("PRAGMA wal_autocheckpoint=0")
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

        if not fresh and wal_missing and self.get_meta("running") == "1":
            self.warnings.append(
                f"The network log {self.path.name} was not closed the last time (a crash or a kill), and its "
                f"write-ahead file {self.path.name}-wal is missing: what was acknowledged in the last moments "
                f"before that stop may be lost.")
        self._checkpointer = Checkpointer(self.path)

    def mark_running(self, running: bool = True) -> None:
        """Kept in the log while a network uses it: found still set at the next start, it says the last
        run did not close (a deleted WAL then means lost commits)."""
        self.set_meta("running", "1" if running else "0")
        self._running_marked = running

    def has_messages(self) -> bool:
        return self._one("SELECT 1 FROM messages LIMIT 1") is not None

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

    # -- transactions ----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self):
        """Group writes into one atomic commit (re-entrant: nested uses join the outer one)."""
        with self.lock:
            if self.closed:
                raise sqlite3.ProgrammingError("the network log is closed")
            self._depth += 1
            if self._depth == 1:
                self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if self._depth == 0:
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if self._depth == 0:
                self._conn.execute("COMMIT")

    def close(self) -> None:
        with self.lock:
            if not self.closed:
                try:
                    if self._running_marked:
                        self.mark_running(False)
                except sqlite3.Error:
                    pass   # read-only or full: the next start only warns if the WAL is gone too
                self.closed = True
                self._checkpointer.stop()
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

    def delete_meta(self, key: str) -> None:
        self._conn.execute("DELETE FROM meta WHERE key = ?", (key,))

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
                           "('pending', 'handled', 'stopped', 'interrupted')", (pid,))
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

    def pending(self) -> list[tuple[str, int, str, dict]]:
        """(process, nonce, hash_chain, body) of every pending delivery, per process in nonce order."""
        rows = self._all("SELECT d.process, d.nonce, d.hash_chain, m.body FROM deliveries d "
                         "JOIN messages m ON m.seq = d.msg_seq WHERE d.state = 'pending' ORDER BY d.process, d.nonce")
        return [(r[0], r[1], r[2], json.loads(r[3])) for r in rows]

    def delivery_chain(self, pid: str) -> list[tuple[int, str, str]]:
        """(nonce, hash_chain, message id) of every delivery of a process, in nonce order."""
        return self._all("SELECT d.nonce, d.hash_chain, m.id FROM deliveries d JOIN messages m ON m.seq = d.msg_seq "
                         "WHERE d.process = ? ORDER BY d.nonce", (pid,))

    def delivered_to(self, pid: str, msg_id: str) -> bool:
        """Has a message with this id been scheduled for `pid` already (in any state)?"""
        return self._one("SELECT 1 FROM deliveries d JOIN messages m ON m.seq = d.msg_seq "
                         "WHERE d.process = ? AND m.id = ? LIMIT 1", (pid, msg_id)) is not None

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

    def monitors(self) -> list[str]:
        return [r[0] for r in self._all("SELECT process FROM monitors ORDER BY process")]


class Checkpointer:
    """Copies the WAL back into the main file every so often (PASSIVE: never blocks the writer)."""

    INTERVAL_SECONDS = 0.5

    def __init__(self, path: Path):
        self._path = path
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="aosrepl-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(str(self._path), check_same_thread=False, isolation_level=None)
        except sqlite3.Error:
            return
        try:
            while not self._stop.wait(self.INTERVAL_SECONDS):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error:
                    pass   # busy or gone: try again later
        finally:
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


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
