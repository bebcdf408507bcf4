"""Planted wrong submissions for exercise10: edits of solutions/exercise10_cross_entropy.py.

See tests/mutants/__init__.py. tests/test_planted.py grades each one.
"""

from . import Mutant

SHIFT = "\n    shifted = logits - logits.max(dim=1, keepdim=True).values"
LOG_PROBS = "\n    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()"
CE_LOSS = "loss = -log_probs[rows, labels].mean()"
CE_GRAD = ("    grad_logits = log_probs.exp()\n    grad_logits[rows, labels] -= 1\n"
           "    return loss, grad_logits / n\n")
BCE_LOSS = "\n    loss = (z.clamp(min=0) - z * y + torch.log1p(torch.exp(-z.abs()))).mean()"
BCE_GRAD = "\n    grad_z = (torch.sigmoid(z) - y) / z.numel()"

MUTANTS = [
    Mutant(
        name="ce_grad_sum_not_mean",
        mistake="the cross-entropy gradient is not divided by the batch size.",
        fail=["ce_grad"],
        diagnosis="off by a factor of the batch size",
        replace=[("return loss, grad_logits / n", "return loss, grad_logits  # planted: no / n")],
    ),
    Mutant(
        name="ce_loss_sum_not_mean",
        mistake="the cross-entropy loss is the sum over the batch, not the mean.",
        fail=["ce_loss"],
        diagnosis="off by a factor of the batch size",
        replace=[(CE_LOSS, CE_LOSS.replace(".mean()", ".sum()") + "  # planted")],
    ),
    Mutant(
        name="ce_loss_per_sample",
        mistake="the cross-entropy loss is one value per sample, never reduced.",
        fail=["ce_loss"],
        message=["one loss per sample"],
        replace=[(CE_LOSS, CE_LOSS.replace(".mean()", "") + "  # planted: no mean")],
    ),
    Mutant(
        name="ce_naive_softmax",
        mistake="the softmax exponentiates the raw logits: no max subtracted, exp overflows.",
        fail=["ce_stable"],
        diagnosis="overflow in exp",
        replace=[(SHIFT, "\n    shifted = logits  # planted: the max is not subtracted")],
    ),
    Mutant(
        name="ce_no_one_hot",
        mistake="the gradient is softmax / N, without subtracting the one-hot of the labels.",
        fail=["ce_grad"],
        diagnosis="one-hot not subtracted",
        replace=[("    grad_logits[rows, labels] -= 1\n",
                  "    # planted: one-hot not subtracted\n")],
    ),
    Mutant(
        name="ce_softmax_over_batch",
        mistake="the softmax normalizes over the batch (dim=0) instead of over the classes.",
        fail=["ce_loss", "ce_grad"],
        diagnosis="softmax over the wrong dimension",
        replace=[(SHIFT, SHIFT.replace("dim=1", "dim=0") + "  # planted"),
                 (LOG_PROBS, LOG_PROBS.replace("dim=1", "dim=0") + "  # planted")],
    ),
    Mutant(
        name="ce_uses_autograd",
        mistake="the cross-entropy gradient comes from torch.autograd.grad.",
        fail=["no_autograd"],
        diagnosis="autograd used",
        message=["backward pass"],
        replace=[
            (
                CE_GRAD,
                "    # planted: autograd does the backward pass\n"
                "    leaf = logits.detach().requires_grad_(True)\n"
                "    (grad_logits,) = torch.autograd.grad(\n"
                "        torch.nn.functional.cross_entropy(leaf, labels), leaf)\n"
                "    return loss, grad_logits\n",
            ),
        ],
    ),
    Mutant(
        name="bce_grad_sum_not_mean",
        mistake="the BCE gradient is not divided by the number of elements.",
        fail=["bce_grad"],
        diagnosis="off by a factor of the batch size",
        replace=[(BCE_GRAD, "\n    grad_z = torch.sigmoid(z) - y  # planted: no / z.numel()")],
    ),
    Mutant(
        name="bce_grad_sign_flipped",
        mistake="the BCE gradient is y - sigmoid(z).",
        fail=["bce_grad"],
        diagnosis="sign flipped",
        replace=[(BCE_GRAD, "\n    grad_z = (y - torch.sigmoid(z)) / z.numel()  # planted")],
    ),
    Mutant(
        name="bce_loss_missing_log",
        mistake="the BCE loss adds exp(-|z|) where log(1 + exp(-|z|)) belongs.",
        fail=["bce_loss"],
        message=["wrong values"],
        replace=[(BCE_LOSS, BCE_LOSS.replace("torch.log1p(torch.exp(-z.abs()))",
                                             "torch.exp(-z.abs())") + "  # planted")],
    ),
    Mutant(
        name="bce_naive_log_sigmoid",
        mistake="the BCE loss takes log(sigmoid(z)) and log(1 - sigmoid(z)), which overflow.",
        fail=["bce_stable"],
        diagnosis="overflow in exp",
        replace=[
            (
                BCE_LOSS,
                "\n    s = 1 / (1 + torch.exp(-z))  # planted: naive sigmoid and logs\n"
                "    loss = -(y * torch.log(s) + (1 - y) * torch.log(1 - s)).mean()",
            ),
        ],
    ),
]
