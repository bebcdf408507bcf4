"""The wheel carries the package and the exercise stubs, and never the solutions."""

from __future__ import annotations

import zipfile

import pytest

from autograd_lab.catalog import EXERCISES
from mutants import Mutant
from support import SOLUTIONS, graded


@pytest.mark.slow
def test_wheel_ships_stubs_and_no_solutions(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for exercise in EXERCISES:
        assert f"autograd_lab/exercises/{exercise.filename}" in names
    assert not [n for n in names if "solutions" in n], names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "autograd-lab = autograd_lab.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


WARNS = Mutant(
    name="exercise3_warns",
    mistake="none: a correct solution that makes Python and torch warn",
    fail=[],
    replace=[("import torch\n", "import warnings\n\nimport torch\n"),
             ("        ctx.save_for_backward(input)\n",
              "        warnings.warn(\"exercise3: a warning from the student\")\n"
              "        torch.tensor(input)  # torch warns: copy-constructing from a tensor\n"
              "        ctx.save_for_backward(input)\n")],
)


def test_warnings_from_student_code_or_torch_never_fail_a_check(tmp_path):
    path = WARNS.write(SOLUTIONS / "exercise3_my_relu.py", tmp_path)
    report = graded("exercise3", str(path))
    assert report.passed, [c.message for c in report.checks if not c.passed]
    assert "a warning from the student" in report.output
