"""The two scripts of a Gradescope autograder zip: ``setup.sh`` and ``run_autograder``.

They are kept here as text (not as package data) so that the package needs no data files
for them; :func:`setup_sh` and :func:`run_autograder` fill in what the build chose.
Gradescope runs ``setup.sh`` once, as root, when it builds the autograder's image (with the
network), and ``run_autograder`` for every submission, from ``/autograder``.
"""

from __future__ import annotations

import shlex

TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
"""PyTorch's index of CPU-only wheels (and of torch's own dependencies)."""

_SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image: it installs a
# CPU-only torch and autograd-lab into the image's system Python. Written by
# `autograd-lab gradescope build` (autograd-lab @VERSION@).
#
# What it installs can be changed with these variables (on Gradescope, where setup.sh gets no
# variables of yours, edit their defaults below):
#   AUTOGRAD_LAB_WHEEL        the autograd-lab wheel to install
#                             (default: the one in this zip, @WHEEL@)
#   AUTOGRAD_LAB_TORCH        the torch to install: a requirement or a wheel's path
#                             (default: torch==@TORCH@, the version autograd-lab was tested with)
#   AUTOGRAD_LAB_TORCH_INDEX  the index torch and its dependencies come from
#                             (default: PyTorch's CPU-only index, @TORCH_INDEX@;
#                             a plain `pip install torch` from PyPI pulls gigabytes of CUDA
#                             packages that grading on CPU never uses)
#   AUTOGRAD_LAB_PYTHON       the Python to install into (default: python3)
# pip's own variables (PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, PIP_FIND_LINKS, ...) apply to
# autograd-lab's other dependencies (numpy, hypothesis, click, graphviz), from PyPI by default.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${AUTOGRAD_LAB_PYTHON:-python3}"
WHEEL="${AUTOGRAD_LAB_WHEEL:-$HERE/@WHEEL@}"
TORCH="${AUTOGRAD_LAB_TORCH:-torch==@TORCH@}"
TORCH_INDEX="${AUTOGRAD_LAB_TORCH_INDEX:-@TORCH_INDEX@}"

# The system Python of an Ubuntu image may come without pip (Gradescope has run apt-get update).
if ! "$PYTHON" -m pip --version >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip
fi
# Into the system Python, as asked (Ubuntu 24.04 marks it externally managed), as root.
export PIP_BREAK_SYSTEM_PACKAGES=1 PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1

# torch first, from the CPU index alone.
"$PYTHON" -m pip install --index-url "$TORCH_INDEX" "$TORCH"
# Then autograd-lab and its other dependencies, with the torch just installed held where it is.
PINS="$(mktemp)"
"$PYTHON" -c 'import importlib.metadata as m; print("torch==" + m.version("torch"))' > "$PINS"
"$PYTHON" -m pip install --constraint "$PINS" "$WHEEL"
rm -f "$PINS"

# Stop the image's build here, not at the first submission, if something is amiss.
"$PYTHON" -c 'import torch, autograd_lab.catalog; print("torch", torch.__version__, "cuda:", torch.version.cuda)'
command -v autograd-lab
autograd-lab --version
"""

_RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission: it grades $AUTOGRADER_ROOT/submission with the
# `autograd-lab` on PATH (setup.sh installed it) and writes
# $AUTOGRADER_ROOT/results/results.json. Written by `autograd-lab gradescope build`
# (autograd-lab @VERSION@); what it grades (@EXERCISES@), the limits and what students see
# are in autograd-lab.json beside it.
#
# AUTOGRADER_ROOT is Gradescope's /autograder unless set: to try the zip on your machine, make
# a folder with source/ (the zip, unzipped), submission/ (a student's files) and run
#   AUTOGRADER_ROOT=/that/folder /that/folder/source/run_autograder
#
# results.json is never left missing: autograd-lab writes one saying what went wrong when it
# cannot grade, and should autograd-lab itself not run, this script writes one (score 0).
ROOT="${AUTOGRADER_ROOT:-/autograder}"
RESULTS="$ROOT/results/results.json"
mkdir -p "$ROOT/results"
CONFIG="$ROOT/source/autograd-lab.json"
if [ ! -f "$CONFIG" ]; then
  CONFIG="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/autograd-lab.json"
fi
rm -f "$RESULTS"

status=0
if command -v autograd-lab >/dev/null 2>&1; then
  autograd-lab gradescope run --root "$ROOT" --config "$CONFIG" || status=$?
  why="autograd-lab stopped (exit status $status) before it wrote its results."
else
  why="autograd-lab is not installed in the autograder's image (did setup.sh fail?)."
fi
if [ ! -s "$RESULTS" ]; then
  echo "run_autograder: $why" >&2
  printf '{"score": 0, "execution_time": 0, "output": "The autograder could not grade this submission: %s Tell your instructor.", "tests": [], "stdout_visibility": "hidden"}\n' "$why" > "$RESULTS"
fi
exit 0
"""


def _fill(template: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        template = template.replace(f"@{name}@", value)
    return template


def setup_sh(*, version: str, wheel: str, torch: str, torch_index: str = TORCH_CPU_INDEX) -> str:
    """setup.sh, installing torch ``torch`` (a version) from ``torch_index``, then ``wheel``
    (a file name beside setup.sh)."""
    if shlex.quote(wheel) != wheel:
        raise ValueError(f"the wheel's name {wheel!r} needs quoting in a shell")
    return _fill(_SETUP_SH, {"VERSION": version, "WHEEL": wheel, "TORCH": torch,
                             "TORCH_INDEX": torch_index})


def run_autograder(*, version: str, exercises: list[str]) -> str:
    """run_autograder (the exercises are named in its comment only: it reads the config)."""
    return _fill(_RUN_AUTOGRADER, {"VERSION": version, "EXERCISES": ", ".join(exercises)})
