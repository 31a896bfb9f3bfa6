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
    app.py               the prompt: highlighting, completion, keys, history, the loop
    code_style.py        the colours of typed Lua: the terminal's own 16 ANSI colours
    busy.py              the spinner screen while a line is handled (Ctrl-C, typed-ahead keys)
    terminal.py          prints output above whatever prompt_toolkit shows, in order
"""
