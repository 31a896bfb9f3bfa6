"""ConsoleSession against a minimal in-test network (the real-network tests are in test_session.py)."""
import io
import threading
import time

import pytest
from fake_network import FakeNetwork

from aosrepl import ids
from aosrepl.console.commands import EDITOR_BANNER
from aosrepl.console.network_commands import BAD_AMOUNT, war_base_units
from aosrepl.console.display import strip_ansi
from aosrepl.console.session import ConsoleSession


@pytest.fixture
def net():
    return FakeNetwork()


def make(net, tmp_path, **kw):
    out = io.StringIO()
    bp = tmp_path / "blueprints"
    bp.mkdir(exist_ok=True)
    (bp / "hello.lua").write_text('Greeting = "hi"\nprint("hello loaded")')
    s = ConsoleSession(net, net.pid, out, color=kw.pop("color", True), blueprints_dir=bp,
                       data_dir=tmp_path, cwd=str(tmp_path), **kw)
    return s, out


def take(out):
    text = strip_ansi(out.getvalue())
    out.seek(0)
    out.truncate()
    return text


def test_eval_prints_data_and_adopts_prompt(net, tmp_path):
    s, out = make(net, tmp_path)
    assert s.prompt == "aos> "
    assert s.submit("1+1") is True
    assert take(out) == "2\n"
    assert strip_ansi(s.prompt) == "me@aos-2.0.0.rc1[Inbox:0]> "
    s.submit("x = 1")
    assert take(out) == ""
    assert net.evals == ["1+1", "x = 1"]


def test_blank_line_sends_nothing(net, tmp_path):
    s, out = make(net, tmp_path)
    assert s.submit("   ") is True
    assert net.evals == [] and take(out) == ""


def test_editor_block_is_one_eval(net, tmp_path):
    s, out = make(net, tmp_path)
    s.submit(".editor")
    assert s.prompt == ""
    for line in ["local a = 2", "local b = 3", "return a * b", ".done"]:
        s.submit(line)
    assert take(out) == EDITOR_BANNER + "\n\n6\n"
    assert net.evals == ["local a = 2\nlocal b = 3\nreturn a * b\n"]
    assert s.prompt != ""


def test_editor_delete_print_cancel(net, tmp_path):
    s, out = make(net, tmp_path)
    for line in [".editor", "a", "b", ".delete", "c", ".print"]:
        s.submit(line)
    assert take(out).endswith("a\nc\n") and s.editor_lines is None and net.evals == []
    for line in [".editor", ".help", ".cancel"]:
        s.submit(line)
    assert net.evals == [] and s.editor_lines is None


def test_commands_match_exactly(net, tmp_path):
    s, out = make(net, tmp_path)
    # aos sends `.help ` to the process, where it is a Lua syntax error; here it is still not the command,
    # and the console says why instead (issue 11: no Lua syntax error for a line that is no command).
    assert s.submit(".help ") is False
    assert take(out) == "ERROR: .help takes no argument (type .help alone)\n"
    assert net.evals == []


def test_load_two_files(net, tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "util.lua").write_text("return { double = function(x) return 2 * x end }")
    (tmp_path / "main.lua").write_text('local u = require("lib.util")\nreturn u.double(21)')
    s, out = make(net, tmp_path)
    s.submit(".load main.lua")
    assert take(out) == ("Loading... main.lua\n\nThe following files will be deployed:\n"
                         f"{tmp_path}\n├── lib\n| └── util.lua\n└── main.lua  MAIN\n42\n")


def test_load_errors(net, tmp_path):
    s, out = make(net, tmp_path)
    assert s.submit(".load main.txt") is False
    assert s.submit(".load nope.lua") is False
    assert take(out) == f"ERROR: .load function requires a *.lua file\nERROR: file not found: {tmp_path / 'nope.lua'}\n"
    assert s.submit(".load " + "x" * 300 + ".lua") is False
    assert take(out) == f"ERROR: cannot load {'x' * 300}.lua: File name too long\n"
    assert net.evals == []


def test_load_error_points_into_the_file(net, tmp_path):
    (tmp_path / "lib.lua").write_text("local t = nil\nreturn t.x")
    (tmp_path / "main.lua").write_text('require("lib")')
    s, out = make(net, tmp_path)
    assert s.submit(".load main.lua") is False
    assert take(out).endswith(
        f"\nattempt to index a nil value (local 't')\n  in {tmp_path / 'lib.lua'}\n   |\n 2 | return t.x\n   |\n"
        "This error occurred while aos was evaluating the submitted code.\n")


def test_blueprint_and_its_error(net, tmp_path):
    s, out = make(net, tmp_path)
    s.submit(".load-blueprint hello")
    assert take(out) == "Loading... hello\nhello loaded\n"
    assert s.submit(".load-blueprint nope") is False
    assert s.submit(".load-blueprint ../hello") is False
    assert take(out) == "ERROR: .load-blueprint function requires a valid blueprint\nBlueprints: hello\n" * 2


def test_a_missing_blueprint_lists_the_ones_there_are(net, tmp_path):
    s, out = make(net, tmp_path)
    (tmp_path / "blueprints" / "token.lua").write_text("Ticker = 'T'")
    assert s.submit(".load-blueprint nosuch") is False
    assert take(out) == ("ERROR: .load-blueprint function requires a valid blueprint\n"
                         "Blueprints: hello, token\n")
    assert s.submit(".load-blueprint") is False
    assert take(out).endswith("Blueprints: hello, token\n")


def test_an_overlong_blueprint_name_is_just_not_a_blueprint(net, tmp_path):
    s, out = make(net, tmp_path)
    assert s.submit(".load-blueprint " + "x" * 300) is False
    text = take(out)
    assert text == "ERROR: .load-blueprint function requires a valid blueprint\nBlueprints: hello\n"
    assert net.evals == []


def test_the_shipped_blueprints_are_listed(net, tmp_path):
    out = io.StringIO()
    s = ConsoleSession(net, net.pid, out, color=False, data_dir=tmp_path)
    s.submit(".load-blueprint nosuch")
    listed = out.getvalue().splitlines()[1]
    assert listed.startswith("Blueprints: ") and {"apm", "token", "chat"} <= set(listed[12:].split(", "))


def test_load_inside_editor_appends_to_buffer(net, tmp_path):
    s, out = make(net, tmp_path)
    for line in [".editor", ".load-blueprint hello", "print(Greeting)", ".done"]:
        s.submit(line)
    assert net.evals == ['Greeting = "hi"\nprint("hello loaded")\nprint(Greeting)\n']


def test_syntax_and_runtime_errors(net, tmp_path):
    s, out = make(net, tmp_path)
    assert s.submit("x = ") is False
    text = take(out)
    assert "unexpected symbol near <eof>" in text and " 1 | x = " in text
    assert "This error occurred while aos was evaluating the submitted code." in text


def test_dryrun_toggle(net, tmp_path):
    s, out = make(net, tmp_path)
    s.submit("1")
    s.submit(".dryrun")
    assert s.prompt.startswith("\x1b[31m*\x1b[0m")
    s.submit("X = 1")
    s.submit(".dryrun")
    assert take(out) == "1\nDryrun Mode Engaged\ndry:X = 1\nDryrun Mode Disengaged\n"
    assert net.evals == ["1"]


def test_fund_amounts():
    assert war_base_units("0.001") == 1_000_000_000
    assert war_base_units("1") == 10 ** 12
    assert war_base_units(".5") == 5 * 10 ** 11
    for bad in ["", "-1", "0", "abc", "1e3", "0.0000000000001", "1,5"]:
        with pytest.raises(ValueError):
            war_base_units(bad)


def test_fund_sends_a_transfer(net, tmp_path):
    s, out = make(net, tmp_path)
    assert s.submit(".fund 0.001") is True
    assert net.sent == [(ids.WAR_TOKEN, {"Action": "Transfer", "Recipient": net.pid, "Quantity": "1000000000"}, "")]
    assert s.submit(".fund lots") is False
    assert take(out).endswith(BAD_AMOUNT + "\n") and len(net.sent) == 1


def test_live_feed_updates_prompt(net, tmp_path):
    s, out = make(net, tmp_path)
    net.subscribe(net.pid, s.on_result)
    changes = []
    s.on_change = lambda: changes.append(1)
    net.deliver(net.pid, "\x1b[90mNew Message From \x1b[32mxU9...h10\x1b[90m: Action = Credit-Notice\x1b[0m")
    assert take(out) == "New Message From xU9...h10: Action = Credit-Notice\n"
    assert "[Inbox:1]" in strip_ansi(s.prompt) and changes


def test_the_prompt_is_redrawn_only_when_it_changed(net, tmp_path):
    """Every result carries the prompt; a redraw for each one, while a line ran, cost the console's round trip
    a render (about a millisecond)."""
    s, _ = make(net, tmp_path)
    net.subscribe(net.pid, s.on_result)
    s.submit("1")
    changes = []
    s.on_change = lambda: changes.append(1)
    s.submit("2")
    s.submit("3")
    assert changes == []
    net.deliver(net.pid, "New Message")         # the Inbox count in the prompt changes
    assert changes == [1]


def test_live_output_waits_for_the_eval_in_flight(net, tmp_path):
    s, out = make(net, tmp_path)
    release = threading.Event()
    real_eval = net.eval

    def slow_eval(pid, code, timeout=None, msg_id=None):
        release.wait(5)
        return real_eval(pid, code)
    net.eval = slow_eval
    worker = threading.Thread(target=s.submit, args=("'first'",))
    worker.start()
    deadline = time.monotonic() + 30
    while not s.busy and time.monotonic() < deadline:
        time.sleep(0.001)
    assert s.busy
    s.on_result(net.pid, {"Output": {"data": "second", "prompt": "p> ", "print": True}})
    release.set()
    worker.join()
    assert take(out) == "first\nsecond\n"
    assert s.prompt == "p> "


def test_watch_another_process(net, tmp_path):
    s, out = make(net, tmp_path)
    s.submit(".watch llama-herder")
    net.deliver("H" * 43, "queue: 1\nworking")
    s.submit(".unwatch")
    net.deliver("H" * 43, "not shown")
    s.submit(".watch nobody")
    assert take(out) == ("Watching: " + "H" * 43 + " (Llama-Herder)\n[Llama-Herder] queue: 1\n"
                         "[Llama-Herder] working\nStopped watching all processes.\n"
                         "ERROR: no process named or with the id 'nobody' (see .ps)\n")


def test_ps_monitor_help_exit(net, tmp_path):
    s, out = make(net, tmp_path)
    s.submit(".ps")
    s.submit(".monitor")
    assert net.monitored == {net.pid}
    s.submit(".unmonitor")
    s.submit(".help")
    s.submit(".exit")
    text = take(out)
    assert "* me" in text and "Llama-Herder" in text
    assert "Successfully started cron monitoring process.\nSuccessfully stopped cron monitoring process.\n" in text
    for name in [".fund", ".ps", ".watch", ".load-blueprint", ".editor", ".dryrun", ".pad", ".update"]:
        assert name in text
    assert text.endswith("Exiting...\n") and s.exited


def test_pad_evaluates_only_saved_changes(net, tmp_path):
    edits = iter(["return 7", None])

    def editor(path):
        text = next(edits)
        if text is not None:
            path.write_text(text)
        return 0
    s, out = make(net, tmp_path, run_editor=editor)
    s.submit(".pad")
    s.submit(".pad")
    assert net.evals == ["return 7"] and take(out) == "7\n"
    assert (tmp_path / "console" / f"pad-{net.pid}.lua").read_text() == "return 7"


def test_no_color_strips_everything(net, tmp_path):
    s, out = make(net, tmp_path, color=False)
    s.submit("print('x')")
    s.submit(".dryrun")
    assert "\x1b" not in out.getvalue() and "\x1b" not in s.prompt and s.prompt.startswith("*")


def test_a_broken_network_call_is_a_message(net, tmp_path):
    s, out = make(net, tmp_path)

    def broken(*a, **k):
        raise RuntimeError("scheduler gone")
    net.eval = broken
    assert s.submit("1") is False
    assert take(out) == "ERROR: the evaluation failed: scheduler gone\n"


def test_connect_shows_a_process_error_and_keeps_the_fallback_prompt(net, tmp_path):
    s, out = make(net, tmp_path)           # this network's processes have no `.process` module
    assert s.connect() is None
    assert "module '.process' not found" in take(out)
    assert s.prompt == "aos> "
    net.lua.execute("package.loaded['.process'] = {_version = '2.0.0.rc1'}")
    assert s.connect() == "2.0.0.rc1" and strip_ansi(s.prompt) == "me@aos-2.0.0.rc1[Inbox:0]> "


def test_pause_holds_the_live_feed_until_live(net, tmp_path):
    s, out = make(net, tmp_path)
    net.subscribe(net.pid, s.on_result)
    s.submit(".pause")
    net.deliver(net.pid, "first")
    s.submit("1+1")
    assert take(out) == "=== Pausing Live Feed ===\n2\n"
    s.submit(".live")
    net.deliver(net.pid, "second")
    assert take(out) == "=== Starting Live Feed ===\nfirst\nsecond\n"


def test_load_takes_the_second_token_or_a_quoted_path(net, tmp_path):
    (tmp_path / "my dir").mkdir()
    (tmp_path / "my dir" / "main.lua").write_text("return 'spaced'")
    (tmp_path / "main.lua").write_text("return 'plain'")
    s, out = make(net, tmp_path)
    s.submit('.load "my dir/main.lua"')
    s.submit(".load main.lua extra words")
    s.submit('.load "unterminated')
    text = take(out)
    assert "\nspaced\n" in text and "\nplain\n" in text
    assert text.endswith("ERROR: .load function requires a *.lua file\n")


def test_a_line_that_looks_like_a_command_but_is_none_is_not_sent_as_lua(net, tmp_path):
    s, out = make(net, tmp_path)
    assert s.submit(".foo") is False
    assert s.submit(".foo bar") is False
    assert take(out) == "ERROR: unknown command .foo (type .help for the commands)\n" * 2
    assert s.submit(".done") is False
    assert s.submit(".print") is False
    assert take(out) == ("ERROR: .done only works in editor mode (start it with .editor)\n"
                         "ERROR: .print only works in editor mode (start it with .editor)\n")
    assert s.submit(".help me") is False
    assert take(out) == "ERROR: .help takes no argument (type .help alone)\n"
    assert net.evals == []
    assert s.submit(".5 * 2") is True           # a Lua number, not a command
    assert net.evals == [".5 * 2"] and take(out) == "1.0\n"


def test_lines_starting_with_a_dot_inside_the_editor_are_code(net, tmp_path):
    s, out = make(net, tmp_path)
    for line in [".editor", "x = 'a'", ".foo", ".done"]:
        s.submit(line)
    assert net.evals == ["x = 'a'\n.foo\n"]


def test_hints_for_a_person_are_left_out_of_scripted_output(net, tmp_path):
    s, out = make(net, tmp_path, guide=False)
    for line in [".editor", "x = 1", "oops", ".delete", "return 6 * 7", ".done", ".exit"]:
        s.submit(line)
    assert take(out) == "42\n" and s.exited
    s, out = make(net, tmp_path)
    for line in [".editor", "return 1", ".delete", ".cancel", ".exit"]:
        s.submit(line)
    assert take(out) == f"{EDITOR_BANNER}\n(deleted: return 1)\nExiting...\n"


def test_a_line_with_bytes_that_are_not_utf8_is_refused_clearly(net, tmp_path):
    s, out = make(net, tmp_path)
    typed = "print('caf\udce9')"          # byte 0xE9 from a Latin-1 terminal, as Python decodes it
    assert s.submit(typed) is False
    assert take(out) == ("ERROR: this line has bytes that are not UTF-8 (shown as \ufffd: print('caf\ufffd')); "
                         "it was not run. Is your terminal set to UTF-8?\n")
    assert net.evals == []
    s.submit(".editor")
    s.submit(typed)
    s.submit("return 1")
    s.submit(".done")
    assert net.evals == ["return 1\n"]


def test_pad_without_a_terminal_is_refused(net, tmp_path, monkeypatch):
    import sys
    monkeypatch.setattr(sys, "stdin", io.StringIO("1+1\n"))
    s, out = make(net, tmp_path)
    assert s.submit(".pad") is False
    assert take(out).startswith("ERROR: .pad opens your editor, which needs a terminal")
    assert sys.stdin.read() == "1+1\n"           # the rest of the script is still there
