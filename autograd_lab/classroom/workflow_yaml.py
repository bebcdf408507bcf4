"""A small, deterministic YAML emitter for the GitHub Actions workflow ``classroom init`` writes.

Why our own: the package does not depend on PyYAML, and a workflow is a handful of mappings,
lists and strings. Every string is written double-quoted through :func:`json.dumps` (with
``ensure_ascii``, a JSON string is a valid YAML double-quoted scalar), except strings with
line breaks, which become literal blocks (``|``), as shell scripts read best. Keys are written
plain when they are simple words, else double-quoted: ``on`` is always quoted, since YAML 1.1
readers take a bare ``on`` for ``true``. The same data always gives the same text.
"""

from __future__ import annotations

import json
import re

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_YAML11_BOOLEANS = {"y", "yes", "n", "no", "on", "off", "true", "false", "null", "~"}


def _key(key: str) -> str:
    if _PLAIN_KEY.fullmatch(key) and key.lower() not in _YAML11_BOOLEANS:
        return key
    return json.dumps(key)


def _scalar(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if value != int(value) else str(int(value))
    return json.dumps(str(value))


def _block(text: str, indent: int) -> list[str]:
    pad = " " * indent
    chomp = "" if text.endswith("\n") else "-"
    body = text[:-1] if text.endswith("\n") else text
    return [f"|{chomp}"] + [f"{pad}{line}" if line else "" for line in body.split("\n")]


def _lines(value, indent: int) -> list[str]:
    """The lines of a mapping or list at ``indent`` spaces."""
    pad = " " * indent
    out: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_entry(f"{pad}{_key(str(key))}:", item, indent))
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and item:
                inner = _lines(item, indent + 2)
                out.append(f"{pad}- {inner[0].lstrip()}")
                out.extend(inner[1:])
            else:
                out.extend(_entry(f"{pad}-", item, indent))
    else:
        raise TypeError(f"not a mapping or a list: {value!r}")
    return out


def _entry(head: str, item, indent: int) -> list[str]:
    if isinstance(item, (dict, list)) and item:
        return [head] + _lines(item, indent + 2)
    if isinstance(item, dict):
        return [f"{head} {{}}"]
    if isinstance(item, list):
        return [f"{head} []"]
    if isinstance(item, str) and "\n" in item:
        first, *rest = _block(item, indent + 2)
        return [f"{head} {first}"] + rest
    return [f"{head} {_scalar(item)}"]


def dump(data: dict, header: str = "") -> str:
    """``data`` (dicts, lists, strings, numbers, booleans) as YAML text, ``header`` as
    comment lines on top."""
    comments = [f"# {line}".rstrip() for line in header.splitlines()] if header else []
    return "\n".join(comments + _lines(data, 0)) + "\n"
