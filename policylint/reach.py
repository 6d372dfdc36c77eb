"""Reachability to customer data and to keys, for every node at once.

- Which targets each node reaches: the condensation (strongly connected components) of the graph, found once, then
  one pass over it in reverse topological order per kind of target, carrying the reached targets as integer
  bitsets: O((V + E) · T / 64). Customer-data resources are bits 0..R-1 of `bits`, keys bits 0..K-1 of `key_bits`:
  apart, a set of each is as wide as its own highest bit (together, a node reaching any key carried R bits more).
- One shortest evidence path to customer data per node: one multi-source BFS on the reversed graph.
- Per-resource shortest paths (for the `reach` report): one reverse BFS per customer-data resource, O(R · (V + E)).
No search is ever started per node or per pair of nodes.
"""

from __future__ import annotations

import fnmatch
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from policylint.graph import Graph
from policylint.model import ACCESS_CONTROL, Inventory, Resource


@dataclass(frozen=True, slots=True)
class Reach:
    resources: tuple[Resource, ...]  # customer-data resources; bit i stands for resources[i]
    keys: tuple[str, ...]  # key ids; bit R + j stands for keys[j]
    bits: dict[str, int]  # node id -> reached customer-data resources (a node reaches itself); none: absent
    next_hop: dict[str, str | None]  # node id -> next node on one shortest path to customer data (None: is one)
    resource_mask: int  # the bits that stand for customer-data resources
    key_bits: dict[str, int] = field(default_factory=dict)  # node id -> reached keys (bit j: keys[j]); none: absent
    # the ids of each distinct set of customer-data resources, decoded once (`resource_ids`)
    _ids: dict[int, frozenset[str]] = field(default_factory=dict, init=False, compare=False, repr=False)

    def resource_ids(self, bits: int) -> frozenset[str]:
        """The ids of the customer-data resources in `bits`; each distinct set decoded once (nodes of one
        component, and many others, reach the same set)."""
        bits &= self.resource_mask
        found = self._ids.get(bits)
        if found is None:
            found = self._ids[bits] = frozenset(r.id for r in self.resources_in(bits))
        return found

    def resource_bits(self, node_id: str) -> int:
        return self.bits.get(node_id, 0)

    def resources_in(self, bits: int) -> list[Resource]:
        return [self.resources[i] for i in iter_bits(bits & self.resource_mask)]

    def reached_resources(self, node_id: str) -> list[Resource]:
        return self.resources_in(self.bits.get(node_id, 0))

    def reached_keys(self, node_id: str) -> list[str]:
        return [self.keys[i] for i in iter_bits(self.key_bits.get(node_id, 0))]

    def path(self, node_id: str) -> list[str]:
        """One shortest path from the node to customer data, both ends included; [] when there is none."""
        return follow(self.next_hop, node_id) if node_id in self.next_hop else []


def iter_bits(bits: int) -> Iterator[int]:
    """The positions of the set bits, lowest first: read off the binary text once (clearing the lowest bit of a
    wide integer, bit after bit, copies it each time: quadratic in a set of thousands of resources)."""
    text = bin(bits)[:1:-1]  # lowest bit first, without "0b" (a reach's bits are never negative)
    at = text.find("1")
    while at >= 0:
        yield at
        at = text.find("1", at + 1)


def is_customer_data(resource: Resource, patterns: tuple[str, ...]) -> bool:
    return bool(_customer_classes(tuple(resource.data), tuple(patterns)))


def _matches(data_class: str, pattern: str) -> bool:
    """Case does not make a class something else: `Customer_PII` is customer data as much as `customer_pii`. A class
    a template or configuration leaves open (`*`) may be any: customer data too (fail closed)."""
    return data_class == "*" or fnmatch.fnmatchcase(data_class.casefold(), pattern.casefold())


def customer_classes(resource: Resource, patterns: tuple[str, ...]) -> list[str]:
    return list(_customer_classes(tuple(resource.data), tuple(patterns)))


@lru_cache(maxsize=4096)
def _customer_classes(data: tuple[str, ...], patterns: tuple[str, ...]) -> tuple[str, ...]:
    """Matched once per distinct list of classes (thousands of stores share a few), not per store and reached set."""
    return tuple(sorted(c for c in data if any(_matches(c, p) for p in patterns)))


def compute_reach(graph: Graph, inventory: Inventory, patterns: tuple[str, ...]) -> Reach:
    resources = tuple(r for r in inventory.resources if is_customer_data(r, patterns))
    keys = tuple(k.id for k in inventory.keys)
    components = _components(graph) if resources or keys else _Components([], [])
    bits = _propagate(graph, components, {r.id: 1 << i for i, r in enumerate(resources)})
    key_bits = _propagate(graph, components, {key: 1 << j for j, key in enumerate(keys)})
    next_hop = _bfs_reverse(graph, [r.id for r in resources])
    return Reach(resources, keys, bits, next_hop, (1 << len(resources)) - 1, key_bits)


@dataclass(frozen=True, slots=True)
class _Components:
    """The strongly connected components in the order Tarjan emits them (each after every component it reaches):
    members flat in `nodes`, component i ending before `ends[i]`."""

    nodes: list[str]
    ends: list[int]


def _propagate(graph: Graph, components: _Components, own: dict[str, int]) -> dict[str, int]:
    """OR each node's own bits into everything that reaches it. A component comes after every component it
    reaches, so its bits are final at once: the OR of its members' own bits and of the bits of the components its
    edges leave to. Only nodes reaching something have an entry."""
    if not own:
        return {}
    succ, nodes = graph.succ, components.nodes
    bits: dict[str, int] = {}
    distinct: dict[int, int] = {}  # each distinct set once: 300,000 credentials reach a few thousand sets
    start = 0
    for end in components.ends:
        value = 0
        for at in range(start, end):
            member = nodes[at]
            value |= own.get(member, 0)
            for child in succ[member]:
                value |= bits.get(child, 0)  # members of this component have no entry yet: they add nothing
        if value:
            value = distinct.setdefault(value, value)  # one int object per distinct set, shared by every node
            for at in range(start, end):
                bits[nodes[at]] = value
        start = end
    return bits


def _components(graph: Graph) -> _Components:
    """Tarjan's strongly connected components, iterative."""
    succ = graph.succ
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = _Components([], [])
    for root in succ:
        if root in order:
            continue
        order[root] = low[root] = len(order)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(succ[root]))]
        while work:
            node, children = work[-1]
            for child in children:
                if child not in order:
                    order[child] = low[child] = len(order)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(succ[child])))
                    break
                if child in on_stack and order[child] < low[node]:
                    low[node] = order[child]
            else:
                work.pop()
                if work and low[node] < low[work[-1][0]]:
                    low[work[-1][0]] = low[node]
                if low[node] == order[node]:
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        found.nodes.append(member)
                        if member == node:
                            break
                    found.ends.append(len(found.nodes))
    return found


def _bfs(adjacency: Any, sources: list[str]) -> dict[str, str | None]:
    """Multi-source BFS over `adjacency`: for each node found, the node it was found from (None: a source)."""
    found_from: dict[str, str | None] = dict.fromkeys(sources)
    queue = deque(sources)
    while queue:
        node = queue.popleft()
        for neighbour in adjacency[node]:
            if neighbour not in found_from:
                found_from[neighbour] = node
                queue.append(neighbour)
    return found_from


def _bfs_reverse(graph: Graph, sources: list[str]) -> dict[str, str | None]:
    """Against edge direction: for each node that reaches a source, its next hop toward the nearest one."""
    return _bfs(graph.pred, sources)


def nearest_from(graph: Graph, sources: list[str], ends: frozenset[str] = frozenset()
                 ) -> dict[str, str | None]:
    """Along edges: for each node reached from a source, its previous hop from the nearest one. A node of a kind in
    `ends` is reached but not gone through (`facts.held_path`: who holds a secret, not who can use another)."""
    if not ends:
        return _bfs(graph.succ, sources)
    kinds = graph.kinds
    empty: dict[str, dict[str, Any]] = {}
    stopping = {node: (empty if kinds.get(node) in ends else targets) for node, targets in graph.succ.items()}
    return _bfs(stopping, sources)


def paths_to(graph: Graph, target: str) -> dict[str, str | None]:
    """Next hops of the shortest paths from every node that reaches `target` (one reverse BFS)."""
    return _bfs_reverse(graph, [target])


def follow(next_hop: dict[str, str | None], node_id: str) -> list[str]:
    path = [node_id]
    step = next_hop[node_id]
    while step is not None:
        path.append(step)
        step = next_hop[step]
    return path


UNCLASSIFIED_CLASS = "unclassified"  # `--unclassified customer`: the class given to data of unknown classification


def unclassified_as_customer(inventory: Inventory) -> Inventory:
    """Every data store whose classification is unknown, classified `unclassified` (which then counts as customer
    data): the fail-closed reading of real exports, where nobody has classified anything yet."""
    resources = tuple(replace(r, data=(UNCLASSIFIED_CLASS,)) if not r.data and r.type != ACCESS_CONTROL else r
                      for r in inventory.resources)
    return replace(inventory, resources=resources)
