"""``check --json``: stdout is one JSON object whatever happens, the report or an error.

A program reading the output must never meet click's text: a command that cannot run
(unknown exercise, missing file, no CUDA, a bad option, a missing argument) prints
``{"error": ..., "exit_code": 2}`` and exits 2, as the README says.
"""

from __future__ import annotations

import json

import pytest
import torch

from autograd_lab.cli import cli
from support import SOLUTIONS, STUBS


def _one_error_object(result) -> dict:
    assert result.exit_code == 2, result.output
    data = json.loads(result.stdout)  # the whole of stdout, nothing around it
    assert isinstance(data, dict)
    assert data["exit_code"] == 2
    assert isinstance(data["error"], str) and data["error"]
    return data


def test_unknown_exercise_is_a_json_error_with_close_matches(runner):
    data = _one_error_object(runner.invoke(cli, ["check", "my_rel", "--json"]))
    assert "Unknown exercise 'my_rel'" in data["error"] and "my_relu" in data["error"]
    assert data["exercise"] == "my_rel"


def test_missing_file_is_a_json_error_naming_the_file(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = _one_error_object(runner.invoke(cli, ["check", "3", "--json"]))
    assert "No such file: exercises/exercise3_my_relu.py" in data["error"]
    assert (data["exercise"], data["file"]) == ("exercise3", "exercises/exercise3_my_relu.py")


@pytest.mark.parametrize("args, said", [
    (["check", "3", "--json", "--timeout", "0"], "--timeout"),
    (["check", "3", "--json", "--device", "tpu"], "--device"),
    (["check", "--json"], "Missing argument 'EXERCISE'"),
    (["check", "3", "--json", "--no-such-option"], "--no-such-option"),
])
def test_a_usage_error_is_a_json_error_too(runner, args, said):
    result = runner.invoke(cli, args)
    data = _one_error_object(result)
    assert said in data["error"]
    assert "Usage:" not in result.stdout and result.stderr == ""


def test_without_json_the_error_stays_text_on_stderr(runner):
    result = runner.invoke(cli, ["check", "my_rel"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Error: Unknown exercise 'my_rel'" in result.stderr


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_absent_is_a_json_error(runner):
    data = _one_error_object(runner.invoke(cli, [
        "check", "3", "--json", "--device", "cuda",
        "--file", str(SOLUTIONS / "exercise3_my_relu.py")]))
    assert "CUDA is not available" in data["error"]
    assert data["device"] == "cuda"


def test_report_scores_are_all_one_numeric_type(runner):
    # a stub and a full solution: integer points, which JSON must not print as 0 here, 0.0 there
    for path, code in ((STUBS / "exercise3_my_relu.py", 1), (SOLUTIONS / "exercise3_my_relu.py", 0)):
        result = runner.invoke(cli, ["check", "3", "--json", "--file", str(path)])
        assert result.exit_code == code, result.output
        data = json.loads(result.stdout)
        numbers = [data["score"], data["max_score"]]
        numbers += [c[key] for c in data["checks"] for key in ("score", "max_score")]
        assert {type(n) for n in numbers} == {float}, numbers
        assert data["max_score"] == 10
