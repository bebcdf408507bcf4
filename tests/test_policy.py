"""What a point pays for: the grading policy on made-up checks (no worker, no student file).

Each test builds a tiny exercise whose checks "fail" as the test says and reads the scores the
policy gives them: rules and structure checks paid only with the value checks they watch, a
broken rule voiding what it governs, one cause told once.
"""

from __future__ import annotations

import pytest

from autograd_lab.catalog.base import Check, Exercise, rule, structure, watch
from autograd_lab.grading.failure import Failure
from autograd_lab.grading.policy import grade_checks


def _value(name, points=2.0, **extra):
    return Check(name, f"{name} is right", points, run=lambda session: None, **extra)


def _grade(checks, outcomes):
    """Grade ``checks`` where ``outcomes[(check, watching)]`` is the failure a run gives."""
    Exercise(99, "made_up", "t", "i", "f.py", tuple(checks))  # validates the names it uses
    seen = []

    def run_one(check, watching):
        seen.append((check.name, watching))
        return outcomes.get((check.name, watching))

    results = grade_checks(tuple(checks), run_one)
    return {r.name: r for r in results}, seen


def wrong(summary="wrong values"):
    return Failure(summary)


def crashed(message="boom"):
    return Failure(f"your code raised ValueError: {message}", by_student=True,
                   cause=("ValueError", message, (("f.py", 3),)))


def test_a_rule_kept_by_code_whose_values_all_fail_earns_nothing():
    checks = [_value("grad"), rule("no_autograd", "rule", 1, None, watch("f", "grad"))]
    results, _ = _grade(checks, {("grad", None): wrong()})
    kept = results["no_autograd"]
    assert (kept.score, kept.status, kept.passed) == (0.0, "not scored", False)
    assert kept.message == "not scored: needs `grad` to pass first"


def test_a_rule_kept_by_working_code_is_paid_in_full():
    checks = [_value("grad"), rule("no_autograd", "rule", 1, None, watch("f", "grad"))]
    results, _ = _grade(checks, {})
    assert (results["no_autograd"].score, results["no_autograd"].status) == (1.0, "passed")


def test_one_passing_value_check_of_a_function_is_enough_to_score_its_rules():
    checks = [_value("loss"), _value("grad"),
              rule("no_torch", "rule", 1, None, watch("f", "loss", "grad"))]
    results, _ = _grade(checks, {("grad", None): wrong()})
    assert results["no_torch"].score == 1.0


def test_each_watched_function_earns_its_own_share_of_a_rule():
    # A right vjp with a wrong jacobian keeps vjp's half of the rule, not jacobian's.
    checks = [_value("vjp"), _value("jacobian", 3),
              rule("once", "rule", 1, None, watch("vjp"), watch("jacobian"))]
    results, seen = _grade(checks, {("jacobian", None): wrong()})
    once = results["once"]
    assert (once.score, once.status) == (0.5, "partial")
    assert once.message == "not scored for jacobian: needs `jacobian` to pass first"
    # A rule watching two functions runs once for each, naming it.
    assert ("once", "vjp") in seen and ("once", "jacobian") in seen


def test_a_rule_whose_functions_all_compute_nothing_right_says_so_in_one_line():
    checks = [_value("vjp"), _value("jacobian", 3),
              rule("once", "rule", 1, None, watch("vjp"), watch("jacobian"))]
    results, _ = _grade(checks, {("vjp", None): wrong(), ("jacobian", None): wrong()})
    assert results["once"].message == "not scored: needs `vjp` or `jacobian` to pass first"
    assert results["once"].status == "not scored"


def test_a_broken_voiding_rule_voids_the_values_of_the_function_that_broke_it():
    checks = [_value("vjp"), _value("jacobian", 3),
              rule("no_functional", "rule", 1, None, watch("vjp"), watch("jacobian"), voids=True),
              rule("untouched", "rule", 1, None, watch("vjp"), watch("jacobian"))]
    results, _ = _grade(checks, {("no_functional", "jacobian"): wrong("used functional")})
    jacobian = results["jacobian"]
    assert (jacobian.score, jacobian.status, jacobian.passed) == (0.0, "void", False)
    assert "`no_functional`" in jacobian.message
    assert results["vjp"].score == 2.0
    assert results["no_functional"].score == 0.5
    assert "jacobian: used functional" in results["no_functional"].message
    # Its results void, jacobian earns no share of the other rules either.
    untouched = results["untouched"]
    assert untouched.score == 0.5
    assert "jacobian's results are void (rule `no_functional`)" in untouched.message


def test_a_rule_that_does_not_void_leaves_the_values_paid():
    checks = [_value("grad"), rule("untouched", "rule", 1, None, watch("f", "grad"))]
    results, _ = _grade(checks, {("untouched", None): wrong("modified x")})
    assert results["grad"].score == 2.0
    assert (results["untouched"].score, results["untouched"].status) == (0.0, "failed")


def test_a_crash_inside_a_rule_check_breaks_no_rule_and_voids_nothing():
    checks = [_value("grad"), rule("no_autograd", "rule", 1, None, watch("f", "grad"), voids=True)]
    results, _ = _grade(checks, {("no_autograd", None): crashed()})
    assert results["grad"].score == 2.0
    assert results["no_autograd"].status == "failed"


def test_a_rule_broken_by_code_that_computes_nothing_right_is_told_and_pays_nothing():
    checks = [_value("forward"), structure("layers", "s", 1, None, watch("Net", "forward"))]
    results, _ = _grade(checks, {("forward", None): wrong(),
                                 ("layers", None): wrong("linear1 has no bias")})
    layers = results["layers"]
    assert (layers.score, layers.status) == (0.0, "failed")
    assert "linear1 has no bias" in layers.message


def test_a_crash_in_a_rule_on_code_that_computes_nothing_right_is_not_scored_not_failed():
    checks = [_value("forward"), rule("no_graph", "r", 1, None, watch("f", "forward"))]
    results, _ = _grade(checks, {("forward", None): crashed(), ("no_graph", None): crashed()})
    assert results["no_graph"].status == "not scored"


def test_one_cause_is_told_once_the_other_checks_say_where():
    checks = [_value("loss"), _value("grad"), _value("other")]
    results, _ = _grade(checks, {("loss", None): crashed(), ("grad", None): crashed(),
                                 ("other", None): crashed("another cause")})
    assert results["loss"].message.startswith("your code raised ValueError: boom")
    assert results["grad"].status == "not run"
    assert results["grad"].message == "not run: stopped by the error shown under `loss`"
    assert "another cause" in results["other"].message


def test_a_failing_check_names_the_failing_function_its_code_calls():
    uses = watch("forward_backward", "grad")
    checks = [_value("grad"), _value("train", uses=(uses,))]
    results, _ = _grade(checks, {("grad", None): wrong(), ("train", None): wrong()})
    assert ("note: what this check runs depends on your forward_backward, which fails "
            "`grad`: fix that first") in results["train"].message
    results, _ = _grade(checks, {("train", None): wrong()})
    assert "note:" not in results["train"].message


def test_scores_are_floats_everywhere():
    checks = [_value("grad", points=2), rule("r", "rule", 1, None, watch("f", "grad"))]
    results, _ = _grade(checks, {})
    assert all(type(r.score) is float and type(r.max_score) is float for r in results.values())


@pytest.mark.parametrize("bad", [
    dict(kind="rule"),                                   # a rule that watches nothing
    dict(watches=(watch("f", "grad"),)),                 # a value check that watches
    dict(voids=True),                                    # a value check that voids
])
def test_a_malformed_check_is_refused_when_the_catalog_is_built(bad):
    with pytest.raises(ValueError):
        Check("c", "t", 1, None, **bad)


def test_a_rule_that_names_an_unknown_value_check_is_refused():
    with pytest.raises(ValueError, match="not value checks"):
        Exercise(99, "s", "t", "i", "f.py", (_value("grad"),
                                             rule("r", "t", 1, None, watch("f", "gard"))))
