"""The real `aos` console in a pty (pexpect): what a user typing at it sees."""
import io
import json
import os
import re

import pexpect
import pytest

from console_proc import PROCESS_LINE, PROMPT, output_line, spawn_console


def start(tmp_path, name="t", *flags, **kw):
    child = spawn_console(name, tmp_path / "data", *flags, **kw)
    child.expect(PROCESS_LINE)
    pid = child.match.group(1)
    child.expect(PROMPT)
    return child, pid


def leave(child):
    child.sendline(".exit")
    child.expect_exact("Exiting...")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_start_eval_and_exit(tmp_path):
    child, pid = start(tmp_path)
    assert "[Inbox:1]" in child.after          # a fresh process holds its spawn message
    child.sendline("1+1")
    child.expect(output_line("2"))
    child.expect(PROMPT)
    child.sendline("x = 1")
    child.expect(PROMPT)
    assert child.before.count("\n") <= 1        # nothing printed for a statement
    leave(child)


def test_editor_block(tmp_path):
    child, _ = start(tmp_path)
    child.sendline(".editor")
    child.expect_exact("<editor mode> use '.done' to submit or '.cancel' to cancel")
    for line in ["local a = 6", "local b = 7", "return a * b"]:
        child.sendline(line)
    child.sendline(".done")
    child.expect(output_line("42"))
    child.expect(PROMPT)
    leave(child)


def test_load_two_file_project(tmp_path):
    project = tmp_path / "proj"
    (project / "lib").mkdir(parents=True)
    (project / "lib" / "greet.lua").write_text('return { hello = function(n) return "hello " .. n end }')
    (project / "main.lua").write_text('local g = require("lib.greet")\nGreeting = g.hello("ao")\nreturn Greeting')
    child, _ = start(tmp_path, cwd=tmp_path)
    child.sendline(".load proj/main.lua")
    child.expect_exact("Loading... proj/main.lua")
    child.expect_exact("The following files will be deployed:")
    child.expect_exact(f"{project}\r\n├── lib\r\n| └── greet.lua\r\n└── main.lua  MAIN")
    child.expect_exact("hello ao")
    child.expect(PROMPT)
    child.sendline('require("lib.greet").hello("again")')
    child.expect_exact("hello again")
    child.sendline(".load missing.lua")
    child.expect_exact(f"ERROR: file not found: {tmp_path / 'missing.lua'}")
    leave(child)


def test_load_blueprint_and_its_error(tmp_path):
    child, _ = start(tmp_path)
    child.sendline(".load-blueprint token")
    child.expect_exact("Loading... token")
    child.expect(PROMPT)
    child.sendline("Ticker ~= nil and Balances ~= nil")
    child.expect(output_line("true"))
    child.sendline(".load-blueprint no-such-blueprint")
    child.expect_exact("ERROR: .load-blueprint function requires a valid blueprint")
    child.expect(PROMPT)
    leave(child)


def test_syntax_and_runtime_errors(tmp_path):
    child, _ = start(tmp_path)
    child.sendline("x = = 2")
    child.expect_exact("unexpected symbol near '='")
    child.expect_exact(" 1 | x = = 2")
    child.expect_exact("This error occurred while aos was evaluating the submitted code.")
    child.expect(PROMPT)
    child.sendline('local t = nil; return t.field')
    child.expect_exact("attempt to index a nil value (local 't')")
    child.expect_exact("This error occurred while aos was evaluating the submitted code.")
    child.expect(PROMPT)
    child.sendline("1+2")
    child.expect(output_line("3"))
    leave(child)


def test_ctrl_c_stops_a_running_eval(tmp_path):
    child, _ = start(tmp_path)
    child.sendline('Before = 1; while true do local s = string.rep("x", 100000) end')
    child.expect_exact("[Computing...]")
    child.sendcontrol("c")
    child.expect(PROMPT, timeout=10)
    # a stopped message is discarded as a whole (issue 16): what it did before the stop is undone
    child.sendline("tostring(Before)")
    child.expect(output_line("nil"))
    child.sendline("40 + 2")
    child.expect(output_line("42"))
    leave(child)


@pytest.mark.parametrize("keys", [["d"], ["c", "c"]], ids=["ctrl-d", "second ctrl-c"])
def test_the_console_can_be_left_while_an_eval_runs(tmp_path, keys):
    child, _ = start(tmp_path)
    child.sendline("Left = 1 while true do end")
    child.expect_exact("[Computing...]")
    for key in keys:
        child.sendcontrol(key)
    child.expect(pexpect.EOF, timeout=30)
    child.close()
    assert child.exitstatus == 0
    child, _ = start(tmp_path)                 # the next start is not held up by what was running
    child.sendline("tostring(Left)")
    child.expect(output_line("nil"))
    leave(child)


def test_ctrl_c_on_while_true_do_end(tmp_path):
    # The instruction budget may end this loop before the spinner shows: Ctrl-C goes right away, and
    # wherever it lands (the eval, or the prompt after it) the console carries on.
    child, _ = start(tmp_path)
    child.sendline("while true do end")
    child.sendcontrol("c")
    child.sendline("40 + 2")
    child.expect(output_line("42"))
    leave(child)


def test_message_arrives_while_idle(tmp_path):
    child, _ = start(tmp_path)
    child.sendline(".fund 0.001")
    child.expect_exact("Sent 0.001 wAR (1000000000 units)")
    child.expect_exact("New Message From xU9...h10: Action = ", timeout=20)
    child.expect(PROMPT)
    while child.match.group(1) == "1":      # the prompt redraws with the new Inbox count
        child.expect(PROMPT)
    assert child.match.group(1) == "2"
    leave(child)


def test_history_survives_a_restart(tmp_path):
    child, _ = start(tmp_path)
    child.sendline("Remembered = 41")
    child.expect(PROMPT)
    leave(child)
    child, _ = start(tmp_path)
    child.send("\x1b[A")                      # Up: the last line of the previous session ...
    child.sendline(" + 1")                    # ... edited: `Remembered = 41 + 1`
    child.expect(PROMPT)
    child.sendline("Remembered")
    child.expect(output_line("42"))
    leave(child)


@pytest.mark.parametrize("keys", [["c", "c"], ["d"]])
def test_ctrl_c_twice_or_ctrl_d_leaves(tmp_path, keys):
    child, _ = start(tmp_path)
    for key in keys:
        child.sendcontrol(key)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_ctrl_c_clears_a_typed_line(tmp_path):
    child, _ = start(tmp_path)
    child.send("error('not sent')")
    child.sendcontrol("c")
    child.sendline("'fresh'")
    child.expect(output_line("fresh"))
    leave(child)


def test_tab_completes_from_the_live_process(tmp_path):
    child, _ = start(tmp_path)
    # Wait for the eval's own output, not just for prompt text: accepting a line redraws the old prompt with
    # the line on it, and keys sent on seeing that land on the spinner screen of the running eval. It keeps
    # typed text for the next prompt, but a Tab with more keys after it cannot complete there (the process
    # is busy), so the line became `MyLongGl * 6` (7 runs in 20 failed so).
    child.sendline("MyLongGlobalName = 7; print('assigned')")
    child.expect(output_line("assigned"))
    child.expect(PROMPT)              # the next prompt: keys now go to it
    child.send("MyLongGl\t")
    child.sendline(" * 6")
    child.expect(output_line("42"))
    leave(child)


def test_keys_typed_right_after_tab_come_after_the_completion(tmp_path):
    # Tab and what follows it in one write, as a fast typist (or a loaded machine) delivers them: prompt_toolkit's
    # own Tab completed in a task that ran after those keys, which had changed the line, so it was dropped.
    child, _ = start(tmp_path)
    child.sendline("MyLongGlobalName = 7; print('assigned')")
    child.expect(output_line("assigned"))
    child.expect(PROMPT)
    child.send("MyLongGl\t * 6\r")
    child.expect(output_line("42"))
    leave(child)


def test_a_tab_typed_while_a_line_runs_completes_at_the_next_prompt(tmp_path):
    child, _ = start(tmp_path)
    child.sendline("MyLongGlobalName = 7; print('assigned')")
    child.expect(output_line("assigned"))
    child.expect(PROMPT)
    child.sendline("for i = 1, 60000000 do end")       # a second or more of work
    child.expect_exact("[Computing...]")              # the spinner owns the keyboard now
    child.send("MyLongGl\t")
    child.expect_exact("obalName")                    # completed once the prompt is back
    child.sendline(" * 6")
    child.expect(output_line("42"))
    leave(child)


def test_pad_evaluates_what_the_editor_saved(tmp_path):
    editor = tmp_path / "fake-editor"
    editor.write_text("#!/bin/sh\necho 'return 6 * 7' > \"$1\"\n")
    editor.chmod(0o755)
    child, pid = start(tmp_path, EDITOR=str(editor))
    child.sendline(".pad")
    child.expect(output_line("42"))
    child.expect(PROMPT)
    assert (tmp_path / "data" / "console" / f"pad-{pid}.lua").read_text() == "return 6 * 7\n"
    leave(child)


def test_pasted_editor_block_runs_line_by_line(tmp_path):
    child, _ = start(tmp_path)
    child.send("\x1b[200~.editor\nlocal a = 5\nreturn a * 2\n.done\x1b[201~")
    child.send("\r")
    child.expect_exact("<editor mode> use '.done' to submit or '.cancel' to cancel")
    child.expect(output_line("10"))
    child.expect(PROMPT)
    child.send("\x1b[200~local b = 4\nreturn b * 3\x1b[201~\r")    # pasted Lua: one chunk
    child.expect(output_line("12"))
    leave(child)


def test_a_data_dir_in_use_is_a_clear_error(tmp_path):
    from console_proc import run_aos
    child, _ = start(tmp_path)
    done = run_aos("t", tmp_path / "data", "--run", "1")
    assert done.returncode == 1
    assert done.stdout.startswith("ERROR: ") and "in use" in done.stdout
    leave(child)


def test_lines_typed_during_an_eval_are_kept(tmp_path):
    child, _ = start(tmp_path)
    child.delaybeforesend = None
    child.send("for i = 1, 20000000 do end\rTyped = 5\rTyped * 2\r")
    child.expect(output_line("10"))
    child.expect(PROMPT)
    leave(child)


def test_cron_ticks_arrive_at_the_idle_prompt(tmp_path):
    child, _ = start(tmp_path, "ticker", "--cron", "1-second", "--monitor")
    assert "Successfully started cron monitoring process." in child.before
    child.expect_exact(": Action = Cron", timeout=15)
    child.expect(PROMPT)
    count = int(child.match.group(1))
    child.expect_exact("Action = Cron", timeout=15)       # nothing typed: the next tick shows up by itself
    child.expect(PROMPT)
    assert int(child.match.group(1)) > count
    child.sendline(".unmonitor")
    child.expect_exact("Successfully stopped cron monitoring process.")
    leave(child)


def test_bytes_that_are_not_utf8_never_break_the_console(tmp_path):
    child, pid = start(tmp_path)
    seen = child.logfile_read = io.StringIO()
    os.write(child.child_fd, b"Latin = 'caf\xe9'\r")       # e from a Latin-1 keyboard, then Enter
    child.expect_exact("ERROR: this line has bytes that are not UTF-8")
    child.expect(PROMPT)
    os.write(child.child_fd, b"'\xff\xfe binary'\x0f")      # pasted binary, accepted with Ctrl-O
    child.expect_exact("ERROR: this line has bytes that are not UTF-8")
    child.expect(PROMPT)
    child.sendcontrol("u")                                   # (Ctrl-O may have put a history line here)
    child.sendline("Latin == nil")
    child.expect(output_line("true"))                        # the bad line was not run, the console lives
    leave(child)
    assert "Unhandled exception" not in seen.getvalue() and "Traceback" not in seen.getvalue()
    folder = tmp_path / "data" / "console"
    history = json.loads((folder / f"{pid}.history").read_text(encoding="utf-8"))
    assert history[1:3] == ["'\ufffd\ufffd binary'", "Latin = 'caf\ufffd'"]
    assert not list(folder.glob("*.tmp"))


def test_a_slow_rebuild_shows_the_connecting_spinner_then_erases_it(tmp_path):
    """The first answer waits for the process's state to be rebuilt from its log: when that takes a while, aos's
    `[Connecting To Process...]` spinner says so, and its line is blanked once the process answers."""
    from aosrepl.network import Network
    with Network(tmp_path / "data", services=False) as net:
        pid = net.find_or_spawn("t")
        for _ in range(8):       # each a few hundred ms of Lua, within the budget of one message
            result = net.eval(pid, "for i = 1, 60000000 do end", timeout=120)
            assert "Error" not in result, result
    child = spawn_console("t", tmp_path / "data", timeout=120)
    child.expect(PROCESS_LINE)
    child.expect_exact("[Connecting To Process...]")
    child.expect(PROMPT)
    spun = "[Connecting To Process...]" + child.before
    assert re.search(r"Process\.\.\.\]\r {28,}\r", spun), repr(spun[-120:])     # the last frame, blanked
    child.sendline("1+1")
    child.expect(output_line("2"))
    child.expect(PROMPT)
    leave(child)


def test_a_terminal_that_answers_cursor_position_requests(tmp_path):
    """A real terminal answers prompt_toolkit's cursor-position requests (the other tests here turn them off,
    as pexpect does not answer): the console asks at its start and after each accepted line, takes the
    answers while idle and while a line runs, and never shows them as typed text."""
    child = spawn_console("t", tmp_path / "data", PROMPT_TOOLKIT_NO_CPR=None)
    seen = child.logfile_read = io.StringIO()
    request = re.compile(re.escape("\x1b[6n"))
    answered = [0]

    def expect(text):
        # the requests come anywhere in the output: each is answered; the screen is checked at the end
        while child.expect([request, re.compile(re.escape(text))]) == 0:
            child.send("\x1b[20;1R")          # row 20, column 1
            answered[0] += 1

    expect("Your AOS process:")
    expect("]>")
    child.sendline("1+1")
    expect("2\r\n")
    expect("]>")
    child.sendline("for i = 1, 30000000 do end; print('slow')")
    expect("slow\r\n")
    expect("]>")
    child.send("Hand\t")
    expect("lers")
    child.sendline(" ~= nil")                 # `Handlers ~= nil`
    expect("true\r\n")
    expect("]>")
    child.sendline(".exit")
    expect("Exiting...")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    screen = seen.getvalue().replace("\x1b[6n", "")
    for line in ("2", "slow", "true"):
        assert output_line(line).search(screen), line
    assert answered[0] >= 4, answered
    assert "20;1R" not in screen and "Unhandled exception" not in screen
