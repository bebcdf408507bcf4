"""How each thing in the picture looks, and what the legend says about it.

Three kinds of entries, each shown in the legend only when the picture uses it: node styles
(``STYLES``: a fill and a border per kind of node), edge styles (``EDGE_LEGEND``) and marks
(``MARKS``: the lines and badges inside labels: values, gradients, step numbers, flags).
A renderer that draws a mark adds its key to the set of used keys; the legend lists those.
"""

from __future__ import annotations

from dataclasses import dataclass

FONT = "Helvetica,Arial,sans-serif"
DETAIL, GREY = "#495057", "#868e96"
VALUE = "#1864ab"
"""Values of a tensor (dark blue)."""
GRADIENT = "#c2255c"
"""Gradients: ``.grad`` lines and the labels of edges backward sent a gradient along."""
STEP = "#343a40"
"""The background of a function's step badge (white number on it)."""
FAILED = "#c92a2a"
"""A backward that raised, and the saved tensors that made it raise."""


@dataclass(frozen=True)
class Style:
    """How one kind of node is drawn, and how the legend shows it."""

    shape: str
    style: str
    fill: str
    border: str
    legend: str
    sample: str
    """HTML text of the legend's sample cell."""
    cell_style: str = "solid"
    penwidth: str = "1"
    fontcolor: str = ""


STYLES = {
    "leaf": Style("box", "filled", "#cfe2ff", "#1c7ed6", "leaf tensor (a weight, an input)", "w"),
    "nonleaf": Style("box", "rounded,filled", "#d3f9d8", "#2f9e44",
                     "named non-leaf tensor (computed)", "h"),
    "root": Style("box", "rounded,filled,bold", "#ffd8a8", "#d9480f",
                  "root: the output backward() starts from", "<B>loss</B>", penwidth="2"),
    "shared": Style("box", "filled", "#a5d8ff", "#1c7ed6",
                    "shared leaf, a box per use (same color: same tensor)", "w (use 1/3)"),
    "nograd": Style("box", "filled,dashed", "#f1f3f5", "#adb5bd",
                    "no autograd (no_grad, detach, constant)", "c", "dashed", fontcolor=GREY),
    "function": Style("ellipse", "filled", "#e9ecef", GREY,
                      "backward function (grad_fn)", "MulBackward0"),
    "custom": Style("ellipse", "filled,bold", "#e5dbff", "#7048e8",
                    "custom autograd.Function", "MyFnBackward", penwidth="2"),
    "saved": Style("box", "filled", "#fff3bf", "#f08c00",
                   "saved for backward, alive (its backward can read it)", "saved self"),
    "freed": Style("box", "filled,dashed", "#f8f9fa", "#adb5bd",
                   "saved, then freed by the backward named (its buffer is gone; the values "
                   "are those it had)", "<S>self</S>", "dashed", fontcolor=GREY),
    "cause": Style("box", "filled,bold", "#ffe3e3", FAILED,
                   "the cause: freed, yet needed by this failed backward", "<S>self</S>",
                   penwidth="2"),
    "number": Style("box", "rounded,filled", "#fff9db", "#fab005",
                    "a Python number the op kept (the 3 of y * 3), not a tensor", "<B>3</B>"),
    "collapsed": Style("box3d", "filled", "#f8f9fa", DETAIL, "many nodes collapsed into one",
                       "98 nodes"),
}
SHARED_PALETTE = ["#a5d8ff", "#ffc9c9", "#b2f2bb", "#ffec99", "#d0bfff", "#99e9f2",
                  "#fcc2d7", "#c0eb75"]
"""Fills of shared leaves: the copies of one tensor share one."""
EDGE_LEGEND = {
    "edge_flow": ("──▶", "forward data flow (backward() walks it in reverse)"),
    "edge_saved": ("╌╌▷", "saved tensor, read by that function's backward"),
}


def _colored(text: str, color: str, size: int = 9) -> str:
    return f'<FONT POINT-SIZE="{size}" COLOR="{color}">{text}</FONT>'


MARKS = {  # key -> (sample cell HTML, meaning); in the legend's order
    "values": (_colored("[0.5, -1, 2]", VALUE, 10),
               "the tensor's values, rounded to 4 digits (exact in JSON)"),
    "grad": (_colored("grad = [1, 2, 3]", GRADIENT), "its .grad after this backward pass"),
    "grad_before": (_colored("grad 2 → 4", GRADIENT),
                    ".grad before → after this pass: backward adds to .grad (accumulation)"),
    "step": ('<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0"><TR><TD BGCOLOR="' + STEP
             + '" STYLE="rounded" FIXEDSIZE="TRUE" WIDTH="12" HEIGHT="14"><FONT COLOR="white" '
             'POINT-SIZE="10"><B>3</B></FONT></TD></TR></TABLE>',
             "step badge: the order backward ran the functions (1 = first)"),
    "edge_grad": (_colored("──▶ [0.5, 1]", GRADIENT),
                  "the gradient backward sent back along the edge (values, or shape · ‖g‖ "
                  "norm); a tensor used twice gets two, summed in its .grad"),
    "edge_grad_tooltip": ("──▶", "the gradient backward sent along an edge: in SVG, hover "
                                 "over the edge (too many edges to label)"),
    "location": (_colored("train.py:3", DETAIL), "the script line that created the function"),
    "flag_requires_grad": (_colored("requires_grad", DETAIL),
                           "a leaf whose .grad backward() fills"),
    "flag_retains_grad": (_colored("retains_grad", DETAIL),
                          "a non-leaf that keeps its .grad (retain_grad())"),
    "flag_grad": (_colored("grad ✓", DETAIL), "its .grad is filled"),
    "flag_version": (_colored("version 1", DETAIL),
                     "the tensor's version counter, bumped by each in-place change"),
}
