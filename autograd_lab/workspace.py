"""A student's working folder: copying the stubs there, and telling what state each is in."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

STUBS_PACKAGE = "autograd_lab.exercises"


def stub_text(filename: str) -> str:
    """The shipped stub of an exercise file."""
    return resources.files(STUBS_PACKAGE).joinpath(filename).read_text(encoding="utf-8")


def copy_stubs(directory: Path) -> list[tuple[Path, bool]]:
    """Copy every stub into ``directory/exercises/``, never overwriting a file.

    Returns each target path with True where it was created, False where it was kept.
    """
    from autograd_lab.catalog import EXERCISES

    target = directory / "exercises"
    target.mkdir(parents=True, exist_ok=True)
    done = []
    for exercise in EXERCISES:
        path = target / exercise.filename
        try:
            with open(path, "x", encoding="utf-8") as handle:  # "x": fails if it exists
                handle.write(stub_text(exercise.filename))
            done.append((path, True))
        except FileExistsError:
            done.append((path, False))
    return done


def status(exercise, directory: Path) -> str:
    """``missing``, ``not started`` (the stub, unchanged) or ``edited``."""
    path = directory / "exercises" / exercise.filename
    if not path.is_file():
        return "missing"
    try:
        same = path.read_text(encoding="utf-8") == stub_text(exercise.filename)
    except (OSError, UnicodeDecodeError):
        return "edited"
    return "not started" if same else "edited"
