"""The aos process library: where its Lua modules live, how `require` names map to
them, and the `.update` script that reloads them into a running process."""
from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path

from lupa import lua53

LIBRARY_DIR = Path(__file__).resolve().parent.parent / "lua"
RUNTIME_LUA_DIR = Path(__file__).resolve().parent / "lua"

# The version every library file carries; a new process is stamped with its module's version.
LIBRARY_VERSION = "2.0.0.rc2"

# require name -> (file stem, chunk name). aos loads its modules with the chunk name
# equal to the require name, so errors read `[string ".handlers"]:12: ...`.
_MODULE_FILES = {
    ".process": "process", ".ao": "ao", ".handlers": "handlers",
    ".handlers-utils": "handlers-utils", ".utils": "utils", ".stringify": "stringify",
    ".eval": "eval", ".default": "default", ".boot": "boot", ".assignment": "assignment",
    ".dump": "dump", ".chance": "chance", ".base64": "base64", ".decimal": "decimal",
    ".token-notices": "token-notices", ".bint": "bint", ".pretty": "pretty", "bit32": "bit32",
    "json": "json",
}

# `.crypto` and its parts live under lua/crypto/, named as aos names them:
# `.crypto.digest.sha3` is crypto/digest/sha3.lua, `.crypto` itself crypto/init.lua.
_CRYPTO_PREFIX = ".crypto"

# What `.update` re-evaluates, in dependency order (state-free helpers such as the
# PRNG are left alone so the random sequence is not reset).
_UPDATE_ORDER = [
    ".stringify", ".utils", ".ao", ".assignment", ".handlers-utils", ".handlers",
    ".eval", ".default", ".boot", ".dump", ".process",
]


@lru_cache(maxsize=None)
def _read(path: Path) -> bytes:
    return path.read_bytes()


def _crypto_file(name: str) -> Path | None:
    rest = name[len(_CRYPTO_PREFIX):]
    if rest and not rest.startswith("."):
        return None
    parts = [p for p in rest.split(".") if p]
    if not all(p.replace("_", "").replace("-", "").isalnum() for p in parts):
        return None
    base = LIBRARY_DIR.joinpath("crypto", *parts)
    for candidate in (base.with_name(base.name + ".lua") if parts else None, base / "init.lua"):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def module_source(name: str) -> tuple[bytes, bytes] | None:
    """(source, chunk name) for a library module name, or None."""
    stem = _MODULE_FILES.get(name)
    if stem is not None:
        return _read(LIBRARY_DIR / f"{stem}.lua"), name.encode()
    if name.startswith(_CRYPTO_PREFIX):
        path = _crypto_file(name)
        if path is not None:
            return _read(path), name.encode()
    return None


_compiler_lock = threading.Lock()
_compiler = None       # (runtime, its functions): a plain Lua state that only compiles the runtime's own files
_module_chunks: dict[str, tuple[bytes, bytes, bytes]] = {}    # library modules only: a process can `require`
                                                              # any number of names that are none
_runtime_chunks: dict[str, tuple[bytes, bytes]] = {}

# The compiler's Lua: `sources` compiles a list of {source, chunk name}, `files` a list of {path, chunk name}
# (reading each file itself); each gives {bytecode or false (unreadable, or a syntax error)} in the same order.
# Whole lists in one call: Lua runs without Python's lock only inside a call, and between calls (or file reads
# in Python) a thread needs that lock back, which a start-up busy in Python hands over only every few ms.
_COMPILER_LUA = b"""
local load, dump, open, ipairs = load, string.dump, io.open, ipairs
local function compiled(source, name)
  local fn = source and load(source, name, "t")
  return fn and dump(fn) or false
end
local function read(path)
  local file = open(path, "rb")
  if not file then return nil end
  local text = file:read("a")
  file:close()
  return text
end
return {
  sources = function(items)
    local out = {}
    for i, item in ipairs(items) do out[i] = compiled(item[1], item[2]) end
    return out
  end,
  files = function(items)
    local out = {}
    for i, item in ipairs(items) do out[i] = compiled(read(item[1]), item[2]) end
    return out
  end,
}
"""


def _compiler_call(function: str, items: list[tuple[bytes, bytes]]) -> list:
    """Run the compiler's `function` on `items`: [bytecode or False]. Caller holds _compiler_lock (processes
    boot on several threads; a Lua state is not to be shared by them)."""
    global _compiler
    if _compiler is None:
        runtime = lua53.LuaRuntime(encoding=None, register_eval=False, register_builtins=False)
        _compiler = runtime, runtime.execute(_COMPILER_LUA)
    runtime, functions = _compiler
    out = functions[function.encode()](runtime.table_from([runtime.table_from(item) for item in items]))
    return [out[i] for i in range(1, len(items) + 1)]


def _compiled(source: bytes, chunkname: bytes) -> tuple[bytes, bytes]:
    """(chunk, load mode): the source compiled to Lua bytecode ("b"), or, if it does not compile, the source
    itself ("t"), so that the syntax error shows where it is loaded. The debug information is kept: errors
    still name `.handlers` (or `sandbox`) and their lines. Caller holds _compiler_lock."""
    chunk = _compiler_call("sources", [(source, chunkname)])[0]
    return (chunk, b"b") if chunk else (source, b"t")


def module_chunk(name: str) -> tuple[bytes, bytes, bytes] | None:
    """(chunk, chunk name, load mode) for a library module name, or None. Every process loads the whole library
    when it boots (crypto included, as aos does): parsing its 115 KB of Lua took 3.8 ms of each new process's
    6.5 ms; loading it compiled takes 0.7 ms. So each module is compiled once per program and processes load
    the bytecode: only ever bytecode made here from the runtime's own files (a process's own code can load
    text only)."""
    chunk = _module_chunks.get(name)
    if chunk is not None:
        return chunk
    found = module_source(name)
    if found is None:
        return None
    with _compiler_lock:     # checked again: another thread (compile_all) may have compiled it meanwhile
        chunk = _module_chunks.get(name)
        if chunk is None:
            source, chunkname = found
            compiled, mode = _compiled(source, chunkname)
            chunk = _module_chunks[name] = compiled, chunkname, mode
    return chunk


def runtime_chunk(stem: str) -> tuple[bytes, bytes]:
    """(chunk, load mode) of a Lua file of the runtime itself, compiled once per program like the library
    (module_chunk), under the chunk name "=" + stem."""
    chunk = _runtime_chunks.get(stem)
    if chunk is None:
        with _compiler_lock:
            chunk = _runtime_chunks.get(stem)
            if chunk is None:
                chunk = _runtime_chunks[stem] = _compiled(runtime_source(stem), b"=" + stem.encode())
    return chunk


def runtime_source(stem: str) -> bytes:
    """A Lua file of the runtime itself (sandbox, host glue)."""
    return _read(RUNTIME_LUA_DIR / f"{stem}.lua")


def library_files() -> list[tuple[str, str, str, bytes]]:
    """Every Lua file of the library and the runtime: (kind "module" or "runtime", its name, path, chunk name).
    (os.walk, not Path.rglob: this runs on the way to the first answer, and rglob took 1-1.5 ms of it.)"""
    files = [("module", name, os.path.join(LIBRARY_DIR, f"{stem}.lua"), name.encode())
             for name, stem in _MODULE_FILES.items()]
    crypto = os.path.join(LIBRARY_DIR, "crypto")
    for folder, _, names in os.walk(crypto):
        parts = os.path.relpath(folder, crypto).split(os.sep)
        for file_name in names:
            if file_name.endswith(".lua"):
                name = ".".join([_CRYPTO_PREFIX] + [p for p in parts if p != "."] + [file_name[:-4]])
                files.append(("module", name, os.path.join(folder, file_name), name.encode()))
    files += [("runtime", file_name[:-4], os.path.join(RUNTIME_LUA_DIR, file_name), b"=" + file_name[:-4].encode())
              for file_name in os.listdir(RUNTIME_LUA_DIR) if file_name.endswith(".lua")]
    return files


def compile_all(files=None) -> None:
    """Compile every library module and runtime file now (`files`: from library_files()), in one call into Lua
    that reads them too. A file that cannot be read or compiled is left to module_chunk, which reports it where
    it is loaded."""
    files = library_files() if files is None else files
    with _compiler_lock:
        wanted = [f for f in files if f[1] not in (_module_chunks if f[0] == "module" else _runtime_chunks)]
        chunks = _compiler_call("files", [(os.fsencode(path), chunkname) for _, _, path, chunkname in wanted])
        for (kind, name, _, chunkname), chunk in zip(wanted, chunks):
            if chunk and kind == "module":
                _module_chunks[name] = chunk, chunkname, b"b"
            elif chunk:
                _runtime_chunks[name] = chunk, b"b"


_background_compile: threading.Thread | None = None
_background_lock = threading.Lock()    # not _compiler_lock: a second call must not wait for the compiling


def compile_in_background() -> None:
    """compile_all on a thread of its own, once per program. The first process of a program otherwise compiles
    the library as it boots (5-10 ms here, on the way to the first answer); the network starts this thread
    first thing, and the Lua compiles beside the start-up's Python. The file list is made here: the thread's
    only Python is its one call into Lua and filling the caches."""
    global _background_compile
    with _background_lock:
        if _background_compile is not None:
            return
        _background_compile = threading.Thread(target=_compile_quietly, args=(library_files(),),
                                               name="aosrepl-compile", daemon=True)
    _background_compile.start()


def _compile_quietly(files) -> None:
    try:
        compile_all(files)
    except Exception:   # a file it cannot compile is reported by the process that loads it
        pass


def update_script() -> str:
    """The Lua the console's `.update` evaluates: reload every library module into
    `package.loaded` (globals, Inbox and Handlers are kept) and report the version."""
    parts = ["-- aos .update: reload the process library"]
    for name in _UPDATE_ORDER:
        fn = "_loaded_mod_" + name.lstrip(".").replace("-", "_")
        body = module_source(name)[0].decode()
        parts.append(f"local function {fn}()\n{body}\nend\n"
                     f'_G.package.loaded["{name}"] = {fn}()')
    parts.append('_G.package.loaded["ao"] = _G.package.loaded[".ao"]')
    parts.append('return "Updated AOS to version " .. require(".process")._version')
    return "\n".join(parts) + "\n"
