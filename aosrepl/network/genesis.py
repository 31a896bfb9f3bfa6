"""Genesis: boot the service processes of a data dir (wAR, APM registry, Llama herder) once, and the
ephemeral inference workers at every start.

Everything here is plain messages (spawns and Evals) queued in order, so start-up never waits for a
process to run: each process handles its own boot messages in order, in the background.
A core service whose Lua file does not exist yet is skipped and booted at a later start, once it does.

Every step is idempotent and checked at every start: a step is done when its message is in the log
(spawn: the process exists; an Eval or a package publish: its message id, derived from the step, is
logged). A start cut short (killed, a failure) leaves the remaining steps to the next start, and a
message once logged is handled even if the network stops before running it (it stays pending).
"""
from __future__ import annotations

import json

from aosrepl import ids, services
from aosrepl.services import packages

MINT_AMOUNT = "1000000000000000"       # 1000 wAR (12 decimals) for the wallet's faucet
STEPS_META = "genesis:steps"           # set once genesis checks this data dir's steps by message id
ADOPTED = "genesis:adopted:"           # + a step's id: done by a genesis from before step ids
REGISTERED = "genesis:registered"      # the workers last registered with the herder, and that message's id


def run(net) -> None:
    if not net.log.get_meta(STEPS_META):
        _adopt_older_genesis(net)
        net.log.set_meta(STEPS_META, "1")
    for spec in services.core_services():
        if not spec.lua_file.exists():
            continue
        if not net.has_process(spec.id):
            _spawn(net, spec)
        source = _read_source(net, spec)
        if source is not None:
            _eval_once(net, spec.id, "source", source)
        if spec.id == ids.WAR_TOKEN:
            _eval_once(net, spec.id, "mint", f'GenesisMint("{net.wallet.address}", "{MINT_AMOUNT}")')
    _publish_packages(net)
    _start_workers(net)


def _spawn(net, spec) -> None:
    net.spawn(spec.name, tags=list(spec.tags), process_id=spec.id, owner=services.SERVICE_OWNER, kind="service",
              natives=spec.natives, ephemeral=spec.ephemeral)


def _read_source(net, spec) -> str | None:
    try:
        return spec.lua_file.read_text(encoding="utf-8")
    except OSError as exc:
        net._notice(f"Cannot read {spec.lua_file} for {spec.name}: {exc}")
        return None


def step_id(pid: str, step: str) -> str:
    """The fixed message id of a genesis Eval: logging it is what marks the step done."""
    return ids.derived("aosrepl", "genesis", pid, step)


def _eval_once(net, pid: str, step: str, code: str) -> None:
    mid = step_id(pid, step)
    if not (net.log.message_exists(mid) or net.log.get_meta(ADOPTED + mid)):
        _eval(net, pid, code, mid)


def _adopt_older_genesis(net) -> None:
    """A data dir booted before genesis steps had fixed ids: a service that exists was booted (source and
    mint), as that genesis assumed; its packages are checked by their publish ids like any others."""
    for spec in services.core_services():
        if net.has_process(spec.id):
            for step in ("source", "mint") if spec.id == ids.WAR_TOKEN else ("source",):
                net.log.set_meta(ADOPTED + step_id(spec.id, step), "1")


def _eval(net, pid: str, code: str, mid: str | None = None) -> None:
    """An Eval from the service owner; an error in its result becomes a line of the network's output."""
    mid = mid or net.new_id()
    net._watch(mid)
    net.send(pid, {"Action": "Eval"}, code, signer=services.SERVICE_OWNER, msg_id=mid)


def _publish_packages(net) -> None:
    """Publish every bundled package to every registry, each publish whose message is not in the log yet
    (each has a fixed id). A data dir where publishing once failed, or was cut short, gets the missing ones."""
    registries = [registry for registry in services.APM_REGISTRIES if net.has_process(registry)]
    if not registries:
        return
    try:
        if all(net.log.message_exists(packages.publish_id(name, version, registry))
               for name, version in packages.bundled_versions() for registry in registries):
            return     # every publish is in the log: no package needs reading
    except Exception:   # an odd manifest: the full way below reports it
        pass
    try:
        bundled = packages.discover()
    except Exception as exc:   # a bad package must not stop the network from starting
        net._notice(f"Publishing the bundled packages failed: {type(exc).__name__}: {exc}")
        return
    for registry in registries:
        for package in bundled:
            mid = packages.publish_message_id(package, registry)
            if net.log.message_exists(mid):
                continue
            try:
                packages.publish(net, package, services.PACKAGE_PUBLISHER, mid, registry)
            except Exception as exc:
                net._notice(f"Publishing {package.full_name} {package.version} failed: {type(exc).__name__}: {exc}")


def _start_workers(net) -> None:
    started = []
    for spec in services.worker_services(net.workers):
        try:
            source = spec.lua_file.read_text(encoding="utf-8")
        except OSError:
            continue   # not written yet
        net._respawn_ephemeral(spec, source, owner=services.SERVICE_OWNER)
        started.append(spec.id)
    if started and net.has_process(ids.LLAMA_HERDER) and not _still_registered(net, started):
        listing = ", ".join(f'"{pid}"' for pid in started)
        mid = net.new_id()
        _eval(net, ids.LLAMA_HERDER, f"if type(RegisterWorkers) == 'function' then RegisterWorkers({{{listing}}}) end",
              mid)
        net.log.set_meta(REGISTERED, json.dumps({"workers": started, "message": mid}))


def _still_registered(net, workers: list[str]) -> bool:
    """Does the herder hold this very registration, untouched? True when the same workers were registered
    last and the herder has received nothing since: then its herd is these workers, and no job was handed to
    them after that registration (a job it handed out itself is a message still pending for that worker, which
    the fresh worker receives; an answer would be a message to the herder). The Eval is not sent again: sending
    it at every start would add a message to the herder's history each time, and loading the herder replays
    that history: every start would be slower than the one before."""
    try:
        last = json.loads(net.log.get_meta(REGISTERED) or "null")
    except ValueError:
        return False
    if not isinstance(last, dict) or last.get("workers") != workers or not isinstance(last.get("message"), str):
        return False
    nonce = net.log.delivery_nonce(ids.LLAMA_HERDER, last["message"])
    latest = net.log.last_links([ids.LLAMA_HERDER]).get(ids.LLAMA_HERDER)
    return nonce is not None and latest is not None and latest[0] == nonce
