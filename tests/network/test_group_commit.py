"""The log's group commit: units are acknowledged only once the batch holding them is committed."""
import threading

from aosrepl.network.store import MessageLog
from tests.network.conftest import wait_for_the_writer_process


def body(mid: str) -> dict:
    return {"Id": mid, "From": "f" * 43, "Owner": "f" * 43, "Target": "t" * 43, "Anchor": None, "Data": "",
            "Tags": [], "Timestamp": 1, "Block-Height": 0, "Cron": False}


def test_a_flush_waits_for_the_batch_being_written(tmp_path):
    log = MessageLog(tmp_path)
    gate, writing = threading.Event(), threading.Event()
    real_write = log._write_batch

    def slow_write(rows, number):   # the commit is under way, and takes its time
        writing.set()
        gate.wait(10)
        return real_write(rows, number)

    log._write_batch = slow_write
    try:
        with log.transaction():
            log.insert_message(body("a" * 43), None)
        assert writing.wait(10)     # the committer took the batch: nothing is left staged
        flushed = threading.Event()
        threading.Thread(target=lambda: (log.flush(), flushed.set()), daemon=True).start()
        assert not flushed.wait(0.3), "flush returned before the batch holding the unit was committed"
        gate.set()
        assert flushed.wait(10)
        assert log.query() == [body("a" * 43)]
    finally:
        gate.set()
        log.close()


def test_many_units_share_one_commit_and_a_failed_unit_is_dropped_alone(tmp_path):
    log = MessageLog(tmp_path)
    batches = []
    real_write = log._write_batch
    log._write_batch = lambda rows, number: (batches.append(len(rows)), real_write(rows, number))[1]
    try:
        with log.lock:   # the committer cannot take the batch while these units are staged
            for i in range(5):
                with log.transaction():
                    log.insert_message(body(str(i) * 43), None)
            try:
                with log.transaction():
                    log.insert_message(body("x" * 43), None)
                    raise ValueError("this unit fails")
            except ValueError:
                pass
        log.flush()
        assert batches == [5]
        assert [m["Id"][0] for m in log.query()] == list("01234")
        assert not log.message_exists("x" * 43)
    finally:
        log.close()


def test_batches_go_to_the_writer_process_once_it_has_started(tmp_path):
    log = MessageLog(tmp_path)
    try:
        with log.transaction():
            log.insert_message(body("a" * 43), None)
        log.flush()
        wait_for_the_writer_process(log)
        with log.transaction():
            log.insert_message(body("b" * 43), None)
        log.flush()
        assert [m["Id"][0] for m in log.query()] == ["a", "b"]
    finally:
        log.close()
    again = MessageLog(tmp_path)
    try:
        assert [m["Id"][0] for m in again.query()] == ["a", "b"]
    finally:
        again.close()


def test_the_writer_process_is_started_only_once_the_log_is_busy(tmp_path):
    """A short run (`aos NAME --run`: tens of rows) never pays for starting the writer; a busy log starts it on
    its own, and its batches then go to it."""
    import time

    from aosrepl.network.store import WRITER_AFTER_ROWS

    log = MessageLog(tmp_path)
    written = 0

    def commit(rows: int) -> None:
        nonlocal written
        with log.transaction():
            for _ in range(rows):
                log.insert_message(body(f"{written:043d}"), None)
                written += 1
        log.flush()

    try:
        for _ in range(9):
            commit((WRITER_AFTER_ROWS - 1) // 9)
        commit(WRITER_AFTER_ROWS - 1 - written)
        assert written == WRITER_AFTER_ROWS - 1
        assert log.writer_pid is None and not log.writer_in_use
        commit(1)
        assert log.writer_pid is not None
        deadline = time.monotonic() + 30
        while not log.writer_in_use:
            assert time.monotonic() < deadline, "the log's writer process did not start"
            commit(1)
            time.sleep(0.005)
        assert len(log.query()) == written
    finally:
        log.close()


def test_a_commit_that_fails_stops_the_log_and_a_restart_continues_from_what_was_committed(tmp_path):
    """The log's writer process dies (killed, as the OOM killer or a user might): nothing after that is
    acknowledged, the network says why, and the next start has everything that was acknowledged."""
    import os
    import signal

    import pytest

    from aosrepl.network import Network, NetworkError
    from tests.network.conftest import ev

    with Network(tmp_path, services=False, deterministic=True) as net:
        a = net.spawn("a")
        ev(net, a, "Got = Got or {}; Handlers.add('n', 'N', function(m) table.insert(Got, m.K) end)")
        net.send(a, {"Action": "N", "K": "kept"})
        assert net.run_until_idle(10)
        wait_for_the_writer_process(net.log)
        os.kill(net.log.writer_pid, signal.SIGKILL)
        with pytest.raises(NetworkError, match="could not be logged"):
            net.send(a, {"Action": "N", "K": "lost"})
        assert any("could not commit" in line and "writer process stopped" in line for line in net.notices)
        with pytest.raises(NetworkError):   # the log stays stopped: nothing more is acknowledged
            net.send(a, {"Action": "N", "K": "after"})
    with Network(tmp_path, services=False, deterministic=True) as net:
        assert net.run_until_idle(10)
        assert ev(net, a, "table.concat(Got, ',')") == "kept"


def test_a_batch_the_database_refuses_stops_the_log_with_its_reason(tmp_path):
    """An error raised in the writer process comes back as the same sqlite3 error, and stops the log."""
    import sqlite3

    import pytest

    from aosrepl.network.processes import ProcessRecord

    log = MessageLog(tmp_path)
    rec = ProcessRecord("p" * 43, "p", "o" * 43, "m" * 43, "user", [], (), False, 1, 0)
    try:
        with log.transaction():
            log.insert_process(rec)
        log.flush()
        wait_for_the_writer_process(log)
        with log.transaction():
            log.insert_process(rec)   # the same id again: the processes table refuses it
        with pytest.raises(sqlite3.OperationalError, match="UNIQUE constraint failed: processes.id"):
            log.flush()
        assert isinstance(log.failure, sqlite3.IntegrityError)
        with pytest.raises(sqlite3.ProgrammingError, match="stopped after a failed commit"):
            with log.transaction():
                log.insert_message(body("b" * 43), None)
    finally:
        log.close()


def test_the_writer_process_is_used_in_a_program_with_many_open_files(tmp_path):
    """Its pipe's descriptor may be above 1023, where select.select fails (the committer would stop)."""
    import os
    import resource

    import pytest

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1100:
        pytest.skip(f"this machine allows {hard} open files: no descriptor can be above 1023")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1100) if hard == resource.RLIM_INFINITY
                                                  else min(max(soft, 1100), hard), hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1050)]
    try:
        log = MessageLog(tmp_path)
        try:
            wait_for_the_writer_process(log)
            with log.transaction():
                log.insert_message(body("a" * 43), None)
            log.flush()
            assert [m["Id"] for m in log.query()] == ["a" * 43]
        finally:
            log.close()
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_without_a_writer_process_the_committer_writes_every_batch(tmp_path, monkeypatch):
    """A bundled program (sys.frozen) has no Python to run the writer with: the log works as before it."""
    import sys
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    log = MessageLog(tmp_path)
    try:
        assert log.writer_pid is None
        for i in range(3):
            with log.transaction():
                log.insert_message(body(str(i) * 43), None)
            log.flush()
        assert not log.writer_in_use
        assert [m["Id"][0] for m in log.query()] == ["0", "1", "2"]
    finally:
        log.close()
    again = MessageLog(tmp_path)
    try:
        assert [m["Id"][0] for m in again.query()] == ["0", "1", "2"]
    finally:
        again.close()
