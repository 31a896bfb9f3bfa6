"""The aos console: a terminal-free session core (session.py) and its prompt_toolkit front end (app.py)."""
