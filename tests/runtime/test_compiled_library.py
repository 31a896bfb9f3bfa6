"""The process library and the runtime's own Lua are compiled once per program and loaded as bytecode into
each new process (runtime/library.py): the same code, the same error text, and still no bytecode for a
process's own code."""
from aosrepl.runtime import library
from aosrepl.runtime.testing import eval_in, spawn_process


def test_library_modules_and_runtime_files_are_loaded_compiled():
    chunk, name, mode = library.module_chunk(".handlers")
    assert (name, mode) == (b".handlers", b"b") and chunk.startswith(b"\x1bLua")
    assert library.module_chunk(".crypto.digest.sha3")[2] == b"b"
    assert library.module_chunk(".no-such-module") is None
    chunk, mode = library.runtime_chunk("sandbox")
    assert mode == b"b" and chunk.startswith(b"\x1bLua")


def test_errors_in_compiled_modules_name_the_module_and_line():
    proc, env = spawn_process()
    data = eval_in(proc, env, 'local ok, e = pcall(require("json").decode, "{") return e')["Output"]["data"]
    assert data.startswith('[string "json"]:') and "expected string for key" in data
    data = eval_in(proc, env, 'local ok, e = pcall(Handlers.utils.hasMatchingTag) return e')["Output"]["data"]
    assert data.startswith('[string ".handlers-utils"]:')
    trace = eval_in(proc, env, "return debug.traceback()")["Output"]["data"]
    assert '[string ".eval"]:' in trace


def test_a_process_still_cannot_load_bytecode_not_even_the_librarys():
    proc, env = spawn_process()
    chunk = library.module_chunk(".utils")[0]
    escaped = "".join(f"\\{byte}" for byte in chunk[:64])
    result = eval_in(proc, env, f'local f, e = load("{escaped}", "x", "b") return tostring(f) .. " " .. tostring(e)')
    assert result["Output"]["data"].startswith("nil "), result


def test_a_module_that_does_not_compile_is_given_as_text_so_its_error_shows_where_it_is_loaded():
    assert library._compiled(b"return (", b".broken") == (b"return (", b"t")


def test_requiring_names_that_are_no_module_keeps_nothing():
    """Only library modules are kept compiled: a process that requires endless made-up names must not grow
    the host's memory."""
    proc, env = spawn_process()
    before = len(library._module_chunks)
    result = eval_in(proc, env, 'for i = 1, 2000 do pcall(require, ".nothing" .. i) end return "done"')
    assert result["Output"]["data"] == "done"
    assert len(library._module_chunks) == before


def test_compile_all_compiles_everything_a_process_boots_with_in_one_call(monkeypatch):
    """The network compiles the library on a thread while it starts (compile_in_background): in one call into
    Lua, which reads the files itself, so the thread needs Python's lock only twice. A process booted afterwards
    compiles nothing, and gets the same bytecode it would have compiled itself."""
    single = library.module_chunk(".handlers")[0]
    monkeypatch.setattr(library, "_module_chunks", {})
    monkeypatch.setattr(library, "_runtime_chunks", {})
    calls = []
    original = library._compiler_call

    def counted(function, items):
        calls.append((function, len(items)))
        return original(function, items)

    monkeypatch.setattr(library, "_compiler_call", counted)
    library.compile_all()
    assert calls == [("files", len(library.library_files()))]
    assert library.module_chunk(".handlers")[0] == single
    calls.clear()
    proc, env = spawn_process()
    assert eval_in(proc, env, "1 + 1")["Output"]["data"] == "2"
    assert calls == []


def test_compile_all_leaves_a_file_it_cannot_compile_to_be_reported_where_it_is_loaded(tmp_path, monkeypatch):
    broken = tmp_path / "broken.lua"
    broken.write_text("return (")
    monkeypatch.setattr(library, "_module_chunks", {})
    monkeypatch.setattr(library, "_runtime_chunks", {})
    library.compile_all([("module", ".handlers", str(library.LIBRARY_DIR / "handlers.lua"), b".handlers"),
                         ("module", ".broken", str(broken), b".broken"),
                         ("runtime", "gone", str(tmp_path / "gone.lua"), b"=gone")])
    assert set(library._module_chunks) == {".handlers"} and library._runtime_chunks == {}
