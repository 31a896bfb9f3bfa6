"""`python3 -m aosrepl` is the `aos` command."""
from aosrepl.cli import run

run()
