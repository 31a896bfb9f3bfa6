"""The local AO network (issue 3): ids, wallet, SQLite log, per-process scheduling, routing, cron, genesis.

The contract is docs/architecture.md "Network"; everything there is kept exactly. Additions:

    Network(data_dir=None, clock=None, deterministic=False, services=True, natives=None, workers=None,
            model=None, backend=None, seed=0)
        data_dir None -> default_data_dir() ($AOSREPL_HOME, else ~/.aosrepl). deterministic: a VirtualClock
        (unless `clock` is given; it starts at the log's last timestamp, so time never runs back across
        restarts) and seeded ids; ids of messages made by processes are derived from what caused them, so
        thread timing cannot change them. workers None -> aosrepl.inference.default_worker_count(). natives None -> aosrepl.inference.default_natives
        (loaded when a worker first runs; without it workers boot with no `llama`, and a notice says so).
        Raises DataDirError (a printable message) for a corrupt / foreign / newer / in-use data dir; such a
        dir is never changed.
    net.spawn(name=None, tags=None, data=None, *, process_id=None, owner=None, kind="user", natives=(),
              ephemeral=False, module=AOS_MODULE_ID) -> pid
        natives: names of entries of the network's `natives` this process may require (kept for replays), besides
        the ones its module brings (aosrepl/modules.py); an unknown module raises modules.UnknownModule.
    net.find_or_spawn(name, tags=None, data=None, module=AOS_MODULE_ID) -> pid
    net.send(target, tags=None, data="", signer=None, msg_id=None) -> mid
        tags: dict, [{"name","value"}] or [(name, value)]; values are stringified. ValueError for bad input,
        NetworkError for a msg_id already used. aoconnect's Data-Protocol/Variant/Type/SDK tags are added.
    net.eval(pid, code, timeout=30.0, signer=None, msg_id=None) -> result
        msg_id: the Eval's id (from net.new_id()), so that it can be interrupted by id.
        NetworkTimeout (a TimeoutError) when no result in time (the message still runs later);
        NetworkError for an unknown pid. A process that cannot load answers {"Error": <why>} at once.
    net.wait_result(pid, msg_id, timeout=30.0) -> the result of a message sent earlier
    net.dryrun(pid, code=None, tags=None, data=None) -> result   (tags default {"Action": "Eval"})
    net.subscribe(pid, cb) / net.subscribe_all(cb) -> an unsubscribe function. subscribe(pid) leaves out
        results of assignments (aos's live feed does not show them); subscribe_all gets everything printing.
        Callbacks run on the process's scheduler thread: they must not wait for results (eval /
        run_until_idle there raise NetworkError instead of deadlocking); send() is fine.
    net.subscribe_notices(cb) -> unsubscribe; cb(text) for each line of the network's own output stream
        (a message for an unknown target, a genesis Eval that failed, a process that cannot load...).
        The lines so far are in net.notices.
    net.wallet_inbox(address=None) -> messages sent to that wallet (default: net.wallet.address)
    net.undeliverable() -> messages whose target is neither a process nor a known wallet
    net.process_tags(pid) -> the spawn tags;  net.monitored() -> pids whose cron runs (kept across restarts)
    net.interrupt(pid, message_id=None) -> bool (False if nothing was stopped; with message_id, only that
        message is stopped); the interrupted message is skipped by replays.  net.new_id() -> a fresh id.
        A message stopped by the budget, an interrupt or memory is logged `stopped` and its effects are
        discarded (the process is rebuilt from the log without it). See docs/sandbox.md for the limits
        (message size, message rate, spawns) and the damage checks made at start.
    Network.process_limits: ProcessLimits for Lua states created from now on (None: the defaults).
    net.clock: a VirtualClock in deterministic mode (`net.clock.advance(ms)` fires due cron ticks).
    net.log.query(process=None, action=None, since=None, until=None, sender=None, limit=None) -> [message]
        process: delivered to it (assignments included) or sent to it. Also net.log.history(pid, generation)
        -> [(nonce, hash_chain, message)] handled, and net.log.result_of(pid, msg_id) -> stored result.
    Network is a context manager (close on exit).

Processes spawned by processes get an `Authority = <MU authority>` tag when they have none: the local MU
vouches for process-to-process traffic, as for console-spawned processes.
Parts (explicit objects with small interfaces; network.py only wires them and keeps the public API):
store.py MessageLog (the durable log), processes.py ProcessTable (records, slots, known wallets), router.py
Router (log then deliver: ids, stamps, outbox routing, atomic units), scheduler.py Scheduler (a fixed pool of
threads), runner.py ProcessRunner (Lua states, replay), observers.py Observers (waiters, subscribers,
notices); genesis.py, cron.py, messages.py (tag/stamp helpers), datadir.py (dir, lock, wallet), errors.py.
The console sees it through aosrepl/backend.py's `Backend` (the seam the remote AO backend plugs into too).
"""
from aosrepl.network.datadir import Wallet, default_data_dir
from aosrepl.network.errors import DataDirError, NetworkError, NetworkTimeout
from aosrepl.network.network import Network, ProcessInfo

__all__ = ["Network", "ProcessInfo", "Wallet", "DataDirError", "NetworkError", "NetworkTimeout",
           "default_data_dir"]
