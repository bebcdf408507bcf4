"""Planted wrong submissions for exercise1: edits of solutions/exercise1_numpy_backprop.py.

See tests/mutants/__init__.py. tests/test_planted.py grades each one.
"""

from . import Mutant

MUTANTS = [
    Mutant(
        name="fails_grad_w1_transposed",
        mistake="grad_w1 is transposed: grad_h.T @ x instead of x.T @ grad_h.",
        fail=["grad_w1"],
        diagnosis="transposed",
        replace=[("grad_w1 = x.T @ grad_h", "grad_w1 = grad_h.T @ x")],
    ),
    Mutant(
        name="fails_loss_mean",
        mistake="the loss is the mean of the squared errors instead of their sum.",
        fail=["loss"],
        diagnosis="mean instead of sum",
        message=["wrong values", "the number of squared errors (N * D_out)"],
        replace=[
            (
                "loss = float(np.sum((y_pred - y) ** 2))",
                "loss = float(np.mean((y_pred - y) ** 2))",
            ),
        ],
    ),
    Mutant(
        name="fails_mean_loss_and_gradients",
        mistake="the loss is the mean of the squared errors, and its gradient divides by their "
                "count: a factor 1/(N * D_out) that changes with the input's size.",
        fail=["loss", "grad_w1", "grad_w2"],
        diagnosis="mean instead of sum",
        message=["is 1/"],
        replace=[
            (
                "loss = float(np.sum((y_pred - y) ** 2))",
                "loss = float(np.mean((y_pred - y) ** 2))",
            ),
            ("grad_y_pred = 2.0 * (y_pred - y)", "grad_y_pred = 2.0 * (y_pred - y) / y_pred.size"),
        ],
    ),
    Mutant(
        name="fails_missing_relu_mask",
        mistake="the gradient goes back through the ReLU unmasked: grad_h = grad_h_relu.",
        fail=["grad_w1"],
        diagnosis="ReLU mask missing",
        message=["grad_h_relu * (h > 0)"],
        replace=[("grad_h = grad_h_relu * (h > 0)", "grad_h = grad_h_relu")],
    ),
    Mutant(
        name="fails_grad_w2_uses_h",
        mistake="grad_w2 is computed from h, the ReLU's input, instead of h_relu.",
        fail=["grad_w2"],
        diagnosis="h instead of h_relu",
        message=["h_relu.T @ grad_y_pred"],
        replace=[("grad_w2 = h_relu.T @ grad_y_pred", "grad_w2 = h.T @ grad_y_pred")],
    ),
    Mutant(
        name="fails_train_zero_gradient",
        mistake="forward_backward returns zero gradients; train updates in place (-=) by them.",
        fail=["train"],
        message=["is zero at these weights", "learning_rate = 0.001"],
        replace=[("    return loss, grad_w1, grad_w2\n",
                  "    return loss, grad_w1 * 0.0, grad_w2 * 0.0\n")],
    ),
    Mutant(
        name="fails_loss_not_float",
        mistake="the loss is a numpy array (keepdims=True), not a Python float.",
        fail=["loss"],
        message=["expected a Python float"],
        replace=[
            (
                "loss = float(np.sum((y_pred - y) ** 2))",
                "loss = np.sum((y_pred - y) ** 2, keepdims=True)",
            ),
        ],
    ),
    Mutant(
        name="fails_missing_factor_2",
        mistake="grad_y_pred misses the factor 2: y_pred - y instead of 2.0 * (y_pred - y).",
        fail=["grad_w1", "grad_w2"],
        diagnosis="off by a constant factor (0.5)",
        replace=[("grad_y_pred = 2.0 * (y_pred - y)", "grad_y_pred = y_pred - y")],
    ),
    Mutant(
        name="fails_nan_at_kink",
        mistake="the ReLU's derivative is taken as max(h / |h|, 0), which is NaN at h == 0.",
        fail=["grad_w1"],
        diagnosis="NaN or inf",
        replace=[
            (
                "grad_h = grad_h_relu * (h > 0)",
                "grad_h = grad_h_relu * np.maximum(h / np.abs(h), 0)",
            ),
        ],
    ),
    Mutant(
        name="fails_sign_flipped",
        mistake="grad_y_pred has its sign flipped: 2.0 * (y - y_pred).",
        fail=["grad_w2"],
        diagnosis="sign flipped",
        replace=[("grad_y_pred = 2.0 * (y_pred - y)", "grad_y_pred = 2.0 * (y - y_pred)")],
    ),
    Mutant(
        name="fails_train_loss_after_update",
        mistake="train records the loss after the update, not the one before it.",
        fail=["train"],
        diagnosis="loss recorded after the update",
        replace=[
            (
                "losses.append(loss)",
                "losses.append(forward_backward(x, y, w1 - learning_rate * grad_w1, w2 - learning_rate * grad_w2)[0])",
            ),
        ],
    ),
    Mutant(
        name="fails_train_not_in_place",
        mistake="train rebinds w1 and w2 (w1 = w1 - ...) instead of updating them in place.",
        fail=["train"],
        message=["not updated in place", "is not zero", "learning_rate = 0.001"],
        replace=[
            (
                (
                    "w1 -= learning_rate * grad_w1\n"
                    "        w2 -= learning_rate * grad_w2\n"
                    "    return losses"
                ),
                (
                    "w1 = w1 - learning_rate * grad_w1\n"
                    "        w2 = w2 - learning_rate * grad_w2\n"
                    "    return losses"
                ),
            ),
        ],
    ),
    Mutant(
        name="fails_uses_torch",
        mistake="forward_backward computes x @ w1 with torch instead of numpy.",
        fail=["numpy_only"],
        message=["called torch"],
        replace=[
            (
                "    h = x @ w1\n",
                (
                    "    import torch\n"
                    "    h = torch.from_numpy(x).matmul(torch.from_numpy(w1)).numpy()\n"
                ),
            ),
        ],
    ),
]
