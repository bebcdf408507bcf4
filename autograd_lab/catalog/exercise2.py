"""exercise2 · tensor_backprop · the same network with torch tensors, gradients by hand (checks being written)."""

from autograd_lab.catalog.base import Exercise

EXERCISE = Exercise(number=2, slug="tensor_backprop", title="the same network with torch tensors, gradients by hand", idea="", filename="exercise2_tensor_backprop.py",
                    checks=())
