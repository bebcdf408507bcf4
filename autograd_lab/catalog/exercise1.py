"""exercise1 · numpy_backprop · two-layer network, backprop by hand in NumPy (checks being written)."""

from autograd_lab.catalog.base import Exercise

EXERCISE = Exercise(number=1, slug="numpy_backprop", title="two-layer network, backprop by hand in NumPy", idea="", filename="exercise1_numpy_backprop.py",
                    checks=())
