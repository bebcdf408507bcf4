"""The worker: runs in a forked child, imports the student's file, runs probes on it.

Requests (from the grading process):

- ``{"op": "load", "path", "module_name", "seed": int}``: import the student's file as a
  module, random, NumPy and torch seeded first (a coin tossed at import falls the same way
  on every run);
- ``{"op": "call", "probe": "package.module:function", "args": {...}, "seed": int}``:
  seed the same way, call ``function(student_module, **args)`` and send back what it returns;
- ``{"op": "exit"}``.

Every reply is ``{"ok": True, "value": ...}`` or ``{"ok": False, "error": {...}}``, the
error described by :mod:`student_error`. A value over the reply's bound (:mod:`bounds`,
from the call's inputs) is not sent: the reply is the error ``ReplyTooLarge``, whose message
says what was returned. The first message the worker sends, unasked, is
``{"op": "hello", "pid", "torch", "cuda"}``.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import random
import sys
import warnings
from typing import Callable

import numpy as np
import torch

from autograd_lab.sandbox import bounds, protocol, student_error
from autograd_lab.sandbox.tensors import encode_tensor, tensor_decoder


def _error(kind: str, message: str) -> dict:
    return {"ok": False, "error": {"type": kind, "message": message, "frames": []}}


def _reply(fd: int, message: dict, bound: bounds.Bound | None = None) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        data = protocol.encode(message, encode_tensor, bound)
    except bounds.ReplyTooLarge as exc:
        data = protocol.encode(_error("ReplyTooLarge", str(exc)))
    except BaseException as exc:  # a value that cannot be encoded is the student's doing
        data = protocol.encode(_error("UnencodableResult", student_error._safe_str(exc)))
    protocol.send(fd, data)


def _load(path: str, module_name: str):
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


ACCELERATORS = ("cuda", "mps", "xpu", "mtia")
"""The devices ``torch.manual_seed`` seeds besides the CPU (and a custom backend, if any)."""


def _accelerators_built() -> bool:
    """Was this torch built for any device but the CPU? Asked without starting any device.

    True where unsure (a torch without these attributes): seeding then takes the long way.
    """
    try:
        return (torch.version.cuda is not None or torch.version.hip is not None
                or torch.version.xpu is not None or torch.backends.mps.is_built()
                or torch.mtia._is_compiled()
                or hasattr(torch, torch._C._get_privateuse1_backend_name()))
    except AttributeError:
        return True


def torch_seeder() -> Callable[[int], object]:
    """How a worker seeds torch before each call: ``torch.manual_seed``, or its CPU part alone.

    ``torch.manual_seed`` seeds the CPU generator and, for each accelerator torch was built
    for, seeds it or queues a seed for when it starts, recording ``traceback.format_stack()``
    for each queue: at a worker's stack depth some 0.4 ms a call, more than most probes take.
    Where torch was built for the CPU alone, nothing but the CPU generator can ever be seeded,
    and seeding it alone gives student code the very same random numbers.
    """
    return torch.manual_seed if _accelerators_built() else torch.default_generator.manual_seed


def _seed(seed: int, seed_torch: Callable[[int], object]) -> None:
    random.seed(seed)
    np.random.seed(seed)
    seed_torch(seed)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def serve(request_fd: int, reply_fd: int, device: str) -> None:
    """Answer requests until told to exit or the channel closes."""
    sys.dont_write_bytecode = True
    torch.set_num_threads(1)
    # Warnings are shown (in the captured output), never raised: the grading process may run
    # with warnings as errors (a test runner), and a torch warning must not fail a check.
    # A recorder the grading process had installed (catch_warnings) is replaced too, so that
    # warnings reach the captured output.
    warnings.resetwarnings()
    warnings.simplefilter("default")
    warnings.showwarning = _show_warning
    _reply(reply_fd, {"op": "hello", "pid": os.getpid(), "torch": torch.__version__,
                      "cuda": device != "cuda" or torch.cuda.is_available()})
    decoder = tensor_decoder(device)
    seed_torch = torch_seeder()
    module, path = None, ""
    while True:
        try:
            request = protocol.receive(request_fd, tensor_decoder=decoder,
                                       max_header=protocol.MAX_HEADER_BYTES,
                                       max_bytes=protocol.MAX_MESSAGE_BYTES)
        except protocol.ChannelClosed:
            return
        op = request.get("op")
        if op == "exit":
            return
        try:
            if op == "load":
                path = request["path"]
                _seed(int(request.get("seed", 0)), seed_torch)
                module = _load(path, request["module_name"])
                _reply(reply_fd, {"ok": True, "value": None})
            elif op == "call":
                module_name, _, function_name = request["probe"].partition(":")
                probe = getattr(importlib.import_module(module_name), function_name)
                args = request.get("args", {})
                bound = bounds.for_call(args, probe)
                _seed(int(request.get("seed", 0)), seed_torch)
                # A student who switched autograd off globally must not break later probes.
                torch.set_grad_enabled(True)
                value = probe(module, **args)
                _reply(reply_fd, {"ok": True, "value": value}, bound)
            else:
                _reply(reply_fd, _error("ProtocolError", f"unknown op {str(op)[:40]!r}"))
        except BaseException as exc:  # student code may raise anything, SystemExit included
            _reply(reply_fd, {"ok": False, "error": student_error.describe(exc, path)})
