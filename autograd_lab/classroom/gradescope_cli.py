"""``autograd-lab gradescope ...``: the commands that make a Gradescope autograder.

    $ autograd-lab gradescope build -o autograder.zip --exercises 1,3 --visibility hidden
    $ AUTOGRADER_ROOT=/tmp/gs autograd-lab gradescope run     # what run_autograder runs
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from autograd_lab.classroom.gradescope import VISIBILITIES


@click.group("gradescope")
def gradescope() -> None:
    """Make a Gradescope autograder from these checks."""


@gradescope.command("build")
@click.option("-o", "--output", "out", default="autograder.zip", show_default=True,
              type=click.Path(dir_okay=False), help="Where to write the autograder zip.")
@click.option("--exercises", "only", default=None,
              help="Comma-separated exercises to grade (ids, numbers or slugs; default: all).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0,
              show_default=True, help="Seconds a student's code may take for one exercise.")
@click.option("--memory", "memory_mb", type=click.IntRange(min=64), default=1024,
              show_default=True, help="Memory (MB) a student's code may add (Gradescope's "
                                      "containers are small; the solutions pass at 128).")
@click.option("--visibility", type=click.Choice(VISIBILITIES), default="visible",
              show_default=True,
              help="What students see: everything at once (visible); everything after the due "
                   "date or once grades are published; or the score at once and each check's "
                   "result and diagnosis once grades are published (hidden).")
def build_command(out: str, only: str | None, timeout: float, memory_mb: int,
                  visibility: str) -> None:
    """Write the zip to upload as a Gradescope autograder.

    It holds setup.sh (installs a CPU-only torch, pinned, and this autograd-lab into the
    image's Python), run_autograder (grades /autograder/submission and writes
    /autograder/results/results.json) and the choices made here. Nothing is downloaded.
    """
    from autograd_lab.classroom.autograder_zip import build_autograder
    from autograd_lab.cli import CommandError, chosen_exercises
    from autograd_lab.errors import AutogradLabError

    try:
        chosen = chosen_exercises(only)
        built = build_autograder(Path(out), exercises=chosen, timeout=timeout,
                                 memory_mb=memory_mb, visibility=visibility)
    except AutogradLabError as exc:
        raise CommandError(str(exc)) from None
    except OSError as exc:
        raise CommandError(f"Cannot write {out}: {exc.strerror or exc}") from None
    config = built.config
    points = sum(e.points for e in chosen)
    click.echo(f"wrote {built.path}: {', '.join(config.exercises)} ({points:g} points), "
               f"timeout {config.timeout:g} s, memory {config.memory_mb} MB, visibility "
               f"{config.visibility}; setup.sh installs torch=={config.torch} (CPU only) and "
               f"autograd-lab {config.built_with}")
    click.echo("Upload it as the assignment's autograder (Ubuntu base image).")


@gradescope.command("run")
@click.option("--root", type=click.Path(file_okay=False), default=None,
              help="Gradescope's folder (default: $AUTOGRADER_ROOT, else /autograder).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="The zip's autograd-lab.json (default: ROOT/source/autograd-lab.json).")
def run_command(root: str | None, config_path: str | None) -> None:
    """Grade ROOT/submission as run_autograder does.

    Writes ROOT/results/results.json, always (score 0 and what went wrong when the
    submission cannot be graded), and exits 0.
    """
    from autograd_lab.classroom.autograder_config import CONFIG_NAME
    from autograd_lab.classroom.autograder_run import grade_submission

    base = Path(root or os.environ.get("AUTOGRADER_ROOT") or "/autograder")
    data = grade_submission(base, Path(config_path) if config_path else base / "source" /
                            CONFIG_NAME)
    max_score = sum(t["max_score"] for t in data["tests"])
    click.echo(f"score {data['score']:g}/{max_score:g}; wrote {base / 'results' / 'results.json'}")
