"""Probe helpers (run in the worker): read facts off an autograd graph."""

from __future__ import annotations

import torch


def node_names(tensor) -> list[str]:
    """The class names of every node reachable from ``tensor.grad_fn``, walked iteratively."""
    root = getattr(tensor, "grad_fn", None)
    if root is None:
        return []
    seen, names, stack = {id(root)}, [], [root]
    while stack:
        node = stack.pop()
        names.append(type(node).__name__)
        for child, _ in getattr(node, "next_functions", ()):
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return names


def saved_tensors_freed(tensor) -> bool | None:
    """Whether the graph behind ``tensor`` has had its saved tensors freed by a backward pass.

    None when the graph saves nothing that can be inspected.
    """
    root = getattr(tensor, "grad_fn", None)
    stack, seen, inspected = [root] if root is not None else [], set(), False
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for attribute in dir(node):
            if attribute.startswith("_saved_") and not attribute.startswith("_saved_raw"):
                try:
                    value = getattr(node, attribute)
                except RuntimeError:  # "Trying to backward through the graph a second time"
                    return True
                # Saved sizes and flags are never freed: only tensors tell.
                inspected = inspected or isinstance(value, torch.Tensor)
        stack.extend(child for child, _ in getattr(node, "next_functions", ()) if child is not None)
    return False if inspected else None
