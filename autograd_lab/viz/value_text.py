"""Numbers for reading: tensor values and gradients as short text (the model keeps them exact).

The picture and the HTML page show values rounded to a few significant digits, as a student
reads them off a printout: ``0.3333``, ``2`` (a float that is a whole number reads as one),
``1.5e-5``, ``nan``, ``-inf``; ``-0.0`` reads as ``0``. Nested tuples read as nested lists,
``[[1, 2], [3, 4]]``. A gradient too large to keep its values reads as its shape and 2-norm,
``(3, 4) · ‖g‖ = 3.2``. JSON keeps the exact numbers; only the text here is rounded.
"""

from __future__ import annotations

from autograd_lab.viz.model import Grad

DIGITS = 4
"""Significant digits shown by default."""
WHOLE_UP_TO = 1e6
"""A float that is a whole number smaller than this in magnitude reads as an int (``2``, not
``2.0``); a larger one is rounded like any other (``1.235e7``)."""


def format_number(value: object, digits: int = DIGITS) -> str:
    """One number: ints exact, floats to ``digits`` significant digits, ``nan``/``inf`` by name.

    Strings (complex values, which capture writes as ``"1+2j"``) and anything else are shown
    as they are, so an unexpected value never stops a picture from being drawn.
    """
    if type(value) is float:  # the common case first: a picture formats 100,000s of them
        text = format(value, f".{digits}g")  # nan, inf, -inf by name already
        if "e" in text:
            if value.is_integer() and abs(value) < WHOLE_UP_TO:
                return str(int(value))
            return _tidy_exponent(text)
        return "0" if text == "-0" else text  # the sign of a zero is noise to a reader
    if isinstance(value, float):  # a float subclass: as a float
        return format_number(float(value), digits)
    return str(value)  # int (exact), bool (True/False), a complex's string, anything else


def _tidy_exponent(text: str) -> str:
    """``1.5e-05`` -> ``1.5e-5``, ``1.235e+07`` -> ``1.235e7``: the shortest readable form."""
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    sign = "-" if exponent.startswith("-") else ""
    return f"{mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"


def format_values(values: object, digits: int = DIGITS) -> str:
    """Values as one line: a number (``3``), or nested lists (``[[1, 2], [3, 4]]``).

    ``values`` is what the model holds: nested tuples (lists work too, as JSON reads them
    back) of numbers, or a plain number for a 0-d tensor. None (no values known) is "".
    """
    if values is None:
        return ""
    if isinstance(values, (tuple, list)):
        if values and not isinstance(values[0], (tuple, list)):  # a row of numbers
            return "[" + ", ".join([format_number(v, digits) for v in values]) + "]"
        return "[" + ", ".join([format_values(v, digits) for v in values]) + "]"
    return format_number(values, digits)


def value_lines(values: object, width: int = 48, digits: int = DIGITS) -> list[str]:
    """``format_values`` broken into lines of at most about ``width`` characters, for a label.

    A matrix that does not fit one line gives a line per row (``[[1, 2],`` / `` [3, 4]]``); a
    long vector (or a column, ``[[1], [2], ...]``) is broken after a comma, as many numbers a
    line as fit. A single number longer than ``width`` stays whole.
    """
    text = format_values(values, digits)
    if len(text) <= width or not isinstance(values, (tuple, list)):
        return [text] if text else []
    if values and all(isinstance(v, (tuple, list)) and len(v) > 1 for v in values):
        rows = [format_values(v, digits) for v in values]
        lines = []
        for i, row in enumerate(rows):
            opener, closer = ("[" if i == 0 else " "), ("]" if i == len(rows) - 1 else ",")
            lines += _wrap_items(opener + row + closer, width)
        return lines
    return _wrap_items(text, width)  # a vector or a column: as many numbers a line as fit


def _wrap_items(text: str, width: int) -> list[str]:
    """Break ``text`` after ``", "`` so that each line is at most ``width`` (when it can be)."""
    lines, line = [], ""
    for item in text.split(", "):
        candidate = f"{line}, {item}" if line else item
        if line and len(candidate) + 1 > width:  # + 1: the comma that ends the line
            lines.append(line + ",")
            line = " " + item.lstrip()
        else:
            line = candidate
    return lines + [line]


def format_shape(shape: tuple[int, ...] | None) -> str:
    """``(3, 4)``, ``(5,)``; ``scalar`` for a 0-d tensor; ``""`` when unknown."""
    return "" if shape is None else "scalar" if len(shape) == 0 else str(tuple(shape))


def format_norm(grad: Grad, digits: int = DIGITS) -> str:
    """``(3, 4) · ‖g‖ = 3.2``: what a gradient too large for its values reads as."""
    return f"{format_shape(tuple(grad.shape))} · ‖g‖ = {format_number(grad.norm, digits)}"


def format_grad(grad: Grad, digits: int = DIGITS) -> str:
    """A gradient: its values when the model kept them, else its shape and 2-norm."""
    if grad.values is not None:
        return format_values(grad.values, digits)
    return format_norm(grad, digits)


def grad_lines(grad: Grad, width: int = 48, digits: int = DIGITS) -> list[str]:
    """``format_grad`` broken into lines as :func:`value_lines` does (an edge's label)."""
    if grad.values is not None:
        return value_lines(grad.values, width, digits)
    return [format_norm(grad, digits)]
