"""Diagnoses on arrays: each named where it explains the numbers exactly, and only there.

No student file and no worker here: the checks' own oracles and the comparison are called on
hand-made results (what a planted mistake would compute, and near misses of it), so that a
diagnosis given to a result it does not explain fails a test. The planted submissions
(tests/test_planted.py) show the same diagnoses end to end.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st

from autograd_lab.catalog import network_checks, oracles, strategies
from autograd_lab.grading import diagnose
from autograd_lab.grading.compare import Expect, check_values
from autograd_lab.grading.failure import CheckFailure
from autograd_lab.grading.search import find_failure


def _typical() -> dict[str, np.ndarray]:
    return dict(strategies.network_edge_cases())["a typical case"]


def _by_hand(case, *, mask: bool = True, use_h: bool = False, divide: float = 1.0,
             two: float = 2.0):
    """The hand-written backward pass of exercise1, with the mistakes a student makes."""
    x, y, w1, w2 = (case[k] for k in ("x", "y", "w1", "w2"))
    h = x @ w1
    h_relu = np.maximum(h, 0.0)
    y_pred = h_relu @ w2
    loss = float(np.sum((y_pred - y) ** 2)) / divide
    grad_y_pred = two * (y_pred - y) / divide
    grad_w2 = (h if use_h else h_relu).T @ grad_y_pred
    grad_h_relu = grad_y_pred @ w2.T
    grad_h = grad_h_relu * (h > 0) if mask else grad_h_relu
    return loss, x.T @ grad_h, grad_w2


def _diagnosis(quantity: str, case, got) -> str | None:
    """What the network checks say of ``got`` for ``quantity`` on ``case`` (None: passes)."""
    relu, clamp = oracles.two_layer_both(case["x"], case["y"], case["w1"], case["w2"])
    expected = np.asarray(getattr(relu, quantity))
    accept = () if quantity == "loss" else (getattr(clamp, quantity),)
    expect = Expect(expected, accept=accept,
                    alternatives=network_checks._alternatives(quantity, case))
    try:
        check_values(quantity, np.asarray(got, dtype=np.float64), expect)
    except CheckFailure as exc:
        return exc.failure.diagnosis.name if exc.failure.diagnosis else "no diagnosis"
    return None


QUANTITIES = {"loss": 0, "grad_w1": 1, "grad_w2": 2}


@pytest.mark.parametrize("quantity", list(QUANTITIES))
def test_the_mean_of_the_squared_errors_is_named_with_its_own_count(quantity):
    # The typical case has 3 * 2 = 6 squared errors: the factor is 1/6, not a constant.
    case = _typical()
    got = _by_hand(case, divide=case["y"].size)[QUANTITIES[quantity]]
    assert _diagnosis(quantity, case, got) == "mean instead of sum"


def test_the_mean_over_the_batch_only_is_not_called_the_mean_of_the_squared_errors():
    # Dividing by N (3) where the mean divides by N * D_out (6): a near miss.
    case = _typical()
    got = _by_hand(case, divide=case["y"].shape[0])[1]
    assert _diagnosis("grad_w1", case, got) not in (None, "mean instead of sum")


def test_the_missing_relu_mask_is_named_and_only_for_grad_w1():
    case = _typical()
    loss, grad_w1, grad_w2 = _by_hand(case, mask=False)
    assert _diagnosis("grad_w1", case, grad_w1) == "ReLU mask missing"
    assert _diagnosis("grad_w2", case, grad_w2) is None  # the mask only reaches grad_w1
    # Unmasked and missing the 2 as well: two mistakes, no single one explains it.
    assert _diagnosis("grad_w1", case, _by_hand(case, mask=False, two=1.0)[1]) == "no diagnosis"


def test_the_mask_missing_diagnosis_needs_a_negative_pre_activation():
    # Where h >= 0 everywhere, the unmasked gradient is the clamp(min=0) one: accepted.
    case = {k: np.abs(v) for k, v in _typical().items()}
    assert _diagnosis("grad_w1", case, _by_hand(case, mask=False)[1]) is None


def test_h_for_h_relu_is_named_and_a_near_miss_is_not():
    case = _typical()
    assert _diagnosis("grad_w2", case, _by_hand(case, use_h=True)[2]) == "h instead of h_relu"
    near = _by_hand(case, use_h=True)[2].copy()
    near[0, 0] += 0.5
    assert _diagnosis("grad_w2", case, near) == "no diagnosis"


def test_one_input_fitting_two_mistakes_names_neither_until_another_input_decides():
    # On a 1-by-2 result the mean halves every value: as the missing 2 of the squared loss does.
    expected = np.array([[2.0, 4.0]])
    mean = diagnose.mean_not_sum("grad", 2, "the count", "")
    found = diagnose.explain(expected / 2, expected, "float64", alternatives=((mean, expected / 2),))
    names = [d.name for d in diagnose.candidates(found)]
    assert names == ["mean instead of sum", "off by a constant factor (0.5)"]
    # A larger input where only the factor 0.5 fits decides for it, and one where only the
    # mean fits for the mean; where nothing fits both, nothing is named.
    half = diagnose.constant_factor(np.ones(6) / 2, np.ones(6), "float64")
    mean6 = diagnose.mean_not_sum("grad", 6, "the count", "")
    assert diagnose.agreed(found, half).name == "off by a constant factor (0.5)"
    assert diagnose.agreed(found, mean6).name == "mean instead of sum"
    assert diagnose.agreed(found, None) is None


def _search(got_for, edge_sizes, drawn_size=2, constants=None):
    """find_failure over inputs of ``size`` ones, the expected answer being 2 per element."""
    def body(case):
        size = case["size"]
        expected = np.full((1, size), 2.0)
        mean = diagnose.mean_not_sum("grad", size, "the count", "")
        check_values("grad", got_for(expected, size),
                     Expect(expected, alternatives=((mean, expected / size),)))

    edges = [(f"{n} elements", {"size": n}) for n in edge_sizes]
    return find_failure(st.just({"size": drawn_size}), body, edges, constants=constants)


def test_the_search_keeps_the_mistake_every_failing_input_agrees_on():
    missing_two = _search(lambda expected, size: expected / 2, edge_sizes=(2, 6))
    assert missing_two.diagnosis.name == "off by a constant factor (0.5)"
    mean = _search(lambda expected, size: expected / size, edge_sizes=(2, 6))
    assert mean.diagnosis.name == "mean instead of sum"
    assert "is 1/2 of the expected one" in mean.diagnosis.explanation  # the input shown
    # A result that is the mean on the small input and something else on a larger one.
    mixed = _search(lambda expected, size: expected / 2 if size == 2 else expected * 3,
                    edge_sizes=(6,))
    assert mixed.diagnosis is None


def test_a_failing_example_shows_the_constant_arguments():
    failure = _search(lambda expected, size: expected * 0, edge_sizes=(),
                      constants={"learning_rate": 0.001})
    assert failure.example.splitlines() == ["size = 2", "learning_rate = 0.001"]


def test_counts_and_largest_difference_measure_against_the_nearest_accepted_answer():
    expected = np.array([0.0, 0.0, 1.0, 3.0])
    other = np.array([2.0, 0.0, 1.0, 3.0])  # the other subgradient at a kink in place 0
    got = np.array([2.0, 0.5, 1.0, 3.0])    # the kink taken as 1 (fine), one real mistake
    with pytest.raises(CheckFailure) as raised:
        check_values("grad", got, Expect(expected, accept=(other,)))
    details = raised.value.failure.details
    assert "largest difference: 0.5 at [1] (expected 0, got 0.5)" in details
    assert ("1 of 4 values differ beyond the tolerance, at the kink either subgradient "
            "accepted (relative 1e-06)") in details
    with pytest.raises(CheckFailure) as raised:
        check_values("grad", got, Expect(expected))
    details = raised.value.failure.details
    assert "largest difference: 2 at [0] (expected 0, got 2)" in details
    assert "2 of 4 values differ beyond the tolerance (relative 1e-06)" in details


def test_the_largest_difference_names_the_accepted_answer_it_is_measured_against():
    expected = np.array([0.0, 1.0])
    other = np.array([2.0, 1.0])           # at the kink in place 0, the other subgradient
    got = np.array([2.5, 1.0])             # 0.5 from the other answer, 2.5 from torch's
    with pytest.raises(CheckFailure) as raised:
        check_values("grad", got, Expect(expected, accept=(other,)))
    assert ("largest difference: 0.5 at [0] (expected 0, or 2 with the other subgradient at "
            "the kink, got 2.5)") in raised.value.failure.details


def _train_got(own_w1):
    return {"own_grads": {"w1": own_w1, "w2": np.ones((2, 1))}}


def test_an_unmoved_weight_is_told_by_the_students_own_gradient():
    zero = network_checks._not_moved("w1", _train_got(np.zeros((3, 2)))).failure
    assert "is zero at these weights" in zero.summary
    assert not any("rebinds" in line for line in zero.details)
    rebound = network_checks._not_moved("w1", _train_got(np.full((3, 2), 0.5))).failure
    assert rebound.summary == "w1 was not updated in place"
    assert any("only rebinds a local name" in line for line in rebound.details)
    unknown = network_checks._not_moved("w1", {"own_grads": None}).failure
    assert unknown.summary == "w1 did not change"
    assert not any("rebinds" in line or "zero" in line for line in unknown.details)
