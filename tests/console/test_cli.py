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
    assert "<editor mode> use '.done' to submit or '.cancel' to cancel" in done.stdout
    assert done.stdout.endswith("\n42\n")


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
    assert done.returncode == 0
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
    assert done.returncode == 0 and out.endswith("\n2\n") and "\ufffd" in out
