"""The auditor's report as one record: who has left and can still reach customer data, who reaches each customer-data
store, what each person reaches on every platform, and the run's findings and suppressions (`reporters/html.py`).

Lists are bounded (`MAX_LISTED` and the like, said in the page), so an enterprise inventory gives a page a browser
opens: what is counted is always counted in full, only what is listed stops.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from policylint.exposure import DEFAULT_SHOWN, ExposedResource, Exposure, exposures
from policylint.graph import Step, path_steps
from policylint.model import Person, Principal, Resource, platform_of
from policylint.pipeline import Analysis, Result
from policylint.reach import customer_classes, follow, paths_to
from policylint.report import Change, Report, mapped_path
from policylint.report import mapped as mapped_report

MAX_LISTED = 200  # identities listed per store (the riskiest first), and leavers in the headline
MAX_STORES = 200  # customer-data stores listed (the largest first)
MAX_PEOPLE = 2000  # people listed (leavers first, then by records)
MAX_REACHED = DEFAULT_SHOWN  # stores listed, with a path, per person
# Who reaches a store, riskiest first: people (and their accounts) by status, then accounts of nobody on the
# roster, third parties, and services. A person's own account counts as that person.
GROUPS = ("departed", "suspended", "unowned", "external", "leave", "active", "service")
LEFT = ("departed", "suspended")


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    platform: str  # model.PLATFORMS


@dataclass(frozen=True, slots=True)
class Holder:
    """A person of the roster, their accounts, and the customer data they can reach."""

    id: str
    status: str
    display_name: str | None
    team: str | None
    departed: date | None
    accounts: tuple[Account, ...]
    records: int  # in every customer-data store they reach whose count is known
    unknown: int  # stores they reach of unknown size (so `records` is a lower bound)
    reached: int  # customer-data stores they reach, in all
    resources: tuple[ExposedResource, ...]  # the largest ones, each with a shortest path


@dataclass(frozen=True, slots=True)
class Reacher:
    id: str
    kind: str  # person or principal
    group: str  # one of GROUPS
    path: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Store:
    """A customer-data resource and who can reach it."""

    id: str
    type: str
    classes: tuple[str, ...]
    records: int | None
    reachers: tuple[Reacher, ...]  # the first MAX_LISTED in GROUPS order
    groups: tuple[tuple[str, int], ...]  # (group, identities) for every one, in GROUPS order
    total: int


@dataclass(frozen=True, slots=True)
class Totals:
    people: tuple[tuple[str, int, int], ...]  # (status, people, of whom reach customer data)
    principals: tuple[tuple[str, int, int], ...]  # (type, identities, of which reach customer data)
    stores: int  # customer-data stores
    reached: int  # of which someone can reach
    records: int  # in the stores someone can reach, where known
    unknown: int  # stores someone can reach whose size is unknown


@dataclass(frozen=True, slots=True)
class Audit:
    report: Report  # findings, every suppressed finding, errors, notices, rules, inputs, date
    headline: tuple[Holder, ...]  # people who left and can reach customer data, most records first
    leavers: int  # how many in all
    totals: Totals
    stores: tuple[Store, ...]  # the largest first
    people: tuple[Holder, ...]  # leavers first, then by records
    people_total: int
    left: frozenset[str]  # people who left (marked on the pictures)
    customer: frozenset[str]  # every customer-data store (marked on the pictures)


def build(result: Result) -> Audit:
    analysis = result.analysis
    people = analysis.inventory.people
    listed = {e.id: e for e in exposures(analysis, MAX_REACHED)}
    holders = sorted((_holder(person, listed, analysis) for person in people), key=_holder_order)
    headline = [h for h in holders if h.status in LEFT and h.reached]
    stores = _stores(analysis)
    return Audit(result.report, tuple(headline[:MAX_LISTED]), len(headline), _totals(analysis, stores),
                 tuple(stores[:MAX_STORES]), tuple(holders[:MAX_PEOPLE]), len(holders),
                 frozenset(p.id for p in people if p.status in LEFT),
                 frozenset(r.id for r in analysis.reach.resources))


def _holder(person: Person, listed: dict[str, Exposure], analysis: Analysis) -> Holder:
    found = listed.get(person.id)
    accounts = tuple(Account(a, platform_of(a, "principal")) for a in analysis.index.accounts.get(person.id, ()))
    if found is None:
        return Holder(person.id, person.status, person.display_name, person.team, person.departed, accounts, 0, 0, 0,
                      ())
    return Holder(person.id, person.status, person.display_name, person.team, person.departed, accounts,
                  found.records, found.unknown, found.reached, found.resources)


def _holder_order(holder: Holder) -> tuple[int, int, str]:
    return GROUPS.index(holder.status), -holder.records, holder.id


def group_of(node: Person | Principal, analysis: Analysis) -> str:
    """Which of GROUPS an identity counts in: a person's own account as the person."""
    if isinstance(node, Person):
        return node.status
    if node.type == "external":
        return "external"
    if node.type == "service":
        return "service"
    person = analysis.index.person_of(node.id)
    return "unowned" if person is None else person.status


def _stores(analysis: Analysis) -> list[Store]:
    """Each store reached, with the riskiest MAX_LISTED identities and a shortest path from each (one reverse BFS per
    listed store, as `reach` does), and how many identities of each group reach it."""
    identities = [(group_of(n, analysis), n) for n in _identities(analysis)]
    identities.sort(key=lambda item: (GROUPS.index(item[0]), item[1].kind != "person", item[1].id))
    chosen: dict[str, list[tuple[str, str, str]]] = {}
    counts: dict[str, dict[str, int]] = {}
    for group, node in identities:
        for resource in analysis.reach.reached_resources(node.id):
            per_group = counts.setdefault(resource.id, dict.fromkeys(GROUPS, 0))
            per_group[group] += 1
            listed = chosen.setdefault(resource.id, [])
            if len(listed) < MAX_LISTED:
                listed.append((node.id, node.kind, group))
    resources = sorted((r for r in analysis.reach.resources if r.id in counts), key=lambda r: (-(r.records or 0), r.id))
    return [_store(r, chosen[r.id] if number < MAX_STORES else [], counts[r.id], analysis)
            for number, r in enumerate(resources)]


def _identities(analysis: Analysis) -> Iterable[Person | Principal]:
    reached = analysis.reach.next_hop
    yield from (p for p in analysis.inventory.people if p.id in reached)
    yield from (p for p in analysis.inventory.principals if p.id in reached)


def _store(resource: Resource, listed: list[tuple[str, str, str]], counts: dict[str, int], analysis: Analysis
           ) -> Store:
    next_hop = paths_to(analysis.graph, resource.id) if listed else {}
    reachers = tuple(Reacher(node_id, kind, group, path_steps(follow(next_hop, node_id), analysis.graph))
                     for node_id, kind, group in listed)
    groups = tuple((g, n) for g, n in counts.items() if n)
    return Store(resource.id, resource.type, tuple(customer_classes(resource, analysis.context.patterns)),
                 resource.records, reachers, groups, sum(counts.values()))


def _totals(analysis: Analysis, stores: list[Store]) -> Totals:
    reached = analysis.reach.next_hop
    people = _counted(((p.status, p.id in reached) for p in analysis.inventory.people), GROUPS)
    principals = _counted(((p.type, p.id in reached) for p in analysis.inventory.principals),
                          ("user", "service", "external"))
    return Totals(people, principals, len(analysis.reach.resources), len(stores),
                  sum(s.records or 0 for s in stores), sum(1 for s in stores if s.records is None))


def _counted(items: Iterable[tuple[str, bool]], order: tuple[str, ...]) -> tuple[tuple[str, int, int], ...]:
    """(value, how many, how many of them reach customer data), in `order`."""
    counts: dict[str, tuple[int, int]] = {}
    for value, reaches in items:
        total, reaching = counts.get(value, (0, 0))
        counts[value] = (total + 1, reaching + reaches)
    return tuple((value, *counts[value]) for value in order if value in counts)


def mapped(audit: Audit, change: Change) -> Audit:
    """The audit with `change` applied to every string an input can have put in it (redaction, escaping): the one
    place that knows which fields those are (`tests/reporters/test_html.py` walks every field to check)."""
    return replace(
        audit,
        report=mapped_report(audit.report, change, rule_text=True),
        headline=tuple(_mapped_holder(h, change) for h in audit.headline),
        stores=tuple(_mapped_store(s, change) for s in audit.stores),
        people=tuple(_mapped_holder(h, change) for h in audit.people),
        left=frozenset(change(i) for i in audit.left),
        customer=frozenset(change(i) for i in audit.customer),
    )


def _mapped_holder(holder: Holder, change: Change) -> Holder:
    return replace(holder, id=change(holder.id),
                   display_name=None if holder.display_name is None else change(holder.display_name),
                   team=None if holder.team is None else change(holder.team),
                   accounts=tuple(replace(a, id=change(a.id)) for a in holder.accounts),
                   resources=tuple(_mapped_resource(r, change) for r in holder.resources))


def _mapped_resource(resource: ExposedResource, change: Change) -> ExposedResource:
    return replace(resource, id=change(resource.id), classes=tuple(change(c) for c in resource.classes),
                   path=mapped_path(resource.path, change))


def _mapped_store(store: Store, change: Change) -> Store:
    return replace(store, id=change(store.id), type=change(store.type),
                   classes=tuple(change(c) for c in store.classes),
                   reachers=tuple(replace(r, id=change(r.id), path=mapped_path(r.path, change))
                                  for r in store.reachers))


# Fields of the records above by whether an input can put text in them: a field added must be placed in one (a test
# fails otherwise), so nothing new reaches the page unredacted.
FROM_INPUTS = {"Audit": {"report", "headline", "stores", "people", "left", "customer"},
               "Holder": {"id", "display_name", "team", "accounts", "resources"},
               "Store": {"id", "type", "classes", "reachers"},
               "Reacher": {"id", "path"}, "Account": {"id"}}
OURS = {"Audit": {"leavers", "totals", "people_total"},
        "Holder": {"status", "departed", "records", "unknown", "reached"},
        "Store": {"records", "groups", "total"}, "Reacher": {"kind", "group"}, "Account": {"platform"}}
