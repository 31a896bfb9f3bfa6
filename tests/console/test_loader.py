"""`.load` inlining: requires resolved next to the main file, depth first, each file once."""
from pathlib import Path

import pytest

from aosrepl.bundle import required_modules
from aosrepl.console.loader import NOT_FOUND, NOT_LUA, LoadError, file_tree, load_project


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_required_modules_skips_commented_requires():
    src = 'local a = require("lib.a")\n-- local b = require("lib.b")\nlocal c = require \'c\'\nrequire"d"'
    assert required_modules(src) == ["lib.a", "c", "d"]


def test_depth_first_dependencies_before_main(tmp_path):
    write(tmp_path, "lib/helper.lua", "return { v = 2 }")
    write(tmp_path, "lib/util.lua", 'local h = require("lib.helper")\nreturn { v = h.v + 1 }')
    main = write(tmp_path, "main.lua", 'local u = require("lib.util")\nlocal j = require("json")\nreturn u.v')
    project = load_project(str(main))
    assert project.files == [tmp_path / "lib/helper.lua", tmp_path / "lib/util.lua", main]
    code = project.code
    assert code.index('-- module: "lib.helper"') < code.index('-- module: "lib.util"') < code.index("local u =")
    assert "local function _loaded_mod_lib_helper()" in code
    assert '_G.package.loaded["lib.util"] = _loaded_mod_lib_util()' in code
    assert code.endswith("return u.v")


def test_inlined_code_runs_in_lua(tmp_path):
    from lupa import lua53
    write(tmp_path, "lib/helper.lua", "return { v = 2 }")
    write(tmp_path, "lib/util.lua", 'local h = require("lib.helper")\nreturn { v = h.v + 1 }')
    main = write(tmp_path, "main.lua", 'local u = require("lib.util")\nreturn u.v * 10')
    assert lua53.LuaRuntime().execute(load_project(str(main)).code) == 30


def test_each_file_once_and_cycles_end(tmp_path):
    write(tmp_path, "a.lua", 'require("b")\nreturn 1')
    write(tmp_path, "b.lua", 'require("a")\nreturn 2')
    main = write(tmp_path, "main.lua", 'require("a")\nrequire("b")\nrequire("a")')
    project = load_project(str(main))
    assert project.files == [tmp_path / "b.lua", tmp_path / "a.lua", main]
    assert project.code.count('-- module: "a"') == 1


def test_origin_maps_lines_back_to_files(tmp_path):
    write(tmp_path, "lib.lua", "local x = 1\nlocal y = nil + 1\nreturn x")
    main = write(tmp_path, "main.lua", 'require("lib")\nprint("main line 2")')
    project = load_project(str(main))
    lines = project.code.split("\n")
    origin = project.origin()
    bad = lines.index("local y = nil + 1") + 1
    where = origin(bad)
    assert (where.file, where.number, where.text) == (str(tmp_path / "lib.lua"), 2, "local y = nil + 1")
    where = origin(lines.index('print("main line 2")') + 1)
    assert (where.file, where.number) == (str(main), 2)


def test_errors_are_aos_texts(tmp_path):
    with pytest.raises(LoadError, match=r"^ERROR: \.load function requires a \*\.lua file$"):
        load_project("main.txt")
    with pytest.raises(LoadError) as exc:
        load_project(str(tmp_path / "missing.lua"))
    assert str(exc.value) == f"ERROR: file not found: {tmp_path / 'missing.lua'}"
    assert "(200)" not in NOT_FOUND
    assert NOT_LUA == "ERROR: .load function requires a *.lua file"


def test_relative_to_cwd(tmp_path):
    write(tmp_path, "p/main.lua", "return 1")
    assert load_project("p/main.lua", cwd=str(tmp_path)).main == tmp_path / "p/main.lua"


def test_file_tree_layout():
    root = Path("/p")
    files = [root / "lib/helper.lua", root / "lib/util.lua", root / "main.lua"]
    assert file_tree(files, root / "main.lua") == (
        "/p\n├── lib\n| ├── helper.lua\n| └── util.lua\n└── main.lua  MAIN")
    assert file_tree([root / "main.lua"], root / "main.lua") == "/p/main.lua  MAIN"
    deep = [root / "a/b/c.lua", root / "main.lua"]
    assert file_tree(deep, root / "main.lua") == "/p\n├── a/b\n| └── c.lua\n└── main.lua  MAIN"
