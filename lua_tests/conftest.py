"""Collects lua_tests/test_*.lua: every `test("name", function() ... end)` call is one
pytest item, run in a fresh booted process state (library loaded, spawn handled)."""
from __future__ import annotations

from pathlib import Path

import pytest

from aosrepl.runtime.testing import WALLET, spawn_process

HARNESS = Path(__file__).with_name("harness.lua")
ROOT = Path(__file__).resolve().parent.parent


class LuaTestFailure(Exception):
    pass


def _load(path: Path):
    """A fresh process with the harness and the test file loaded: (harness, names, lines)."""
    p, env = spawn_process(name="lua-tests")
    lua_env = p._env_table(env)
    harness = p._load_trusted(HARNESS.read_bytes(), b"@lua_tests/harness.lua")(
        lua_env, p.process_id.encode(), WALLET.encode())
    chunkname = ("@" + str(path.resolve().relative_to(ROOT))).encode()
    names, lines = harness.load(path.read_bytes(), chunkname)
    names = [names[i + 1].decode() for i in range(len(names))]
    lines = [lines[i + 1] for i in range(len(lines))]
    return p, harness, names, lines


def pytest_collect_file(parent, file_path):
    if file_path.suffix == ".lua" and file_path.name.startswith("test_"):
        return LuaFile.from_parent(parent, path=file_path)


class LuaFile(pytest.File):
    def collect(self):
        _, _, names, lines = _load(self.path)
        for name, line in zip(names, lines):
            yield LuaItem.from_parent(self, name=name, line=line)


class LuaItem(pytest.Item):
    def __init__(self, *, line: int, **kwargs):
        super().__init__(**kwargs)
        self.line = line

    def runtest(self):
        p, harness, _, _ = _load(self.path)
        ok, err = harness.run(self.name.encode())
        if not ok:
            text = err.decode("utf-8", "replace") if isinstance(err, bytes) else str(err)
            raise LuaTestFailure(text)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, LuaTestFailure):
            return f"{self.path.name}:{self.line}: {self.name}\n{excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, self.line - 1, f"lua test: {self.name}"
