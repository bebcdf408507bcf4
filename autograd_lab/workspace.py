"""A student's working folder: copying the stubs there, telling what state each is in, and the
last score ``check`` gave each exercise there."""

from __future__ import annotations

import hashlib
import json
import os
import time
from importlib import resources
from pathlib import Path

from autograd_lab.atomic_write import write_atomic

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


# -- the last score of each exercise in a folder ----------------------------------------------

STATE_FOLDER = ".autograd-lab"
"""The folder's own state: ``scores.json`` (this module), ``hints.json`` (``hint``). Shared,
never deleted."""
SCORES_FILE = "scores.json"


def home_of(path: Path, exercise) -> Path | None:
    """The folder whose scores a check of ``path`` updates: ``DIR`` where ``path`` is
    ``DIR/exercises/<the exercise's file name>``, the file ``list --dir DIR`` reports on.

    Any other file (``--file solutions/...``, ``--file mine.py``), and the stubs autograd-lab
    ships (not a working folder: in an installed wheel they are in site-packages), is checked
    but recorded nowhere: a score in the list always belongs to the file whose status it shows.
    """
    path = Path(os.path.abspath(path))
    if path.name != exercise.filename or path.parent.name != "exercises":
        return None
    if any(path.parent.resolve() == Path(shipped).resolve() for shipped in _shipped_stubs()):
        return None
    return path.parent.parent


def _shipped_stubs() -> list[str]:
    import importlib

    return list(getattr(importlib.import_module(STUBS_PACKAGE), "__path__", []))


def file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def read_scores(directory: Path) -> dict[str, dict]:
    """The last score of each exercise checked in ``directory``, by exercise id.

    A missing, unreadable or corrupt ``scores.json`` reads as no scores; so does an entry
    that is not ``{"score": number, "max_score": number, "sha256": str}``.
    """
    try:
        data = json.loads((directory / STATE_FOLDER / SCORES_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    entries = data.get("exercises") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        return {}

    def number(value) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool)

    return {key: entry for key, entry in entries.items()
            if isinstance(entry, dict) and number(entry.get("score"))
            and number(entry.get("max_score")) and isinstance(entry.get("sha256"), str)}


def record_score(directory: Path, exercise_id: str, *, score: float, max_score: float,
                 path: Path, device: str) -> Path:
    """Store an exercise's score in ``directory/.autograd-lab/scores.json``; returns that path.

    The other entries are kept (a corrupt file is replaced). The write is atomic: a temporary
    file in the same folder, then a rename, so a reader never sees half a file.

    Raises:
        OSError: the folder cannot be written.
    """
    folder = directory / STATE_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    entries = read_scores(directory)
    entries[exercise_id] = {"score": float(score), "max_score": float(max_score),
                            "sha256": file_sha256(path) or "", "device": device,
                            "checked_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    target = folder / SCORES_FILE
    write_atomic(target, json.dumps({"exercises": dict(sorted(entries.items()))}, indent=2) + "\n")
    return target


def last_score(exercise, directory: Path, scores: dict[str, dict]) -> str:
    """``7/10``, ``7/10 (edited since)`` when the file changed after that check, or ``-``
    (never checked here, or the file is gone)."""
    entry = scores.get(exercise.id)
    path = directory / "exercises" / exercise.filename
    if entry is None or not path.is_file():
        return "-"
    shown = f"{entry['score']:g}/{entry['max_score']:g}"
    return shown if file_sha256(path) == entry["sha256"] else f"{shown} (edited since)"
