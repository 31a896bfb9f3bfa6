"""The data directory: default location, markers, and clear errors that leave a bad directory untouched."""
import os
import sqlite3

import pytest

from aosrepl import ids
from aosrepl.network import DataDirError, Network, default_data_dir
from aosrepl.network.store import DB_NAME


def snapshot(path):
    return {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file()}


def test_default_data_dir_honours_aosrepl_home(monkeypatch, tmp_path):
    monkeypatch.setenv("AOSREPL_HOME", str(tmp_path / "home"))
    assert default_data_dir() == tmp_path / "home"
    monkeypatch.delenv("AOSREPL_HOME")
    assert default_data_dir().name == ".aosrepl"


def test_wallet_is_created_once_and_kept(tmp_path):
    with Network(tmp_path, services=False) as net:
        address = net.wallet.address
        assert ids.is_id(address)
    with Network(tmp_path, services=False) as net:
        assert net.wallet.address == address


def test_aosrepl_home_is_used_when_no_dir_given(monkeypatch, tmp_path):
    monkeypatch.setenv("AOSREPL_HOME", str(tmp_path / "h"))
    with Network(services=False) as net:
        assert net.data_dir == tmp_path / "h"
    assert (tmp_path / "h" / DB_NAME).exists()


def test_a_file_is_not_a_data_dir(tmp_path):
    target = tmp_path / "f"
    target.write_text("mine")
    with pytest.raises(DataDirError, match="is a file"):
        Network(target, services=False)
    assert target.read_text() == "mine"


def test_corrupt_log_is_reported_and_untouched(tmp_path):
    (tmp_path / DB_NAME).write_bytes(b"this is not sqlite at all" * 100)
    before = snapshot(tmp_path)
    with pytest.raises(DataDirError, match="damaged or not an aosrepl log"):
        Network(tmp_path, services=False)
    assert {k: v for k, v in snapshot(tmp_path).items() if k in before} == before


def test_foreign_sqlite_database_is_reported_and_untouched(tmp_path):
    conn = sqlite3.connect(tmp_path / DB_NAME)
    conn.execute("CREATE TABLE notes (t TEXT)")
    conn.execute("INSERT INTO notes VALUES ('precious')")
    conn.commit()
    conn.close()
    before = (tmp_path / DB_NAME).read_bytes()
    with pytest.raises(DataDirError, match="belongs to another program"):
        Network(tmp_path, services=False)
    assert (tmp_path / DB_NAME).read_bytes() == before


def test_newer_format_is_refused(tmp_path):
    Network(tmp_path, services=False).close()
    conn = sqlite3.connect(tmp_path / DB_NAME)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'version'")
    conn.commit()
    conn.close()
    with pytest.raises(DataDirError, match="newer aosrepl"):
        Network(tmp_path, services=False)


def test_damaged_wallet_is_reported_and_untouched(tmp_path):
    Network(tmp_path, services=False).close()
    (tmp_path / "wallet.json").write_text("{not json")
    with pytest.raises(DataDirError, match="wallet"):
        Network(tmp_path, services=False)
    assert (tmp_path / "wallet.json").read_text() == "{not json"


def test_a_data_dir_in_use_is_refused_until_closed(tmp_path):
    first = Network(tmp_path, services=False)
    try:
        with pytest.raises(DataDirError, match="in use"):
            Network(tmp_path, services=False)
    finally:
        first.close()
    Network(tmp_path, services=False).close()


def test_a_data_dir_held_by_a_running_network_is_refused_without_waiting(tmp_path, monkeypatch):
    """Waiting for the lock is for the writer process of a network that is gone (it finishes its last commit);
    a network that runs holds it for good, so a second one is told at once (it waited 2 s for nothing)."""
    from aosrepl.network import datadir
    looks = []        # each time the lock was found held: was its holder running?
    alive = datadir._alive
    monkeypatch.setattr(datadir, "_alive", lambda pid: looks.append(alive(pid)) or looks[-1])
    first = Network(tmp_path, services=False)
    try:
        assert (tmp_path / datadir.LOCK_FILE).read_text() == str(os.getpid())
        with pytest.raises(DataDirError, match="in use"):
            Network(tmp_path, services=False)
    finally:
        first.close()
    assert looks == [True]


def test_format_marker_is_kept_in_the_db(tmp_path):
    Network(tmp_path, services=False).close()
    conn = sqlite3.connect(tmp_path / DB_NAME)
    assert dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('format', 'version')")) == {
        "format": "aosrepl-network-log", "version": "1"}
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_damage_inside_a_real_log_is_reported_and_untouched(tmp_path):
    with Network(tmp_path, services=False) as net:
        for i in range(200):
            net.send(net.wallet.address, {"Action": "Note"}, "x" * 500)
    db = tmp_path / DB_NAME
    raw = bytearray(db.read_bytes())
    assert len(raw) > 3 * 4096
    raw[4096:] = b"\xde\xad\xbe\xef" * ((len(raw) - 4096) // 4)
    db.write_bytes(bytes(raw))
    for leftover in ("-wal", "-shm"):
        (tmp_path / (DB_NAME + leftover)).unlink(missing_ok=True)
    before = db.read_bytes()
    with pytest.raises(DataDirError, match="damaged"):
        Network(tmp_path, services=False)
    assert db.read_bytes() == before
    # the lock was released: trying again gives the same clear error, not "in use"
    with pytest.raises(DataDirError, match="damaged"):
        Network(tmp_path, services=False)
