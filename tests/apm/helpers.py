"""Shared helpers for the APM tests: package folders written on the fly."""
from __future__ import annotations

import json
from pathlib import Path


def write_package(root: Path, vendor: str, name: str, version: str, main_source: str,
                  dependencies=None, main: str = "main.lua", extra_files: dict | None = None, **fields) -> Path:
    """A package folder `root/<vendor>-<name>-<version>` with apm.json, README.md and the Lua files."""
    folder = root / f"{vendor.lstrip('@')}-{name}-{version}"
    folder.mkdir(parents=True)
    manifest = {
        "vendor": vendor, "name": name, "version": version,
        "description": fields.pop("description", f"{name} for tests"),
        "main": main, "dependencies": dependencies or {},
        "repository": fields.pop("repository", ""), "readme": "README.md",
        "authors": [{"name": "tests"}],
    }
    manifest.update(fields)
    (folder / "apm.json").write_text(json.dumps(manifest), encoding="utf-8")
    (folder / "README.md").write_text(f"# {name}\n", encoding="utf-8")
    (folder / main).write_text(main_source, encoding="utf-8")
    for rel, text in (extra_files or {}).items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    return folder
