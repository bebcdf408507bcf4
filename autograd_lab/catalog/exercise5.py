"""exercise5 · retain_graph · backward twice on one graph.

Probes (``probe_*``) run in the worker next to the student's module and return plain data;
checks (``check_*``) run in the grading process, draw inputs and compare with torch. The
functions ``f`` handed to the student's code, the watch kept on them and the rules shared with
exercise4 live in :mod:`autograd_lab.catalog.functions`. A second pass through a freed graph
raises in the student's code; the session names that "missing retain_graph" wherever it happens.
"""

from __future__ import annotations

import math

from autograd_lab.catalog import functions
from autograd_lab.catalog.base import Check, Exercise, rule, runs, watch
from autograd_lab.grading.compare import Expect, check_tensor
from autograd_lab.grading.failure import CheckFailure, Diagnosis
from autograd_lab.grading.search import find_failure

# -- probes (worker side) --------------------------------------------------------------------


@runs("grads_of_two_losses")
def probe_grads_of_two_losses(m, f, x, x_grad=None):
    return functions.run_watched(lambda counted: m.grads_of_two_losses(counted, x), f, x, x_grad)


@runs("accumulated_grad")
def probe_accumulated_grad(m, f, x, times, x_grad=None):
    return functions.run_watched(lambda counted: m.accumulated_grad(counted, x, times), f, x,
                                 x_grad)


BOTH = (functions.Target("grads_of_two_losses(f, x)", probe_grads_of_two_losses),
        functions.Target("accumulated_grad(f, x, times)", probe_accumulated_grad,
                         with_times=True))


# -- checks (grading side) -------------------------------------------------------------------

ACCUMULATED = Diagnosis(
    "accumulated",
    "your result is the gradient of the mean plus the gradient of the sum: the two backward "
    "passes added into one .grad",
    "`loss.backward()` ADDS into `xr.grad`: take each gradient with `torch.autograd.grad(loss, "
    "xr, ...)`, which returns it, or clone and zero `xr.grad` between the passes",
)
SWAPPED = Diagnosis(
    "swapped",
    "your gradient of the mean is the gradient of the sum, and the other way round",
    "return `(grad_of_mean, grad_of_sum)`, in this order",
)
ONE_PASS = Diagnosis(
    "only one pass counted",
    "your result is one gradient of f(x).sum(), not `times` of them added up",
    "run `loss.backward(retain_graph=...)` `times` times and return `xr.grad`, into which every "
    "pass adds; `torch.autograd.grad` returns each pass's gradient on its own instead",
)


def check_two_losses(session):
    def body(case):
        got = session.call(probe_grads_of_two_losses, **case)["result"]
        if not (isinstance(got, list) and len(got) == 2):
            raise CheckFailure("grads_of_two_losses(f, x) must return a pair "
                               "(grad_of_mean, grad_of_sum)")
        x = case["x"]
        grad_sum = functions.vjp_of(case["f"], x, None)
        grad_mean = grad_sum / math.prod(functions.output_shape(case["f"], x.values.shape))
        both = grad_mean + grad_sum
        for result, what, answer, other in ((got[0], "grad_of_mean", grad_mean, grad_sum),
                                            (got[1], "grad_of_sum", grad_sum, grad_mean)):
            check_tensor(f"grads_of_two_losses(f, x): {what}", result,
                         Expect(answer, dtype=x.dtype, device=session.device,
                                alternatives=((ACCUMULATED, both), (SWAPPED, other))))

    return find_failure(functions.cases(), body, functions.edge_cases())


def check_accumulated(session):
    def body(case):
        got = session.call(probe_accumulated_grad, **case)["result"]
        grad = functions.vjp_of(case["f"], case["x"], None)
        alternatives = ((ONE_PASS, grad),) if case["times"] > 1 else ()
        check_tensor(f"accumulated_grad(f, x, times={case['times']})", got,
                     Expect(case["times"] * grad, dtype=case["x"].dtype, device=session.device,
                            alternatives=alternatives))

    return find_failure(functions.cases(with_times=True), body,
                        functions.edge_cases(with_times=True))


def check_called_once(session):
    return functions.check_rule(session, BOTH, functions.called_once)


def _graph_freed(target, got, case) -> None:
    if not got["graph_freed"]:
        raise CheckFailure(f"{target.call} never called f: there was no graph to free",
                           ["compute `z = f(xr)` once, on a fresh leaf "
                            "`xr = x.detach().requires_grad_(True)`"])
    if any(freed is False for freed in got["graph_freed"]):
        raise CheckFailure(
            f"when {target.call} returned, the graph of f(x) still held its saved tensors",
            ["the last backward pass through a graph must free it: leave `retain_graph=True` "
             "out of the last pass (keep it on every earlier one)"])


def check_graph_freed(session):
    return functions.check_rule(session, BOTH, _graph_freed)


def check_x_untouched(session):
    # Edge cases: all zeros (x does not require grad), the last (x requires grad, has a .grad).
    return functions.check_rule(session, BOTH, functions.x_untouched, prior_grad=True,
                                edges=slice(None, None, 5), max_examples=5)


WATCHES = (watch("grads_of_two_losses"), watch("accumulated_grad"))

EXERCISE = Exercise(
    number=5,
    slug="retain_graph",
    title="backward twice on one graph",
    idea="backward frees the graph's saved tensors: retain_graph, and gradients that accumulate",
    filename="exercise5_retain_graph.py",
    checks=(
        Check("grads_of_two_losses", "grads_of_two_losses(f, x) returns the gradients of "
              "f(x).mean() and f(x).sum(), each on its own", 3, check_two_losses),
        Check("accumulated_grad", "accumulated_grad(f, x, times) returns `times` times the "
              "gradient of f(x).sum()", 3, check_accumulated),
        rule("f_called_once", "both functions call f exactly once", 1, check_called_once,
             *WATCHES, voids=True),
        rule("graph_freed", "when both functions return, the graph's saved tensors have been "
             "freed", 2, check_graph_freed, *WATCHES),
        rule("x_untouched", "both functions leave x, its requires_grad and its .grad as they "
             "were", 1, check_x_untouched, *WATCHES),
    ),
)
