"""The command line: help, list, init, check and their exit codes (0 pass, 1 fail, 2 misuse)."""

from __future__ import annotations

import json

import pytest
import torch

from autograd_lab.catalog import EXERCISES, lookup
from autograd_lab.cli import cli
from support import SOLUTIONS, STUBS


@pytest.mark.parametrize("command", [[], ["list"], ["init"], ["check"]])
def test_help_describes_each_command(runner, command):
    result = runner.invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage: " in result.output
    if command == ["check"]:
        for option in ("--file", "--device", "--timeout", "--json"):
            assert option in result.output


@pytest.mark.parametrize("name", ["exercise3", "3", "my_relu", "my-relu", " Exercise3 "])
def test_exercise_found_by_id_number_or_slug(name):
    assert lookup(name).id == "exercise3"


def test_unknown_exercise_exits_2_with_close_matches(runner):
    result = runner.invoke(cli, ["check", "my_rel"])
    assert result.exit_code == 2
    assert "Unknown exercise 'my_rel'" in result.output
    assert "my_relu" in result.output


def test_missing_file_exits_2_and_says_how_to_get_one(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["check", "3"])
    assert result.exit_code == 2
    assert "No such file: exercises/exercise3_my_relu.py" in result.output
    assert "autograd-lab init" in result.output


def test_bad_timeout_is_a_usage_error(runner):
    result = runner.invoke(cli, ["check", "3", "--timeout", "0"])
    assert result.exit_code == 2


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_asked_for_and_absent_exits_2(runner):
    result = runner.invoke(cli, ["check", "3", "--file", str(SOLUTIONS / "exercise3_my_relu.py"),
                                 "--device", "cuda"])
    assert result.exit_code == 2
    assert "CUDA is not available" in result.output


def test_check_solution_exits_0_and_prints_each_check(runner):
    result = runner.invoke(cli, ["check", "exercise3", "--file", str(SOLUTIONS / "exercise3_my_relu.py")])
    assert result.exit_code == 0, result.output
    for check in lookup("3").checks:
        assert f"PASS  {check.name}" in result.output
    assert "score: 10/10" in result.output


def test_check_stub_exits_1(runner):
    result = runner.invoke(cli, ["check", "3", "--file", str(STUBS / "exercise3_my_relu.py")])
    assert result.exit_code == 1
    assert "FAIL  backward" in result.output
    assert "not implemented yet: exercise3: implement MyReLU.forward" in result.output
    assert "score: 0/10" in result.output


def test_check_json_has_the_documented_fields_and_is_repeatable(runner):
    args = ["check", "1", "--json", "--file", str(STUBS / "exercise1_numpy_backprop.py")]
    first, second = runner.invoke(cli, args), runner.invoke(cli, args)
    assert first.exit_code == second.exit_code == 1
    assert first.output == second.output
    data = json.loads(first.output)
    assert data["exercise"] == "exercise1"
    assert (data["score"], data["max_score"]) == (0, 10)
    for check in data["checks"]:
        assert {"name", "passed", "score", "max_score", "message"} <= set(check)


def test_init_copies_stubs_and_never_overwrites(runner, tmp_path):
    mine = tmp_path / "exercises" / "exercise1_numpy_backprop.py"
    mine.parent.mkdir()
    mine.write_text("# my work\n")
    result = runner.invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 0
    assert mine.read_text() == "# my work\n"
    for exercise in EXERCISES:
        copied = tmp_path / "exercises" / exercise.filename
        assert copied.is_file()
        if exercise.number != 1:
            assert copied.read_text() == (STUBS / exercise.filename).read_text()
    assert "kept" in result.output and "created" in result.output


def test_list_shows_points_and_status(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner.invoke(cli, ["init"])
    (tmp_path / "exercises" / "exercise2_tensor_backprop.py").write_text("# edited\n")
    (tmp_path / "exercises" / "exercise4_vjp.py").unlink()
    result = runner.invoke(cli, ["list"])
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.output.splitlines()[1:]}
    assert lines["exercise1"].rstrip().endswith("not started")
    assert lines["exercise2"].rstrip().endswith("edited")
    assert lines["exercise4"].rstrip().endswith("missing")
    for exercise in EXERCISES:
        assert f"{exercise.points:g}" in lines[exercise.id].split()


def test_python_dash_m_runs_the_cli():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "autograd_lab", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "check" in result.stdout
