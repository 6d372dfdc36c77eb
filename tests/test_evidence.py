"""A finding's evidence: which facts it is made of, and when a finding is worse than the one accepted."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from policylint.evidence import Evidence, Member, added, evidence_from_json, evidence_json, grows_by_itself, plan_of
from policylint.facts_schema import facts_schema
from policylint.findings import Evaluator, Finding, evidence_of, fingerprint, worse_than, worsened
from policylint.model import Credential, Location, Resource
from policylint.rules import Rule, builtin_policies, load_rules

RULES = {rule.id: rule for rule in load_rules([builtin_policies()])[0]}


def reader(person: str, status: str = "active", departed: str | None = None, after: bool = False) -> dict[str, Any]:
    """A reader of a key, as facts.py writes it."""
    return {"id": person, "status": status, "departed": departed, "departed_basis": None,
            "departed_after_rotation": after}


def key_facts(*readers: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "key", "id": "auth-jwt-signing", "purpose": "signing", "rotated": "2024-11-18",
            "created": "2023-03-01", "flags": [], "readers": list(readers), "reach": {"records": 0, "classes": []}}


KIM = reader("kim.jh", "departed", "2025-06-14", after=True)
OH = reader("oh.sj", "departed", "2025-03-31", after=True)
CHOI_LEFT = reader("choi.ms", "departed", "2025-08-01", after=True)


def evidence(rule: str, facts: dict[str, Any]) -> Evidence:
    return evidence_of(plan_of(RULES[rule]), RULES[rule].severity, facts)


def test_the_lists_a_rule_tests_and_names_are_its_evidence_and_contains_picks_the_members() -> None:
    # `readers` with contains: the readers it picks; `flags` only under `not`: an item that must be absent is none
    assert [(path, checks is None) for path, checks in plan_of(RULES["PL301"]).lists] == [("readers", False)]
    assert plan_of(RULES["PL401"]).records == "records" and plan_of(RULES["PL202"]).records == "reach.records"
    assert evidence("PL301", key_facts(KIM, reader("lee.sy"), OH, reader("park.dw", "departed", "2024-01-02"))) == \
        Evidence((("readers", (Member("kim.jh", "kim.jh (departed 2025-06-14)"),
                               Member("oh.sj", "oh.sj (departed 2025-03-31)"))),), None, "critical")


def test_each_branch_of_a_match_adds_the_items_it_picks() -> None:
    """PL206 tests `assumes` in two anyOf branches: a binding counts when either branch's `contains` holds."""
    facts = {"kind": "group", "id": "oncall", "flags": [],
             "assumes": [{"role": "k8s:ClusterRole/secret-reader", "flags": ["k8s-read-secrets-cluster"]},
                         {"role": "k8s:ClusterRole/view", "flags": []}],
             "assumes_by_flag": {"k8s_read_secrets_cluster": ["k8s:ClusterRole/secret-reader"]}}
    reader = (Member("k8s:ClusterRole/secret-reader", "k8s:ClusterRole/secret-reader"),)
    assert evidence("PL206", facts).lists == (("assumes", reader), ("assumes_by_flag.k8s_read_secrets_cluster", reader))


def test_the_record_count_the_message_states_is_evidence_and_day_counts_are_not() -> None:
    store = {"kind": "resource", "id": "customer-db", "type": "database", "classes": ["customer_pii"],
             "records": 33_700_000, "customer_data": True, "logging": False}
    assert evidence("PL401", store) == Evidence(
        (("classes", (Member("customer_pii", "customer_pii"),)),), 33_700_000, "high")
    stale = {"kind": "credential", "id": "ak-7731", "type": "access_key", "status": "active", "days_unused": 60,
             "last_used": "2025-11-02", "created": "2025-02-01", "flags": []}
    assert evidence("PL104", stale) == Evidence((), None, "medium")


def test_a_member_that_looks_like_secret_material_is_kept_as_a_digest() -> None:
    token = "ghp_" + "Zr8fQ2xW7kP1mN4vB9cT6yH3jL5sD0gA"
    [(_, [member])] = evidence("PL002", {"kind": "principal", "id": "ci", "identifiers": [token]}).lists
    assert member.key.startswith("sha256:") and token not in member.key and member.shown == "<redacted>"


ACCEPTED = Evidence((("readers", (Member("kim.jh", "kim.jh"), Member("oh.sj", "oh.sj"))),), 30_000, "high")


@pytest.mark.parametrize(("case", "now", "worse"), [
    ("the same", ACCEPTED, ()),
    ("narrower", Evidence((("readers", (Member("kim.jh", "kim.jh (departed 2025-06-14)"),)),), 20_000, "medium"), ()),
    ("a new member", Evidence((("readers", (Member("choi.ms", "choi.ms (departed 2025-08-01)"),
                                            Member("kim.jh", "kim.jh"))),), 30_000, "high"),
     ("+ choi.ms (departed 2025-08-01)",)),
    ("a list the accepted finding had not", Evidence((("classes", (Member("customer_pii", "customer_pii"),)),),
                                                     30_000, "high"), ("+ customer_pii",)),
    ("more records", replace(ACCEPTED, records=30_001), ("30,001 records (accepted: 30,000)",)),
    ("records no longer known", replace(ACCEPTED, records=None), ("unknown records (accepted: 30,000)",)),
    ("more severe", replace(ACCEPTED, severity="critical"), ("severity critical (accepted: high)",)),
])
def test_a_finding_is_worse_only_when_it_has_something_the_accepted_one_had_not(
        case: str, now: Evidence, worse: tuple[str, ...]) -> None:
    assert added(now, ACCEPTED) == worse


def test_a_long_list_of_newcomers_is_cut_short() -> None:
    many = Evidence((("readers", tuple(Member(f"p{n:02}", f"p{n:02}") for n in range(13))),), None, "high")
    assert added(many, Evidence((), None, "high")) == (*(f"+ p{n:02}" for n in range(10)), "+ 3 more")


def test_worsened_and_worse_than_compare_a_finding_with_what_was_accepted() -> None:
    rule: Rule = RULES["PL301"]
    before = evidence("PL301", key_facts(KIM, reader("choi.ms")))
    now = evidence("PL301", key_facts(KIM, CHOI_LEFT))
    finding = Finding(Location("keys.yaml", 3, 5), rule.id, "key", "auth-jwt-signing", rule.severity, rule.title,
                      "signing key auth-jwt-signing …", (), fingerprint(rule.id, "key", "auth-jwt-signing"), now)
    assert worsened(finding, before) == ("+ choi.ms (departed 2025-08-01)",)
    assert worse_than(finding, replace(finding, evidence=before)) == ("+ choi.ms (departed 2025-08-01)",)
    assert worse_than(replace(finding, evidence=before), finding) == ()
    # evidence says what was found, not which finding it is: equality, hashing and order ignore it
    assert finding == replace(finding, evidence=before) and len({finding, replace(finding, evidence=before)}) == 1


def test_evidence_reads_back_from_json_by_member_ids() -> None:
    accepted = evidence("PL301", key_facts(KIM, OH))
    assert evidence_json(accepted) == {"severity": "critical", "lists": {"readers": ["kim.jh", "oh.sj"]},
                                       "reached": {}}
    again = evidence_from_json(evidence_json(accepted))
    assert again == Evidence((("readers", (Member("kim.jh", "kim.jh"), Member("oh.sj", "oh.sj"))),), None,
                             "critical")
    assert added(accepted, again) == () and added(evidence("PL401", {"records": 5, "classes": []}), Evidence(
        (), 5, "high")) == ()


@pytest.mark.parametrize(("document", "message"), [
    (["kim.jh"], "expected evidence (severity, lists), found list"),
    ({"severity": "urgent", "lists": {}}, "expected severity to be one of critical, high, medium, low, info, "
                                          "found 'urgent'"),
    ({"severity": "high", "records": True, "lists": {}}, "expected records to be a whole number, found True"),
    ({"severity": "high", "records": -1, "lists": {}}, "expected records to be a whole number, found -1"),
    ({"severity": "high"}, "expected lists to map each fact to a list of member ids, found no lists"),
    ({"severity": "high", "lists": {"readers": [1]}}, "expected lists to map each fact to a list of member ids, "
                                                      "found {'readers': [1]}"),
    ({"severity": "high", "lists": {}}, "expected reached (the customer-data resources the finding reaches, with "
                                        "their records), found none (written before policylint recorded it)"),
    ({"severity": "high", "lists": {}, "counts": {"active_access_keys": "2"}},
     "expected counts to map each fact to a whole number or null, found {'active_access_keys': '2'}"),
    ({"severity": "high", "lists": {}, "reached": ["customers-db"]},
     "expected reached to map each resource id to its records (a whole number, or null when unknown), found "
     "['customers-db']"),
    ({"severity": "high", "lists": {}, "reached": {"customers-db": -5}},
     "expected reached to map each resource id to its records (a whole number, or null when unknown), found "
     "{'customers-db': -5}"),
])
def test_evidence_that_is_not_what_evidence_json_writes_is_refused(document: Any, message: str) -> None:
    with pytest.raises(ValueError, match=r"^" + message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]") + "$"):
        evidence_from_json(document)


# A departed holder's key, as facts.py writes it, reaching the stores named (records: the inventory's).
STORE_RECORDS = {"scratch": 10, "customers-db": 33_700_000, "orders-db": None}


def held_key(*stores: str, keys: int = 1) -> dict[str, Any]:
    return {"kind": "credential", "id": "ak-7731", "type": "access_key", "status": "active", "flags": [],
            "holder_people": [{"id": "kim.jh", "status": "departed", "departed": "2025-06-14",
                               "departed_basis": None}],
            "active_access_keys": keys, "days_unused": 3,
            "reach": {"customer_data": bool(stores), "classes": ["customer_pii"] if stores else [],
                      "resources": sorted(stores), "records": sum(STORE_RECORDS[s] or 0 for s in stores),
                      "path": []}}


def test_what_the_subject_reaches_is_evidence_of_every_finding_with_each_resources_records() -> None:
    # PL101 tests nothing about reach, yet its key reaching a 33.7M-record database is part of what was accepted
    found = evidence_of(plan_of(RULES["PL101"]), "critical", held_key("scratch", "orders-db"), STORE_RECORDS)
    assert found.reached == (("orders-db", None), ("scratch", 10))
    assert evidence_json(found)["reached"] == {"orders-db": None, "scratch": 10}
    assert evidence_from_json(evidence_json(found)) == Evidence(
        (("holder_people", (Member("kim.jh", "kim.jh"),)),), None, "critical", found.reached)


ACCEPTED_REACH = Evidence((), None, "critical", (("orders-db", None), ("scratch", 10)))


@pytest.mark.parametrize(("case", "reached", "worse"), [
    ("the same", (("orders-db", None), ("scratch", 10)), ()),
    ("narrower", (("scratch", 8),), ()),
    ("a new store", (("customers-db", 33_700_000), ("orders-db", None), ("scratch", 10)),
     ("+ customers-db (33,700,000 records)",)),
    ("a new store of unknown size: not 0, a new member", (("orders-db", None), ("scratch", 10), ("x-db", None)),
     ("+ x-db (records unknown)",)),
    ("a store that grew", (("orders-db", None), ("scratch", 11)), ("scratch: 11 records (accepted: 10 records)",)),
    ("a store whose size is no longer known", (("orders-db", None), ("scratch", None)),
     ("scratch: records unknown (accepted: 10 records)",)),
    ("a store whose size became known", (("orders-db", 5), ("scratch", 10)),
     ("orders-db: 5 records (accepted: records unknown)",)),
])
def test_reaching_a_new_store_or_more_records_is_worse(case: str, reached: Any, worse: tuple[str, ...]) -> None:
    assert added(replace(ACCEPTED_REACH, reached=reached), ACCEPTED_REACH) == worse


def test_a_stated_record_count_that_is_the_reached_stores_is_said_once() -> None:
    accepted = Evidence((), 33_700_000, "high", (("customers-db", 33_700_000),))
    now = Evidence((), 34_100_000, "high", (("customers-db", 34_100_000),))
    assert added(now, accepted) == ("customers-db: 34,100,000 records (accepted: 33,700,000 records)",)
    assert added(replace(now, reached=accepted.reached), accepted) == ("34,100,000 records (accepted: 33,700,000)",)


def test_the_evaluator_gives_each_reached_store_its_records_though_stores_are_fed_last() -> None:
    evaluator = Evaluator([RULES["PL101"]])
    key = Credential("ak-7731", Location("keys.yaml", 3, 5), "access_key", "order-sync", ("kim.jh",), "active")
    evaluator.feed(key, held_key("customers-db", "orders-db"))
    for store, records in (("customers-db", 33_700_000), ("orders-db", None)):
        evaluator.feed(Resource(store, Location("data.yaml", 2, 5), "database", ("customer_pii",), records),
                       {"kind": "resource", "id": store, "records": records})
    [finding] = evaluator.findings
    assert finding.evidence.reached == (("customers-db", 33_700_000), ("orders-db", None))


@pytest.mark.parametrize(("rule", "counts"), [
    ("PL106", ("active_access_keys",)),  # minimum: 2
    ("PL107", ("validity_days",)),  # exclusiveMinimum: 90; expires − created, as written
    ("PL305", ("token_ttl_seconds",)),
    ("PL307", ("rotation_days",)),  # a period, as written
    ("PL104", ()),  # days_unused: an age
    ("PL105", ()),  # days_since_created
    ("PL303", ()),  # rotation_overdue_days: days_since_rotated − rotation_days
    ("PL403", ()),  # records: the stated record count already
])
def test_counts_a_rule_tests_with_a_minimum_are_evidence_and_ages_are_not(rule: str, counts: tuple[str, ...]) -> None:
    assert plan_of(RULES[rule]).counts == counts


def test_the_ages_are_the_facts_that_grow_by_themselves() -> None:
    """Every whole-number fact of every kind, told apart by name: an age grows every day with nothing changed."""
    integers = set()
    for kind in ("person", "principal", "group", "role", "credential", "key", "resource"):
        for name, schema in facts_schema(kind)["properties"].items():
            types = schema.get("type")
            if "integer" in (types if isinstance(types, list) else [types]):
                integers.add(name)
    assert {name for name in integers if grows_by_itself(name)} == {
        "days_since_created", "days_since_last_used", "days_unused", "days_since_rotated", "rotation_overdue_days",
        "days_since_departed"}
    assert {name for name in integers if not grows_by_itself(name)} == {
        "line", "active_access_keys", "validity_days", "rotation_days", "token_ttl_seconds", "records",
        "log_retention_days"}


def test_more_of_a_tested_count_is_worse() -> None:
    plan = plan_of(RULES["PL106"])
    principal = {"kind": "principal", "id": "legacy-batch", "active_access_keys": 2, "reach": {"resources": []}}
    accepted = evidence_of(plan, "medium", principal)
    assert accepted.counts == (("active_access_keys", 2),)
    assert evidence_json(accepted)["counts"] == {"active_access_keys": 2}
    assert evidence_from_json(evidence_json(accepted)) == accepted
    assert added(evidence_of(plan, "medium", {**principal, "active_access_keys": 5}), accepted) == (
        "active_access_keys 5 (accepted: 2)",)
    assert added(evidence_of(plan, "medium", principal), accepted) == ()
    assert added(accepted, replace(accepted, counts=())) == ("active_access_keys 2 (accepted: not recorded)",)


def grant(resource: str, *actions: str, condition: str | None = None,
          excluding: tuple[str, ...] = ()) -> dict[str, Any]:
    """A grant among a role's facts, as facts.py writes it."""
    return {"resource": resource, "actions": list(actions), "resource_type": "database", "customer_data": False,
            "classes": [], "excluding": list(excluding), "condition": condition, "via": "policy/app",
            "actions_given": [], "reads_every": []}


def open_role(*grants: dict[str, Any]) -> Evidence:
    """PL210 names the role's grants in its message: each is evidence."""
    return evidence("PL210", {"kind": "role", "id": "vendor", "assumable_by_everyone": True,
                              "flags": ["aws-open-principal"], "reach": {"customer_data": False, "records": 0},
                              "grants": list(grants)})


@pytest.mark.parametrize(("case", "before", "now", "worse"), [
    ("read widened to write", grant("orders", "read"), grant("orders", "read", "write"),
     ("+ write on orders with no condition",)),
    ("read widened to admin", grant("orders", "read"), grant("orders", "admin"),
     ("+ admin on orders with no condition",)),
    ("read widened to *", grant("orders", "read"), grant("orders", "*"),
     ("+ * (every action) on orders with no condition",)),
    ("admin to *: the same power", grant("orders", "admin"), grant("orders", "*"), ()),
    ("a condition dropped", grant("orders", "read", condition="aws:SourceVpce=vpce-1"), grant("orders", "read"),
     ("+ read on orders with no condition",)),
    ("another condition", grant("orders", "read", condition="aws:SourceVpce=vpce-1"),
     grant("orders", "read", condition="aws:SourceIp=0.0.0.0/0"), ("+ read on orders if aws:SourceIp=0.0.0.0/0",)),
    ("a clause added: another condition, compared whole", grant("orders", "read", condition="aws:SourceVpce=vpce-1"),
     grant("orders", "read", condition="aws:SourceIp=10.0.0.0/8 and aws:SourceVpce=vpce-1"),
     ("+ read on orders if aws:SourceIp=10.0.0.0/8 and aws:SourceVpce=vpce-1",)),
    ("an exclusion dropped", grant("*", "read", excluding=("arn:aws:s3:::payroll",)), grant("*", "read"),
     ("+ read on * with no condition",)),
    ("write narrowed to read", grant("orders", "read", "write"), grant("orders", "read"), ()),
    ("* narrowed to admin and read", grant("orders", "*"), grant("orders", "admin", "read"), ()),
    ("admin narrowed to delete", grant("orders", "admin"), grant("orders", "delete"), ()),
    ("a condition added", grant("orders", "read"), grant("orders", "read", condition="aws:SourceVpce == vpce-1"), ()),
    ("an exclusion added", grant("*", "read"), grant("*", "read", excluding=("arn:aws:s3:::payroll",)), ()),
    ("the same, by another policy", grant("orders", "read"), {**grant("orders", "read"), "via": "policy/other"}, ()),
])
def test_a_widened_grant_is_worse_and_a_narrowed_one_is_not(case: str, before: dict[str, Any], now: dict[str, Any],
                                                            worse: tuple[str, ...]) -> None:
    assert added(open_role(now), open_role(before)) == worse
    # read back as a baseline holds it: the keys alone tell which grant covers which
    assert len(added(open_role(now), evidence_from_json(evidence_json(open_role(before))))) == len(worse)


def test_a_grant_list_naming_a_resource_alone_accepts_no_grant() -> None:
    """Only a baseline of the second format names grants by resource, and reading it makes them grants of `*`
    (`suppress._by_resource`): a bare id among a grant list's keys covers nothing (a forged entry accepts nothing)."""
    bare = evidence_from_json(evidence_json(open_role(grant("orders", "read"))) | {"lists": {
        "flags": ["aws-open-principal"], "grants": ["orders"]}})
    assert added(open_role(grant("orders", "read")), bare) == ("+ read on orders with no condition",)


def test_a_list_of_ids_is_never_read_as_grants() -> None:
    """Only a list of grants is compared by covering: a reader whose id reads as a grant's key is a new reader."""
    forged = '["kim.jh", "read", null, []]'
    accepted = Evidence((("readers", (Member("kim.jh", "kim.jh"),)),), None, "critical")
    assert added(Evidence((("readers", (Member(forged, forged),)),), None, "critical"), accepted) == (f"+ {forged}",)
