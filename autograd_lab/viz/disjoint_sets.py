"""Disjoint sets (union-find) over the numbers ``0..n-1``: which nodes are connected.

Used to group tensors whose graphs share a node and to number the connected pieces of a
graph's collapsed middle. Each set is named by its smallest member, so the grouping never
depends on the order of the unions.
"""

from __future__ import annotations


class DisjointSets:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        """The smallest member of ``i``'s set (with path halving: loops, no recursion)."""
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        """Merge the sets of ``i`` and ``j``."""
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)
