"""AO modules: on AO a process's module decides what it can `require`. Here a module id picks the native
modules (Python-backed `require` names) a process gets on top of the aos library:

    aos         our aos library only                                   AOS_MODULE_ID
    aos-sqlite  + `lsqlite3` (what `aos --sqlite` spawns)             AOS_SQLITE_MODULE_ID
    aos-llama   + `llama` and `lsqlite3` (aos-llama's build vendors lsqlite3 too)   AOS_LLAMA_MODULE_ID

Ids that public AO code names for the same kinds of module (legacynet aos releases' `aos.module`,
`aos.sqlite`, `aos.llama` ids, and the aos-llama id Llama Land's graders name) are accepted as aliases:
a process spawned with one keeps that id (it is what `ao.env.Module.Id` and `From-Module` say) and gets
that module's natives."""
from __future__ import annotations

from aosrepl import ids
from aosrepl.records import Record


class Module(Record):
    __slots__ = ("id", "name", "natives", "description")

    def __init__(self, id: str, name: str, natives: tuple[str, ...], description: str):
        self.id, self.name, self.natives, self.description = id, name, natives, description


AOS = Module(ids.AOS_MODULE_ID, "aos", (), "the aos process library")
AOS_SQLITE = Module(ids.AOS_SQLITE_MODULE_ID, "aos-sqlite", ("lsqlite3",), "aos + lsqlite3 (in-memory SQLite)")
AOS_LLAMA = Module(ids.AOS_LLAMA_MODULE_ID, "aos-llama", ("llama", "lsqlite3"),
                   "aos + llama (local LLM inference) + lsqlite3")

KNOWN = (AOS, AOS_SQLITE, AOS_LLAMA)

# Public ids of the same kinds of module (permaweb/aos package.json history; Llama Land's graders).
_ALIASES = {
    AOS: ("yTyqRSfbD6BuiDra9jDNjq8TLe7rhneDcmQ64CkmkdU", "bkjb55i07GUCUSWROtKK4HU1mBS_X0TyH3M5jMV6aPg",
          "Do_Uc2Sju_ffp6Ev0AnLVdPtot15rvMjP-a9VVaA5fM", "JArYBF-D8q2OmZ4Mok00sD2Y_6SYEQ7Hjx-6VZ_jl3g",
          "ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s"),
    AOS_SQLITE: ("Jx6FyZ99VbtT34ICVcUKONzYmX5syr2DstyCo8NGJc8", "ghSkge2sIUD_F00ym5sEimC63BDBuBrq4b5OcwxOjiw",
                 "GuzQrkf50rBUqz3uUgjOIFOL1XmW9nSNysTBC-wyiWM", "33d-3X8mpv6xYBlVB-eXMrPfH5Kzf6Hiwhcv0UA10sw",
                 "ei1VSwheQnNIG87iqlwxiQk-sWY5ikj4DFBxcpFZ-S4"),
    AOS_LLAMA: ("oamLI-KZ1Q9MxNxWwLcqXYavpwKYf1EX1BpEofb6418", "7eiZkMWDUQmY1SBIpumzYR5_XhVMbnjmA27Xbyt4QxU",
                "-izm2qwp0PrqEGzNNu6ZiGXOpj9KgZcPEbwb3PR4Vrs", "QkFLfRXw8MOeHMNoHK0tyno17wbSxCecATohFMaULKM",
                "XcWULRSWWv_bmaEyx4PEOFf4vgRSVCP9vM5AucRvI40"),
}

_BY_ID = {m.id: m for m in KNOWN}
for _module, _ids in _ALIASES.items():
    for _id in _ids:
        _BY_ID.setdefault(_id, _module)

assert all(ids.is_id(i) for i in _BY_ID)


class UnknownModule(ValueError):
    """A module id this network does not have (the message lists the ones it has)."""


def lookup(module_id: str) -> Module | None:
    return _BY_ID.get(module_id)


def known_list() -> str:
    return ", ".join(f"{m.name} ({m.id})" for m in KNOWN)


def resolve(module_id: str) -> Module:
    """The module an id stands for; UnknownModule (with the known ids) otherwise."""
    found = _BY_ID.get(module_id) if isinstance(module_id, str) else None
    if found is None:
        raise UnknownModule(f"Unknown module {module_id!r}. Modules on this network: {known_list()}.")
    return found


def natives_for(module_id: str) -> tuple[str, ...]:
    found = _BY_ID.get(module_id)
    return found.natives if found is not None else ()


def display_name(module_id: str) -> str:
    """How `.ps` and `--list` name a process's module: its kind, or the id itself when unknown."""
    found = _BY_ID.get(module_id)
    if found is None:
        return module_id
    return found.name if found.id == module_id else f"{found.name}:{module_id[:8]}"
