"""Exercise 10 (cross_entropy): softmax cross-entropy and BCE by hand.

Reference solution: the test suite grades it to prove the checks (it must score full marks).
It is never shipped in the wheel; students get the stub in exercises/.

Classification losses work on logits, the raw scores a network outputs. For one sample with
logits `z` (one per class) and true class `c`, softmax turns the scores into probabilities and
cross-entropy is minus the log of the true class's one::

    p = softmax(z) = exp(z) / sum(exp(z))
    loss = -log(p[c]) = logsumexp(z) - z[c]          where logsumexp(z) = log(sum(exp(z)))

and its gradient is wonderfully simple: `d loss / d z = p - onehot(c)`. Over a batch of N samples
the loss is the MEAN, so each sample's gradient is divided by N::

    loss        = mean over i of (logsumexp(logits[i]) - logits[i, labels[i]])
    grad_logits = (softmax(logits, dim=1) - onehot(labels)) / N          # shaped like logits

Binary cross-entropy on logits is the two-class case, one logit per element: with
`s = sigmoid(z) = 1 / (1 + exp(-z))` and a target `y` in [0, 1],
`loss = -(y * log(s) + (1 - y) * log(1 - s))`, whose gradient is `s - y`. Mean over all elements::

    loss   = mean(max(z, 0) - z * y + log(1 + exp(-|z|)))    # the same loss, written stably
    grad_z = (sigmoid(z) - y) / z.numel()

Numerical stability: `exp(1e4)` overflows to inf (float32 overflows past 88, float64 past 709),
and inf / inf is NaN. Softmax does not change when a constant is subtracted from every logit, so
subtract each row's max first: `z - z.max(dim=1, keepdim=True).values` has a largest entry of 0,
and no exp overflows (`torch.logsumexp` does this for you). For BCE, `log(sigmoid(z))` is
`log(0) = -inf` for z = -1e4: use the form above, where exp only ever sees `-|z| <= 0`
(`torch.log1p(torch.exp(-z.abs()))`), and `torch.sigmoid`, which is stable.

Rules: no autograd (no `.backward()`, no `torch.autograd.grad`; nothing returned has a
`grad_fn`). Finite, correct results for logits as large as +-1e4. Everything returned is on the
inputs' device, with the logits' dtype; the loss is a 0-dim tensor.

Read: https://pytorch.org/docs/stable/generated/torch.nn.functional.cross_entropy.html,
https://pytorch.org/docs/stable/generated/torch.nn.functional.binary_cross_entropy_with_logits.html,
https://pytorch.org/docs/stable/generated/torch.logsumexp.html.
Check your work with `autograd-lab check exercise10`.
"""

import torch


def cross_entropy_forward_backward(
    logits: torch.Tensor, labels: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Compute the mean softmax cross-entropy and its gradient with respect to the logits.

    Steps: `shifted = logits - logits.max(dim=1, keepdim=True).values`; the log-probabilities
    `log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()`; the loss is minus the
    mean of `log_probs[i, labels[i]]` (pick them with `log_probs[torch.arange(N), labels]`, the
    arange on the logits' device); the gradient is `(log_probs.exp() - onehot) / N`, where
    `onehot[i, labels[i]] = 1` (`torch.nn.functional.one_hot(labels, C)`, or subtract 1 at
    those places of a copy).

    Args:
        logits: float tensor of shape (N, C), possibly non-contiguous, on some device.
        labels: int64 tensor of shape (N,), class indices in [0, C), on the same device.

    Returns:
        `(loss, grad_logits)`: `loss` a 0-dim tensor, `grad_logits` shaped like `logits`, both
        with the logits' dtype and device, neither with a `grad_fn`.
    """
    n = logits.shape[0]
    rows = torch.arange(n, device=logits.device)
    shifted = logits - logits.max(dim=1, keepdim=True).values
    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    loss = -log_probs[rows, labels].mean()
    grad_logits = log_probs.exp()
    grad_logits[rows, labels] -= 1
    return loss, grad_logits / n


def bce_with_logits_forward_backward(
    z: torch.Tensor, y: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Compute the mean binary cross-entropy on logits and its gradient with respect to `z`.

    Steps: `loss = (z.clamp(min=0) - z * y + torch.log1p(torch.exp(-z.abs()))).mean()` and
    `grad_z = (torch.sigmoid(z) - y) / z.numel()`.

    Args:
        z: float tensor of any shape (the logits), possibly non-contiguous, on some device.
        y: the targets, shaped like `z`, with values in [0, 1], same dtype and device.

    Returns:
        `(loss, grad_z)`: `loss` a 0-dim tensor, `grad_z` shaped like `z`, both with `z`'s dtype
        and device, neither with a `grad_fn`.
    """
    loss = (z.clamp(min=0) - z * y + torch.log1p(torch.exp(-z.abs()))).mean()
    grad_z = (torch.sigmoid(z) - y) / z.numel()
    return loss, grad_z
