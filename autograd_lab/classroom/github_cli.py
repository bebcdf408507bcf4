"""``autograd-lab classroom ...``: the commands for a GitHub Classroom assignment."""

from __future__ import annotations

import click


@click.group("classroom")
def classroom() -> None:
    """Set up a GitHub Classroom assignment graded by these checks."""
