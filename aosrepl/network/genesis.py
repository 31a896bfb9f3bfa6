"""Genesis: boot the service processes of a data dir (wAR, APM registry, Llama herder) once, and the
ephemeral inference workers at every start.

Everything here is plain messages (spawns and Evals) queued in order, so start-up never waits for a
process to run: each process handles its own boot messages in order, in the background.
A core service whose Lua file does not exist yet is skipped and booted at a later start, once it does.
"""
from __future__ import annotations

import importlib
import importlib.util

from aosrepl import ids, services

MINT_AMOUNT = "1000000000000000"       # 1000 wAR (12 decimals) for the wallet's faucet
PACKAGES_FLAG = "genesis:packages"


def run(net) -> None:
    for spec in services.core_services():
        if net.has_process(spec.id) or not spec.lua_file.exists():
            continue
        _boot(net, spec, kind="service")
        if spec.id == ids.WAR_TOKEN:
            _eval(net, spec.id, f'GenesisMint("{net.wallet.address}", "{MINT_AMOUNT}")')
    _publish_packages(net)
    _start_workers(net)


def _boot(net, spec, kind: str) -> None:
    net.spawn(spec.name, tags=list(spec.tags), process_id=spec.id, owner=services.SERVICE_OWNER, kind=kind,
              natives=spec.natives, ephemeral=spec.ephemeral)
    _eval_file(net, spec)


def _eval_file(net, spec) -> None:
    try:
        source = spec.lua_file.read_text(encoding="utf-8")
    except OSError as exc:
        net._notice(f"Cannot read {spec.lua_file} for {spec.name}: {exc}")
        return
    _eval(net, spec.id, source)


def _eval(net, pid: str, code: str) -> None:
    """An Eval from the service owner; an error in its result becomes a line of the network's output."""
    mid = net.new_id()
    net._watch(mid)
    net.send(pid, {"Action": "Eval"}, code, signer=services.SERVICE_OWNER, msg_id=mid)


def _publish_packages(net) -> None:
    """The bundled packages, once per registry (each registry id is its own process)."""
    if importlib.util.find_spec("aosrepl.services.packages") is None:
        return
    for registry in getattr(services, "APM_REGISTRIES", (ids.APM_REGISTRY,)):
        flag = PACKAGES_FLAG if registry == ids.APM_REGISTRY else f"{PACKAGES_FLAG}:{registry}"
        if net.log.get_meta(flag) or not net.has_process(registry):
            continue
        try:
            packages = importlib.import_module("aosrepl.services.packages")
            packages.publish_all(net, registry=registry)
        except Exception as exc:   # a bad package must not stop the network from starting
            net._notice(f"Publishing the bundled packages failed: {type(exc).__name__}: {exc}")
        net.log.set_meta(flag, "1")


def _start_workers(net) -> None:
    started = []
    for spec in services.worker_services(net.workers):
        try:
            source = spec.lua_file.read_text(encoding="utf-8")
        except OSError:
            continue   # not written yet
        net._respawn_ephemeral(spec, source, owner=services.SERVICE_OWNER)
        started.append(spec.id)
    if started and net.has_process(ids.LLAMA_HERDER):
        listing = ", ".join(f'"{pid}"' for pid in started)
        _eval(net, ids.LLAMA_HERDER, f"if type(RegisterWorkers) == 'function' then RegisterWorkers({{{listing}}}) end")
