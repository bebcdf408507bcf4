"""The README's exercise table gives each exercise's points as the catalog does."""

from __future__ import annotations

import re

from autograd_lab.catalog import EXERCISES
from support import ROOT


def test_the_readme_table_splits_each_exercises_points_as_the_catalog_does():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| (\d+) \| `\w+` \|.*\| (\S+ · \S+) \|$", readme, re.M))
    assert sorted(map(int, rows)) == [e.number for e in EXERCISES]
    for exercise in EXERCISES:
        values = sum(c.points for c in exercise.checks if c.kind == "value")
        rules = sum(c.points for c in exercise.checks if c.kind != "value")
        assert rows[str(exercise.number)] == f"{values:g} · {rules:g}", exercise.id
