"""The join stage: cloud identities to roster people, and `annotate:` onto resources other files define."""

from __future__ import annotations

import json
from dataclasses import replace
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


def test_annotations_add_to_each_other_and_an_unmatched_one_is_an_error() -> None:
    resources = (Resource("aws:s3:::customer-orders", HERE, "bucket", records=5),
                 Resource("aws:s3:::logs", HERE, "bucket", ("internal",)))
    annotations = (
        Annotation("aws:s3:::customer-*", Location("a.yaml", 3, 5), data=("customer_pii",), records=1000,
                   monitoring=False, log_retention_days=400),
        Annotation("aws:s3:::customer-orders", Location("a.yaml", 6, 5), data=("customer_orders",), records=2000,
                   monitoring=True, log_retention_days=90, logging=True),
        Annotation("aws:s3:::customer-orders", Location("a.yaml", 7, 5), records=1500, log_retention_days=365),
        Annotation("aws:s3:::custmer-*", Location("a.yaml", 8, 5), logging=True),
    )
    inventory, errors = join(Inventory(resources=resources, annotations=annotations))
    orders, logs = inventory.resources
    # the union of the classes, the most records, the riskier monitoring and retention, whatever the order
    assert (orders.data, orders.records, orders.monitoring, orders.logging, orders.log_retention_days) == (
        ("customer_pii", "customer_orders"), 2000, False, True, 90)
    assert logs == resources[1]
    assert [str(e) for e in errors] == [
        "a.yaml:8:5: error: expected the annotation's match to name at least one resource, found none matching "
        "'aws:s3:::custmer-*' (did you mean 'aws:s3:::customer-orders'?)"]


def test_an_annotation_never_lowers_what_a_source_states_and_saying_otherwise_is_an_error() -> None:
    tagged = Location("cfn.yaml", 3, 3)
    resources = (
        Resource("aws:s3:::customer-orders", tagged, "bucket", ("customer_pii",), 12400000, logging=False,
                 log_retention_days=90, monitoring=False),
        Resource("aws:s3:::customer-exports", Location("cfn.yaml", 9, 3), "bucket", ("customer_pii",)),
        Resource("aws:s3:::shop-assets", Location("cfn.yaml", 14, 3), "bucket"),
    )
    annotations = (
        Annotation("aws:s3:::customer-orders", Location("notes.yaml", 3, 5), data=("internal_metrics",), records=10,
                   logging=True, log_retention_days=800, monitoring=True),
        Annotation("aws:s3:::*", Location("notes.yaml", 5, 5), data=("internal",)),
        # adding to what the source states is what annotations are for: no error
        Annotation("aws:s3:::customer-orders", Location("notes.yaml", 7, 5), data=("customer_pii", "customer_orders"),
                   records=20000000, logging=False, log_retention_days=30),
    )
    inventory, errors = join(Inventory(resources=resources, annotations=annotations))
    orders, exports, assets = inventory.resources
    assert orders == Resource("aws:s3:::customer-orders", tagged, "bucket",
                              ("customer_pii", "internal_metrics", "internal", "customer_orders"), 20000000,
                              logging=False, log_retention_days=30, monitoring=False)
    assert exports.data == ("customer_pii", "internal")
    assert assets.data == ("internal",)
    assert [str(e) for e in errors] == [
        "notes.yaml:3:5: error: expected an annotation that adds to what a resource's source states and never lowers"
        " it, found data [internal_metrics] against the source's [customer_pii]; records 10 against the source's"
        " 12,400,000; logging true against the source's false; monitoring true against the source's false;"
        " log_retention_days 800 against the source's 90 for aws:s3:::customer-orders (defined at cfn.yaml:3:3);"
        " the riskier values are kept: correct the annotation or the source",
        "notes.yaml:5:5: error: expected an annotation that adds to what a resource's source states and never lowers"
        " it, found data [internal] against the source's [customer_pii] for aws:s3:::customer-orders (defined at"
        " cfn.yaml:3:3) (and 1 more resources); the riskier values are kept: correct the annotation or the source",
    ]


def test_an_annotation_cannot_declassify_a_tagged_bucket(tmp_path: Path) -> None:
    write(tmp_path, "cfn.yaml", """
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Orders:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: customer-orders
              Tags: [{Key: data-classification, Value: customer_pii}]
          Reader:
            Type: AWS::IAM::Role
            Properties:
              RoleName: public-reader
              AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {AWS: "*"}, Action: "sts:AssumeRole"}]}
              Policies:
                - PolicyName: r
                  PolicyDocument:
                    Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "arn:aws:s3:::customer-orders/*"}]
        """)
    write(tmp_path, "notes.yaml", """
        policylint: 1
        annotate:
          - {match: "aws:s3:::customer-orders", data: [internal_metrics]}
        """)
    run = run_cli("check", str(tmp_path), "--as-of", "2026-11-27", "--format", "json")
    report = json.loads(run.out)
    assert run.code == 2, run.err
    assert {(f["rule"], f["subject"]["id"]) for f in report["findings"]} == {
        ("PL202", "aws:iam::cfn:role/public-reader"), ("PL401", "aws:s3:::customer-orders"),
        ("PL402", "aws:s3:::customer-orders")}
    assert [(Path(e["file"]).name, e["line"], e["column"]) for e in report["errors"]] == [("notes.yaml", 3, 5)]
    assert "found data [internal_metrics] against the source's [customer_pii]" in report["errors"][0]["message"]


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


def test_records_of_one_person_that_disagree_all_count_as_the_leaver() -> None:
    okta, csv, scim = Location("okta-users.json", 4, 15), Location("roster.csv", 2, 1), Location("users.json", 9, 19)
    people = (
        Person("kim.jh@example.com", okta, "departed", date(2025, 6, 1), ("kim.jh@example.com",),
               departed_basis="statusChanged"),
        Person("kim.jh", csv, "active", None, ("Kim.JH@Example.com",), ("E-0871",)),
        Person("lee.sy", Location("roster.csv", 3, 1), "active", None, ("lee.sy@example.com",)),
    )
    inventory, errors = join(Inventory(people=people), date(2026, 3, 21))
    assert errors == []
    assert inventory.people == (
        replace(people[0], contradictions=(
            "the same person as kim.jh at roster.csv:2:1 (e-mail kim.jh@example.com), which says active, where this"
            " record says departed 2025-06-01; counted as departed 2025-06-01",)),
        replace(people[1], status="departed", departed=date(2025, 6, 1),
                departed_basis="the record at okta-users.json:4:15 (statusChanged)", contradictions=(
                    "the same person as kim.jh@example.com at okta-users.json:4:15 (e-mail Kim.JH@Example.com),"
                    " which says departed 2025-06-01, where this record says active; counted as departed"
                    " 2025-06-01",)),
        people[2],
    )
    # a third record joined by an alias only: departed from the earliest date that has come, over suspended
    people = (*people[:2], Person("2819c223", scim, "suspended", date(2025, 5, 2), aliases=("e-0871",)),
              Person("jhkim", Location("people.yaml", 4, 5), "departed", date(2027, 1, 1), aliases=("2819C223",)))
    joined = join(Inventory(people=people), date(2026, 3, 21))[0].people
    assert [(p.id, p.status, p.departed, p.departed_basis) for p in joined] == [
        ("kim.jh@example.com", "departed", date(2025, 5, 2), "the record at users.json:9:19"),
        ("kim.jh", "departed", date(2025, 5, 2), "the record at users.json:9:19"),
        ("2819c223", "departed", date(2025, 5, 2), "the record at okta-users.json:4:15"),  # its own date
        ("jhkim", "departed", date(2025, 5, 2), "the record at users.json:9:19"),
    ]
    assert joined[2].contradictions == (
        "the same person as kim.jh@example.com at okta-users.json:4:15 (linked through other records), which says"
        " departed 2025-06-01 and as jhkim at people.yaml:4:5 (name 2819c223), which says departed 2027-01-01 and"
        " as kim.jh at roster.csv:2:1 (name e-0871), which says active, where this record says suspended"
        " 2025-05-02; counted as departed 2025-05-02",)


def test_records_of_one_person_that_agree_say_nothing_and_their_names_join_accounts() -> None:
    people = (
        Person("kim.jh@example.com", Location("okta-users.json", 4, 15), "active", emails=("kim.jh@example.com",)),
        Person("kim.jh", Location("roster.csv", 2, 1), "active", date(2026, 6, 30), ("kim.jh@example.com",)),
        Person("park.a", HERE, "departed", date(2025, 1, 1), ("park@example.com",)),
        Person("park.b", HERE, "active", emails=("park@example.org",)),  # another person, another domain
    )
    principals = (Principal("aws:iam::1:user/kim", HERE, "service", identifiers=("kim.jh@example.com",)),
                  Principal("aws:iam::1:user/park", HERE, "service", identifiers=("park",)))
    inventory, errors = join(Inventory(people=people, principals=principals), date(2026, 3, 21))
    assert errors == []
    assert inventory.people == people
    # the e-mail both records of kim.jh give joins the first; the local part two people share joins nobody
    assert [(p.id, p.person) for p in inventory.principals] == [("aws:iam::1:user/kim", "kim.jh@example.com"),
                                                              ("aws:iam::1:user/park", None)]


def test_records_of_one_person_show_the_first_name_and_team_any_of_them_gives() -> None:
    okta = Person("kim.jh@example.com", Location("okta-users.json", 4, 15), "departed", date(2025, 6, 14),
                  ("kim.jh@example.com",), display_name="Ji-hoon Kim")
    csv = Person("kim.jh", Location("roster.csv", 2, 1), "departed", date(2025, 6, 14), ("kim.jh@example.com",),
                 display_name="Kim, Ji-hoon", team="Platform")
    scim = Person("kjh", Location("scim-users.json", 9, 19), "departed", date(2025, 6, 14), aliases=("kim.jh",))
    other = Person("lee.sy", HERE, "active", display_name="Seo-yeon Lee")
    inventory, errors = join(Inventory(people=(okta, csv, scim, other)), date(2026, 3, 21))
    assert errors == []
    assert [(p.id, p.display_name, p.team) for p in inventory.people] == [
        ("kim.jh@example.com", "Ji-hoon Kim", "Platform"), ("kim.jh", "Ji-hoon Kim", "Platform"),
        ("kjh", "Ji-hoon Kim", "Platform"), ("lee.sy", "Seo-yeon Lee", None)]


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
        "    path: kim.jh –holds→ ak-kim",
    ]
