"""Build the zip Gradescope takes as an autograder: `autograd-lab gradescope build`.

The zip holds, at its root (where Gradescope looks for them):

- ``setup.sh``: installs a CPU-only torch, pinned, and autograd-lab into the image's Python;
- ``run_autograder``: grades ``/autograder/submission``, writes
  ``/autograder/results/results.json``;
- ``autograd-lab.json``: the exercises, limits and visibility chosen here;
- ``autograd_lab-VERSION-py3-none-any.whl``: this autograd-lab, packed from its installed files.

Nothing is downloaded to build it: the image downloads torch when Gradescope runs setup.sh.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import autograd_lab
from autograd_lab.classroom.autograder_config import CONFIG_NAME, AutograderConfig
from autograd_lab.classroom.autograder_scripts import TORCH_CPU_INDEX, run_autograder, setup_sh
from autograd_lab.classroom.repack_wheel import add_entry, write_wheel
from autograd_lab.errors import AutogradLabError


class TorchVersionUnknown(AutogradLabError):
    """No torch version to pin: no constraints.txt beside the package, and no torch installed."""


@dataclass
class Built:
    """What :func:`build_autograder` wrote."""

    path: Path
    config: AutograderConfig
    members: list[str]
    """The zip's entries, in order."""


def torch_pin() -> str:
    """The torch version setup.sh installs: the pin in the checkout's ``constraints.txt``
    (the version the tests were run with) where the package runs from a checkout, else the
    version of the torch installed here (its local label, ``+cpu``, dropped).

    Raises:
        TorchVersionUnknown: neither is found.
    """
    constraints = Path(autograd_lab.__file__).resolve().parent.parent / "constraints.txt"
    if constraints.is_file():
        for line in constraints.read_text(encoding="utf-8").splitlines():
            found = re.fullmatch(r"\s*torch\s*==\s*([\w.!]+)\s*(#.*)?", line)
            if found:
                return found.group(1)
    import importlib.metadata

    try:
        return importlib.metadata.version("torch").split("+")[0]
    except importlib.metadata.PackageNotFoundError:
        raise TorchVersionUnknown(
            "No torch version to pin in setup.sh: no constraints.txt beside autograd-lab and "
            "no torch installed here.") from None


def build_autograder(out: Path, *, exercises, timeout: float = 30.0, memory_mb: int = 1024,
                     visibility: str = "visible") -> Built:
    """Write the autograder zip to ``out``.

    Args:
        out: the zip's path (its folder is created).
        exercises: the catalog entries to grade.
        timeout: seconds a student's code may take for one exercise.
        memory_mb: memory a student's code may add, on CPU.
        visibility: what students see (see
            :func:`~autograd_lab.classroom.gradescope.with_visibility`).
    """
    version = autograd_lab.__version__
    torch = torch_pin()
    ids = [e.id for e in sorted(exercises, key=lambda e: e.number)]
    config = AutograderConfig(tuple(ids), float(timeout), int(memory_mb), visibility,
                              torch=torch, built_with=version)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="autograd-lab-wheel-") as folder:
        wheel = write_wheel(Path(folder))
        members = [("setup.sh", setup_sh(version=version, wheel=wheel.name, torch=torch,
                                         torch_index=TORCH_CPU_INDEX).encode(), 0o755),
                   ("run_autograder", run_autograder(version=version, exercises=ids).encode(),
                    0o755),
                   (CONFIG_NAME, config.to_json().encode(), 0o644),
                   (wheel.name, wheel.read_bytes(), 0o644)]
        partial = out.with_name(f".{out.name}.partial")
        try:
            with zipfile.ZipFile(partial, "w") as zf:
                for name, data, mode in members:
                    add_entry(zf, name, data, mode)
            partial.replace(out)
        finally:
            partial.unlink(missing_ok=True)
    return Built(out, config, [name for name, _, _ in members])
