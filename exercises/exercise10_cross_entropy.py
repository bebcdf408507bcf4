"""Exercise 10 (cross_entropy): softmax cross-entropy and BCE by hand.

Classification losses work on logits, the raw scores a network outputs. For one sample with
logits `z` (one per class) and true class `c`, softmax turns the scores into probabilities and
cross-entropy is minus the log of the true class's one::

    p = softmax(z) = exp(z) / sum(exp(z))
    loss = -log(p[c]) = logsumexp(z) - z[c]          where logsumexp(z) = log(sum(exp(z)))

Over a batch of N samples (`labels[i]` the class of row `i`) the loss is the MEAN::

    loss = mean over i of (logsumexp(logits[i]) - logits[i, labels[i]])

Binary cross-entropy on logits is the two-class case, one logit per element: with
`s = sigmoid(z) = 1 / (1 + exp(-z))` and a target `y` in [0, 1],
`loss = -(y * log(s) + (1 - y) * log(1 - s))`, averaged over all elements. Written stably, the
same loss is::

    loss = mean(max(z, 0) - z * y + log(1 + exp(-|z|)))

The gradients, with respect to the logits, are yours to derive: differentiate one sample's (or
one element's) loss on paper, simplify, then account for the mean. Both come out short.

Numerical stability: `exp(1e4)` overflows to inf (float32 overflows past 88, float64 past 709),
and inf / inf is NaN. Softmax does not change when a constant is subtracted from every logit, so
subtract each row's max first: `z - z.max(dim=1, keepdim=True).values` has a largest entry of 0,
and no exp overflows (`torch.logsumexp` does this for you); for example
logsumexp([1000, 1000]) = 1000 + logsumexp([0, 0]) = 1000 + log(2). For BCE, `log(sigmoid(z))`
is `log(0) = -inf` for z = -1e4: use the form above, where exp only ever sees `-|z| <= 0`, and
`torch.sigmoid`, which is stable.

Worked example, a different loss: the mean log-cosh error of predictions `z` against targets `y`,
`loss = mean(log(cosh(z - y)))`. With `d = z - y`:

- the loss, stably: `cosh(d)` overflows for large |d|, but `log(cosh(d))` equals
  `|d| + log(1 + exp(-2 * |d|)) - log(2)`, where exp only sees numbers <= 0
  (`torch.log1p(torch.exp(-2 * d.abs()))` computes the middle term accurately);
- the gradient: d log(cosh(d)) / d d = sinh(d) / cosh(d) = tanh(d), and d d / d z = 1; the
  mean over n elements divides every element's gradient by n, so the gradient with respect to
  `z` is `torch.tanh(d) / z.numel()`, shaped like `z`.

With z = [0., 1e4] and y = [0., 0.]: the loss is (0 + 1e4 - log(2)) / 2, about 4999.65, and the
gradient [0., 0.5]: finite, where `torch.cosh(z).log()` would give inf.

Rules: no autograd (no `.backward()`, no `torch.autograd.grad`; nothing returned has a
`grad_fn`). Finite, correct results for logits as large as +-1e4. Everything returned is on the
inputs' device, with the logits' dtype; the loss is a 0-dim tensor.

Read: https://pytorch.org/docs/stable/generated/torch.nn.functional.cross_entropy.html,
https://pytorch.org/docs/stable/generated/torch.nn.functional.binary_cross_entropy_with_logits.html,
https://pytorch.org/docs/stable/generated/torch.logsumexp.html.
Check your work with `autograd-lab check exercise10`; stuck? `autograd-lab hint 10` gives a hint,
a more precise one each time you ask.
"""

import torch


def cross_entropy_forward_backward(
    logits: torch.Tensor, labels: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Compute the mean softmax cross-entropy and its gradient with respect to the logits.

    The loss is the batch mean above, computed stably; the gradient is d loss / d logits, by
    hand. Any tensor you create (an index range, a one-hot matrix) goes on the logits' device.

    Args:
        logits: float tensor of shape (N, C), possibly non-contiguous, on some device.
        labels: int64 tensor of shape (N,), class indices in [0, C), on the same device.

    Returns:
        `(loss, grad_logits)`: `loss` a 0-dim tensor, `grad_logits` shaped like `logits`, both
        with the logits' dtype and device, neither with a `grad_fn`.
    """
    raise NotImplementedError("exercise10: implement cross_entropy_forward_backward")


def bce_with_logits_forward_backward(
    z: torch.Tensor, y: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Compute the mean binary cross-entropy on logits and its gradient with respect to `z`.

    The loss is the mean over all elements above, computed stably; the gradient is
    d loss / d z, by hand.

    Args:
        z: float tensor of any shape (the logits), possibly non-contiguous, on some device.
        y: the targets, shaped like `z`, with values in [0, 1], same dtype and device.

    Returns:
        `(loss, grad_z)`: `loss` a 0-dim tensor, `grad_z` shaped like `z`, both with `z`'s dtype
        and device, neither with a `grad_fn`.
    """
    raise NotImplementedError("exercise10: implement bce_with_logits_forward_backward")
