"""Planted wrong submissions for exercise2: edits of solutions/exercise2_tensor_backprop.py.

See tests/mutants/__init__.py. tests/test_planted.py grades each one.
"""

from . import Mutant

MUTANTS = [
    Mutant(
        name="fails_missing_relu_mask",
        mistake="the gradient goes back through the ReLU unmasked: grad_h = grad_h_relu.",
        fail=["grad_w1"],
        diagnosis="ReLU mask missing",
        replace=[("grad_h = grad_h_relu * (h > 0)", "grad_h = grad_h_relu")],
    ),
    Mutant(
        name="fails_grad_w2_uses_h",
        mistake="grad_w2 is computed from h, the ReLU's input, instead of h_relu.",
        fail=["grad_w2"],
        diagnosis="h instead of h_relu",
        replace=[("grad_w2 = h_relu.T @ grad_y_pred", "grad_w2 = h.T @ grad_y_pred")],
    ),
    Mutant(
        name="fails_mean_loss_and_gradients",
        mistake="the loss is the mean of the squared errors, and its gradient divides by their "
                "count.",
        fail=["loss", "grad_w1", "grad_w2"],
        diagnosis="mean instead of sum",
        replace=[("loss = (diff**2).sum()", "loss = (diff**2).mean()"),
                 ("grad_y_pred = 2.0 * diff", "grad_y_pred = 2.0 * diff / diff.numel()")],
    ),
    Mutant(
        name="fails_grad_w2_transposed",
        mistake="grad_w2 is transposed: grad_y_pred.T @ h_relu instead of h_relu.T @ grad_y_pred.",
        fail=["grad_w2"],
        diagnosis="transposed",
        replace=[("grad_w2 = h_relu.T @ grad_y_pred", "grad_w2 = grad_y_pred.T @ h_relu")],
    ),
    Mutant(
        name="fails_kink_as_half",
        mistake="the ReLU's derivative at h == 0 is taken as 0.5 instead of 0.",
        fail=["grad_w1"],
        message=["wrong values"],
        replace=[
            (
                "grad_h = grad_h_relu * (h > 0)",
                "grad_h = grad_h_relu * ((h > 0).to(h.dtype) + 0.5 * (h == 0).to(h.dtype))",
            ),
        ],
    ),
    Mutant(
        name="fails_modifies_input",
        mistake="forward_backward computes the right results, then overwrites x and y in place.",
        fail=["inputs_untouched"],
        message=["modified its input"],
        replace=[
            (
                "        grad_w1 = x.T @ grad_h\n",
                (
                    "        grad_w1 = x.T @ grad_h\n"
                    "        x.mul_(1.0)\n"
                    "        x[x == x] = x[x == x] * 1.0\n"
                    "        x.add_(0.0)\n"
                    "        x.clamp_(min=-1e9)\n"
                    "        y.zero_()\n"
                    "        x.zero_()\n"
                ),
            ),
        ],
    ),
    Mutant(
        name="fails_train_gradient_ascent",
        mistake="train adds the gradients to the weights (gradient ascent).",
        fail=["train"],
        diagnosis="sign flipped",
        replace=[
            (
                (
                    "w1 -= learning_rate * grad_w1\n"
                    "            w2 -= learning_rate * grad_w2"
                ),
                (
                    "w1 += learning_rate * grad_w1\n"
                    "            w2 += learning_rate * grad_w2"
                ),
            ),
        ],
    ),
    Mutant(
        name="fails_uses_autograd",
        mistake="forward_backward runs loss.backward() (autograd) before the hand-written backward.",
        fail=["no_autograd"],
        diagnosis="autograd used",
        replace=[
            (
                (
                    "with torch.no_grad():\n"
                    "        h = x @ w1"
                ),
                (
                    "w1 = w1.detach().requires_grad_(True)\n"
                    "    ((x @ w1).clamp(min=0) @ w2 - y).pow(2).sum().backward()\n"
                    "    with torch.no_grad():\n"
                    "        h = x @ w1"
                ),
            ),
        ],
    ),
    Mutant(
        name="fails_wrong_dtype",
        mistake="the loss is converted to float16 whatever the inputs' dtype.",
        fail=["loss"],
        diagnosis="wrong dtype",
        replace=[("loss = (diff**2).sum()", "loss = (diff**2).sum().to(torch.float16)")],
    ),
    Mutant(
        name="fails_train_rebinds_weights",
        mistake="train rebinds w1 and w2 (w1 = w1 - ...) instead of updating them in place.",
        fail=["train"],
        message=["not updated in place", "is not zero", "learning_rate = 0.001"],
        replace=[
            (
                (
                    "w1 -= learning_rate * grad_w1\n"
                    "            w2 -= learning_rate * grad_w2"
                ),
                (
                    "w1 = w1 - learning_rate * grad_w1\n"
                    "            w2 = w2 - learning_rate * grad_w2"
                ),
            ),
        ],
    ),
]
