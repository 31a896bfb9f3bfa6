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

Group commit, and no lock held while SQLite works. Callers group writes into atomic units with
`transaction()`; a unit only *stages* rows in memory (a unit that fails is dropped alone, with the counters
it moved). The committer thread takes everything staged so far as one batch, writes it with one
executemany per table and commits it, while the network goes on staging the next batch. Once the log is busy
(WRITER_AFTER_ROWS rows written), the writing itself is done by the log's writer process (log_writer.py), so its
Python work does not take turns with the message path for Python's lock; the committer thread sends it each
batch and waits for its word. Until then the committer writes batches itself: a short run (`aos NAME --run`)
never pays for the writer's start (a Python of its own, tens of milliseconds of a core). `ticket()` names the
batch of the last unit; `wait_committed(ticket)` is how the network acknowledges (a send returns, a result is
published) only what is committed. A commit that fails stops the log (`failure`): nothing after it is
acknowledged, and a restart continues from what was committed.

Reads go through a connection of their own. Those that must see everything (queries, results, histories)
first wait for the commit of what is staged; the two the router needs inside a unit (does a message id
exist, a message by id) also look at the staged messages.

Bounded WAL: automatic checkpoints are off (they would run inside a commit); after a commit, once the
WAL passes WAL_CHECKPOINT_BYTES, the writer copies it back and truncates it (never waiting for a
reader: a busy checkpoint is simply retried after a later commit).
Streamed reads (`stream_history`) fetch in pages: constant memory.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

from aosrepl.network.damage import wal_damage
from aosrepl.network.errors import DataDirError
from aosrepl.network.log_writer import (ADD_DELIVERY, ADD_MAIL, ADD_WALLET, FINISH_DELIVERY, INSERT_MESSAGE,
                                        INSERT_PROCESS, RETIRE, SET_GENERATION, WAL_CHECKPOINT_BYTES,
                                        BatchWriter)
from aosrepl.network.writer_process import WriterProcess

DB_NAME = "aosrepl.db"
FORMAT = "aosrepl-network-log"
VERSION = 1
OUTBOX_FIELDS = ("Messages", "Spawns", "Assignments")
APPLICATION_ID = 0x414F5352   # "AOSR": marks the file as ours at the SQLite header level
COMMIT_GATHER_SECONDS = 0.02      # with nobody waiting for an acknowledgement, let a batch gather this long
# (fewer, larger commits cost less CPU; a waiter ends the gathering at once, so no acknowledgement waits for it)
STREAM_PAGE = 512                 # rows per fetch when streaming a history
# rows the committer writes itself before it starts the writer process: a start and a few evals write tens of
# rows; a busy network writes this many in a tenth of a second (a count of batches came too late: under a steady
# load the committer gathers a batch for 20 ms, and 32 of them kept a ping-pong on the slower local writes for
# its first 0.6 s)
WRITER_AFTER_ROWS = 1000

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
    def __init__(self, data_dir: Path, existing_network: bool = False, lock_fd: int | None = None):
        """`existing_network`: the data dir already holds a network (its wallet exists), so a missing or
        empty log is damage, not a first start. Damage raises DataDirError before anything is written;
        `warnings` lists what was found that does not stop the start. `lock_fd`: the data dir's lock, which the
        writer process holds too (until it is gone, no other network may open this log)."""
        self.path = Path(data_dir) / DB_NAME
        self.lock = threading.RLock()       # the staging state (units, batch, counters)
        self.closed = False
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
            # for the checks and the counters; batches are written by a BatchWriter (below)
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
            self._next_seq = (self._conn.execute("SELECT max(seq) FROM messages").fetchone()[0] or 0) + 1
            self._process_count = self._conn.execute("SELECT count(*) FROM processes").fetchone()[0]
            self._reader = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
            # batches are written by the committer thread until the writer process is started and ready, then
            # by that process (writer_process.py)
            self._local_writer = BatchWriter(self.path, WAL_CHECKPOINT_BYTES)
            self._conn.close()
        except DataDirError:
            self._close_opened()
            raise
        except sqlite3.OperationalError as exc:   # locked, read-only, disk full...: the file may be fine
            self._close_opened()
            raise DataDirError(f"Cannot use the network log {self.path}: {exc}.") from None
        except sqlite3.DatabaseError as exc:
            self._close_opened()
            raise DataDirError(f"The network log {self.path} is damaged or not an aosrepl log ({exc}). "
                               f"It was left untouched; move it away or choose another data directory.") from None
        self._lock_fd = lock_fd
        self._writer: WriterProcess | None = None   # started once the log is busy (start_writer)
        self._local_rows = 0                  # rows the committer wrote itself
        self._read_lock = threading.Lock()  # the reading connection
        self._write_lock = threading.Lock()  # the writer process (the committer; close)
        self._depth = 0
        self._unit: list = []               # rows of the unit being written: (statement, args)
        self._unit_counters = (0, 0)          # the counters when the outer unit began (restored if it fails)
        self._unit_context = _Unit(self)      # what transaction() returns (a class, not a generator: hot path)
        self._unit_messages: dict = {}      # id -> (seq, body) of messages in that unit
        self._staged: list = []             # rows of finished units, waiting for the next commit
        self._committing: list = []         # rows being committed now
        self._recent: dict = {}             # id -> (seq, body, batch) of messages not known committed yet
        self._recent_seqs: dict = {}        # seq -> body, likewise
        self._batch = 1                     # the batch units join now (committed batches are < this)
        self._committed = 0
        self._last_batch = 0                # the batch of the last unit staged
        self._dirty = False
        self.batch_units = 0                # units in the open batch (what the next commit groups)
        self._waiting = 0                   # callers in wait_committed: commit at once for them
        self._stopping = False
        self.failure: Exception | None = None
        self.on_failure = None              # called (off the lock) with the exception when a commit fails
        self._changed = threading.Condition(self.lock)
        self._committer = threading.Thread(target=self._commit_loop, name="aosrepl-commit", daemon=True)
        self._committer.start()
        if not fresh and wal_missing and self.get_meta("running") == "1":
            self.warnings.append(
                f"The network log {self.path.name} was not closed the last time (a crash or a kill), and its "
                f"write-ahead file {self.path.name}-wal is missing: what was acknowledged in the last moments "
                f"before that stop may be lost.")

    @property
    def writer_pid(self) -> int | None:
        """The log's writer process (its CPU is the log's: benchmarks count it); None before it is started."""
        return None if self._writer is None else self._writer.pid

    @property
    def writer_in_use(self) -> bool:
        """Batches are written by the writer process (it has started), no longer by the committer itself."""
        return self._writer is not None and self._writer.in_use

    def start_writer(self) -> None:
        """Start the writer process now (the committer starts it by itself once the log is busy). Batches go
        to it once it says it is ready."""
        with self._write_lock:
            self._start_writer()

    def _start_writer(self) -> None:
        """(_write_lock held) The data dir's lock goes with it: see writer_process.py."""
        if self._writer is None and not self.closed:
            self._writer = WriterProcess(str(self.path), keep_fds=() if self._lock_fd is None else (self._lock_fd,),
                                         checkpoint_bytes=WAL_CHECKPOINT_BYTES)

    def mark_running(self, running: bool = True, wait: bool = True) -> None:
        """Kept in the log while a network uses it: found still set at the next start, it says the last
        run did not close (a deleted WAL then means lost commits). `wait`: as set_meta's."""
        self.set_meta("running", "1" if running else "0", wait=wait)
        self._running_marked = running

    def has_messages(self) -> bool:
        return self._one("SELECT 1 FROM messages LIMIT 1") is not None

    # -- opening ---------------------------------------------------------------------------------------
    def _close_opened(self) -> None:
        """After a failed open: close the connections opened so far."""
        for name in ("_local_writer", "_reader", "_conn"):
            conn = getattr(self, name, None)
            if conn is not None:
                conn.close()

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

    # -- units, batches, group commit ------------------------------------------------------------------
    def transaction(self) -> "_Unit":
        """One atomic unit of writes (re-entrant: nested uses join the outer one). It joins the staged batch;
        `ticket()` afterwards names that batch."""
        return self._unit_context

    def _begin_unit(self) -> None:
        self.lock.acquire()
        if self.closed or self.failure is not None:
            self.lock.release()
            raise sqlite3.ProgrammingError("the network log is closed" if self.closed else
                                           f"the network log stopped after a failed commit ({self.failure})")
        self._depth += 1
        if self._depth == 1:
            self._unit_counters = (self._next_seq, self._process_count)

    def _end_unit(self, failed: bool) -> None:
        try:
            self._depth -= 1
            if self._depth:
                return
            if failed:   # drop the unit: nothing of it was written anywhere
                self._unit, self._unit_messages = [], {}
                self._next_seq, self._process_count = self._unit_counters
                return
            if self._unit:
                self._staged.extend(self._unit)
                for mid, (seq, body) in self._unit_messages.items():
                    self._recent[mid] = (seq, body, self._batch)
                    self._recent_seqs[seq] = body
                self._unit, self._unit_messages = [], {}
                self._last_batch = self._batch
                self.batch_units += 1
                if not self._dirty:
                    self._dirty = True
                    self._changed.notify_all()
        finally:
            self.lock.release()

    def _write(self, statement: str, args: tuple) -> None:
        if self._depth == 0:
            raise RuntimeError("log writes belong in a transaction()")
        self._unit.append((statement, args))

    def ticket(self) -> int:
        """The batch of the last unit written so far (waiting for it covers every earlier unit too)."""
        with self.lock:
            return self._last_batch

    def wait_committed(self, ticket: int, timeout: float | None = None) -> None:
        """Return once batch `ticket` is committed; sqlite3.Error if the log stopped before that."""
        with self.lock:
            if self._depth and self.lock._is_owned():   # waiting would let other units interleave with ours
                raise RuntimeError("cannot wait for a commit inside a log transaction")
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
                batch = self._take_batch()
            failed = self._write_batch(*batch)
            if failed is not None:
                if self.on_failure is not None:
                    self.on_failure(failed)
                return

    def _take_batch(self):
        """(lock held) Everything staged becomes the batch being committed; new units start the next one."""
        rows, number = self._staged, self._batch
        self._committing, self._staged = rows, []
        self._batch += 1
        self._dirty = False
        self.batch_units = 0
        return rows, number

    def _write_batch(self, rows: list, number: int):
        """Write and commit one batch (no staging lock held: units go on being staged meanwhile)."""
        failure = None
        with self._write_lock:
            try:
                writer = self._writer
                if writer is not None and writer.poll_ready():
                    writer.commit(rows, number)
                else:
                    self._local_writer.commit(rows)
                    self._local_rows += len(rows)
                    if writer is None and self._local_rows >= WRITER_AFTER_ROWS:
                        self._start_writer()
            except sqlite3.Error as exc:
                failure = exc
        with self.lock:
            self._committing = []
            if failure is None:
                self._committed = number
                for mid in [mid for mid, entry in self._recent.items() if entry[2] <= number]:
                    seq = self._recent.pop(mid)[0]
                    self._recent_seqs.pop(seq, None)
            else:
                self.failure = failure
            self._changed.notify_all()
        return failure

    def close(self) -> None:
        with self.lock:
            if self.closed:
                return
            if self._running_marked and self.failure is None:
                with self.transaction():
                    self._write("INSERT OR REPLACE INTO meta VALUES ('running', '0')", ())
            batch = self._take_batch() if self._dirty and self.failure is None else None
            self._stopping = True
            self._changed.notify_all()
        if batch is not None:
            self._write_batch(*batch)
        self._committer.join(5)
        with self.lock, self._write_lock, self._read_lock:
            self.closed = True
            self._changed.notify_all()
            self._reader.close()
            # the last connection to close checkpoints what is left: the one that wrote last
            if self._writer is None:
                self._local_writer.close()
            elif self._writer.in_use:
                self._local_writer.close()
                self._writer.close()
            else:
                self._writer.close()
                self._local_writer.close()

    # -- reading -----------------------------------------------------------------------------------------
    def _all(self, sql, args=(), committed_first=True):
        if committed_first:
            self.flush()
        with self._read_lock:
            if self.closed:
                raise sqlite3.ProgrammingError("the network log is closed")
            return self._reader.execute(sql, args).fetchall()

    def _one(self, sql, args=(), committed_first=True):
        rows = self._all(sql, args, committed_first)
        return rows[0] if rows else None

    # -- meta ------------------------------------------------------------------------------------------
    def get_meta(self, key: str, default=None):
        row = self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return row[0] if row else default

    def set_meta(self, key: str, value, wait: bool = True) -> None:
        """`wait=False`: return once it is staged; it is committed with the next batch, before anything staged
        after it (so before anything acknowledged later)."""
        with self.transaction():
            self._write("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, str(value)))
        if wait:
            self.flush()

    def delete_meta(self, key: str) -> None:
        self._write("DELETE FROM meta WHERE key = ?", (key,))

    # -- messages --------------------------------------------------------------------------------------
    def insert_message(self, body: dict, action: str | None) -> int:
        # the body as ASCII JSON: any Python text (even lone surrogates) is stored and read back unchanged
        seq = self._next_seq
        # the body is staged as it is and encoded by the committer (off the message path; bodies are never
        # changed once logged)
        self._write(INSERT_MESSAGE, (seq, _column(body["Id"]), _column(body.get("Target")),
                                     _column(body.get("From")), _column(action), body["Timestamp"], body))
        self._next_seq = seq + 1
        self._unit_messages[body["Id"]] = (seq, body)
        return seq

    def message_exists(self, msg_id: str) -> bool:
        """(staged ones included) Without reading the body: genesis asks this of its large publish messages at
        every start."""
        with self.lock:
            if msg_id in self._unit_messages or msg_id in self._recent:
                return True
        return self._one("SELECT 1 FROM messages WHERE id = ? LIMIT 1", (msg_id,), committed_first=False) is not None

    def get_message(self, msg_id: str) -> tuple[int, dict] | None:
        """(seq, body) of the latest message with that id (staged ones included: usable inside a unit)."""
        with self.lock:
            found = self._unit_messages.get(msg_id) or self._recent.get(msg_id)
        if found is not None:
            return found[0], found[1]
        row = self._one("SELECT seq, body FROM messages WHERE id = ? ORDER BY seq DESC LIMIT 1", (msg_id,),
                        committed_first=False)
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
        self._write(INSERT_PROCESS, (rec.id, rec.name, rec.owner, rec.module, rec.kind, json.dumps(rec.tags),
                                     json.dumps(list(rec.natives)), int(rec.ephemeral), rec.created_ms,
                                     rec.generation, self._process_count))
        self._process_count += 1

    def set_generation(self, pid: str, generation: int, created_ms: int) -> None:
        self._write(SET_GENERATION, (generation, created_ms, pid))

    def process_rows(self) -> list[tuple]:
        return self._all("SELECT id, name, owner, module, kind, tags, natives, ephemeral, created_ms, generation "
                         "FROM processes ORDER BY seq")

    # -- deliveries ------------------------------------------------------------------------------------
    def add_delivery(self, pid: str, nonce: int, msg_seq: int, generation: int, hash_chain: str) -> None:
        self._write(ADD_DELIVERY, (pid, nonce, msg_seq, generation, hash_chain))

    def finish_delivery(self, pid: str, nonce: int, state: str, result=None) -> None:
        """Mark a delivery handled, keeping its result's Output or Error (its outbox is in the log already,
        as the messages it caused)."""
        kept = None if result is None else {k: v for k, v in result.items() if k not in OUTBOX_FIELDS}
        # encoded by the committer, as message bodies are (a result is published only once committed)
        self._write(FINISH_DELIVERY, (state, kept, pid, nonce))

    def retire(self, pid: str) -> list[int]:
        """Close the books of an ephemeral process (inside a unit): returns the seqs of its messages that were
        still pending, staged ones included."""
        pending = dict(self._all("SELECT nonce, msg_seq FROM deliveries WHERE process = ? AND state = 'pending'",
                                 (pid,), committed_first=False))
        with self.lock:   # what the database does not show yet, in the order it will be written
            for statement, args in self._committing + self._staged + self._unit:
                if statement is ADD_DELIVERY and args[0] == pid:
                    pending[args[1]] = args[2]
                elif statement is FINISH_DELIVERY and args[2] == pid and args[0] != "pending":
                    pending.pop(args[3], None)
                elif statement is RETIRE and args[0] == pid:
                    pending.clear()
        self._write(RETIRE, (pid,))
        return [pending[nonce] for nonce in sorted(pending)]

    def last_links(self, pids) -> dict[str, tuple[int, str]]:
        """process -> (last nonce, last hash chain), one index seek per process."""
        links = {}
        for pid in pids:
            row = self._one("SELECT nonce, hash_chain FROM deliveries WHERE process = ? ORDER BY nonce DESC LIMIT 1",
                            (pid,))
            if row:
                links[pid] = (row[0], row[1])
        return links

    def delivery_nonce(self, pid: str, msg_id: str) -> int | None:
        """The nonce under which `pid` received the message with this id (its latest delivery), or None."""
        row = self._one("SELECT MAX(d.nonce) FROM deliveries d JOIN messages m ON m.seq = d.msg_seq "
                        "WHERE d.process = ? AND m.id = ?", (pid, msg_id))
        return row[0] if row else None

    def history(self, pid: str, generation: int, states=("handled",)) -> list[tuple[int, str, dict]]:
        """(nonce, hash_chain, body) of a process's deliveries in the given states, in scheduler order."""
        return list(self.stream_history(pid, generation, states))

    def stream_history(self, pid: str, generation: int, states=("handled",)):
        """history() as an iterator that holds one page of rows at a time (for replays), on a connection of
        its own, after committing what is written so far (so it sees everything)."""
        marks = ",".join("?" * len(states))
        loads = json.loads
        for nonce, link, body in self._stream(
                f"SELECT d.nonce, d.hash_chain, m.body FROM deliveries d JOIN messages m ON m.seq = d.msg_seq "
                f"WHERE d.process = ? AND d.generation = ? AND d.state IN ({marks}) ORDER BY d.nonce",
                (pid, generation, *states)):
            yield nonce, link, loads(body)

    def pending(self) -> list[tuple[str, int, str, dict]]:
        """(process, nonce, hash_chain, body) of every pending delivery, per process in nonce order."""
        rows = self._all("SELECT d.process, d.nonce, d.hash_chain, m.body FROM deliveries d "
                         "JOIN messages m ON m.seq = d.msg_seq WHERE d.state = 'pending' ORDER BY d.process, d.nonce")
        return [(r[0], r[1], r[2], json.loads(r[3])) for r in rows]

    def delivery_chain(self, pid: str, generation: int = 0):
        """(nonce, hash_chain, message id) of the deliveries of a process from `generation` on, in nonce order,
        after the one delivery before them (the link they follow on from; none for generation 0, whose chain
        starts at nonce 1): an iterator that holds one page of rows at a time (checked before a replay, so it
        must not cost memory per message)."""
        return self._stream("SELECT d.nonce, d.hash_chain, m.id FROM deliveries d JOIN messages m ON m.seq = d.msg_seq "
                            "WHERE d.process = ? AND d.nonce >= (SELECT COALESCE(MIN(nonce), 1) - 1 FROM deliveries "
                            "WHERE process = ? AND generation >= ?) ORDER BY d.nonce", (pid, pid, generation))

    def _stream(self, sql: str, args: tuple):
        """Rows of a query, a page at a time, through a connection of its own, after a flush."""
        self.flush()
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False,
                               isolation_level=None)
        try:
            cursor = conn.execute(sql, args)
            while True:
                rows = cursor.fetchmany(STREAM_PAGE)
                if not rows:
                    return
                yield from rows
        finally:
            conn.close()

    def delivered_to(self, pid: str, msg_id: str) -> bool:
        """Has a message with this id been scheduled for `pid` already (in any state, staged ones included:
        usable inside a unit)?"""
        if self._one("SELECT 1 FROM deliveries d JOIN messages m ON m.seq = d.msg_seq "
                     "WHERE d.process = ? AND m.id = ? LIMIT 1", (pid, msg_id), committed_first=False):
            return True
        seqs = {row[0] for row in self._all("SELECT seq FROM messages WHERE id = ?", (msg_id,),
                                            committed_first=False)}
        with self.lock:
            seqs |= {seq for mid, (seq, _) in self._unit_messages.items() if mid == msg_id}
            seqs |= {entry[0] for mid, entry in self._recent.items() if mid == msg_id}
            return any(statement is ADD_DELIVERY and args[0] == pid and args[2] in seqs
                       for statement, args in self._committing + self._staged + self._unit)

    def body_by_seq(self, seq: int) -> dict:
        with self.lock:
            for _, (staged_seq, body) in self._unit_messages.items():
                if staged_seq == seq:
                    return body
            body = self._recent_seqs.get(seq)
        if body is not None:
            return body
        return json.loads(self._one("SELECT body FROM messages WHERE seq = ?", (seq,), committed_first=False)[0])

    def result_of(self, pid: str, msg_id: str):
        """The kept result (Output or Error) of message `msg_id` in process `pid`; None until handled."""
        row = self._one("SELECT d.result FROM deliveries d JOIN messages m ON m.seq = d.msg_seq "
                        "WHERE d.process = ? AND m.id = ? AND d.result IS NOT NULL ORDER BY d.nonce DESC LIMIT 1",
                        (pid, msg_id))
        return json.loads(row[0]) if row else None

    # -- mailbox, wallets, monitors --------------------------------------------------------------------
    def add_mail(self, msg_seq: int, address: str, kind: str) -> None:
        self._write(ADD_MAIL, (msg_seq, address, kind))

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
        self._write(ADD_WALLET, (address,))

    def wallets(self) -> set[str]:
        return {r[0] for r in self._all("SELECT address FROM wallets")}

    def set_monitor(self, pid: str, on: bool) -> None:
        with self.transaction():
            if on:
                self._write("INSERT OR IGNORE INTO monitors VALUES (?)", (pid,))
            else:
                self._write("DELETE FROM monitors WHERE process = ?", (pid,))
        self.flush()

    def monitors(self) -> list[str]:
        return [r[0] for r in self._all("SELECT process FROM monitors ORDER BY process")]


class _Unit:
    """MessageLog.transaction()'s context manager (state lives in the log, under its lock)."""
    __slots__ = ("_log",)

    def __init__(self, log: MessageLog):
        self._log = log

    def __enter__(self) -> MessageLog:
        self._log._begin_unit()
        return self._log

    def __exit__(self, kind, value, traceback) -> bool:
        self._log._end_unit(failed=kind is not None)
        return False


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
