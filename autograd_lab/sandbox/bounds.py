"""How much a worker's reply may hold: bounded before it is decoded, in both processes.

A check feeds a probe small inputs (a few dozen elements) and can expect arrays of about
their size back. A reply holding more is refused whole, with a message that says what came
back ("returned a tensor of 3000000 elements for an input of 6"):

- each array may hold at most ``max(MIN_ELEMENTS, PER_INPUT x the largest input)``
  elements (a probe may set its own ``max_elements``);
- a reply's arrays together at most :data:`MAX_REPLY_BYTES`, its plain values (numbers,
  lists, text, as JSON) at most :data:`MAX_REPLY_HEADER_BYTES`;
- every string is cut to :data:`MAX_STRING` characters, a type name to :data:`MAX_NAME`.

The worker applies the bound as it encodes, so that an honest mistake costs a short error
reply rather than megabytes on the wire; the grading process applies it again (it trusts
nothing the worker sends): :func:`protocol.receive` refuses a reply over the byte limits
before reading it, and :func:`excess` finds an array over the element limit. The grading
process so never holds more than a few megabytes of what a student's code made.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_ELEMENTS = 1 << 16
"""Elements any array of a reply may hold, whatever the inputs (512 KiB of float64)."""
PER_INPUT = 64
"""How many times the largest input an array of a reply may hold beyond that."""
MAX_REPLY_BYTES = 8 << 20
"""The arrays of one reply, together: what the grading process accepts at most."""
MAX_REPLY_HEADER_BYTES = 1 << 20
"""The plain values of one reply (numbers, lists, text), encoded as JSON."""
MAX_STRING = 10_000
"""Characters of any string in a reply (an exception message is cut shorter still)."""
MAX_NAME = 200
"""Characters of a type name, a function name, a file name."""


class ReplyTooLarge(Exception):
    """A reply over its bound; the message says what it held (``returned a tensor of ...``)."""


def cut(text: str, limit: int = MAX_STRING) -> str:
    """``text``, cut to ``limit`` characters (marked with an ellipsis when cut)."""
    return text if len(text) <= limit else text[:limit - 3] + "..."


def name_of(value) -> str:
    """The type name of ``value``, cut to :data:`MAX_NAME` characters."""
    return cut(type(value).__qualname__, MAX_NAME)


def _sizes(value, depth: int = 0):
    """The element count of every array (or tensor) in ``value``, and what it is."""
    if depth > 40:
        return
    values = getattr(value, "values", None)
    if isinstance(values, np.ndarray):  # TensorArg, TensorData
        yield values.size, "tensor"
    elif isinstance(value, np.ndarray):
        yield value.size, "array"
    elif type(value).__name__ in ("Tensor", "Parameter"):  # a worker's own arguments
        yield int(value.numel()), "tensor"
    elif isinstance(value, dict):
        for item in value.values():
            yield from _sizes(item, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _sizes(item, depth + 1)


@dataclass(frozen=True)
class Bound:
    """What one reply may hold."""

    max_elements: int
    """Elements of any one array."""
    input_elements: int = 0
    """Elements of the largest input (for the message)."""
    max_bytes: int = MAX_REPLY_BYTES
    """Bytes of all arrays together."""

    def refusal(self, elements: int, what: str = "tensor") -> str:
        """Says that an array of ``elements`` came back (``returned a tensor of ...``)."""
        given = f" for an input of {self.input_elements}" if self.input_elements else ""
        return (f"returned a{'n' if what[0] in 'aeiou' else ''} {what} of {elements} elements"
                f"{given} (at most {self.max_elements} expected)")


def for_call(args: dict, probe=None) -> Bound:
    """The bound of the reply to ``probe(module, **args)``: the same in both processes."""
    largest = max((n for n, _ in _sizes(args)), default=0)
    limit = getattr(probe, "max_elements", None)
    if not isinstance(limit, int) or limit <= 0:
        limit = max(MIN_ELEMENTS, PER_INPUT * largest)
    return Bound(limit, largest)


def excess(value, bound: Bound) -> str | None:
    """Why a decoded reply value is over ``bound`` (the first array too large), or None."""
    for elements, what in _sizes(value):
        if elements > bound.max_elements:
            return bound.refusal(elements, what)
    return None
