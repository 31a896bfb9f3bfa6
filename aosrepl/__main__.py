"""`python3 -m aosrepl` is the `aos` command."""
from aosrepl.command import run

run()
