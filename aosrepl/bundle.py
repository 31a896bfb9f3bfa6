"""Inline a Lua file and the local modules it requires into one chunk, as aos's `.load` and APM's bundler do.

Modules are looked up relative to the main file's directory (`a.b` -> `<root>/a/b.lua`), walked depth
first, dependencies before their users, each file once. Each dependency is wrapped in a local function
whose result is stored in `package.loaded`, so the main file's `require` finds it already loaded.
Requires with no local file (`json`, `.crypto` ...) are left to the process. Used by the console's `.load`
and by APM packaging (a package's main file is published bundled)."""
from __future__ import annotations

import re
from pathlib import Path

from aosrepl.records import Record

# `require`, optional blanks, optional "(", a quote, the name. A `--` before it on the line comments it out.
_REQUIRE = re.compile(r"""require\s*\(?\s*(["'])([^"'\n]+)\1""")


class BundleError(Exception):
    """A file of the bundle cannot be read; the message says which and why."""


class Segment(Record):
    __slots__ = ("first_line", "path", "lines")

    def __init__(self, first_line: int, path: Path, lines: list[str]):
        self.first_line = first_line    # line of the combined chunk where this file's text starts
        self.path, self.lines = path, lines


class Bundle(Record):
    __slots__ = ("main", "code", "files", "segments")

    def __init__(self, main: Path, code: str, files: list[Path], segments: list[Segment] | None = None):
        self.main, self.code = main, code
        self.files = files                      # dependencies first, main file last
        self.segments = [] if segments is None else segments

    def locate(self, number: int) -> tuple[Path, int, str] | None:
        """The file, line number and text a line of `code` came from."""
        for seg in self.segments:
            offset = number - seg.first_line
            if 0 <= offset < len(seg.lines):
                return seg.path, offset + 1, seg.lines[offset]
        return None


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


def read_source(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BundleError(f"ERROR: {path} is not a UTF-8 text file.") from None
    except OSError as exc:
        raise BundleError(f"ERROR: cannot read {path}: {exc.strerror or exc}") from None


def bundle(main: Path) -> Bundle:
    root = main.parent
    main_source = read_source(main)

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
            text = read_source(path)
            walk(text)
            visiting.discard(path)
            done.add(path)
            ordered.append((name, path, text))

    walk(main_source)

    parts: list[str] = []
    segments: list[Segment] = []
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
        segments.append(Segment(line, path, text.split("\n")))
        append(text + f'\nend\n\n_G.package.loaded["{name}"] = {fn}()\n')
    if parts:
        append("\n\n")
    segments.append(Segment(line, main, main_source.split("\n")))
    append(main_source)

    return Bundle(main, "".join(parts), list(emitted) + [main], segments)
