"""`autograd-lab gradescope build`: the zip, and Gradescope's layout simulated end to end.

The zip is built, unzipped as Gradescope does (``source/``, ``run_autograder`` copied to the
root), and ``run_autograder`` run with ``AUTOGRADER_ROOT`` on a temporary copy of the layout
with this checkout's `autograd-lab` on PATH; results.json is checked against Gradescope's
specification (tests/gradescope/results.schema.json). setup.sh needs the network: it is run
with a stand-in Python that records the pip commands it is given. Only exercises 1 and 3 are
graded (a solution each), with exercise 6 as an untouched stub: a few seconds in all.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from autograd_lab.catalog import lookup
from autograd_lab.classroom.gradescope import VISIBILITIES, with_visibility
from autograd_lab.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS, STUBS = ROOT / "solutions", ROOT / "exercises"
SCHEMA = json.loads((Path(__file__).parent / "gradescope" / "results.schema.json").read_text())
EX1, EX3, EX6 = lookup("1"), lookup("3"), lookup("6")
VENV_BIN = Path(sys.executable).parent
"""Where this Python's `autograd-lab` is (the .venv's)."""


def unzip(archive: Path, dest: Path) -> Path:
    """Unpack ``archive`` into ``dest`` with the permissions it records, as `unzip` does."""
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            path = Path(zf.extract(info, dest))
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                path.chmod(mode)
    return dest


def build(tmp_path: Path, runner, *args: str) -> Path:
    out = tmp_path / "autograder.zip"
    result = runner.invoke(cli, ["gradescope", "build", "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    return out


def gradescope_layout(tmp_path: Path, archive: Path, files: dict[str, Path | bytes] | None,
                      ) -> Path:
    """/autograder as Gradescope lays it out: source/ (the zip), run_autograder, and a
    submission/ holding ``files`` (name -> file to copy, or bytes); none at all for None."""
    root = tmp_path / "autograder"
    unzip(archive, root / "source")
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    if files is not None:
        (root / "submission").mkdir()
        for name, what in files.items():
            target = root / "submission" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(what, bytes):
                target.write_bytes(what)
            else:
                shutil.copy(what, target)
    return root


def run_autograder(root: Path, path: str | None = None) -> dict:
    """Run ROOT/run_autograder as Gradescope does (from ROOT); return results.json."""
    env = dict(os.environ, AUTOGRADER_ROOT=str(root),
               PATH=path if path is not None else f"{VENV_BIN}{os.pathsep}/usr/bin:/bin")
    done = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def check_spec(data: dict) -> None:
    """``data`` follows Gradescope's specification, and its score is its tests' sum."""
    jsonschema.validate(data, SCHEMA)
    if data["tests"]:
        assert data["score"] == pytest.approx(sum(t["score"] for t in data["tests"]))
    for test in data["tests"]:
        assert 0 <= test["score"] <= test["max_score"]
        assert (test["status"] == "passed") == (test["score"] == test["max_score"])


@pytest.fixture(scope="module")
def autograder(tmp_path_factory) -> Path:
    from click.testing import CliRunner

    return build(tmp_path_factory.mktemp("zip"), CliRunner(), "--exercises", "1,3,6",
                 "--timeout", "60", "--memory", "2048")


def test_the_zip_holds_both_scripts_executable_and_the_choices(autograder, tmp_path):
    with zipfile.ZipFile(autograder) as zf:
        names = zf.namelist()
    assert names[:3] == ["setup.sh", "run_autograder", "autograd-lab.json"]
    assert re.fullmatch(r"autograd_lab-[\w.]+-py3-none-any\.whl", names[3]) and len(names) == 4
    source = unzip(autograder, tmp_path / "source")
    for script in ("setup.sh", "run_autograder"):
        assert os.access(source / script, os.X_OK), script
        assert (source / script).read_text().startswith("#!/usr/bin/env bash\n")
        subprocess.run(["bash", "-n", str(source / script)], check=True)  # parses as bash
    config = json.loads((source / "autograd-lab.json").read_text())
    assert config["exercises"] == ["exercise1", "exercise3", "exercise6"]
    assert (config["timeout"], config["memory_mb"], config["visibility"]) == (60, 2048, "visible")


def _torch_pin() -> str:
    """The torch version constraints.txt pins (read here, not through the code under test)."""
    (version,) = re.findall(r"^torch==(\S+)$", (ROOT / "constraints.txt").read_text(), re.M)
    return version


def _fake_tools(folder: Path) -> Path:
    """A `python3` that logs its arguments and says torch is installed, and an
    `autograd-lab`: what setup.sh calls, without the network."""
    folder.mkdir()
    (folder / "python3").write_text(
        '#!/bin/sh\necho "$*" >> "$FAKE_LOG"\n'
        'case "$*" in *importlib.metadata*) echo "torch==9.9.9+cpu" ;; esac\n')
    (folder / "autograd-lab").write_text("#!/bin/sh\necho autograd-lab, version 0.1.0\n")
    for tool in folder.iterdir():
        tool.chmod(0o755)
    return folder


def test_setup_sh_installs_the_pinned_cpu_torch_then_the_wheel(autograder, tmp_path):
    source = unzip(autograder, tmp_path / "source")
    text = (source / "setup.sh").read_text()
    pin = _torch_pin()
    assert f"torch=={pin}" in text and "https://download.pytorch.org/whl/cpu" in text
    tools = _fake_tools(tmp_path / "bin")
    wheel = next(source.glob("*.whl"))

    def pip_calls(**env) -> list[str]:
        log = tmp_path / f"log{len(env)}"
        subprocess.run(["bash", str(source / "setup.sh")], check=True, capture_output=True,
                       env={"PATH": f"{tools}:/usr/bin:/bin", "FAKE_LOG": str(log), **env})
        return [line for line in log.read_text().splitlines() if "pip install" in line]

    torch, rest = pip_calls()
    assert torch == f"-m pip install --index-url https://download.pytorch.org/whl/cpu torch=={pin}"
    # autograd-lab comes second, held to the torch that was installed (what pip reported).
    assert re.fullmatch(rf"-m pip install --constraint \S+ {re.escape(str(wheel))}", rest)
    torch, rest = pip_calls(AUTOGRAD_LAB_TORCH_INDEX="https://mirror.example/simple",
                            AUTOGRAD_LAB_WHEEL="/wheels/mine.whl",
                            AUTOGRAD_LAB_TORCH="/wheels/torch-2.5.0-cp311-none-any.whl")
    assert torch == ("-m pip install --index-url https://mirror.example/simple "
                     "/wheels/torch-2.5.0-cp311-none-any.whl")
    assert rest.endswith(" /wheels/mine.whl")


def test_the_wheel_holds_what_pip_builds_and_installs(autograder, wheel, tmp_path):
    """The wheel repacked from the installed package has the files of the one pip builds
    from this checkout (conftest's ``wheel``), and installs with a working entry point."""
    source = unzip(autograder, tmp_path / "source")
    (ours,) = source.glob("*.whl")
    with zipfile.ZipFile(ours) as a, zipfile.ZipFile(wheel) as b:
        assert a.testzip() is None
        assert sorted(a.namelist()) == sorted(b.namelist())
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--target", str(target), str(ours)], check=True, capture_output=True)
    assert (target / "autograd_lab" / "exercises" / EX3.filename).is_file()
    assert (target / "autograd_lab" / "hints" / "exercise3.txt").is_file()
    done = subprocess.run([str(target / "bin" / "autograd-lab"), "--version"], text=True,
                          capture_output=True, env=dict(os.environ, PYTHONPATH=str(target)),
                          cwd=tmp_path, check=True)
    assert "autograd-lab, version" in done.stdout


def test_run_autograder_grades_the_submission_to_the_spec(autograder, tmp_path):
    root = gradescope_layout(tmp_path, autograder, {
        EX1.filename: SOLUTIONS / EX1.filename,
        f"exercises/{EX3.filename}": SOLUTIONS / EX3.filename,
        EX6.filename: STUBS / EX6.filename,
        "notes.txt": b"my notes"})
    data = run_autograder(root)
    check_spec(data)
    by_exercise: dict[str, list[dict]] = {}
    for test in data["tests"]:
        by_exercise.setdefault(test["name"].split(" ")[0], []).append(test)
    # Full marks (the catalog's points) for the two solutions, one test per check; the stub
    # is one failed test worth its points.
    for exercise in (EX1, EX3):
        tests = by_exercise[exercise.id]
        assert [t["name"].split(" · ")[2].split(":")[0] for t in tests] == [
            c.name for c in exercise.checks]
        assert [t["number"] for t in tests] == [f"{exercise.number}.{i}"
                                               for i in range(1, len(exercise.checks) + 1)]
        assert sum(t["score"] for t in tests) == exercise.points
        assert all(t["status"] == "passed" for t in tests)
    (stub,) = by_exercise[EX6.id]
    assert (stub["score"], stub["max_score"], stub["status"]) == (0, EX6.points, "failed")
    assert "is the stub of" in stub["output"] and stub["output_format"] == "md"
    assert data["score"] == EX1.points + EX3.points
    assert "notes.txt: unknown file, not graded" in data["output"]
    assert {t["visibility"] for t in data["tests"]} == {"visible"}
    assert data["stdout_visibility"] == "hidden"


def test_hidden_keeps_the_diagnoses_until_the_grades_are_published(runner, tmp_path):
    archive = build(tmp_path, runner, "--exercises", "1", "--visibility", "hidden")
    right = (SOLUTIONS / EX1.filename).read_text()
    wrong = right.replace("grad_w2 = h_relu.T", "grad_w2 = -h_relu.T", 1)  # its sign flipped
    assert wrong != right
    data = run_autograder(gradescope_layout(tmp_path, archive, {EX1.filename: wrong.encode()}))
    check_spec(data)
    assert data["visibility"] == "visible" and data["score"] < EX1.points  # the score, at once
    assert {t["visibility"] for t in data["tests"]} == {"after_published"}
    failed = [t for t in data["tests"] if t["status"] == "failed"]
    assert failed and all("```" in t["output"] for t in failed)  # the diagnosis, held back


@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_each_visibility_sets_the_spec_fields(visibility):
    data = {"score": 1.0, "execution_time": 1, "output": "", "tests": [
        {"name": "a", "number": "1.1", "score": 1.0, "max_score": 1.0, "status": "passed",
         "output": "", "visibility": "visible"}]}
    shown = with_visibility(data, visibility)
    check_spec(shown)
    whole = "visible" if visibility == "hidden" else visibility
    per_test = "after_published" if visibility == "hidden" else visibility
    assert (shown["visibility"], shown["tests"][0]["visibility"]) == (whole, per_test)
    assert shown["stdout_visibility"] == "hidden"


def test_a_submission_that_cannot_be_graded_still_gets_a_results_json(autograder, tmp_path):
    # Empty: graded as nothing submitted, and told which files were expected.
    empty = run_autograder(gradescope_layout(tmp_path / "empty", autograder, {}))
    check_spec(empty)
    assert empty["score"] == 0 and "No exercise file was found" in empty["output"]
    assert f"`{EX1.filename}`" in empty["output"]
    # Damaged: bytes that are no Python, in the exercise's file: its checks fail, saying why.
    damaged = run_autograder(gradescope_layout(tmp_path / "damaged", autograder, {
        EX1.filename: b"\x00\xff\xfe garbage \x89PNG"}))
    check_spec(damaged)
    assert damaged["score"] == 0
    assert all(t["status"] == "failed" for t in damaged["tests"])
    # No submission folder at all; a config that cannot be read; no autograd-lab installed.
    none = run_autograder(gradescope_layout(tmp_path / "none", autograder, None))
    check_spec(none)
    assert none["score"] == 0 and "submission folder" in none["output"]
    broken = gradescope_layout(tmp_path / "broken", autograder, {EX1.filename: b"x = 1\n"})
    (broken / "source" / "autograd-lab.json").write_text("{not json")
    bad = run_autograder(broken)
    check_spec(bad)
    assert bad["score"] == 0 and "is not JSON" in bad["output"]
    missing = run_autograder(gradescope_layout(tmp_path / "bare", autograder, {}),
                             path="/usr/bin:/bin")
    check_spec(missing)
    assert missing["score"] == 0 and "autograd-lab is not installed" in missing["output"]


def test_an_unknown_exercise_is_refused_and_no_zip_written(runner, tmp_path):
    out = tmp_path / "autograder.zip"
    result = runner.invoke(cli, ["gradescope", "build", "-o", str(out), "--exercises", "1,relux"])
    assert result.exit_code == 2 and "my_relu" in result.output
    assert not out.exists()


@pytest.mark.parametrize("code, expected", [
    ("import time; time.sleep(60)", "took longer than"),
    ("import os, signal; os.kill(os.getpid(), signal.SIGKILL)",
     "ended by SIGKILL (out of memory?)"),
    ("import sys; sys.stderr.write('noise\\nError: No such folder: x\\n'); sys.exit(2)",
     "exited with status 2:\n\n```\nError: No such folder: x\n```"),
    ("pass", "exited with status 0"),  # ended well, but wrote no results.json
])
def test_a_grade_that_fails_is_reported_in_results_json(code, expected, tmp_path, monkeypatch):
    """`grade` run by `gradescope run` hangs past the deadline, is killed, fails with an
    error, or writes nothing: results.json says which, scored 0."""
    import io

    from autograd_lab.classroom import autograder_run
    from autograd_lab.classroom.autograder_config import AutograderConfig

    config = tmp_path / "autograd-lab.json"
    config.write_text(AutograderConfig(("exercise1",), 1.0, 256, "after_due_date").to_json())
    (tmp_path / "submission").mkdir()
    monkeypatch.setattr(autograder_run, "_grade_command", lambda: [sys.executable, "-c", code])
    monkeypatch.setattr(AutograderConfig, "deadline", lambda self: 2.0)
    data = autograder_run.grade_submission(tmp_path, config, stream=io.StringIO())
    check_spec(data)
    assert data["score"] == 0 and expected in data["output"]
    assert data["visibility"] == "after_due_date"  # the zip's choice holds for failures too
    assert json.loads((tmp_path / "results" / "results.json").read_text()) == data


def test_results_json_says_did_not_finish_while_grading(tmp_path, monkeypatch):
    """Gradescope may stop run_autograder at its own time limit: the results.json there
    meanwhile already says that the grading did not finish, scored 0."""
    import io

    from autograd_lab.classroom import autograder_run
    from autograd_lab.classroom.autograder_config import AutograderConfig

    config = tmp_path / "autograd-lab.json"
    config.write_text(AutograderConfig(("exercise1",), 1.0, 256, "visible").to_json())
    seen = []

    def grading(submission, config, stream):
        seen.append(json.loads((tmp_path / "results" / "results.json").read_text()))
        return {"score": 1.0, "execution_time": 0, "output": "", "tests": []}

    monkeypatch.setattr(autograder_run, "_graded", grading)
    done = autograder_run.grade_submission(tmp_path, config, stream=io.StringIO())
    (meanwhile,) = seen
    check_spec(meanwhile)
    assert meanwhile["score"] == 0 and "stopped before it finished" in meanwhile["output"]
    assert done["score"] == 1.0
