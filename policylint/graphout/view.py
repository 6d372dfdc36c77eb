"""The access graph as graph tools get it: nodes with typed attributes, edges with their relation, every text shown.

Built once from the analysis (graph, index, reach) and read by every format. Ids and every other text from the
inputs are redacted and their control characters escaped (`printable(redact(…))`); an id that changes so, and so
meets another, gets ` (2)`, ` (3)`, … so that ids stay unique. Nodes and edges are sorted by id: the same inventory
gives the same bytes.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from policylint.errors import UsageError
from policylint.graph import Graph, Index, hub_set
from policylint.model import Credential, Group, Key, Node, Person, Principal, Resource, Role
from policylint.pipeline import Analysis
from policylint.redact import printable, redact
from policylint.suggest import did_you_mean

Value = str | int | bool | tuple[str, ...]

SET = "set"  # the kind of a hub: a node that stands for many (anyone, every resource, the ids a glob matches)
# Node attributes, in the order every format writes them, with their type: string, boolean, long, or strings (a list)
NODE_FIELDS: tuple[tuple[str, str], ...] = (
    ("kind", "string"), ("label", "string"), ("status", "string"), ("departed", "boolean"),
    ("departed_on", "string"), ("type", "string"), ("purpose", "string"), ("data", "strings"),
    ("records", "long"), ("customer_data", "boolean"), ("scope", "string"), ("flags", "strings"),
    ("location", "string"),
)
EDGE_FIELDS: tuple[tuple[str, str], ...] = (("relation", "string"), ("access", "strings"), ("condition", "string"))


@dataclass(frozen=True, slots=True)
class GraphNode:
    id: str
    attributes: Mapping[str, Value]  # the NODE_FIELDS it has, in their order; `kind` and `label` always

    @property
    def kind(self) -> str:
        return str(self.attributes["kind"])

    @property
    def label(self) -> str:
        return str(self.attributes["label"])


@dataclass(frozen=True, slots=True)
class GraphEdge:
    source: str
    target: str
    relation: str  # the graph's edge kind: is, member, assumes, holds, authenticates, grants, controls, …
    access: tuple[str, ...] = ()  # a grant's actions
    condition: str | None = None  # the edge holds only under this condition (it still counts: fail closed)

    @property
    def attributes(self) -> dict[str, Value]:
        found: dict[str, Value] = {"relation": self.relation}
        if self.access:
            found["access"] = self.access
        if self.condition is not None:
            found["condition"] = self.condition
        return found


@dataclass(frozen=True, slots=True)
class View:
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]


def shown(text: str) -> str:
    return printable(redact(text))


def export_view(analysis: Analysis, sources: Sequence[str] = (), targets: Sequence[str] = ()) -> View:
    """The graph, or only what lies on paths from `sources` (`--from`) and to `targets` (`--to`)."""
    graph, index = analysis.graph, analysis.index
    kept = selected(graph, index, sources, targets)
    ordered = [node for node in graph.succ if node in kept]  # the graph's own order: the renaming is deterministic
    names = unique_names((node, shown(node)) for node in ordered)
    customer = {r.id for r in analysis.reach.resources}
    nodes = [GraphNode(names[n], node_attributes(n, graph, index, customer)) for n in ordered]
    edges = [_edge(names[u], names[v], graph.succ[u][v]) for u in ordered for v in graph.succ[u] if v in kept]
    return View(tuple(sorted(nodes, key=lambda n: n.id)),
                tuple(sorted(edges, key=lambda e: (e.source, e.target))))


def selected(graph: Graph, index: Index, sources: Sequence[str], targets: Sequence[str]) -> set[str]:
    """The nodes reachable from a source and reaching a target (either side left out: no bound on that side).
    Two searches, linear: a node kept lies on a path from a source to a target, and so does every edge between two
    kept nodes."""
    for option, names in (("--from", sources), ("--to", targets)):
        for name in names:
            if name not in graph:
                raise UsageError(f"expected {option} to name a node of the inventory, found {name!r}, which no node "
                                 f"has (ids are case-sensitive){did_you_mean(name, index.nodes)}")
    kept = set(graph.succ)
    if sources:
        kept &= _reached(graph.succ, sources)
    if targets:
        kept &= _reached(graph.pred, targets)
    return kept


def _reached(adjacency: Mapping[str, Mapping[str, object]], starts: Iterable[str]) -> set[str]:
    found = set(starts)
    queue = deque(found)
    while queue:
        for neighbour in adjacency[queue.popleft()]:
            if neighbour not in found:
                found.add(neighbour)
                queue.append(neighbour)
    return found


def unique_names(candidates: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Each original (unique) name's shown name, made unique: a name shown as it is keeps it; one that changed
    and meets a name already given gets ` (2)`, ` (3)`, …, in the order given."""
    pairs = list(candidates)
    names = {original: name for original, name in pairs if original == name}
    taken = set(names.values())
    counts: dict[str, int] = {}  # the last number given to each shown name: N names that redact alike cost O(N)
    for original, name in pairs:
        if original in names:
            continue
        given, count = name, counts.get(name, 1)
        while given in taken:
            count += 1
            given = f"{name} ({count})"
        counts[name] = count
        names[original] = given
        taken.add(given)
    return names


def node_attributes(node_id: str, graph: Graph, index: Index, customer: set[str]) -> dict[str, Value]:
    node = index.nodes.get(node_id)
    if node is None:  # a hub: a set of nodes, kept as one node (expanding it would be holders × targets edges)
        return {"kind": SET, "label": shown(set_label(node_id, graph))}
    label = hub_set(node_id) if node_id.startswith("*") else node_id  # an implied group `*anyone-if:<condition>`
    found: dict[str, Value] = {"kind": node.kind, "label": shown(label), **_own(node, customer)}
    if getattr(node, "flags", ()):
        found["flags"] = tuple(shown(f) for f in getattr(node, "flags", ()))
    found["location"] = shown(str(node.location))
    return {name: found[name] for name, _ in NODE_FIELDS if name in found}


def set_label(hub: str, graph: Graph) -> str:
    """What a hub stands for: "anyone", "every resource", "admin of <id>", "ids matching <glob> except <e>", …"""
    if graph.kinds.get(hub) == "admin":
        return f"admin of {hub.removesuffix('#admin')}"
    return hub_set(hub, graph)


def _own(node: Node, customer: set[str]) -> dict[str, Value]:
    """The fields a graph user asks of each kind."""
    if isinstance(node, Person):
        person: dict[str, Value] = {"status": node.status, "departed": node.status == "departed"}
        return person | ({"departed_on": node.departed.isoformat()} if node.departed else {})
    if isinstance(node, Principal):
        return {"type": node.type}
    if isinstance(node, Credential):
        return {"type": shown(node.type), "status": node.status}
    if isinstance(node, Key):
        return {"purpose": node.purpose, **_scope(node.scope)}
    if isinstance(node, Resource):
        resource: dict[str, Value] = {"type": shown(node.type), "customer_data": node.id in customer,
                                      **_scope(node.scope)}
        if node.data:
            resource["data"] = tuple(shown(c) for c in node.data)
        return resource | ({"records": node.records} if node.records is not None else {})
    assert isinstance(node, Group | Role)
    return {}


def _scope(scope: str | None) -> dict[str, Value]:
    return {"scope": shown(scope)} if scope is not None else {}


def _edge(source: str, target: str, attributes: Mapping[str, Any]) -> GraphEdge:
    condition = attributes.get("condition")
    return GraphEdge(source, target, str(attributes["kind"]), tuple(attributes.get("actions", ())),
                     shown(condition) if condition is not None else None)
