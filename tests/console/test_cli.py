"""The `aos` command in scripted use: --run, piped stdin, flags and start-up errors (real network)."""
import re

from console_proc import run_aos


def test_run_prints_and_exits_zero(tmp_path):
    done = run_aos("t", tmp_path, "--run", "1+1")
    assert (done.returncode, done.stdout, done.stderr) == (0, "2\n", "")


def test_run_error_exits_one(tmp_path):
    done = run_aos("t", tmp_path, "--run", 'error("boom")')
    assert done.returncode == 1
    assert "boom" in done.stdout and "This error occurred while aos was evaluating" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_piped_stdin_line_by_line(tmp_path):
    done = run_aos("t", tmp_path, stdin="1+1\nX = 5\nX * 2\n")
    assert done.returncode == 0
    assert done.stdout == "2\n10\n"


def test_piped_editor_block(tmp_path):
    done = run_aos("t", tmp_path, stdin=".editor\nlocal a = 6\nreturn a * 7\n.done\n")
    assert (done.returncode, done.stdout) == (0, "42\n")        # no banner for a person: results only


def test_state_survives_a_restart(tmp_path):
    assert run_aos("t", tmp_path, "--run", "Keep = 'kept'").returncode == 0
    assert run_aos("t", tmp_path, "--run", "Keep").stdout == "kept\n"


def test_version_and_help(tmp_path):
    done = run_aos("t", tmp_path, "--version")
    assert done.returncode == 0 and "AOS Client Version" in done.stdout
    done = run_aos("t", tmp_path, "--help")
    assert done.returncode == 0 and "--run" in done.stdout and "--data-dir" in done.stdout


def test_bad_data_dir_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    done = run_aos("t", blocker / "sub", "--run", "1")
    assert done.returncode == 1
    assert done.stdout.startswith("ERROR: cannot use the data directory")
    assert "Traceback" not in done.stdout + done.stderr


def test_bad_flags_are_clear_errors(tmp_path):
    done = run_aos("t", tmp_path, "--cron", "5-fortnights", "--run", "1")
    assert (done.returncode, done.stdout) == (1, "Invalid cron flag!\n")
    done = run_aos("t", tmp_path, "--tag-name", "A", "--run", "1")
    assert done.returncode == 1 and "--tag-value" in done.stdout
    done = run_aos("t", tmp_path, "--model", str(tmp_path / "none.gguf"), "--run", "1")
    assert (done.returncode, done.stdout) == (1, f"ERROR: --model: no such model file: {tmp_path / 'none.gguf'}\n")
    done = run_aos("t", tmp_path, "--backend", "localhost:8080", "--run", "1")
    assert done.returncode == 1 and done.stdout.startswith("ERROR: --backend must be an http(s) URL")


def test_spawn_tags_data_and_list(tmp_path):
    data = tmp_path / "boot.txt"
    data.write_text("hello data")
    done = run_aos("tagged", tmp_path / "d", "--tag-name", "Color", "--tag-value", "blue", "--data", str(data),
                   "--run", 'ao.env.Process.Tags.Color .. " " .. Inbox[1].Data')
    assert done.stdout == "blue hello data\n"
    listing = run_aos("x", tmp_path / "d", "--list").stdout
    assert re.search(r"^tagged - [A-Za-z0-9_-]{43}$", listing, re.M)


def test_load_flag(tmp_path):
    (tmp_path / "lib.lua").write_text("return { n = 20 }")
    (tmp_path / "main.lua").write_text('Loaded = require("lib").n + 1')
    done = run_aos("t", tmp_path / "d", "--load", str(tmp_path / "main.lua"), "--run", "Loaded")
    assert done.returncode == 0 and done.stdout.endswith("\n21\n")


def test_fund_flag_credits_the_process(tmp_path):
    done = run_aos("t", tmp_path, "--fund", "0.001", "--run", "Inbox[#Inbox].Action .. ' ' .. Inbox[#Inbox].Quantity")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-2:] == ["New Message From xU9...h10: Action = Credit-Notice",
                                             "Credit-Notice 1000000000"]
    refused = run_aos("t", tmp_path, "--fund", "5000", "--run", "#Inbox")
    assert refused.stdout == ("ERROR: wAR refused the transfer of 5000 wAR: Insufficient Balance! "
                              "(your wallet holds 999.999 wAR)\n2\n")
    bad = run_aos("t", tmp_path, "--fund", "lots", "--run", "1")
    assert bad.stdout.startswith("ERROR: .fund requires an amount of wAR")


def test_publish_a_package_folder(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "apm.json").write_text('{"vendor": "@me", "name": "hello", "version": "0.1.0", "description": "hi",'
                                  ' "main": "main.lua", "dependencies": {}, "repository": "", "readme": "",'
                                  ' "authors": []}')
    (pkg / "main.lua").write_text("return { hello = function() return 'hello' end }")
    done = run_aos("t", tmp_path / "d", "--publish", str(pkg))
    assert done.returncode == 0 and done.stdout.startswith(f"Published {pkg} to the local APM registry")
    again = run_aos("t", tmp_path / "d", "--publish", str(tmp_path / "nothing-here"))
    assert again.returncode == 1 and again.stdout.startswith("ERROR: ")
    assert "Traceback" not in again.stdout + again.stderr


def test_scripted_runs_import_no_terminal_ui_and_no_model(tmp_path):
    code = ("import sys; from aosrepl.cli import main; rc = main(['t', '--data-dir', sys.argv[1], '--run', '1+1']);"
            "print('prompt_toolkit' in sys.modules, 'llama_cpp' in sys.modules, rc)")
    import subprocess
    import sys
    from console_proc import ROOT, console_env
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                          env=console_env(), cwd=ROOT, timeout=120)
    assert done.stdout == "2\nFalse False 0\n"


def test_piped_bad_bytes_and_errors_do_not_stop_the_run(tmp_path):
    import subprocess
    from console_proc import aos_args, console_env, ROOT
    done = subprocess.run(aos_args("t", tmp_path), input=b"'\xff'\nerror('x')\n1+1\n", capture_output=True,
                          env=console_env(), cwd=ROOT, timeout=120)
    out = done.stdout.decode()
    assert out.endswith("\n2\n") and "\ufffd" in out
    assert done.returncode == 1                 # error('x') failed: the run goes on, its status says so


def test_piped_stdin_exits_one_if_any_line_failed(tmp_path):
    done = run_aos("t", tmp_path, stdin="1+1\nerror('boom')\n2+2\n")
    assert done.returncode == 1 and done.stdout.startswith("2\n") and done.stdout.endswith("\n4\n")
    done = run_aos("t", tmp_path, stdin="1+1\n.foo\n2+2\n")
    assert done.returncode == 1 and "unknown command .foo" in done.stdout
    done = run_aos("t", tmp_path, stdin="1+1\n\n2+2\n")
    assert (done.returncode, done.stdout) == (0, "2\n4\n")
    assert "exit status is 1 if any" in " ".join(run_aos("t", tmp_path, "--help").stdout.split())


def test_a_failed_load_makes_a_scripted_run_fail(tmp_path):
    done = run_aos("t", tmp_path / "d", "--load", str(tmp_path / "missing.lua"), "--run", "1+1")
    assert done.returncode == 1
    assert done.stdout == f"ERROR: file not found: {tmp_path / 'missing.lua'}\n2\n"
    (tmp_path / "broken.lua").write_text("x = = 1")
    done = run_aos("t", tmp_path / "d", "--load", str(tmp_path / "broken.lua"), "--run", "1+1")
    assert done.returncode == 1 and "unexpected symbol" in done.stdout and done.stdout.endswith("\n2\n")


def test_colour_codes_only_on_a_terminal(tmp_path):
    assert run_aos("t", tmp_path, "--run", "1").returncode == 0        # the process exists
    for flags, env, coloured in [((), {}, False), (("--color", "always"), {}, True), ((), {"FORCE_COLOR": "1"}, True),
                                 (("--color", "never"), {"FORCE_COLOR": "1"}, False),
                                 (("--color", "always"), {"NO_COLOR": "1"}, True)]:
        env = {"NO_COLOR": None, **env}
        listing = run_aos("t", tmp_path, "--list", *flags, **env)
        failed = run_aos("t", tmp_path, "--run", "error('boom')", *flags, **env)
        assert ("\x1b[" in listing.stdout, "\x1b[" in failed.stdout) == (coloured, coloured), (flags, env)
        assert "Your Processes" in listing.stdout and "boom" in failed.stdout
    bad = run_aos("t", tmp_path, "--color", "sometimes", "--run", "1")
    assert bad.returncode == 2 and "--color" in bad.stderr


def test_pad_refuses_to_start_an_editor_on_piped_input(tmp_path):
    # An editor started on the pipe would read the rest of the script; this one would swallow it whole.
    eater = tmp_path / "eater"
    eater.write_text("#!/bin/sh\ncat > /dev/null\necho 'return 99' > \"$1\"\n")
    eater.chmod(0o755)
    done = run_aos("t", tmp_path / "d", stdin=".pad\n1+1\n", EDITOR=str(eater), VISUAL=None)
    assert done.returncode == 1
    assert done.stdout.startswith("ERROR: .pad opens your editor, which needs a terminal")
    assert done.stdout.endswith("\n2\n") and "99" not in done.stdout


def test_run_with_bytes_that_are_not_utf8_is_refused_clearly(tmp_path):
    import subprocess
    from console_proc import aos_args, console_env, ROOT
    args = [arg.encode() for arg in aos_args("t", tmp_path, "--run")] + [b"'caf\xe9'"]
    done = subprocess.run(args, capture_output=True, env=console_env(), cwd=ROOT, timeout=120)
    assert done.returncode == 1
    assert done.stdout.decode() == ("ERROR: this line has bytes that are not UTF-8 (shown as \ufffd: 'caf\ufffd'); "
                                    "it was not run. Is your terminal set to UTF-8?\n")
    assert b"Traceback" not in done.stderr


def test_the_command_ends_at_once_with_all_its_output_written(tmp_path):
    """`aos` leaves through os._exit once main() is done (cli.run): what it printed is all there, even a large
    result on a pipe, the log is closed cleanly (no WAL left behind, no warning at the next start), and the exit
    status is main()'s."""
    from console_proc import run_aos
    done = run_aos("t", tmp_path / "d", "--run", 'string.rep("x", 300000)')
    assert (done.returncode, done.stdout, done.stderr) == (0, "x" * 300000 + "\n", "")
    assert not (tmp_path / "d" / "aosrepl.db-wal").exists()
    failed = run_aos("t", tmp_path / "d", "--run", "error('no')")
    assert failed.returncode == 1 and "no" in failed.stdout and "Traceback" not in failed.stderr


def test_the_command_imports_with_the_collector_off_and_runs_with_it_on():
    """aosrepl.command (the `aos` entry point) imports the program with Python's garbage collector off, then
    freezes what the imports made and turns collection on before the run; importing aosrepl alone changes
    nothing."""
    import subprocess
    import sys
    from console_proc import ROOT, console_env
    code = ("import gc; import aosrepl.cli; alone = gc.isenabled(); from aosrepl import command, cli; "
            "during = gc.isenabled(); cli.run = lambda: print(alone, during, gc.isenabled(), "
            "gc.get_freeze_count() > 1000); command.run()")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=console_env(),
                          cwd=ROOT, timeout=60)
    assert done.stdout == "True False True True\n", done.stderr
