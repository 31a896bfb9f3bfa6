"""`aos NAME --sqlite` / `--module ID`: the module picks what the process can require; the data of an
aos-sqlite process survives the console being killed (SIGKILL) and restarted."""
import os
import re
import signal
import subprocess
import threading

from console_proc import aos_args, console_env, run_aos, ROOT

from aosrepl import ids

FILL = [
    'sqlite3 = require("lsqlite3")',
    "db = sqlite3.open_memory()",
    'db:exec("CREATE TABLE scores(id INTEGER PRIMARY KEY, player TEXT, points INTEGER)")',
    'Insert = db:prepare("INSERT INTO scores(player, points) VALUES (?, ?)")',
    'for i, name in ipairs({"ada", "bob", "cy"}) do Insert:bind_values(name, i * 10); Insert:step(); '
    'Insert:reset() end',
    'Insert:finalize()',
    'print("FILLED " .. db:last_insert_rowid())',
]
QUERY = ('local t = {} for row in db:nrows("SELECT * FROM scores ORDER BY id") do '
         't[#t + 1] = row.id .. ":" .. row.player .. ":" .. row.points .. ":" .. math.type(row.points) end '
         'return table.concat(t, " ")')


def test_sqlite_process_keeps_its_table_across_sigkill(tmp_path):
    console = subprocess.Popen(aos_args("ledger", tmp_path, "--sqlite", "--workers", "0"), stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=console_env(), cwd=ROOT)
    watchdog = threading.Timer(120, console.kill)
    watchdog.start()
    try:
        console.stdin.write("\n".join(FILL) + "\n")
        console.stdin.flush()
        seen = []
        while True:
            line = console.stdout.readline()
            assert line, f"console ended early: {seen}"
            seen.append(line)
            if line.startswith("FILLED"):
                break
        assert line.strip() == "FILLED 3"
        os.kill(console.pid, signal.SIGKILL)      # no clean shutdown: the log is all there is
    finally:
        watchdog.cancel()
        console.wait(30)
        for stream in (console.stdin, console.stdout, console.stderr):
            try:
                stream.close()
            except OSError:
                pass
    done = run_aos("ledger", tmp_path, "--workers", "0", "--run", QUERY)
    assert (done.returncode, done.stdout) == (0, "1:ada:10:integer 2:bob:20:integer 3:cy:30:integer\n")
    listing = run_aos("ledger", tmp_path, "--workers", "0", "--list")
    assert re.search(r"^ledger - [A-Za-z0-9_-]{43} \(aos-sqlite\)$", listing.stdout, re.M)


def test_module_flag_picks_natives(tmp_path):
    done = run_aos("plain", tmp_path, "--workers", "0", "--run", 'require("lsqlite3")')
    assert done.returncode == 1 and "module 'lsqlite3' not found" in done.stdout
    done = run_aos("llm", tmp_path, "--workers", "0", "--module", ids.AOS_LLAMA_MODULE_ID, "--run",
                   'type(require("llama").run) .. type(require("lsqlite3").open_memory) .. ao.env.Module.Id')
    assert (done.returncode, done.stdout) == (0, f"functionfunction{ids.AOS_LLAMA_MODULE_ID}\n")


def test_unknown_module_is_a_clear_error(tmp_path):
    done = run_aos("x", tmp_path, "--workers", "0", "--module", "nope", "--run", "1")
    assert done.returncode == 1
    assert done.stdout.startswith("ERROR: Unknown module 'nope'. Modules on this network: aos (")
    assert ids.AOS_SQLITE_MODULE_ID in done.stdout and ids.AOS_LLAMA_MODULE_ID in done.stdout
    done = run_aos("x", tmp_path, "--workers", "0", "--sqlite", "--module", ids.AOS_MODULE_ID, "--run", "1")
    assert done.returncode == 1 and "--sqlite and --module" in done.stdout


def test_ps_shows_each_process_module(tmp_path):
    done = run_aos("ledger", tmp_path, "--workers", "1", "--sqlite", stdin=".ps\n")
    lines = done.stdout.splitlines()

    def row(name):
        return next(line for line in lines if f" {name} " in line).rstrip()

    assert row("ledger").startswith("* ledger") and row("ledger").endswith("user  aos-sqlite")
    assert row("Llama-Worker-1").endswith("worker  aos-llama")
    assert row("Wrapped AR").endswith("service  aos")


def test_one_module_flag_for_the_local_and_a_real_network():
    from aosrepl.cli import build_parser, remote_config
    from aosrepl.remote.defaults import DEFAULT_MODULE
    urls = ["--mu-url", "http://mu", "--cu-url", "http://cu", "--gateway-url", "http://gw"]
    other = "Q" * 43   # any module id: a real network has modules this one does not
    assert remote_config(build_parser().parse_args(urls + ["--module", other]), environ={}).module == other
    assert remote_config(build_parser().parse_args(urls + ["--sqlite"]), environ={}).module \
        == ids.AOS_SQLITE_MODULE_ID
    assert remote_config(build_parser().parse_args(urls), environ={}).module == DEFAULT_MODULE
    assert remote_config(build_parser().parse_args(["--module", ids.AOS_SQLITE_MODULE_ID]), environ={}) is None
