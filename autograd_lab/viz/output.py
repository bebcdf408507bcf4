"""Write a capture to a file: svg, png, pdf or html through Graphviz's ``dot``; dot or json
without it.

One code path runs ``dot``: ``graphviz.Source(text).pipe(format=...)``, the DOT text coming
from ``render_dot.to_dot``. html is the SVG laid out once, inlined in the stepper page
(``render_html``). The file is written only once its bytes exist, so a failure (no
``dot``) leaves no empty or half-written file behind.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import graphviz

from autograd_lab.errors import GraphvizMissing, UnknownGraphFormat
from autograd_lab.viz.model import Capture
from autograd_lab.viz.render_dot import to_dot
from autograd_lab.viz.render_html import to_html
from autograd_lab.viz.render_json import to_json

FORMATS = ("svg", "png", "pdf", "html", "dot", "json")
"""Every format ``write`` knows, the ones needing Graphviz's ``dot`` first."""
NEEDS_DOT = ("svg", "png", "pdf", "html")
SUFFIXES = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".html": "html", ".htm": "html",
            ".dot": "dot", ".gv": "dot", ".json": "json"}


def _unknown(what: str, value: str, choices: list[str]) -> UnknownGraphFormat:
    close = difflib.get_close_matches(value, choices, n=3, cutoff=0.5)
    hint = f" Closest matches: {', '.join(close)}." if close else ""
    return UnknownGraphFormat(f"Unknown graph {what} {value!r}: expected one of "
                              f"{', '.join(choices)}.{hint}")


def check_format(fmt: str) -> str:
    """Return ``fmt`` lower-cased if it is one of FORMATS; raise UnknownGraphFormat if not."""
    if not isinstance(fmt, str) or fmt.lower().lstrip(".") not in FORMATS:
        raise _unknown("format", str(fmt), list(FORMATS))
    return fmt.lower().lstrip(".")


def format_from_suffix(path: str | Path) -> str:
    """The format an output path asks for by its suffix: ``graph.svg`` -> ``svg``.

    ``.gv`` is DOT too. Raises UnknownGraphFormat for any other suffix (or none).
    """
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        error = _unknown("file suffix", suffix or "(none)", list(SUFFIXES))
        raise UnknownGraphFormat(f"{error} Name the file {Path(path).stem}.svg (or .png, .pdf, "
                                 f".html, .dot, .json), or give --format.")
    return SUFFIXES[suffix]


def dot_missing(fmt: str) -> GraphvizMissing:
    """The error for a format that needs ``dot`` where it is not installed."""
    return GraphvizMissing(
        f"Writing {fmt} needs Graphviz's `dot` program, which is not on PATH. Install it: "
        "`sudo apt-get install -y graphviz` (Debian/Ubuntu) or `brew install graphviz` (macOS). "
        "`--format dot` and `--format json` work without it."
    )


def require_dot(fmt: str) -> None:
    """Raise GraphvizMissing now if ``fmt`` needs ``dot`` and it is not installed.

    The CLI asks before running a script, so that nobody waits for a long script to learn
    that its picture cannot be drawn.
    """
    if fmt in NEEDS_DOT and shutil.which("dot") is None:
        raise dot_missing(fmt)


def render(capture: Capture, fmt: str) -> bytes:
    """The bytes of ``capture`` in ``fmt``; svg/png/pdf/html run ``dot`` (GraphvizMissing
    without it)."""
    fmt = check_format(fmt)
    if fmt == "json":
        return to_json(capture).encode("utf-8")
    text = to_dot(capture)
    if fmt == "dot":
        return text.encode("utf-8")
    require_dot(fmt)
    try:
        laid_out = graphviz.Source(text, encoding="utf-8").pipe(
            format="svg" if fmt == "html" else fmt, engine="dot")
    except graphviz.ExecutableNotFound as exc:  # removed between the check and the run
        raise dot_missing(fmt) from exc
    if fmt == "html":
        return to_html(capture, laid_out.decode("utf-8")).encode("utf-8")
    return laid_out


def write(capture: Capture, path: str | Path, fmt: str | None = None) -> Path:
    """Write ``capture`` to ``path`` as ``fmt`` (default: from the suffix); return the path.

    Args:
        capture: what capture recorded.
        path: the file to write; missing parent folders are made.
        fmt: one of FORMATS, or None to take it from ``path``'s suffix.
    """
    path = Path(path)
    data = render(capture, format_from_suffix(path) if fmt is None else fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
