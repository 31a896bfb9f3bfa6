"""`aos [NAME] [flags]`: start the local network (or, with --mu-url/--cu-url/--gateway-url, connect to a real
AO network), find or spawn the wallet's process NAME, then run the console interactively, a `--run` snippet,
or piped stdin line by line. prompt_toolkit is imported only for the interactive console; no model is loaded
before the first prompt."""
from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from aosrepl import __version__, ids, modules
from aosrepl.console import display
from aosrepl.console.display import ColorFilter, blue, gray, green, red
from aosrepl.network.datadir import default_data_dir
from aosrepl.remote.defaults import DEFAULT_AUTHORITY, DEFAULT_MODULE, DEFAULT_SCHEDULER
from aosrepl.remote.errors import RemoteError
from aosrepl.runtime import library

DEFAULT_IDLE_TIMEOUT = 120.0
_CRON = re.compile(r"^(\d+)-((second|minute|hour|day|month|year|block)s?)$", re.IGNORECASE)


class StartError(Exception):
    """Something about the command line or the environment that stops start-up (printed, exit 1)."""


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's own, told the terminal's width: left to find it, argparse imports shutil (and with it bz2 and
    lzma) for the first formatter it makes, which is at the first flag added (2-3 ms of every start here)."""

    def __init__(self, prog, indent_increment=2, max_help_position=24, width=None):
        if width is None:
            width = _terminal_columns() - 2      # as argparse does
        super().__init__(prog, indent_increment, max_help_position, width)


def _terminal_columns() -> int:
    """The COLUMNS variable, else the width of the terminal on stdout, else 80 (shutil.get_terminal_size's
    order)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="aos", formatter_class=_HelpFormatter, description="The aos console on a local, offline AO network (aosrepl), or on a real AO "
                                          "network with --mu-url, --cu-url and --gateway-url.",
        epilog="Lines piped into aos are evaluated one by one, like typed lines; the exit status is 1 if any "
               "of them (or a --load or --fund) failed, else 0. Inside the console, type .help for its commands.")
    p.add_argument("name", nargs="?", default="default", help="process name (default: default) or a process id")
    p.add_argument("--run", metavar="LUA", help="evaluate LUA, print the result and exit (0 ok, 1 error)")
    p.add_argument("--load", metavar="FILE", action="append", default=[],
                   help="load a Lua file at start (repeatable); with --run or piped input, a failed load exits 1")
    p.add_argument("--data-dir", metavar="DIR", help="where the network keeps its state (env AOSREPL_HOME, default ~/.aosrepl)")
    p.add_argument("--fund", metavar="AMOUNT", help="send AMOUNT wAR from the local wallet to the process at start")
    p.add_argument("--list", action="store_true", help="list your processes and exit")
    p.add_argument("--cron", metavar="N-UNIT", help="spawn with a cron, e.g. 10-seconds, 1-minute, 5-blocks")
    p.add_argument("--monitor", action="store_true", help="start the process's cron ticks at start")
    p.add_argument("--sqlite", action="store_true", help="spawn with the aos-sqlite module (lsqlite3)")
    p.add_argument("--module", metavar="ID",
                   help="spawn with this module: locally the aos, aos-sqlite or aos-llama module's id; on a real AO "
                        f"network any module id (default {DEFAULT_MODULE}, aos 2.0.1)")
    p.add_argument("--data", metavar="FILE", help="file whose contents become the spawned process's Data")
    p.add_argument("--tag-name", metavar="NAME", action="append", default=[], help="extra spawn tag name (repeatable)")
    p.add_argument("--tag-value", metavar="VALUE", action="append", default=[], help="value for the matching --tag-name")
    p.add_argument("--model", metavar="PATH", help="a GGUF model file for the inference workers")
    p.add_argument("--workers", metavar="N", type=int, help="number of inference workers")
    p.add_argument("--backend", metavar="URL", help="a remote OpenAI-compatible completion server for the workers")
    p.add_argument("--timeout", metavar="SECONDS", type=float, default=DEFAULT_IDLE_TIMEOUT,
                   help=f"scripted runs: how long to wait for the network to go idle (default {DEFAULT_IDLE_TIMEOUT:g})")
    p.add_argument("--publish", metavar="DIR", help="publish an APM package folder to the local registry and exit")
    p.add_argument("--color", choices=display.COLOR_MODES, default="auto",
                   help="colour codes: auto (default: only on a terminal; NO_COLOR turns them off, "
                        "FORCE_COLOR on), always, or never")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    remote = p.add_argument_group("a real AO network instead of the local one (all three URLs are needed)")
    remote.add_argument("--mu-url", metavar="URL", help="the Messenger Unit (env MU_URL)")
    remote.add_argument("--cu-url", metavar="URL", help="the Compute Unit (env CU_URL)")
    remote.add_argument("--gateway-url", metavar="URL", help="the gateway, for GraphQL (env GATEWAY_URL)")
    remote.add_argument("--wallet", metavar="FILE", help="an Arweave JWK wallet file (default: one generated once "
                                                         "and kept in the data directory)")
    remote.add_argument("--scheduler", metavar="ID", help=f"scheduler of a new process (env SCHEDULER, default {DEFAULT_SCHEDULER})")
    remote.add_argument("--authority", metavar="ID", help=f"authority of a new process, the MU's address (env AUTHORITY, "
                                                          f"default {DEFAULT_AUTHORITY})")
    return p


REMOTE_URLS = (("mu_url", "--mu-url", "MU_URL"), ("cu_url", "--cu-url", "CU_URL"),
               ("gateway_url", "--gateway-url", "GATEWAY_URL"))
LOCAL_ONLY_FLAGS = (("fund", "--fund"), ("publish", "--publish"), ("model", "--model"), ("workers", "--workers"),
                    ("backend", "--backend"))
REMOTE_ONLY_FLAGS = (("wallet", "--wallet"), ("scheduler", "--scheduler"), ("authority", "--authority"))
REMOTE_WALLET_FILE = "arweave-wallet.json"


def remote_config(args, environ=None):
    """The remote network the flags (else MU_URL, CU_URL, GATEWAY_URL) point at; None for the local network."""
    env = os.environ if environ is None else environ
    urls = {field: getattr(args, field) or env.get(var) or None for field, _, var in REMOTE_URLS}
    if not any(urls.values()):
        for field, flag in REMOTE_ONLY_FLAGS:
            if getattr(args, field) is not None:
                raise StartError(f"ERROR: {flag} is for a real AO network: give --mu-url, --cu-url and --gateway-url too.")
        return None
    missing = [f"{flag} (or {var})" for field, flag, var in REMOTE_URLS if not urls[field]]
    if missing:
        raise StartError("ERROR: a real AO network needs all three units; missing: " + ", ".join(missing))
    for field, flag in LOCAL_ONLY_FLAGS:
        if getattr(args, field) not in (None, False):
            raise StartError(f"ERROR: {flag} is for the local network only, not for a real AO network.")
    options = {"module": remote_module(args), "scheduler": args.scheduler or env.get("SCHEDULER"),
               "authority": args.authority or env.get("AUTHORITY")}
    for name, value in options.items():
        if value is not None and not ids.is_id(value):
            raise StartError(f"ERROR: --{name} must be a 43-character id, not {value!r}")
    from aosrepl.remote.backend import RemoteConfig
    return RemoteConfig(**urls, **{k: v for k, v in options.items() if v is not None})


def remote_module(args) -> str | None:
    """The module of a new process on a real AO network: --module ID, --sqlite (aos's sqlite module), else None
    (the remote default). Any module id goes: the network, not this console, knows its modules."""
    if args.module and args.sqlite and args.module != ids.AOS_SQLITE_MODULE_ID:
        raise StartError("ERROR: --sqlite and --module name different modules; give one of them.")
    return args.module or (ids.AOS_SQLITE_MODULE_ID if args.sqlite else None)


def open_remote(data_dir: Path, args, config):
    from aosrepl.remote.backend import RemoteNetwork
    from aosrepl.remote.wallet import WalletError, load_or_create_wallet, load_wallet
    try:
        if args.wallet:
            wallet, created = load_wallet(args.wallet), False
        else:
            wallet, created = load_or_create_wallet(data_dir / REMOTE_WALLET_FILE)
    except WalletError as exc:
        raise StartError(str(exc)) from None
    try:
        net = RemoteNetwork(wallet, config, data_dir)
    except ValueError as exc:       # a URL that is not one
        raise StartError(f"ERROR: {exc}") from None
    if created:
        net.notice(f"Generated a new Arweave wallet {wallet.address} in {data_dir / REMOTE_WALLET_FILE}")
    return net


def data_dir_from(args) -> Path:
    path = Path(os.path.expanduser(args.data_dir)) if args.data_dir else default_data_dir()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StartError(f"ERROR: cannot use the data directory {path}: {exc.strerror or exc}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise StartError(f"ERROR: the data directory {path} is not writable.")
    return path.resolve()


def spawn_tags(args) -> list[dict]:
    if len(args.tag_name) != len(args.tag_value):
        raise StartError("ERROR: every --tag-name needs a matching --tag-value.")
    tags = [{"name": n, "value": v} for n, v in zip(args.tag_name, args.tag_value)]
    if args.cron:
        match = _CRON.match(args.cron)
        if not match:
            raise StartError("Invalid cron flag!")
        tags += [{"name": "Cron-Interval", "value": f"{match.group(1)}-{match.group(2).lower()}"},
                 {"name": "Cron-Tag-Action", "value": "Cron"}]
    return tags


def spawn_module(args) -> str:
    """The module a new process is spawned with: --module ID, --sqlite, else the aos module."""
    if args.module and args.sqlite and modules.lookup(args.module) is not modules.AOS_SQLITE:
        raise StartError("ERROR: --sqlite and --module name different modules; give one of them.")
    chosen = args.module or (ids.AOS_SQLITE_MODULE_ID if args.sqlite else ids.AOS_MODULE_ID)
    try:
        modules.resolve(chosen)
    except modules.UnknownModule as exc:
        raise StartError(f"ERROR: {exc}") from None
    return chosen


def spawn_data(args) -> str | None:
    if not args.data:
        return None
    try:
        return Path(args.data).expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StartError(f"ERROR: cannot read --data file {args.data}: {exc}") from None


def check_inference_flags(args) -> None:
    if args.model is not None and not Path(args.model).expanduser().is_file():
        raise StartError(f"ERROR: --model: no such model file: {args.model}")
    if args.workers is not None and args.workers < 0:
        raise StartError("ERROR: --workers must be 0 or more.")
    if args.backend is not None and not re.match(r"^https?://", args.backend):
        raise StartError(f"ERROR: --backend must be an http(s) URL, not {args.backend!r}")


def open_network(data_dir: Path, args):
    try:
        from aosrepl.network import Network, NetworkError
    except ImportError as exc:
        raise StartError(f"ERROR: the local network is not available: {exc}") from None
    model = str(Path(args.model).expanduser().resolve()) if args.model else None
    options = {k: v for k, v in (("model", model), ("workers", args.workers), ("backend", args.backend))
               if v is not None}
    if not (args.list or args.publish):
        options["preload"] = args.name     # the console's process: its state is rebuilt while the services start
    try:
        return Network(str(data_dir), **options)
    except NetworkError as exc:       # its messages are meant to be printed as they are
        raise StartError(f"ERROR: {exc}") from None
    except Exception as exc:
        raise StartError(f"ERROR: could not start the local network in {data_dir}: {exc}") from None


def find_process(net, args, module: str) -> str:
    if ids.is_id(args.name):
        if net.has_process(args.name):
            return args.name
        raise StartError("Error! Could not find process ID.")
    return net.find_or_spawn(args.name, tags=spawn_tags(args), data=spawn_data(args), module=module)


def list_processes(net, out) -> int:
    mine = [p for p in net.processes() if p.owner == net.wallet.address]
    out.write(green("Your Processes") + "\n")
    for p in mine:
        # aos's own line; a process of another module than aos says which (aos has only one kind in its list)
        module = "" if modules.lookup(p.module) is modules.AOS else " " + gray(f"({modules.display_name(p.module)})")
        out.write(f"{p.name or '-'} - {green(p.id)}{module}\n")
    if not mine:
        out.write(gray("(none yet: start one with `aos NAME`)") + "\n")
    return 0


def publish(net, folder: str, out) -> int:
    from aosrepl.services.packages import PackageError, publish_folder
    try:
        mid = publish_folder(net, folder, wait=True, timeout=DEFAULT_IDLE_TIMEOUT)
    except PackageError as exc:
        out.write(red(f"ERROR: {exc}") + "\n")
        return 1
    out.write(green("Published ") + f"{folder} to the local APM registry " + gray(f"(message {mid})") + "\n")
    return 0


def start_files(session, args) -> bool:
    """--load, --fund and --monitor, in that order; False if any of them failed (each one still runs)."""
    ok = True
    for name in args.load:
        loaded = session.commands.load(name)
        ok = (loaded is not None and session.evaluate(*loaded)) and ok
    if args.fund:
        ok = session.commands.network.fund(args.fund) is not False and ok
    if args.monitor:
        ok = session.commands.monitor() and ok
    return ok


def run_scripted(session, net, lines, timeout: float) -> bool:
    """--run and piped stdin: each line, then wait until everything it caused has been handled."""
    ok = True
    for line in lines:
        try:
            ok = session.submit(line) and ok
        except KeyboardInterrupt:       # stop the process's handler too, not just our wait for it
            session.net.interrupt(session.pid)
            session.say(red("Interrupted"))
            raise
        if not net.run_until_idle(timeout=timeout):
            session.say(gray(f"(the network was still busy after {timeout:g} s)"))
        if session.exited:
            break
    return ok


def run_interactive(session, net, data_dir: Path, args, out) -> int:
    out.write(display.process_line(session.pid))
    from aosrepl.console.connecting import ConnectingSpinner
    try:
        with ConnectingSpinner(out):      # the first answer waits for the process's state to be rebuilt
            version = session.connect()
    except Exception as exc:
        out.write(red(f"Could not connect to process! Exiting... ({exc})") + "\n")
        return 1
    if net.is_local and version is not None and version != display.AOS_LIBRARY_VERSION:
        out.write(blue("A new AOS update is available. run [.update] to install.") + "\n")
    start_files(session, args)
    if net.is_local:
        net.warm_up_inference()      # the model loads in the background while the user types
    from aosrepl.console.app import run_app      # prompt_toolkit only for the interactive console
    return run_app(session, net, data_dir)


def import_console(interactive: bool) -> None:
    """Import what the console will use now, on the main thread before the network's threads start (a worker
    importing llama_cpp while this thread imports prompt_toolkit could see a half-initialised module)."""
    import aosrepl.console.session  # noqa: F401
    if interactive:
        import aosrepl.console.app  # noqa: F401   (prompt_toolkit: only for the interactive console)


def stdin_lines():
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="replace")     # a stray byte must not end the run
    for line in sys.stdin:
        yield line.rstrip("\r\n")


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    color = display.color_enabled(stream=sys.stdout, mode=args.color)
    out = ColorFilter(sys.stdout, color)
    if args.version:
        out.write(gray(f"AOS Client Version: aosrepl {__version__} (aos {display.AOS_LIBRARY_VERSION} processes)") + "\n")
        return 0
    net = None
    try:
        data_dir = data_dir_from(args)
        spawn_tags(args)                       # flag errors before anything starts
        check_inference_flags(args)
        interactive = args.run is None and sys.stdin.isatty() and sys.stdout.isatty()
        remote = remote_config(args)
        if remote is None:   # the local network's Lua library compiles on a thread while the rest imports
            library.compile_in_background()
        # The console's modules are imported before the network's threads start: see import_console.
        import_console(interactive)
        # local module ids are checked against the local network's modules; a real AO network takes any id
        module = remote.module if remote else spawn_module(args)
        net = open_remote(data_dir, args, remote) if remote else open_network(data_dir, args)
        if args.publish:
            return publish(net, args.publish, out)
        if args.list:
            return list_processes(net, out)
        if interactive and remote:
            out.write(display.remote_splash(data_dir=str(data_dir), wallet=net.wallet.address, mu=remote.mu_url,
                                            cu=remote.cu_url, gateway=remote.gateway_url, module=remote.module,
                                            scheduler=remote.scheduler))
        elif interactive:
            out.write(display.splash(data_dir=str(data_dir), wallet=net.wallet.address, model=args.model,
                                     backend=args.backend, workers=args.workers))
        pid = find_process(net, args, module)
        if net.is_local:
            net.preload(pid)      # a process spawned now (one found at open is being rebuilt already)
        from aosrepl.console.session import ConsoleSession
        # Scripted runs print results only: no hints meant for a person at the keyboard.
        session = ConsoleSession(net, pid, display.CurrentStdout(), color=color, data_dir=data_dir,
                                 eval_timeout=None if interactive else args.timeout, guide=interactive)
        net.subscribe(pid, session.on_result)
        net.subscribe_notices(session.on_notice)
        for notice in list(getattr(net, "notices", [])):       # what the network said while starting
            session.on_notice(notice)
        if interactive:
            return run_interactive(session, net, data_dir, args, out)
        started = start_files(session, args)
        net.run_until_idle(timeout=args.timeout)
        lines = [args.run] if args.run is not None else stdin_lines()
        ran = run_scripted(session, net, lines, args.timeout)
        return 0 if started and ran else 1
    except StartError as exc:
        out.write(red(str(exc)) + "\n")
        return 1
    except KeyboardInterrupt:
        return 130
    except RemoteError as exc:     # its message names the unit and what it answered
        out.write(red(f"ERROR: {exc}") + "\n")
        return 1
    except Exception as exc:      # a broken network or data dir: one clear line, never a traceback
        out.write(red(f"ERROR: {type(exc).__name__}: {exc}") + "\n")
        return 1
    finally:
        if net is not None:
            try:
                net.close()
            except Exception:
                pass


def run() -> None:
    """The `aos` command (entered through aosrepl.command): main(), then the process ends at once. By then
    everything is written and closed (the network's log committed and closed, the output flushed); tearing the
    interpreter down after that (freeing every module and Lua state, a last garbage collection) took about 9 ms
    of each `aos NAME --run` here, and would wait for any thread still running (a model still loading)."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):   # a closed pipe or stream: nothing more can be said on it
            pass
    os._exit(code)


if __name__ == "__main__":
    run()
