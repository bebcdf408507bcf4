"""exercise5 · retain_graph · backward twice on one graph (checks being written)."""

from autograd_lab.catalog.base import Exercise

EXERCISE = Exercise(number=5, slug="retain_graph", title="backward twice on one graph", idea="", filename="exercise5_retain_graph.py",
                    checks=())
