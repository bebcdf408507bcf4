"""Hostile (isolation): prints what it can see of the machine (its pid, the processes in
/proc, its host name, its user id, its cgroups, whether /tmp is writable), then solves the
exercise correctly. A test reads the printed lines back from the report's output.
"""

import os

import torch

print(f"view: pid {os.getpid()}")
print(f"view: processes {sorted(int(p) for p in os.listdir('/proc') if p.isdigit())}")
print(f"view: host {os.uname().nodename}")
print(f"view: uid {os.getuid()}")
try:
    with open("/proc/self/cgroup") as groups:
        print("view: cgroups " + " ".join(line.strip() for line in groups))
except OSError as exc:
    print(f"view: cgroups unreadable: {exc}")
try:
    with open("/tmp/iso_reports_its_view.txt", "w"):
        pass
    print("view: /tmp writable")
except OSError as exc:
    print(f"view: /tmp not writable: {exc.strerror}")


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * (input > 0)


def two_layer_forward(x, w1, w2):
    return MyReLU.apply(x @ w1) @ w2
