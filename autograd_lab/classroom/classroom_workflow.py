"""The GitHub Classroom autograding workflow of a template repository, and what goes with it.

``autograd-lab classroom init`` writes, into the template repository:

- ``.github/workflows/classroom.yml``: GitHub Classroom's own workflow shape (the one its
  assignment editor writes: ``Autograding Tests``, run on push and on Classroom's
  ``repository_dispatch``, not for ``github-classroom[bot]``'s own commits) with one step per
  exercise, whose id is the exercise id, running ``autograd-lab classroom report``; then
  ``classroom-resources/autograding-grading-reporter@v1``, which reads each step's
  ``result`` output through the variable ``<ID>_RESULTS`` (the step id upper-cased: the
  reporter looks up ``process.env[runner.toUpperCase() + "_RESULTS"]``) and totals the points;
- ``.github/autograd-lab/<wheel>``: this autograd-lab, packed as a wheel (the same one the
  Gradescope zip carries), so that the workflow installs exactly the grader that wrote it, with
  no package index holding autograd-lab;
- ``AUTOGRADING.md``: what students read about it (a file of the template rather than text
  printed once, so that every student's repository has it beside the stubs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import autograd_lab
from autograd_lab.classroom.workflow_yaml import dump

WORKFLOW_PATH = Path(".github") / "workflows" / "classroom.yml"
WHEEL_FOLDER = Path(".github") / "autograd-lab"
STUDENT_NOTES = Path("AUTOGRADING.md")
REPORTER = "classroom-resources/autograding-grading-reporter@v1"
PYTHON_VERSION = "3.11"


@dataclass
class Written:
    """What ``init`` wrote (or kept), for the command to tell."""

    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


def env_name(step_id: str) -> str:
    """The variable the reporter reads a step's result from."""
    return f"{step_id.upper()}_RESULTS"


def install_script(*, torch: str, torch_index: str, package: str) -> str:
    """The shell lines that install a CPU-only torch, pinned, then autograd-lab with that torch
    held (a plain ``pip install torch`` from PyPI pulls gigabytes of CUDA packages)."""
    return (
        "python -m pip install --disable-pip-version-check --index-url "
        f"{torch_index} torch=={torch}\n"
        f'echo "torch=={torch}" > "$RUNNER_TEMP/torch-pin.txt"\n'
        "python -m pip install --disable-pip-version-check "
        f'--constraint "$RUNNER_TEMP/torch-pin.txt" {package}\n'
        "autograd-lab --version\n"
    )


def workflow(exercises, *, torch: str, torch_index: str, package: str,
             timeout: float = 30.0) -> dict:
    """The workflow as data: one grading step per exercise, points from the catalog."""
    steps: list[dict] = [
        {"name": "Check out the student's code", "uses": "actions/checkout@v4"},
        {"name": f"Set up Python {PYTHON_VERSION}", "uses": "actions/setup-python@v5",
         "with": {"python-version": PYTHON_VERSION}},
        {"name": "Install a CPU-only torch and autograd-lab",
         "run": install_script(torch=torch, torch_index=torch_index, package=package)},
    ]
    for exercise in exercises:
        steps.append({
            "name": f"{exercise.id}: {exercise.title} ({exercise.points:g} points)",
            "id": exercise.id,
            # Grade every exercise, and report, even after a step before failed (the
            # grading steps themselves exit 0 whatever the grade).
            "if": "${{ !cancelled() }}",
            "run": f"autograd-lab classroom report {exercise.id} --timeout {timeout:g}",
        })
    steps.append({
        "name": "Autograding Reporter",
        "uses": REPORTER,
        "if": "${{ !cancelled() }}",
        "env": {env_name(e.id): f"${{{{ steps.{e.id}.outputs.result }}}}" for e in exercises},
        "with": {"runners": ",".join(e.id for e in exercises)},
    })
    return {
        "name": "Autograding Tests",
        "on": ["push", "repository_dispatch"],
        "permissions": {"checks": "write", "actions": "read", "contents": "read"},
        "jobs": {"run-autograding-tests": {
            "runs-on": "ubuntu-latest",
            "if": "github.actor != 'github-classroom[bot]'",
            "timeout-minutes": 30,
            "steps": steps,
        }},
    }


def workflow_text(exercises, **options) -> str:
    """The workflow file's text."""
    total = sum(e.points for e in exercises)
    version = autograd_lab.__version__
    header = (f"GitHub Classroom autograding: {len(exercises)} exercise(s), {total:g} points.\n"
              f"Written by `autograd-lab classroom init` (autograd-lab {version}).\n"
              "Each exercise step writes its result (partial credit per check) for the reporter.")
    return dump(workflow(exercises, **options), header)


def student_notes(exercises, *, timeout: float = 30.0) -> str:
    """AUTOGRADING.md: what a student reads about the autograding of this repository."""
    total = sum(e.points for e in exercises)
    rows = "\n".join(f"| `{e.id}` | `exercises/{e.filename}` | {e.title} | {e.points:g} |"
                     for e in exercises)
    return f"""# Autograding

Every push to this repository is graded by GitHub Actions (the **Autograding Tests**
workflow, `.github/workflows/classroom.yml`); GitHub Classroom records the score.

| exercise | your file | what | points |
|---|---|---|---|
{rows}

Total: {total:g} points. Each exercise has several checks, and each check earns its points
by itself: a partly right solution earns part of the exercise's points.

## Before you push

Run exactly what the workflow runs, on your own machine:

```
autograd-lab check {exercises[0].number}     # one exercise's checks: what failed, on which input, why
autograd-lab hint {exercises[0].number}      # stuck? the next hint
```

The workflow grades the files under `exercises/`, named as they are here: do not rename or
move them. Your code may take {timeout:g} seconds per exercise.

## Reading the result

On GitHub, open the **Actions** tab, the latest **Autograding Tests** run, then the
`run-autograding-tests` job: each exercise's step prints every check with its points, the
smallest input on which it failed and the likely mistake; the **Autograding Reporter** step
gives the total. A red run only means that some check failed: your points are still recorded.
"""


def write_template(directory: Path, exercises, *, torch: str, torch_index: str,
                   package: str | None, force: bool = False, timeout: float = 30.0) -> Written:
    """Write the workflow, the wheel (unless ``package`` names what to install instead) and
    AUTOGRADING.md into ``directory``; a file already there is kept unless ``force``.

    Raises:
        FileExistsError: the workflow exists and ``force`` is not set (nothing is written).
        OSError: the folder cannot be written.
    """
    from autograd_lab.atomic_write import write_atomic
    from autograd_lab.classroom.repack_wheel import write_wheel

    directory = Path(directory)
    done = Written()
    targets = [directory / WORKFLOW_PATH, directory / STUDENT_NOTES]
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        raise FileExistsError(", ".join(str(p) for p in existing))
    if package is None:
        (directory / WHEEL_FOLDER).mkdir(parents=True, exist_ok=True)
        wheel = write_wheel(directory / WHEEL_FOLDER)
        package = (WHEEL_FOLDER / wheel.name).as_posix()
        done.written.append(wheel)
    (directory / WORKFLOW_PATH).parent.mkdir(parents=True, exist_ok=True)
    write_atomic(directory / WORKFLOW_PATH,
                 workflow_text(exercises, torch=torch, torch_index=torch_index,
                               package=package, timeout=timeout))
    done.written.append(directory / WORKFLOW_PATH)
    write_atomic(directory / STUDENT_NOTES, student_notes(exercises, timeout=timeout))
    done.written.append(directory / STUDENT_NOTES)
    return done
