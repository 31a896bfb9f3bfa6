"""APM packages on disk -> APM.Publish messages to the local registry.

A package is a folder holding `apm.json` (vendor, name, version, description, main, dependencies,
repository, readme, authors) and its Lua files. Genesis publishes every package under `packages/`
(`discover`, then `publish` each one whose message is not logged yet); `aos --publish DIR` publishes one
folder (`publish_folder`).
The publish message's Data is the v1 registry's JSON (see aosrepl/services/apm_registry.lua).
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from aosrepl import ids
from aosrepl.bundle import BundleError, bundle
from aosrepl import services
from aosrepl.records import Record

MANIFEST = "apm.json"
NAME_RE = re.compile(r"^[A-Za-z0-9_-]+$")
VENDOR_RE = re.compile(r"^@[a-z0-9-]+$")
VERSION_RE = re.compile(r"^\d+\.\d+\.\d+$")
DEPENDENCY_RE = re.compile(r"^(@[a-z0-9-]+/)?[A-Za-z0-9_-]+$")
LLAMA_HERDER = ("@sam/Llama-Herder", "1.0.3")   # its publish message has the article's id


class PackageError(ValueError):
    """A package folder that cannot be published; the message says what to fix."""


class Package(Record):
    __slots__ = ("folder", "vendor", "name", "version", "description", "main", "dependencies", "repository",
                 "readme", "authors", "items")

    def __init__(self, folder: Path, vendor: str, name: str, version: str, description: str, main: str,
                 dependencies: tuple[tuple[str, str], ...], repository: str, readme: str, authors: tuple,
                 items: tuple[tuple[str, str], ...]):
        self.folder, self.vendor, self.name, self.version = folder, vendor, name, version
        self.description, self.main = description, main
        self.dependencies = dependencies    # ("@vendor/name", "x.y.z" or "" for the latest)
        self.repository, self.readme, self.authors = repository, readme, authors
        self.items = items                  # (path relative to the folder, Lua source), sorted by path

    @property
    def full_name(self) -> str:
        return f"{self.vendor}/{self.name}"

    def publish_data(self) -> dict:
        return {
            "Name": self.name,
            "Vendor": self.vendor,
            "Version": self.version,
            "PackageData": {
                "Main": self.main,
                "Items": [{"meta": {"name": path}, "data": source} for path, source in self.items],
                "Readme": self.readme,
                "Description": self.description,
                "Dependencies": {name: version for name, version in self.dependencies},
                "RepositoryUrl": self.repository,
                "Authors": list(self.authors),
            },
        }


def _text_field(manifest: dict, key: str, where: Path, default: str = "") -> str:
    value = manifest.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise PackageError(f"{where}: '{key}' must be a string")
    return value


def _dependencies(raw, where: Path) -> tuple[tuple[str, str], ...]:
    """{"@v/n": "x.y.z" | {"version": "x.y.z"}} or ["@v/n", ...] -> sorted (name, version) pairs."""
    if raw is None:
        return ()
    if isinstance(raw, list):
        raw = {name: "" for name in raw}
    if not isinstance(raw, dict):
        raise PackageError(f"{where}: 'dependencies' must be an object {{\"@vendor/name\": \"x.y.z\"}}")
    out = []
    for name, version in raw.items():
        if isinstance(version, dict):
            version = version.get("version", "")
        version = version or ""
        if not isinstance(name, str) or not DEPENDENCY_RE.match(name):
            raise PackageError(f"{where}: bad dependency name {name!r} (expected @vendor/name)")
        if not isinstance(version, str) or (version and not VERSION_RE.match(version) and not ids.is_id(version)):
            raise PackageError(f"{where}: bad version {version!r} for dependency {name} (expected x.y.z)")
        out.append((name if name.startswith("@") else "@apm/" + name, version))
    return tuple(sorted(out))


def load_package(folder: str | Path) -> Package:
    """Read and validate a package folder. Raises PackageError with a clear message."""
    folder = Path(folder)
    manifest_path = folder / MANIFEST
    if not folder.is_dir():
        raise PackageError(f"{folder}: not a directory")
    if not manifest_path.is_file():
        raise PackageError(f"{folder}: no {MANIFEST} manifest")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PackageError(f"{manifest_path}: not valid JSON ({exc})") from None
    if not isinstance(manifest, dict):
        raise PackageError(f"{manifest_path}: must hold a JSON object")

    vendor = _text_field(manifest, "vendor", manifest_path, "@apm") or "@apm"
    name = _text_field(manifest, "name", manifest_path)
    version = _text_field(manifest, "version", manifest_path)
    main = _text_field(manifest, "main", manifest_path, "main.lua") or "main.lua"
    if not VENDOR_RE.match(vendor):
        raise PackageError(f"{manifest_path}: bad vendor {vendor!r} (expected @ then a-z, 0-9 or -)")
    if not NAME_RE.match(name):
        raise PackageError(f"{manifest_path}: bad name {name!r} (letters, digits, - and _ only)")
    if not VERSION_RE.match(version):
        raise PackageError(f"{manifest_path}: bad version {version!r} (expected x.y.z)")

    if not (folder / main).is_file():
        raise PackageError(f"{manifest_path}: main file {main!r} not found in {folder}")
    try:
        # The main file is published bundled with the local modules it requires (as APM's bundler does):
        # the client loads only the main item.
        bundled_main = bundle(folder / main).code
        items = tuple(sorted(
            (rel, bundled_main if rel == main else path.read_text(encoding="utf-8"))
            for path in folder.rglob("*.lua") if path.is_file()
            for rel in [path.relative_to(folder).as_posix()]
        ))
    except (BundleError, OSError, UnicodeDecodeError) as exc:
        raise PackageError(f"{folder}: {exc}") from None

    readme_name = _text_field(manifest, "readme", manifest_path)
    readme = ""
    if readme_name:
        readme_path = folder / readme_name
        if not readme_path.is_file():
            raise PackageError(f"{manifest_path}: readme file {readme_name!r} not found")
        readme = readme_path.read_text(encoding="utf-8")
    authors = manifest.get("authors") or []
    if not isinstance(authors, list):
        raise PackageError(f"{manifest_path}: 'authors' must be a list")

    return Package(
        folder=folder, vendor=vendor, name=name, version=version,
        description=_text_field(manifest, "description", manifest_path),
        main=main, dependencies=_dependencies(manifest.get("dependencies"), manifest_path),
        repository=_text_field(manifest, "repository", manifest_path),
        readme=readme, authors=tuple(authors), items=items,
    )


def discover(root: str | Path = services.PACKAGES_DIR) -> list[Package]:
    """Every package under `root`, dependencies before the packages that need them (then by name)."""
    found = sorted((load_package(m.parent) for m in Path(root).rglob(MANIFEST)),
                   key=lambda p: (p.full_name, [int(x) for x in p.version.split(".")]))
    by_name: dict[str, list[Package]] = {}
    for package in found:
        by_name.setdefault(package.full_name, []).append(package)
    ordered: list[Package] = []
    done: set[int] = set()
    visiting: set[int] = set()

    def visit(package: Package):
        key = id(package)
        if key in done:
            return
        if key in visiting:
            raise PackageError(f"dependency cycle through {package.full_name}")
        visiting.add(key)
        for dep_name, _version in package.dependencies:
            for dep in by_name.get(dep_name, []):   # every version of it, oldest first
                visit(dep)
        visiting.discard(key)
        done.add(key)
        ordered.append(package)

    for package in found:
        visit(package)
    return ordered


def publish_message_id(package: Package, registry: str = ids.APM_REGISTRY) -> str:
    """The stable id genesis gives a bundled package's publish message (to `registry`)."""
    return publish_id(package.full_name, package.version, registry)


def publish_id(full_name: str, version: str, registry: str = ids.APM_REGISTRY) -> str:
    """publish_message_id from a package's name and version alone (all it depends on)."""
    if registry == ids.APM_REGISTRY:
        if (full_name, version) == LLAMA_HERDER:
            return ids.LLAMA_HERDER_PACKAGE_MSG
        return ids.derived("aosrepl", "apm-package", full_name, version)
    return ids.derived("aosrepl", "apm-package", registry, full_name, version)


def bundled_versions(root: str | Path = services.PACKAGES_DIR) -> list[tuple[str, str]]:
    """(full name, version) of every package under `root`, read from the manifests alone: what the publish ids
    depend on. Genesis reads and bundles the packages themselves (discover) only when one of their publishes is
    missing from the log; that took 2-5 ms of every start. Anything odd in a manifest raises: the caller then
    takes the full way, which reports it."""
    found = []
    for folder, _, names in os.walk(root):
        if MANIFEST in names:
            manifest = json.loads(Path(folder, MANIFEST).read_text(encoding="utf-8"))
            found.append((f"{manifest.get('vendor') or '@apm'}/{manifest['name']}", manifest["version"]))
    return found


def publish(net, package: Package, signer: str | None, msg_id: str | None,
            registry: str = ids.APM_REGISTRY) -> str:
    """Send the APM.Publish message of `package` to `registry` (from `signer`, default the wallet). Returns
    its id."""
    tags = {"Action": "APM.Publish", "Quantity": "100000000000"}
    data = json.dumps(package.publish_data(), ensure_ascii=False)
    return net.send(registry, tags, data, signer=signer, msg_id=msg_id)


def publish_all(net, root: str | Path = services.PACKAGES_DIR, registry: str = ids.APM_REGISTRY) -> list[str]:
    """Publish every package under `root` to `registry` from the publisher wallet. Returns the message ids."""
    return [
        publish(net, package, services.PACKAGE_PUBLISHER, publish_message_id(package, registry), registry)
        for package in discover(root)
    ]


def publish_folder(net, path: str | Path, signer: str | None = None, wait: bool = False,
                   timeout: float = 30.0) -> str:
    """Validate a package folder and publish it (from the wallet unless `signer` is given).
    Returns the publish message id; raises PackageError for a bad folder. With `wait`, also waits for
    the registry and raises PackageError with its answer when it refuses the package."""
    package = load_package(path)
    mid = publish(net, package, signer, None)
    if wait:
        net.run_until_idle(timeout=timeout)
        answer = registry_answer(net, mid, signer)
        if answer is None:
            raise PackageError(f"the registry did not answer the publish of {package.full_name} in time")
        ok, text = answer
        if not ok:
            raise PackageError(text)
    return mid


def registry_answer(net, request_id: str, address: str | None = None) -> tuple[bool, str] | None:
    """The registry's answer to a request a wallet sent (it carries `Request-Id`): (succeeded, Data text),
    or None while there is none."""
    for message in reversed(net.wallet_inbox(address)):
        tags = {t["name"]: t["value"] for t in message.get("Tags", [])}
        if message.get("From") == ids.APM_REGISTRY and tags.get("Request-Id") == request_id:
            return tags.get("Result") != "error", message.get("Data") or ""
    return None
