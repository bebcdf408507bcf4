"""Hand-built graph models for the renderer tests, one per thing the picture must show.

Each case is what capture would produce for the script in its docstring; the renderers are
tested against these plain models, so they do not depend on capture (written separately).
"""

from __future__ import annotations

import pytest

from autograd_lab.viz.model import (
    COLLAPSED, FUNCTION, INPUT, OUTPUT, SAVED, SAVED_BY, TENSOR, Capture, Edge, Graph, Node,
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


CASES = {f.__name__: f for f in (leaf_and_nonleaf, freed_saved, no_grad, custom_function,
                                 multiple_roots, collapsed, shared_leaf, count_x500,
                                 error_note, escaping, docs_example, empty, mlp)}


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
