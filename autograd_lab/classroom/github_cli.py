"""``autograd-lab classroom ...``: the commands for a GitHub Classroom assignment.

    $ autograd-lab classroom init template/ --exercises 1,3     # the template's workflow
    $ autograd-lab classroom report exercise3                   # what each workflow step runs
"""

from __future__ import annotations

import os
from pathlib import Path

import click


@click.group("classroom")
def classroom() -> None:
    """Set up a GitHub Classroom assignment graded by these checks."""


@classroom.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--exercises", "only", default=None,
              help="Comma-separated exercises to grade (ids, numbers or slugs; default: all).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0,
              show_default=True, help="Seconds a student's code may take for one exercise.")
@click.option("--install", "package", default=None, metavar="SPEC",
              help="What the workflow pip-installs as autograd-lab (a requirement, a URL, a "
                   "path in the repository); default: this autograd-lab as a wheel written "
                   "into DIR/.github/autograd-lab/.")
@click.option("--force", is_flag=True, help="Overwrite the workflow and AUTOGRADING.md.")
def init_command(directory: str, only: str | None, timeout: float, package: str | None,
                 force: bool) -> None:
    """Write the autograding workflow of a GitHub Classroom template repository into DIR.

    DIR/.github/workflows/classroom.yml installs a CPU-only torch (pinned) and autograd-lab,
    grades each exercise in a step of its own (partial credit per check) and reports the
    points to GitHub Classroom; DIR/AUTOGRADING.md tells students how it works. A file
    already there is kept unless --force.
    """
    from autograd_lab.classroom.autograder_scripts import TORCH_CPU_INDEX
    from autograd_lab.classroom.autograder_zip import torch_pin
    from autograd_lab.classroom.classroom_workflow import write_template
    from autograd_lab.cli import CommandError, chosen_exercises
    from autograd_lab.errors import AutogradLabError

    try:
        chosen = chosen_exercises(only)
        done = write_template(Path(directory), chosen, torch=torch_pin(),
                              torch_index=TORCH_CPU_INDEX, package=package, force=force,
                              timeout=timeout)
    except AutogradLabError as exc:
        raise CommandError(str(exc)) from None
    except FileExistsError as exc:
        raise CommandError(f"Already there: {exc}. Nothing written; pass --force to "
                           "overwrite.") from None
    except OSError as exc:
        raise CommandError(f"Cannot write into {directory}: {exc.strerror or exc}") from None
    points = sum(e.points for e in chosen)
    for path in done.written:
        click.echo(f"wrote {path}")
    click.echo(f"The workflow grades {', '.join(e.id for e in chosen)} ({points:g} points). "
               f"Add the stubs (`autograd-lab init {directory}`), commit everything (the "
               "wheel too) and mark the repository as a template for the assignment.")


@classroom.command("report")
@click.argument("exercise")
@click.option("--file", "file", type=click.Path(dir_okay=False),
              help="The file to grade (default: ./exercises/<the stub's file name>).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0,
              show_default=True, help="Seconds the student's code may take for the exercise.")
@click.option("--isolation", type=click.Choice(["best", "strict"]), default="best",
              show_default=True, help="As for `autograd-lab check`.")
def report_command(exercise: str, file: str | None, timeout: float, isolation: str) -> None:
    """Grade one exercise as `autograd-lab check` does, for GitHub Classroom's reporter.

    Writes `result=<base64 JSON>` (the grading reporter's format: one test per check with
    the points it earned) to $GITHUB_OUTPUT, and prints the checks as `check` does; without
    GITHUB_OUTPUT, prints the `result=` line instead (the checks go to stderr). Exit code 0
    whatever the grade, even when the file is missing (status "error"): the reporter totals
    the points; 2 only for a misuse (an unknown exercise, an unwritable $GITHUB_OUTPUT).
    """
    from autograd_lab.catalog import lookup
    from autograd_lab.classroom.classroom_report import (
        classroom_result, error_result, output_line, write_github_output)
    from autograd_lab.cli import CommandError
    from autograd_lab.errors import AutogradLabError

    try:
        entry = lookup(exercise)
    except AutogradLabError as exc:
        raise CommandError(str(exc)) from None
    path = file or str(Path("exercises") / entry.filename)
    command = f"autograd-lab check {entry.id} --file {path}"
    text = None
    if not Path(path).is_file():
        result = error_result(entry, f"No such file: {path}. Keep the stub's name and folder.",
                              command=command, filename=path)
    else:
        from autograd_lab.grading.engine import grade
        from autograd_lab.grading.render import render_text
        from autograd_lab.sandbox import isolation as sandbox

        try:
            sandbox.configure(isolation)
            report = grade(entry, path, device="cpu", timeout=timeout)
        except AutogradLabError as exc:
            result = error_result(entry, f"Could not grade {path}: {exc}", command=command,
                                  filename=path)
        else:
            result = classroom_result(report, command=command)
            text = render_text(report)
    if text is None:
        text = f"{entry.id}: {result['tests'][0]['message']}"
    target = os.environ.get("GITHUB_OUTPUT")
    if target:
        try:
            write_github_output(result, target)
        except OSError as exc:
            raise CommandError(f"Cannot write $GITHUB_OUTPUT ({target}): "
                               f"{exc.strerror or exc}") from None
        click.echo(text)
    else:
        click.echo(text, err=True)
        click.echo(output_line(result))
