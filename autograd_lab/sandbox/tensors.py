"""Worker side: turn torch tensors into wire values and wire tensor arguments into tensors.

This runs in the worker, next to student code, so it looks at tensors through torch's base
class (a tensor subclass cannot intercept it) and reports what it saw as plain metadata.
"""

from __future__ import annotations

import numpy as np
import torch

from autograd_lab.sandbox.bounds import MAX_NAME, cut
from autograd_lab.sandbox.protocol import WIRE_DTYPES

_PLAIN_TYPES = (torch.Tensor, torch.nn.Parameter)


def dtype_name(dtype: torch.dtype) -> str:
    """``torch.float32`` -> ``"float32"``."""
    return str(dtype).removeprefix("torch.")


def encode_tensor(value, array_header):
    """Encode a tensor for :func:`protocol.encode`; None for anything that is not one."""
    if not isinstance(value, torch.Tensor):
        return None
    with torch._C.DisableTorchFunctionSubclass():
        dtype = dtype_name(value.dtype)
        if dtype not in WIRE_DTYPES or value.layout != torch.strided:
            return {"$unsupported": f"tensor of dtype {dtype} and layout {value.layout}"}
        grad_fn = value.grad_fn
        meta = {
            "device": str(value.device),
            "requires_grad": bool(value.requires_grad),
            "grad_fn": None if grad_fn is None else cut(type(grad_fn).__name__, MAX_NAME),
            "is_leaf": bool(value.is_leaf),
            "contiguous": bool(torch.Tensor.is_contiguous(value)),
        }
        data = torch.Tensor.detach(value).to("cpu")
        if dtype in ("float16", "bfloat16"):
            data = data.to(torch.float32)
        array = torch.Tensor.numpy(data)
    if type(value) not in _PLAIN_TYPES:
        return {"$unsupported": f"tensor subclass {cut(type(value).__qualname__, 100)}"}
    head = array_header(np.asarray(array), dtype)
    head.update(meta)
    return {"$tensor": head}


def make_noncontiguous(tensor: torch.Tensor) -> torch.Tensor:
    """The same values in a layout that is not contiguous (where the shape allows one).

    A matrix whose last two sides exceed 1 becomes the transpose of a contiguous tensor (the
    layout of ``x.T``); otherwise the values sit at every other element of a larger tensor.
    A tensor with no side above 1 is contiguous in any layout.
    """
    sides = [d for d, size in enumerate(tensor.shape) if size > 1]
    if not sides:
        return tensor
    if tensor.dim() >= 2 and tensor.shape[-1] > 1 and tensor.shape[-2] > 1:
        return tensor.transpose(-1, -2).contiguous().transpose(-1, -2)
    d = sides[-1]
    every_other = (slice(None),) * d + (slice(None, None, 2),)
    return tensor.repeat_interleave(2, dim=d)[every_other]


def tensor_decoder(device: str):
    """Return a decoder that builds tensor arguments on ``device``."""

    def decode(array: np.ndarray, head: dict) -> torch.Tensor:
        dtype = getattr(torch, head["dtype"])
        tensor = torch.from_numpy(array).to(device=device, dtype=dtype)
        if head.get("noncontiguous"):
            tensor = make_noncontiguous(tensor)
        if head.get("requires_grad"):
            tensor.requires_grad_(True)
        return tensor

    return decode
