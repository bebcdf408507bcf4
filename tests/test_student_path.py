"""The README's way from `make demo` to a plain `autograd-lab` command works as written.

`make demo` installs the command in `.venv/bin`, which no shell has on its PATH; the Quick
start says to `source .venv/bin/activate`, and `make demo` ends by printing that line.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from autograd_lab import __version__
from support import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
ACTIVATE = "source .venv/bin/activate"


def test_the_quick_start_puts_the_command_on_path_before_the_student_guide():
    quick_start = README[README.index("## Quick start"):README.index("## Student guide")]
    assert ACTIVATE in quick_start
    assert quick_start.index(ACTIVATE) < quick_start.index("autograd-lab --version")


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_ends_by_saying_how_to_activate():
    plan = subprocess.run(["make", "-n", "demo"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, check=True).stdout.splitlines()
    last_echoes = [line for line in plan if line.startswith("echo")][-3:]
    assert any(f"source {ROOT}/.venv/bin/activate" in line for line in last_echoes), plan[-6:]


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "activate").is_file(),
                    reason="no .venv here (make demo makes one)")
def test_after_activate_a_shell_without_the_venv_on_path_finds_the_command():
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp")}
    bare = subprocess.run(["bash", "-c", "command -v autograd-lab"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    if bare.returncode == 0:
        pytest.skip(f"autograd-lab is installed outside .venv too: {bare.stdout.strip()}")
    result = subprocess.run(["bash", "-c", f"{ACTIVATE} && autograd-lab --version"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert __version__ in result.stdout
