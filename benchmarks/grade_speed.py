"""How long `autograd-lab grade` takes on a class, next to a process-per-submission floor.

A class of N students (default 20) each submitting every exercise (the reference solutions)
is graded with `--jobs J` (default 2). The floor is what a grader that starts a fresh Python
per (student, exercise) pays before it checks anything: N x exercises x one
`python -c "import torch"`, divided by J. Goal (issue 5): the ratio floor / grade at least 5.

Every file here passes every check: the best case for what makes a grader fast once it has
graded a first file (autograd_lab/grading/replay.py: each search's inputs drawn by hypothesis
once per grader, then replayed; grading/remember.py: each expected answer computed once). A
check that fails costs what it did before replay existed: hypothesis runs, and shrinks.
Both timings move with the machine's load (`import torch` alone took 1.4 to 2.0 s on a
2-core machine shared with other work): they are taken alternately, and the median is shown.

    .venv/bin/python benchmarks/grade_speed.py [--students 20] [--jobs 2] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {result.returncode}:\n"
                         f"{result.stdout}{result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20, help="class size (default 20)")
    parser.add_argument("--jobs", type=int, default=2, help="--jobs for grade (default 2)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (default 3)")
    args = parser.parse_args()

    from autograd_lab.catalog import EXERCISES

    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "submissions"
        for i in range(args.students):
            folder = subs / f"student{i:02d}" / "exercises"
            folder.mkdir(parents=True)
            for exercise in EXERCISES:
                shutil.copy(ROOT / "solutions" / exercise.filename, folder)
        cli = str(Path(sys.executable).with_name("autograd-lab"))
        grade = [cli, "grade", str(subs), "-o", str(Path(tmp) / "out"),
                 "--jobs", str(args.jobs), "--force"]
        imports, grades = [], []
        for _ in range(args.repeat):
            imports.append(timed([sys.executable, "-c", "import torch"]))
            grades.append(timed(grade))
    items = args.students * len(EXERCISES)
    floor = items * statistics.median(imports) / args.jobs
    took = statistics.median(grades)
    print(f"class: {args.students} students x {len(EXERCISES)} exercises = {items} items, "
          f"--jobs {args.jobs}, median of {args.repeat}")
    print(f"python -c 'import torch': {statistics.median(imports):.3f} s")
    print(f"floor ({items} x import / {args.jobs}): {floor:.1f} s")
    print(f"autograd-lab grade: {took:.1f} s ({took / items * 1000:.0f} ms per item)")
    print(f"ratio floor / grade: {floor / took:.1f}x (goal: at least 5x)")


if __name__ == "__main__":
    main()
