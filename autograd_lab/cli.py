"""The ``autograd-lab`` command: click commands only (parse, call the library, print).

    $ autograd-lab --help
    Usage: autograd-lab [OPTIONS] COMMAND [ARGS]...

      Learn PyTorch autograd by doing: exercises, a grader, a graph visualizer.

    Commands:
      (filled in below)

Exit codes: 0 all checks pass, 1 some checks fail, 2 the command itself could not run
(unknown exercise, missing file, CUDA asked for and absent, a bad option). With `check --json`
stdout is one JSON object in every case: the report, or `{"error": ..., "exit_code": 2}`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from autograd_lab import __version__
from autograd_lab.errors import AutogradLabError


class CommandError(click.ClickException):
    """The command could not run (exit code 2)."""

    exit_code = 2


def chosen_exercises(only: str | None) -> list:
    """The exercises an ``--exercises`` option names (comma-separated ids, numbers or slugs),
    in course order; every exercise when it is not given. Raises UnknownExercise for a name
    that is none (the caller turns it into exit 2), CommandError when it names nothing."""
    from autograd_lab.catalog import EXERCISES, lookup

    if only is None:
        return list(EXERCISES)
    names = [name for name in only.split(",") if name.strip()]
    if not names:
        raise CommandError("--exercises names no exercise")
    return sorted({lookup(name) for name in names}, key=lambda e: e.number)


def _json_error(message: str, **context) -> None:
    """Print the one JSON object of a ``--json`` command that could not run, and exit 2."""
    click.echo(json.dumps({"error": message, "exit_code": 2, **context}, indent=2,
                          sort_keys=True))
    raise click.exceptions.Exit(2)


class JsonErrorsCommand(click.Command):
    """A command whose ``--json`` holds also when its arguments are wrong: a usage error
    (missing argument, bad option value) becomes ``{"error": ..., "exit_code": 2}`` on stdout
    instead of click's text on stderr."""

    def make_context(self, info_name, args, parent=None, **extra):
        as_json = "--json" in args[:args.index("--")] if "--" in args else "--json" in args
        try:
            return super().make_context(info_name, list(args), parent=parent, **extra)
        except click.UsageError as exc:
            if not as_json:
                raise
            _json_error(exc.format_message(), command=info_name)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="autograd-lab")
def cli() -> None:
    """Learn PyTorch autograd by doing: exercises, a grader, a graph visualizer.

    Start with `autograd-lab init`, edit exercises/exercise1_numpy_backprop.py, then run
    `autograd-lab check 1`.
    """


@cli.command("list")
@click.option("--dir", "directory", default=".", type=click.Path(file_okay=False),
              help="Folder whose exercises/ subfolder is inspected (default: here).")
def list_command(directory: str) -> None:
    """List the exercises, their points, and their status here.

    Status is `missing` (no file in ./exercises/), `not started` (still the stub) or
    `edited`. Last score is what `autograd-lab check` gave that file here (`7/10`), marked
    `(edited since)` when the file changed after it, `-` when it was never checked here.
    """
    from autograd_lab.catalog import EXERCISES
    from autograd_lab.workspace import last_score, read_scores, status

    scores = read_scores(Path(directory))
    rows = [(e.id, e.slug, e.title, f"{e.points:g}", last_score(e, Path(directory), scores),
             status(e, Path(directory))) for e in EXERCISES]
    headers = ("id", "slug", "title", "points", "last score", "status")
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    for row in [headers, *rows]:
        click.echo("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())


@cli.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
def init(directory: str) -> None:
    """Copy fresh exercise stubs into DIRECTORY/exercises/ to work in.

    A file that is already there is never overwritten.
    """
    from autograd_lab.workspace import copy_stubs

    for path, created in copy_stubs(Path(directory)):
        click.echo(f"{'created' if created else 'kept   '}  {path}")
    click.echo("Next: edit the first exercise, then run `autograd-lab check 1`.")


@cli.command(cls=JsonErrorsCommand)
@click.argument("exercise")
@click.option("--file", "file", type=click.Path(dir_okay=False),
              help="The file to check (default: ./exercises/<the stub's file name>).")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True,
              help="Where the inputs live while your code runs.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0,
              show_default=True, help="Seconds your code may take for the whole exercise.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option("--isolation", type=click.Choice(["best", "strict"]), default="best",
              show_default=True, help="strict: refuse to run where the kernel cannot isolate "
                                      "your code (best: run, and say what is missing).")
def check(exercise: str, file: str | None, device: str, timeout: float, as_json: bool,
          isolation: str) -> None:
    """Check your solution to one exercise against torch.autograd.

    EXERCISE is an id (exercise3), a number (3) or a slug (my_relu). Every check prints
    passed or failed with its points; a failed one shows the smallest failing input,
    expected and got, and the likely mistake. Exit code 0 when all checks pass, 1 when some
    fail, 2 when the check could not run (with --json: a JSON object with `error`).

    The score of DIR/exercises/<file> is kept in DIR/.autograd-lab/scores.json for
    `autograd-lab list`; a --file elsewhere is checked and recorded nowhere.
    """
    from autograd_lab.catalog import lookup
    from autograd_lab.grading.engine import grade
    from autograd_lab.grading.render import render_text
    from autograd_lab.workspace import home_of, record_score

    def cannot_run(message: str, **context):
        if as_json:
            _json_error(message, command="check", device=device, **context)
        raise CommandError(message)

    try:
        entry = lookup(exercise)
    except AutogradLabError as exc:
        cannot_run(str(exc), exercise=exercise, file=file)
    path = file or str(Path("exercises") / entry.filename)
    if not Path(path).is_file():
        hint = ("" if file else " Run `autograd-lab init` to get the stubs, or pass --file.")
        cannot_run(f"No such file: {path}.{hint}", exercise=entry.id, file=path)
    from autograd_lab.sandbox import isolation as sandbox

    sandbox.configure(isolation)
    try:
        report = grade(entry, path, device=device, timeout=timeout)
    except AutogradLabError as exc:
        cannot_run(str(exc), exercise=entry.id, file=path)
    home = home_of(Path(path), entry)
    if home is not None:
        try:
            record_score(home, entry.id, score=report.score, max_score=report.max_score,
                         path=Path(path), device=device)
        except OSError as exc:
            click.echo(f"(the score was not saved for `autograd-lab list`: {exc})", err=True)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, sort_keys=True))
    else:
        click.echo(render_text(report))
    sys.exit(0 if report.passed else 1)


@cli.command()
@click.argument("exercise")
@click.option("--all", "show_all", is_flag=True, help="Print every hint at once.")
@click.option("--dir", "directory", default=".", type=click.Path(file_okay=False, exists=True),
              help="Folder whose hint progress is used, kept in DIR/.autograd-lab/hints.json "
                   "(default: here).")
@click.option("--reset", is_flag=True, help="Forget which hints were shown: start over at hint 1.")
def hint(exercise: str, show_all: bool, directory: str, reset: bool) -> None:
    """Show the next hint for one exercise.

    EXERCISE is an id (exercise3), a number (3) or a slug (my_relu). The hints go from the
    idea, to the API, to nearly the code, to the full walk-through; each call shows the next
    one (remembered per folder), and after the last one the last again. Exit code 0, or 2
    when the command could not run.
    """
    from autograd_lab.catalog import lookup
    from autograd_lab.hints.progress import give_hint

    try:
        answer = give_hint(lookup(exercise), Path(directory), show_all=show_all, reset=reset)
    except AutogradLabError as exc:
        raise CommandError(str(exc)) from None
    for warning in answer.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(answer.text)


@cli.command("grade")
@click.argument("submissions", type=click.Path())
@click.option("-o", "--output", "out", required=True, type=click.Path(file_okay=False),
              help="Folder for grades.csv, grades.json and feedback/ (created).")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Exercises graded at once (one process each).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0,
              show_default=True, help="Seconds a student's code may take for one exercise.")
@click.option("--memory", "memory_mb", type=click.IntRange(min=64), default=4096,
              show_default=True, help="Memory (MB) a student's code may add, on CPU.")
@click.option("--exercises", "only", default=None,
              help="Comma-separated exercises to grade (ids, numbers or slugs; default: all).")
@click.option("--force", is_flag=True, help="Grade again what the cache says is unchanged.")
@click.option("--gradescope", is_flag=True,
              help="SUBMISSIONS is one submission: also write Gradescope's OUT/results.json.")
@click.option("--isolation", type=click.Choice(["best", "strict"]), default="best",
              show_default=True, help="strict: refuse to run where the kernel cannot isolate "
                                      "students' code (best: run, and say what is missing).")
@click.option("--shard", "shard_spec", default=None, metavar="K/N",
              help="Grade only shard K of N (K is 1-based: 1/4 to 4/4), a stable share of the "
                   "students by a hash of their name, the same on every machine; merge the "
                   "shards' outputs with `autograd-lab merge`. Default: from SLURM_ARRAY_TASK_ID "
                   "and SLURM_ARRAY_TASK_COUNT (a SLURM job array, 0- or 1-based), or from "
                   "JOB_COMPLETION_INDEX and AUTOGRAD_LAB_SHARD_COUNT (a Kubernetes Indexed "
                   "Job), else the whole class; 1/1 grades the whole class anyway.")
def grade_command(submissions: str, out: str, jobs: int, timeout: float, memory_mb: int,
                  only: str | None, force: bool, gradescope: bool, isolation: str,
                  shard_spec: str | None) -> None:
    """Grade a class: every submission in SUBMISSIONS, every exercise.

    SUBMISSIONS holds one folder or .zip per student, with the exercise files at its top or
    under exercises/, named as the stubs are. Each result is appended to OUT/journal.jsonl as
    it comes; OUT/grades.csv, OUT/grades.json and a feedback file per student are written at
    the end, or when the run is interrupted (Ctrl-C, SIGTERM: what finished is kept), and
    now and then meanwhile (at most 5% of the run's time). A rerun
    skips unchanged files unless --force, and what a killed run finished. Progress goes to
    stderr. Exit code 0 when the run completed (whatever the scores), 2 when it could not
    run, 130 (Ctrl-C) or 143 (SIGTERM) when interrupted.
    """
    import os
    import signal

    from autograd_lab.classroom import shard as sharding
    from autograd_lab.classroom.run import GradingInterrupted, grade_class
    from autograd_lab.sandbox import isolation as sandbox

    try:
        chosen_shard = sharding.parse(shard_spec) if shard_spec is not None else None
    except sharding.BadShard as exc:
        raise click.BadParameter(str(exc), param_hint="--shard") from None
    try:
        if chosen_shard is not None and gradescope:
            raise click.UsageError("--shard splits a class; --gradescope grades one submission")
        if chosen_shard is None and not gradescope:
            chosen_shard = sharding.from_environment(os.environ)
        if chosen_shard is not None and chosen_shard.count == 1:
            chosen_shard = None  # 1/1: the whole class, written as a run without --shard
        elif chosen_shard is not None:
            click.echo(f"grading shard {chosen_shard} of the class ({chosen_shard.why}); merge "
                       "the shards' outputs with `autograd-lab merge`", err=True)
        sandbox.configure(isolation)
        sandbox.level()  # probed once, before any grading: strict refuses here
        chosen = chosen_exercises(only)
        summary = grade_class(Path(submissions), Path(out), exercises=chosen, jobs=jobs,
                              timeout=timeout, memory_mb=memory_mb, force=force,
                              gradescope=gradescope, stream=sys.stderr, shard=chosen_shard)
    except GradingInterrupted as exc:
        click.echo(str(exc), err=True)
        sys.exit(128 + exc.signum)
    except sharding.BadShard as exc:
        raise click.UsageError(str(exc)) from None
    except AutogradLabError as exc:
        raise CommandError(str(exc)) from None
    book = summary.gradebook
    width = max((len(s) for s in book.submissions), default=7)
    for student in book.submissions:
        score, max_score = book.total(student)
        click.echo(f"{student:<{width}}  {score:g}/{max_score:g}")
    for line in book.skipped:
        click.echo(f"skipped: {line}", err=True)
    of = f" (shard {summary.shard})" if summary.shard is not None else ""
    click.echo(f"{len(book.submissions)} students{of}: {summary.graded} graded, "
               f"{summary.cached} unchanged (from the cache), in {summary.seconds:.1f} s; wrote "
               f"{', '.join(str(p) for p in summary.written)}")


@cli.command("merge")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(file_okay=False))
@click.option("-o", "--output", "out", required=True, type=click.Path(file_okay=False),
              help="Folder for the merged grades.csv, grades.json, feedback/ and cache.")
def merge_command(inputs: tuple[str, ...], out: str) -> None:
    """Merge the outputs of `grade --shard K/N` runs into one class's output.

    INPUTS are the shards' output folders (every shard of N). OUT gets what one `grade` run
    over the whole class would have written: grades.csv, grades.json, each student's
    feedback, the cache (a rerun in OUT grades nothing again) and run.json. Refused, with
    nothing written, when the inputs are not one class: a folder that is no complete grade
    output, a shard missing, shards graded with other exercises, limits or grader version, a
    student graded differently in two of them. Exit code 0 when merged, 2 when refused.
    """
    from autograd_lab.classroom.merge import merge

    try:
        merged = merge([Path(p) for p in inputs], Path(out))
    except AutogradLabError as exc:
        raise CommandError(str(exc)) from None
    if merged.pending:
        click.echo(f"warning: {merged.pending} items are pending (a shard was interrupted "
                   "before grading them): grade that shard again, then merge again", err=True)
    click.echo(f"merged {len(inputs)} outputs: {merged.students} students; wrote "
               f"{', '.join(str(p) for p in merged.written)}")


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("script", type=click.Path(dir_okay=False))
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False),
              help="Where to write the picture (default: the script's name with the format's "
                   "suffix, in the current folder); page.html writes the stepper page.")
@click.option("--format", "fmt",
              type=click.Choice(["svg", "png", "pdf", "html", "dot", "json"]),
              help="Output format (default: from the output's suffix, else svg). html: one "
                   "self-contained page that steps through each backward pass, a function at "
                   "a time (buttons, arrow keys, a slider); opens offline in any browser.")
@click.option("--values", "values", type=click.IntRange(min=0), default=16, show_default=True,
              metavar="N",
              help="Show the values of tensors of at most N elements, and of their gradients "
                   "(larger ones: shape, and a norm for gradients); 0 shows none. JSON keeps "
                   "them exact.")
@click.option("--max-nodes", type=click.IntRange(min=10), default=None,
              help="Collapse the middle of graphs larger than this (default: a size Graphviz "
                   "lays out in a few seconds).")
@click.option("--all-nodes", is_flag=True, help="Never collapse (large graphs lay out slowly).")
@click.option("--saved/--no-saved", default=True, show_default=True,
              help="Draw the tensors each function saved for backward.")
@click.option("--max-graphs", type=click.IntRange(min=1), default=20, show_default=True,
              help="Distinct graphs to draw; identical ones are drawn once, marked xN.")
def graph(script: str, args: tuple[str, ...], out: str | None, fmt: str | None, values: int,
          max_nodes: int | None, all_nodes: bool, saved: bool, max_graphs: int) -> None:
    """Draw the autograd graphs a script builds.

    Runs SCRIPT as __main__ with ARGS, records each graph when backward() (or
    torch.autograd.grad) is called on it, just before autograd runs it, and each graph still
    reachable from the script's variables at the end. Tensors are named after the variables
    that hold them, small ones show their values and gradients, and each function the order
    backward ran it in. A training loop is drawn once, marked xN. `--format html` (or
    `-o page.html`) writes a page that steps through each backward pass. Put `--` before ARGS
    that look like this command's own options.

    Exit code 0 when the picture was written, 1 when the script failed (what was captured
    until then is drawn) or built no graph, 2 when the command could not run.
    """
    from autograd_lab.viz import output
    from autograd_lab.viz.collapse import DEFAULT_MAX_NODES, share_budget
    from autograd_lab.viz.script import run_script

    if not Path(script).is_file():
        raise CommandError(f"No such script: {script}")
    try:
        fmt = fmt or (output.format_from_suffix(out) if out else "svg")
        target = Path(out) if out else Path(f"{Path(script).stem}.{fmt}")
        output.require_dot(fmt)
    except AutogradLabError as exc:
        raise CommandError(str(exc)) from None
    limit = None if all_nodes else (max_nodes or DEFAULT_MAX_NODES)
    click.echo(f"running {script} ...", err=True)
    captured = run_script(script, list(args), max_graphs=max_graphs, max_nodes=limit, saved=saved,
                          values=values)
    if captured.error:
        click.echo(f"the script failed: {captured.error}", err=True)
    if not captured.graphs:
        why = ("the script failed before it built one" if captured.error else
               "no tensor that requires grad was used (create one with "
               "`torch.randn(..., requires_grad=True)`)")
        click.echo(f"No autograd graph to draw: {why}.", err=True)
        sys.exit(1)
    if not all_nodes:
        share_budget(captured)
    try:
        written = output.write(captured, target, fmt)
    except AutogradLabError as exc:
        raise CommandError(str(exc)) from None
    click.echo(_graph_summary(captured, written))
    sys.exit(1 if captured.error else 0)


def _graph_summary(captured, written: Path) -> str:
    parts = []
    for g in captured.graphs:
        text = f"{len(g.nodes)} nodes"
        if g.count > 1:
            text += f" x{g.count}"
        if g.hidden:
            text += f" ({g.hidden} collapsed)"
        parts.append(text)
    more = f"; {captured.omitted} more distinct graphs not drawn" if captured.omitted else ""
    return f"wrote {written}: {len(captured.graphs)} graph(s): {', '.join(parts)}{more}"


from autograd_lab.classroom.github_cli import classroom  # noqa: E402 (after cli exists)
from autograd_lab.classroom.gradescope_cli import gradescope  # noqa: E402

cli.add_command(classroom)
cli.add_command(gradescope)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="autograd-lab")
