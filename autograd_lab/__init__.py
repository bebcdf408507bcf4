"""autograd-lab: learn PyTorch autograd by doing.

Students fill in exercise stubs and check them with ``autograd-lab check``; instructors grade
whole classes with ``autograd-lab grade``; ``autograd-lab graph`` draws the autograd graph a
script builds.
"""

__version__ = "0.1.0"
