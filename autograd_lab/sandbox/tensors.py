"""Worker side: turn torch tensors into wire values and wire tensor arguments into tensors.

This runs in the worker, next to student code, so it looks at tensors through torch's base
class (a tensor subclass cannot intercept it) and reports what it saw as plain metadata.
"""

from __future__ import annotations

import numpy as np
import torch

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
            "grad_fn": None if grad_fn is None else type(grad_fn).__name__,
            "is_leaf": bool(value.is_leaf),
            "contiguous": bool(torch.Tensor.is_contiguous(value)),
        }
        data = torch.Tensor.detach(value).to("cpu")
        if dtype in ("float16", "bfloat16"):
            data = data.to(torch.float32)
        array = torch.Tensor.numpy(data)
    if type(value) not in _PLAIN_TYPES:
        return {"$unsupported": f"tensor subclass {type(value).__qualname__[:100]}"}
    head = array_header(np.asarray(array), dtype)
    head.update(meta)
    return {"$tensor": head}


def tensor_decoder(device: str):
    """Return a decoder that builds tensor arguments on ``device``."""

    def decode(array: np.ndarray, head: dict) -> torch.Tensor:
        dtype = getattr(torch, head["dtype"])
        if head.get("noncontiguous") and array.ndim >= 2:
            # Build the transpose contiguously, then transpose back: same values, not contiguous.
            base = torch.from_numpy(np.ascontiguousarray(array.swapaxes(-1, -2)))
            tensor = base.to(device=device, dtype=dtype).transpose(-1, -2)
        elif head.get("noncontiguous") and array.ndim == 1 and array.size > 1:
            doubled = np.repeat(array, 2)
            tensor = torch.from_numpy(doubled).to(device=device, dtype=dtype)[::2]
        else:
            tensor = torch.from_numpy(array).to(device=device, dtype=dtype)
        if head.get("requires_grad"):
            tensor.requires_grad_(True)
        return tensor

    return decode
