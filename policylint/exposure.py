"""Who can reach customer data: every identity with a path, what it reaches, and one shortest path per resource.

`Filters` are the auditor's questions (`reach --to`, `--from`, `--status`, `--platform`): each narrows the list
and they combine (AND). They are answered from the reach bitsets, and paths are traced only to what is listed.

The list is a `Listing`: counted and ordered from the bitsets, each identity traced only when it is read, so `reach`
writes as it goes and holds the analysis, never its output. Where the list is longer than a person reads, the
default text is a `Summary` of it.
"""

from __future__ import annotations

import heapq
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import reduce
from typing import Protocol, get_args

from policylint.errors import UsageError
from policylint.graph import Graph, Step, path_steps
from policylint.model import ACCESS_CONTROL, Node, Person, PersonStatus, Principal, Resource, platform_of
from policylint.pipeline import Analysis
from policylint.reach import Reach, customer_classes, follow, iter_bits, nearest_from, paths_to
from policylint.redact import printable, redact
from policylint.suggest import did_you_mean

DEFAULT_SHOWN = 10  # resources shown, with their paths, per identity
SUMMARY_AFTER = 100  # more identities than this, and the default text output is a summary (README, `reach`)
SUMMARY_TOP = 50  # the identities a summary names: a page a person reads
LEFT = ("departed", "suspended")  # people who have left (the reach summary and the auditor's report)
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


class Listed(Protocol):
    """What the reach reporters read: the identities in their order, counted before any is traced (a list, or a
    `Listing` that traces each as it is read)."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Exposure]: ...


@dataclass(frozen=True, slots=True)
class Ranked:
    """An identity that reaches customer data, placed in the listing before any path is traced."""

    node: Person | Principal
    person: Person | None  # the person it is (itself, or the person whose own account it is)
    shown: tuple[Resource, ...]  # the largest first: the ones traced
    reached: int
    records: int
    unknown: int


@dataclass(frozen=True, slots=True)
class Listing:
    """`reach`'s answer: people first, then principals; within each, most records first. Counted and ordered from
    the reach bitsets alone; each identity's paths are traced as it is read, so what is held at once is bounded by
    the graph, never by the output (`--show all` at 50,000 people writes gigabytes). Each reading traces again."""

    analysis: Analysis
    ranked: tuple[Ranked, ...]
    reached: int  # the bits of the customer-data resources anyone listed reaches (of those named, with --to)
    traced: int  # the bits of those shown for anyone: the resources paths are traced to
    from_named: bool  # `--from` alone: one search from each named identity instead of one per resource

    def __len__(self) -> int:
        return len(self.ranked)

    def __iter__(self) -> Iterator[Exposure]:
        analysis, patterns = self.analysis, self.analysis.context.patterns
        trace = _paths_from(analysis) if self.from_named else _paths_to(analysis, self.traced)
        return (_exposure(r, patterns, trace(r)) for r in self.ranked)


def exposures(analysis: Analysis, shown: int | None = DEFAULT_SHOWN, filters: Filters = Filters()) -> Listing:
    """Every identity that reaches customer data (narrowed by `filters`), in the listing's order.

    Which resources each identity reaches, and their records, come from the reach bitsets (all of them, always);
    a shortest path is traced to the `shown` largest (all when None): with `--from` alone, one search from each
    named identity; otherwise one reverse search from each resource that is among someone's shown ones (with `--to`,
    only those named), so an auditor's report of a large account stays readable and fast.
    """
    check_filters(analysis, filters)
    reach = analysis.reach
    wanted_bits = _bits_of(analysis, filters.to)
    ranked: list[Ranked] = []
    # identities reach few distinct sets (a team's members, one set): each set is decoded and sorted once
    sets: dict[int, tuple[tuple[Resource, ...], int, int, int]] = {}
    for node in _identities(analysis, filters):
        bits = reach.resource_bits(node.id) & wanted_bits
        if not bits:
            continue
        if bits not in sets:
            sets[bits] = _decoded(reach, bits, shown)
        ranked.append(Ranked(node, _person(analysis, node), *sets[bits]))
    order = {"person": 0, "principal": 1}
    ranked.sort(key=lambda r: (order[r.node.kind], -r.records, r.node.id))
    bit_of = {r.id: bit for bit, r in enumerate(reach.resources)}
    traced = {bit_of[r.id] for shown_set, *_ in sets.values() for r in shown_set}
    return Listing(analysis, tuple(ranked), reduce(operator.or_, sets, 0), sum(1 << bit for bit in traced),
                   bool(filters.identities and not filters.to))


@dataclass(frozen=True, slots=True)
class Summary:
    """`reach` at an organisation's size, where the whole list is more than anyone reads: the totals, and the
    identities that reach the most records. No path is traced (`--from ID` traces one identity's)."""

    identities: int
    people: int
    left: int  # people listed who are departed or suspended
    stores: int  # customer-data resources reached by anyone listed
    records: int  # in those of them whose count is known
    unknown: int  # those of them of unknown size
    top: tuple[Exposure, ...]  # without resources: people who left and their own accounts first, then most records


def summary_of(listing: Listing, top: int = SUMMARY_TOP) -> Summary:
    people = [r.node for r in listing.ranked if isinstance(r.node, Person)]
    stores = listing.analysis.reach.resources_in(listing.reached)
    named = heapq.nsmallest(top, listing.ranked, key=_riskiest_first)
    patterns = listing.analysis.context.patterns
    return Summary(len(listing), len(people), sum(1 for p in people if p.status in LEFT), len(stores),
                   sum(r.records or 0 for r in stores), sum(1 for r in stores if r.records is None),
                   tuple(_exposure(replace(r, shown=()), patterns, ()) for r in named))


def _riskiest_first(ranked: Ranked) -> tuple[bool, int, bool, str]:
    """People who left (and their own accounts) first, then most records; people before principals, then by id."""
    status = ranked.person.status if ranked.person else None
    return (status not in LEFT, -ranked.records, ranked.node.kind != "person", ranked.node.id)


def _decoded(reach: Reach, bits: int, shown: int | None) -> tuple[tuple[Resource, ...], int, int, int]:
    """A reached set's largest resources, and its count, known records and resources of unknown size."""
    reached = sorted(reach.resources_in(bits), key=largest_first)
    return (tuple(reached if shown is None else reached[:shown]), len(reached),
            sum(r.records or 0 for r in reached), sum(1 for r in reached if r.records is None))


def _exposure(ranked: Ranked, patterns: tuple[str, ...], paths: Sequence[tuple[Step, ...]]) -> Exposure:
    listed = tuple(ExposedResource(r.id, tuple(customer_classes(r, patterns)), r.records, path)
                   for r, path in zip(ranked.shown, paths, strict=True))
    node, person = ranked.node, ranked.person
    if person is None:
        return Exposure(node.id, node.kind, None, ranked.records, listed, ranked.reached, ranked.unknown)
    return Exposure(node.id, node.kind, person.status, ranked.records, listed, ranked.reached, ranked.unknown,
                    person.display_name)


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


Trace = Callable[[Ranked], list[tuple[Step, ...]]]


def _paths_to(analysis: Analysis, traced: int) -> Trace:
    """One reverse search from each resource shown for anyone (the bits of `traced`), kept as next hops (`Hops`);
    each identity's paths are followed when it is read."""
    hops = next_hops(analysis.graph, analysis.reach, traced)
    bit_of = {r.id: bit for bit, r in enumerate(analysis.reach.resources)}
    return lambda r: [path_steps(hops.follow(r.node.id, bit_of[s.id]), analysis.graph) for s in r.shown]


def _paths_from(analysis: Analysis) -> Trace:
    """One search from each identity (`--from`: a few), followed back from each resource shown for it."""
    graph = analysis.graph

    def trace(r: Ranked) -> list[tuple[Step, ...]]:
        previous = nearest_from(graph, [r.node.id])
        return [path_steps(reversed(follow(previous, s.id)), graph) for s in r.shown]

    return trace


@dataclass(frozen=True, slots=True)
class Hops:
    """The next hop of one shortest path from every node toward each of some customer-data resources (`mask`).

    Each resource's hops come from its own reverse search (`reach.paths_to`, so the paths are the ones a search per
    pair would find), but are kept per node, one entry per resource the node reaches among `mask`, in bit order:
    a node's entry for a resource is found by the rank of its bit among the node's reach bits. That is 8 bytes per
    (node, resource) where a dict per resource would take about 50 (the generated 50,000-person organisation has
    14.8M such pairs: `reach --show all` peaks 0.2 GB above the summary, which traces nothing).
    """

    reach: Reach
    mask: int
    hops: dict[str, list[str | None]]  # node -> the next hop toward each resource of mask it reaches (None: is it)

    def follow(self, node_id: str, bit: int) -> list[str]:
        """The shortest path from the node to resource `bit`, both ends included."""
        below = (1 << bit) - 1
        path = [node_id]
        while (hop := self.hops[node_id][(self.reach.bits[node_id] & self.mask & below).bit_count()]) is not None:
            path.append(hop)
            node_id = hop
        return path


def next_hops(graph: Graph, reach: Reach, mask: int) -> Hops:
    """One reverse search per resource of `mask`; a node reached by a search is one the reach bitsets say reaches
    that resource, so each node gets exactly one hop per bit of `bits & mask` (checked: a disagreement would
    misplace every hop after it, and is a bug to report, never a path to print)."""
    hops: dict[str, list[str | None]] = {}
    for bit in iter_bits(mask):
        for node_id, hop in paths_to(graph, reach.resources[bit].id).items():
            hops.setdefault(node_id, []).append(hop)
    for node_id, entries in hops.items():
        if len(entries) != (reach.bits.get(node_id, 0) & mask).bit_count():
            raise RuntimeError(f"the reach bitsets and the searches disagree on what {node_id!r} reaches")
    return Hops(reach, mask, hops)


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
