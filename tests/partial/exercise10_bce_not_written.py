# expect-score: 5.5
# why: cross-entropy is right and stable (2 + 2 + 1) and keeps no_autograd for its half (0.5);
# BCE is not written.
# expect-status: no_autograd partial
# expect-status: bce_grad not run
import torch


def cross_entropy_forward_backward(logits, labels):
    n = logits.shape[0]
    shifted = logits - logits.max(dim=1, keepdim=True).values
    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    loss = -log_probs[torch.arange(n, device=logits.device), labels].mean()
    grad = log_probs.exp()
    grad[torch.arange(n, device=logits.device), labels] -= 1
    return loss, grad / n


def bce_with_logits_forward_backward(z, y):
    raise NotImplementedError("exercise10: implement bce_with_logits_forward_backward")
