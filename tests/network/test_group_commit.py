"""The log's group commit: units are acknowledged only once the batch holding them is committed."""
import threading

from aosrepl.network.store import MessageLog


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


def test_a_commit_that_fails_stops_the_log_and_a_restart_continues_from_what_was_committed(tmp_path, monkeypatch):
    import sqlite3

    import pytest

    from aosrepl.network import Network, NetworkError, store
    from tests.network.conftest import ev

    with Network(tmp_path, services=False, deterministic=True) as net:
        a = net.spawn("a")
        ev(net, a, "Got = Got or {}; Handlers.add('n', 'N', function(m) table.insert(Got, m.K) end)")
        net.send(a, {"Action": "N", "K": "kept"})
        assert net.run_until_idle(10)
        real = store._execute_grouped

        def full_disk(conn, rows):
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(store, "_execute_grouped", full_disk)
        with pytest.raises(NetworkError, match="could not be logged"):
            net.send(a, {"Action": "N", "K": "lost"})
        assert any("could not commit" in line for line in net.notices)
        with pytest.raises(NetworkError):   # the log stays stopped: nothing more is acknowledged
            net.send(a, {"Action": "N", "K": "after"})
        monkeypatch.setattr(store, "_execute_grouped", real)
    with Network(tmp_path, services=False, deterministic=True) as net:
        assert net.run_until_idle(10)
        assert ev(net, a, "table.concat(Got, ',')") == "kept"
