"""Hostile: ignores (or blocks) every signal it can, then hangs in forward, sleeping and spinning."""

import signal
import time

import torch

for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,
            signal.SIGUSR2, signal.SIGALRM, signal.SIGXCPU, signal.SIGPIPE):
    signal.signal(sig, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, set(signal.Signals) - {signal.SIGKILL, signal.SIGSTOP})


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        while True:
            try:
                time.sleep(0.05)
                sum(range(10000))
            except BaseException:
                pass

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


def two_layer_forward(x, w1, w2):
    return MyReLU.apply(x @ w1) @ w2
