"""The stubs teach the idea and leave the code to the student.

Each stub keeps the contract (the curriculum's names, with the solution's signatures, every body
a `raise NotImplementedError("exerciseN: implement <name>")`) and scores 0, but holds none of its
answer's key lines: for each exercise, the expressions an answer needs (its gradient lines, the
API calls that do the work) must not appear anywhere in the stub's text.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import re
import sys
from pathlib import Path

import pytest

from autograd_lab.catalog import EXERCISES
from autograd_lab.hints import hints_for
from support import SOLUTIONS, STUBS, graded

# What each exercise's answer is made of. Every entry is in the solution or in the exercise's
# last hint (the walk-through the stubs used to carry), so a stub that gives the answer away
# again fails here.
ANSWER_LINES: dict[str, list[str]] = {
    "exercise1": ["h_relu.T", "x.T @", "w2.T", "(h > 0)", "2 * (y_pred - y)",
                  "2.0 * (y_pred - y)", "grad_y_pred @", "@ grad_h",
                  "w1 -= learning_rate * grad_w1", "w2 -= learning_rate * grad_w2"],
    "exercise2": ["h_relu.T", "x.T @", "w2.T", "(h > 0)", "h < 0", "2 * (y_pred - y)",
                  "grad_y_pred @", "@ grad_h", "losses.append(loss.item())",
                  "w1 -= learning_rate * grad_w1", "w2 -= learning_rate * grad_w2"],
    "exercise3": ["grad_output * (input > 0)", "(input > 0)", "input > 0", "input < 0",
                  "ctx.save_for_backward(input)", "input, = ctx.saved_tensors",
                  "grad_output.clone()", "MyReLU.apply(x @ w1)"],
    "exercise4": ["torch.autograd.grad(y, xr", "retain_graph=True", "retain_graph=i",
                  "x.detach().requires_grad_(True)", "requires_grad_(True)", "one_hot[i] = 1",
                  "one_hot.view(y.shape)", "reshape(y.shape + x.shape)", "grad.detach()",
                  "Stack the rows"],
    "exercise5": ["retain_graph=True", "retain_graph=i", "x.detach().requires_grad_(True)",
                  "requires_grad_(True)", "torch.autograd.grad(z.mean(), xr",
                  "torch.autograd.grad(z.sum(), xr)", "loss.backward(retain_graph",
                  "xr.grad.detach()"],
    "exercise6": ["h.retain_grad()", "(x @ w1).detach()", "w1.detach()", "w.grad, h.grad",
                  "loss.backward()"],
    "exercise7": ["torch.nn.Linear(d_in, h)", "torch.nn.Linear(h, d_out)",
                  "self.linear2(torch.relu(self.linear1(x)))",
                  "torch.optim.SGD(model.parameters()", "torch.optim.Adam(model.parameters()",
                  "opt.zero_grad()", "loss_fn(model(x), y)", "losses.append(loss.item())",
                  "loss.backward()"],
    "exercise8": ["m.mul_(", "v.mul_(", "addcmul_", "v_hat.sqrt()", "p.grad = None",
                  "torch.zeros_like(p)", "self.t += 1", "p -= lr", "p -= self.lr"],
    "exercise9": ["torch.nn.Linear(d_in, h)", "torch.nn.Linear(h, h)", "torch.nn.Linear(h, d_out)",
                  "for _ in range(repeats)", "self.middle_linear(h)", "self.output_linear(h)",
                  "self.input_linear(x)"],
    "exercise10": ["log_probs.exp()", "grad_logits[rows, labels] -= 1", "sigmoid(z) - y",
                   "softmax(z) - onehot", "- onehot", "one_hot(labels"],
}


def _flat(text: str) -> str:
    return " ".join(text.split())


def _stub(exercise) -> str:
    return (STUBS / exercise.filename).read_text(encoding="utf-8")


def _solution(exercise) -> str:
    return (SOLUTIONS / exercise.filename).read_text(encoding="utf-8")


def _import(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and friends look their module up while it runs
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


def _statements(body):
    """The simple statements of a function body, inside with/for/if blocks too, docstrings out."""
    for node in body:
        if isinstance(node, (ast.With, ast.For, ast.If, ast.While, ast.Try)):
            yield from _statements(node.body)
            yield from _statements(getattr(node, "orelse", []))
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        else:
            yield node


def _gradient_lines(source: str) -> list[str]:
    """The solution's statements that compute or fetch a gradient, whitespace flattened."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            for statement in _statements(node.body):
                text = _flat(ast.get_source_segment(source, statement))
                if re.search(r"grad|backward", text) and not text.startswith(("return", "raise")):
                    lines.append(text)
    return lines


def test_every_exercise_has_its_list_of_answer_lines():
    assert set(ANSWER_LINES) == {e.id for e in EXERCISES}


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_every_listed_answer_line_is_part_of_the_answer(exercise):
    """The list is no straw man: each expression is in the solution or in the walk-through."""
    answer = _flat(_solution(exercise)) + " " + _flat(hints_for(exercise)[-1].text)
    assert [line for line in ANSWER_LINES[exercise.id] if _flat(line) not in answer] == []


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_the_stub_holds_none_of_its_answer_lines(exercise):
    stub = _flat(_stub(exercise))
    given = [line for line in ANSWER_LINES[exercise.id] if _flat(line) in stub]
    assert given == [], f"{exercise.filename} gives the answer away: {given}"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_the_stub_holds_none_of_the_solutions_gradient_statements(exercise):
    stub = _flat(_stub(exercise))
    given = [line for line in _gradient_lines(_solution(exercise)) if line in stub]
    assert given == [], f"{exercise.filename} gives the answer away: {given}"


def _public(module) -> dict[str, object]:
    """What a module defines itself (functions and classes), not what it imports."""
    return {name: value for name, value in vars(module).items()
            if not name.startswith("_") and (inspect.isfunction(value) or inspect.isclass(value))
            and value.__module__ == module.__name__}


def _methods(cls) -> dict[str, object]:
    return {name: value for name, value in vars(cls).items()
            if isinstance(value, (staticmethod, classmethod)) or inspect.isfunction(value)}


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_the_stub_defines_the_solutions_names_with_their_signatures(exercise):
    stub = _import(STUBS / exercise.filename, f"_stub_{exercise.id}")
    solution = _import(SOLUTIONS / exercise.filename, f"_solution_{exercise.id}")
    ours, theirs = _public(stub), _public(solution)
    assert sorted(ours) == sorted(theirs)
    for name, reference in theirs.items():
        mine = ours[name]
        if inspect.isclass(reference):
            assert [b.__qualname__ for b in mine.__bases__] == \
                   [b.__qualname__ for b in reference.__bases__], name
            assert sorted(_methods(mine)) == sorted(_methods(reference)), name
            for method, ref in _methods(reference).items():
                got = vars(mine)[method]
                assert type(got) is type(ref), f"{name}.{method}: {type(got)} is not {type(ref)}"
                assert inspect.signature(getattr(mine, method)) == \
                       inspect.signature(getattr(reference, method)), f"{name}.{method}"
        else:
            assert inspect.signature(mine) == inspect.signature(reference), name


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_every_stub_body_raises_not_implemented_with_its_name(exercise):
    """A docstring, then `raise NotImplementedError("exerciseN: implement <qualified name>")`."""
    tree = ast.parse(_stub(exercise))
    found = []

    def visit(body, prefix):
        for node in body:
            if isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, ast.FunctionDef):
                name = f"{prefix}{node.name}"
                assert ast.get_docstring(node), f"{name} has no docstring"
                rest = node.body[1:]
                assert len(rest) == 1 and isinstance(rest[0], ast.Raise), name
                call = rest[0].exc
                assert isinstance(call, ast.Call) and call.func.id == "NotImplementedError", name
                assert [a.value for a in call.args] == [f"{exercise.id}: implement {name}"], name
                found.append(name)

    visit(tree.body, "")
    assert found


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_the_stub_points_to_its_check_and_its_hints(exercise):
    doc = _flat(ast.get_docstring(ast.parse(_stub(exercise))))
    assert f"autograd-lab check {exercise.id}" in doc
    assert f"autograd-lab hint {exercise.number}" in doc


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_the_stub_scores_zero_and_says_what_is_not_implemented(exercise):
    report = graded(exercise.id, str(STUBS / exercise.filename))
    assert report.score == 0 and not report.passed
    assert any(c.message.startswith(f"not implemented yet: {exercise.id}: implement ")
               for c in report.checks)
