"""Who can reach customer data: every identity with a path, what it reaches, and one shortest path per resource."""

from __future__ import annotations

from dataclasses import dataclass

from policylint.graph import display_path
from policylint.model import Person, Principal
from policylint.pipeline import Analysis
from policylint.reach import customer_classes, follow, paths_to


@dataclass(frozen=True, slots=True)
class ExposedResource:
    id: str
    classes: tuple[str, ...]
    records: int
    path: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Exposure:
    id: str
    kind: str
    status: str | None  # people only
    records: int
    resources: tuple[ExposedResource, ...]


def exposures(analysis: Analysis) -> list[Exposure]:
    """People first, then principals; within each, most records first. One reverse BFS per customer resource."""
    reach = analysis.reach
    patterns = analysis.context.patterns
    found: dict[str, list[ExposedResource]] = {}
    identities: list[Person | Principal] = [*analysis.inventory.people, *analysis.inventory.principals]
    wanted = {node.id for node in identities if node.id in reach.next_hop}
    for resource in reach.resources:
        next_hop = paths_to(analysis.graph, resource.id)
        classes = tuple(customer_classes(resource, patterns))
        for node_id in wanted.intersection(next_hop):
            path = tuple(display_path(follow(next_hop, node_id), analysis.graph))
            found.setdefault(node_id, []).append(ExposedResource(resource.id, classes, resource.records or 0, path))
    result = []
    for node in identities:
        if node.id in found:
            listed = tuple(sorted(found[node.id], key=lambda r: (-r.records, r.id)))
            status = node.status if isinstance(node, Person) else None
            result.append(Exposure(node.id, node.kind, status, sum(r.records for r in listed), listed))
    order = {"person": 0, "principal": 1}
    return sorted(result, key=lambda e: (order[e.kind], -e.records, e.id))
