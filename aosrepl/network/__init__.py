"""The local AO network (issue 3): ids, wallet, SQLite log, per-process scheduling, routing, cron, genesis.

The contract is docs/architecture.md "Network". Everything below it is kept exactly; additions:

    Network(data_dir=None, clock=None, deterministic=False, services=True, natives=None, workers=None,
            model=None, backend=None, seed=0)
        data_dir None -> default_data_dir() ($AOSREPL_HOME, else ~/.aosrepl). deterministic: a VirtualClock
        (unless `clock` is given) and seeded ids; ids of process-made messages are derived from what caused
        them, so thread timing cannot change them. workers None -> 2.
        Raises DataDirError (printable message) for a corrupt/foreign/newer/in-use data dir; nothing is changed.
    net.spawn(name=None, tags=None, data=None, *, process_id=None, owner=None, kind="user", natives=(),
              ephemeral=False, module=AOS_MODULE_ID) -> pid
        natives: names of entries of the network's `natives` the process may require (persisted for replay).
    net.send(target, tags=None, data="", signer=None, msg_id=None) -> mid   (ValueError for bad input)
    net.eval(pid, code, timeout=30.0, signer=None) -> result
        raises NetworkTimeout (a TimeoutError) when no result in time; NetworkError for an unknown pid.
    net.wait_result(pid, msg_id, timeout=30.0) -> result of a message sent earlier
    net.dryrun(pid, code=None, tags=None, data=None) -> result (tags default {"Action": "Eval"})
    net.subscribe(pid, cb) / net.subscribe_all(cb) -> an unsubscribe function
    net.subscribe_notices(cb) -> unsubscribe; cb(text) for each line of the network's own output stream
        (e.g. a message for an unknown target); the lines so far are in net.notices.
    net.wallet_inbox(address=None) -> messages sent to that wallet (default: net.wallet.address)
    net.undeliverable() -> messages whose target is neither a process nor a known wallet
    net.process_tags(pid) -> the spawn tags;  net.monitored() -> pids with cron running
    net.interrupt(pid) -> bool (False if nothing was running); the interrupted message is skipped on replay.
    net.clock: aosrepl.clock.VirtualClock in deterministic mode (`net.clock.advance(ms)` fires due cron).
    net.log.query(process=None, action=None, since=None, until=None, sender=None, limit=None) -> [message]
    Network is a context manager (close on exit).

Processes spawned by processes get an `Authority = <MU authority>` tag when they have none (the local MU
vouches for process-to-process traffic). Tag values are strings everywhere.
"""
from aosrepl.network.datadir import Wallet, default_data_dir
from aosrepl.network.errors import DataDirError, NetworkError, NetworkTimeout
from aosrepl.network.network import Network, ProcessInfo

__all__ = ["Network", "ProcessInfo", "Wallet", "DataDirError", "NetworkError", "NetworkTimeout",
           "default_data_dir"]
