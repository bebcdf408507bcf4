"""The wire format between the grading process and a worker: JSON plus raw array bytes.

Nothing is ever unpickled. A message is an 8-byte length, a JSON header, then the raw
bytes of every array the header refers to. Values are encoded as:

- ``None``, ``bool``, ``int``, ``float``, ``str``: as JSON (NaN and infinities included);
- lists and tuples: JSON lists;
- dicts with string keys: ``{"$dict": {...}}``;
- NumPy arrays: ``{"$array": {"dtype", "shape", "blob"}}``, the bytes in blob number ``blob``;
- tensors (worker side only): ``{"$tensor": {...}}``, the same plus ``device``,
  ``requires_grad``, ``grad_fn``, ``is_leaf`` and ``contiguous``.

The grading process never imports torch for this: tensors arrive as :class:`TensorData`,
and it sends tensors as :class:`TensorArg`, which the worker turns into real tensors.
Every message from a worker is untrusted: sizes are bounded (see :mod:`bounds`: a reply is
refused before it is read when it is over them) and checked against the header, strings are
cut, dtypes come from a fixed list, and a malformed message raises :class:`ProtocolError`.
"""

from __future__ import annotations

import json
import math
import os
import select
import struct
import time
from dataclasses import dataclass, field

import numpy as np

from autograd_lab.sandbox.bounds import (MAX_NAME, MAX_REPLY_BYTES, MAX_REPLY_HEADER_BYTES,
                                         Bound, ReplyTooLarge, cut)

MAX_HEADER_BYTES = 16 * 1024 * 1024
"""The header of a request (grading process to worker); a reply's is bounded tighter."""
MAX_MESSAGE_BYTES = 256 * 1024 * 1024
"""The arrays of a request; a reply's are bounded tighter (:data:`bounds.MAX_REPLY_BYTES`)."""
MAX_DEPTH = 32

# The dtypes that travel. Half-precision tensors travel as float32 bytes under their own name.
WIRE_DTYPES = {
    "float64": np.float64,
    "float32": np.float32,
    "float16": np.float32,
    "bfloat16": np.float32,
    "int64": np.int64,
    "int32": np.int32,
    "int16": np.int16,
    "int8": np.int8,
    "uint8": np.uint8,
    "bool": np.bool_,
}


class ProtocolError(Exception):
    """A message that does not follow the wire format."""


class ChannelClosed(ProtocolError):
    """The other end closed the pipe (the worker exited or was killed)."""


class MessageTooLarge(ProtocolError):
    """A message over the size limits."""


class ChannelTimeout(ProtocolError):
    """No complete message arrived before the deadline."""


@dataclass(frozen=True)
class TensorArg:
    """A tensor the grading process asks the worker to build (as float values of ``dtype``)."""

    values: np.ndarray
    dtype: str = "float64"
    requires_grad: bool = False
    noncontiguous: bool = False
    """Build it as the transpose of a contiguous tensor, so that it is not contiguous."""


@dataclass(frozen=True)
class TensorData:
    """A tensor as the worker reported it: its values (on the CPU) and its metadata."""

    values: np.ndarray
    dtype: str
    device: str = "cpu"
    requires_grad: bool = False
    grad_fn: str | None = None
    is_leaf: bool = True
    contiguous: bool = True

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.values.shape)


@dataclass(frozen=True)
class Unsupported:
    """A value the worker could not encode (an object that is not plain data)."""

    type_name: str


@dataclass
class _Blobs:
    bound: Bound | None = None
    chunks: list[bytes] = field(default_factory=list)
    total: int = 0

    def add(self, array: np.ndarray) -> int:
        self.chunks.append(np.ascontiguousarray(array).tobytes())
        self.total += len(self.chunks[-1])
        if self.bound is not None and self.total > self.bound.max_bytes:
            raise ReplyTooLarge(f"returned {self.total} bytes of arrays in all (at most "
                                f"{self.bound.max_bytes} expected)")
        return len(self.chunks) - 1


def _array_header(array: np.ndarray, dtype: str, blobs: _Blobs, what: str = "array") -> dict:
    wire = WIRE_DTYPES[dtype]
    if blobs.bound is not None and array.size > blobs.bound.max_elements:
        raise ReplyTooLarge(blobs.bound.refusal(int(array.size), what))
    return {
        "dtype": dtype,
        "shape": list(array.shape),
        "blob": blobs.add(np.asarray(array, dtype=wire)),
    }


def _encode(value, blobs: _Blobs, tensor_encoder):
    if isinstance(value, str):
        return cut(value)
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_encode(v, blobs, tensor_encoder) for v in value]
    if isinstance(value, dict):
        return {"$dict": {cut(str(k)): _encode(v, blobs, tensor_encoder)
                          for k, v in value.items()}}
    if isinstance(value, np.ndarray):
        dtype = value.dtype.name
        if dtype not in WIRE_DTYPES:
            return {"$unsupported": f"ndarray of dtype {dtype}"}
        return {"$array": _array_header(value, dtype, blobs)}
    if isinstance(value, TensorArg):
        head = _array_header(value.values, value.dtype, blobs)
        head.update(requires_grad=value.requires_grad, noncontiguous=value.noncontiguous)
        return {"$tensorarg": head}
    if tensor_encoder is not None:
        encoded = tensor_encoder(value, lambda arr, dt: _array_header(arr, dt, blobs, "tensor"))
        if encoded is not None:
            return encoded
    return {"$unsupported": cut(type(value).__qualname__, MAX_NAME)}


def encode(message: dict, tensor_encoder=None, bound: Bound | None = None) -> bytes:
    """Encode ``message`` (a dict of plain values) to bytes for :func:`send`.

    ``tensor_encoder(value, array_header)`` is the worker's hook for torch tensors: it
    returns an encoded dict, or None for values that are not tensors. With ``bound`` (a
    worker's reply), raise :class:`bounds.ReplyTooLarge` for a message over it, as soon as
    that is known (before an oversized array is copied).
    """
    blobs = _Blobs(bound)
    header = {"body": _encode(message, blobs, tensor_encoder),
              "blobs": [len(c) for c in blobs.chunks]}
    head = json.dumps(header, allow_nan=True).encode()
    if bound is not None and len(head) > MAX_REPLY_HEADER_BYTES:
        raise ReplyTooLarge(f"returned {len(head)} bytes of plain values (numbers, lists, text; "
                            f"at most {MAX_REPLY_HEADER_BYTES} expected)")
    return struct.pack(">Q", len(head)) + head + b"".join(blobs.chunks)


def _decode(value, blobs: list[memoryview | None], depth: int, tensor_decoder):
    if depth > MAX_DEPTH:
        raise ProtocolError("message nested too deeply")
    if isinstance(value, str):
        return cut(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, list):
        return [_decode(v, blobs, depth + 1, tensor_decoder) for v in value]
    if not isinstance(value, dict) or len(value) != 1:
        raise ProtocolError("malformed value")
    (tag, inner), = value.items()
    if tag == "$dict":
        if not isinstance(inner, dict):
            raise ProtocolError("malformed dict")
        return {cut(k): _decode(v, blobs, depth + 1, tensor_decoder) for k, v in inner.items()}
    if tag == "$unsupported":
        return Unsupported(cut(str(inner), MAX_NAME))
    if tag in ("$array", "$tensor", "$tensorarg"):
        array = _decode_array(inner, blobs)
        if tag == "$array":
            return array
        if tag == "$tensor":
            return TensorData(
                values=array,
                dtype=inner["dtype"],
                device=str(inner.get("device", "cpu"))[:40],
                requires_grad=bool(inner.get("requires_grad", False)),
                grad_fn=(None if inner.get("grad_fn") is None
                         else cut(str(inner["grad_fn"]), MAX_NAME)),
                is_leaf=bool(inner.get("is_leaf", True)),
                contiguous=bool(inner.get("contiguous", True)),
            )
        if tensor_decoder is None:
            raise ProtocolError("tensor arguments are only accepted by a worker")
        return tensor_decoder(array, inner)
    raise ProtocolError(f"unknown tag {tag[:40]!r}")


def _decode_array(inner, blobs: list[memoryview | None]) -> np.ndarray:
    try:
        dtype = inner["dtype"]
        shape = tuple(int(s) for s in inner["shape"])
        index = int(inner["blob"])
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise ProtocolError("malformed array header") from exc
    if not isinstance(dtype, str) or dtype not in WIRE_DTYPES:
        raise ProtocolError("bad array dtype")
    if any(s < 0 for s in shape) or len(shape) > 16:
        raise ProtocolError("bad array shape")
    if not 0 <= index < len(blobs) or blobs[index] is None:
        raise ProtocolError("bad or reused blob index")
    blob, blobs[index] = blobs[index], None  # each blob backs exactly one array
    wire = np.dtype(WIRE_DTYPES[dtype])
    if math.prod(shape) * wire.itemsize != len(blob):
        raise ProtocolError("array size does not match its bytes")
    return np.frombuffer(blob, dtype=wire).reshape(shape).copy()


def _parse_header(header_bytes: bytes) -> tuple[object, list[int]]:
    try:
        header = json.loads(header_bytes)
        return header["body"], [int(n) for n in header["blobs"]]
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise ProtocolError("malformed header") from exc


def decode(data: bytes, tensor_decoder=None) -> dict:
    """Decode one message made by :func:`encode`; raise :class:`ProtocolError` if malformed."""
    if len(data) < 8:
        raise ProtocolError("message too short")
    (head_len,) = struct.unpack(">Q", data[:8])
    body, sizes = _parse_header(data[8:8 + head_len])
    return _decode_body(body, sizes, data[8 + head_len:], tensor_decoder)


def _decode_body(body, sizes: list[int], payload: bytes, tensor_decoder) -> dict:
    if any(n < 0 for n in sizes) or sum(sizes) != len(payload):
        raise ProtocolError("blob sizes do not match the payload")
    view = memoryview(payload)
    blobs, start = [], 0
    for n in sizes:
        blobs.append(view[start:start + n])
        start += n
    try:
        message = _decode(body, blobs, 0, tensor_decoder)
    except ProtocolError:
        raise
    except (TypeError, ValueError, AttributeError, KeyError, OverflowError, RecursionError) as exc:
        raise ProtocolError(f"malformed value: {type(exc).__name__}") from exc
    if not isinstance(message, dict):
        raise ProtocolError("a message must be a dict")
    return message


def send(fd: int, data: bytes) -> None:
    """Write all of ``data`` to ``fd``."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes:
    parts, remaining = [], n
    while remaining:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChannelTimeout("no answer before the deadline")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                raise ChannelTimeout("no answer before the deadline")
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise ChannelClosed("the other end closed the channel")
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)


def receive(fd: int, deadline: float | None = None, tensor_decoder=None, *,
            max_header: int = MAX_REPLY_HEADER_BYTES, max_bytes: int = MAX_REPLY_BYTES) -> dict:
    """Read and decode one message from ``fd``, waiting until ``deadline`` (monotonic).

    A message whose header or arrays are over ``max_header`` or ``max_bytes`` (by default a
    reply's bounds, :mod:`bounds`) raises :class:`MessageTooLarge` before any of it is read.
    """
    (head_len,) = struct.unpack(">Q", _read_exact(fd, 8, deadline))
    if head_len > max_header:
        raise MessageTooLarge(f"a header of {head_len} bytes is too large (at most {max_header})")
    body, sizes = _parse_header(_read_exact(fd, head_len, deadline))
    total = sum(sizes)
    if any(n < 0 for n in sizes):
        raise ProtocolError("negative blob size")
    if total > max_bytes:
        raise MessageTooLarge(f"a message of {total} bytes is too large (at most {max_bytes})")
    payload = _read_exact(fd, total, deadline)
    return _decode_body(body, sizes, payload, tensor_decoder)
