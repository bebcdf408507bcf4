"""The wire format between the grading process and a worker (autograd_lab/sandbox/protocol.py).

Everything a worker sends is untrusted: a malformed message must raise ProtocolError (which
the grading side turns into a failed check), never another exception and never a hang.
"""

from __future__ import annotations

import json
import math
import os
import struct
import threading
import time

import numpy as np
import pytest

from autograd_lab.sandbox import protocol
from autograd_lab.sandbox.process import Worker
from autograd_lab.sandbox.protocol import (MAX_DEPTH, MAX_HEADER_BYTES, MAX_MESSAGE_BYTES,
                                           WIRE_DTYPES, ProtocolError, TensorArg, TensorData,
                                           Unsupported)


def roundtrip(message, **kwargs):
    return protocol.decode(protocol.encode(message), **kwargs)


def raw(body, payload: bytes = b"", sizes=None) -> bytes:
    """A message built by hand, so that it can be wrong in any way."""
    sizes = [len(payload)] if sizes is None and payload else (sizes or [])
    head = json.dumps({"body": body, "blobs": sizes}).encode()
    return struct.pack(">Q", len(head)) + head + payload


def array_body(payload_len=8, **head):
    inner = {"dtype": "float64", "shape": [payload_len // 8], "blob": 0, **head}
    return {"$dict": {"value": {"$array": inner}}}


# -- round trips --------------------------------------------------------------------------------


def test_nested_plain_values_round_trip():
    message = {"none": None, "flags": [True, False], "int": -(2**62), "float": 0.1, "text": "é\n\"",
               "nested": {"list": [1, [2, [3, {"deep": (4, 5)}]]], "empty": {}, "empty_list": []}}
    got = roundtrip(message)
    assert got == {**message, "nested": {"list": [1, [2, [3, {"deep": [4, 5]}]]],
                                         "empty": {}, "empty_list": []}}
    assert type(got["int"]) is int and type(got["flags"][0]) is bool


def test_numpy_scalars_become_python_numbers():
    got = roundtrip({"f": np.float32(1.5), "i": np.int64(7), "b": np.bool_(True)})
    assert got == {"f": 1.5, "i": 7, "b": True}
    assert [type(v) for v in got.values()] == [float, int, bool]


def test_nan_and_infinities_round_trip():
    got = roundtrip({"values": [math.nan, math.inf, -math.inf, -0.0]})["values"]
    assert math.isnan(got[0]) and got[1] == math.inf and got[2] == -math.inf
    assert math.copysign(1.0, got[3]) == -1.0


NUMPY_WIRE_DTYPES = [name for name in WIRE_DTYPES if name != "bfloat16"]  # not a NumPy dtype


@pytest.mark.parametrize("dtype", NUMPY_WIRE_DTYPES)
@pytest.mark.parametrize("shape", [(2, 3), (0, 3), (), (1, 1, 4)], ids=str)
def test_arrays_of_every_wire_dtype_round_trip(dtype, shape):
    values = np.asarray(np.arange(math.prod(shape)) % 3).reshape(shape).astype(dtype)
    got = roundtrip({"a": values, "b": [values, values]})
    for array in (got["a"], *got["b"]):
        assert array.dtype == np.dtype(WIRE_DTYPES[dtype])  # float16 travels as float32
        assert array.shape == shape
        np.testing.assert_array_equal(array, values)
        assert array.flags.writeable  # a copy, not a view of the message


def test_noncontiguous_and_special_float_arrays_round_trip():
    base = np.array([[1.0, np.nan, -np.inf], [np.inf, -0.0, 1e308]])
    got = roundtrip({"t": base.T, "s": base[:, ::2]})
    np.testing.assert_array_equal(got["t"], base.T)
    np.testing.assert_array_equal(got["s"], base[:, ::2])


def test_values_that_are_not_plain_data_arrive_as_unsupported():
    got = roundtrip({"obj": object(), "complex": np.zeros(2, dtype=np.complex128)})
    assert got == {"obj": Unsupported("object"), "complex": Unsupported("ndarray of dtype complex128")}


def test_tensor_arguments_are_decoded_only_by_a_worker():
    data = protocol.encode({"x": TensorArg(np.ones((2, 3)), "float32", noncontiguous=True)})
    with pytest.raises(ProtocolError, match="only accepted by a worker"):
        protocol.decode(data)
    seen = []
    got = protocol.decode(data, tensor_decoder=lambda array, head: seen.append(head) or array)
    np.testing.assert_array_equal(got["x"], np.ones((2, 3)))
    assert seen[0]["dtype"] == "float32" and seen[0]["noncontiguous"] is True


def test_tensor_data_from_a_worker_keeps_its_metadata():
    body = {"$dict": {"t": {"$tensor": {"dtype": "float16", "shape": [2], "blob": 0, "device":
                                        "cuda:0", "requires_grad": True, "grad_fn": "MulBackward0",
                                        "is_leaf": False, "contiguous": False}}}}
    got = protocol.decode(raw(body, np.array([1.0, 2.0], dtype=np.float32).tobytes()))["t"]
    assert isinstance(got, TensorData)
    assert (got.dtype, got.device, got.grad_fn, got.shape) == ("float16", "cuda:0", "MulBackward0", (2,))
    assert got.requires_grad and not got.is_leaf and not got.contiguous


# -- malformed messages -----------------------------------------------------------------------

GOOD = protocol.encode({"a": np.arange(4.0), "b": "text"})
HEAD_LEN = struct.unpack(">Q", GOOD[:8])[0]

MALFORMED = {
    "empty": b"",
    "shorter than the length prefix": GOOD[:5],
    "truncated header": GOOD[:8 + HEAD_LEN // 2],
    "truncated payload": GOOD[:-1],
    "extra payload bytes": GOOD + b"\0",
    "header is not JSON": struct.pack(">Q", 3) + b"{x}",
    "header without blobs": struct.pack(">Q", 11) + b'{"body": 1}',
    "negative blob size": raw({"$dict": {}}, b"\0" * 8, sizes=[16, -8]),
    "blob size mismatch": raw(array_body(payload_len=16, shape=[3]), b"\0" * 16),
    "blob index out of range": raw(array_body(blob=1), b"\0" * 8),
    "array header missing a key": raw({"$dict": {"v": {"$array": {"dtype": "float64"}}}}),
    "array header not a dict": raw({"$dict": {"v": {"$array": [1, 2]}}}),
    "unknown tag": raw({"$dict": {"v": {"$pickle": "gASVAAAAAAAAAA=="}}}),
    "two tags in one value": raw({"$dict": {"v": {"$dict": {}, "$array": {}}}}),
    "dict that is not a dict": raw({"$dict": [1, 2]}),
    "bad dtype (object)": raw(array_body(dtype="object"), b"\0" * 8),
    "bad dtype (float128)": raw(array_body(dtype="float128", shape=[1]), b"\0" * 16),
    "negative shape": raw(array_body(shape=[-1]), b"\0" * 8),
    "too many dimensions": raw(array_body(shape=[1] * 17), b"\0" * 8),
    "body is not a dict": raw([1, 2, 3]),
    "nested too deeply": protocol.encode({"v": json.loads("[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2))}),
    "JSON nested past the recursion limit": struct.pack(">Q", 200_000) + b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("data", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_messages_raise_protocol_error(data):
    with pytest.raises(ProtocolError):
        protocol.decode(data)


@pytest.mark.parametrize("head", [{"dtype": []}, {"dtype": {}}, {"shape": [0, 2**63]}],
                         ids=["list dtype", "dict dtype", "zero-size huge shape"])
def test_malformed_array_headers_of_odd_types_raise_protocol_error(head):
    payload = b"" if "shape" in head else b"\0" * 8
    with pytest.raises(ProtocolError):
        protocol.decode(raw(array_body(**head), payload, sizes=[len(payload)]))


def test_a_blob_backs_at_most_one_array():
    # 1000 arrays on one 100 kB blob: a 160 kB message that decodes into 100 MB.
    one = {"$array": {"dtype": "uint8", "shape": [100_000], "blob": 0}}
    with pytest.raises(ProtocolError):
        protocol.decode(raw({"$dict": {"v": [one] * 1000}}, b"\0" * 100_000))


def test_a_negative_blob_index_is_rejected():
    with pytest.raises(ProtocolError):
        protocol.decode(raw(array_body(blob=-1), b"\0" * 8))


# -- the channel ---------------------------------------------------------------------------------


@pytest.fixture
def pipe():
    r, w = os.pipe()
    yield r, w
    for fd in (r, w):
        try:
            os.close(fd)
        except OSError:
            pass


def test_send_and_receive_a_message_larger_than_the_pipe_buffer(pipe):
    r, w = pipe
    message = {"big": np.arange(300_000, dtype=np.float64), "tag": "x"}
    writer = threading.Thread(target=protocol.send, args=(w, protocol.encode(message)))
    writer.start()
    got = protocol.receive(r, time.monotonic() + 10)
    writer.join()
    np.testing.assert_array_equal(got["big"], message["big"])


def test_receive_times_out_and_notices_a_closed_channel(pipe):
    r, w = pipe
    os.write(w, GOOD[:20])  # a partial message, then silence
    started = time.monotonic()
    with pytest.raises(protocol.ChannelTimeout):
        protocol.receive(r, started + 0.2)
    assert time.monotonic() - started < 2
    os.close(w)
    with pytest.raises(protocol.ChannelClosed):
        protocol.receive(r, time.monotonic() + 2)


@pytest.mark.parametrize("prefix", [
    struct.pack(">Q", MAX_HEADER_BYTES + 1),
    struct.pack(">Q", 2**64 - 1),
], ids=["header just too large", "header of 2**64 - 1 bytes"])
def test_receive_rejects_an_oversized_header_without_reading_it(pipe, prefix):
    r, w = pipe
    os.write(w, prefix)  # nothing follows: reading on would wait for the deadline
    with pytest.raises(ProtocolError, match="too large"):
        protocol.receive(r, time.monotonic() + 5)


def test_receive_rejects_an_oversized_payload_without_reading_it(pipe):
    r, w = pipe
    head = json.dumps({"body": {"$dict": {}}, "blobs": [MAX_MESSAGE_BYTES, 1]}).encode()
    os.write(w, struct.pack(">Q", len(head)) + head)
    with pytest.raises(ProtocolError, match="too large"):
        protocol.receive(r, time.monotonic() + 5)


# -- through a real worker -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def worker():
    # One worker for the module: a fork of this process (Worker.start imports torch here
    # first, if nothing else has).
    with Worker("cpu") as w:
        w.start(time.monotonic() + 30)
        yield w
    assert w.pid is None


def call(worker, probe, **args):
    reply = worker.call(f"probes_for_tests:{probe}", args, time.monotonic() + 30)
    assert reply.get("ok"), reply
    return reply["value"]


@pytest.mark.parametrize("shape", [
    (3, 4), (2, 3, 4), (5,), (2, 2),
    (4, 1), (1, 3), (2, 1, 3),
], ids=str)
@pytest.mark.parametrize("dtype", ["float64", "float32", "float16"])
def test_noncontiguous_tensor_arguments_arrive_noncontiguous(worker, shape, dtype):
    values = np.arange(math.prod(shape), dtype=np.float64).reshape(shape) - 2
    got = call(worker, "describe_tensor", tensor=TensorArg(values, dtype, noncontiguous=True))
    assert got["shape"] == list(shape) and got["dtype"] == dtype
    tensor = got["tensor"]
    assert isinstance(tensor, TensorData) and tensor.dtype == dtype
    np.testing.assert_array_equal(tensor.values, values)
    assert got["contiguous"] is False and tensor.contiguous is False, got["stride"]


def test_tensor_arguments_keep_their_flags(worker):
    got = call(worker, "describe_tensor",
               tensor=TensorArg(np.array([[1.0, -2.0]]), "float32", requires_grad=True))
    assert got["contiguous"] is True and got["requires_grad"] is True
    assert got["tensor"].requires_grad and got["tensor"].is_leaf


def test_plain_values_and_arrays_round_trip_through_a_worker(worker):
    sent = {"n": [1, 2.5, None, "s", math.inf], "d": {"k": np.arange(6, dtype=np.int32).reshape(2, 3)}}
    got = call(worker, "echo", **sent)
    assert got["n"] == sent["n"]
    np.testing.assert_array_equal(got["d"]["k"], sent["d"]["k"])
    assert got["d"]["k"].dtype == np.int32


def test_every_call_starts_from_the_random_state_of_seed_0(worker):
    import random

    import torch

    expected_torch = torch.rand(3, generator=torch.Generator().manual_seed(0)).numpy()
    for _ in range(2):
        got = call(worker, "random_draws")
        np.testing.assert_array_equal(got["torch"].values, expected_torch)
        np.testing.assert_array_equal(got["numpy"], np.random.RandomState(0).rand(3))
        assert got["python"] == random.Random(0).random()


def test_the_workers_torch_seeding_is_torch_manual_seed_in_effect():
    import torch

    from autograd_lab.sandbox.worker import torch_seeder

    with torch.random.fork_rng():
        torch_seeder()(7)
        got = torch.rand(5)
        torch.manual_seed(7)
        np.testing.assert_array_equal(got.numpy(), torch.rand(5).numpy())
    if torch.version.cuda is None and torch.version.hip is None:
        assert torch_seeder() == torch.default_generator.manual_seed


def test_the_worker_knows_every_device_torch_manual_seed_seeds():
    """A torch that seeds one more kind of device must be taught to worker._accelerators_built."""
    import inspect
    import re

    import torch

    from autograd_lab.sandbox.worker import ACCELERATORS

    source = inspect.getsource(torch.random._manual_seed_impl)
    seeded = set(re.findall(r"torch\.(\w+)\.manual_seed", source))
    assert seeded and seeded <= set(ACCELERATORS), seeded


# -- a reply's bounds (see also test_bounds.py) ----------------------------------------------------


def test_a_reply_header_over_its_bound_is_refused_a_request_header_is_not(pipe):
    from autograd_lab.sandbox.bounds import MAX_REPLY_HEADER_BYTES

    r, w = pipe
    os.write(w, struct.pack(">Q", MAX_REPLY_HEADER_BYTES + 1))
    with pytest.raises(protocol.MessageTooLarge, match="too large"):
        protocol.receive(r, time.monotonic() + 5)
    # The worker reads requests (from the grading process, trusted) with the larger bounds.
    message = protocol.encode({"text": "x" * 9_000, "list": list(range(300_000))})
    assert MAX_REPLY_HEADER_BYTES < len(message) < MAX_HEADER_BYTES
    writer = threading.Thread(target=protocol.send, args=(w, message))
    writer.start()
    got = protocol.receive(r, time.monotonic() + 10, max_header=MAX_HEADER_BYTES,
                           max_bytes=MAX_MESSAGE_BYTES)
    writer.join()
    assert got["list"][-1] == 299_999


def test_reply_arrays_over_their_bound_are_refused_without_reading_them(pipe):
    from autograd_lab.sandbox.bounds import MAX_REPLY_BYTES

    r, w = pipe
    head = json.dumps({"body": {"$dict": {}}, "blobs": [MAX_REPLY_BYTES, 1]}).encode()
    os.write(w, struct.pack(">Q", len(head)) + head)  # no payload follows
    started = time.monotonic()
    with pytest.raises(protocol.MessageTooLarge, match=f"at most {MAX_REPLY_BYTES}"):
        protocol.receive(r, started + 5)
    assert time.monotonic() - started < 1
