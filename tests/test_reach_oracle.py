"""Reachability against an independent brute-force oracle, on random inventories.

The oracle re-reads DESIGN.md's semantics as a "can x directly get to y" predicate over every pair of nodes and
takes the transitive closure by plain search; it shares no code with graph.py or reach.py.
"""

from __future__ import annotations

import fnmatch
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylint.graph import RELATIONS, build_graph, build_index, display_path, path_steps
from policylint.model import (
    Credential,
    Grant,
    Group,
    Inventory,
    Key,
    Location,
    Node,
    Person,
    Principal,
    Resource,
    Role,
)
from policylint.reach import compute_reach

HERE = Location("random.yaml", 1, 1)
PATTERNS = ("customer*",)
GLOBS = ["res*", "*1", "key*", "re?2", "[rk]e*0"]  # grant resources that name many ids
SCOPES = [None, "aws:1", "aws:2", "aws", "k8s:a"]


@st.composite
def inventories(draw: st.DrawFn) -> Inventory:
    n = {k: draw(st.integers(0, 5)) for k in ("person", "principal", "group", "role", "credential", "key", "resource")}
    ids = {k: [f"{k[:3]}{i}" for i in range(c)] for k, c in n.items()}
    identity = ids["person"] + ids["principal"] + ids["group"]
    ghost = ["ghost"]  # a name defined nowhere

    def some(pool: list[str], star: bool = False) -> tuple[str, ...]:
        choices = pool + ghost + (["*"] if star else [])
        return tuple(draw(st.lists(st.sampled_from(choices), max_size=3, unique=True)))

    def one(pool: list[str]) -> str | None:
        return draw(st.one_of(st.none(), st.sampled_from(pool + ghost)))

    people = tuple(Person(i, HERE, draw(st.sampled_from(["active", "departed", "suspended", "leave"])))
                   for i in ids["person"])
    principals = []
    for i in ids["principal"]:
        kind = draw(st.sampled_from(["user", "service", "external"]))
        principals.append(Principal(i, HERE, kind, one(ids["person"]) if kind == "user" else None,
                                    one(ids["person"] + ids["group"]) if kind != "user" else None))
    groups = tuple(Group(i, HERE, some(identity, star=True)) for i in ids["group"])

    def grants(to: str | None = None) -> tuple[Grant, ...]:
        pool = ids["resource"] + ids["key"] + ghost + ["*"] + GLOBS
        return tuple(Grant(draw(st.sampled_from(pool)),
                           tuple(draw(st.lists(st.sampled_from(["read", "write", "delete", "admin", "*"]),
                                               min_size=1, max_size=2, unique=True))), HERE, to,
                           excluding=tuple(draw(st.lists(st.sampled_from(["res1", "res*", "key0", "*2"]),
                                                         max_size=2, unique=True))),
                           condition=draw(st.sampled_from([None, None, "aws:MultiFactorAuthPresent=true"])))
                     for _ in range(draw(st.integers(0, 2))))

    roles = tuple(Role(i, HERE, some(identity + ids["role"], star=True), grants()) for i in ids["role"])
    direct = tuple(g for _ in range(draw(st.integers(0, 3)))
                   for g in grants(draw(st.sampled_from(identity + ids["role"] + ghost + ["*"]))))
    credentials = tuple(
        Credential(i, HERE, "token", one(ids["principal"] + ids["person"]),
                   draw(st.one_of(st.none(), st.just(some(identity, star=True)))),
                   draw(st.sampled_from(["active", "active", "inactive"])))
        for i in ids["credential"])
    keys = tuple(Key(i, HERE, draw(st.sampled_from(["signing", "encryption"])), "kms",
                     readable_by=some(identity + ids["role"], star=True),
                     signs_for=some(ids["principal"] + ids["person"] + ["pri*", "*1"], star=True),
                     scope=draw(st.sampled_from(SCOPES)))
                 for i in ids["key"])
    resources = tuple(Resource(i, HERE, draw(st.sampled_from(["database", "bucket", "access_control"])),
                               tuple(draw(st.lists(st.sampled_from(["customer_pii", "customer_orders", "metrics"]),
                                                   max_size=2, unique=True))), draw(st.integers(0, 1000)),
                               scope=draw(st.sampled_from(SCOPES)))
                      for i in ids["resource"])
    return Inventory(people, tuple(principals), groups, roles, direct, credentials, keys, resources)


class Oracle:
    """DESIGN.md, read literally: step(x, y) says whether x can directly act as or get to y."""

    def __init__(self, inv: Inventory) -> None:
        self.inv = inv
        self.nodes: dict[str, Node] = {n.id: n for n in inv.nodes()}

    def is_identity(self, x: Node) -> bool:
        return isinstance(x, Person | Principal)

    def named(self, x: Node, names: tuple[str, ...]) -> bool:
        return x.id in names or ("*" in names and self.is_identity(x))

    def holders(self, c: Credential) -> tuple[str, ...]:
        if c.holders is not None:
            return c.holders
        p = self.nodes.get(c.principal or "")
        if isinstance(p, Person):
            return (p.id,)
        if isinstance(p, Principal):
            name = p.person if p.type == "user" else p.owner
            return (name,) if name else ()
        return ()

    def grants_of(self, x: Node) -> list[Grant]:
        grants = [g for r in self.inv.roles if r.id == x.id for g in r.grants]
        return grants + [g for g in self.inv.grants if g.to == x.id or (g.to == "*" and self.is_identity(x))]

    @staticmethod
    def names(g: Grant, y: Node) -> bool:
        """A grant names y: its id; "*" = every resource (not keys); a glob = every resource or key matching;
        never what an `excluding` glob matches."""
        if not isinstance(y, Resource | Key) or any(fnmatch.fnmatchcase(y.id, e) for e in g.excluding):
            return False
        if g.resource == "*":
            return isinstance(y, Resource)
        glob = any(c in g.resource for c in "*?[")
        return g.resource == y.id or (glob and fnmatch.fnmatchcase(y.id, g.resource))

    @staticmethod
    def controls(ac: Resource, y: Node) -> bool:
        """Admin on access-control resource ac reaches y when their scopes nest (None: everything)."""
        a, b = ac.scope, getattr(y, "scope", None)
        return a is None or b is None or a == b or b.startswith(f"{a}:") or a.startswith(f"{b}:")

    def admin_on_access_control(self, x: Node, y: Node | None = None) -> bool:
        """x holds admin on some access-control resource (that controls y, when y is given)."""
        controls = [r for r in self.inv.resources if r.type == "access_control"]
        return any(g.is_admin and self.names(g, ac) and (y is None or self.controls(ac, y))
                   for g in self.grants_of(x) for ac in controls)

    def step(self, x: Node, y: Node) -> bool:
        if isinstance(x, Person) and isinstance(y, Principal) and y.type == "user" and y.person == x.id:
            return True
        if isinstance(x, Principal) and x.type == "user" and isinstance(y, Person) and x.person == y.id:
            return True
        if isinstance(y, Group) and self.named(x, y.members):
            return True
        if isinstance(y, Role) and self.named(x, y.assumable_by):
            return True
        if isinstance(y, Resource | Key) and self.admin_on_access_control(x, y):
            return True
        if isinstance(y, Resource | Key) and any(self.names(g, y) for g in self.grants_of(x)):
            return True
        if isinstance(y, Credential) and y.status == "active" and self.named(x, self.holders(y)):
            return True
        if isinstance(x, Credential) and x.status == "active" and x.principal == y.id:
            return True
        if isinstance(y, Key) and self.named(x, y.readable_by):
            return True
        if isinstance(x, Key) and (y.id in x.signs_for or ("*" in x.signs_for and isinstance(y, Principal))):
            return isinstance(y, Principal | Person)
        # a glob in signs_for: every principal whose id matches
        return isinstance(x, Key) and isinstance(y, Principal) and any(
            any(c in s for c in "*?[") and s != "*" and fnmatch.fnmatchcase(y.id, s) for s in x.signs_for)

    def reached(self, start: Node) -> set[str]:
        seen, todo = {start.id}, [start]
        while todo:
            x = todo.pop()
            for y in self.nodes.values():
                if y.id not in seen and self.step(x, y):
                    seen.add(y.id)
                    todo.append(y)
        return seen


def customer(r: Resource) -> bool:
    return any(c.startswith("customer") for c in r.data)


@pytest.mark.slow  # 300 random inventories against an O(N²) oracle: ~10 s
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories())
def test_reach_matches_brute_force_oracle(inv: Inventory) -> None:
    index = build_index(inv)
    graph = build_graph(inv, index)
    reach = compute_reach(graph, inv, PATTERNS)
    oracle = Oracle(inv)
    for node in inv.nodes():
        expected = oracle.reached(node)
        want_resources = sorted(r.id for r in inv.resources if r.id in expected and customer(r))
        assert sorted(r.id for r in reach.reached_resources(node.id)) == want_resources, node.id
        assert sorted(reach.reached_keys(node.id)) == sorted(k.id for k in inv.keys if k.id in expected), node.id
        steps = path_steps(reach.path(node.id), graph)
        path = [step.node for step in steps]
        assert display_path(reach.path(node.id), graph) == [step.shown for step in steps]
        assert bool(path) == bool(want_resources), node.id
        if path:
            assert path[0] == node.id and path[-1] in want_resources
            for before, a, b in zip([None, *path], path, path[1:], strict=False):
                # "x → iam → db" reads: x has admin on access-control resource iam, hence reaches db
                through_admin = before is not None and oracle.admin_on_access_control(oracle.nodes[before],
                                                                                      oracle.nodes[b])
                assert oracle.step(oracle.nodes[a], oracle.nodes[b]) or through_admin, (a, b)
        # every step after the first says how it is reached, with a relation of the graph's vocabulary; a
        # conditional step is marked, and only where every grant behind that step is conditional
        assert all(step.relation in RELATIONS for step in steps[1:]) and all(not s.relation for s in steps[:1])
        for step in steps:
            assert step.condition in ("", "aws:MultiFactorAuthPresent=true"), step
            assert not step.node.startswith("*") and not step.node.endswith("#admin"), step


def test_oracle_sees_the_design_example() -> None:
    """The oracle itself is right on the DESIGN.md example (so agreement means something)."""
    inv = Inventory(
        people=(Person("kim", HERE, "departed", date(2025, 6, 14)),),
        principals=(Principal("svc", HERE, "service", owner="kim"),),
        roles=(Role("reader", HERE, ("svc",), (Grant("db", ("read",), HERE),)),),
        credentials=(Credential("ak", HERE, "access_key", "svc", None, "active"),),
        resources=(Resource("db", HERE, "database", ("customer_pii",), 10),),
    )
    assert "db" in Oracle(inv).reached(inv.people[0])
