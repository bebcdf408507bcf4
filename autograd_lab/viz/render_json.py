"""Write a capture as JSON: ``Capture.to_dict()`` with sorted keys, two-space indent.

The schema (``schema`` version, graphs, nodes, edges) is documented field by field in
``docs/graph-json.md``. Same capture, same text, byte for byte: keys are sorted and lists
keep the model's order (walk order), which is itself stable. The text is pure ASCII
(``ensure_ascii``): ``ω`` is written ``\u03c9``, and even a lone surrogate from an odd file
name encodes safely. Values and gradients may hold NaN or infinities, which JSON has no
numbers for (Python would write the invalid ``NaN``): they are written as the strings
``"nan"``, ``"inf"`` and ``"-inf"``, so the text stays valid JSON for any reader.
"""

from __future__ import annotations

import json
import math

from autograd_lab.viz.model import Capture


def _finite(value):
    """``value`` with every non-finite float replaced by its name (a loop over a stack of
    containers, not recursion: a capture's nesting is shallow but its lists are long)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else _name(value)
    if not isinstance(value, (dict, list, tuple)):
        return value
    root = [value]
    stack = [(root, 0)]
    while stack:
        container, key = stack.pop()
        item = container[key]
        if isinstance(item, float) and not math.isfinite(item):
            container[key] = _name(item)
        elif isinstance(item, dict):
            for k in item:
                stack.append((item, k))
        elif isinstance(item, (list, tuple)):
            if isinstance(item, tuple):
                item = container[key] = list(item)
            stack.extend((item, i) for i in range(len(item)))
    return root[0]


def _name(number: float) -> str:
    return "nan" if math.isnan(number) else ("inf" if number > 0 else "-inf")


def to_json(capture: Capture, *, compact: bool = False) -> str:
    """Render ``capture`` as stable JSON text: sorted keys, indent 2, ASCII, ending in a newline.

    ``compact``: no indentation, no spaces and no final newline (the stepper page's copy of
    the model, half the size), the same data."""
    data = capture.to_dict()
    layout = {"separators": (",", ":")} if compact else {"indent": 2}
    try:
        text = json.dumps(data, sort_keys=True, ensure_ascii=True, allow_nan=False, **layout)
    except ValueError:  # a NaN or an infinity somewhere: name them (rare, so only then)
        text = json.dumps(_finite(data), sort_keys=True, ensure_ascii=True, **layout)
    return text if compact else text + "\n"
