"""The torch-call watchers name what a student called the way the student wrote it.

``torch.from_numpy``, not ``_VariableFunctionsClass.from_numpy``; ``torch.nn.MSELoss``, not
``_Loss.__init__``. Each expected name below is the spelling in torch's documentation of the
call on that line of the student file.
"""

from __future__ import annotations

import importlib.util
import textwrap

import pytest
import torch

from autograd_lab.catalog.rule_watch import GraphWatch
from autograd_lab.catalog.watch import torch_calls

STUDENT = textwrap.dedent("""\
    import numpy as np
    import torch
    import torch.nn.functional as F

    def call(kind, t, m):
        if kind == "from_numpy": return torch.from_numpy(np.ones(3))
        if kind == "tensor": return torch.tensor([1.0])
        if kind == "torch.relu": return torch.relu(t)
        if kind == "method": return t.relu()
        if kind == "unbound": return torch.Tensor.relu(t)
        if kind == "F.relu": return F.relu(t)
        if kind == "F.linear": return F.linear(t, m)
        if kind == "linalg": return torch.linalg.norm(t)
        if kind == "special": return torch.special.expit(t)
        if kind == "Linear": return torch.nn.Linear(2, 2)
        if kind == "MSELoss": return torch.nn.MSELoss()
        if kind == "manual_seed": return torch.manual_seed(0)
        if kind == "np.asarray": return np.asarray(t)
        if kind == "Adam": return torch.optim.Adam([m])
        if kind == "jacobian": return torch.autograd.functional.jacobian(torch.sin, t)

    def graph(p, m):
        a = p - 1
        b = torch.mm(m, m)
        return F.relu(a), b
    """)

LINE = {text.split('"')[1]: number for number, text in enumerate(STUDENT.splitlines(), start=1)
        if 'if kind == "' in text}

EXPECTED = {
    "from_numpy": "torch.from_numpy",
    "tensor": "torch.tensor",
    "torch.relu": "torch.relu",
    "method": "torch.Tensor.relu",
    "unbound": "torch.Tensor.relu",
    "F.relu": "torch.nn.functional.relu",
    "F.linear": "torch.nn.functional.linear",
    "linalg": "torch.linalg.norm",
    "special": "torch.special.expit",
    "Linear": "torch.nn.Linear",
    "MSELoss": "torch.nn.MSELoss",
    "manual_seed": "torch.manual_seed",
    "np.asarray": "torch.Tensor.__array__",
    "Adam": "torch.optim.Adam",
    "jacobian": "torch.autograd.functional.jacobian",
}


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    path = tmp_path_factory.mktemp("student") / "student.py"
    path.write_text(STUDENT)
    spec = importlib.util.spec_from_file_location("watched_student", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_the_first_torch_call_is_named_publicly_with_its_line(student, kind):
    t, m = torch.ones(3), torch.ones(3, 3, requires_grad=True)
    with torch_calls(student.__file__) as found:
        student.call(kind, t, m)
    assert found == [f"{EXPECTED[kind]} (line {LINE[kind]})"]


def test_no_name_shown_is_a_torch_internal(student):
    t, m = torch.ones(3), torch.ones(3, 3, requires_grad=True)
    for kind in EXPECTED:
        with torch_calls(student.__file__) as found:
            student.call(kind, t, m)
        for internal in ("_VariableFunctions", "TensorBase", "_C.", "__init__", "_Loss"):
            assert internal not in found[0], (kind, found)


def test_numpy_alone_is_not_a_torch_call(student):
    with torch_calls(student.__file__) as found:
        student.call("none of these", None, None)
    assert found == []


def test_graph_watch_names_the_function_and_the_recorded_node(student):
    p, m = torch.ones(3, requires_grad=True), torch.ones(2, 2, requires_grad=True)
    with GraphWatch(student.__file__) as watch:
        student.graph(p, m)
    first = LINE["jacobian"] + 3  # the line of `a = p - 1`
    assert watch.found == [f"torch.Tensor.sub -> SubBackward0 (line {first})",
                           f"torch.mm -> MmBackward0 (line {first + 1})",
                           f"torch.nn.functional.relu -> ReluBackward0 (line {first + 2})"]
