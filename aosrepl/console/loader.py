"""`.load FILE`: inline a Lua file and the local modules it requires into one chunk (aos-repl.md §3.4),
with aos's two errors and the deployed-files tree. The inlining itself is `aosrepl.bundle`."""
from __future__ import annotations

import os
from pathlib import Path

from aosrepl.bundle import Bundle, BundleError, bundle
from aosrepl.console.errors import Origin, SourceLine
from aosrepl.records import Record

NOT_LUA = "ERROR: .load function requires a *.lua file"
NOT_FOUND = "ERROR: file not found: {path}"     # aos says `ERROR (200): file not found.`, with no path


class LoadError(Exception):
    """A `.load` that cannot go ahead; the message is aos's user-visible text."""


class LoadedProject(Record):
    __slots__ = ("bundle",)

    def __init__(self, bundle: Bundle):
        self.bundle = bundle

    @property
    def main(self) -> Path:
        return self.bundle.main

    @property
    def code(self) -> str:
        return self.bundle.code

    @property
    def files(self) -> list[Path]:
        return self.bundle.files

    def origin(self) -> Origin:
        """Maps a line of `code` back to the file and line it came from."""
        def find(number: int) -> SourceLine | None:
            found = self.bundle.locate(number)
            return SourceLine(found[1], found[2], str(found[0])) if found else None
        return find


def resolve_main(argument: str | None, cwd: str | None = None) -> Path:
    if not argument or not argument.endswith(".lua"):
        raise LoadError(NOT_LUA)
    path = Path(os.path.expanduser(argument))
    if not path.is_absolute():
        path = Path(cwd or os.getcwd()) / path
    path = Path(os.path.normpath(path))
    try:
        found = path.is_file()
    except OSError as exc:       # e.g. a name longer than the file system allows
        raise LoadError(f"ERROR: cannot load {argument}: {exc.strerror or exc}") from None
    if not found:
        raise LoadError(NOT_FOUND.format(path=path))
    return path


def load_project(argument: str | None, cwd: str | None = None) -> LoadedProject:
    try:
        return LoadedProject(bundle(resolve_main(argument, cwd)))
    except BundleError as exc:
        raise LoadError(str(exc)) from None


def file_tree(files: list[Path], main: Path) -> str:
    """The deployed-files tree: the common directory, then its entries; single-child folders collapse."""
    if len(files) == 1:
        return f"{files[0]}  MAIN"
    root = Path(os.path.commonpath([str(f) for f in files]))
    tree: dict = {}
    for f in files:
        node = tree
        for part in f.relative_to(root).parts:
            node = node.setdefault(part, {})

    def collapse(name: str, node: dict) -> tuple[str, dict]:
        while len(node) == 1 and next(iter(node.values())):
            child, node = next(iter(node.items()))
            name = f"{name}/{child}"
        return name, node

    lines = [str(root)]

    def render(node: dict, prefix: str, base: Path):
        names = sorted(node)
        for i, name in enumerate(names):
            last = i == len(names) - 1
            label, sub = collapse(name, node[name])
            path = base / label
            mark = "  MAIN" if path == main else ""
            lines.append(prefix + ("└── " if last else "├── ") + label + mark)
            if sub:
                render(sub, prefix + ("  " if last else "| "), path)

    render(tree, "", root)
    return "\n".join(lines)
