"""`autograd-lab merge OUT1 OUT2 ... -o OUT`: the shards' outputs, combined into what one run
over the whole class would have written.

Each input is the output folder of a `grade` run (its run.json, grades.json, feedback/ and
.cache/). The merge writes OUT/grades.json (every student, in the order one run lists them),
OUT/grades.csv (from it, by the function `grade` uses), each student's feedback file as their
shard wrote it, the union of the caches (so that a rerun over the whole class in OUT grades
nothing again), OUT/run.json (as a run without --shard writes it) and the files computed from
grades.json (see :mod:`derived`).

It refuses (and writes nothing) when the inputs do not make one class: a folder that is no
complete `grade` output (no run.json or grades.json, a file that does not parse, a feedback
file missing, a journal a killed run left), inputs graded by another grader version, other
exercises or other limits, shards of different counts or a shard missing, a student in a
shard the hash does not put there, or a student in two inputs graded differently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from autograd_lab.atomic_write import write_atomic
from autograd_lab.classroom import derived, journal, manifest
from autograd_lab.classroom.results import PENDING, csv_text, grades_json_text, student_order
from autograd_lab.classroom.shard import shard_of
from autograd_lab.errors import AutogradLabError


class MergeRefused(AutogradLabError):
    """The inputs cannot be merged into one class's output; the message says why."""


@dataclass
class _Input:
    folder: Path
    run: dict
    grades: dict
    feedback: dict[str, bytes]
    """Student -> their feedback file's bytes."""


@dataclass
class Merged:
    """What a merge did."""

    students: int = 0
    pending: int = 0
    """Items no shard had graded yet (a shard that was interrupted): ``pending`` in OUT."""
    written: list[Path] = field(default_factory=list)


def _load_json(path: Path, what: str):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MergeRefused(f"{path.parent} has no {path.name}: not the output folder of a "
                           f"complete `autograd-lab grade` run ({what})") from None
    except (OSError, ValueError) as exc:
        raise MergeRefused(f"{path} cannot be read ({type(exc).__name__}: {exc}): the "
                           "output is damaged; grade that shard again") from None


def _read(folder: Path) -> _Input:
    if not folder.is_dir():
        raise MergeRefused(f"No such folder: {folder}")
    if journal.path_in(folder).exists():
        raise MergeRefused(f"{folder} holds {journal.NAME}: its run was killed before it "
                           "wrote its grades; run the same `grade` command again there to "
                           "finish it")
    run = _load_json(folder / manifest.NAME, "it says what the run graded with")
    grades = _load_json(folder / "grades.json", "the grades")
    try:
        if run.get("format") != manifest.FORMAT:
            raise MergeRefused(f"{folder / manifest.NAME}: format {run.get('format')!r}, this "
                               f"autograd-lab reads format {manifest.FORMAT}")
        ids = [e["id"] for e in grades["exercises"]]
        feedback = {}
        for student, entry in grades["students"].items():
            if list(entry["exercises"]) != ids:
                raise MergeRefused(f"{folder / 'grades.json'}: {student!r} does not list the "
                                   "run's exercises; the file is damaged")
            path = folder / entry["feedback"]
            if not path.resolve().is_relative_to(folder.resolve()):
                raise MergeRefused(f"{folder / 'grades.json'}: {student!r}'s feedback lies "
                                   "outside the folder; the file is damaged")
            try:
                feedback[student] = path.read_bytes()
            except OSError:
                raise MergeRefused(f"{path} is missing: the output of {folder} is "
                                   "incomplete; grade that shard again") from None
    except (KeyError, TypeError, AttributeError) as exc:
        raise MergeRefused(f"{folder}: grades.json or run.json is not what `grade` writes "
                           f"({type(exc).__name__}: {exc}); the output is damaged") from None
    return _Input(folder, run, grades, feedback)


def _same_run(inputs: list[_Input]) -> dict:
    """The run.json every input shares (but for the shard); refuse if they differ."""
    first = inputs[0]
    common = {k: v for k, v in first.run.items() if k != "shard"}
    for other in inputs[1:]:
        for key in ("grader_version", "exercises", "settings"):
            if other.run.get(key) != first.run.get(key):
                raise MergeRefused(
                    f"{first.folder} and {other.folder} were graded with different {key} "
                    f"({first.run.get(key)!r} and {other.run.get(key)!r}): their grades are "
                    "not one class's; grade them again with the same autograd-lab and options")
        for key in ("grader_version", "exercises", "skipped"):
            if other.grades.get(key) != first.grades.get(key):
                what = ("were graded from different SUBMISSIONS folders" if key == "skipped"
                        else f"list different {key} in grades.json")
                raise MergeRefused(f"{first.folder} and {other.folder} {what}")
    return common


def _check_shards(inputs: list[_Input]) -> None:
    shards = [i.run.get("shard") for i in inputs]
    if all(s is None for s in shards):
        return
    if any(s is None for s in shards):
        whole = [str(i.folder) for i, s in zip(inputs, shards) if s is None]
        raise MergeRefused(f"{', '.join(whole)} graded the whole class, the other inputs a "
                           "shard of it: merge the shards only")
    counts = {s["count"] for s in shards}
    if len(counts) > 1:
        raise MergeRefused(f"the inputs are shards of different counts ({sorted(counts)}): "
                           "grade every shard with the same --shard K/N count")
    count = counts.pop()
    missing = sorted(set(range(1, count + 1)) - {s["index"] for s in shards})
    if missing:
        shown = ", ".join(f"{k}/{count}" for k in missing)
        raise MergeRefused(f"shard {shown} missing: its students would be left out; grade it "
                           "and pass its output too")
    for item, shard in zip(inputs, shards):
        for student in item.grades["students"]:
            if shard_of(student, count) != shard["index"]:
                raise MergeRefused(
                    f"{item.folder} says it is shard {shard['index']}/{count} but holds "
                    f"{student!r}, of shard {shard_of(student, count)}/{count}: it was not "
                    "graded with that --shard")


def merge(inputs: list[Path], out: Path) -> Merged:
    """Merge the ``inputs`` (grade output folders) into ``out`` (created); see the module.

    Raises:
        MergeRefused: the inputs do not make one class (nothing is written then).
    """
    inputs = [Path(p) for p in inputs]
    out = Path(out)
    if not inputs:
        raise MergeRefused("nothing to merge: pass the shards' output folders")
    for folder in inputs:
        if folder.exists() and out.exists() and folder.resolve() == out.resolve():
            raise MergeRefused(f"the output folder {out} is one of the inputs: choose another")
    read = [_read(folder) for folder in inputs]
    common = _same_run(read)
    _check_shards(read)

    students: dict[str, dict] = {}
    feedback: dict[str, bytes] = {}
    came_from: dict[str, Path] = {}
    for item in read:
        for student, entry in item.grades["students"].items():
            if student in students:
                if entry != students[student] or item.feedback[student] != feedback[student]:
                    raise MergeRefused(
                        f"{student!r} is in {came_from[student]} and in {item.folder}, graded "
                        "differently: keep one of them (or grade that student again)")
                continue
            students[student], feedback[student] = entry, item.feedback[student]
            came_from[student] = item.folder
    caches: dict[str, bytes] = {}
    for item in read:
        for path in sorted((item.folder / ".cache").glob("*.json")):
            data = path.read_bytes()
            if caches.setdefault(path.name, data) != data:
                raise MergeRefused(f"{path} differs from the same cache entry of another "
                                   "input: the inputs are not one class's")

    first = read[0].grades
    order = sorted(students, key=student_order)
    grades = {"grader_version": first["grader_version"], "exercises": first["exercises"],
              "skipped": first["skipped"], "students": {s: students[s] for s in order}}
    out.mkdir(parents=True, exist_ok=True)
    (out / "feedback").mkdir(exist_ok=True)
    (out / ".cache").mkdir(exist_ok=True)
    for name, data in caches.items():
        (out / ".cache" / name).write_bytes(data)
    for student in order:
        target = out / students[student]["feedback"]
        write_atomic(target, feedback[student].decode("utf-8", "surrogateescape"))
    write_atomic(out / "grades.csv", csv_text(grades))
    write_atomic(out / "grades.json", grades_json_text(grades))
    extra = derived.write_all(out, grades)
    manifest.write(out, {**common, "shard": None})
    pending = sum(1 for s in students.values() for r in s["exercises"].values()
                  if r.get("status") == PENDING)
    return Merged(students=len(order), pending=pending,
                  written=[out / "grades.csv", out / "grades.json", out / "feedback",
                           out / ".cache", out / manifest.NAME, *extra])
