"""`autograd-lab classroom init` and `classroom report`: GitHub Classroom's autograding.

The workflow is checked for what GitHub Actions and the grading reporter need from it: one
step per exercise whose id is the exercise id, the reporter's ``<ID>_RESULTS`` variables wired
to those steps' ``result`` outputs (the reporter reads ``process.env[runner.toUpperCase() +
"_RESULTS"]``), its ``runners`` listing them, points from the catalog. Parsed with PyYAML where
it is installed; the emitter's own text is checked line by line either way. The report is
decoded as the reporter decodes it (base64, then JSON); expected scores come from the
catalog's points. Only exercise 3 is graded (its solution and its stub): a few seconds.
"""

from __future__ import annotations

import base64
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograd_lab.catalog import EXERCISES, lookup
from autograd_lab.classroom.autograder_zip import torch_pin
from autograd_lab.classroom.classroom_workflow import WORKFLOW_PATH, workflow
from autograd_lab.classroom.workflow_yaml import dump
from autograd_lab.cli import cli

ROOT = Path(__file__).resolve().parent.parent
EX1, EX3 = lookup("1"), lookup("3")


def init(directory: Path, *args: str):
    return CliRunner().invoke(cli, ["classroom", "init", str(directory), *args])


def report(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, ["classroom", "report", *args], env=env or {"GITHUB_OUTPUT": ""})


def decoded(stdout: str) -> dict:
    """The result the reporter reads, from the `result=` line `report` prints."""
    lines = [line for line in stdout.splitlines() if line.startswith("result=")]
    assert len(lines) == 1, stdout
    return json.loads(base64.b64decode(lines[0][len("result="):]).decode("utf-8"))


def grading_steps(data: dict) -> list[dict]:
    steps = data["jobs"]["run-autograding-tests"]["steps"]
    return [s for s in steps if "id" in s]


def reporter_step(data: dict) -> dict:
    steps = data["jobs"]["run-autograding-tests"]["steps"]
    (found,) = [s for s in steps if str(s.get("uses", "")).startswith(
        "classroom-resources/autograding-grading-reporter@")]
    assert steps[-1] is found, "the reporter runs last, after every grading step"
    return found


def check_wiring(data: dict, exercises) -> None:
    ids = [e.id for e in exercises]
    steps = grading_steps(data)
    assert [s["id"] for s in steps] == ids
    for step, exercise in zip(steps, exercises):
        assert f"({exercise.points:g} points)" in step["name"]
        assert step["run"].startswith(f"autograd-lab classroom report {exercise.id} ")
    found = reporter_step(data)
    assert found["with"]["runners"] == ",".join(ids)
    assert found["env"] == {f"{i.upper()}_RESULTS": f"${{{{ steps.{i}.outputs.result }}}}"
                            for i in ids}


def test_init_writes_the_workflow_the_wheel_and_the_student_notes(tmp_path):
    result = init(tmp_path, "--exercises", "1,my_relu")
    assert result.exit_code == 0, result.output
    text = (tmp_path / WORKFLOW_PATH).read_text()
    for written in (WORKFLOW_PATH, "AUTOGRADING.md"):
        assert f"wrote {tmp_path / written}" in result.output
    # The emitter's lines, as a YAML reader takes them.
    assert '"on":\n  - "push"\n  - "repository_dispatch"\n' in text
    for i in ("exercise1", "exercise3"):
        assert f'        id: "{i}"\n' in text
        assert f'          {i.upper()}_RESULTS: "${{{{ steps.{i}.outputs.result }}}}"\n' in text
    assert '          runners: "exercise1,exercise3"\n' in text
    # The wheel the install step names is there, and is autograd-lab.
    wheels = list((tmp_path / ".github" / "autograd-lab").glob("*.whl"))
    assert len(wheels) == 1
    assert f" .github/autograd-lab/{wheels[0].name}\n" in text
    with zipfile.ZipFile(wheels[0]) as zf:
        assert "autograd_lab/cli.py" in zf.namelist()
    # A CPU-only torch, pinned as constraints.txt pins it, from PyTorch's CPU index.
    assert (f"--index-url https://download.pytorch.org/whl/cpu torch=={torch_pin()}\n"
            in text)
    notes = (tmp_path / "AUTOGRADING.md").read_text()
    assert f"`exercises/{EX3.filename}`" in notes and f"{EX1.points + EX3.points:g} points" in notes


def test_the_workflow_parses_as_yaml_with_one_step_per_exercise(tmp_path):
    import yaml  # in the test extra: a missing one must fail, not skip
    assert init(tmp_path, "--exercises", "1,3").exit_code == 0
    data = yaml.safe_load((tmp_path / WORKFLOW_PATH).read_text())
    check_wiring(data, [EX1, EX3])
    assert set(data) == {"name", "on", "permissions", "jobs"}  # "on" a string, not True
    # The emitter wrote exactly the data it was given.
    (wheel,) = (tmp_path / ".github" / "autograd-lab").glob("*.whl")
    assert data == workflow([EX1, EX3], torch=torch_pin(),
                            torch_index="https://download.pytorch.org/whl/cpu",
                            package=f".github/autograd-lab/{wheel.name}")


def test_every_exercise_by_default_with_points_from_the_catalog():
    data = workflow(EXERCISES, torch="2.13.0", torch_index="https://example.invalid/cpu",
                    package="autograd-lab")
    check_wiring(data, EXERCISES)
    assert len(grading_steps(data)) == 10


def test_the_emitter_round_trips_through_yaml():
    import yaml  # in the test extra: a missing one must fail, not skip
    data = {"on": ["push"], "yes": "no", "s": "a: b # c", "n": 3, "f": 0.5, "t": True,
            "script": "echo 'x'\n\necho \"$Y\"\n", "nested": [{"a": [], "b": {}}, "z"]}
    assert yaml.safe_load(dump(data, "a comment")) == data


def test_init_never_overwrites_without_force(tmp_path):
    assert init(tmp_path, "--exercises", "1").exit_code == 0
    target = tmp_path / WORKFLOW_PATH
    target.write_text("# the instructor's own edits\n")
    refused = init(tmp_path, "--exercises", "3")
    assert refused.exit_code == 2
    assert "--force" in refused.output and str(target) in refused.output
    assert target.read_text() == "# the instructor's own edits\n"
    forced = init(tmp_path, "--exercises", "3", "--force")
    assert forced.exit_code == 0, forced.output
    assert 'id: "exercise3"' in target.read_text()


def test_init_install_spec_replaces_the_wheel(tmp_path):
    result = init(tmp_path, "--exercises", "1", "--install", "autograd-lab==0.1.0")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / ".github" / "autograd-lab").exists()
    assert ' autograd-lab==0.1.0\n' in (tmp_path / WORKFLOW_PATH).read_text()


def test_init_unknown_exercise_is_a_misuse(tmp_path):
    result = init(tmp_path, "--exercises", "1,relux")
    assert result.exit_code == 2 and "relux" in result.output
    assert not (tmp_path / WORKFLOW_PATH).exists()


def test_report_on_the_solution_passes_with_every_check_paid():
    result = report("3", "--file", str(ROOT / "solutions" / EX3.filename))
    assert result.exit_code == 0, result.output
    data = decoded(result.stdout)
    assert data["version"] == 1 and data["status"] == "pass"
    assert data["max_score"] == EX3.points
    assert [t["score"] for t in data["tests"]] == [c.points for c in EX3.checks]
    assert sum(t["score"] for t in data["tests"]) == EX3.points
    assert all(t["status"] == "pass" for t in data["tests"])
    for key in ("name", "message", "test_code", "filename", "line_no", "duration"):
        assert all(key in t for t in data["tests"])


def test_report_on_the_stub_fails_with_nothing_earned():
    result = report("my_relu", "--file", str(ROOT / "exercises" / EX3.filename))
    assert result.exit_code == 0, result.output  # a failing grade is no failing command
    data = decoded(result.stdout)
    assert data["status"] == "fail" and data["max_score"] == EX3.points
    assert len(data["tests"]) == len(EX3.checks)
    assert sum(t["score"] for t in data["tests"]) == 0
    assert all(t["status"] == "fail" and t["message"] for t in data["tests"])


def test_report_on_a_missing_file_is_an_error_result(tmp_path):
    result = report("3", "--file", str(tmp_path / "nothing.py"))
    assert result.exit_code == 0, result.output
    data = decoded(result.stdout)
    assert data["status"] == "error" and data["max_score"] == EX3.points
    assert sum(t["score"] for t in data["tests"]) == 0
    assert "nothing.py" in data["tests"][0]["message"]


def test_report_appends_its_result_to_github_output(tmp_path):
    target = tmp_path / "github_output"
    target.write_text("earlier=1\n")
    result = report("3", "--file", str(tmp_path / "missing.py"),
                    env={"GITHUB_OUTPUT": str(target)})
    assert result.exit_code == 0, result.output
    lines = target.read_text().splitlines()
    assert lines[0] == "earlier=1" and len(lines) == 2
    assert decoded(lines[1])["status"] == "error"
    assert "result=" not in result.stdout  # the log shows what happened, not base64


def test_report_unknown_exercise_is_a_misuse():
    result = report("relux")
    assert result.exit_code == 2 and "relux" in result.output


def test_the_workflow_run_as_actions_would_gives_the_reporter_its_total(tmp_path, monkeypatch):
    """Each grading step's command run in a student's repository (exercise 3 solved, exercise 1
    never submitted), with a GITHUB_OUTPUT of its own as Actions gives; the reporter's env then
    filled from the steps' outputs and read as the reporter reads it."""
    import re
    import shlex

    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / EX3.filename).write_text(
        (ROOT / "solutions" / EX3.filename).read_text())
    monkeypatch.chdir(tmp_path)
    data = workflow([EX1, EX3], torch="2.13.0", torch_index="https://example.invalid/cpu",
                    package="autograd-lab")
    outputs: dict[str, dict[str, str]] = {}
    for step in grading_steps(data):
        argv = shlex.split(step["run"])
        assert argv[0] == "autograd-lab"
        target = tmp_path / f"output-{step['id']}"
        target.touch()
        done = CliRunner().invoke(cli, argv[1:], env={"GITHUB_OUTPUT": str(target)})
        assert done.exit_code == 0, done.output
        outputs[step["id"]] = dict(line.split("=", 1) for line in target.read_text().splitlines())
    found = reporter_step(data)
    env = {name: re.sub(r"\$\{\{ steps\.(\w+)\.outputs\.(\w+) \}\}",
                        lambda m: outputs[m[1]][m[2]], value)
           for name, value in found["env"].items()}
    results = {runner: json.loads(base64.b64decode(env[f"{runner.upper()}_RESULTS"]))
               for runner in found["with"]["runners"].split(",")}
    assert results["exercise1"]["status"] == "error"
    assert results["exercise3"]["status"] == "pass"
    total = sum(t["score"] for r in results.values() for t in r["tests"])
    assert total == EX3.points
    assert sum(r["max_score"] for r in results.values()) == EX1.points + EX3.points
