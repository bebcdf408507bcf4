"""The catalog: one module per exercise, each with its checks and points.

The catalog is explicit (no registration by side effect): :data:`EXERCISES` lists them in
the order a student takes them, and :func:`lookup` finds one by id, number or slug.
"""

from __future__ import annotations

import difflib

from autograd_lab.catalog import (
    exercise1, exercise2, exercise3, exercise4, exercise5,
    exercise6, exercise7, exercise8, exercise9, exercise10,
)
from autograd_lab.catalog.base import Check, Exercise
from autograd_lab.errors import UnknownExercise

EXERCISES: tuple[Exercise, ...] = (
    exercise1.EXERCISE,
    exercise2.EXERCISE,
    exercise3.EXERCISE,
    exercise4.EXERCISE,
    exercise5.EXERCISE,
    exercise6.EXERCISE,
    exercise7.EXERCISE,
    exercise8.EXERCISE,
    exercise9.EXERCISE,
    exercise10.EXERCISE,
)


def lookup(name: str) -> Exercise:
    """Find an exercise by id (``exercise3``), number (``3``) or slug (``my_relu``)."""
    wanted = str(name).strip().lower()
    for exercise in EXERCISES:
        if wanted in (exercise.id, str(exercise.number), exercise.slug, exercise.slug.replace("_", "-")):
            return exercise
    names = [e.id for e in EXERCISES] + [e.slug for e in EXERCISES]
    raise UnknownExercise(name, difflib.get_close_matches(wanted, names, n=3, cutoff=0.5))


__all__ = ["Check", "EXERCISES", "Exercise", "lookup"]
