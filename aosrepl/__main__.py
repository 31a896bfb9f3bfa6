"""`python3 -m aosrepl` is the `aos` command."""
import sys

from aosrepl.cli import main

sys.exit(main())
