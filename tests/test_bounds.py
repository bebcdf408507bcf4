"""Everything a worker sends is bounded before it is decoded (autograd_lab/sandbox/bounds.py).

A check feeds a probe a few dozen elements and can expect about as many back: a reply with an
array far larger, a string of megabytes, a class name of millions of characters, must cost
the grading process a short message, never megabytes read, decoded or rendered. The worker
applies the bound as it encodes; the grading process applies it again, since a student's code
can switch off anything in its own worker. The worker also seeds before importing the
student's file, so that a coin tossed at import falls the same way on every run.
"""

from __future__ import annotations

import json
import random
import time

import numpy as np
import pytest
import torch

from autograd_lab.catalog import lookup
from autograd_lab.grading.engine import grade
from autograd_lab.grading.failure import Abort, CheckFailure
from autograd_lab.grading.session import Session
from autograd_lab.sandbox import bounds, protocol
from autograd_lab.sandbox.bounds import MAX_NAME, MAX_STRING, MIN_ELEMENTS, PER_INPUT
from autograd_lab.sandbox.process import Worker
from autograd_lab.sandbox.protocol import TensorArg, TensorData, Unsupported
from support import ROOT, SOLUTIONS

HOSTILE = ROOT / "tests" / "hostile"
EX1, EX3 = lookup("1"), lookup("3")

# -- probes (run in the worker: this module is imported there, as the catalog's are) ------------


def probe_zeros(m, n, like=None):
    return {"t": torch.zeros(n)}


def probe_text(m, n):
    return {"s": "x" * n}


def probe_named(m, n):
    return {"v": type("N" * n, (), {})()}


def probe_unbounded_zeros(m, n):
    """Switch off the worker's side of the bound (as a student's code can), then return n zeros."""
    from autograd_lab.sandbox import protocol as wire

    encode = wire.encode
    wire.encode = lambda message, tensor_encoder=None, bound=None: encode(message, tensor_encoder)
    return {"t": torch.zeros(n, dtype=torch.float64)}


def probe_draws(m):
    return {"draws": list(m.DRAWS)}


# -- the bound itself -------------------------------------------------------------------------


def test_the_bound_grows_with_the_largest_input_above_a_floor():
    small = bounds.for_call({"x": TensorArg(np.zeros(6)), "n": 3})
    assert (small.max_elements, small.input_elements) == (MIN_ELEMENTS, 6)
    big = {"x": [TensorArg(np.zeros((40, 50)))], "y": {"z": np.zeros(10)}}
    assert bounds.for_call(big).max_elements == PER_INPUT * 2000
    assert bounds.for_call({}).input_elements == 0


def test_a_probe_may_set_its_own_bound():
    def probe(m):
        return None

    probe.max_elements = 10
    assert bounds.for_call({"x": TensorArg(np.zeros(6))}, probe).max_elements == 10


def test_excess_names_the_first_array_over_the_bound():
    bound = bounds.Bound(100, 6)
    ok = {"a": np.zeros(100), "b": [TensorData(np.zeros(3), "float64")]}
    assert bounds.excess(ok, bound) is None
    assert bounds.excess({"a": [1, {"b": np.zeros(101)}]}, bound) == (
        "returned an array of 101 elements for an input of 6 (at most 100 expected)")
    assert bounds.excess([TensorData(np.zeros(3_000), "float32")], bounds.Bound(100)) == (
        "returned a tensor of 3000 elements (at most 100 expected)")


def test_encoding_with_a_bound_refuses_an_array_before_copying_it():
    huge = np.broadcast_to(np.float64(0), (10**12,))  # a view: copying it would need 8 TB
    with pytest.raises(bounds.ReplyTooLarge, match="returned an array of 1000000000000 elements"):
        protocol.encode({"value": huge}, bound=bounds.Bound(100))


def test_encoding_with_a_bound_refuses_too_many_bytes_in_all():
    many = [np.zeros(1000) for _ in range(20)]  # 160 KB, each array within the bound
    with pytest.raises(bounds.ReplyTooLarge, match="bytes of arrays in all"):
        protocol.encode({"value": many}, bound=bounds.Bound(1000, max_bytes=100_000))
    with pytest.raises(bounds.ReplyTooLarge, match="bytes of plain values"):
        protocol.encode({"value": list(range(300_000))}, bound=bounds.Bound(1000))


def test_strings_and_type_names_are_cut_on_both_sides():
    got = protocol.decode(protocol.encode({"s": "é" * 50_000, "k" * 20_000: 1}))
    assert len(got["s"]) == MAX_STRING and got["s"].endswith("...")
    assert [len(k) for k in got if k != "s"] == [MAX_STRING]
    # A worker that did not cut them: the grading process cuts them as it decodes.
    head = json.dumps({"body": {"$dict": {"s": "y" * 50_000, "u": {"$unsupported": "N" * 9000}}},
                       "blobs": []}).encode()
    got = protocol.decode(len(head).to_bytes(8, "big") + head)
    assert len(got["s"]) == MAX_STRING
    assert isinstance(got["u"], Unsupported) and len(got["u"].type_name) == MAX_NAME


# -- through a real worker -------------------------------------------------------------------


@pytest.fixture
def read_bytes(monkeypatch):
    """Counts the bytes the grading process reads from its workers."""
    counted = [0]
    read = protocol._read_exact

    def counting(fd, n, deadline):
        data = read(fd, n, deadline)
        counted[0] += len(data)
        return data

    monkeypatch.setattr(protocol, "_read_exact", counting)
    return counted


@pytest.fixture(scope="module")
def worker():
    with Worker("cpu") as w:
        w.start(time.monotonic() + 30)
        yield w


def call(worker, probe, **args):
    return worker.call(f"test_bounds:{probe}", args, time.monotonic() + 30)


def test_a_huge_tensor_is_refused_by_the_worker_with_what_it_was(worker, read_bytes):
    reply = call(worker, "probe_zeros", n=3_000_000, like=TensorArg(np.zeros(6)))
    assert reply["ok"] is False and reply["error"]["type"] == "ReplyTooLarge"
    assert reply["error"]["message"] == (
        f"returned a tensor of 3000000 elements for an input of 6 (at most {MIN_ELEMENTS} "
        "expected)")
    assert read_bytes[0] < 2_000  # 12 MB of float32 zeros stayed in the worker
    assert call(worker, "probe_zeros", n=6)["ok"]  # and the worker still answers


def test_a_huge_string_and_a_huge_type_name_arrive_cut(worker, read_bytes):
    assert len(call(worker, "probe_text", n=12_000_000)["value"]["s"]) == MAX_STRING
    named = call(worker, "probe_named", n=12_000_000)["value"]["v"]
    assert isinstance(named, Unsupported) and len(named.type_name) == MAX_NAME
    assert read_bytes[0] < 40_000


def test_the_worker_seeds_before_importing_the_students_file(tmp_path):
    student = tmp_path / "coin.py"
    student.write_text("import random\nimport numpy as np\nimport torch\n"
                       "DRAWS = (random.random(), float(np.random.rand()), float(torch.rand(())))\n")
    seen = []
    for state in range(3):
        # Each worker is forked from this process: a different state here, the same draws there.
        random.seed(state)
        np.random.seed(state)
        torch.manual_seed(state)
        with Worker("cpu") as w:
            w.start(time.monotonic() + 30)
            assert w.load(str(student), "coin", time.monotonic() + 30)["ok"]
            seen.append(call(w, "probe_draws")["value"]["draws"])
    expected = [random.Random(0).random(), float(np.random.RandomState(0).rand()),
                float(torch.rand((), generator=torch.Generator().manual_seed(0)))]
    assert seen == [expected] * 3


# -- the grading process bounds it again ------------------------------------------------------


@pytest.fixture
def session():
    s = Session(str(SOLUTIONS / EX3.filename), timeout=60)
    s.open()
    yield s
    s.close()


def test_an_array_over_the_bound_is_refused_even_when_the_worker_sends_it(session):
    with pytest.raises(CheckFailure) as caught:
        session.call(probe_unbounded_zeros, n=MIN_ELEMENTS + 1)
    failure = caught.value.failure
    assert failure.summary == (f"your code returned a tensor of {MIN_ELEMENTS + 1} elements (at "
                               f"most {MIN_ELEMENTS} expected) while running your code")
    assert failure.by_student


def test_a_reply_over_the_byte_limit_is_refused_before_it_is_read(session, read_bytes):
    with pytest.raises(Abort) as caught:
        session.call(probe_unbounded_zeros, n=2_000_000)  # 16 MB of float64
    assert "a message of 16000000 bytes is too large" in caught.value.failure.summary
    assert read_bytes[0] < 2_000
    assert session.unsettled is not None  # such data ends the worker: not a settled verdict


# -- hostile files, graded ---------------------------------------------------------------------


def failed_messages(report) -> str:
    return "\n".join(c.message for c in report.checks if not c.passed)


@pytest.mark.slow
def test_a_forward_returning_3m_elements_fails_fast_with_a_message(read_bytes):
    started = time.monotonic()
    report = grade(EX3, str(HOSTILE / "bound_huge_forward.py"), timeout=30)
    assert time.monotonic() - started < 30
    assert "your code returned a tensor of 3000000 elements for an input of" in report.checks[
        0].message
    assert report.score == 0
    assert read_bytes[0] < 1_000_000  # each refusal is a short error reply


@pytest.mark.slow
def test_a_backward_returning_3m_element_gradients_fails_with_a_message(read_bytes):
    report = grade(EX1, str(HOSTILE / "bound_huge_gradient.py"), timeout=30)
    assert "your code returned an array of 3000000 elements for an input of" in failed_messages(
        report)
    assert report.score == 0 and read_bytes[0] < 1_000_000


@pytest.mark.slow
def test_a_250_mb_bool_tensor_never_reaches_the_grading_process(read_bytes):
    report = grade(EX3, str(HOSTILE / "bound_huge_bool.py"), timeout=5)
    assert "returned a tensor of 250000000 elements" in report.checks[0].message
    assert report.score == 0 and read_bytes[0] < 1_000_000


@pytest.mark.slow
def test_a_12m_character_class_name_gives_a_small_report():
    report = grade(EX3, str(HOSTILE / "bound_long_type_name.py"), timeout=30)
    assert len(json.dumps(report.to_dict())) < 100_000
    # What the file computes right is still paid: forward's values are a right ReLU's.
    assert {c.name: c.passed for c in report.checks}["forward"]


@pytest.mark.slow
def test_a_coin_tossed_at_import_gives_the_same_verdict_on_every_run():
    verdicts = set()
    for state in range(5):
        random.seed(state)
        np.random.seed(state)
        torch.manual_seed(state)
        report = grade(EX3, str(HOSTILE / "bound_import_coin.py"), timeout=30)
        verdicts.add(tuple((c.name, c.status, c.score) for c in report.checks))
    assert len(verdicts) == 1, verdicts


@pytest.mark.slow
def test_a_timeout_makes_a_verdict_unsettled_and_a_clean_run_does_not():
    hung = grade(EX3, str(HOSTILE / "hangs_in_forward.py"), timeout=2)
    assert hung.unsettled is not None and hung.unsettled.startswith("timed out")
    assert hung.to_dict()["unsettled"] == hung.unsettled
    assert grade(EX3, str(SOLUTIONS / EX3.filename), timeout=30).unsettled is None
