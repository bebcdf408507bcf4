"""Text made safe for Graphviz: quoted DOT strings, HTML-like labels, attribute lists.

Names, titles and error messages come from the user's script and may hold anything: quotes,
backslashes, ``<>&``, tabs, control bytes, broken UTF-8. Every string the DOT text holds goes
through :func:`quote` or :func:`html`, so no script can break the picture.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class Html(str):
    """An HTML-like label: written ``<...>`` in DOT, never quoted."""


def clean(text: str) -> str:
    """Make ``text`` safe for Graphviz: no control characters (tabs become spaces), valid UTF-8."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return _CONTROL.sub("", text).encode("utf-8", "replace").decode("utf-8")


def quote(text: str) -> str:
    r"""Quote ``text`` as a DOT string: ``\`` and ``"`` escaped, a newline written ``\n``."""
    text = clean(text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\n", "\\n") + '"'


def html(text: str) -> str:
    """Escape ``text`` for an HTML-like label (``& < > "``); a newline becomes a left break."""
    text = clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;").replace("\n", '<BR ALIGN="LEFT"/>')


def small(text: str, color: str, italic: bool = False, bold: bool = False,
          size: int = 9) -> str:
    """``text`` escaped, in a small font of ``color`` (a label's detail line)."""
    body = html(text)
    body = f"<I>{body}</I>" if italic else body
    body = f"<B>{body}</B>" if bold else body
    return f'<FONT POINT-SIZE="{size}" COLOR="{color}">{body}</FONT>'


def attr_list(attrs: dict[str, str]) -> str:
    """``k=v, ...`` in insertion order: ``Html`` values bare in ``<>``, others quoted."""
    return ", ".join(f"{k}=<{v}>" if isinstance(v, Html) else f"{k}={quote(v)}"
                     for k, v in attrs.items())
