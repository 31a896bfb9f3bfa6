"""The `aos` command's entry point (pyproject's [project.scripts], and `python -m aosrepl`): cli.run, with
Python's garbage collector off while the program imports.

The objects every import makes (modules, classes, functions: tens of thousands) live as long as the program, so
collections during the imports find nothing to free; they took about 5 ms of each `aos NAME --run` here. Once
everything is imported, those objects are moved out of the collector's way for good (gc.freeze: later
collections, and the copy a dry-run forks, no longer touch them) and collection is on again for the run.
Only the command does this: importing aosrepl (tests, other programs) leaves the collector alone.
"""
import gc

gc.disable()

from aosrepl import cli  # noqa: E402  (imported with the collector off: the point of this module)


def run() -> None:
    gc.freeze()
    gc.enable()
    cli.run()
