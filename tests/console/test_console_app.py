"""The interactive console's one long-running application, driven in-process through prompt_toolkit's pipe
input (the pty tests in test_console_pty.py drive the real program; these look inside it)."""
import asyncio
import io
import re
import threading
import time
from pathlib import Path

from prompt_toolkit.application import Application, create_app_session
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output

from aosrepl.console.app import ConsoleApp

PROMPT = "t@aos-2.0.0.rc1[Inbox:1]> "
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\x08")


class Net:
    def complete(self, pid, prefix):
        return ["alphabet"] if "alphabet".startswith(prefix) else []

    def run_until_idle(self, timeout=0):
        return True


class Session:
    """What the app needs of a ConsoleSession: each line is recorded and answered with `ran: <line>`."""
    pid, color, editor_lines, exited, busy = "P" * 43, False, None, False, False
    prompt = PROMPT

    def __init__(self, typed_next):
        self.typed_next = typed_next        # lines to type once the prompt is back, one per line run
        self.submitted, self.out = [], None
        self.prompt_texts = []              # what the prompt held each time it came back
        self.release = threading.Event()     # cleared: a line waits for it (the test types meanwhile)
        self.release.set()
        self.running = threading.Event()     # a line has started

    def say(self, text):
        self.out.write(text + "\n")

    def interrupt(self):
        return False

    def redirect(self, out):
        self.out = out

    def submit(self, line):
        self.running.set()
        self.release.wait(10)
        self.submitted.append(line)
        if line == ".exit":
            self.exited = True
        else:
            self.out.write(f"ran: {line}\n")
        return True


def run_console(tmp_path, first: str, typed_next: list[str], while_running=None):
    """Runs the console on pipe input: `first` is typed at once, each of `typed_next` once the prompt is
    back; `while_running(pipe, session, console)` (optional) types while the first line runs."""
    screen = io.StringIO()
    output = Vt100_Output(screen, lambda: Size(rows=30, columns=100), term="xterm")
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=output):
        session = Session(typed_next)
        console = ConsoleApp(session, Net(), tmp_path)
        prompt_again = console._prompt_again

        def type_next_line():
            prompt_again()
            session.prompt_texts.append(console.buffer.text)
            if session.typed_next:
                pipe.send_text(session.typed_next.pop(0))
        console._prompt_again = type_next_line
        if while_running:
            session.release.clear()
            threading.Thread(target=while_running, args=(pipe, session, console), daemon=True).start()
        pipe.send_text(first)
        status = asyncio.run(asyncio.wait_for(console.run(), 30))
    return status, session, ESCAPES.sub("", screen.getvalue())


def test_one_application_serves_every_line(tmp_path, monkeypatch):
    """Starting an application for each line (as PromptSession does) cost ~5 ms a line: one runs throughout."""
    starts = []
    run_async = Application.run_async

    def counted(self, *args, **kwargs):
        starts.append(self)
        return run_async(self, *args, **kwargs)
    monkeypatch.setattr(Application, "run_async", counted)
    status, session, screen = run_console(tmp_path, "x = 1\r", ["1 + 1\r", "'three'\r", ".exit\r"])
    assert status == 0
    assert session.submitted == ["x = 1", "1 + 1", "'three'", ".exit"]
    assert len(starts) == 1


def test_each_accepted_line_stays_above_its_output(tmp_path):
    _, _, screen = run_console(tmp_path, "x = 1\r", ["1 + 1\r", ".exit\r"])
    order = [PROMPT + "x = 1\r\n", "ran: x = 1\n", PROMPT + "1 + 1\r\n", "ran: 1 + 1\n", PROMPT + ".exit\r\n"]
    assert [screen.index(text) for text in order] == sorted(screen.index(text) for text in order), screen
    assert (tmp_path / "console" / f"{'P' * 43}.history").exists()      # each line saved as it was run


def test_keys_typed_while_a_line_runs_go_to_the_next_prompt_and_lines_run_in_order(tmp_path):
    def type_ahead(pipe, session, console):
        session.running.wait(10)
        pipe.send_text("second\r")            # a whole line: queued behind the running one
        pipe.send_text("alpha\t")             # a line begun, ended by Tab: completed once the prompt is back
        deadline = time.monotonic() + 10
        while console.busy.typeahead != "alpha" and time.monotonic() < deadline:
            time.sleep(0.001)                 # the keys reached the busy line (not yet the next prompt)
        session.release.set()
    status, session, _ = run_console(tmp_path, "first\r", ["\x15.exit\r"], while_running=type_ahead)
    assert status == 0
    assert session.submitted == ["first", "second", ".exit"]
    assert session.prompt_texts[0] == "alphabet"


def test_ctrl_d_on_an_empty_line_leaves(tmp_path):
    status, session, screen = run_console(tmp_path, "1\r", ["\x04"])
    assert status == 0 and session.exited and session.submitted == ["1"]



def test_a_line_that_cannot_get_a_thread_is_an_error_and_the_console_goes_on(tmp_path, monkeypatch):
    from aosrepl.console import app as console_app
    real = console_app.in_daemon_thread
    calls = []

    def first_fails(loop, fn, *args):
        calls.append(args)
        if len(calls) == 1:
            raise RuntimeError("can't start new thread")
        return real(loop, fn, *args)
    monkeypatch.setattr(console_app, "in_daemon_thread", first_fails)
    status, session, screen = run_console(tmp_path, "1\r", ["2\r", ".exit\r"])
    assert status == 0 and session.submitted == ["2", ".exit"]
    assert "ERROR: RuntimeError: can't start new thread" in screen
