"""exercise4 · vjp · vector-Jacobian products (checks being written)."""

from autograd_lab.catalog.base import Exercise

EXERCISE = Exercise(number=4, slug="vjp", title="vector-Jacobian products", idea="", filename="exercise4_vjp.py",
                    checks=())
