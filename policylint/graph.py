"""The access graph: one directed graph over the whole inventory, edges in the direction "can act as / get to".

Edge kinds are those of DESIGN.md. Three kinds of hub node keep "everyone" semantics linear in size:
- `*` (EVERYONE): every person and principal → `*`; `*` → each role assumable by "*" and each resource granted to "*";
- `*principals` (ALL_PRINCIPALS): each key that signs for "*" → `*principals` → every principal;
- `*resources` (ALL_RESOURCES): each grant on resource "*" → `*resources` → every resource;
- `<resource>#admin`: admin on an access_control resource (or on "*") leads here, and from here to that resource
  and to every resource and key in its scope (the whole inventory, for the native format);
- `*match:<n>`: a grant on a glob of ids (`aws:s3:::customer-*`) leads here, and from here to every resource and
  key whose id matches and no `excluding` glob matches (one hub per distinct glob and exclusions, so no holder ×
  target edges; `Graph.labels` says which, and `*mint:<n>` the same for the principals a key signs for).
Scopes nest by `:`: an access-control resource of scope `aws:123` controls what has scope `aws:123`, `aws` (an AWS
account that is not known) or none (not known at all: fail closed); one without a scope controls everything.
A grant edge that holds only under a condition keeps it as `condition`, unless an unconditional grant gives
the same edge; display paths show it. So does an `assumes` edge: the assumer's own condition (`Role.conditions`),
else the role's (`Role.condition`).
A name defined nowhere gets no edge (facts report it); it never stops the graph from being built.
"""

from __future__ import annotations

import fnmatch
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from policylint.model import (
    ACCESS_CONTROL,
    EVERYONE,
    Credential,
    Grant,
    Inventory,
    Key,
    Node,
    Person,
    Principal,
    Resource,
)


class Edges:
    """`graph.edges[u, v]`: the attributes of an edge; `graph.edges(data="kind")`: (u, v, value) for every edge."""

    __slots__ = ("_succ",)

    def __init__(self, succ: dict[str, dict[str, dict[str, Any]]]) -> None:
        self._succ = succ

    def __getitem__(self, edge: tuple[str, str]) -> dict[str, Any]:
        return self._succ[edge[0]][edge[1]]

    def __call__(self, data: str) -> Iterator[tuple[str, str, Any]]:
        return ((u, v, attributes.get(data)) for u, targets in self._succ.items() for v, attributes in targets.items())


class Graph:
    """A directed graph as dicts of dicts: `succ[u][v]` and `pred[v][u]` are the same attribute dict of the edge
    u → v, nodes keep the order they were added in. The part of NetworkX's `DiGraph` interface the pipeline uses,
    without importing NetworkX (a fifth of the pre-commit hook's time was that import: 0.22 s)."""

    __slots__ = ("_shared", "edges", "kinds", "labels", "matches", "pred", "steps", "succ")

    def __init__(self) -> None:
        self.succ: dict[str, dict[str, dict[str, Any]]] = {}
        self.pred: dict[str, dict[str, dict[str, Any]]] = {}
        self.kinds: dict[str, str] = {}
        self.labels: dict[str, str] = {}  # hub id -> the set it stands for, as people read it
        # (glob, sorted exclusions) -> the hub of the ids it matches (`_Matcher`): facts read what a glob names there
        self.matches: dict[tuple[str, tuple[str, ...]], str] = {}
        self.edges = Edges(self.succ)
        # Edges with the same attributes share one dict (a million `{"kind": "holds"}` were a third of the graph's
        # memory): an edge's dict is never changed in place, `add_edge` and `set_edge` put another in its place.
        self._shared: dict[tuple[tuple[str, Any], ...], dict[str, Any]] = {}
        self.steps: dict[Step, Step] = {}  # each distinct evidence step once (`path_steps`: 300,000 findings' paths)

    def add_node(self, node: str, kind: str | None = None) -> None:
        if node not in self.succ:
            self.succ[node] = {}
            self.pred[node] = {}
        if kind is not None:
            self.kinds[node] = kind

    def add_edge(self, source: str, target: str, **attributes: Any) -> None:
        """As NetworkX does: the ends are added when missing, an existing edge's attributes are updated."""
        self.add_node(source)
        self.add_node(target)
        found = self.succ[source].get(target)
        self.set_edge(source, target, attributes if found is None else {**found, **attributes})

    def set_edge(self, source: str, target: str, attributes: dict[str, Any]) -> None:
        """The edge's attributes, all of them (the edge exists, or its ends do); shared with every edge of the same."""
        if len(attributes) == 1:  # `{"kind": …}`, most of a million edges: no sorting
            ((name, value),) = attributes.items()
            key: tuple[tuple[str, Any], ...] = ((name, tuple(value) if isinstance(value, list) else value),)
        else:
            key = tuple((name, tuple(value) if isinstance(value, list) else value)
                        for name, value in sorted(attributes.items()))
        try:
            shared = self._shared.setdefault(key, attributes)
        except TypeError:  # a value that cannot be a key: the edge keeps a dict of its own
            shared = attributes
        self.succ[source][target] = self.pred[target][source] = shared

    def add_edges_from(self, edges: Iterable[tuple[str, str]], **attributes: Any) -> None:
        for source, target in edges:
            self.add_edge(source, target, **attributes)

    def __contains__(self, node: object) -> bool:
        return node in self.succ

    def __iter__(self) -> Iterator[str]:
        return iter(self.succ)

    def has_edge(self, source: str, target: str) -> bool:
        return target in self.succ.get(source, {})

    def number_of_nodes(self) -> int:
        return len(self.succ)

    def number_of_edges(self) -> int:
        return sum(len(targets) for targets in self.succ.values())


ALL_PRINCIPALS = "*principals"
ALL_RESOURCES = "*resources"
ADMIN_SUFFIX = "#admin"
MATCH_PREFIX = "*match:"  # + a number: one hub per distinct glob and exclusions (`Graph.labels` says which)
MINT_PREFIX = "*mint:"  # + a number: one hub per glob of principals a key signs for
GLOB_CHARS = re.compile(r"[*?\[]")
CONDITION_MARK = " [if "


@dataclass(frozen=True, slots=True)
class Index:
    """Lookups every later stage needs, computed once."""

    nodes: dict[str, Node]
    accounts: dict[str, tuple[str, ...]]  # person id -> ids of its `user` principals

    def person_of(self, node_id: str) -> Person | None:
        """The person a name stands for: the person itself, or the person behind a `user` principal."""
        node = self.nodes.get(node_id)
        if isinstance(node, Principal) and node.type == "user" and node.person is not None:
            node = self.nodes.get(node.person)
        return node if isinstance(node, Person) else None


def build_index(inventory: Inventory) -> Index:
    nodes: dict[str, Node] = {node.id: node for node in inventory.nodes()}
    accounts: dict[str, list[str]] = {}
    for principal in inventory.principals:
        if principal.type == "user" and isinstance(nodes.get(principal.person or ""), Person):
            accounts.setdefault(principal.person or "", []).append(principal.id)
    return Index(nodes, {person: tuple(ids) for person, ids in accounts.items()})


def default_holders(credential: Credential, index: Index) -> tuple[str, ...]:
    """DESIGN.md: the holders of a credential, when it does not name them, are the human behind its principal."""
    if credential.holders is not None:
        return credential.holders
    principal = index.nodes.get(credential.principal or "")
    if isinstance(principal, Person):
        return (principal.id,)
    if isinstance(principal, Principal):
        if principal.type == "user":
            return (principal.person,) if principal.person else ()
        return (principal.owner,) if principal.owner else ()
    return ()


def admin_hub(resource_id: str) -> str:
    return resource_id + ADMIN_SUFFIX


def is_glob(name: str) -> bool:
    """A grant resource that names many ids; "*" alone (every resource) is not one of these."""
    return name != EVERYONE and GLOB_CHARS.search(name) is not None


def scopes_meet(controller: str | None, target: str | None) -> bool:
    """Whether an access-control resource of scope `controller` controls what lives in scope `target`."""
    if controller is None or target is None or controller == target:
        return True
    return target.startswith(controller + ":") or controller.startswith(target + ":")


def grant_covers(grant: Grant, node: Node) -> bool:
    """Whether the grant's resource names the node (a resource, or a key), the way the graph reads it."""
    if not isinstance(node, Resource | Key):
        return False
    if grant.resource == node.id:
        named = True
    elif grant.resource == EVERYONE:
        named = isinstance(node, Resource)
    else:
        named = is_glob(grant.resource) and fnmatch.fnmatchcase(node.id, grant.resource)
    return named and not any(fnmatch.fnmatchcase(node.id, e) for e in grant.excluding)


def build_graph(inventory: Inventory, index: Index) -> Graph:
    graph = Graph()
    for node in inventory.nodes():
        graph.add_node(node.id, kind=node.kind)
    _add_identity_edges(graph, inventory, index)
    _add_credential_edges(graph, inventory, index)
    _add_grant_edges(graph, inventory, index)
    _add_key_edges(graph, inventory, index)
    return graph


def _link(graph: Graph, index: Index, source: str, target: str, kind: str) -> None:
    """An edge between two defined names; `*` as source means everyone (through the EVERYONE hub)."""
    if source == EVERYONE:
        _everyone(graph, index)
    elif source not in index.nodes:
        return
    if target in graph:
        graph.add_edge(source, target, kind=kind)


def _everyone(graph: Graph, index: Index) -> None:
    if EVERYONE in graph:
        return
    graph.add_node(EVERYONE, kind="everyone")
    for node in index.nodes.values():
        if node.kind in ("person", "principal"):
            graph.add_edge(node.id, EVERYONE, kind="is")


def _add_identity_edges(graph: Graph, inventory: Inventory, index: Index) -> None:
    for person, accounts in index.accounts.items():
        for account in accounts:
            graph.add_edge(person, account, kind="is")
            graph.add_edge(account, person, kind="is")
    for group in inventory.groups:
        for member in group.members:
            _link(graph, index, member, group.id, "member")
    for role in inventory.roles:
        own = dict(role.conditions) if role.conditions else {}  # each assumer's, where the trust says
        for who in role.assumable_by:
            _link(graph, index, who, role.id, "assumes")
            condition = own.get(who, role.condition)
            if condition is not None and graph.has_edge(who, role.id):
                graph.set_edge(who, role.id, {**graph.edges[who, role.id], "condition": condition})


def _add_credential_edges(graph: Graph, inventory: Inventory, index: Index) -> None:
    for credential in inventory.credentials:
        if credential.status != "active":
            continue  # only active credentials carry edges
        for holder in default_holders(credential, index):
            _link(graph, index, holder, credential.id, "holds")
        if credential.principal is not None:
            _link(graph, index, credential.id, credential.principal, "authenticates")


def _add_grant_edges(graph: Graph, inventory: Inventory, index: Index) -> None:
    targets: list[Resource | Key] = [*inventory.resources, *inventory.keys]
    by_scope: dict[str | None, list[str]] = {}
    for target in targets:
        by_scope.setdefault(target.scope, []).append(target.id)
    for resource in inventory.resources:
        if resource.type == ACCESS_CONTROL:
            hub = admin_hub(resource.id)
            graph.add_node(hub, kind="admin")
            for scope, ids in by_scope.items():
                if scopes_meet(resource.scope, scope):
                    graph.add_edges_from(((hub, target) for target in ids), kind="controls")
    matcher = _Matcher(targets, graph.matches)
    for holder, grant in _all_grants(inventory):
        _grant_edge(graph, index, holder, grant, matcher)


def _all_grants(inventory: Inventory) -> Iterator[tuple[str, Grant]]:
    for role in inventory.roles:
        for grant in role.grants:
            yield role.id, grant
    for grant in inventory.grants:
        yield grant.to or "", grant


def _grant_edge(graph: Graph, index: Index, holder: str, grant: Grant, matcher: _Matcher) -> None:
    if grant.excluding or is_glob(grant.resource):  # many ids: through one hub per distinct glob
        hub, controls = matcher.hub(graph, grant)
        targets = [hub, *(admin_hub(c) for c in controls)] if grant.is_admin else [hub]
    elif grant.resource == EVERYONE:  # every resource: through one hub, and admin on every access control
        _all_resources(graph, index)
        targets = [ALL_RESOURCES]
        if grant.is_admin:
            targets += [admin_hub(r.id) for r in index.nodes.values()
                        if isinstance(r, Resource) and r.type == ACCESS_CONTROL]
    else:
        resource = index.nodes.get(grant.resource)
        if not isinstance(resource, Resource | Key):
            return
        escalates = grant.is_admin and isinstance(resource, Resource) and resource.type == ACCESS_CONTROL
        targets = [admin_hub(resource.id) if escalates else resource.id]
    for target in targets:
        _link(graph, index, holder, target, "grants")
        if graph.has_edge(holder, target):
            data = dict(graph.edges[holder, target])
            data["actions"] = sorted(set(data.get("actions", ())) | set(grant.actions))
            if grant.condition is None:
                data["unconditional"] = True
                data.pop("condition", None)
            elif not data.get("unconditional"):
                data.setdefault("condition", grant.condition)
            graph.set_edge(holder, target, data)


class _Matcher:
    """Glob grants to the resources and keys they match, each distinct glob matched once.

    Ids are kept sorted, so a glob with a literal prefix (`aws:s3:::customer-*`) only tests the ids that share it.
    """

    def __init__(self, targets: list[Resource | Key], hubs: dict[tuple[str, tuple[str, ...]], str]) -> None:
        self.targets = {t.id: t for t in targets}
        self.ids = sorted(self.targets)
        self.controls: dict[str, list[str]] = {}  # hub -> the access-control resources it matches
        # (glob, exclusions) -> its hub (`Graph.matches`): keyed by the values, never by a string built of them (a
        # literal resource written `cust*|-x` must not be the hub of the glob `cust*` minus `x`)
        self.hubs = hubs

    def hub(self, graph: Graph, grant: Grant) -> tuple[str, list[str]]:
        """The glob's hub, and the access-control resources it matches (admin on those is admin of their scope,
        which only an admin grant gets: the hub itself is shared by every grant on the same glob)."""
        excluded = tuple(sorted(set(grant.excluding)))
        hub = self.hubs.get((grant.resource, excluded))
        if hub is None:
            hub = self.hubs[grant.resource, excluded] = f"{MATCH_PREFIX}{len(self.hubs)}"
            graph.add_node(hub, kind="match")
            graph.labels[hub] = f"ids matching {grant.resource}" + (f" except {', '.join(excluded)}" if excluded
                                                                     else "")
            controls = self.controls[hub] = []
            for target_id in self._candidates(grant.resource):
                target = self.targets[target_id]
                if grant_covers(grant, target):
                    graph.add_edge(hub, target_id, kind="grants")
                    if isinstance(target, Resource) and target.type == ACCESS_CONTROL:
                        controls.append(target_id)
        return hub, self.controls[hub]

    def _candidates(self, pattern: str) -> list[str]:
        first = GLOB_CHARS.search(pattern)
        prefix = pattern[: first.start()] if first else pattern
        start = bisect_left(self.ids, prefix)
        end = start
        while end < len(self.ids) and self.ids[end].startswith(prefix):
            end += 1
        return self.ids[start:end]


def _all_resources(graph: Graph, index: Index) -> None:
    if ALL_RESOURCES in graph:
        return
    graph.add_node(ALL_RESOURCES, kind="all_resources")
    graph.add_edges_from(((ALL_RESOURCES, r.id) for r in index.nodes.values() if isinstance(r, Resource)),
                         kind="grants")


def _add_key_edges(graph: Graph, inventory: Inventory, index: Index) -> None:
    mint_hubs: dict[str, str] = {}  # glob -> its hub, keyed by the value (see `_Matcher.hubs`)
    for key in inventory.keys:
        for reader in key.readable_by:
            _link(graph, index, reader, key.id, "reads_key")
        # signs_for is honoured whatever the declared purpose: missing a minting path is the worse mistake
        for principal in key.signs_for:
            if principal == EVERYONE:
                _all_principals(graph, inventory)
                graph.add_edge(key.id, ALL_PRINCIPALS, kind="mints")
            elif is_glob(principal):  # every principal whose id matches, through one hub per glob
                hub = mint_hubs.get(principal)
                if hub is None:
                    hub = mint_hubs[principal] = f"{MINT_PREFIX}{len(mint_hubs)}"
                    graph.add_node(hub, kind="match")
                    graph.labels[hub] = f"principals matching {principal}"
                    graph.add_edges_from(((hub, p.id) for p in inventory.principals
                                          if fnmatch.fnmatchcase(p.id, principal)), kind="mints")
                graph.add_edge(key.id, hub, kind="mints")
            elif isinstance(index.nodes.get(principal), Principal | Person):
                graph.add_edge(key.id, principal, kind="mints")


def _all_principals(graph: Graph, inventory: Inventory) -> None:
    if ALL_PRINCIPALS in graph:
        return
    graph.add_node(ALL_PRINCIPALS, kind="all_principals")
    graph.add_edges_from(((ALL_PRINCIPALS, p.id) for p in inventory.principals), kind="mints")


@dataclass(frozen=True, slots=True, order=True)
class Step:
    """One step of an evidence path, typed: the node reached and how the step before gets to it.

    Built once here, from the graph's own edges, and rendered only by reporters. Hubs never appear: a step across
    one (everyone, every resource, a glob's matches, every principal) is one step whose `through` says which set it
    went through; `x#admin` is the access-control resource `x` itself.
    """

    node: str  # the node's id (never a hub)
    kind: str  # person, principal, group, role, credential, key or resource
    relation: str = ""  # the edge from the step before ("" on the first step): one of RELATIONS
    access: tuple[str, ...] = ()  # on a grant: its actions (read, write, delete, admin, *)
    condition: str = ""  # the step holds only under this condition (fail closed: it still counts); "": always
    through: str = ""  # the set a hub stands for, when the step goes through one ("": none)

    @property
    def shown(self) -> str:
        """The step as a plain path lists it (`x [if <condition>]`): the JSON `path` and facts' `path` strings."""
        return f"{self.node}{CONDITION_MARK}{self.condition}]" if self.condition else self.node

    @property
    def label(self) -> str:
        """How a person reads the relation: `holds`, `member of`, `read, write`, `signs for`."""
        if self.relation == "grants" and self.access:
            return ", ".join("all actions" if action == "*" else action for action in self.access)
        return RELATIONS.get(self.relation, self.relation)


# Edge kinds as people read them. `grants` is shown as its actions when it has them.
RELATIONS = {"is": "is", "member": "member of", "assumes": "assumes", "holds": "holds",
             "authenticates": "authenticates as", "grants": "grants", "controls": "controls",
             "reads_key": "reads key", "mints": "signs for"}


def hub_set(hub: str, graph: Graph | None = None) -> str:
    """What a hub node stands for, as people read it (a glob's hub by the graph's `labels`: its id is a number)."""
    if graph is not None and hub in graph.labels:
        return graph.labels[hub]
    if hub == EVERYONE:
        return "anyone"
    if hub == ALL_RESOURCES:
        return "every resource"
    if hub == ALL_PRINCIPALS:
        return "every principal"
    if hub.startswith("*anyone-if:"):
        return f"anyone if {hub[len('*anyone-if:'):]}"
    return hub.lstrip("*")


def _is_hub(node: str) -> bool:
    return node.startswith("*")


def path_steps(path: Iterable[str], graph: Graph) -> tuple[Step, ...]:
    """A path of graph nodes as typed steps: hubs folded into the step after them, `x#admin` read as `x`, no node
    twice in a row. The relation is the last edge's kind, the access every action the edges crossed carry, the
    condition the last one met (an edge into a hub carries it over)."""
    steps: list[Step] = []
    previous: str | None = None
    crossed: list[dict[str, Any]] = []
    hubs: list[str] = []
    for node in path:
        if previous is not None:
            crossed.append(graph.succ.get(previous, {}).get(node, {}))
        previous = node
        if _is_hub(node):
            hubs.append(node)
            continue
        name = node[: -len(ADMIN_SUFFIX)] if node.endswith(ADMIN_SUFFIX) else node
        if steps and steps[-1].node == name:
            crossed, hubs = [], []
            continue
        step = _step(name, graph, crossed, hubs)
        steps.append(graph.steps.setdefault(step, step))
        crossed, hubs = [], []
    return tuple(steps)


def _step(name: str, graph: Graph, crossed: list[dict[str, Any]], hubs: list[str]) -> Step:
    kind = graph.kinds.get(name, "resource")
    if not crossed:
        return Step(name, kind)
    actions = sorted({a for edge in crossed for a in edge.get("actions", ())})
    condition = next((str(edge["condition"]) for edge in reversed(crossed) if edge.get("condition")), "")
    through = "; ".join(hub_set(h, graph) for h in hubs)
    return Step(name, kind, str(crossed[-1].get("kind", "")), tuple(actions), condition, through)


def display_path(path: Iterable[str], graph: Graph) -> list[str]:
    """A path as plain strings (facts' `path` and `held_via`, on every node that reaches anything): each step's
    `shown`, without building the steps (`tests/test_reach_oracle.py` holds the two equal)."""
    shown: list[str] = []
    previous: str | None = None
    pending: str | None = None  # a condition on an edge into a hub, shown on the next node that is shown
    for node in path:
        if previous is not None:
            pending = graph.succ[previous][node].get("condition") or pending
        previous = node
        if node.startswith("*"):
            continue
        name = node[: -len(ADMIN_SUFFIX)] if node.endswith(ADMIN_SUFFIX) else node
        if not shown or path_id(shown[-1]) != name:
            shown.append(f"{name}{CONDITION_MARK}{pending}]" if pending else name)
        pending = None
    return shown


def path_id(shown: str) -> str:
    return shown.split(CONDITION_MARK, 1)[0]
