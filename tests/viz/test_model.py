"""The plain model's fast paths give what the ordinary constructors give."""

from __future__ import annotations

import dataclasses
import json

from autograd_lab.viz.model import (
    FUNCTION, SAVED, SAVED_BY, TENSOR, Edge, Graph, Node, make_node, node_dict,
)


def test_make_node_equals_the_constructor():
    values = {"id": "s3", "kind": SAVED, "label": "self", "shape": (2, 3), "freed": True}
    fast, slow = make_node(dict(values)), Node(**values)
    assert fast == slow and hash(fast) == hash(slow)
    assert fast.note == "" and fast.grad_enabled is True and fast.use is None  # defaults
    assert dataclasses.replace(fast, freed=False) == Node(**{**values, "freed": False})


def test_node_dict_has_every_field_in_json_form():
    node = make_node({"id": "t0", "kind": TENSOR, "label": "w", "shape": (4, 4),
                      "use": (2, 10), "is_leaf": True})
    data = node_dict(node)
    assert list(data) == [f.name for f in dataclasses.fields(Node)]
    expected = dataclasses.asdict(Node("t0", TENSOR, "w", shape=(4, 4), use=(2, 10),
                                       is_leaf=True))
    assert data == {**expected, "shape": [4, 4], "use": [2, 10]}


def test_graph_to_dict_round_trips_through_json():
    graph = Graph([Node("s0", SAVED, "self", shape=()), Node("f1", FUNCTION, "MulBackward0")],
                  [Edge("s0", "f1", SAVED_BY)], "y at the end")
    data = json.loads(json.dumps(graph.to_dict()))
    assert data["edges"] == [{"source": "s0", "target": "f1", "kind": "saved", "grad": None}]
    assert data["nodes"][0]["shape"] == [] and data["nodes"][1]["label"] == "MulBackward0"
    assert (data["title"], data["count"], data["hidden"]) == ("y at the end", 1, 0)
