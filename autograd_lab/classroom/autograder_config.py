"""What `autograd-lab gradescope build` bakes into the zip, for `run_autograder` to read.

The zip holds it as ``autograd-lab.json`` (Gradescope unpacks the zip into
``/autograder/source``): the exercises graded, the limits and what students see. A zip built
once grades every submission the same way, whatever the machine.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from autograd_lab.classroom.gradescope import VISIBILITIES
from autograd_lab.errors import AutogradLabError

CONFIG_NAME = "autograd-lab.json"
"""The config's file name in the zip (and so in ``/autograder/source``)."""


class BadAutograderConfig(AutogradLabError):
    """The autograder's ``autograd-lab.json`` is missing, not JSON, or holds a wrong field."""


@dataclass(frozen=True)
class AutograderConfig:
    """How run_autograder grades each submission."""

    exercises: tuple[str, ...]
    """The exercise ids graded, in course order."""
    timeout: float
    """Seconds a student's code may take for one exercise (``grade --timeout``)."""
    memory_mb: int
    """Memory (MB) a student's code may add, on CPU (``grade --memory``)."""
    visibility: str
    """What students see, and when: one of
    :data:`~autograd_lab.classroom.gradescope.VISIBILITIES`."""
    torch: str = ""
    """The torch version setup.sh installs (for the record: setup.sh itself pins it)."""
    built_with: str = ""
    """The autograd-lab version that built the zip."""

    def to_json(self) -> str:
        data = asdict(self)
        data["exercises"] = list(self.exercises)
        return json.dumps(data, indent=2) + "\n"

    def deadline(self) -> float:
        """Seconds the whole grading may take before run_autograder gives up on it: per
        exercise the timeout plus the minute a grader is allowed past it, and two minutes to
        start (import torch, probe the isolation)."""
        return len(self.exercises) * (self.timeout + 70.0) + 120.0


def read_config(path: Path) -> AutograderConfig:
    """The config at ``path``, checked field by field.

    Raises:
        BadAutograderConfig: it is missing, no JSON object, or a field is absent or wrong.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise BadAutograderConfig(f"cannot read the autograder's config {path}: "
                                  f"{exc.strerror or exc}") from None
    except ValueError as exc:
        raise BadAutograderConfig(f"the autograder's config {path} is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BadAutograderConfig(f"the autograder's config {path} is not a JSON object")

    def field(name: str, kinds: tuple[type, ...]):
        value = data.get(name)
        if not isinstance(value, kinds) or isinstance(value, bool):
            expected = " or ".join(kind.__name__ for kind in kinds)
            raise BadAutograderConfig(f"the autograder's config {path}: {name!r} is "
                                      f"{value!r}, expected {expected}")
        return value

    exercises = field("exercises", (list,))
    if not exercises or not all(isinstance(e, str) for e in exercises):
        raise BadAutograderConfig(f"the autograder's config {path}: 'exercises' names no "
                                  "exercise")
    # Ids only, checked by their form: the catalog (and torch with it) is loaded by `grade`,
    # which refuses an unknown one, not by the process that waits for it.
    if not all(re.fullmatch(r"exercise[1-9]\d*", name) for name in exercises):
        raise BadAutograderConfig(f"the autograder's config {path}: 'exercises' is "
                                  f"{exercises!r}, expected ids such as 'exercise3'")
    ids = tuple(exercises)
    timeout = float(field("timeout", (int, float)))
    memory = field("memory_mb", (int,))
    visibility = field("visibility", (str,))
    if timeout <= 0 or memory < 64 or visibility not in VISIBILITIES:
        raise BadAutograderConfig(f"the autograder's config {path}: timeout {timeout}, memory_mb "
                                  f"{memory}, visibility {visibility!r}: expected a timeout > 0, "
                                  f"memory_mb >= 64, visibility one of {', '.join(VISIBILITIES)}")
    return AutograderConfig(ids, timeout, memory, visibility, str(data.get("torch", "")),
                            str(data.get("built_with", "")))
