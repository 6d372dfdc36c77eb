"""The join stage: cloud identities to roster people, and `annotate:` onto resources other files define."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from policylint.inventory import merge
from policylint.join import join
from policylint.model import Annotation, Group, Inventory, Location, Person, Principal, Resource

from helpers import run_cli, write

HERE = Location("x.yaml", 1, 1)


def _people() -> tuple[Person, ...]:
    return (
        Person("kim.jh", HERE, "departed", emails=("Kim.JH@Example.com",), aliases=("jhkim",)),
        Person("lee.sy", HERE, "active", emails=("lee.sy@example.com", "sy.lee@example.org")),
        Person("park.a", HERE, "active", emails=("park@example.com",)),
        Person("park.b", HERE, "active", emails=("park@example.org",)),
    )


def _joined(*principals: Principal) -> dict[str, tuple[str | None, str]]:
    inventory, errors = join(Inventory(people=_people(), principals=principals))
    assert errors == []
    return {p.id: (p.person, p.type) for p in inventory.principals}


def test_identifiers_join_people_by_email_alias_and_user_name_case_insensitively() -> None:
    assert _joined(
        Principal("aws:iam::1:user/kim", HERE, "service", identifiers=("kim", "kim.jh@EXAMPLE.com")),
        Principal("k8s:default:user:jhkim", HERE, "user", identifiers=("JHKIM",)),
        Principal("gcp:user:sy.lee@example.org", HERE, "user", identifiers=("sy.lee@example.org",)),
        Principal("aws:iam::1:user/lee.sy", HERE, "service", identifiers=("lee.sy",)),
    ) == {
        "aws:iam::1:user/kim": ("kim.jh", "user"),  # "kim" is nobody; the e-mail tag joins
        "k8s:default:user:jhkim": ("kim.jh", "user"),
        "gcp:user:sy.lee@example.org": ("lee.sy", "user"),
        "aws:iam::1:user/lee.sy": ("lee.sy", "user"),  # the person id itself
    }


def test_a_key_two_people_share_joins_nobody_and_a_named_person_is_kept() -> None:
    assert _joined(
        Principal("aws:iam::1:user/park", HERE, "user", identifiers=("park",)),  # park@… of two people
        Principal("svc", HERE, "service", owner="lee.sy"),
        Principal("mine", HERE, "user", person="lee.sy", identifiers=("kim.jh",)),
    ) == {"aws:iam::1:user/park": (None, "user"), "svc": (None, "service"), "mine": ("lee.sy", "user")}


def test_annotations_set_attributes_in_file_order_and_an_unmatched_one_is_an_error() -> None:
    resources = (Resource("aws:s3:::customer-orders", HERE, "bucket", records=5),
                 Resource("aws:s3:::logs", HERE, "bucket", ("internal",)))
    annotations = (
        Annotation("aws:s3:::customer-*", Location("a.yaml", 3, 5), data=("customer_pii",), records=1000,
                   monitoring=False),
        Annotation("aws:s3:::customer-orders", Location("a.yaml", 6, 5), records=2000),
        Annotation("aws:s3:::custmer-*", Location("a.yaml", 8, 5), logging=True),
    )
    inventory, errors = join(Inventory(resources=resources, annotations=annotations))
    orders, logs = inventory.resources
    assert (orders.data, orders.records, orders.monitoring, orders.logging) == (("customer_pii",), 2000, False, None)
    assert logs == resources[1]
    assert [str(e) for e in errors] == [
        "a.yaml:8:5: error: expected the annotation's match to name at least one resource, found none matching "
        "'aws:s3:::custmer-*' (did you mean 'aws:s3:::customer-orders'?)"]


def test_annotation_declares_customer_data_that_reach_then_finds(tmp_path: Path) -> None:
    write(tmp_path, "platform.yaml", """
        policylint: 1
        people: [{id: kim, status: departed, departed: 2025-06-01, emails: [kim@example.com]}]
        principals: [{id: "aws:iam::1:user/kim", type: user, person: kim}]
        roles:
          - id: reader
            assumable_by: ["aws:iam::1:user/kim"]
            grants: [{resource: "aws:s3:::customer-orders", actions: [read]}]
        resources: [{id: "aws:s3:::customer-orders", type: bucket}]
    """)
    write(tmp_path, "annotations.yaml", """
        policylint: 1
        annotate:
          - {match: "aws:s3:::customer-*", data: [customer_pii], records: 33700000}
    """)
    run = run_cli("reach", str(tmp_path), "--format", "json", "--as-of", "2026-01-01")
    assert run.code == 0, run.err
    identities = {i["id"]: i["records"] for i in json.loads(run.out)["identities"]}
    assert identities == {"kim": 33700000, "aws:iam::1:user/kim": 33700000}


def test_annotation_schema_errors_are_located(tmp_path: Path) -> None:
    write(tmp_path, "annotations.yaml", """
        policylint: 1
        annotate:
          - {match: "aws:s3:::x", records: many}
          - {match: "aws:s3:::y"}
    """)
    run = run_cli("check", str(tmp_path), "--as-of", "2026-01-01")
    assert run.code == 2
    assert "annotations.yaml:3:" in run.out + run.err and "records" in run.out + run.err
    assert "annotations.yaml:4:5: error: expected an annotation: `match` and at least one of" in run.out + run.err


def test_group_members_named_by_a_roster_id_become_people_and_domain_groups_fill() -> None:
    people = (Person("bjensen", HERE, "departed", emails=("bjensen@example.com",),
                     aliases=("2819c223-7f76-453a-919d-413861904646",)),
              Person("jsmith", HERE, "active", emails=("jsmith@other.example",)))
    groups = (Group("scim:group:Tour%20Guides", HERE, ("2819c223-7f76-453a-919d-413861904646", "ghost")),
              Group("gcp:domain:example.com", HERE, flags=("gcp-domain",)))
    principals = (Principal("gcp:user:ops@example.com", HERE, "service", identifiers=("ops@EXAMPLE.com",)),)
    inventory, errors = join(Inventory(people=people, principals=principals, groups=groups))
    assert errors == []
    assert {g.id: g.members for g in inventory.groups} == {
        "scim:group:Tour%20Guides": ("bjensen", "ghost"),
        "gcp:domain:example.com": ("bjensen", "gcp:user:ops@example.com"),
    }


def test_a_group_several_files_imply_keeps_every_member() -> None:
    first = Inventory(groups=(Group("k8s:default:group:ops", HERE, ("a",)),))
    second = Inventory(groups=(Group("k8s:default:group:ops", HERE, ("b", "a")),))
    defined = Inventory(groups=(Group("g", HERE, ("x",)),))
    merged, errors = merge([defined], [first, second, Inventory(groups=(Group("g", HERE, ("y",)),))])
    assert errors == []
    assert {g.id: g.members for g in merged.groups} == {"g": ("x", "y"), "k8s:default:group:ops": ("a", "b")}


def test_an_owner_named_by_e_mail_or_alias_becomes_the_person() -> None:
    joined = _joined_owner(Principal("aws:iam::1:user/ci", HERE, "service", owner="Lee.SY@example.com"),
                           Principal("svc", HERE, "service", owner="nobody@example.com"))
    assert joined == {"aws:iam::1:user/ci": "lee.sy", "svc": "nobody@example.com"}  # unknown: PL103 says so


def _joined_owner(*principals: Principal) -> dict[str, str | None]:
    inventory, _ = join(Inventory(people=_people(), principals=principals))
    return {p.id: p.owner for p in inventory.principals}


def test_a_departure_date_that_has_come_makes_the_person_departed_whatever_the_status_says() -> None:
    people = (
        Person("kim.jh", HERE, "active", date(2025, 6, 14)),
        Person("han.yj", HERE, "leave", date(2026, 1, 1)),  # the run's date itself has come
        Person("lee.sy", HERE, "active", date(2026, 1, 2)),  # a planned departure: active until then
        Person("cho.ej", HERE, "suspended", date(2025, 9, 2), departed_basis="statusChanged"),  # when suspended
        Person("park.dw", HERE, "departed", date(2025, 3, 31)),
        Person("oh.sj", HERE, "active", contradictions=("no status in 'Status'; counted as active",)),
    )
    inventory, errors = join(Inventory(people=people), date(2026, 1, 1))
    assert errors == []
    assert inventory.people == (
        Person("kim.jh", HERE, "departed", date(2025, 6, 14),
               departed_basis="the departure date; the roster says active",
               contradictions=("departed 2025-06-14 (on or before 2026-01-01) but the roster says active; counted"
                               " as departed",)),
        Person("han.yj", HERE, "departed", date(2026, 1, 1),
               departed_basis="the departure date; the roster says on leave",
               contradictions=("departed 2026-01-01 (on or before 2026-01-01) but the roster says on leave;"
                               " counted as departed",)),
        *people[2:],
    )


def test_without_the_runs_date_departures_are_taken_as_stated() -> None:
    people = (Person("kim.jh", HERE, "active", date(2025, 6, 14)),)
    assert join(Inventory(people=people))[0].people == people


def test_a_person_departed_by_date_holds_their_keys_as_a_leaver(tmp_path: Path) -> None:
    write(tmp_path, "org.yaml", """
        policylint: 1
        people:
          - {id: kim.jh, status: active, departed: 2025-06-14}
        principals:
          - {id: kim-cloud, type: user, person: kim.jh}
        credentials:
          - {id: ak-kim, type: access_key, principal: kim-cloud, status: active, created: 2025-01-02,
             last_used: 2025-12-30}
        """)
    result = run_cli("check", str(tmp_path), "--as-of", "2026-01-01", "--select", "PL101")
    assert result.code == 1, result.out + result.err
    assert result.out.splitlines()[:2] == [
        f"{tmp_path / 'org.yaml'}:7:5: CRITICAL PL101 access_key ak-kim is active but held by kim.jh (departed"
        " 2025-06-14 per the departure date; the roster says active)",
        "    path: kim.jh → ak-kim",
    ]
