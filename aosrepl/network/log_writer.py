"""Writing the log's batches, and the writer process that does it beside the network.

A batch (the rows of many units, staged by store.MessageLog) is written with one executemany per table and
committed as one transaction by a `BatchWriter`. The network runs one in a process of its own (`main()`, started
by writer_process.py as `python -I -S this_file.py <database> <WAL limit>`; this file imports nothing but the
standard library): the writing costs Python work (encoding bodies as JSON, binding rows) that, on a thread, took
turns with the message path for Python's lock, and in its own process runs beside it.

The wire: frames of an 8-byte length and a marshal payload. The network sends ("batch", number, rows) and
("close",); the writer answers ("ready",) once it can write, then ("ok", number) or ("error", kind, text) per
batch and ("closed",).
"""
from __future__ import annotations

import json
import marshal
import os
import sqlite3
import struct
import sys
import time

WAL_CHECKPOINT_BYTES = 16 << 20   # checkpoint and truncate the WAL once it is this big
CHECKPOINT_RETRY_SECONDS = 1.0   # after a checkpoint found a reader in the way

INSERT_MESSAGE = "INSERT INTO messages (seq, id, target, sender, action, timestamp, body) VALUES (?, ?, ?, ?, ?, ?, ?)"
INSERT_PROCESS = "INSERT INTO processes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
SET_GENERATION = "UPDATE processes SET generation = ?, created_ms = ? WHERE id = ?"
ADD_DELIVERY = "INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?)"   # staged without state and result
FINISH_DELIVERY = "UPDATE deliveries SET state = ?, result = ? WHERE process = ? AND nonce = ?"
RETIRE = ("UPDATE deliveries SET state = 'retired' WHERE process = ? AND state IN "
          "('pending', 'handled', 'stopped', 'interrupted')")
ADD_MAIL = "INSERT INTO mailbox VALUES (?, ?, ?)"
ADD_WALLET = "INSERT OR IGNORE INTO wallets VALUES (?)"
# Within a stretch of a batch, rows are written table by table (one executemany each) in this order, which
# keeps every dependency (a delivery is finished after it is added, a generation set after its process).
# Any other statement (retire, meta, monitors) is a fence: what comes before it is written first.
TABLE_ORDER = (INSERT_PROCESS, SET_GENERATION, INSERT_MESSAGE, ADD_MAIL, ADD_WALLET, ADD_DELIVERY,
               FINISH_DELIVERY)

HEADER = struct.Struct(">Q")
encode_body = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True).encode
_encode_result = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True, default=str).encode


def result_text(kept) -> str:
    """A result's Output or Error as stored. Encoding must not fail in the writer (that would stop the log):
    what cannot be written (a cycle) is stored as an Error saying so."""
    if type(kept) is str:   # encoded already by the network (a result marshal could not carry)
        return kept
    try:
        return _encode_result(kept)
    except (ValueError, TypeError, RecursionError) as exc:
        return _encode_result({"Error": f"The result could not be stored: {exc}"})


def encoded_row(row: tuple) -> tuple:
    """A staged row with its body or result as the text to store (for values marshal cannot carry)."""
    statement, args = row
    if statement == INSERT_MESSAGE and type(args[6]) is not str:
        return statement, args[:6] + (encode_body(args[6]),)
    if statement == FINISH_DELIVERY and args[1] is not None:
        return statement, (args[0], result_text(args[1])) + args[2:]
    return row


def execute_grouped(conn, rows) -> None:
    """Write a batch's rows: one executemany per table and stretch (see TABLE_ORDER)."""
    groups: dict = {}
    added: dict = {}    # (process, nonce) -> its row in this stretch's ADD_DELIVERY list

    def drain():
        for statement in TABLE_ORDER:
            args = groups.get(statement)
            if args:
                conn.executemany(statement, args)
        groups.clear()
        added.clear()

    for row in rows:
        statement, args = encoded_row(row)
        if statement == FINISH_DELIVERY and (args[2], args[3]) in added:
            # added and finished in the same stretch: one row written as it ends up, no update
            i = added[(args[2], args[3])]
            groups[ADD_DELIVERY][i] = groups[ADD_DELIVERY][i][:5] + (args[0], args[1])
        elif statement in TABLE_ORDER:
            rows_of = groups.setdefault(statement, [])
            if statement == ADD_DELIVERY:
                added[(args[0], args[1])] = len(rows_of)
                args = args + ("pending", None)
            rows_of.append(args)
        else:
            drain()
            conn.execute(statement, args)
    drain()


class BatchWriter:
    """The connection that writes the log (one at a time: the data dir is locked, and the network's committer
    thread sends one batch at a time), with the WAL policy."""

    def __init__(self, database: str, checkpoint_bytes: int = WAL_CHECKPOINT_BYTES):
        self.database = str(database)
        self.checkpoint_bytes = int(checkpoint_bytes)
        # a busy database means a reader, never another writer: never wait long for it
        self.conn = sqlite3.connect(self.database, isolation_level=None, timeout=0.1, check_same_thread=False)
        self.conn.execute("PRAGMA synchronous=NORMAL")
        # automatic checkpoints would run inside a commit: bound_wal does them after it
        self.conn.execute("PRAGMA wal_autocheckpoint=0")
        self.conn.execute(f"PRAGMA journal_size_limit={self.checkpoint_bytes}")
        self.next_checkpoint = 0.0

    def commit(self, rows) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            execute_grouped(self.conn, rows)
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.bound_wal()

    def bound_wal(self) -> None:
        """Checkpoint and truncate the WAL once it passes `checkpoint_bytes` (never waiting for a reader: a
        busy checkpoint is retried after a later commit, a little later)."""
        try:
            size = os.path.getsize(self.database + "-wal")
        except OSError:
            return
        if size < self.checkpoint_bytes or time.monotonic() < self.next_checkpoint:
            return
        try:
            busy = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        except sqlite3.Error:
            busy = 1
        if busy:   # a reader (a long replay) holds an old snapshot
            self.next_checkpoint = time.monotonic() + CHECKPOINT_RETRY_SECONDS

    def close(self) -> None:
        self.conn.close()


# ============================================================================ frames
def write_frame(fd: int, payload: bytes) -> None:
    view = memoryview(HEADER.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view):]


def read_frame(fd: int) -> bytes | None:
    """One frame, or None when the other end is gone (also in the middle of a frame: it is dropped)."""
    header = _read_exact(fd, HEADER.size)
    if header is None:
        return None
    return _read_exact(fd, HEADER.unpack(header)[0])


def _read_exact(fd: int, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# ============================================================================ the writer process
def main(database: str, checkpoint_bytes: int) -> None:
    """Serve batches until told to close. Any other end (the network gone without closing, as when it is
    killed; a failure here) leaves through os._exit with the database not closed: as the network itself
    would have left it. A clean close would checkpoint and delete the WAL, and the next start would take the
    missing WAL of a run that did not close for lost commits. What the network did not see committed was never
    acknowledged."""
    code = 1
    try:
        _serve(database, checkpoint_bytes)
        code = 0
    except BaseException:
        try:   # to stderr, which the network reads when it finds the writer gone (gone itself if it was killed)
            import traceback
            traceback.print_exc()
        except BaseException:
            pass
    finally:
        os._exit(code)


def _serve(database: str, checkpoint_bytes: int) -> None:
    # replies go to a private copy of stdout; anything else printed (a warning) goes to stderr
    replies = os.dup(1)
    os.dup2(2, 1)
    writer = BatchWriter(database, checkpoint_bytes)
    write_frame(replies, marshal.dumps(("ready",)))
    while True:
        frame = read_frame(0)
        if frame is None:   # the network is gone without closing
            os._exit(0)
        request = marshal.loads(frame)
        if request[0] == "close":
            writer.close()
            write_frame(replies, marshal.dumps(("closed",)))
            return
        _, number, rows = request
        try:
            writer.commit(rows)
        except Exception as exc:   # told to the network, whose log then stops (a bug here included)
            kind = type(exc).__name__ if isinstance(exc, sqlite3.Error) else "DatabaseError"
            write_frame(replies, marshal.dumps(("error", kind, f"{exc}")))
            continue
        write_frame(replies, marshal.dumps(("ok", number)))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
