"""The service processes genesis boots on every local network: wAR, the APM registry, the Llama herder
and its workers. Each is a Lua process running our aos library plus the Lua file named here."""
from __future__ import annotations

from pathlib import Path

from aosrepl import ids
from aosrepl.records import Record

HERE = Path(__file__).resolve().parent       # resolved: installs import it through src/aosrepl
REPO_ROOT = HERE.parent.parent
PACKAGES_DIR = REPO_ROOT / "packages"
BLUEPRINTS_DIR = REPO_ROOT / "blueprints"

# Owner of every service process: the network's own wallet (never the user's).
SERVICE_OWNER = ids.derived("aosrepl", "service-wallet")
# Publisher of the packages the local APM registry starts with.
PACKAGE_PUBLISHER = ids.derived("aosrepl", "package-publisher")


class ServiceSpec(Record):
    __slots__ = ("id", "name", "lua_file", "tags", "ephemeral", "natives", "module")

    def __init__(self, id: str, name: str, lua_file: Path, tags: tuple[tuple[str, str], ...] = (),
                 ephemeral: bool = False, natives: tuple[str, ...] = (), module: str = ids.AOS_MODULE_ID):
        self.id, self.name, self.lua_file, self.tags = id, name, lua_file, tags
        self.ephemeral = ephemeral      # re-spawned fresh at every start instead of replayed (workers)
        self.natives = natives          # native modules the process may require besides its module's
        self.module = module            # the AO module it runs (aosrepl/modules.py)


def worker_id(index: int) -> str:
    return ids.derived("aosrepl", "llama-worker", str(index))


APM_REGISTRIES = (ids.APM_REGISTRY, ids.APM_REGISTRY_V2, ids.APM_REGISTRY_V3)


def core_services() -> list[ServiceSpec]:
    return [
        ServiceSpec(ids.WAR_TOKEN, "Wrapped AR", HERE / "war_token.lua"),
        ServiceSpec(ids.APM_REGISTRY, "APM Registry", HERE / "apm_registry.lua"),
        # where later aos versions' `apm` clients look for the registry: the same registry program
        ServiceSpec(ids.APM_REGISTRY_V2, "APM Registry (v2, Sep 2024)", HERE / "apm_registry.lua"),
        ServiceSpec(ids.APM_REGISTRY_V3, "APM Registry (Aug 2025)", HERE / "apm_registry.lua"),
        ServiceSpec(ids.LLAMA_HERDER, "Llama-Herder", HERE / "herder.lua"),
    ]


def worker_services(count: int) -> list[ServiceSpec]:
    return [
        ServiceSpec(worker_id(i), f"Llama-Worker-{i + 1}", HERE / "worker.lua",
                    ephemeral=True, natives=("llama",), module=ids.AOS_LLAMA_MODULE_ID)
        for i in range(count)
    ]
