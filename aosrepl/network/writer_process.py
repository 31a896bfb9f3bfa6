"""The network's side of the log's writer process (log_writer.py): start it, hand it batches, stop it.

The writer takes tens of milliseconds to start (a Python of its own). Until it says it is ready, the
committer writes batches itself (a BatchWriter of its own), so a start never waits for it; from then on every
batch goes to the writer. It holds the data dir's lock along with the network (an inherited descriptor), so
no new network opens the log while it may still commit; when the network goes away without closing (killed),
its pipe ends and the writer stops too.
"""
from __future__ import annotations

import marshal
import select
import sqlite3
import subprocess
import sys

from aosrepl.network import log_writer
from aosrepl.network.log_writer import WAL_CHECKPOINT_BYTES, encoded_row, read_frame, write_frame


class WriterGone(sqlite3.OperationalError):
    """The writer process stopped (killed, crashed): the log stops, as after a failed commit (whether the
    batch in hand was committed is unknown, so it is not written again)."""


class WriterProcess:
    def __init__(self, database: str, keep_fds=(), checkpoint_bytes: int = WAL_CHECKPOINT_BYTES):
        """Start the writer for `database`; `keep_fds`: descriptors it holds while it lives (the dir lock);
        `checkpoint_bytes`: the WAL's size limit."""
        self._ready = False
        self._failed_to_start = False
        if getattr(sys, "frozen", False):   # a bundled program: sys.executable is not a Python to run a file
            self._proc, self._failed_to_start = None, True
            return
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-I", "-S", log_writer.__file__, str(database), str(int(checkpoint_bytes))],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=tuple(keep_fds),
                # a session of its own: a Ctrl-C or Ctrl-Z typed at the console is not for it
                start_new_session=True)
        except (OSError, ValueError):   # no Python to run it (an embedded interpreter): the committer writes
            self._proc, self._failed_to_start = None, True
            return
        self._to, self._from = self._proc.stdin.fileno(), self._proc.stdout.fileno()

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    @property
    def in_use(self) -> bool:
        """Batches go to the writer (it said it is ready)."""
        return self._ready

    def poll_ready(self) -> bool:
        """True once the writer has said it can write; never waits. A writer that could not start is left
        aside (the committer goes on writing batches itself)."""
        if self._ready or self._failed_to_start:
            return self._ready
        poller = select.poll()   # not select.select: it fails on descriptors above 1023
        poller.register(self._from, select.POLLIN)
        if not poller.poll(0):
            return False
        frame = read_frame(self._from)
        if frame is not None and marshal.loads(frame) == ("ready",):
            self._ready = True
        else:
            self._failed_to_start = True
        return self._ready

    def commit(self, rows: list, number: int) -> None:
        """Write and commit one batch (only once ready); returns once it is committed. sqlite3.Error (the
        writer's own kind) if it was not."""
        try:
            payload = marshal.dumps(("batch", number, rows))
        except ValueError:   # a value marshal cannot carry: send the texts as they will be stored
            payload = marshal.dumps(("batch", number, [encoded_row(row) for row in rows]))
        reply = self._call(payload)
        if reply[0] != "ok":
            _, kind, text = reply
            raise getattr(sqlite3, kind, sqlite3.DatabaseError)(text)

    def close(self, wait_seconds: float = 5.0) -> None:
        """Stop the writer: once it has closed the database when it was in use (its connection, closing last,
        checkpoints the WAL), at once when it never was (it wrote nothing)."""
        if self._proc is None:
            return
        if self._ready and self._proc.poll() is None:
            try:
                self._call(marshal.dumps(("close",)))
            except sqlite3.Error:
                pass
        elif self._proc.poll() is None:
            self._proc.kill()
        for stream in (self._proc.stdin, self._proc.stdout, self._proc.stderr):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self._proc.wait(wait_seconds)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()

    def _call(self, payload: bytes):
        try:
            write_frame(self._to, payload)
            frame = read_frame(self._from)
        except OSError:
            frame = None
        if frame is None:
            raise WriterGone(self._death())
        return marshal.loads(frame)

    def _death(self) -> str:
        try:
            code = self._proc.wait(2)
        except subprocess.TimeoutExpired:
            code = None
        said = []
        if code is not None:   # gone: its stderr is at its end (what it said before dying, a traceback)
            try:
                said = self._proc.stderr.read(4000).decode("utf-8", "replace").strip().splitlines()
            except (OSError, ValueError):
                pass
        why = f"exit code {code}" if code is not None else "it stopped answering"
        return f"the log's writer process stopped ({why}{': ' + said[-1] if said else ''})"
