"""Planted wrong submissions for exercise6: edits of solutions/exercise6_leaves.py.

See tests/mutants/__init__.py. tests/test_planted.py grades each one.
"""

from . import Mutant

MUTANTS = [
    Mutant(
        name="forgets_retain_grad",
        mistake="intermediate_grads reads h.grad without calling h.retain_grad() first.",
        fail=["grad_h"],
        diagnosis="missing retain_grad",
        message=["h.grad is None: h is not a leaf, so autograd does not keep its gradient unless "
                 "you call h.retain_grad() before backward"],
        replace=[("    h.retain_grad()\n", "")],
    ),
    Mutant(
        name="retains_grad_of_relu",
        mistake="intermediate_grads keeps the gradient of h.relu() instead of h's.",
        fail=["grad_h"],
        diagnosis="ReLU mask missing",
        replace=[
            ("    h.retain_grad()\n    loss = h.relu().sum()\n",
             "    h_relu = h.relu()\n    h_relu.retain_grad()  # planted: the wrong tensor\n"
             "    loss = h_relu.sum()\n"),
            ("return w.grad, h.grad", "return w.grad, h_relu.grad"),
        ],
    ),
    Mutant(
        name="loss_without_relu",
        mistake="intermediate_grads backpropagates h.sum(), leaving the ReLU out of the loss.",
        fail=["grad_w", "grad_h"],
        diagnosis="ReLU mask missing",
        replace=[("loss = h.relu().sum()", "loss = h.sum()  # planted: no relu")],
    ),
    Mutant(
        name="grad_w_transposed",
        mistake="intermediate_grads returns w.grad transposed.",
        fail=["grad_w"],
        diagnosis="transposed",
        replace=[("return w.grad, h.grad", "return w.grad.T, h.grad  # planted: transposed")],
    ),
    Mutant(
        name="frozen_not_detached",
        mistake="frozen_first_layer_loss detaches nothing, so backward fills w1.grad.",
        fail=["frozen_first_layer"],
        diagnosis="first layer not cut off",
        message=["w1.grad is filled"],
        replace=[("h = (x @ w1).detach()", "h = x @ w1  # planted: not detached")],
    ),
    Mutant(
        name="frozen_detaches_loss",
        mistake="frozen_first_layer_loss detaches the whole loss, so w2 gets no gradient either.",
        fail=["frozen_first_layer"],
        message=["does not require grad"],
        replace=[("return ((y_pred - y) ** 2).sum()",
                  "return ((y_pred - y) ** 2).sum().detach()  # planted: cuts off everything")],
    ),
    Mutant(
        name="frozen_turns_off_requires_grad",
        mistake="frozen_first_layer_loss freezes the caller's w1 with requires_grad_(False).",
        fail=["frozen_first_layer"],
        message=["turned off w1.requires_grad"],
        replace=[("h = (x @ w1).detach()",
                  "w1.requires_grad_(False)  # planted: changes the caller's tensor\n"
                  "    h = x @ w1")],
    ),
    Mutant(
        name="frozen_mean_loss",
        mistake="frozen_first_layer_loss takes the mean of the squared errors, not their sum.",
        fail=["frozen_loss", "frozen_first_layer"],
        diagnosis="mean instead of sum",
        replace=[("return ((y_pred - y) ** 2).sum()",
                  "return ((y_pred - y) ** 2).mean()  # planted: mean")],
    ),
    Mutant(
        name="predict_builds_graph",
        mistake="predict runs the forward pass with autograd on.",
        fail=["predict_no_graph"],
        message=["predict's result requires grad", "torch.no_grad()"],
        replace=[("    with torch.no_grad():\n        return (x @ w1).relu() @ w2",
                  "    return (x @ w1).relu() @ w2  # planted: records a graph")],
    ),
    Mutant(
        name="predict_detaches_result",
        mistake="predict builds the graph, then detaches the result.",
        fail=["predict_no_graph"],
        message=["built a graph and then cut it off"],
        replace=[("    with torch.no_grad():\n        return (x @ w1).relu() @ w2",
                  "    return ((x @ w1).relu() @ w2).detach()  # planted: graph built first")],
    ),
    Mutant(
        name="predict_leaves_grad_off",
        mistake="predict turns gradient recording off globally and never turns it back on.",
        fail=["predict_no_graph"],
        message=["left it off"],
        replace=[("    with torch.no_grad():\n        return (x @ w1).relu() @ w2",
                  "    torch.set_grad_enabled(False)  # planted: never restored\n"
                  "    return (x @ w1).relu() @ w2")],
    ),
    Mutant(
        name="predict_forgets_relu",
        mistake="predict leaves the ReLU out.",
        fail=["predict"],
        diagnosis="ReLU missing",
        replace=[("        return (x @ w1).relu() @ w2",
                  "        return (x @ w1) @ w2  # planted: no relu")],
    ),
]
