"""Who can reach customer data: every identity with a path, what it reaches, and one shortest path per resource."""

from __future__ import annotations

from dataclasses import dataclass

from policylint.graph import display_path
from policylint.model import Person, Principal, Resource
from policylint.pipeline import Analysis
from policylint.reach import customer_classes, follow, paths_to

DEFAULT_SHOWN = 10  # resources shown, with their paths, per identity


@dataclass(frozen=True, slots=True)
class ExposedResource:
    id: str
    classes: tuple[str, ...]
    records: int | None  # None: unknown (never shown as 0: that would undercount the exposure)
    path: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Exposure:
    id: str
    kind: str
    status: str | None  # people only
    records: int  # of every customer-data resource it reaches whose count is known
    resources: tuple[ExposedResource, ...]  # the largest ones, each with a shortest path
    reached: int  # how many customer-data resources it reaches in all
    unknown: int = 0  # how many of those have no known record count (so `records` is a lower bound)


def exposures(analysis: Analysis, shown: int | None = DEFAULT_SHOWN) -> list[Exposure]:
    """People first, then principals; within each, most records first.

    Which resources each identity reaches, and their records, come from the reach bitsets (all of them, always);
    a shortest path is traced to the `shown` largest (all when None), one reverse BFS per resource that is among
    someone's shown ones, so an auditor's report of a large account stays readable and fast.
    """
    reach = analysis.reach
    patterns = analysis.context.patterns
    identities: list[Person | Principal] = [*analysis.inventory.people, *analysis.inventory.principals]
    chosen: dict[str, list[Resource]] = {}
    totals: dict[str, tuple[int, int, int]] = {}
    for node in identities:
        if node.id not in reach.next_hop:
            continue
        reached = sorted(reach.reached_resources(node.id), key=lambda r: (-(r.records or 0), r.id))
        totals[node.id] = (len(reached), sum(r.records or 0 for r in reached),
                           sum(1 for r in reached if r.records is None))
        chosen[node.id] = reached if shown is None else reached[:shown]
    wanted: dict[str, list[str]] = {}
    for node_id, resources in chosen.items():
        for resource in resources:
            wanted.setdefault(resource.id, []).append(node_id)
    paths: dict[tuple[str, str], tuple[str, ...]] = {}
    for resource_id, node_ids in wanted.items():
        next_hop = paths_to(analysis.graph, resource_id)
        for node_id in node_ids:
            paths[node_id, resource_id] = tuple(display_path(follow(next_hop, node_id), analysis.graph))
    result = []
    for node in identities:
        if node.id not in chosen:
            continue
        listed = tuple(ExposedResource(r.id, tuple(customer_classes(r, patterns)), r.records,
                                       paths[node.id, r.id]) for r in chosen[node.id])
        count, records, unknown = totals[node.id]
        status = node.status if isinstance(node, Person) else None
        result.append(Exposure(node.id, node.kind, status, records, listed, count, unknown))
    order = {"person": 0, "principal": 1}
    return sorted(result, key=lambda e: (order[e.kind], -e.records, e.id))
