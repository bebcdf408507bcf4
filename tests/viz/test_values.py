"""values.py: exact values of small tensors, gradient summaries, and NaN/inf in JSON."""

from __future__ import annotations

import json
import math

import pytest
import torch

from autograd_lab.viz.model import Capture, Edge, Graph, Grad, Node
from autograd_lab.viz.render_json import to_json
from autograd_lab.viz.torch_graph import is_wrapped_number
from autograd_lab.viz.values import DEFAULT_VALUES, check_values, read_values, summarize


def test_values_are_exact_nested_tuples_of_what_the_tensor_holds():
    t = torch.tensor([[0.1, 0.2], [0.3, 1e-8]])  # float32: not the decimal numbers typed
    values = read_values(t)
    assert isinstance(values, tuple) and all(isinstance(row, tuple) for row in values)
    assert values == tuple(tuple(float(t[i, j].item()) for j in range(2)) for i in range(2))
    assert values[0][0] != 0.1 and values[0][0] == torch.tensor(0.1).item()
    assert read_values(t.t()) == tuple(zip(*values))  # a non-contiguous view reads as seen
    assert read_values(torch.tensor(2.5)) == 2.5  # a 0-d tensor: a plain number
    assert read_values(torch.tensor([True, False])) == (True, False)
    assert read_values(torch.tensor([1 + 2j, -0.5j])) == ("1+2j", "-0-0.5j")
    assert read_values(torch.zeros(0)) == ()


def test_values_detach_and_keep_nan_and_inf_as_floats():
    w = torch.tensor([float("nan"), float("inf"), -float("inf")], requires_grad=True)
    values = read_values(w * 1)
    assert math.isnan(values[0]) and values[1:] == (math.inf, -math.inf)


def test_the_limit_and_off():
    assert DEFAULT_VALUES == 16
    assert read_values(torch.ones(4, 4)) is not None
    assert read_values(torch.ones(17)) is None
    assert read_values(torch.ones(17), 17) == (1.0,) * 17
    assert read_values(torch.ones(2), 0) is None and read_values(torch.tensor(1.0), 0) is None
    assert read_values(torch.ones(2, device="meta")) is None


def test_summarize_gives_shape_norm_and_small_values():
    g = torch.tensor([3.0, 4.0])
    assert summarize(g) == Grad((2,), 5.0, (3.0, 4.0))
    big = torch.randn(5, 7)
    summary = summarize(big)
    assert summary.shape == (5, 7) and summary.values is None
    assert summary.norm == pytest.approx(torch.linalg.vector_norm(big.double()).item(), rel=1e-12)
    off = summarize(g, 0)
    assert off == Grad((2,), 5.0, None)  # values off: shape and norm all the same
    complex_norm = summarize(torch.tensor([3j, 4.0])).norm
    assert complex_norm == pytest.approx(5.0)
    assert summarize(torch.tensor(-2.0)) == Grad((), 2.0, -2.0)


def test_check_values():
    check_values(0)
    check_values(100)
    with pytest.raises(ValueError, match="values=-1"):
        check_values(-1)
    with pytest.raises(TypeError, match="values=True"):
        check_values(True)
    with pytest.raises(TypeError, match="values='5'"):
        check_values("5")


def test_wrapped_numbers_are_told_from_zero_dim_tensors():
    x = torch.ones(2, requires_grad=True)
    for expression, wrapped in ((lambda: x * 3, True), (lambda: 3 * x, True),
                                (lambda: x * 2.5, True), (lambda: x / 4, True),
                                (lambda: x * (1 + 2j), True),
                                (lambda: x * torch.tensor(3), False),
                                (lambda: x * torch.tensor(2.5, dtype=torch.float64), False),
                                (lambda: x * torch.tensor(3.0), False)):
        other = expression().grad_fn._saved_other
        assert is_wrapped_number(other) is wrapped, other
    assert not is_wrapped_number(torch.ones(1, dtype=torch.float64))


def test_json_writes_nan_and_inf_as_strings_and_stays_valid():
    nan, inf = float("nan"), float("inf")
    node = Node("t0", "tensor", "x", values=(nan, (1.0, -inf)), grad_norm=inf)
    edge = Edge("t0", "t0", grad=Grad((2,), nan, (inf, 0.5)))
    text = to_json(Capture([Graph([node], [edge])]))

    def refuse(name):
        raise AssertionError(f"not valid JSON: {name}")

    data = json.loads(text, parse_constant=refuse)
    (written,) = data["graphs"][0]["nodes"]
    assert written["values"] == ["nan", [1.0, "-inf"]] and written["grad_norm"] == "inf"
    assert data["graphs"][0]["edges"][0]["grad"] == {"shape": [2], "norm": "nan",
                                                     "values": ["inf", 0.5]}
    assert node.values[0] != node.values[0]  # the model itself keeps the floats
