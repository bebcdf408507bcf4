"""How long `autograd-lab check exercise3` takes on a correct file, next to its floor.

The floor is the same Python's bare `python -c "import torch, hypothesis"`: the grader
cannot start faster than it imports what it needs. Both are timed side by side, alternating,
in one run; the figures are medians. Goal: the ratio at most 1.5.

    .venv/bin/python benchmarks/check_speed.py [--repeat 7] [--exercise 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(command: list[str], expect_rc: int = 0) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != expect_rc:
        raise SystemExit(f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs of each command (default 7)")
    parser.add_argument("--exercise", default="3", help="exercise to check (default 3)")
    args = parser.parse_args()

    from autograd_lab.catalog import lookup

    exercise = lookup(args.exercise)
    solution = ROOT / "solutions" / exercise.filename
    floor_cmd = [sys.executable, "-c", "import torch, hypothesis"]
    check_cmd = [sys.executable, "-m", "autograd_lab", "check", exercise.id, "--file", str(solution)]
    timed(floor_cmd)  # warm the file cache for both
    timed(check_cmd)
    floors, checks = [], []
    for _ in range(args.repeat):
        floors.append(timed(floor_cmd))
        checks.append(timed(check_cmd))
    floor, check = statistics.median(floors), statistics.median(checks)
    print(f"python -c 'import torch, hypothesis': median {floor:.2f} s "
          f"(min {min(floors):.2f}, max {max(floors):.2f})")
    print(f"autograd-lab check {exercise.id} (solution): median {check:.2f} s "
          f"(min {min(checks):.2f}, max {max(checks):.2f})")
    print(f"ratio: {check / floor:.2f}x (goal: at most 1.5x)")


if __name__ == "__main__":
    main()
