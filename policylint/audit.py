"""The auditor's report as one record: who has left and can still reach customer data, who reaches each customer-data
store, what each person reaches on every platform, and the run's findings and suppressions (`reporters/html.py`).

Lists are bounded (`MAX_LISTED` and the like, said in the page), so an enterprise inventory gives a page a browser
opens: what is counted is always counted in full, only what is listed stops.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from policylint.exposure import DEFAULT_SHOWN, LEFT, ExposedResource, Exposure, exposures, largest_first
from policylint.graph import ADMIN_SUFFIX, Step, hub_set, path_steps
from policylint.model import Credential, Key, Person, Principal, Resource, platform_of
from policylint.pipeline import Analysis, Result
from policylint.reach import customer_classes, follow, iter_bits, paths_to
from policylint.report import Change, Report, mapped_path
from policylint.report import mapped as mapped_report

MAX_LISTED = 200  # identities listed per store (the riskiest first), and leavers in the headline
MAX_STORES = 200  # customer-data stores listed (the largest first)
MAX_PEOPLE = 2000  # people listed (leavers first, then by records)
MAX_REACHED = DEFAULT_SHOWN  # stores listed, with a path, per person
MAX_ACCESS = 30  # what still gives a leaver access (credentials, accounts, keys, groups, …), listed per leaver
# Who reaches a store, riskiest first: people (and their accounts) by status, then accounts of nobody on the
# roster, third parties, and services. A person's own account counts as that person.
GROUPS = ("departed", "suspended", "unowned", "external", "leave", "active", "service")
@dataclass(frozen=True, slots=True)
class Account:
    id: str
    platform: str  # model.PLATFORMS


@dataclass(frozen=True, slots=True)
class Access:
    """What still gives a leaver access, to revoke: an active credential they hold, an account of theirs, a key they
    can read, a group they are still in, a role they may assume or a grant they have that reaches customer data."""

    id: str
    kind: str  # one of ACCESS_KINDS: credential, account, key, group, role or grant
    type: str  # a credential's type (access_key, password, …), a key's purpose (signing, encryption), a grant's actions
    via: str | None  # the account or group that holds, reads or has it; None: the person themselves
    created: date | None
    last_used: date | None  # a credential's
    rotated: date | None  # a key's
    customer: bool  # it leads to customer data
    rules: tuple[str, ...]  # the rules of the findings on it (PL101, …)


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
    basis: str | None = None  # why they count as having left, when the roster does not plainly say (`departed_basis`)
    access: tuple[Access, ...] = ()  # of a leaver in the headline: what to revoke, the first MAX_ACCESS
    access_total: int = 0


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
    groups: tuple[Count, ...]  # every group that reaches it, in GROUPS order
    total: int  # identities


@dataclass(frozen=True, slots=True)
class Count:
    """Who of one group reaches a store: a person and their own accounts are one person (a reader counts people),
    and the accounts are said beside them."""

    group: str  # one of GROUPS
    people: int  # people of the roster (0 in the groups of accounts: unowned, external, service)
    accounts: int  # of those people, their own accounts; in the groups of accounts, the identities


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
    findings = _rules_by_subject(result.report)
    listed_leavers = tuple(_with_access(h, analysis, findings) for h in headline[:MAX_LISTED])
    reached = _reached_stores(analysis)
    return Audit(result.report, listed_leavers, len(headline), _totals(analysis, reached),
                 tuple(_stores(analysis, reached[:MAX_STORES])), tuple(holders[:MAX_PEOPLE]), len(holders),
                 frozenset(p.id for p in people if p.status in LEFT),
                 frozenset(r.id for r in analysis.reach.resources))


def _holder(person: Person, listed: dict[str, Exposure], analysis: Analysis) -> Holder:
    found = listed.get(person.id)
    accounts = tuple(Account(a, platform_of(a, "principal")) for a in analysis.index.accounts.get(person.id, ()))
    if found is None:
        return Holder(person.id, person.status, person.display_name, person.team, person.departed, accounts, 0, 0, 0,
                      (), person.departed_basis)
    return Holder(person.id, person.status, person.display_name, person.team, person.departed, accounts,
                  found.records, found.unknown, found.reached, found.resources, person.departed_basis)


def _holder_order(holder: Holder) -> tuple[int, bool, int, int, str]:
    """Leavers first; within a status, whoever reaches a store nobody counted first (it may be the largest of all:
    nobody is cut from a list because their stores have no record count), then by records and stores reached."""
    return GROUPS.index(holder.status), not holder.unknown, -holder.records, -holder.reached, holder.id


def _rules_by_subject(report: Report) -> dict[str, tuple[str, ...]]:
    found: dict[str, set[str]] = {}
    for finding in report.findings:
        found.setdefault(finding.subject_id, set()).add(finding.rule)
    return {subject: tuple(sorted(rules)) for subject, rules in found.items()}


def _with_access(holder: Holder, analysis: Analysis, rules: dict[str, tuple[str, ...]]) -> Holder:
    found = sorted(_access(holder.id, analysis, rules),
                   key=lambda a: (ACCESS_KINDS.index(a.kind), not a.customer, a.id))
    return replace(holder, access=tuple(found[:MAX_ACCESS]), access_total=len(found))


ACCESS_KINDS = ("credential", "account", "key", "group", "role", "grant")
_ACCESS_EDGES = {"holds": "credential", "reads_key": "key", "member": "group", "assumes": "role", "grants": "grant"}


def _access(person_id: str, analysis: Analysis, rules: dict[str, tuple[str, ...]]) -> Iterable[Access]:
    """Their own accounts; what they, their accounts and the groups these are in (transitively) hold or read; and the
    groups, roles and grants that reach customer data the person or their accounts have themselves: one search over
    `member` edges from the person and their accounts, so a secret of a group they are still in is theirs."""
    accounts = analysis.index.accounts.get(person_id, ())
    yield from (_access_of(analysis, "account", account, None, "", rules) for account in accounts)
    queue = [person_id, *accounts]  # their own first: a group they are in is theirs directly
    own = set(queue)
    via: dict[str, str | None] = dict.fromkeys(queue)
    for node_id in queue:
        for target, edge in analysis.graph.succ.get(node_id, {}).items():
            kind = _ACCESS_EDGES.get(edge.get("kind", ""))
            if kind is None or target in via:
                continue
            via[target] = None if node_id == person_id else node_id
            if kind == "group":
                queue.append(target)
            if kind in ("credential", "key") or (node_id in own and analysis.reach.resource_bits(target)):
                yield _access_of(analysis, kind, target, via[target], ", ".join(edge.get("actions", ())), rules)


def _access_of(analysis: Analysis, kind: str, node_id: str, via: str | None, actions: str,
               rules: dict[str, tuple[str, ...]]) -> Access:
    customer = bool(analysis.reach.resource_bits(node_id))
    node = analysis.index.nodes.get(node_id)
    if kind == "credential" and isinstance(node, Credential):
        return Access(node_id, kind, node.type, via, node.created, node.last_used, None, customer,
                      rules.get(node_id, ()))
    if kind == "key" and isinstance(node, Key):
        return Access(node_id, kind, node.purpose, via, node.created, None, node.rotated, customer,
                      rules.get(node_id, ()))
    if kind == "grant":  # on a resource, admin of an access-control resource (`x#admin`), or a set (a hub)
        node_id = hub_set(node_id) if node_id.startswith("*") else node_id.removesuffix(ADMIN_SUFFIX)
    return Access(node_id, kind, actions, via, None, None, None, customer, rules.get(node_id, ()))


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


def _reached_stores(analysis: Analysis) -> list[tuple[int, Resource]]:
    """Every customer-data store someone reaches, with its reach bit, the largest first (a store of unknown size
    first of all: it may be the largest)."""
    reached = 0
    for node in _identities(analysis):
        reached |= analysis.reach.resource_bits(node.id)
    resources = analysis.reach.resources
    return sorted(((bit, resources[bit]) for bit in iter_bits(reached)), key=lambda item: largest_first(item[1]))


def _stores(analysis: Analysis, listed: list[tuple[int, Resource]]) -> list[Store]:
    """Each listed store with how many of each group reach it, the riskiest MAX_LISTED identities and a shortest
    path from each (one reverse BFS per listed store, as `reach` does). Read off the reach bitsets: a few big-integer
    operations per identity, never a step per (identity, store) pair but for the identities listed."""
    identities = [(group_of(n, analysis), n) for n in _identities(analysis)]
    identities.sort(key=lambda item: (GROUPS.index(item[0]), item[1].kind != "person", item[1].id))
    counts = _group_counts(identities, analysis)
    chosen = _chosen(identities, [bit for bit, _ in listed], analysis)
    return [_store(resource, chosen.get(bit, []), _counts_of(counts, bit), analysis) for bit, resource in listed]


def _group_counts(identities: list[tuple[str, Person | Principal]], analysis: Analysis
                  ) -> dict[tuple[str, str], _BitCounts]:
    """Per (group, what): how many of the group reach each store. `people`: people of the roster (a person and their
    own accounts, as one: their bitsets or-ed), `persons` and `accounts`: the person nodes and the principals."""
    counts: dict[tuple[str, str], _BitCounts] = {}
    people: dict[str, tuple[str, int]] = {}
    for group, node in identities:
        bits = analysis.reach.resource_bits(node.id)
        counts.setdefault((group, "persons" if isinstance(node, Person) else "accounts"), _BitCounts()).add(bits)
        person = analysis.index.person_of(node.id)
        if person is not None:
            people[person.id] = (group, people.get(person.id, (group, 0))[1] | bits)
    for group, bits in people.values():
        counts.setdefault((group, "people"), _BitCounts()).add(bits)
    return counts


def _counts_of(counts: dict[tuple[str, str], _BitCounts], bit: int) -> tuple[tuple[Count, ...], int]:
    """The groups that reach the store of `bit`, in GROUPS order, and how many identities in all."""
    found, total = [], 0
    for group in GROUPS:
        people, persons, accounts = (counts[group, what].of(bit) if (group, what) in counts else 0
                                     for what in ("people", "persons", "accounts"))
        if persons or accounts:
            found.append(Count(group, people, accounts))
            total += persons + accounts
    return tuple(found), total


def _chosen(identities: list[tuple[str, Person | Principal]], bits: list[int], analysis: Analysis
            ) -> dict[int, list[tuple[str, str, str]]]:
    """The first MAX_LISTED identities (in the order given) that reach each store of `bits`: each identity is one
    `&` with the stores still short of their list, and only the pairs listed are touched."""
    chosen: dict[int, list[tuple[str, str, str]]] = {}
    wanted = sum(1 << bit for bit in bits)
    for group, node in identities:
        if not wanted:
            break
        for bit in iter_bits(analysis.reach.resource_bits(node.id) & wanted):
            listed = chosen.setdefault(bit, [])
            listed.append((node.id, node.kind, group))
            if len(listed) >= MAX_LISTED:
                wanted &= ~(1 << bit)
    return chosen


@dataclass(slots=True)
class _BitCounts:
    """How many of the bitsets added have each bit set, kept as bit planes (plane k holds bit k of every count): an
    addition is a ripple carry of a few big-integer operations, however many bits the bitset has."""

    planes: list[int] = field(default_factory=list)

    def add(self, bits: int) -> None:
        carry = bits
        for number, plane in enumerate(self.planes):
            if not carry:
                return
            self.planes[number], carry = plane ^ carry, plane & carry
        if carry:
            self.planes.append(carry)

    def of(self, bit: int) -> int:
        return sum(((plane >> bit) & 1) << number for number, plane in enumerate(self.planes))


def _identities(analysis: Analysis) -> Iterable[Person | Principal]:
    reached = analysis.reach.next_hop
    yield from (p for p in analysis.inventory.people if p.id in reached)
    yield from (p for p in analysis.inventory.principals if p.id in reached)


def _store(resource: Resource, listed: list[tuple[str, str, str]], counts: tuple[tuple[Count, ...], int],
           analysis: Analysis) -> Store:
    next_hop = paths_to(analysis.graph, resource.id) if listed else {}
    reachers = tuple(Reacher(node_id, kind, group, path_steps(follow(next_hop, node_id), analysis.graph))
                     for node_id, kind, group in listed)
    groups, total = counts
    return Store(resource.id, resource.type, tuple(customer_classes(resource, analysis.context.patterns)),
                 resource.records, reachers, groups, total)


def _totals(analysis: Analysis, stores: list[tuple[int, Resource]]) -> Totals:
    reached = analysis.reach.next_hop
    people = _counted(((p.status, p.id in reached) for p in analysis.inventory.people), GROUPS)
    principals = _counted(((p.type, p.id in reached) for p in analysis.inventory.principals),
                          ("user", "service", "external"))
    return Totals(people, principals, len(analysis.reach.resources), len(stores),
                  sum(r.records or 0 for _, r in stores), sum(1 for _, r in stores if r.records is None))


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
                   resources=tuple(_mapped_resource(r, change) for r in holder.resources),
                   basis=None if holder.basis is None else change(holder.basis),
                   access=tuple(_mapped_access(a, change) for a in holder.access))


def _mapped_access(access: Access, change: Change) -> Access:
    return replace(access, id=change(access.id), type=change(access.type),
                   via=None if access.via is None else change(access.via), rules=tuple(change(r) for r in access.rules))


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
               "Holder": {"id", "display_name", "team", "accounts", "resources", "basis", "access"},
               "Store": {"id", "type", "classes", "reachers"},
               "Reacher": {"id", "path"}, "Account": {"id"}, "Access": {"id", "type", "via", "rules"}, "Count": set()}
OURS = {"Audit": {"leavers", "totals", "people_total"},
        "Holder": {"status", "departed", "records", "unknown", "reached", "access_total"},
        "Store": {"records", "groups", "total"}, "Reacher": {"kind", "group"}, "Account": {"platform"},
        "Access": {"kind", "created", "last_used", "rotated", "customer"}, "Count": {"group", "people", "accounts"}}
