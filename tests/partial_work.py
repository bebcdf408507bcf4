"""Partial submissions made from the current solutions: some functions left undone, or one edit.

Like the mutants (tests/mutants/), each is derived from its solution at test time rather than
kept as a copy that goes stale; tests/test_do_nothing.py grades them. ``score`` is what the
work done earns and ``statuses`` the status some checks must have; ``why`` says why.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from mutants import Mutant


@dataclass(frozen=True, kw_only=True)
class Partial:
    """A solution with some functions left undone (``undone``) and/or edited (``replace``)."""

    exercise: str
    name: str
    score: float
    why: str
    statuses: list[tuple[str, str]]
    undone: tuple[str, ...] = ()
    replace: list[tuple[str, str]] = field(default_factory=list)

    def source(self, solution: Path) -> str:
        """The solution's text with ``undone``'s bodies raising and ``replace`` applied."""
        text = Mutant(name=self.name, mistake=self.why, fail=[], replace=self.replace).source(
            solution)
        lines = text.splitlines()
        bodies = [node for node in ast.walk(ast.parse(text))
                  if isinstance(node, ast.FunctionDef) and node.name in self.undone]
        if sorted(node.name for node in bodies) != sorted(self.undone):
            raise AssertionError(f"{self.name}: {solution.name} does not define {self.undone}")
        for node in sorted(bodies, key=lambda n: n.lineno, reverse=True):
            first = node.body[0]
            keep_docstring = (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                              and len(node.body) > 1)
            start = node.body[1].lineno if keep_docstring else first.lineno
            lines[start - 1:node.end_lineno] = [
                " " * (node.col_offset + 4) + f'raise NotImplementedError("left undone: {node.name}")']
        return "\n".join(lines) + "\n"


PARTIALS = [
    Partial(exercise="exercise2", name="train_not_written", undone=("train",), score=7.5,
            why="forward_backward is right (2 + 2 + 2) and keeps inputs_untouched (it watches "
                "only forward_backward: 1) and no_autograd for its half (0.5)",
            statuses=[("no_autograd", "partial"), ("inputs_untouched", "passed")]),
    Partial(exercise="exercise3", name="network_not_written", undone=("two_layer_forward",),
            score=7, why="MyReLU is right (forward 2, backward 3) and keeps its two rules "
                         "(1 + 1); two_layer_uses_myrelu is not scored",
            statuses=[("two_layer_uses_myrelu", "not scored"), ("save_for_backward", "passed")]),
    Partial(exercise="exercise5", name="accumulated_not_written", undone=("accumulated_grad",),
            score=5, why="grads_of_two_losses is right (3) and earns its half of each of the "
                         "three rules (0.5 + 1 + 0.5)",
            statuses=[("graph_freed", "partial"), ("accumulated_grad", "failed")]),
    Partial(exercise="exercise6", name="only_intermediate_grads",
            undone=("frozen_first_layer_loss", "predict"), score=4,
            why="intermediate_grads is right (grad_w 2, grad_h 2); predict_no_graph, which "
                "watches predict, is not scored",
            statuses=[("predict_no_graph", "not scored"), ("frozen_first_layer", "not run")]),
    Partial(exercise="exercise7", name="train_not_written", undone=("train",), score=4,
            why="TwoLayerNet is right (forward 2) and registers its layers (parameters 2)",
            statuses=[("parameters", "passed"), ("train_adam", "not run")]),
    Partial(exercise="exercise8", name="wrong_default_lr", score=9,
            replace=[("lr: float = 1e-3", "lr: float = 1e-2")],
            why="Adam is right for every lr it is given (one_step 2, several_steps 3, zero_grad "
                "1) and keeps every rule (1 + 1 + 1), but its default lr is not torch's: "
                "defaults fails",
            statuses=[("defaults", "failed"), ("no_torch_optim", "passed")]),
]
