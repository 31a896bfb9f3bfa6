"""The aos console.

Terminal-free (importable without prompt_toolkit; the transcript runner and scripted runs use only these):
    session.py           ConsoleSession: a typed line in, text out; the live feed (on_result)
    commands.py          aos's dot-commands and editor mode
    network_commands.py  our extras: .fund, .ps, .watch, .unwatch
    loader.py            .load (aosrepl.bundle inlines the requires) and the deployed-files tree
    errors.py            how an Eval error is shown
    display.py           colours (only on a terminal; --color, NO_COLOR, FORCE_COLOR), splash, help
    history.py           the per-process history file
Interactive only (prompt_toolkit):
    app.py               one Application for the whole console: the line editor, keys, the busy line in its place
    prompt_parts.py      what the line editor gets from the process: its history file, completion of Lua names
    code_style.py        the colours of typed Lua: the terminal's own 16 ANSI colours
    busy.py              the line shown while a line is handled, and its keys (Ctrl-C, typed-ahead keys)
    terminal.py          prints output above whatever prompt_toolkit shows, in order
"""
