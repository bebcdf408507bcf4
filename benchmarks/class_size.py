"""What a student costs in a class of 30 and in one of 300: the bookkeeping that used to grow.

Issue 13: grades.json and grades.csv were rewritten after every result, so the n-th result
paid for n students' rows: 300 students x 10 exercises cost 1.77 s per student, 30 students
0.85 s. Now each result is one journal line and one cache file, and the tables are written
once (autograd_lab/classroom/journal.py). Goal: a student of a class of 300 costs at most
1.3x what one of a class of 30 does.

Grading 300 x 10 real files takes an hour here, and what grading a file costs does not depend
on the class; what does is the bookkeeping around it. So, side by side in one run:

1. bookkeeping: a class of 30 and one of 300, every exercise, each student's results taken
   from real reports (each exercise's reference solution graded once, here) and passed
   through the real path: the gradebook built over the class (every file hashed, the cache
   looked up), each result recorded (journal line, cache file), the final write of
   grades.csv, grades.json and every feedback file. Seconds per student, best of --repeat.
   During a real run the tables are also rewritten now and then (a checkpoint, paced to at
   most 5% of the run's time, so at most 5% of what a student costs, whatever the class):
   the time one rewrite takes is measured, and the share of a run it costs printed.
   With --before, also the old path (every result rewrites the tables) for the same classes:
   slow for 300 (minutes).
2. a small real run: `grade_class` on --real students x exercises 1 and 3 (the solutions,
   --force), whose per-student time is what grading adds to (1) at any class size.

    .venv/bin/python benchmarks/class_size.py [--sizes 30,300] [--repeat 3] [--real 4] [--before]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def real_results(exercises) -> dict[str, dict]:
    """Exercise id -> the pool's result for its reference solution (graded once, here)."""
    from autograd_lab.grading.engine import grade
    from autograd_lab.grading.render import render_text

    found = {}
    for exercise in exercises:
        report = grade(exercise, str(ROOT / "solutions" / exercise.filename), timeout=60)
        found[exercise.id] = {"ok": True, "report": report.to_dict(),
                              "text": render_text(report, timing=False)}
    return found


def make_class(folder: Path, size: int, exercises):
    """``size`` students, each with every exercise (a copy of the solution: hashed like a real
    submission, which a shared file would not be if the OS cached its pages... it does anyway,
    as it would for a real class)."""
    from autograd_lab.classroom.submissions import Submission

    students = []
    for i in range(size):
        files, shown = {}, {}
        home = folder / f"student{i:03d}"
        home.mkdir(parents=True)
        for exercise in exercises:
            shutil.copy(ROOT / "solutions" / exercise.filename, home / exercise.filename)
            files[exercise.id] = home / exercise.filename
            shown[exercise.id] = f"student{i:03d}/{exercise.filename}"
        students.append(Submission(f"student{i:03d}", f"student{i:03d}", files=files,
                                   shown=shown))
    return students


TABLES: dict[int, float] = {}
"""Class size -> seconds of one rewrite of grades.csv and grades.json (the checkpoint's)."""


def bookkeeping(students, exercises, results, out: Path, *, journaled: bool) -> float:
    """Seconds for the whole bookkeeping of one run over ``students`` (nothing graded)."""
    from autograd_lab.classroom import journal
    from autograd_lab.classroom.results import Gradebook

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    start = time.perf_counter()
    book = Gradebook(out, exercises=exercises, submissions=students, skipped=[],
                     settings={"device": "cpu", "timeout": 30.0},
                     journal=journal.Journal(journal.path_in(out)) if journaled else None)
    book.resume(journal.read(journal.path_in(out))[0])
    todo = book.to_grade()
    for student, exercise in todo:
        result = dict(results[exercise])
        result["report"] = {**result["report"], "file": f"{student}/{exercise}.py"}
        book.record(student, exercise, result)
    if journaled:
        book.finish()
    else:
        book.write()
    took = time.perf_counter() - start
    if journaled:
        tables = time.perf_counter()
        book._write_tables()
        took_tables = time.perf_counter() - tables
        TABLES[len(students)] = min(TABLES.get(len(students), took_tables), took_tables)
    return took


def real_run(size: int, folder: Path) -> float:
    """Seconds per student of a real `grade_class` over ``size`` students x exercises 1, 3."""
    from autograd_lab.catalog import lookup
    from autograd_lab.classroom.run import grade_class

    chosen = [lookup("1"), lookup("3")]
    subs = folder / "real"
    for i in range(size):
        (subs / f"s{i}").mkdir(parents=True)
        for exercise in chosen:
            shutil.copy(ROOT / "solutions" / exercise.filename, subs / f"s{i}" / exercise.filename)
    start = time.perf_counter()
    summary = grade_class(subs, folder / "real_out", exercises=chosen, jobs=1, timeout=60,
                          force=True, stream=open("/dev/null", "w"))
    took = time.perf_counter() - start
    if summary.graded != size * len(chosen):
        raise SystemExit(f"the real run graded {summary.graded} items, not {size * 2}")
    return took / size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="30,300", help="class sizes (default 30,300)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (best kept)")
    parser.add_argument("--real", type=int, default=4,
                        help="students of the small real run (0: none; default 4)")
    parser.add_argument("--before", action="store_true",
                        help="also time the old path (tables rewritten after every result)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    from autograd_lab.catalog import EXERCISES

    exercises = list(EXERCISES)
    print(f"grading each of {len(exercises)} reference solutions once for realistic results ...",
          file=sys.stderr)
    results = real_results(exercises)
    per_student: dict[tuple[str, int], float] = {}
    with tempfile.TemporaryDirectory(prefix="class-size-") as tmp:
        tmp = Path(tmp)
        classes = {n: make_class(tmp / f"class{n}", n, exercises) for n in sizes}
        paths = [("journaled", True)] + ([("before", False)] if args.before else [])
        for _ in range(args.repeat):
            for n in sizes:  # side by side: each repeat runs every size
                for name, journaled in paths:
                    took = bookkeeping(classes[n], exercises, results, tmp / f"out{n}",
                                       journaled=journaled) / n
                    key = (name, n)
                    per_student[key] = min(per_student.get(key, took), took)
        real = real_run(args.real, tmp) if args.real else None

    print(f"bookkeeping per student, {len(exercises)} exercises, best of {args.repeat}:")
    for name, _ in [("journaled", True)] + ([("before", False)] if args.before else []):
        cells = "  ".join(f"{n} students: {per_student[(name, n)] * 1000:7.2f} ms"
                          for n in sizes)
        ratio = per_student[(name, sizes[-1])] / per_student[(name, sizes[0])]
        label = "now (journal, final write)" if name == "journaled" else "before (rewrite each)"
        print(f"  {label:26} {cells}   ratio {sizes[-1]}/{sizes[0]}: {ratio:.2f}x")
    ratio = per_student[("journaled", sizes[-1])] / per_student[("journaled", sizes[0])]
    if real is not None:
        print(f"real grading, {args.real} students x 2 exercises (1, 3), --jobs 1: "
              f"{real:.2f} s per student (the same at any class size)")
        small = real + per_student[("journaled", sizes[0])] * 2 / len(exercises)
        large = real + per_student[("journaled", sizes[-1])] * 2 / len(exercises)
        print(f"  with the bookkeeping of 2 exercises: {sizes[0]} students {small:.3f} s, "
              f"{sizes[-1]} students {large:.3f} s per student: {large / small:.2f}x")
    from autograd_lab.classroom.results import CHECKPOINT_MIN_S, CHECKPOINT_SHARE

    # During a real run the tables are also rewritten now and then (Gradebook.checkpoint):
    # a rewrite of d seconds every max(CHECKPOINT_MIN_S, d / CHECKPOINT_SHARE) seconds.
    for n in sizes:
        d = TABLES[n]
        share = d / max(CHECKPOINT_MIN_S, d / CHECKPOINT_SHARE)
        print(f"  checkpoint, {n} students: a rewrite of the tables takes {d * 1000:.1f} ms, "
              f"once every {max(CHECKPOINT_MIN_S, d / CHECKPOINT_SHARE):.1f} s: "
              f"{share * 100:.1f}% of a run's time")
    print(f"goal: at most 1.3x; bookkeeping ratio {ratio:.2f}x: "
          f"{'met' if ratio <= 1.3 else 'NOT met'}")


if __name__ == "__main__":
    main()
