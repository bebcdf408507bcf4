"""A wheel of the installed autograd-lab, written from its files, for the autograder zip.

`autograd-lab gradescope build` must work where it is installed, offline, with or without a
source checkout, and with no build tools: so rather than build from source, it packs the
files Python imports autograd-lab from (what `pip install` put there, or, for an editable
install, the checkout's package folders) into a pure-Python wheel, with the installed
distribution's version, dependencies and entry point. The Gradescope image installs it with
`pip install`, as any wheel.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import os
import zipfile
from pathlib import Path

import autograd_lab

DISTRIBUTION = "autograd-lab"
_SKIPPED_DIRS = {"__pycache__"}
_SKIPPED_SUFFIXES = (".pyc", ".pyo")


def _package_files() -> dict[str, Path]:
    """Each file of the ``autograd_lab`` package, by its path in a wheel (posix, from the
    top): the package's folder, and ``autograd_lab.exercises`` wherever it lives (an
    editable install maps it to the checkout's ``exercises/``)."""
    import autograd_lab.exercises as stubs

    roots = [(Path(autograd_lab.__file__).resolve().parent, "autograd_lab")]
    stubs_dir = Path(stubs.__file__).resolve().parent
    if not stubs_dir.is_relative_to(roots[0][0]):
        roots.append((stubs_dir, "autograd_lab/exercises"))
    files: dict[str, Path] = {}
    for root, prefix in roots:
        for top, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith("."))
            for name in sorted(names):
                if name.startswith(".") or name.endswith(_SKIPPED_SUFFIXES):
                    continue
                path = Path(top) / name
                files[f"{prefix}/{path.relative_to(root).as_posix()}"] = path
    return files


def _metadata(version: str) -> str:
    """METADATA (core metadata 2.1): name, version, Python, dependencies, extras."""
    try:
        dist = importlib.metadata.distribution(DISTRIBUTION)
        requires = list(dist.requires or [])
        meta = dist.metadata
        python = meta.get("Requires-Python")
        summary = meta.get("Summary")
        extras = meta.get_all("Provides-Extra") or []
    except importlib.metadata.PackageNotFoundError:  # run from a checkout, not installed
        requires, python, summary, extras = ["torch>=2.1", "numpy", "hypothesis>=6.80",
                                             "click>=8.1", "graphviz"], ">=3.10", None, []
    lines = ["Metadata-Version: 2.1", f"Name: {DISTRIBUTION}", f"Version: {version}"]
    lines += [f"Summary: {summary}"] if summary else []
    lines += [f"Requires-Python: {python}"] if python else []
    lines += [f"Provides-Extra: {extra}" for extra in extras]
    lines += [f"Requires-Dist: {requirement}" for requirement in requires]
    return "\n".join(lines) + "\n"


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def add_entry(zf: zipfile.ZipFile, name: str, data: bytes, mode: int = 0o644) -> None:
    """Write one entry of a reproducible zip (the wheel, the autograder zip): a fixed
    timestamp, deflated, recorded as a regular file with the permissions ``mode``."""
    member = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    member.external_attr = (0o100000 | mode) << 16
    member.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(member, data)


def wheel_name(version: str | None = None) -> str:
    """The wheel's file name: ``autograd_lab-VERSION-py3-none-any.whl``."""
    return f"autograd_lab-{version or autograd_lab.__version__}-py3-none-any.whl"


def write_wheel(folder: Path) -> Path:
    """Write the wheel of the installed autograd-lab into ``folder``; return its path.

    The same installed files give the same bytes (entries sorted, timestamps fixed).
    """
    version = autograd_lab.__version__
    info = f"autograd_lab-{version}.dist-info"
    entries: list[tuple[str, bytes]] = [(name, path.read_bytes())
                                        for name, path in sorted(_package_files().items())]
    entries += [
        (f"{info}/METADATA", _metadata(version).encode()),
        (f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: autograd-lab gradescope build\n"
                          b"Root-Is-Purelib: true\nTag: py3-none-any\n"),
        (f"{info}/entry_points.txt", b"[console_scripts]\nautograd-lab = autograd_lab.cli:main\n"),
        (f"{info}/top_level.txt", b"autograd_lab\n"),
    ]
    record = "\n".join([_record_line(n, d) for n, d in entries] + [f"{info}/RECORD,,"]) + "\n"
    entries.append((f"{info}/RECORD", record.encode()))
    path = Path(folder) / wheel_name(version)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            add_entry(zf, name, data)
    return path
