"""autograd-lab: learn PyTorch autograd by doing.

Students fill in exercise stubs and check them with ``autograd-lab check``; instructors grade
whole classes with ``autograd-lab grade``; ``autograd-lab graph`` draws the autograd graph a
script builds; ``autograd_lab.explain(loss)`` runs backward and steps through it in a notebook.
"""

__version__ = "0.1.0"


def __getattr__(name: str):
    # draw, capture and explain import torch: load them on first use, so `import autograd_lab`
    # stays light.
    if name in ("draw", "capture"):
        from autograd_lab.viz import draw as _draw_module

        return getattr(_draw_module, name)
    if name == "explain":
        from autograd_lab.viz.explain import explain

        return explain
    raise AttributeError(f"module 'autograd_lab' has no attribute {name!r}")


__all__ = ["__version__", "capture", "draw", "explain"]
