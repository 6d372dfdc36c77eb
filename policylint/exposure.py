"""Who can reach customer data: every identity with a path, what it reaches, and one shortest path per resource.

`Filters` are the auditor's questions (`reach --to`, `--from`, `--status`, `--platform`): each narrows the list
and they combine (AND). They are answered from the reach bitsets, and paths are traced only to what is listed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import get_args

from policylint.errors import UsageError
from policylint.graph import Step, path_steps
from policylint.model import ACCESS_CONTROL, Node, Person, PersonStatus, Principal, Resource, platform_of
from policylint.pipeline import Analysis
from policylint.reach import customer_classes, follow, nearest_from, paths_to
from policylint.redact import printable, redact
from policylint.suggest import did_you_mean

DEFAULT_SHOWN = 10  # resources shown, with their paths, per identity
STATUSES: tuple[str, ...] = get_args(PersonStatus)


def largest_first(resource: Resource) -> tuple[bool, int, str]:
    """Most records first; a store of unknown size may be the largest of all, so it comes before every known one
    (fail closed: a listing cut at `--show N` never leaves out the stores nobody has counted)."""
    return (resource.records is not None, -(resource.records or 0), resource.id)


@dataclass(frozen=True, slots=True)
class ExposedResource:
    id: str
    classes: tuple[str, ...]
    records: int | None  # None: unknown (never shown as 0: that would undercount the exposure)
    path: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Exposure:
    id: str
    kind: str
    status: str | None  # a person's, also shown on their own accounts (`user` principals); None: no person
    records: int  # of every customer-data resource it reaches whose count is known
    resources: tuple[ExposedResource, ...]  # the largest ones, each with a shortest path
    reached: int  # how many customer-data resources it reaches in all
    unknown: int = 0  # how many of those have no known record count (so `records` is a lower bound)
    display_name: str | None = None  # the name the roster gives the person (or the account's person)


@dataclass(frozen=True, slots=True)
class Filters:
    """What `reach` is asked. Empty: the whole list. A person's own account (a `user` principal joined to them) has
    its person's status; other principals have none, so `statuses` leaves them out."""

    to: tuple[str, ...] = ()  # customer-data resources: who reaches any of them; only these are listed and counted
    identities: tuple[str, ...] = ()  # `--from`: only these people and principals
    statuses: tuple[str, ...] = ()  # only people, and their own accounts, of these statuses
    platforms: tuple[str, ...] = ()  # only identities of these platforms (`model.platform_of`)

    def described(self) -> str | None:
        """The narrowing, said beside the list so that it never reads as the whole answer."""
        given = [f"{option} {value}" for option, values in (("--to", self.to), ("--from", self.identities),
                                                            ("--status", self.statuses),
                                                            ("--platform", self.platforms))
                 for value in values]
        return f"narrowed by {', '.join(given)}: not every identity that reaches customer data is listed" if (
            given) else None


def exposures(analysis: Analysis, shown: int | None = DEFAULT_SHOWN, filters: Filters = Filters()) -> list[Exposure]:
    """People first, then principals; within each, most records first.

    Which resources each identity reaches, and their records, come from the reach bitsets (all of them, always);
    a shortest path is traced to the `shown` largest (all when None): with `--from` alone, one search from each
    named identity; otherwise one reverse search from each resource that is among someone's shown ones (with `--to`,
    only those named), so an auditor's report of a large account stays readable and fast.
    """
    check_filters(analysis, filters)
    reach = analysis.reach
    wanted_bits = _bits_of(analysis, filters.to)
    chosen: dict[str, list[Resource]] = {}
    totals: dict[str, tuple[int, int, int]] = {}
    identities = _identities(analysis, filters)
    # identities reach few distinct sets (a team's members, one set): each set is decoded and sorted once
    sets: dict[int, tuple[list[Resource], tuple[int, int, int]]] = {}
    for node in identities:
        bits = reach.resource_bits(node.id) & wanted_bits
        if not bits:
            continue
        known = sets.get(bits)
        if known is None:
            reached = sorted(reach.resources_in(bits), key=largest_first)
            known = sets[bits] = (reached if shown is None else reached[:shown], (
                len(reached), sum(r.records or 0 for r in reached), sum(1 for r in reached if r.records is None)))
        chosen[node.id], totals[node.id] = known
    traced = _paths_from if filters.identities and not filters.to else _paths_to
    paths = traced(analysis, chosen)
    result = [_exposure(node, _person(analysis, node), chosen[node.id], totals[node.id], paths,
                        analysis.context.patterns) for node in identities if node.id in chosen]
    order = {"person": 0, "principal": 1}
    return sorted(result, key=lambda e: (order[e.kind], -e.records, e.id))


def _exposure(node: Person | Principal, person: Person | None, resources: list[Resource],
              totals: tuple[int, int, int], paths: dict[tuple[str, str], tuple[Step, ...]],
              patterns: tuple[str, ...]) -> Exposure:
    listed = tuple(ExposedResource(r.id, tuple(customer_classes(r, patterns)), r.records, paths[node.id, r.id])
                   for r in resources)
    count, records, unknown = totals
    if person is None:
        return Exposure(node.id, node.kind, None, records, listed, count, unknown)
    return Exposure(node.id, node.kind, person.status, records, listed, count, unknown, person.display_name)


def _person(analysis: Analysis, node: Person | Principal) -> Person | None:
    """The person an identity is: itself, or the person whose own account it is."""
    return node if isinstance(node, Person) else analysis.index.person_of(node.id)


def _identities(analysis: Analysis, filters: Filters) -> list[Person | Principal]:
    found: list[Person | Principal] = [*analysis.inventory.people, *analysis.inventory.principals]
    if filters.statuses:
        found = [node for node in found if (person := _person(analysis, node)) and person.status in filters.statuses]
    if filters.identities:
        named = set(filters.identities)
        found = [node for node in found if node.id in named]
    if filters.platforms:
        found = [node for node in found if platform_of(node.id, node.kind) in filters.platforms]
    return found


def _bits_of(analysis: Analysis, resource_ids: tuple[str, ...]) -> int:
    """The reach bits of these customer-data resources; every resource's when none is named."""
    if not resource_ids:
        return analysis.reach.resource_mask
    wanted = set(resource_ids)
    return sum(1 << bit for bit, r in enumerate(analysis.reach.resources) if r.id in wanted)


def _paths_to(analysis: Analysis, chosen: dict[str, list[Resource]]) -> dict[tuple[str, str], tuple[Step, ...]]:
    """One reverse search from each resource listed for anyone, followed back to each identity it is listed for."""
    wanted: dict[str, list[str]] = {}
    for node_id, resources in chosen.items():
        for resource in resources:
            wanted.setdefault(resource.id, []).append(node_id)
    paths: dict[tuple[str, str], tuple[Step, ...]] = {}
    for resource_id, node_ids in wanted.items():
        next_hop = paths_to(analysis.graph, resource_id)
        for node_id in node_ids:
            paths[node_id, resource_id] = path_steps(follow(next_hop, node_id), analysis.graph)
    return paths


def _paths_from(analysis: Analysis, chosen: dict[str, list[Resource]]) -> dict[tuple[str, str], tuple[Step, ...]]:
    """One search from each identity (`--from`), followed back from each resource listed for it."""
    paths: dict[tuple[str, str], tuple[Step, ...]] = {}
    for node_id, resources in chosen.items():
        previous = nearest_from(analysis.graph, [node_id])
        for resource in resources:
            hops = follow(previous, resource.id)
            paths[node_id, resource.id] = path_steps(reversed(hops), analysis.graph)
    return paths


def check_filters(analysis: Analysis, filters: Filters) -> None:
    """A name that is no node, a `--to` that is not customer data, or a `--from` that is no identity is a usage
    error naming what it is, or the nearest ids: an empty list would read as "nobody"."""
    nodes = analysis.index.nodes
    customer = {r.id for r in analysis.reach.resources}
    for name in filters.to:
        node = nodes.get(name)
        if node is None:
            raise _usage(f"expected --to to name a resource of the inventory, found {name!r}, which names no "
                             "node (ids are case-sensitive)"
                             + did_you_mean(name, (r.id for r in analysis.inventory.resources)))
        if name not in customer:
            raise _usage(f"expected --to to name a customer-data resource, found {name!r}, "
                             f"{_what(node, analysis.context.patterns)}")
    for name in filters.identities:
        node = nodes.get(name)
        if node is None:
            raise _usage(f"expected --from to name a person or principal of the inventory, found {name!r}, "
                             "which names no node (ids are case-sensitive)" + did_you_mean(name, _identity_ids(
                                 analysis)))
        if not isinstance(node, Person | Principal):
            raise _usage(f"expected --from to name a person or principal, found {name!r}, a {node.kind} "
                             f"(`policylint facts {name}` shows what it reaches)")


def _usage(message: str) -> UsageError:
    """Ids are input text: a suggested one may look like a secret or hold a control character."""
    return UsageError(printable(redact(message)))


def _identity_ids(analysis: Analysis) -> Iterable[str]:
    return (node.id for nodes in (analysis.inventory.people, analysis.inventory.principals) for node in nodes)


def _what(node: Node, patterns: tuple[str, ...]) -> str:
    """What a node that is not customer data is, and where its question is answered instead."""
    if isinstance(node, Resource):
        if node.type == ACCESS_CONTROL:
            return ("an access-control resource: not customer data itself, but its admins reach the customer data "
                    "in its scope (--to one of those lists them)")
        if not node.data:
            return (f"a resource of type {node.type} with no data classes, so not customer data "
                    "(--unclassified customer counts it)")
        return (f"a resource of type {node.type} whose data classes ({', '.join(node.data)}) no customer-data "
                f"pattern ({', '.join(patterns)}) matches; --customer-data names the classes that are customer data")
    if isinstance(node, Person | Principal):
        return f"a {node.kind} (`policylint reach --from {node.id}` lists what it reaches)"
    if node.kind == "key":
        return f"a key (`policylint facts {node.id}` lists who reaches it)"
    return f"a {node.kind} (`policylint facts {node.id}` shows what it reaches)"
