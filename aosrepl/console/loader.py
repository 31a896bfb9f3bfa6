"""`.load FILE`: inline a Lua file and the local modules it requires into one chunk (aos-repl.md §3.4).

Modules are looked up relative to the main file's directory (`a.b` -> `<root>/a/b.lua`), walked depth
first, dependencies before their users, each file once. Each dependency is wrapped in a local function
whose result is stored in `package.loaded`, so the main file's `require` finds it already loaded."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from aosrepl.console.errors import Origin, SourceLine

NOT_LUA = "ERROR: .load function requires a *.lua file"
NOT_FOUND = "ERROR (200): file not found."

# `require`, optional blanks, optional "(", a quote, the name. A `--` before it on the line comments it out.
_REQUIRE = re.compile(r"""require\s*\(?\s*(["'])([^"'\n]+)\1""")


class LoadError(Exception):
    """A `.load` that cannot go ahead; the message is aos's user-visible text."""


@dataclass
class _Segment:
    first_line: int      # line of the combined chunk where this file's text starts
    path: Path
    lines: list[str]


@dataclass
class LoadedProject:
    main: Path
    code: str
    files: list[Path]                                  # dependencies first, main file last
    segments: list[_Segment] = field(default_factory=list)

    def origin(self) -> Origin:
        """Maps a line of `code` back to the file and line it came from."""
        def find(number: int) -> SourceLine | None:
            for seg in self.segments:
                offset = number - seg.first_line
                if 0 <= offset < len(seg.lines):
                    return SourceLine(offset + 1, seg.lines[offset], str(seg.path))
            return None
        return find


def required_modules(source: str) -> list[str]:
    """Module names a Lua source requires, in order, skipping requires behind a `--` comment."""
    names = []
    for line in source.split("\n"):
        for match in _REQUIRE.finditer(line):
            if "--" in line[:match.start()]:
                break
            names.append(match.group(2))
    return names


def module_path(root: Path, name: str) -> Path:
    return root.joinpath(*name.split(".")).with_suffix(".lua") if name else root


def _function_name(module: str) -> str:
    ident = re.sub(r"[.\-]", "_", module)
    return "_loaded_mod_" + (ident[1:] if ident.startswith("_") else ident)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise LoadError(f"ERROR: {path} is not a UTF-8 text file.") from None
    except OSError as exc:
        raise LoadError(f"ERROR: cannot read {path}: {exc.strerror or exc}") from None


def resolve_main(argument: str | None, cwd: str | None = None) -> Path:
    if not argument or not argument.endswith(".lua"):
        raise LoadError(NOT_LUA)
    path = Path(os.path.expanduser(argument))
    if not path.is_absolute():
        path = Path(cwd or os.getcwd()) / path
    path = Path(os.path.normpath(path))
    if not path.is_file():
        raise LoadError(NOT_FOUND)
    return path


def load_project(argument: str | None, cwd: str | None = None) -> LoadedProject:
    main = resolve_main(argument, cwd)
    root = main.parent
    main_source = _read(main)

    ordered: list[tuple[str, Path, str | None]] = []   # (module name, file, source or None if a repeat)
    seen_names: set[str] = set()
    done: set[Path] = set()
    visiting: set[Path] = set()      # files on the current require path (cycles stop here)

    def walk(source: str):
        for name in required_modules(source):
            path = module_path(root, name)
            if name in seen_names or not path.is_file() or path == main or path in visiting:
                continue            # not local (json, .crypto ...), already handled, or a cycle
            seen_names.add(name)
            if path in done:
                ordered.append((name, path, None))
                continue
            visiting.add(path)
            text = _read(path)
            walk(text)
            visiting.discard(path)
            done.add(path)
            ordered.append((name, path, text))

    walk(main_source)

    parts: list[str] = []
    segments: list[_Segment] = []
    line = 1                        # line number where the next appended text starts
    emitted: dict[Path, str] = {}   # file -> the function that loads it

    def append(text: str):
        nonlocal line
        parts.append(text)
        line += text.count("\n")

    for name, path, text in ordered:
        append("\n\n")
        if text is None:
            append(f'_G.package.loaded["{name}"] = {emitted[path]}()\n')
            continue
        fn = _function_name(name)
        emitted[path] = fn
        append(f'-- module: "{name}"\nlocal function {fn}()\n')
        segments.append(_Segment(line, path, text.split("\n")))
        append(text + f'\nend\n\n_G.package.loaded["{name}"] = {fn}()\n')
    if parts:
        append("\n\n")
    segments.append(_Segment(line, main, main_source.split("\n")))
    append(main_source)

    files = list(emitted) + [main]
    return LoadedProject(main, "".join(parts), files, segments)


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
