"""Error display (aos-repl.md §3.5)."""
from aosrepl.console.display import strip_ansi
from aosrepl.console.errors import FOOTER, SourceLine, format_error, parse_error, typed_origin


def test_compile_error_shows_message_gutter_and_footer():
    text = strip_ansi(format_error('[string "aos"]:1: unexpected symbol near <eof>', typed_origin("x = ")))
    assert text == f"\nunexpected symbol near <eof>\n   |\n 1 | x = \n   |\n{FOOTER}\n"


def test_runtime_error_keeps_prints_and_uses_the_eval_chunk_line():
    raw = 'hi\n\n\x1b[31merror:\n\x1b[0m[string ".handlers"]:723: [string "aos"]:3: attempt to index a nil value'
    parsed = parse_error(raw)
    assert (parsed.prints, parsed.message, parsed.line) == ("hi", "attempt to index a nil value", 3)
    text = strip_ansi(format_error(raw, typed_origin("print('hi')\nlocal t = nil\nreturn t.x")))
    assert text.splitlines() == ["hi", "", "attempt to index a nil value", "   |", " 3 | return t.x", "   |", FOOTER]


def test_message_is_bold_and_gutter_blue():
    text = format_error('[string "aos"]:12: boom', lambda n: SourceLine(n, "error('boom')", "/p/main.lua"))
    assert "\x1b[1mboom\x1b[0m" in text
    assert "\x1b[34m 12 | \x1b[0merror('boom')" in text
    assert strip_ansi(text).splitlines()[2] == "  in /p/main.lua"


def test_unlocated_error_is_printed_raw_in_red():
    assert format_error("out of memory", typed_origin("x")) == "\x1b[31mout of memory\x1b[0m\n"


def test_error_outside_the_submitted_chunk_has_no_gutter():
    text = strip_ansi(format_error('[string ".handlers"]:9: bad handler', typed_origin("x")))
    assert text == f"\nbad handler\n{FOOTER}\n"
