"""RemoteNetwork: the console's backend (aosrepl/backend.py) on a real AO network over HTTP.

Messages and spawns are ANS-104 data items signed by the wallet and posted to the MU; results come from the
CU (`/result`, `/results`, `/dry-run`); the wallet's processes are found by name through the gateway's
GraphQL, as aos finds them (modules-and-remote.md §8). A remote unit that fails raises UnitError, whose
message names the unit, the URL and what it answered."""
from __future__ import annotations

import json
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from aosrepl.remote import ans104
from aosrepl.remote.defaults import DEFAULT_AUTHORITY, DEFAULT_MODULE, DEFAULT_SCHEDULER
from aosrepl.remote.errors import RemoteError, RemoteTimeout, ResultPending, UnitError, UnitNotFound
from aosrepl.remote.feed import DEFAULT_POLL_INTERVAL, LiveFeed
from aosrepl.remote.units import ComputeUnit, Gateway, MessengerUnit
from aosrepl.remote.wallet import ArweaveWallet
AOS_CLIENT_VERSION = "2.0.0"      # the aos client we stand for (its spawns carry aos-Version)
SPAWN_DATA = "1984"               # aos's default Data for a new process
READY_TIMEOUT = 60.0
RESULT_RETRY = 0.25               # seconds between asks for a result the CU does not have yet
CACHE_FILE = "remote-processes.json"
_ID = re.compile(r"^[A-Za-z0-9_-]{43}$")
_COMPLETE_LUA = Path(__file__).with_name("complete.lua")

PROCESSES_QUERY = """query ($owners: [String!]!, $tags: [TagFilter!]!) {
  transactions(first: 100, owners: $owners, tags: $tags) {
    edges { node { id tags { name value } } }
  }
}"""


@dataclass(frozen=True)
class RemoteConfig:
    mu_url: str
    cu_url: str
    gateway_url: str
    module: str = DEFAULT_MODULE
    scheduler: str = DEFAULT_SCHEDULER
    authority: str = DEFAULT_AUTHORITY
    poll_interval: float = DEFAULT_POLL_INTERVAL
    ready_timeout: float = READY_TIMEOUT


@dataclass(frozen=True)
class RemoteProcess:
    """What the gateway tells about one of the wallet's processes (the same fields as the local ProcessInfo)."""
    id: str
    name: str | None
    owner: str
    module: str
    kind: str = "user"


def _tag_list(tags) -> list[tuple[str, str]]:
    """dict, [{"name","value"}] or [(name, value)] -> [(name, value)] with string values."""
    if not tags:
        return []
    if isinstance(tags, dict):
        return [(str(k), str(v)) for k, v in tags.items()]
    out = []
    for tag in tags:
        if isinstance(tag, dict):
            out.append((str(tag["name"]), str(tag["value"])))
        else:
            name, value = tag
            out.append((str(name), str(value)))
    return out


def _with_protocol(tags: list[tuple[str, str]], protocol: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """aoconnect's order: the protocol tags first, the caller's tags (minus duplicates of those), then SDK."""
    names = {n for n, _ in protocol}
    return protocol + [(n, v) for n, v in tags if n not in names and n != "SDK"] + [("SDK", "aoconnect")]


def _anchor() -> bytes:
    return secrets.token_hex(16).encode("ascii")      # 32 bytes, as aoconnect makes them


class RemoteNetwork:
    """The Backend protocol over a MU, a CU and a gateway (see the module docstring)."""

    is_local = False

    def __init__(self, wallet: ArweaveWallet, config: RemoteConfig, data_dir: str | os.PathLike | None = None):
        self.wallet = wallet
        self.config = config
        self.mu = MessengerUnit(config.mu_url)
        self.cu = ComputeUnit(config.cu_url)
        self.gateway = Gateway(config.gateway_url)
        self.data_dir = Path(data_dir) if data_dir else None
        self.notices: list[str] = []
        self._notice_subscribers: list = []
        self._feeds: dict[str, LiveFeed] = {}
        self._subscribers: dict[str, list] = {}
        self._waits: dict[str, threading.Event] = {}      # Eval token -> set when Ctrl-C stops waiting
        self._lock = threading.RLock()
        self._closed = False

    # ----- notices -----------------------------------------------------------------------------
    def notice(self, text: str):
        with self._lock:
            self.notices.append(text)
            subscribers = list(self._notice_subscribers)
        for callback in subscribers:
            try:
                callback(text)
            except Exception:
                pass

    def subscribe_notices(self, callback):
        with self._lock:
            self._notice_subscribers.append(callback)
        return lambda: self._remove(self._notice_subscribers, callback)

    def _remove(self, items: list, item):
        with self._lock:
            if item in items:
                items.remove(item)

    # ----- signing and sending -----------------------------------------------------------------
    def _post(self, *, data, tags, target: str | None = None) -> str:
        item = ans104.create_data_item(self.wallet, data=data, tags=tags, target=target, anchor=_anchor())
        mid = self.mu.post_data_item(item.to_bytes())
        if mid != item.id:
            self.notice(f"the MU at {self.mu.base_url} gave the message the id {mid}, not its data item id {item.id}")
        return mid

    def send(self, target: str, tags=None, data="", signer: str | None = None, msg_id: str | None = None) -> str:
        if not isinstance(target, str) or not _ID.match(target):
            raise ValueError(f"target must be a 43-character process id, not {target!r}")
        if signer not in (None, self.wallet.address):
            raise ValueError("on a remote network, messages can only be signed by your wallet")
        # msg_id cannot be honoured: a data item's id is the hash of its signature (evals name their wait
        # with a token instead, see eval).
        text = "" if data is None else (data if isinstance(data, (str, bytes)) else str(data))
        protocol = [("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Message")]
        tags = _with_protocol(_tag_list(tags), protocol)
        if not text:          # aoconnect never sends empty data
            text = " "
            tags.append(("Content-Type", "text/plain"))
        return self._post(data=text, tags=tags, target=target)

    # ----- processes ---------------------------------------------------------------------------
    def spawn(self, name: str | None = None, tags=None, data=None, module: str | None = None) -> str:
        protocol = [("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Process"),
                    ("Module", module or self.config.module), ("Scheduler", self.config.scheduler)]
        caller = [("App-Name", "aos")] + ([("Name", str(name))] if name is not None else [])
        caller += _tag_list(tags) + [("Authority", self.config.authority), ("aos-Version", AOS_CLIENT_VERSION)]
        pid = self._post(data=SPAWN_DATA if data is None else data, tags=_with_protocol(caller, protocol))
        self._wait_until_ready(pid)
        if name is not None:
            self._remember(name, pid)
        return pid

    def _wait_until_ready(self, pid: str):
        """A process is ready once the CU has computed its spawn (its first result)."""
        deadline = time.monotonic() + self.config.ready_timeout
        while True:
            try:
                self.cu.result(pid, pid)
                return
            except UnitNotFound:
                if time.monotonic() >= deadline:
                    raise RemoteError(f"the process {pid} was spawned, but {self.cu.name} at {self.cu.base_url} "
                                      f"had not loaded it after {self.config.ready_timeout:g} s") from None
                time.sleep(RESULT_RETRY * 2)

    def _find_by_name(self, name: str) -> list[str]:
        tags = [{"name": "Data-Protocol", "values": ["ao"]}, {"name": "Type", "values": ["Process"]},
                {"name": "Name", "values": [name]}]
        return [p.id for p in self._query_processes(tags)]

    def _query_processes(self, tag_filters: list[dict]) -> list[RemoteProcess]:
        data = self.gateway.graphql(PROCESSES_QUERY, {"owners": [self.wallet.address], "tags": tag_filters})
        edges = (data.get("transactions") or {}).get("edges") or []
        found = []
        for edge in reversed(edges):         # the gateway answers newest first; aos reverses
            node = edge.get("node") if isinstance(edge, dict) else None
            if not isinstance(node, dict) or not isinstance(node.get("id"), str):
                continue
            tags = {t.get("name"): t.get("value") for t in node.get("tags") or [] if isinstance(t, dict)}
            found.append(RemoteProcess(node["id"], tags.get("Name"), self.wallet.address, tags.get("Module") or ""))
        return found

    def find_or_spawn(self, name: str, tags=None, data=None, module: str | None = None) -> str:
        """aos's order: the local cache of names, then the gateway, else a new process. The oldest of several
        namesakes is used (aos would ask; a console started by a script cannot)."""
        cached = self._cache().get(self._cache_key(name))
        if cached and self._still_there(cached):
            return cached
        try:
            found = self._find_by_name(name)
        except UnitError as exc:
            raise RemoteError(f"could not look for your process {name!r}: {exc}") from None
        if found:
            if len(found) > 1:
                self.notice(f"{len(found)} processes of yours are named {name!r}; using the oldest, {found[0]}")
            self._remember(name, found[0])
            return found[0]
        return self.spawn(name, tags=tags, data=data, module=module)

    def _still_there(self, pid: str) -> bool:
        """A cached id is used unless the CU says it does not know the process (a network that was reset)."""
        try:
            return self.has_process(pid)
        except UnitError:
            return True

    def has_process(self, pid: str) -> bool:
        try:
            self.cu.result(pid, pid)
            return True
        except ResultPending:      # it holds the process; its spawn is still being computed
            return True
        except UnitNotFound:
            return False

    def processes(self) -> list[RemoteProcess]:
        """The wallet's processes, as the gateway lists them (oldest first)."""
        return self._query_processes([{"name": "Data-Protocol", "values": ["ao"]},
                                      {"name": "Type", "values": ["Process"]}])

    # The name -> id cache (aos's ~/.aos-process-cache.json): a gateway indexes new processes minutes late.
    def _cache_path(self) -> Path | None:
        return self.data_dir / CACHE_FILE if self.data_dir else None

    def _cache_key(self, name: str) -> str:
        return f"{self.mu.base_url} {self.wallet.address} {name}"

    def _cache(self) -> dict:
        path = self._cache_path()
        try:
            data = json.loads(path.read_text(encoding="utf-8")) if path and path.exists() else {}
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _remember(self, name: str, pid: str):
        path = self._cache_path()
        if path is None:
            return
        data = self._cache()
        data[self._cache_key(name)] = pid
        try:
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass       # only a cache: the gateway still finds the process

    # ----- evaluation --------------------------------------------------------------------------
    def new_id(self) -> str:
        return secrets.token_urlsafe(32)[:43]

    def eval(self, pid: str, code: str, timeout: float | None = 30.0, signer: str | None = None,
             msg_id: str | None = None) -> dict:
        token = msg_id or self.new_id()
        stop = threading.Event()
        with self._lock:
            self._waits[token] = stop
        try:
            mid = self.send(pid, tags=[("Action", "Eval")], data=code, signer=signer)
            return self._wait_result(pid, mid, timeout, stop)
        finally:
            with self._lock:
                self._waits.pop(token, None)

    def wait_result(self, pid: str, msg_id: str, timeout: float | None = 30.0) -> dict:
        return self._wait_result(pid, msg_id, timeout, threading.Event())

    def _wait_result(self, pid: str, mid: str, timeout: float | None, stop: threading.Event) -> dict:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if stop.is_set():
                raise RemoteError(f"stopped waiting for the result of {mid}: the message was sent and the "
                                  f"process may still handle it")
            try:
                return self.cu.result(mid, pid)
            except UnitNotFound:
                pass
            if deadline is not None and time.monotonic() >= deadline:
                raise RemoteTimeout(f"{self.cu.name} at {self.cu.base_url} had no result for message {mid} "
                                    f"after {timeout:g} s (it was sent, and may still be handled)")
            stop.wait(RESULT_RETRY)

    def interrupt(self, pid: str, message_id: str | None = None) -> bool:
        """A remote process cannot be stopped; Ctrl-C stops the console waiting for the Eval."""
        with self._lock:
            waits = [self._waits[message_id]] if message_id in self._waits else (
                [] if message_id is not None else list(self._waits.values()))
        for stop in waits:
            stop.set()
        return bool(waits)

    def dryrun(self, pid: str, code: str | None = None, tags=None, data=None) -> dict:
        """CU /dry-run with aoconnect's filler fields; the process's state is not changed."""
        user = _tag_list(tags) if tags is not None else [("Action", "Eval")]
        protocol = [("Data-Protocol", "ao"), ("Type", "Message"), ("Variant", "ao.TN.1")]
        body = data if data is not None else code
        message = {"Id": "1234", "Owner": self.wallet.address, "From": self.wallet.address, "Target": pid,
                   "Data": body if body else "1234", "Anchor": "0",
                   "Tags": [{"name": n, "value": v} for n, v in protocol + [t for t in user if t[0] not in
                                                                             {"Data-Protocol", "Type", "Variant"}]]}
        return self.cu.dry_run(pid, message)

    def complete(self, pid: str, prefix: str) -> list:
        try:
            lua = "local prefix = " + _lua_string(prefix) + "\n" + _COMPLETE_LUA.read_text(encoding="utf-8")
            result = self.dryrun(pid, lua)
        except (UnitError, OSError):
            return []
        output = result.get("Output") if isinstance(result, dict) else None
        text = output.get("data") if isinstance(output, dict) else None
        if isinstance(text, dict):
            text = text.get("output")
        return [line for line in str(text or "").split("\n") if line]

    # ----- the live feed -----------------------------------------------------------------------
    def subscribe(self, pid: str, callback):
        with self._lock:
            self._subscribers.setdefault(pid, []).append(callback)
            needed = pid not in self._feeds and not self._closed
        if needed:       # started outside the lock: its first poll is an HTTP request
            feed = LiveFeed(self.cu, pid, self._deliver, self.notice, self.config.poll_interval)
            with self._lock:
                if pid in self._feeds or self._closed:
                    needed = False
                else:
                    self._feeds[pid] = feed
            if not needed:
                feed.stop()
        return lambda: self._unsubscribe(pid, callback)

    def _unsubscribe(self, pid: str, callback):
        with self._lock:
            callbacks = self._subscribers.get(pid, [])
            if callback in callbacks:
                callbacks.remove(callback)
            feed = self._feeds.pop(pid, None) if not callbacks else None
        if feed is not None:
            feed.stop()

    def _deliver(self, pid: str, result: dict):
        with self._lock:
            callbacks = list(self._subscribers.get(pid, []))
        for callback in callbacks:
            callback(pid, result)

    def run_until_idle(self, timeout: float | None = 10.0) -> bool:
        """Polls the live feeds until they find nothing new (a remote network never says it is idle).
        With timeout 0 (the console asking whether to show its activity spinner): True at once."""
        if not timeout:
            return True
        with self._lock:
            feeds = list(self._feeds.values())
        deadline = time.monotonic() + (timeout if timeout is not None else 3600.0)
        return all(feed.settle(max(0.0, deadline - time.monotonic())) for feed in feeds)

    # ----- cron --------------------------------------------------------------------------------
    def _monitor_item(self, pid: str) -> bytes:
        return ans104.create_data_item(self.wallet, data=secrets.token_hex(2), target=pid,
                                       anchor=_anchor()).to_bytes()

    def monitor(self, pid: str) -> None:
        self.mu.monitor(pid, self._monitor_item(pid))

    def unmonitor(self, pid: str) -> bool:
        self.mu.unmonitor(pid, self._monitor_item(pid))
        return True

    def close(self) -> None:
        with self._lock:
            self._closed = True
            feeds, self._feeds = list(self._feeds.values()), {}
            waits = list(self._waits.values())
        for stop in waits:
            stop.set()
        for feed in feeds:
            feed.stop()


def _lua_string(text: str) -> str:
    """A Lua string literal for any text (every byte outside [A-Za-z0-9_.:] escaped as \\ddd)."""
    out = []
    for byte in text.encode("utf-8"):
        ch = chr(byte)
        out.append(ch if ch.isalnum() and byte < 128 or ch in "_.:" else f"\\{byte:03d}")
    return '"' + "".join(out) + '"'
