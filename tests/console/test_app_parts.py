"""Pieces of the interactive app that can be checked without a terminal: completion, history, output."""
import asyncio
import threading
from pathlib import Path

from prompt_toolkit.document import Document

from aosrepl.console.prompt_parts import ProcessCompleter, ProcessHistory
from aosrepl.console.history import history_path
from aosrepl.console.terminal import TerminalWriter
from aosrepl.network import Network


def completions(completer, text):
    return [(c.text, c.start_position) for c in completer.get_completions(Document(text), None)]


def test_completion_from_the_live_process(tmp_path):
    with Network(tmp_path / "d") as net:
        pid = net.find_or_spawn("t")
        net.eval(pid, "MyTable = { alpha = 1, alphabet = 2, beta = 3 }")
        completer = ProcessCompleter(net, pid)
        assert completions(completer, "x = MyTable.al") == [("MyTable.alpha", -10), ("MyTable.alphabet", -10)]
        assert ("Handlers", -4) in completions(completer, "Hand")
        assert completions(completer, "print('no") == []


def test_completion_survives_a_failing_network():
    class Broken:
        def complete(self, pid, prefix):
            raise RuntimeError("gone")
    assert completions(ProcessCompleter(Broken(), "p"), "Han") == []


def test_history_is_saved_per_line_and_loaded_newest_first(tmp_path):
    path = history_path(tmp_path, "PID")
    history = ProcessHistory(path)
    for line in ["a = 1", "a = 1", "", ".exit", "b = 2"]:
        history.append_string(line)
    assert list(ProcessHistory(path).load_history_strings()) == ["b = 2", "a = 1"]
    assert history.get_strings() == ["a = 1", "b = 2"]          # prompt_toolkit's order: oldest first


def test_terminal_writer_keeps_one_order_for_all_threads():
    written = []

    class Stream:
        def write(self, text):
            written.append(text)

        def flush(self):
            pass

    async def scenario():
        writer = TerminalWriter(asyncio.get_running_loop(), lambda: None, Stream())
        for i in range(5):
            thread = threading.Thread(target=writer.write, args=(f"{i}\n",))
            thread.start()
            thread.join()
        writer.write("last\n")          # the loop's own thread queues behind the others
        assert written == []             # nothing is written outside the loop's turn
        await asyncio.sleep(0)
    asyncio.run(scenario())
    assert written == ["0\n", "1\n", "2\n", "3\n", "4\n", "last\n"]


def test_terminal_writer_prints_directly_once_the_loop_is_gone():
    written = []

    class Stream:
        def write(self, text):
            written.append(text)

        def flush(self):
            pass
    loop = asyncio.new_event_loop()
    loop.close()
    TerminalWriter(loop, lambda: None, Stream()).write("bye\n")
    assert written == ["bye\n"]


def test_history_of_a_line_with_bytes_that_were_not_utf8(tmp_path):
    path = history_path(tmp_path, "PID")
    history = ProcessHistory(path)
    history.append_string("x = 'caf\udce9'")                  # raised UnicodeEncodeError in the event loop
    assert history.get_strings() == ["x = 'caf\ufffd'"]
    assert list(ProcessHistory(path).load_history_strings()) == ["x = 'caf\ufffd'"]
    assert [p.name for p in path.parent.iterdir()] == ["PID.history"]


def test_typed_code_is_coloured_with_the_terminals_own_ansi_colours():
    """Every colour the prompt can give typed Lua is one of the terminal's 16, chosen from those readable on
    dark and light themes alike (no 256-colour #0000ff for `Send`, no navy for names)."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput
    from pygments.lexers.scripting import LuaLexer
    from prompt_toolkit.styles.pygments import pygments_token_to_classname

    from aosrepl.console.app import ConsoleApp
    from aosrepl.console.code_style import READABLE_ANYWHERE

    class Session:
        pid, color, interrupt = "P" * 43, True, None

    code = ('local x = Send({ Target = "abc", Data = 12 }) -- hi\nfunction f(a) if a then return nil end end\n'
            'print(Handlers.add("x", true)) x = x .. "s" --[[ c ]] y = 0x1F + 2.5 @')
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        app = ConsoleApp(Session(), net=None, data_dir=Path("/nonexistent"))
        style = app.app._merged_style
        seen = {}
        for token, text in LuaLexer().get_tokens(code):
            attrs = style.get_attrs_for_style_str("class:" + pygments_token_to_classname(token))
            seen[str(token)] = (attrs.color, attrs.bgcolor)
    assert all(color in READABLE_ANYWHERE + ("",) and bg == "" for color, bg in seen.values()), seen
    assert seen["Token.Name.Function"] == ("", "")                       # `Send`: the terminal's own text colour
    assert {"ansimagenta", "ansigreen", "ansicyan"} <= {c for c, _ in seen.values()}
