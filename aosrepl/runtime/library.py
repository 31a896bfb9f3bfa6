"""The aos process library: where its Lua modules live, how `require` names map to
them, and the `.update` script that reloads them into a running process."""
from __future__ import annotations

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
_compiler = None       # (load, string.dump) of a plain Lua state that only compiles the runtime's own files


def _compiled(source: bytes, chunkname: bytes) -> tuple[bytes, bytes]:
    """(chunk, load mode): the source compiled to Lua bytecode ("b"), or, if it does not compile, the source
    itself ("t"), so that the syntax error shows where it is loaded. The debug information is kept: errors
    still name `.handlers` (or `sandbox`) and their lines."""
    global _compiler
    with _compiler_lock:       # processes boot on several threads; a Lua state is not to be shared by them
        if _compiler is None:
            runtime = lua53.LuaRuntime(encoding=None, register_eval=False, register_builtins=False)
            _compiler = runtime.eval(b"load"), runtime.eval(b"string.dump")
        load, dump = _compiler
        function = load(source, chunkname, b"t")
        if not callable(function):     # (nil, message)
            return source, b"t"
        return dump(function), b"b"


_module_chunks: dict[str, tuple[bytes, bytes, bytes]] = {}    # library modules only: a process can `require`
                                                              # any number of names that are none


def module_chunk(name: str) -> tuple[bytes, bytes, bytes] | None:
    """(chunk, chunk name, load mode) for a library module name, or None. Every process loads the whole library
    when it boots (crypto included, as aos does): parsing its 115 KB of Lua took 3.8 ms of each new process's
    6.5 ms; loading it compiled takes 0.7 ms. So each module is compiled once per program and processes load
    the bytecode: only ever bytecode made here from the runtime's own files (a process's own code can load
    text only)."""
    chunk = _module_chunks.get(name)
    if chunk is None:
        found = module_source(name)
        if found is None:
            return None
        source, chunkname = found
        compiled, mode = _compiled(source, chunkname)
        chunk = _module_chunks[name] = compiled, chunkname, mode
    return chunk


@lru_cache(maxsize=None)
def runtime_chunk(stem: str) -> tuple[bytes, bytes]:
    """(chunk, load mode) of a Lua file of the runtime itself, compiled once per program like the library
    (module_chunk), under the chunk name "=" + stem."""
    return _compiled(runtime_source(stem), b"=" + stem.encode())


def runtime_source(stem: str) -> bytes:
    """A Lua file of the runtime itself (sandbox, host glue)."""
    return _read(RUNTIME_LUA_DIR / f"{stem}.lua")


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
