"""The data directory: where the log, the wallet and the single-user lock live."""
from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path

from aosrepl import ids
from aosrepl.network.errors import DataDirError
from aosrepl.records import Record

WALLET_FILE = "wallet.json"
LOCK_FILE = "network.lock"
WALLET_FORMAT = "aosrepl-wallet"
LOCK_WAIT_SECONDS = 2.0


def default_data_dir() -> Path:
    """`$AOSREPL_HOME`, else `~/.aosrepl`."""
    env = os.environ.get("AOSREPL_HOME")
    return Path(env).expanduser() if env else Path.home() / ".aosrepl"


class Wallet(Record):
    """The local wallet: an address that owns the user's processes and signs console messages."""
    __slots__ = ("address",)

    def __init__(self, address: str):
        self.address = address


def prepare(data_dir) -> Path:
    path = Path(data_dir).expanduser()
    if path.exists() and not path.is_dir():
        raise DataDirError(f"The data directory {path} is a file, not a directory. Choose another data directory.")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataDirError(f"Cannot create the data directory {path}: {exc.strerror or exc}") from None
    return path


class DirLock:
    """An exclusive lock on the data dir, so two networks never schedule the same log (released on exit,
    also when the process is killed). The lock file holds the pid of the network that took it."""

    def __init__(self, path: Path):
        self._file = None
        try:
            self._file = open(path / LOCK_FILE, "a+")
            self._take()
        except BlockingIOError:
            self._file.close()
            raise DataDirError(f"The data directory {path} is in use by another aosrepl network. "
                               f"Close it first, or choose another data directory.") from None
        except OSError as exc:
            if self._file:
                self._file.close()
            raise DataDirError(f"Cannot lock the data directory {path}: {exc.strerror or exc}") from None

    def _take(self) -> None:
        """Lock. While a running network holds it, fail at once. The log's writer process of a network that
        was just killed holds it too, until it has finished the commit it was doing (milliseconds): when the
        network that took the lock is gone, wait a moment for its writer."""
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline or _alive(self._holder()):
                    raise
                time.sleep(0.02)
        try:
            self._file.seek(0)
            self._file.truncate()
            self._file.write(str(os.getpid()))
            self._file.flush()
        except OSError:
            pass      # (a full disk, say) the lock is held all the same; a second start then waits 2 s to be told

    def _holder(self) -> int | None:
        self._file.seek(0)
        text = self._file.read().strip()
        return int(text) if text.isdigit() else None

    def fileno(self) -> int:
        """The locked descriptor (a process that inherits it holds the lock as long as it lives)."""
        return self._file.fileno()

    def release(self) -> None:
        if self._file is not None:
            try:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            finally:
                self._file.close()
                self._file = None


def _alive(pid: int | None) -> bool:
    """Whether process `pid` runs (a zombie, killed but not yet waited for, does not). No pid: a lock file of
    an older aosrepl (or one taken a moment ago), whose holder cannot be told apart from a writer: waited for."""
    if pid is None:
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rpartition(b")")[2].split()[0] not in (b"Z", b"X")
    except FileNotFoundError:
        if os.path.isdir("/proc/self"):
            return False          # Linux: no such process
    except OSError:
        pass
    try:                          # no /proc: ask the kernel (which counts a zombie as running)
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wallet_exists(path: Path) -> bool:
    return (Path(path) / WALLET_FILE).exists()


def check_wallet(path: Path, log_has_messages: bool, recorded: str | None) -> None:
    """A missing wallet file is damage when the log already holds messages: a new wallet would own none
    of the processes (and a new process would be spawned). Raises DataDirError naming the lost address."""
    if wallet_exists(path) or not log_has_messages:
        return
    which = f"its wallet was {recorded}" if recorded else "its processes belong to the lost wallet"
    raise DataDirError(f"The wallet file {Path(path) / WALLET_FILE} is missing, but the network log in {path} "
                       f"holds messages ({which}). Nothing was changed; restore wallet.json "
                       f'(e.g. {{"format": "{WALLET_FORMAT}", "address": "<address>"}}) or choose another '
                       f"data directory.")


def load_or_create_wallet(path: Path, id_source: ids.IdSource) -> Wallet:
    file = path / WALLET_FILE
    if file.exists():
        try:
            data = json.loads(file.read_text())
            address = data["address"]
            if data.get("format") != WALLET_FORMAT or not ids.is_id(address):
                raise ValueError
        except (OSError, ValueError, KeyError, TypeError):
            raise DataDirError(f"The wallet file {file} is damaged or not an aosrepl wallet. "
                               f"It was left untouched; move it away or choose another data directory.") from None
        return Wallet(address)
    wallet = Wallet(id_source.new())
    tmp = file.with_suffix(".tmp")
    with open(tmp, "w") as f:
        json.dump({"format": WALLET_FORMAT, "address": wallet.address}, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, file)
    return wallet
