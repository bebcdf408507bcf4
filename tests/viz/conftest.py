"""Hand-built graph models for the renderer tests, one per thing the picture must show.

Each case is what capture would produce for the script in its docstring; the renderers are
tested against these plain models, so they do not depend on capture (written separately).
"""

from __future__ import annotations

import math

import pytest

from autograd_lab.viz.model import (
    COLLAPSED, FUNCTION, INPUT, OUTPUT, SAVED, SAVED_BY, TENSOR, Capture, Edge, Grad, Graph, Node,
)


def leaf(node_id: str, label: str, shape: tuple[int, ...], **kw) -> Node:
    """A leaf that requires grad (a weight), float32 on cpu unless told."""
    kw = {"dtype": "float32", "device": "cpu", "requires_grad": True, "is_leaf": True, **kw}
    return Node(node_id, TENSOR, label, shape=shape, **kw)


def computed(node_id: str, label: str, shape: tuple[int, ...], **kw) -> Node:
    """A non-leaf tensor (a named intermediate, or the root when ``is_root=True``)."""
    kw = {"dtype": "float32", "device": "cpu", "requires_grad": True, "is_leaf": False, **kw}
    return Node(node_id, TENSOR, label, shape=shape, **kw)


def fn(node_id: str, op: str, line: int | None, file: str = "train.py", **kw) -> Node:
    """A backward node created at ``file:line`` (no location when ``line`` is None)."""
    return Node(node_id, FUNCTION, op, location=None if line is None else f"{file}:{line}", **kw)


def saved(node_id: str, attr: str, shape: tuple[int, ...] | None, **kw) -> Node:
    kw = {"dtype": "float32", "device": "cpu", **kw}
    return Node(node_id, SAVED, attr, shape=shape, **kw)


def chain(*pairs: str, kind: str = INPUT) -> list[Edge]:
    """Edges from ``"a>b"`` strings: input; ``"a>b!"``: output; ``"a>b~"``: saved."""
    edges = []
    for pair in pairs:
        source, target = pair.split(">")
        if target.endswith("!"):
            edges.append(Edge(source, target[:-1], OUTPUT))
        elif target.endswith("~"):
            edges.append(Edge(source, target[:-1], SAVED_BY))
        else:
            edges.append(Edge(source, target, kind))
    return edges


def leaf_and_nonleaf() -> Capture:
    """w (float64), b (cuda:0), unnamed leaf o; h = x @ w + b retains grad; loss = (h*o).sum()."""
    nodes = [
        leaf("t0", "w", (3, 2), dtype="float64", has_grad=True),
        fn("f1", "MmBackward0", 3),
        leaf("t2", "b", (2,), device="cuda:0", has_grad=True),
        fn("f3", "AddBackward0", 3),
        computed("t4", "h", (4, 2), retains_grad=True, has_grad=True),
        leaf("t5", "", (2,)),
        fn("f6", "MulBackward0", 5),
        fn("f7", "SumBackward0", 5),
        computed("t8", "loss", (), is_root=True),
    ]
    edges = chain("t0>f1", "f1>f3", "t2>f3", "f3>t4!", "t4>f6", "t5>f6", "f6>f7", "f7>t8!")
    return Capture([Graph(nodes, edges, "loss.backward() at train.py:6")], script="train.py")


def freed_saved() -> Capture:
    """The same graph before backward (saved tensors alive) and after it (freed)."""
    def graph(freed: bool, title: str) -> Graph:
        nodes = [
            leaf("t0", "w", (3, 2), has_grad=freed),
            saved("s1", "self", (4, 3), freed=freed),
            saved("s2", "mat2", None if freed else (3, 2), freed=freed),
            fn("f3", "MmBackward0", 2),
            fn("f4", "SumBackward0", 3),
            computed("t5", "loss", (), is_root=True),
        ]
        edges = chain("t0>f3", "s1>f3~", "s2>f3~", "f3>f4", "f4>t5!")
        return Graph(nodes, edges, title)
    return Capture([graph(False, "loss.backward() at train.py:4"), graph(True, "loss at the end")],
                   script="train.py")


def no_grad() -> Capture:
    """with torch.no_grad(): c = w * 2   then   y = (w * c).sum()."""
    nodes = [
        leaf("t0", "w", (3,)),
        Node("t1", TENSOR, "c", shape=(3,), dtype="float32", device="cpu", requires_grad=False,
             is_leaf=True, grad_enabled=False, note="made under torch.no_grad()"),
        saved("s2", "other", (3,)),
        fn("f3", "MulBackward0", 3, "no_grad.py"),
        fn("f4", "SumBackward0", 3, "no_grad.py"),
        computed("t5", "y", (), is_root=True),
    ]
    edges = chain("t0>f3", "t1>f3", "s2>f3~", "f3>f4", "f4>t5!")
    return Capture([Graph(nodes, edges, "y at the end")], script="no_grad.py")


def custom_function() -> Capture:
    """y = MyReLU.apply(x @ w); a custom autograd.Function saving its input."""
    nodes = [
        leaf("t0", "w", (3, 2)),
        fn("f1", "MmBackward0", 11, "custom.py"),
        saved("s2", "input", (4, 2)),
        fn("f3", "MyReLUBackward", 12, "custom.py", custom=True,
           note="ctx.save_for_backward(input)"),
        fn("f4", "SumBackward0", 13, "custom.py"),
        computed("t5", "y", (), is_root=True),
    ]
    edges = chain("t0>f1", "f1>f3", "s2>f3~", "f3>f4", "f4>t5!")
    return Capture([Graph(nodes, edges, "y.backward() at custom.py:14")], script="custom.py")


def multiple_roots() -> Capture:
    """y1 = (w * 2).sum(); y2 = (w ** 2).mean(): one leaf, two roots."""
    nodes = [
        leaf("t0", "w", (5,)),
        fn("f1", "MulBackward0", 2, "two_roots.py"),
        fn("f2", "SumBackward0", 2, "two_roots.py"),
        computed("t3", "y1", (), is_root=True),
        fn("f4", "PowBackward0", 3, "two_roots.py"),
        fn("f5", "MeanBackward0", 3, "two_roots.py"),
        computed("t6", "y2", (), is_root=True),
    ]
    edges = chain("t0>f1", "f1>f2", "f2>t3!", "t0>f4", "f4>f5", "f5>t6!")
    return Capture([Graph(nodes, edges, "y1, y2 at the end")], script="two_roots.py")


def collapsed() -> Capture:
    """for _ in range(100): x = x * 1.01  (the middle 98 multiplications collapsed)."""
    nodes = [
        leaf("t0", "x0", (8,)),
        fn("f1", "MulBackward0", 3, "loop.py"),
        Node("c2", COLLAPSED, "98 × MulBackward0", hidden=98),
        fn("f3", "MulBackward0", 3, "loop.py"),
        computed("t4", "x", (8,), is_root=True),
    ]
    edges = chain("t0>f1", "f1>c2", "c2>f3", "f3>t4!")
    return Capture([Graph(nodes, edges, "x at the end", hidden=98)], script="loop.py")


def shared_leaf() -> Capture:
    """h = tanh(h @ w + x_t @ u) three times: w drawn once per use (3), u once per use (2)."""
    w = [leaf(f"t{i}", "w", (4, 4), use=(i + 1, 3), same_as=None if i == 0 else "t0")
         for i in range(3)]
    u = [leaf("t3", "u", (2, 4), use=(1, 2)), leaf("t4", "u", (2, 4), use=(2, 2), same_as="t3")]
    ops = ["MmBackward0", "TanhBackward0", "MmBackward0", "MmBackward0", "AddBackward0",
           "TanhBackward0", "MmBackward0", "SumBackward0"]
    functions = [fn(f"f{i + 5}", op, 5 if op == "SumBackward0" else 4, "rnn.py")
                 for i, op in enumerate(ops)]
    nodes = [*w, *u, *functions, computed("t13", "loss", (), is_root=True)]
    edges = chain("t0>f5", "f5>f6", "f6>f7", "t1>f7", "t3>f8", "f7>f9", "f8>f9", "f9>f10",
                  "f10>f11", "t2>f11", "t4>f8", "f11>f12", "f12>t13!")
    return Capture([Graph(nodes, edges, "loss.backward() at rnn.py:6")], script="rnn.py")


def count_x500() -> Capture:
    """A training loop: the same graph every step, kept once with count=500."""
    nodes = [leaf("t0", "w", (10,), has_grad=True), fn("f1", "MseLossBackward0", 8),
             computed("t2", "loss", (), is_root=True)]
    graph = Graph(nodes, chain("t0>f1", "f1>t2!"), "loss.backward() at train.py:9", count=500)
    return Capture([graph], script="train.py")


def error_note() -> Capture:
    """The script failed at line 9; 12 more distinct graphs were not drawn."""
    nodes = [leaf("t0", "w", (3, 2)), fn("f1", "MulBackward0", 7),
             computed("t2", "y", (3, 2), is_root=True)]
    error = ('Traceback (most recent call last):\n  File "train.py", line 9, in <module>\n'
             "    z = y @ w\nRuntimeError: mat1 and mat2 shapes cannot be multiplied (3x2 and 3x2)")
    return Capture([Graph(nodes, chain("t0>f1", "f1>t2!"), "y at the error")],
                   omitted=12, script="train.py", error=error)


def escaping() -> Capture:
    """Names and titles with quotes, backslashes, <>&, unicode, a tab and a control byte."""
    nodes = [leaf("t0", 'a"b\\c', (2,), note="C:\\temp\\"),
             leaf("t1", "ω<1> & ∂", (2,), dtype="torch.float16"),
             fn("f2", "Mul<Backward>", None), computed("t3", "y\tz\x07", (2,), is_root=True)]
    graph = Graph(nodes, chain("t0>f2", "t1>f2", "f2>t3!"), 'y "quoted" \\ at <end> & ü')
    return Capture([graph], script='we"ird\\ script ✓.py')


def docs_example() -> Capture:
    """w = torch.ones(2, requires_grad=True); y = w.exp(); y.sum().backward(): the example
    in docs/graph-json.md (a test keeps the two the same)."""
    nodes = [leaf("t0", "w", (2,), has_grad=True), saved("s1", "result", (2,), freed=True),
             fn("f2", "ExpBackward0", 2, "demo.py"), computed("t3", "y", (2,), is_root=True)]
    edges = chain("t0>f2", "s1>f2~", "f2>t3!")
    return Capture([Graph(nodes, edges, "y at the end")], script="demo.py")


def empty() -> Capture:
    """A script that never built a graph."""
    return Capture([], script="nothing.py")


def mlp() -> Capture:
    """A realistic two-layer net, captured at loss.backward() (before it frees anything)."""
    nodes = [
        leaf("t0", "W1", (784, 128), has_grad=True), leaf("t1", "b1", (128,), has_grad=True),
        Node("t2", TENSOR, "x", shape=(64, 784), dtype="float32", device="cpu",
             requires_grad=False, is_leaf=True, grad_enabled=False),
        saved("s3", "self", (64, 784)), fn("f4", "MmBackward0", 12, "mlp.py"),
        fn("f5", "AddBackward0", 12, "mlp.py"), saved("s6", "result", (64, 128)),
        fn("f7", "ReluBackward0", 12, "mlp.py"), computed("t8", "h", (64, 128), retains_grad=True),
        leaf("t9", "W2", (128, 10), has_grad=True), saved("s10", "self", (64, 128)),
        saved("s11", "mat2", (128, 10)), fn("f12", "MmBackward0", 13, "mlp.py"),
        fn("f13", "LogSoftmaxBackward0", 14, "mlp.py"), saved("s14", "result", (64, 10)),
        fn("f15", "NllLossBackward0", 15, "mlp.py"), saved("s16", "target", (64,), dtype="int64"),
        computed("t17", "loss", (), is_root=True),
    ]
    edges = chain("t0>f4", "t2>f4", "s3>f4~", "f4>f5", "t1>f5", "f5>f7", "s6>f7~", "f7>t8!",
                  "t8>f12", "t9>f12", "s10>f12~", "s11>f12~", "f12>f13", "s14>f13~",
                  "f13>f15", "s16>f15~", "f15>t17!")
    return Capture([Graph(nodes, edges, "loss.backward() at mlp.py:16")], script="mlp.py")


def grad(values: object, shape: tuple[int, ...] | None = None) -> Grad:
    """A small gradient with its values (shape and 2-norm worked out from them)."""
    flat, dims, level = [], [], values
    while isinstance(level, tuple):
        dims.append(len(level))
        level = level[0] if level else None
    stack = [values]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            stack.extend(item)
        else:
            flat.append(item)
    norm = math.sqrt(sum(v * v for v in flat))
    return Grad(tuple(dims) if shape is None else shape, norm, values)


def with_grads(edges: list[Edge], grads: dict[str, Grad]) -> list[Edge]:
    """``edges`` with ``grads["a>b"]`` on the edge from a to b."""
    return [e._replace(grad=grads.get(f"{e.source}>{e.target}")) for e in edges]


def values_and_grads() -> Capture:
    """w = torch.tensor([1., 2.], requires_grad=True)      # line 1
    b = torch.tensor(0.5, requires_grad=True)              # line 2
    loss = (w * 3).sum() + b                               # line 3
    loss.backward()                                        # line 4

    loss = 3 * (1 + 2) + 0.5 = 9.5. Backward runs AddBackward0 (1), SumBackward0 (2),
    MulBackward0 (3): d loss/d b = 1, d loss/d w = 3 for each element; Add sends 1 to both
    inputs, Sum sends ones(2) to Mul, Mul sends 3 * ones(2) to w. The 3 is a Python number
    torch kept in a 0-d int64 tensor.
    """
    nodes = [
        leaf("t0", "w", (2,), values=(1.0, 2.0), has_grad=True, grad_values=(3.0, 3.0),
             grad_norm=math.sqrt(18), grad_step=3),
        saved("s1", "other", (), dtype="int64", number=True, values=3),
        fn("f2", "MulBackward0", 3, "values.py", order=3,
           received=(grad((1.0, 1.0)),)),
        fn("f3", "SumBackward0", 3, "values.py", order=2, received=(grad(1.0, ()),)),
        leaf("t4", "b", (), values=0.5, has_grad=True, grad_values=1.0, grad_norm=1.0,
             grad_step=1),
        fn("f5", "AddBackward0", 3, "values.py", order=1, received=(grad(1.0, ()),)),
        computed("t6", "loss", (), is_root=True, values=9.5),
    ]
    edges = with_grads(chain("t0>f2", "s1>f2~", "f2>f3", "f3>f5", "t4>f5", "f5>t6!"), {
        "t0>f2": grad((3.0, 3.0)), "f2>f3": grad((1.0, 1.0)), "f3>f5": grad(1.0, ()),
        "t4>f5": grad(1.0, ()), "f5>t6": grad(1.0, ())})
    graph = Graph(nodes, edges, "loss.backward() at values.py:4", steps=3)
    return Capture([graph], script="values.py")


def accumulation() -> Capture:
    """w = torch.tensor([1., 2.], requires_grad=True)      # line 1
    y = (w ** 2).sum()                                     # line 2
    y.backward(retain_graph=True)                          # line 3
    y.backward()                                           # line 4

    Two passes over the very same graph: two panels. d y/d w = 2 w = [2, 4]; backward adds
    it to .grad, so after the first pass .grad is [2, 4], after the second [4, 8]. The
    second pass frees the saved w (no retain_graph).
    """
    def graph(second: bool) -> Graph:
        before = grad((2.0, 4.0)) if second else None
        after = (4.0, 8.0) if second else (2.0, 4.0)
        nodes = [
            leaf("t0", "w", (2,), values=(1.0, 2.0), has_grad=True, grad_values=after,
                 grad_norm=math.sqrt(sum(v * v for v in after)), grad_before=before,
                 grad_step=2),
            saved("s1", "self", (2,), values=(1.0, 2.0), freed=second,
                  freed_by="y.backward() at acc.py:4" if second else None),
            fn("f2", "PowBackward0", 2, "acc.py", order=2),
            fn("f3", "SumBackward0", 2, "acc.py", order=1),
            computed("t4", "y", (), is_root=True, values=5.0),
        ]
        edges = with_grads(chain("t0>f2", "s1>f2~", "f2>f3", "f3>t4!"), {
            "t0>f2": grad((2.0, 4.0)), "f2>f3": grad((1.0, 1.0)), "f3>t4": grad(1.0, ())})
        where = "acc.py:4" if second else "acc.py:3"
        return Graph(nodes, edges, f"y.backward() at {where}", steps=2)
    return Capture([graph(False), graph(True)], script="acc.py")


def weight_used_twice() -> Capture:
    """w = torch.tensor([1., 2.], requires_grad=True)      # line 1
    h1 = w * 2                                             # line 2
    h2 = w * 3                                             # line 3
    loss = h1.sum() + h2.sum()                             # line 4
    loss.backward()                                        # line 5

    w sends backward along two edges: 2 * ones(2) from h1's MulBackward0, 3 * ones(2) from
    h2's; its .grad is their sum, [5, 5]. Order: autograd runs the ready node made last
    first: Add (1), h2's Sum (2), h1's Sum (3), h2's Mul (4), h1's Mul (5).
    """
    nodes = [
        leaf("t0", "w", (2,), values=(1.0, 2.0), has_grad=True, grad_values=(5.0, 5.0),
             grad_norm=math.sqrt(50), grad_step=5),
        saved("s1", "other", (), dtype="int64", number=True, values=2),
        fn("f2", "MulBackward0", 2, "twice_used.py", order=5),
        computed("t3", "h1", (2,), values=(2.0, 4.0)),
        saved("s4", "other", (), dtype="int64", number=True, values=3),
        fn("f5", "MulBackward0", 3, "twice_used.py", order=4),
        computed("t6", "h2", (2,), values=(3.0, 6.0)),
        fn("f7", "SumBackward0", 4, "twice_used.py", order=3),
        fn("f8", "SumBackward0", 4, "twice_used.py", order=2),
        fn("f9", "AddBackward0", 4, "twice_used.py", order=1),
        computed("t10", "loss", (), is_root=True, values=15.0),
    ]
    edges = with_grads(chain("t0>f2", "s1>f2~", "f2>t3!", "t0>f5", "s4>f5~", "f5>t6!",
                             "t3>f7", "t6>f8", "f7>f9", "f8>f9", "f9>t10!"), {
        "t0>f2": grad((2.0, 2.0)), "t0>f5": grad((3.0, 3.0)), "f2>t3": grad((1.0, 1.0)),
        "f5>t6": grad((1.0, 1.0)), "t3>f7": grad((1.0, 1.0)), "t6>f8": grad((1.0, 1.0)),
        "f7>f9": grad(1.0, ()), "f8>f9": grad(1.0, ()), "f9>t10": grad(1.0, ())})
    graph = Graph(nodes, edges, "loss.backward() at twice_used.py:5", steps=5)
    return Capture([graph], script="twice_used.py")


SECOND_TIME = ("Trying to backward through the graph a second time (or directly access saved "
               "tensors after they have already been freed). Saved intermediate values of the "
               "graph are freed when you call .backward() or autograd.grad(). Specify "
               "retain_graph=True if you need to backward through the graph a second time or "
               "if you need to access saved tensors after calling backward.")
"""torch's own message (torch 2.x) when a backward needs saved tensors a previous one freed."""


def failed_double_backward() -> Capture:
    """x = torch.tensor([1., 2.], requires_grad=True)      # line 1
    y = x * x                                              # line 2
    z = y.sum()                                            # line 3
    z.backward()                                           # line 4
    z.backward()                                           # line 5: RuntimeError

    Two panels, never merged: the first pass (runs Sum, then Mul; x.grad = 2 x = [2, 4]),
    and the second, which ran SumBackward0 and failed at MulBackward0: its saved self and
    other were freed by the first pass, and it needed them (the cause). x.grad is left as
    the first pass made it.
    """
    def graph(second: bool) -> Graph:
        nodes = [
            leaf("t0", "x", (2,), values=(1.0, 2.0), has_grad=True, grad_values=(2.0, 4.0),
                 grad_norm=math.sqrt(20), grad_before=grad((2.0, 4.0)) if second else None,
                 grad_step=None if second else 2),
            saved("s1", "self", (2,), values=(1.0, 2.0), freed=second, cause=second,
                  freed_by="z.backward() at twice.py:4" if second else None),
            saved("s2", "other", (2,), values=(1.0, 2.0), freed=second, cause=second,
                  freed_by="z.backward() at twice.py:4" if second else None),
            fn("f3", "MulBackward0", 2, "twice.py", order=None if second else 2),
            computed("t4", "y", (2,), values=(1.0, 4.0)),
            fn("f5", "SumBackward0", 3, "twice.py", order=1),
            computed("t6", "z", (), is_root=True, values=5.0),
        ]
        grads = {"f5>t6": grad(1.0, ()), "t4>f5": grad((1.0, 1.0)), "f3>t4": grad((1.0, 1.0))}
        grads |= {} if second else {"t0>f3": grad((2.0, 4.0))}
        edges = with_grads(chain("t0>f3", "s1>f3~", "s2>f3~", "f3>t4!", "t4>f5", "f5>t6!"),
                           grads)
        if not second:
            return Graph(nodes, edges, "z.backward() at twice.py:4", steps=2)
        return Graph(nodes, edges, "z.backward() at twice.py:5", steps=1, failed=True,
                     error=SECOND_TIME, advice="pass retain_graph=True to z.backward() at "
                     "twice.py:4, the backward that freed them")
    error = ('Traceback (most recent call last):\n  File "twice.py", line 5, in <module>\n'
             f"    z.backward()\nRuntimeError: {SECOND_TIME}")
    return Capture([graph(False), graph(True)], script="twice.py", error=error)


def wrapped_number() -> Capture:
    """x = torch.tensor([1., 2.], requires_grad=True)      # line 1
    y = x * 3                                              # line 2
    y.add_(1)                                              # line 3: y's version 1
    z = y / 2                                              # line 4   (drawn at the end)

    The 3 and the 2 are Python numbers torch wrapped in 0-d tensors (int64) and kept in the
    ops: they read as the constants they are, not as "saved other scalar int64".
    """
    nodes = [
        leaf("t0", "x", (2,), values=(1.0, 2.0)),
        saved("s1", "other", (), dtype="int64", number=True, values=3),
        fn("f2", "MulBackward0", 2, "number.py"),
        fn("f3", "AddBackward0", 3, "number.py"),
        computed("t4", "y", (2,), values=(4.0, 7.0), version=1),
        saved("s5", "other", (), dtype="int64", number=True, values=2),
        fn("f6", "DivBackward0", 4, "number.py"),
        computed("t7", "z", (2,), is_root=True, values=(2.0, 3.5)),
    ]
    edges = chain("t0>f2", "s1>f2~", "f2>f3", "f3>t4!", "t4>f6", "s5>f6~", "f6>t7!")
    return Capture([Graph(nodes, edges, "z at the end")], script="number.py")


def large_grads() -> Capture:
    """W = torch.ones(100, 100, requires_grad=True); loss = W.sum(); loss.backward()

    Too large for values (10,000 elements): W's .grad reads as its shape and 2-norm, and so
    does the gradient on its edge: ones(100, 100) has norm sqrt(10,000) = 100.
    """
    nodes = [leaf("t0", "W", (100, 100), has_grad=True, grad_norm=100.0, grad_step=1),
             fn("f1", "SumBackward0", 1, "big.py", order=1),
             computed("t2", "loss", (), is_root=True, values=10000.0)]
    edges = with_grads(chain("t0>f1", "f1>t2!"), {"t0>f1": Grad((100, 100), 100.0),
                                                  "f1>t2": grad(1.0, ())})
    return Capture([Graph(nodes, edges, "loss.backward() at big.py:1", steps=1)],
                   script="big.py")


def long_error() -> Capture:
    """A script that failed 20 frames deep with a message longer than a line: the banner keeps
    the message whole (wrapped), leaving traceback frames out from the middle."""
    frames = "".join(f'  File "deep.py", line {i}, in level{i}\n    level{i + 1}()\n'
                     for i in range(1, 21))
    error = f"Traceback (most recent call last):\n{frames}RuntimeError: {SECOND_TIME}"
    nodes = [leaf("t0", "w", (3,)), fn("f1", "SumBackward0", 2, "deep.py"),
             computed("t2", "y", (), is_root=True)]
    return Capture([Graph(nodes, chain("t0>f1", "f1>t2!"), "y at the error")],
                   script="deep.py", error=error)


def chain_capture(n: int) -> Capture:
    """A chain of ``n`` nodes: a leaf, n-2 MulBackward0, a root."""
    nodes = [Node("t0", TENSOR, "x", shape=(8,), is_leaf=True, requires_grad=True)]
    nodes += [Node(f"f{i}", FUNCTION, "MulBackward0", location=f"loop.py:{i}")
              for i in range(1, n - 1)]
    nodes.append(Node(f"t{n - 1}", TENSOR, "y", shape=(8,), is_root=True, is_leaf=False))
    edges = [Edge(a.id, b.id) for a, b in zip(nodes, nodes[1:])]
    edges[-1] = Edge(edges[-1].source, edges[-1].target, OUTPUT)
    return Capture([Graph(nodes, edges, "y at the end")])


CASES = {f.__name__: f for f in (leaf_and_nonleaf, freed_saved, no_grad, custom_function,
                                 multiple_roots, collapsed, shared_leaf, count_x500,
                                 error_note, escaping, docs_example, empty, mlp,
                                 values_and_grads, accumulation, weight_used_twice,
                                 failed_double_backward, wrapped_number, large_grads,
                                 long_error)}


@pytest.fixture(params=sorted(CASES))
def golden_case(request) -> tuple[str, Capture]:
    """(name, capture) for every hand-built case."""
    return request.param, CASES[request.param]()


@pytest.fixture
def cases() -> dict:
    """Every case's builder by name (each call builds a fresh model)."""
    return dict(CASES)


@pytest.fixture
def mlp_capture() -> Capture:
    return mlp()


@pytest.fixture(name="chain_capture")
def chain_capture_fixture():
    """The builder of a chain of n nodes (a big graph made quickly)."""
    return chain_capture
