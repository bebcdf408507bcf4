"""``autograd-lab gradescope ...``: the commands that make a Gradescope autograder."""

from __future__ import annotations

import click


@click.group("gradescope")
def gradescope() -> None:
    """Make a Gradescope autograder from these checks."""
