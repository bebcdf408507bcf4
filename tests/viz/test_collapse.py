"""Big graphs: collapsing the middle, splitting shared leaves, structure keys; all iterative.

The 20,000-step recurrence is captured for real (no RecursionError, no crash when its
visited graph is freed); the other tests build plain models directly, which is fast and
lets them go far deeper than Python's recursion limit.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest
import torch

from autograd_lab.viz import model
from autograd_lab.viz.capture import capture_graph
from autograd_lab.viz.collapse import DEFAULT_MAX_NODES, collapse, split_shared_leaves
from autograd_lab.viz.model import Edge, Graph, Node
from autograd_lab.viz.script import run_script
from autograd_lab.viz.signature import structure_key

SCRIPTS = Path(__file__).resolve().parent / "scripts"


def chain(length: int) -> Graph:
    """leaf x -> MulBackward0 x length (each saving a tensor) -> root y, as a plain model."""
    nodes = [Node("t0", model.TENSOR, "x", shape=(2,), is_leaf=True, requires_grad=True)]
    edges, previous = [], "t0"
    for i in range(length):
        fid, sid = f"f{len(nodes)}", f"s{len(nodes) + 1}"
        nodes += [Node(fid, model.FUNCTION, "MulBackward0" if i % 3 else "AddBackward0"),
                  Node(sid, model.SAVED, "self", shape=(2,))]
        edges += [Edge(previous, fid), Edge(sid, fid, model.SAVED_BY)]
        previous = fid
    root = f"t{len(nodes)}"
    nodes.append(Node(root, model.TENSOR, "y", shape=(2,), is_root=True, requires_grad=True))
    edges.append(Edge(previous, root, model.OUTPUT))
    return Graph(nodes, edges, "y at the end")


def check_edges(graph: Graph) -> None:
    ids = [n.id for n in graph.nodes]
    assert len(ids) == len(set(ids)), "duplicate node ids"
    known = set(ids)
    assert all(e.source in known and e.target in known for e in graph.edges)


def test_20000_step_recurrence_is_captured_and_collapsed():
    assert sys.getrecursionlimit() < 20_000  # so a recursive walk would fail here
    capture = run_script(SCRIPTS / "recurrence.py", ["20000"], max_nodes=DEFAULT_MAX_NODES)
    assert capture.error == ""
    (graph,) = capture.graphs
    assert len(graph.nodes) <= DEFAULT_MAX_NODES and graph.hidden > 100_000
    check_edges(graph)
    (middle,) = [n for n in graph.nodes if n.kind == model.COLLAPSED]
    assert middle.hidden == graph.hidden
    for op in ("MmBackward0", "AddBackward0", "TanhBackward0"):
        assert op in middle.label
    # the ends are kept: the loss at the top, the first step's weight use at the bottom
    assert any(n.label == "loss" and n.is_root for n in graph.nodes)
    uses = [n.use for n in graph.nodes if n.label == "w"]
    assert (1, 20000) in uses and (20000, 20000) in uses
    # the middle is wired in: something flows into it and out of it
    assert any(e.target == middle.id for e in graph.edges)
    assert any(e.source == middle.id for e in graph.edges)


def test_shared_weight_is_drawn_once_per_use():
    (graph,) = run_script(SCRIPTS / "recurrence.py", ["100"]).graphs
    copies = [n for n in graph.nodes if n.label == "w"]
    assert len(copies) == 100
    first = copies[0]
    # The walk from the root meets the last step's use first: uses count from the first step.
    assert first.use == (100, 100) and first.same_as is None
    assert [c.use for c in copies] == [(k, 100) for k in range(100, 0, -1)]
    assert all(c.same_as == first.id for c in copies[1:])
    out = Counter(e.source for e in graph.edges)
    assert all(out[c.id] == 1 for c in copies)  # each copy feeds exactly one MmBackward0
    assert {graph.node(e.target).label for e in graph.edges if e.source in
            {c.id for c in copies}} == {"MmBackward0"}
    check_edges(graph)


def test_split_leaves_only_with_enough_uses():
    w = torch.ones(2, requires_grad=True)
    y = w
    for _ in range(5):
        y = y * w
    graph = capture_graph([y], names={id(w): "w"})
    assert split_shared_leaves(graph, min_uses=7) is graph  # 6 uses
    split = split_shared_leaves(graph, min_uses=6)
    assert [n.use for n in split.nodes if n.label == "w"] == [(k, 6) for k in range(6, 0, -1)]
    with pytest.raises(ValueError, match="min_uses=1"):
        split_shared_leaves(graph, min_uses=1)


def test_collapse_keeps_both_ends_and_reroutes_through_the_middle():
    graph = chain(200)  # 402 nodes
    small = collapse(graph, 50)
    assert len(small.nodes) <= 50 and small.hidden == 402 - (len(small.nodes) - 1)
    check_edges(small)
    ids = {n.id for n in small.nodes}
    assert {"t0", "f1", "s2", graph.nodes[-1].id, graph.nodes[-2].id} <= ids  # both ends
    (middle,) = [n for n in small.nodes if n.kind == model.COLLAPSED]
    hidden_ops = Counter(n.label for n in graph.nodes if n.id not in ids
                         and n.kind == model.FUNCTION)
    assert middle.label == (f"{hidden_ops['MulBackward0']} × MulBackward0, "
                            f"{hidden_ops['AddBackward0']} × AddBackward0")
    assert middle.note == (f"{sum(hidden_ops.values())} functions, "
                           f"{sum(hidden_ops.values())} saved tensors")  # kept together
    into = [e for e in small.edges if e.target == middle.id]
    out = [e for e in small.edges if e.source == middle.id]
    assert [graph.node(e.source).label for e in into] == ["MulBackward0"]  # deduplicated
    assert len(out) == 1 and small.node(out[0].target).kind == model.FUNCTION
    # the chain still reads from the leaf to the root through the collapsed node
    nxt = {e.source: e.target for e in small.edges if e.kind != model.SAVED_BY}
    node, seen = "t0", 0
    while node in nxt and seen < 100:
        node, seen = nxt[node], seen + 1
    assert node == graph.nodes[-1].id


def test_collapse_leaves_small_graphs_alone_and_checks_its_argument():
    graph = chain(10)
    assert collapse(graph, None) is graph and collapse(graph, len(graph.nodes)) is graph
    with pytest.raises(ValueError, match="max_nodes=2"):
        collapse(graph, 2)
    with pytest.raises(TypeError, match="max_nodes='many'"):
        collapse(graph, "many")


def test_collapse_is_iterative_on_long_chains():
    graph = chain(60_000)  # 120,002 nodes, far past the recursion limit
    small = collapse(graph, 300)
    assert len(small.nodes) <= 300 and small.hidden > 119_000
    check_edges(small)
    assert structure_key(graph) != structure_key(small)


def test_collapse_again_counts_what_was_hidden_before():
    once = collapse(chain(300), 200)
    twice = collapse(once, 60)
    assert len(twice.nodes) <= 60
    assert twice.hidden == 602 - (len(twice.nodes) - sum(
        1 for n in twice.nodes if n.kind == model.COLLAPSED))
    (middle,) = [n for n in twice.nodes if n.kind == model.COLLAPSED]
    assert middle.hidden == twice.hidden and "collapsed before" in middle.note


def test_separate_hidden_pieces_get_one_collapsed_node_each_while_they_fit():
    # a root fed by 40 separate 10-step chains: the hidden middles are 40 pieces
    nodes = [Node("t0", model.TENSOR, "y", is_root=True),
             Node("f1", model.FUNCTION, "StackBackward0")]
    edges = [Edge("f1", "t0", model.OUTPUT)]
    for c in range(40):
        previous = "f1"
        for _ in range(10):
            nid = f"f{len(nodes)}"
            nodes.append(Node(nid, model.FUNCTION, "MulBackward0"))
            edges.append(Edge(nid, previous))
            previous = nid
        leaf = f"t{len(nodes)}"
        nodes.append(Node(leaf, model.TENSOR, f"x{c}", is_leaf=True))
        edges.append(Edge(leaf, previous))
    graph = Graph(nodes, edges)
    pieces = collapse(graph, 100)
    collapsed = [n for n in pieces.nodes if n.kind == model.COLLAPSED]
    assert len(pieces.nodes) == 100 and len(collapsed) == 40
    assert sum(n.hidden for n in collapsed) == pieces.hidden == 442 - 60
    check_edges(pieces)
    one = collapse(graph, 30)  # 40 pieces cannot fit: one collapsed node for all of them
    (single,) = [n for n in one.nodes if n.kind == model.COLLAPSED]
    assert len(one.nodes) <= 30 and single.hidden == one.hidden == 442 - (len(one.nodes) - 1)
    check_edges(one)


def test_structure_key_ignores_values_and_versions_not_structure():
    def loss(scale: float, shape=(3,)):
        w = torch.full(shape, scale, requires_grad=True)
        w.data.mul_(1.0)  # bumps the version counter
        return capture_graph([(w * w).sum()], names={id(w): "w"})

    assert structure_key(loss(1.0)) == structure_key(loss(2.0))
    assert structure_key(loss(1.0)) != structure_key(loss(1.0, shape=(4,)))
    renamed = loss(1.0)
    renamed.nodes[-1] = Node(renamed.nodes[-1].id, model.TENSOR, "v", shape=(3,))
    assert structure_key(renamed) != structure_key(loss(1.0))
    freed_known = Graph([Node("s0", model.SAVED, "self", shape=(3,), freed=True)])
    freed_unknown = Graph([Node("s0", model.SAVED, "self", freed=True)])
    assert structure_key(freed_known) == structure_key(freed_unknown)


def test_a_plan_made_before_gives_the_same_collapse():
    from autograd_lab.viz.collapse import plan_collapse

    graph = chain(200)
    plan = plan_collapse(graph, 50)
    assert plan is not None and len(plan.kept()) < 50
    assert collapse(graph, 50, plan) == collapse(graph, 50)
    assert plan_collapse(graph, None) is None and plan_collapse(chain(3), 50) is None
    other = chain(300)  # a plan for another graph is not used
    assert collapse(other, 50, plan) == collapse(other, 50)
