"""Evidence paths as typed steps: built once from the graph's edges, hubs folded into the step after them."""

from __future__ import annotations

from policylint.graph import RELATIONS, Step, build_graph, build_index, path_steps
from policylint.model import Credential, Grant, Group, Inventory, Key, Location, Person, Principal, Resource, Role
from policylint.reach import compute_reach

HERE = Location("org.yaml", 1, 1)
DB = Resource("customers-db", HERE, "database", ("customer_pii",), 33_700_000, scope="aws:1")
IAM = Resource("iam", HERE, "access_control", scope="aws:1")


def steps_to_customer_data(inventory: Inventory, start: str) -> tuple[Step, ...]:
    index = build_index(inventory)
    graph = build_graph(inventory, index)
    return path_steps(compute_reach(graph, inventory, ("customer*",)).path(start), graph)


def test_each_step_says_how_it_is_reached() -> None:
    inventory = Inventory(
        people=(Person("kim.jh", HERE, "departed"),),
        principals=(Principal("order-sync", HERE, "service", owner="kim.jh"),),
        credentials=(Credential("ak-7731", HERE, "access_key", "order-sync", ("kim.jh",), "active"),),
        roles=(Role("reader", HERE, ("order-sync",), (Grant(DB.id, ("read", "write"), HERE),)),),
        resources=(DB,))
    assert steps_to_customer_data(inventory, "kim.jh") == (
        Step("kim.jh", "person"), Step("ak-7731", "credential", "holds"),
        Step("order-sync", "principal", "authenticates"), Step("reader", "role", "assumes"),
        Step("customers-db", "resource", "grants", ("read", "write")))


def test_a_role_anyone_may_assume_is_one_step_through_anyone() -> None:
    inventory = Inventory(people=(Person("lee", HERE, "active"),),
                          roles=(Role("open", HERE, ("*",), (Grant(DB.id, ("read",), HERE),), condition="c=1"),),
                          resources=(DB,))
    assert steps_to_customer_data(inventory, "lee") == (
        Step("lee", "person"), Step("open", "role", "assumes", condition="c=1", through="anyone"),
        Step("customers-db", "resource", "grants", ("read",)))


def test_admin_on_access_control_is_the_resource_then_what_it_controls() -> None:
    inventory = Inventory(people=(Person("lee", HERE, "active"),),
                          grants=(Grant("iam", ("admin",), HERE, to="lee"),), resources=(DB, IAM))
    assert steps_to_customer_data(inventory, "lee") == (
        Step("lee", "person"), Step("iam", "resource", "grants", ("admin",)),
        Step("customers-db", "resource", "controls"))


def test_a_glob_grant_and_a_key_for_everyone_name_their_sets() -> None:
    inventory = Inventory(
        people=(Person("lee", HERE, "active"),),
        groups=(Group("ops", HERE, ("lee",)),),
        keys=(Key("jwt", HERE, "signing", "kms", readable_by=("ops",), signs_for=("*",)),),
        principals=(Principal("svc", HERE, "service"),),
        grants=(Grant("customers-*", ("read",), HERE, to="svc", condition="aws:SourceVpce=vpce-1"),),
        resources=(DB,))
    assert steps_to_customer_data(inventory, "lee") == (
        Step("lee", "person"), Step("ops", "group", "member"), Step("jwt", "key", "reads_key"),
        Step("svc", "principal", "mints", through="every principal"),
        Step("customers-db", "resource", "grants", ("read",), "aws:SourceVpce=vpce-1", "ids matching customers-*"))


def test_labels_read_as_people_say_them() -> None:
    assert [Step("x", "role", r).label for r in ("member", "reads_key", "mints", "authenticates")] == [
        "member of", "reads key", "signs for", "authenticates as"]
    assert Step("db", "resource", "grants", ("read", "write")).label == "read, write"
    assert Step("db", "resource", "grants", ("*",)).label == "all actions"
    assert Step("db", "resource", "grants", (), "c").shown == "db [if c]"
    assert set(RELATIONS) == {"is", "member", "assumes", "holds", "authenticates", "grants", "controls",
                              "reads_key", "mints"}


def test_a_hub_is_keyed_by_what_it_matches_never_by_a_string_built_of_it() -> None:
    """A grant on the literal `mint:svc-*` (or on `cust*|-x`) once named the same hub as a key signing for `svc-*`
    (or the glob `cust*` minus `x`), and whichever came first decided what the hub reached: a leaver's path lost."""
    inventory = Inventory(
        people=(Person("ann", HERE, "departed"),),
        principals=(Principal("svc-a", HERE, "service"), Principal("svc-b", HERE, "service")),
        roles=(Role("decoy", HERE, ("svc-a",), (Grant("mint:svc-*", ("read",), HERE),
                                                 Grant("customers*|-customers-db", ("read",), HERE))),
               Role("reader", HERE, ("svc-b",), (Grant("customers*", ("read",), HERE,
                                                       excluding=("customers-db",)), Grant(DB.id, ("read",), HERE)))),
        keys=(Key("k1", HERE, "signing", "file", readable_by=("ann",), signs_for=("svc-*",)),),
        resources=(DB,))
    assert steps_to_customer_data(inventory, "ann") == (
        Step("ann", "person"), Step("k1", "key", "reads_key"),
        Step("svc-b", "principal", "mints", through="principals matching svc-*"),
        Step("reader", "role", "assumes"), Step("customers-db", "resource", "grants", ("read",)))
