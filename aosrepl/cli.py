"""`aos [NAME] [flags]`: start the local network, find or spawn the wallet's process NAME, then run the
console interactively, a `--run` snippet, or piped stdin line by line. prompt_toolkit is imported only for
the interactive console; no model is loaded before the first prompt."""
from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from aosrepl import __version__, ids
from aosrepl.console import display
from aosrepl.console.display import ColorFilter, blue, gray, green, red
from aosrepl.network.datadir import default_data_dir

DEFAULT_IDLE_TIMEOUT = 120.0
_CRON = re.compile(r"^(\d+)-((second|minute|hour|day|month|year|block)s?)$", re.IGNORECASE)


class StartError(Exception):
    """Something about the command line or the environment that stops start-up (printed, exit 1)."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="aos", description="The aos console on a local, offline AO network (aosrepl).",
        epilog="Inside the console, type .help for its commands.")
    p.add_argument("name", nargs="?", default="default", help="process name (default: default) or a process id")
    p.add_argument("--run", metavar="LUA", help="evaluate LUA, print the result and exit (0 ok, 1 error)")
    p.add_argument("--load", metavar="FILE", action="append", default=[], help="load a Lua file at start (repeatable)")
    p.add_argument("--data-dir", metavar="DIR", help="where the network keeps its state (env AOSREPL_HOME, default ~/.aosrepl)")
    p.add_argument("--fund", metavar="AMOUNT", help="send AMOUNT wAR from the local wallet to the process at start")
    p.add_argument("--list", action="store_true", help="list your processes and exit")
    p.add_argument("--cron", metavar="N-UNIT", help="spawn with a cron, e.g. 10-seconds, 1-minute, 5-blocks")
    p.add_argument("--monitor", action="store_true", help="start the process's cron ticks at start")
    p.add_argument("--data", metavar="FILE", help="file whose contents become the spawned process's Data")
    p.add_argument("--tag-name", metavar="NAME", action="append", default=[], help="extra spawn tag name (repeatable)")
    p.add_argument("--tag-value", metavar="VALUE", action="append", default=[], help="value for the matching --tag-name")
    p.add_argument("--model", metavar="PATH", help="a GGUF model file for the inference workers")
    p.add_argument("--workers", metavar="N", type=int, help="number of inference workers")
    p.add_argument("--backend", metavar="URL", help="a remote OpenAI-compatible completion server for the workers")
    p.add_argument("--timeout", metavar="SECONDS", type=float, default=DEFAULT_IDLE_TIMEOUT,
                   help=f"scripted runs: how long to wait for the network to go idle (default {DEFAULT_IDLE_TIMEOUT:g})")
    p.add_argument("--publish", metavar="DIR", help="publish an APM package folder to the local registry and exit")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    return p


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
    try:
        return Network(str(data_dir), **options)
    except NetworkError as exc:       # its messages are meant to be printed as they are
        raise StartError(f"ERROR: {exc}") from None
    except Exception as exc:
        raise StartError(f"ERROR: could not start the local network in {data_dir}: {exc}") from None


def find_process(net, args) -> str:
    if ids.is_id(args.name):
        if any(p.id == args.name for p in net.processes()):
            return args.name
        raise StartError("Error! Could not find process ID.")
    return net.find_or_spawn(args.name, tags=spawn_tags(args), data=spawn_data(args))


def list_processes(net, out) -> int:
    mine = [p for p in net.processes() if p.owner == net.wallet.address]
    out.write(green("Your Processes") + "\n")
    for p in mine:
        out.write(f"{p.name or '-'} - {green(p.id)}\n")
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


def start_files(session, args) -> None:
    for name in args.load:
        loaded = session.commands.load(name)
        if loaded is not None:
            session.evaluate(*loaded)
    if args.fund:
        session.commands.network.fund(args.fund)
    if args.monitor:
        session.commands.monitor()


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
    try:
        version = session.connect()
    except Exception as exc:
        out.write(red(f"Could not connect to process! Exiting... ({exc})") + "\n")
        return 1
    if version is not None and version != display.AOS_LIBRARY_VERSION:
        out.write(blue("A new AOS update is available. run [.update] to install.") + "\n")
    start_files(session, args)
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
    out = ColorFilter(sys.stdout, display.color_enabled())
    if args.version:
        out.write(gray(f"AOS Client Version: aosrepl {__version__} (aos {display.AOS_LIBRARY_VERSION} processes)") + "\n")
        return 0
    net = None
    try:
        data_dir = data_dir_from(args)
        spawn_tags(args)                       # flag errors before anything starts
        check_inference_flags(args)
        interactive = args.run is None and sys.stdin.isatty() and sys.stdout.isatty()
        # The console's modules are imported before the network's threads start: see import_console.
        import_console(interactive)
        net = open_network(data_dir, args)
        if args.publish:
            return publish(net, args.publish, out)
        if args.list:
            return list_processes(net, out)
        if interactive:
            out.write(display.splash(data_dir=str(data_dir), wallet=net.wallet.address, model=args.model,
                                     backend=args.backend, workers=args.workers))
        pid = find_process(net, args)
        from aosrepl.console.session import ConsoleSession
        session = ConsoleSession(net, pid, display.CurrentStdout(), data_dir=data_dir,
                                 eval_timeout=None if interactive else args.timeout)
        net.subscribe(pid, session.on_result)
        net.subscribe_notices(session.on_notice)
        for notice in list(getattr(net, "notices", [])):       # what the network said while starting
            session.on_notice(notice)
        if interactive:
            return run_interactive(session, net, data_dir, args, out)
        start_files(session, args)
        net.run_until_idle(timeout=args.timeout)
        if args.run is not None:
            return 0 if run_scripted(session, net, [args.run], args.timeout) else 1
        run_scripted(session, net, stdin_lines(), args.timeout)
        return 0
    except StartError as exc:
        out.write(red(str(exc)) + "\n")
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:      # a broken network or data dir: one clear line, never a traceback
        out.write(red(f"ERROR: {type(exc).__name__}: {exc}") + "\n")
        return 1
    finally:
        if net is not None:
            try:
                net.close()
            except Exception:
                pass


if __name__ == "__main__":
    sys.exit(main())
