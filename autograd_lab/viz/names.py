"""Name tensors by the variables that hold them in the script's frames.

A tensor held directly by a variable gets that variable's name (``w1``; several variables:
``h, out``). A tensor only reachable through a module or a short container gets a path:
``model.fc1.weight``, ``params[0]``, ``state['h']``. Locals of inner frames come first, then
module globals.
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Mapping

import torch

from autograd_lab.viz.capture import Names

MAX_CONTAINER = 64
"""Lists, tuples and dicts longer than this are not searched (a list of 20,000 states)."""


def capture_names(frames_or_file) -> Names:
    """``{id(tensor): "name"}`` (a :class:`Names`, which also holds the tensors).

    Args:
        frames_or_file: a script's file name (its frames on the current stack are read), an
            iterable of frames (innermost first), or a namespace (a dict of globals).
    """
    if isinstance(frames_or_file, (str, os.PathLike)):
        filename = os.fspath(frames_or_file)
        frames, frame = [], sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_filename == filename:
                frames.append(frame)
            frame = frame.f_back
        scopes = _scopes(frames)
    elif isinstance(frames_or_file, Mapping):
        scopes = [frames_or_file]
    else:
        frames = list(frames_or_file)
        for frame in frames:
            if not isinstance(frame, types.FrameType):
                raise TypeError("capture_names: expected a file name, a namespace or frames, "
                                f"got an item of type {type(frame).__name__}")
        scopes = _scopes(frames)
    return names_in(scopes)


def _scopes(frames: list) -> list[Mapping]:
    """Each frame's locals (innermost first), then each distinct module's globals."""
    scopes, globals_seen, globals_scopes = [], set(), []
    for frame in frames:
        if frame.f_code.co_name != "<module>":
            scopes.append(frame.f_locals)
        if id(frame.f_globals) not in globals_seen:
            globals_seen.add(id(frame.f_globals))
            globals_scopes.append(frame.f_globals)
    return scopes + globals_scopes


def names_in(scopes: list[Mapping]) -> Names:
    """Name the tensors in ``scopes``: variables first, then paths into modules and containers."""
    names = Names()
    containers = []
    for scope in scopes:
        for name, value in list(scope.items()):
            if not isinstance(name, str) or name.startswith("__"):
                continue
            if isinstance(value, torch.Tensor):
                names.add(value, name)
            elif isinstance(value, (torch.nn.Module, list, tuple, dict)):
                containers.append((name, value))
    direct = set(names)
    for name, value in containers:
        for path, tensor in _members(name, value):
            if id(tensor) not in direct:
                names.add(tensor, path)
    return names


def _members(name: str, value):
    """(path, tensor) for the tensors one level inside a module, list, tuple or dict."""
    if isinstance(value, torch.nn.Module):
        yield from value.named_parameters(prefix=name)
        yield from value.named_buffers(prefix=name)
    elif len(value) <= MAX_CONTAINER:
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(item, torch.Tensor) and isinstance(key, (str, int)):
                yield f"{name}[{key!r}]", item
