"""The visualizer's speed: DOT generation against torchviz, SVG and HTML end to end, and the
stepper page in Chromium.

Four measurements, each side by side in one run (medians of --repeat runs):

1. ``draw(root, max_nodes=None).source`` against ``torchviz.make_dot(root).source`` on the
   same ~30k-node graph (a recurrence; torchviz is a benchmark-only dependency:
   ``pip install torchviz``). Goal: at least 3x faster, while showing more. For context,
   also torchviz with ``show_saved=True`` (which shows saved tensors, as ours does), and a
   floor: the time to merely read what our picture shows (:func:`read_only`).
2. ``autograd-lab graph rnn.py -o rnn.svg`` (layout included) as a ratio to the bare
   ``python rnn.py``, for 100 and 20,000 steps of a shared-weight recurrence. Goals: at
   most 2x for 100 steps, 3x for 20,000.
3. ``autograd-lab graph rnn.py 20000 --format html`` (the backward pass recorded, the SVG
   laid out, the page written) against the bare script. Goal: at most 3x.
4. The page for the 100-step recurrence in headless Chromium (Debian's, as the browser
   tests drive it): its load (navigation to the load event) and 10 steps, each timed from
   the click on "next" to the second animation frame after it (the step painted). Goal: no
   visible delay, under 100 ms a step.

    .venv/bin/python benchmarks/graph_speed.py [--repeat 3] [--only html]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RNN = HERE / "scripts" / "rnn.py"


def median_time(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def recurrence(steps: int):
    import torch

    torch.manual_seed(0)
    w = torch.randn(4, 4, requires_grad=True)
    h = torch.zeros(1, 4)
    for _ in range(steps):
        h = torch.tanh(h @ w + 1.0)
    return h.sum()


def read_only(root) -> int:
    """A floor, not a drawer: read what our picture shows of each node (its inputs, each
    saved tensor with its shape, dtype and device) and write nothing. No drawer in Python
    that shows this can be faster; torchviz's time divided by this one bounds the speed-up
    any of them could reach."""
    from collections import deque

    from autograd_lab.viz.torch_graph import plan, saved_value

    seen, keep, queue, facts = {id(root.grad_fn)}, [root.grad_fn], deque([root.grad_fn]), 0
    while queue:
        fn = queue.popleft()
        for attr in plan(fn)[2]:
            value, _ = saved_value(fn, attr)
            if value is not None and hasattr(value, "shape"):
                facts += len((tuple(value.shape), value.dtype, value.device))
        for child, _ in fn.next_functions:
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                keep.append(child)
                if hasattr(child, "next_functions"):
                    queue.append(child)
    return facts


def dot_generation(repeat: int) -> None:
    import sys as _sys

    try:
        import torchviz
    except ImportError:
        print("1. DOT generation against torchviz: not run, torchviz is not installed "
              "(.venv/bin/pip install torchviz==0.0.3; it is a benchmark-only dependency)")
        return

    from autograd_lab import draw
    from autograd_lab.viz.gc_pause import gc_paused

    _sys.setrecursionlimit(100_000)  # torchviz walks recursively; give it a chance
    root = recurrence(10_000)  # about 30k nodes: 3 per step
    ours = draw(root, max_nodes=None)
    lines = ours.source.count("\n")
    viz_lines = torchviz.make_dot(root).source.count("\n")
    viz_saved_lines = torchviz.make_dot(root, show_saved=True).source.count("\n")

    def floor():
        with gc_paused():  # as draw() does
            read_only(root)

    t_ours = median_time(lambda: draw(root, max_nodes=None).source, repeat)
    t_viz = median_time(lambda: torchviz.make_dot(root).source, repeat)
    t_viz_saved = median_time(lambda: torchviz.make_dot(root, show_saved=True).source, repeat)
    t_floor = median_time(floor, repeat)
    print("DOT text for a ~30k-node graph (a 10,000-step recurrence):")
    print(f"  autograd_lab.draw(root, max_nodes=None).source:   {t_ours:.3f} s "
          f"({lines} lines: functions, saved tensors, a box per use of the weight)")
    print(f"  torchviz.make_dot(root).source:                   {t_viz:.3f} s ({viz_lines} lines)")
    print(f"  torchviz.make_dot(root, show_saved=True).source:  {t_viz_saved:.3f} s "
          f"({viz_saved_lines} lines)")
    print(f"  floor: reading what ours shows, writing nothing:  {t_floor:.3f} s")
    print(f"  speed-up over torchviz: {t_viz / t_ours:.2f}x (goal: at least 3x)")
    print(f"  speed-up over torchviz showing saved tensors: {t_viz_saved / t_ours:.2f}x")
    print(f"  torchviz / floor: {t_viz / t_floor:.1f}x (no drawer showing what ours shows "
          "can beat this)")


def run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")


def end_to_end(steps: int, repeat: int, fmt: str = "svg") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / f"rnn.{fmt}")
        bare = [sys.executable, str(RNN), str(steps)]
        graph = [sys.executable, "-m", "autograd_lab", "graph", str(RNN), str(steps), "-o", out]
        run(bare)
        run(graph)
        t_bare = median_time(lambda: run(bare), repeat)
        t_graph = median_time(lambda: run(graph), repeat)
        size = Path(out).stat().st_size
    goal = 2 if steps <= 100 else 3
    print(f"{fmt.upper()} end to end, {steps}-step shared-weight recurrence:")
    print(f"  python rnn.py {steps}:                    {t_bare:.2f} s")
    print(f"  autograd-lab graph rnn.py {steps} -o rnn.{fmt}: {t_graph:.2f} s "
          f"({size / 1024:.0f} KiB written)")
    print(f"  ratio: {t_graph / t_bare:.2f}x (goal: at most {goal}x)")


STEP_TIMES = """async (count) => {
  const frame = () => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  await frame();
  const painted = [], work = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    document.getElementById("agl-next").click();
    document.getElementById("agl-figure").getBoundingClientRect();  // style and layout now
    work.push(performance.now() - start);
    await frame();
    painted.push(performance.now() - start);
  }
  return [painted, work];
}"""


def page_in_chromium(steps: int, repeat: int, chromium: str = "/usr/bin/chromium") -> None:
    """Load the page for an rnn.py of ``steps`` steps and time 10 steps, in headless Chromium."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "rnn.html"
        run([sys.executable, "-m", "autograd_lab", "graph", str(RNN), str(steps), "-o",
             str(page_file)])
        loads, step_times, work_times = [], [], []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, headless=True)
            for _ in range(repeat):
                tab = browser.new_page(viewport={"width": 1280, "height": 900})
                tab.goto(page_file.as_uri(), wait_until="load")
                loads.append(tab.evaluate(
                    "performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000)
                painted, work = tab.evaluate(STEP_TIMES, 10)
                step_times += painted
                work_times += work
                tab.close()
            browser.close()
        size = page_file.stat().st_size
    print(f"The page of the {steps}-step recurrence in headless Chromium ({size / 1024:.0f} KiB):")
    print(f"  load (navigation start to the load event): {statistics.median(loads) * 1000:.0f} ms")
    print(f"  a step (click to painted), {len(step_times)} steps: median "
          f"{statistics.median(step_times):.1f} ms, slowest {max(step_times):.1f} ms "
          "(goal: under 100 ms; two frames at 60 Hz are 33 ms of it)")
    print(f"  of which script, style and layout: median {statistics.median(work_times):.1f} ms, "
          f"slowest {max(work_times):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["dot", "svg", "html"],
                        help="run one part: dot (against torchviz), svg or html (with the page)")
    args = parser.parse_args()
    if args.only in (None, "dot"):
        dot_generation(args.repeat)
    if args.only in (None, "svg"):
        end_to_end(100, args.repeat)
        end_to_end(20_000, args.repeat)
    if args.only in (None, "html"):
        end_to_end(20_000, args.repeat, "html")
        page_in_chromium(100, args.repeat)


if __name__ == "__main__":
    main()
