"""Write a capture as JSON: ``Capture.to_dict()`` with sorted keys, two-space indent.

The schema (``schema`` version, graphs, nodes, edges) is documented field by field in
``docs/graph-json.md``. Same capture, same text, byte for byte: keys are sorted and lists
keep the model's order (walk order), which is itself stable. The text is pure ASCII
(``ensure_ascii``): ``ω`` is written ``\u03c9``, and even a lone surrogate from an odd file
name encodes safely.
"""

from __future__ import annotations

import json

from autograd_lab.viz.model import Capture


def to_json(capture: Capture) -> str:
    """Render ``capture`` as stable JSON text: sorted keys, indent 2, ASCII, ending in a newline."""
    return json.dumps(capture.to_dict(), sort_keys=True, indent=2, ensure_ascii=True) + "\n"
