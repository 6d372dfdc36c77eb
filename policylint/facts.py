"""One facts document per node: its own fields plus what the graph knows about it, as plain JSON.

Rules test these documents and nothing else. The shape of each kind is in `facts_schema.py`; a test keeps the two
in step. Dates are ISO strings; ages are whole days as of `as_of`.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from policylint.flags import PREFIXES
from policylint.graph import (
    Graph,
    Index,
    Step,
    default_holders,
    display_path,
    grant_covers,
    is_glob,
    path_steps,
)
from policylint.iam.evaluate import VIA as ESCALATION_VIA
from policylint.iam.evaluate import reads_every as aws_reads_every
from policylint.iam.statements import OPEN_IN_TEMPLATE, TEMPLATE_PLACEHOLDER
from policylint.model import (
    ACCESS_CONTROL,
    EVERYONE,
    Credential,
    Grant,
    Group,
    Inventory,
    Key,
    Node,
    Person,
    Principal,
    Resource,
    Role,
)
from policylint.reach import Reach, customer_classes, is_customer_data, nearest_from

DEFAULT_ROTATION_DAYS = 365
Facts = dict[str, Any]

# Which kinds of node each reference field may name (DESIGN.md); anything else is a broken reference.
IDENTITY = ("person", "principal", "group", "role")
REFERENCE_KINDS: dict[str, tuple[str, ...]] = {
    "person": ("person",),
    "owner": IDENTITY,
    "members": IDENTITY,
    "assumable_by": IDENTITY,
    "resource": ("resource", "key"),  # a grant on a key lets its holder use the key
    "to": IDENTITY,
    "principal": IDENTITY,
    "holders": IDENTITY,
    "readable_by": IDENTITY,
    "signs_for": ("principal", "person"),
    "protects": ("resource",),
}
# Fields where "*" means everyone (every identity; for signs_for, every principal); elsewhere it names nothing.
# ("*" as a grant's resource means every resource.)
EVERYONE_FIELDS = frozenset({"members", "assumable_by", "to", "holders", "readable_by", "signs_for", "resource"})
# Fields that may hold a glob over ids (a grant's resource, a key's signs_for): it names what matches, maybe nothing.
GLOB_FIELDS = frozenset({"resource", "signs_for"})
# Fields that name a person (or an owner) of the HR roster.
PEOPLE_FIELDS = frozenset({"person", "owner"})
# Where a departed person may still be named (PL102).
NAMING_FIELDS = ("members", "assumable_by", "readable_by", "to")


class GlobCustomers:
    """The customer-data resources a glob grant names: those the graph's hub of the glob leads to (`Graph.matches`,
    matched once while the graph was built), each glob (with its exclusions) once."""

    def __init__(self) -> None:
        self._customers: dict[str, Resource] | None = None
        self._found: dict[tuple[str, tuple[str, ...]], list[Resource]] = {}

    def named(self, grant: Grant, customers: tuple[Resource, ...], graph: Graph) -> list[Resource]:
        key = (grant.resource, tuple(sorted(set(grant.excluding))))
        found = self._found.get(key)
        if found is None:
            if self._customers is None:
                self._customers = {r.id: r for r in customers}
            hub = graph.matches.get(key)
            if hub is not None:
                found = [self._customers[t] for t in sorted(graph.succ.get(hub, ())) if t in self._customers]
            else:  # a grant the graph did not read (none today): matched here, as the graph would
                found = [r for r in self._customers.values() if grant_covers(grant, r)]
            self._found[key] = found
        return found


@dataclass(frozen=True, slots=True)
class Context:
    """What building facts needs, derived once from the inventory, the index and the reach."""

    as_of: date
    patterns: tuple[str, ...]
    index: Index
    graph: Graph
    reach: Reach
    grants_touching: dict[str, list[Grant]]  # node id -> the direct grants to it or on it, in the inventory's order
    named_in: dict[str, list[tuple[str, str]]]  # name -> (field, owner id) where it is named (NAMING_FIELDS)
    direct_grants: dict[str, list[Grant]]
    assumes: dict[str, list[Role]]  # identity -> roles naming it in assumable_by
    active_access_keys: dict[str, int]
    key_readers: dict[str, list[str]]  # key id -> people that reach it
    reach_summaries: dict[int, tuple[list[str], list[str], int]]  # reached bits -> (classes, resources, records)
    from_people: tuple[dict[str, str | None], ...]  # previous hops from the nearest leaver, then from anyone
    roster: bool  # the inventory holds an HR roster (a person): an account that joins nobody means something
    open_grants: dict[str, list[tuple[int, Grant]]]  # resource id -> grants to everyone on it (with their order)
    open_globs: tuple[tuple[int, Grant], ...]  # grants to everyone on a glob (a policy whose target is left open)
    file_name: Callable[[str], str] = str  # a file as the facts name it (a diff's copy: as the working tree does)
    globs: GlobCustomers = dataclasses.field(default_factory=GlobCustomers)  # what glob grants name
    # a person as a list item (a key's reader, a credential's holder), made once and shared by every list naming
    # them: a large organisation's keys name the same people millions of times between them
    people: dict[tuple[str, bool | None], Facts] = dataclasses.field(default_factory=dict)


def build_context(inventory: Inventory, index: Index, graph: Graph, reach: Reach, as_of: date,
                  patterns: tuple[str, ...], file_name: Callable[[str], str] = str) -> Context:
    named_in: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for owner_id, field, name in _references(inventory):
        if field in NAMING_FIELDS:
            named_in[name].append((field, owner_id))  # a facts dict only when a node's facts are made
    direct_grants: dict[str, list[Grant]] = defaultdict(list)
    touching: dict[str, list[Grant]] = defaultdict(list)
    for grant in inventory.grants:
        direct_grants[grant.to or ""].append(grant)
        touching[grant.resource].append(grant)
        if (grant.to or "") != grant.resource:
            touching[grant.to or ""].append(grant)
    assumes: dict[str, list[Role]] = defaultdict(list)
    for role in inventory.roles:
        for name in role.assumable_by:
            assumes[name].append(role)
    access_keys: dict[str, int] = defaultdict(int)
    for credential in inventory.credentials:
        if credential.status == "active" and credential.type == "access_key" and credential.principal:
            access_keys[credential.principal] += 1
    key_readers: dict[str, list[str]] = defaultdict(list)
    for person in inventory.people:
        for key_id in reach.reached_keys(person.id):
            key_readers[key_id].append(person.id)
    leavers = [p.id for p in inventory.people if p.status in ("departed", "suspended")]
    secrets = frozenset({"credential", "key"})  # who holds one is never told by using another
    everyone = [p.id for p in inventory.people]
    from_people = (nearest_from(graph, leavers, secrets), nearest_from(graph, everyone, secrets))
    open_grants: dict[str, list[tuple[int, Grant]]] = defaultdict(list)
    open_globs: list[tuple[int, Grant]] = []
    for order, grant in enumerate(direct_grants.get(EVERYONE, ())):
        if is_glob(grant.resource):
            open_globs.append((order, grant))
        else:
            open_grants[grant.resource].append((order, grant))
    return Context(
        as_of, patterns, index, graph, reach, touching, named_in, direct_grants, assumes, access_keys, key_readers,
        {}, from_people, bool(inventory.people), open_grants, tuple(open_globs), file_name,
    )


def _references(inventory: Inventory) -> Iterator[tuple[str, str, str]]:
    """(referring node id, field, name) for every name a node mentions, in the order `_references_of` gives each
    node's."""
    before: tuple[Node, ...] = (*inventory.principals, *inventory.groups, *inventory.roles)
    for node in before:
        yield from ((node.id, field, name) for field, name in _own_references(node))
    for grant in inventory.grants:
        yield from _grant_references(grant)
    after: tuple[Node, ...] = (*inventory.credentials, *inventory.keys)
    for node in after:
        yield from ((node.id, field, name) for field, name in _own_references(node))


def _references_of(node: Node, context: Context) -> Iterator[tuple[str, str]]:
    """(field, name) for every name the node mentions, and for each direct grant to it or on it, the other end:
    made when its facts are (held for every node at once, they were a tenth of an enterprise run's memory)."""
    touching = ((field, name) for grant in context.grants_touching.get(node.id, ())
                for owner, field, name in _grant_references(grant) if owner == node.id)
    if isinstance(node, Credential | Key):  # `_references` reads the grants before credentials and keys
        yield from touching
        yield from _own_references(node)
    else:
        yield from _own_references(node)
        yield from touching


def _grant_references(grant: Grant) -> Iterator[tuple[str, str, str]]:
    # A direct grant is not a node: its broken `to` is told on the resource, its broken resource on `to`.
    yield grant.resource, "to", grant.to or ""
    yield grant.to or "", "resource", grant.resource


def _own_references(node: Node) -> Iterator[tuple[str, str]]:
    if isinstance(node, Principal):
        yield from ((f, n) for f, n in (("person", node.person), ("owner", node.owner)) if n is not None)
    elif isinstance(node, Group):
        yield from (("members", m) for m in node.members)
    elif isinstance(node, Role):
        yield from (("assumable_by", a) for a in node.assumable_by)
        yield from (("resource", grant.resource) for grant in node.grants)
    elif isinstance(node, Credential):
        if node.principal is not None:
            yield "principal", node.principal
        yield from (("holders", h) for h in node.holders or ())
    elif isinstance(node, Key):
        yield from (("readable_by", r) for r in node.readable_by)
        yield from (("signs_for", s) for s in node.signs_for)
        yield from (("protects", r) for r in node.protects)


def facts_of(node: Node, context: Context) -> Facts:
    facts: Facts = {
        "kind": node.kind,
        "id": node.id,
        "file": context.file_name(node.location.file),
        "line": node.location.line,
        "broken_refs": _broken_refs(node, context),
        "reach": _reach(node.id, context),
        "flag_values": flag_values(getattr(node, "flags", ())),
    }
    facts.update(_BUILDERS[node.kind](node, context))
    if "grants" in facts:
        facts.update(_from_grants(facts["grants"]))
    return facts


def flag_values(flags: tuple[str, ...]) -> dict[str, list[str]]:
    """The values of prefix flags by prefix, for messages: `aws-unknown-action:s3:GetObjekt` is
    `{"aws_unknown_action": ["s3:GetObjekt"]}` (a placeholder has no `-`)."""
    found: dict[str, list[str]] = {}
    for flag in flags:
        prefix, colon, value = flag.partition(":")
        if colon and prefix + ":" in PREFIXES:
            found.setdefault(prefix.replace("-", "_"), []).append(value)
    return found


def _broken_refs(node: Node, context: Context) -> list[dict[str, Any]]:
    broken = []
    for field, name in _references_of(node, context):
        if (name == EVERYONE and field in EVERYONE_FIELDS) or (field in GLOB_FIELDS and is_glob(name)):
            continue
        target = context.index.nodes.get(name)
        if target is None and field in PEOPLE_FIELDS and not context.roster:
            continue  # a person or owner named, and no roster read: unknown, not broken (the roster notice says so)
        if target is None:
            broken.append({"field": field, "name": name, "found": None})
        elif target.kind not in REFERENCE_KINDS[field]:
            broken.append({"field": field, "name": name, "found": target.kind})
    return broken


def _reach(node_id: str, context: Context) -> Facts:
    reach = context.reach
    bits = reach.resource_bits(node_id)
    if not bits:
        return {"customer_data": False, "classes": [], "resources": [], "records": 0, "path": []}
    summary = context.reach_summaries.get(bits)
    if summary is None:  # nodes of one component, and many others, reach the same set: decode it once
        resources = reach.resources_in(bits)
        summary = context.reach_summaries[bits] = (
            sorted({c for r in resources for c in customer_classes(r, context.patterns)}),
            sorted(r.id for r in resources),
            sum(r.records or 0 for r in resources),
        )
    classes, resource_ids, records = summary
    return {  # the lists are shared by every node that reaches the same set: facts are read, never changed
        "customer_data": True,
        "classes": classes,
        "resources": resource_ids,
        "records": records,
        "path": display_path(reach.path(node_id), context.graph),
    }


def held_path(node: Node, context: Context) -> list[str]:
    """`held_via`, as graph node ids: one shortest path to this credential or key from a person, from someone who
    left when one can get to it, that goes through no other credential or key (a leaver who could forge anyone's
    session with a signing key does not hold every password); else, for a credential no person can get to, from
    the identity holding it. A credential that is not active is held by nobody (it carries no edge)."""
    if not isinstance(node, Credential | Key) or (isinstance(node, Credential) and node.status != "active"):
        return []
    for previous in context.from_people:
        if node.id in previous:
            path = [node.id]
            while (step := previous[path[-1]]) is not None:
                path.append(step)
            return path[::-1]
    holders = [h for h in default_holders(node, context.index) if h != EVERYONE and h in context.index.nodes] if (
        isinstance(node, Credential)) else []
    return [holders[0], node.id] if holders else []


def evidence_steps(node: Node, context: Context) -> tuple[Step, ...]:
    """A finding's evidence path, typed: who holds the subject → … → the subject → … → customer data, as far as
    it is known (`held_via`, then the reach path); nothing for a lone node."""
    held, reach = held_path(node, context), context.reach.path(node.id)
    steps = path_steps([*held[:-1], *reach] if held and reach else held or reach, context.graph)
    return steps if len(steps) > 1 else ()


def _days(since: date | None, context: Context) -> int | None:
    return None if since is None else (context.as_of - since).days


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _status_of(name: str, context: Context) -> str | None:
    person = context.index.person_of(name)
    return person.status if person else None


def _grants(grants: list[Grant] | tuple[Grant, ...], context: Context) -> list[Facts]:
    shown = []
    for grant in grants:
        if grant.resource == EVERYONE:  # every resource: its customer data is all the customer data there is
            resource_type: str | None = EVERYONE
            classes = sorted({c for r in context.reach.resources for c in customer_classes(r, context.patterns)})
            customer = bool(context.reach.resources)
        elif is_glob(grant.resource):  # the customer-data stores it names: admin on `customers-*` is on them
            resource_type = None
            named = context.globs.named(grant, context.reach.resources, context.graph)
            classes = sorted({c for r in named for c in customer_classes(r, context.patterns)})
            customer = bool(named)
        else:
            resource = context.index.nodes.get(grant.resource)
            resource_type = resource.type if isinstance(resource, Resource) else None
            classes = customer_classes(resource, context.patterns) if isinstance(resource, Resource) else []
            customer = isinstance(resource, Resource) and is_customer_data(resource, context.patterns)
        shown.append({"resource": grant.resource, "actions": list(grant.actions), "resource_type": resource_type,
                      "customer_data": customer, "classes": classes, "excluding": list(grant.excluding),
                      "condition": grant.condition, "via": grant.via, "actions_given": list(grant.actions_given),
                      "reads_every": [] if customer and {"*", "admin"} & set(grant.actions) else _reads_every(grant)})
    return shown


# GCP predefined roles that read a kind of data store, by the service their name starts with (`sources/gcp/roles.py`
# reads them); `roles/viewer` reads BigQuery through each dataset's default grant to project viewers. Held on a
# project (`gcp:projects/P/*`), or on a folder or organisation (`gcp:*`: every project below), one reads every such
# store there; held on one bucket or dataset (`gcp:projects/_/buckets/B/*`), that store only. Custom roles show no
# permissions, so no kind: their reach is assumed, not a finding of its own.
_GCP_STORES = {"storage": "Cloud Storage buckets", "bigquery": "BigQuery datasets", "viewer": "BigQuery datasets",
               "cloudsql": "Cloud SQL databases", "spanner": "Spanner databases", "bigtable": "Bigtable tables",
               "datastore": "Datastore and Firestore databases", "secretmanager": "Secret Manager secrets",
               "pubsub": "Pub/Sub subscriptions"}
_GCP_EVERYTHING = re.compile(r"gcp:(?:projects/[^/*?\[]+/)?\*\Z")
_READING = frozenset({"read", "admin", "*"})


def _reads_every(grant: Grant) -> list[str]:
    """The kinds of data store the grant reads every one of in its scope (PL211): on `*`, every resource; AWS, by
    id and action (`iam.evaluate.reads_every`); GCP, a data role held on a whole project, folder or organisation
    (its exclusions are access control, act-as and KMS keys: no data stores). Kubernetes' only data stores,
    Secrets, have rules of their own. None where it may not read (write only), nor where a template left the
    resource open (read as `*` to fail closed: reach counts it, but nobody chose to read every store)."""
    left_open = (grant.condition or "").startswith((OPEN_IN_TEMPLATE, TEMPLATE_PLACEHOLDER))
    if left_open or not _READING & set(grant.actions):
        return []
    if grant.resource == EVERYONE:  # admin there is escalation (PL205), which says more
        return [] if grant.excluding or {"*", "admin"} & set(grant.actions) else ["resources of every kind"]
    if grant.resource.startswith("aws:"):
        return list(aws_reads_every(grant.resource, grant.actions, grant.excluding, grant.actions_given))
    if _GCP_EVERYTHING.match(grant.resource):
        services = (r.removeprefix("roles/").split(".")[0] for r in grant.actions_given if r.startswith("roles/"))
        return list(dict.fromkeys(_GCP_STORES[s] for s in services if s in _GCP_STORES))
    return []


def _from_grants(grants: list[Facts]) -> Facts:
    """What a node's grants say about it: how it can escalate (PL205), and the data stores of which it reads every
    one (PL211), each as people read it (with its condition: `[if …]`)."""
    return {"escalation": list(dict.fromkeys(e for g in grants if (e := _escalation(g)) is not None)),
            "wide_reads": list(dict.fromkeys(f"{', '.join(g['reads_every'])} ({g['resource']})"
                                             + (f" [if {g['condition']}]" if g["condition"] else "")
                                             for g in grants if g["reads_every"]))}


def _escalation(grant: Facts) -> str | None:
    """Admin (or `*`) on an access-control resource or on every resource, or an IAM privilege-escalation grant
    (its `via` names the methods and what they gain)."""
    via = grant["via"] or ""
    if via.startswith(ESCALATION_VIA):
        text = via[len(ESCALATION_VIA):]
    elif grant["resource_type"] in (ACCESS_CONTROL, EVERYONE) and {"admin", "*"} & set(grant["actions"]):
        text = f"admin on {'every resource' if grant['resource'] == EVERYONE else grant['resource']}"
        text += f" ({via})" if via else ""
    else:
        return None
    return text + (f" [if {grant['condition']}]" if grant["condition"] else "")


def _assumes(node_id: str, context: Context) -> list[Facts]:
    return [{"role": role.id, "flags": list(role.flags)} for role in context.assumes.get(node_id, ())]


def _assumes_by_flag(node_id: str, context: Context) -> dict[str, list[str]]:
    """The roles of `assumes` by each flag without a value they carry, so that a message names the cause (the
    binding that reads secrets, not every binding of the subject): `{"k8s_read_secrets_cluster": [...]}`."""
    found: dict[str, list[str]] = {}
    for role in context.assumes.get(node_id, ()):
        for flag in role.flags:
            if ":" not in flag:
                found.setdefault(flag.replace("-", "_"), []).append(role.id)
    return found


def _person(node: Person, context: Context) -> Facts:
    named = _named_in(node.id, context)
    accounts = context.index.accounts.get(node.id, ())
    for account in accounts:
        named.extend({"field": field, "in": owner, "via": account}
                     for field, owner in context.named_in.get(account, ()))
    return {
        "status": node.status,
        "departed": _iso(node.departed),
        "days_since_departed": _days(node.departed, context),
        "emails": list(node.emails),
        "aliases": list(node.aliases),
        "departed_basis": node.departed_basis,
        "contradictions": list(node.contradictions),
        "accounts": list(accounts),
        "named_in": named,
        "grants": _grants(context.direct_grants.get(node.id, []), context),
        "assumes": _assumes(node.id, context),
        "assumes_by_flag": _assumes_by_flag(node.id, context),
    }


def _named_in(node_id: str, context: Context) -> list[dict[str, str]]:
    return [{"field": field, "in": owner} for field, owner in context.named_in.get(node_id, ())]


def _principal(node: Principal, context: Context) -> Facts:
    person = context.index.nodes.get(node.person) if node.person else None
    owner = context.index.nodes.get(node.owner) if node.owner else None
    return {
        "type": node.type,
        "person": node.person,
        "person_status": person.status if isinstance(person, Person) else None,
        "owner": None if node.owner is None else {
            "id": node.owner,
            "kind": owner.kind if owner else None,
            "status": _status_of(node.owner, context),
        },
        "roster": context.roster,
        "active_access_keys": context.active_access_keys.get(node.id, 0),
        "identifiers": list(node.identifiers),
        "flags": list(node.flags),
        "named_in": _named_in(node.id, context),
        "grants": _grants(context.direct_grants.get(node.id, []), context),
        "assumes": _assumes(node.id, context),
        "assumes_by_flag": _assumes_by_flag(node.id, context),
    }


def _group(node: Group, context: Context) -> Facts:
    return {
        "members": list(node.members),
        "flags": list(node.flags),
        "named_in": _named_in(node.id, context),
        "grants": _grants(context.direct_grants.get(node.id, []), context),
        "assumes": _assumes(node.id, context),
        "assumes_by_flag": _assumes_by_flag(node.id, context),
    }


def _role(node: Role, context: Context) -> Facts:
    return {
        "assumable_by": list(node.assumable_by),
        "assumable_by_everyone": EVERYONE in node.assumable_by,
        "assume_condition": node.condition,
        "flags": list(node.flags),
        "grants": _grants([*node.grants, *context.direct_grants.get(node.id, [])], context),
        "assumes": _assumes(node.id, context),
        "assumes_by_flag": _assumes_by_flag(node.id, context),
    }


def _credential(node: Credential, context: Context) -> Facts:
    holders = default_holders(node, context.index)
    target = context.index.nodes.get(node.principal or "")
    principal_type = target.type if isinstance(target, Principal) else (target.kind if target else None)
    people = _holder_people(holders, context)
    last_activity = node.last_used or node.created
    return {
        "type": node.type,
        "status": node.status,
        "principal": node.principal,
        "principal_type": principal_type,
        "principal_flags": list(target.flags) if isinstance(target, Principal) else [],
        "flags": list(node.flags),
        "contradictions": list(node.contradictions),
        "human": principal_type in ("user", "person"),
        "holders": [{"id": h, "kind": _kind(h, context), "status": _status_of(h, context)} for h in holders],
        "holder_people": [_holder(p, context) for p in people],
        "created": _iso(node.created),
        "last_used": _iso(node.last_used),
        "expires": _iso(node.expires),
        "mfa": node.mfa,
        "days_since_created": _days(node.created, context),
        "days_since_last_used": _days(node.last_used, context),
        "days_unused": _days(last_activity, context),
        "validity_days": (node.expires - node.created).days if node.expires and node.created else None,
        "held_via": display_path(held_path(node, context), context.graph),
    }


def _kind(name: str, context: Context) -> str | None:
    node = context.index.nodes.get(name)
    return node.kind if node else None


def _holder_people(holders: tuple[str, ...], context: Context) -> list[Person]:
    """The distinct people behind the holders: people, `user` accounts, and the members of groups, transitively."""
    people: dict[str, Person] = {}
    seen: set[str] = set()
    pending = list(holders)
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        node = context.index.nodes.get(name)
        if name == EVERYONE:  # "*" holds it: every person does
            pending.extend(n.id for n in context.index.nodes.values() if isinstance(n, Person))
        elif isinstance(node, Group):
            pending.extend(node.members)
        elif (person := context.index.person_of(name)) is not None:
            people[person.id] = person
    return sorted(people.values(), key=lambda p: p.id)


def _key(node: Key, context: Context) -> Facts:
    last_rotation = node.rotated or node.created
    rotation_days = node.rotation_days or DEFAULT_ROTATION_DAYS
    since = _days(last_rotation, context)
    protected = [context.index.nodes.get(r) for r in node.protects]
    return {
        "purpose": node.purpose,
        "storage": node.storage,
        "created": _iso(node.created),
        "rotated": _iso(node.rotated),
        "rotation_days": rotation_days,
        "days_since_rotated": since,
        "rotation_overdue_days": None if since is None else since - rotation_days,
        "readable_by": list(node.readable_by),
        "signs_for": list(node.signs_for),
        "signs_for_everyone": EVERYONE in node.signs_for,
        "token_ttl": node.token_ttl,
        "token_ttl_seconds": node.token_ttl_seconds,
        "protects": list(node.protects),
        "auto_rotate": node.auto_rotate,
        "scope": node.scope,
        "flags": list(node.flags),
        "protects_customer_data": any(
            isinstance(r, Resource) and is_customer_data(r, context.patterns) for r in protected
        ),
        "readers": [_reader(name, last_rotation, context) for name in context.key_readers.get(node.id, ())],
        "held_via": display_path(held_path(node, context), context.graph),
    }


def _holder(person: Person, context: Context) -> Facts:
    return _listed_person(person, None, context)


def _reader(person_id: str, last_rotation: date | None, context: Context) -> Facts:
    person = context.index.nodes[person_id]
    assert isinstance(person, Person)
    departed_after = person.status in ("departed", "suspended") and (
        # an unknown departure or rotation date cannot prove the person left before the key changed
        person.departed is None or last_rotation is None or person.departed > last_rotation
    )
    return _listed_person(person, departed_after, context)


def _listed_person(person: Person, departed_after: bool | None, context: Context) -> Facts:
    """A person as a list item: a credential's holder (`departed_after` None), a key's reader (whether they left
    after its last rotation). One dict each, shared by every list naming them (`Context.people`)."""
    found = context.people.get((person.id, departed_after))
    if found is None:
        found = {"id": person.id, "status": person.status, "departed": _iso(person.departed),
                 "departed_basis": person.departed_basis}
        if departed_after is not None:
            found["departed_after_rotation"] = departed_after
        context.people[(person.id, departed_after)] = found
    return found


def _resource(node: Resource, context: Context) -> Facts:
    return {
        "type": node.type,
        "data": list(node.data),
        "customer_data": is_customer_data(node, context.patterns),
        "classes": customer_classes(node, context.patterns),
        "records": node.records,
        "logging": node.logging,
        "log_retention_days": node.log_retention_days,
        "monitoring": node.monitoring,
        "scope": node.scope,
        "flags": list(node.flags),
        "grants": _grants(_open_to_everyone(node, context), context),
    }


def _open_to_everyone(node: Resource, context: Context) -> list[Grant]:
    """The grants to everyone on this resource: by its id, or by a glob (a policy whose target a template leaves
    open), in the inventory's order. The globs are few (one per such policy): the rest is one lookup."""
    found = [*context.open_grants.get(node.id, ()), *((i, g) for i, g in context.open_globs if grant_covers(g, node))]
    return [grant for _, grant in sorted(found, key=lambda pair: pair[0])]


_BUILDERS: dict[str, Any] = {
    "person": _person,
    "principal": _principal,
    "group": _group,
    "role": _role,
    "credential": _credential,
    "key": _key,
    "resource": _resource,
}
