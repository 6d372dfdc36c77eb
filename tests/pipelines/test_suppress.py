"""Baselines, exceptions that expire, and inline ignore comments, through the CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from policylint.findings import fingerprint

from helpers import run_cli, write
from org import ACCESS, make_org


@pytest.fixture
def org(tmp_path: Path) -> Path:
    return make_org(tmp_path)


def found(output: str) -> list[tuple[str, str]]:
    return [(f["rule"], f["subject"]["id"]) for f in json.loads(output)["findings"]]


def check(*args: str) -> tuple[int, list[tuple[str, str]], dict[str, object]]:
    result = run_cli("check", *args, "--format", "json", "--as-of", "2026-01-01")
    document = json.loads(result.out)
    return result.code, found(result.out), document


def test_baseline_reports_only_new_findings_and_survives_moves_and_splits(org: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    made = run_cli("baseline", str(org), "-o", str(baseline), "--as-of", "2026-01-01")
    assert made.code == 0 and "wrote 3 findings" in made.err
    document = json.loads(baseline.read_text())
    assert [(e["rule"], e["subject"]) for e in document["findings"]] == [
        ("PL101", "credential:ak-7731"), ("PL104", "credential:ak-7731"), ("PL105", "credential:ak-7731")]
    assert set(document["findings"][0]) == {"rule", "subject", "severity", "title", "fingerprint", "lists",
                                            "reached"}
    # what a finding reaches is written once per set, in the file's `reached` table, which its entries name
    assert {e["reached"] for e in document["findings"]} == set(document["reached"])
    assert document["reached"] == {document["findings"][0]["reached"]: {"customer-db": 33_700_000}}
    assert check(str(org), "--baseline", str(baseline))[:2] == (0, [])

    # the credential moves to a file of its own, reformatted: still the same findings
    (org / "access.yaml").write_text(ACCESS.replace(
        "credentials:\n  - {id: ak-7731, type: access_key, principal: order-sync, holders: [kim.jh], status: active, "
        "created: 2025-02-01, last_used: 2025-11-02, expires: 2026-02-01}\n", ""))
    write(org, "keys/ak.yaml", """
        policylint: 1

        credentials:
          - id: ak-7731
            type: access_key
            principal: order-sync
            holders: [kim.jh]
            status: active
            created: 2025-02-01
            last_used: 2025-11-02
            expires: 2026-02-01
    """)
    assert check(str(org), "--baseline", str(baseline))[:2] == (0, [])

    # a new finding is reported; with --show-suppressed the baselined ones are listed too
    write(org, "keys/new.yaml", """
        policylint: 1
        credentials:
          - {id: tok-9, type: token, principal: order-sync, holders: [kim.jh], status: active, created: 2025-12-01,
             expires: 2026-02-01}
    """)
    code, new, document = check(str(org), "--baseline", str(baseline), "--show-suppressed")
    assert code == 1 and new == [("PL101", "tok-9")]
    suppressed = document["suppressed"]
    assert isinstance(suppressed, list) and len(suppressed) == 3
    assert {s["suppressed_by"] for s in suppressed} == {"baseline"}


def test_baseline_entries_that_match_nothing_are_notices(org: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    run_cli("baseline", str(org), "-o", str(baseline), "--as-of", "2026-01-01")
    (org / "access.yaml").write_text(ACCESS.replace("holders: [kim.jh]", "holders: [lee.sy]"))  # PL101 fixed
    result = run_cli("check", str(org), "--baseline", str(baseline), "--as-of", "2026-01-01")
    assert result.code == 0
    assert (f"{baseline}:4:5: note: baseline entry PL101 credential:ak-7731 matches no finding any more: run "
            "`policylint baseline` again to drop it") in result.out


def test_a_file_that_is_not_a_baseline_is_an_input_error(org: Path, tmp_path: Path) -> None:
    bad = write(tmp_path, "baseline.json", '{"findings": []}')
    result = run_cli("check", str(org), "--baseline", str(bad))
    assert result.code == 2
    assert f"{bad}:1:1: error: expected a baseline written by `policylint baseline`" in result.out


EXCEPTIONS = """
exceptions:
  - rule: PL104
    subject: "ak-*"
    reason: "sync job paused for the Q1 migration"
    owner: lee.sy
    expires: 2026-03-01
"""


def test_an_exception_suppresses_until_it_expires_then_the_finding_returns_marked(org: Path, tmp_path: Path) -> None:
    exceptions = write(tmp_path, "exceptions.yaml", EXCEPTIONS)
    code, live, document = check(str(org), "--exceptions", str(exceptions), "--show-suppressed")
    assert code == 1 and live == [("PL101", "ak-7731"), ("PL105", "ak-7731")]
    [suppressed] = document["suppressed"]  # type: ignore[misc]
    assert (suppressed["rule"], suppressed["reason"], suppressed["owner"], suppressed["expires"]) == (
        "PL104", "sync job paused for the Q1 migration", "lee.sy", "2026-03-01")
    assert suppressed["suppression"] == {"file": str(exceptions), "line": 2, "column": 5}

    later = run_cli("check", str(org), "--exceptions", str(exceptions), "--as-of", "2026-03-01")
    assert later.code == 1
    assert ("PL104 access_key ak-7731 is active but unused for 119 days (last used 2025-11-02, created 2025-02-01) "
            "(exception expired on 2026-03-01: sync job paused for the Q1 migration; "
            f"{exceptions}:2:5)") in later.out


def test_text_output_lists_suppressed_findings_only_when_asked(org: Path, tmp_path: Path) -> None:
    exceptions = write(tmp_path, "exceptions.yaml", EXCEPTIONS)
    quiet = run_cli("check", str(org), "--exceptions", str(exceptions), "--as-of", "2026-01-01")
    assert "suppressed PL104" not in quiet.out  # not listed, but counted:
    assert quiet.out.rstrip().endswith("1 suppressed (--show-suppressed lists them).")
    shown = run_cli("check", str(org), "--exceptions", str(exceptions), "--as-of", "2026-01-01", "--show-suppressed")
    assert f"{org / 'access.yaml'}:8:5: suppressed PL104 access_key ak-7731 is active but unused" in shown.out
    assert (f"    by exception at {exceptions}:2:5: sync job paused for the Q1 migration, owner lee.sy, "
            "until 2026-03-01") in shown.out
    assert shown.out.rstrip().endswith("1 suppressed.")


@pytest.mark.parametrize(("entry", "message"), [
    ("{rule: PL104, subject: ak-7731, owner: lee.sy, expires: 2026-03-01}",
     "2:5: error: expected the key 'reason', found a mapping without it (at exceptions[0])"),
    ("{rule: PL104, subject: ak-7731, reason: paused, owner: lee.sy}",
     "2:5: error: expected the key 'expires', found a mapping without it (at exceptions[0])"),
    ("{rule: PL104, subject: ak-7731, reason: paused, expires: 2026-03-01}",
     "2:5: error: expected the key 'owner', found a mapping without it (at exceptions[0])"),
    ("{rule: PL104, subject: ak-7731, reason: paused, owner: lee.sy, expires: 2026-02-30}",
     "2:77: error: expected a real date YYYY-MM-DD, found '2026-02-30'"),
    ("{rule: PL777, subject: ak-7731, reason: paused, owner: lee.sy, expires: 2026-03-01}",
     "2:5: error: expected a rule id that exists, found 'PL777'"),
])
def test_exception_entries_with_missing_or_bad_fields_are_located_errors(org: Path, tmp_path: Path, entry: str,
                                                                          message: str) -> None:
    exceptions = write(tmp_path, "exceptions.yaml", f"exceptions:\n  - {entry}\n")
    result = run_cli("check", str(org), "--exceptions", str(exceptions), "--as-of", "2026-01-01")
    assert result.code == 2
    assert f"{exceptions}:{message}" in result.out
    assert "PL101" in result.out  # the findings are still reported beside the error


def test_an_exception_that_matches_nothing_is_reported(org: Path, tmp_path: Path) -> None:
    exceptions = write(tmp_path, "exceptions.yaml", EXCEPTIONS.replace('"ak-*"', "svc-*"))
    result = run_cli("check", str(org), "--exceptions", str(exceptions), "--as-of", "2026-01-01")
    assert f"{exceptions}:2:5: note: exception for PL104 'svc-*' matches no finding: remove it" in result.out


def test_inline_comments_suppress_the_node_on_their_line_until_they_expire(org: Path) -> None:
    text = (org / "access.yaml").read_text()
    line = next(x for x in text.splitlines() if "ak-7731" in x)
    (org / "access.yaml").write_text(text.replace(
        line, '  # policylint: ignore PL104,PL105 reason="rotation booked for Q1" expires=2026-03-01 owner=lee.sy\n'
        + line))
    code, live, document = check(str(org), "--show-suppressed")
    assert code == 1 and live == [("PL101", "ak-7731")]
    assert sorted((s["rule"], s["suppressed_by"], s["owner"]) for s in document["suppressed"]) == [  # type: ignore
        ("PL104", "inline", "lee.sy"), ("PL105", "inline", "lee.sy")]
    later = run_cli("check", str(org), "--as-of", "2026-03-02", "--format", "json")
    assert sorted(found(later.out)) == [("PL101", "ak-7731"), ("PL104", "ak-7731"), ("PL105", "ak-7731")]


@pytest.mark.parametrize(("comment", "message"), [
    ("# policylint: ignore PL104", "expected reason and expires in the ignore comment"),
    ('# policylint: ignore PL104 reason="paused"', "expected expires in the ignore comment"),
    ('# policylint: ignore reason="paused" expires=2026-03-01', "expected rule ids after 'policylint: ignore'"),
    ('# policylint: ignore PL104 reason="paused" expires=soon', "expected expires=YYYY-MM-DD, found 'soon'"),
    ('# policylint: ignore PL104 reason="paused" expires=2026-03-01 until=x', "expected only reason, expires and "
                                                                             "owner, found until"),
])
def test_malformed_inline_comments_are_located_errors(org: Path, comment: str, message: str) -> None:
    text = (org / "access.yaml").read_text()
    (org / "access.yaml").write_text(text.replace("  - {id: ak-7731", f"  {comment}\n  - {{id: ak-7731"))
    result = run_cli("check", str(org), "--as-of", "2026-01-01")
    assert result.code == 2
    assert f"{org / 'access.yaml'}:8:3: error: {message}" in result.out


@pytest.mark.parametrize("name", ["--baseline", "--exceptions"])
def test_an_unreadable_or_unparsable_suppression_file_is_located_and_findings_still_show(
        org: Path, tmp_path: Path, name: str) -> None:
    broken = write(tmp_path, "broken.yaml", "exceptions:\n  - {rule: PL104\n")
    result = run_cli("check", str(org), name, str(broken), "--as-of", "2026-01-01")
    assert result.code == 2
    assert f"{broken}:3:1: error:" in result.out and "PL101" in result.out
    missing = run_cli("check", str(org), name, str(tmp_path / "nope.json"), "--as-of", "2026-01-01")
    assert missing.code == 2 and f"{tmp_path / 'nope.json'}:1:1: error: expected a readable" in missing.out


def test_ignore_text_inside_a_scalar_is_not_a_comment(tmp_path: Path) -> None:
    write(tmp_path, "data.yaml", """
        policylint: 1
        resources:
          - id: notes
            type: service
            description: |
              # policylint: ignore PL401 reason="text in a block scalar" expires=2030-01-01
          - {id: leads-db, type: database, data: [customer_pii], records: 10, logging: false, monitoring: true}
          - {id: wiki, type: service, description: "see # policylint: ignore PL401"}
    """)
    result = run_cli("check", str(tmp_path), "--as-of", "2026-01-01", "--select", "PL401", "--show-suppressed")
    assert result.code == 1, result.out
    assert f"{tmp_path / 'data.yaml'}:7:5: HIGH PL401 database leads-db" in result.out
    assert "suppressed" not in result.out and "error" not in result.out


# A signing key two people who left could read, as the baseline accepted it; choi.ms and yoon.hj read it too.
SIGNING = """
policylint: 1
people:
  - {id: kim.jh, status: departed, departed: 2025-06-14}
  - {id: oh.sj, status: departed, departed: 2025-03-31}
  - {id: choi.ms, status: active}
  - {id: lee.sy, status: active}
principals:
  - {id: order-sync, type: service, owner: lee.sy}
groups:
  - {id: auth-platform, members: [kim.jh, lee.sy, oh.sj, choi.ms]}
keys:
  - {id: auth-jwt-signing, purpose: signing, storage: kms, created: 2023-03-01, rotated: 2024-11-18,
     readable_by: [auth-platform], signs_for: [order-sync], token_ttl: 1h}
"""
SIGNING_MESSAGE = ("signing key auth-jwt-signing (last rotated 2024-11-18, created 2023-03-01) is reachable by "
                   "{readers}")


def baselined(folder: Path, text: str, baseline: Path) -> Path:
    """The inventory written and baselined: `check --baseline` passes on it as it is."""
    inventory = write(folder, "org.yaml", text)
    made = run_cli("baseline", str(folder), "-o", str(baseline), "--as-of", "2026-01-01")
    assert made.code == 0, made.out + made.err
    assert check(str(folder), "--baseline", str(baseline))[:2] == (0, [])
    return inventory


def test_the_baseline_records_what_each_finding_is(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    baselined(tmp_path / "org", SIGNING, baseline)
    document = json.loads(baseline.read_text())
    assert document["policylint-baseline"] == 3
    assert [(e["rule"], e["subject"]) for e in document["findings"]] == [
        ("PL102", "person:kim.jh"), ("PL102", "person:oh.sj"), ("PL301", "key:auth-jwt-signing"),
        ("PL303", "key:auth-jwt-signing")]
    assert document["findings"][2] == {
        "rule": "PL301", "subject": "key:auth-jwt-signing", "severity": "critical",
        "title": "Signing key reachable by someone who left after its last rotation",
        "fingerprint": fingerprint("PL301", "key", "auth-jwt-signing"),
        "lists": {"readers": ["kim.jh", "oh.sj"]},  # those who make it a finding: they left after the rotation
        "reached": {},  # the key signs for order-sync, which reaches no customer data
    }
    assert document["findings"][0]["lists"] == {"named_in": ["members of auth-platform"]}


def changed(inventory: Path, *changes: tuple[str, str]) -> None:
    text = inventory.read_text()
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    inventory.write_text(text)


JOINS = ("members: [kim.jh, lee.sy, oh.sj, choi.ms]", "members: [kim.jh, lee.sy, oh.sj, choi.ms, {newcomer}]")
HIRED = ("  - {id: lee.sy, status: active}\n", "  - {id: lee.sy, status: active}\n  - {id: {newcomer}, {status}}\n")


def joining(newcomer: str, status: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """A person added to the roster and to the group that reads the key."""
    return ((JOINS[0], JOINS[1].replace("{newcomer}", newcomer)),
            (HIRED[0], HIRED[1].replace("{newcomer}", newcomer).replace("{status}", status)))


@pytest.mark.parametrize(("case", "changes", "newcomer", "readers"), [
    ("a reader departs",
     [("- {id: choi.ms, status: active}", "- {id: choi.ms, status: departed, departed: 2025-08-01}")], "choi.ms",
     "kim.jh (departed 2025-06-14), oh.sj (departed 2025-03-31), choi.ms (departed 2025-08-01), lee.sy "
     "(worse than the baseline: + choi.ms (departed 2025-08-01))"),
    ("someone who left is given access", joining("park.dw", "status: departed, departed: 2025-08-01"), "park.dw",
     "kim.jh (departed 2025-06-14), oh.sj (departed 2025-03-31), choi.ms, lee.sy, park.dw (departed 2025-08-01) "
     "(worse than the baseline: + park.dw (departed 2025-08-01))"),
])
def test_a_baselined_finding_that_gains_a_departed_reader_is_reported_again(
        tmp_path: Path, case: str, changes: list[tuple[str, str]], newcomer: str, readers: str) -> None:
    baseline = tmp_path / "baseline.json"
    changed(baselined(tmp_path / "org", SIGNING, baseline), *changes)
    result = run_cli("check", str(tmp_path / "org"), "--baseline", str(baseline), "--as-of", "2026-01-01",
                     "--fail-on", "critical", "--format", "json")
    assert result.code == 1  # PL301 is critical
    findings = {(f["rule"], f["subject"]["id"]): f["message"] for f in json.loads(result.out)["findings"]}
    assert sorted(findings) == [("PL102", newcomer), ("PL301", "auth-jwt-signing")]  # PL102: a new finding, high
    assert findings["PL301", "auth-jwt-signing"] == SIGNING_MESSAGE.format(readers=readers)


@pytest.mark.parametrize(("case", "changes"), [
    ("a departed reader loses access", [(JOINS[0], "members: [kim.jh, lee.sy, choi.ms]")]),
    ("the key is rotated after oh.sj left", [("rotated: 2024-11-18", "rotated: 2025-05-02")]),
    ("an active reader joins", joining("yoon.hj", "status: active")),
])
def test_a_baselined_finding_that_is_the_same_or_narrower_stays_suppressed(tmp_path: Path, case: str,
                                                                          changes: list[tuple[str, str]]) -> None:
    baseline = tmp_path / "baseline.json"
    changed(baselined(tmp_path / "org", SIGNING, baseline), *changes)
    code, new, document = check(str(tmp_path / "org"), "--baseline", str(baseline), "--show-suppressed")
    assert (code, new) == (0, [])
    assert ("PL301", "auth-jwt-signing", "baseline") in [
        (s["rule"], s["subject"]["id"], s["suppressed_by"]) for s in document["suppressed"]]  # type: ignore[attr-defined]


STORES = """
policylint: 1
resources:
  - {id: customer-db, type: database, data: [customer_pii], records: 33700000, logging: false, monitoring: false}
  - {id: order-history, type: table, data: [customer_orders], records: 80000, logging: false, monitoring: true}
"""


def test_a_baselined_store_that_holds_more_records_or_more_kinds_of_data_is_reported_again(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    inventory = write(tmp_path / "org", "stores.yaml", STORES)
    assert run_cli("baseline", str(tmp_path / "org"), "-o", str(baseline), "--as-of", "2026-01-01").code == 0
    inventory.write_text(STORES.replace("records: 33700000", "records: 34100000").replace(
        "records: 80000", "records: 79000").replace("[customer_orders]", "[customer_orders, customer_payment]"))
    result = run_cli("check", str(tmp_path / "org"), "--baseline", str(baseline), "--as-of", "2026-01-01",
                     "--format", "json")
    assert result.code == 1
    assert sorted((f["rule"], f["subject"]["id"], f["message"]) for f in json.loads(result.out)["findings"]) == [
        ("PL401", "customer-db", "database customer-db holds customer data (customer_pii; records: 34,100,000) "
                                 "without access logging (worse than the baseline: customer-db: 34,100,000 records "
                                 "(accepted: 33,700,000 records))"),
        ("PL401", "order-history", "table order-history holds customer data (customer_orders, customer_payment; "
                                   "records: 79,000) without access logging (worse than the baseline: "
                                   "+ customer_payment)"),
        ("PL402", "customer-db", "database customer-db holds customer data (customer_pii; records: 34,100,000) and "
                                 "nobody is alerted on its access (worse than the baseline: customer-db: 34,100,000 "
                                 "records (accepted: 33,700,000 records))"),
    ]


def test_a_baseline_of_the_first_format_still_matches_by_fingerprint_and_says_to_write_it_again(
        org: Path, tmp_path: Path) -> None:
    old = write(tmp_path, "baseline.json", """
        {
          "policylint-baseline": 1,
          "findings": [
            {"rule": "PL101", "subject": "credential:ak-7731", "severity": "critical",
             "title": "Active credential held by a departed or suspended person", "fingerprint": "FINGERPRINT"}
          ]
        }
    """.replace("FINGERPRINT", fingerprint("PL101", "credential", "ak-7731")))
    result = run_cli("check", str(org), "--baseline", str(old), "--as-of", "2026-01-01", "--select", "PL101")
    assert result.code == 0, result.out
    assert (f"{old}:1:1: note: this baseline records no evidence (a file of the first format), so a finding in it "
            "stays suppressed however much worse it gets: write it again with `policylint baseline`") in result.out


@pytest.mark.parametrize(("text", "message"), [
    ('{"policylint-baseline": 4, "findings": []}',
     "1:1: error: expected a baseline written by `policylint baseline` ('policylint-baseline': 3 and a findings "
     "list), found format 4, which a newer policylint writes"),
    ('{"policylint-baseline": 2, "findings": [\n  {"rule": "PL101", "fingerprint": "0123456789abcdef"}\n]}',
     "2:3: error: expected severity to be one of critical, high, medium, low, info, found None in a baseline entry "
     "(`policylint baseline` writes them)"),
    ('{"policylint-baseline": 2, "findings": [\n  {"fingerprint": "0123456789abcdef", "severity": "high", '
     '"records": "many", "lists": {}}\n]}',
     "2:3: error: expected records to be a whole number, found 'many' in a baseline entry (`policylint baseline` "
     "writes them)"),
    ('{"policylint-baseline": 2, "findings": [\n  {"fingerprint": "0123456789abcdef", "severity": "high", '
     '"lists": {"readers": "kim.jh"}}\n]}',
     "2:3: error: expected lists to map each fact to a list of member ids, found {'readers': 'kim.jh'} in a "
     "baseline entry (`policylint baseline` writes them)"),
    ('{"policylint-baseline": 2, "findings": [\n  {"fingerprint": "0123456789abcdef", "severity": "high", '
     '"lists": {}, "reached": "r-0123456789abcdef"}\n], "reached": {}}',
     "2:3: error: expected reached to name a set of the baseline's 'reached' table, found 'r-0123456789abcdef', "
     "which it does not hold in a baseline entry (`policylint baseline` writes them)"),
    ('{"policylint-baseline": 2, "findings": [\n  {"fingerprint": "0123456789abcdef", "severity": "high", '
     '"lists": {}, "reached": "r-1"}\n], "reached": {"r-1": {"customers-db": "many"}}}',
     "2:3: error: expected reached to map each resource id to its records (a whole number, or null when unknown), "
     "found {'customers-db': 'many'} in a baseline entry (`policylint baseline` writes them)"),
    # written before what a finding reaches was recorded: read as reaching nothing, every finding would be worse
    ('{"policylint-baseline": 2, "findings": [\n  {"fingerprint": "0123456789abcdef", "severity": "high", '
     '"lists": {}}\n]}',
     "2:3: error: expected reached (the customer-data resources the finding reaches, with their records), found "
     "none (written before policylint recorded it) in a baseline entry (`policylint baseline` writes them)"),
])
def test_a_baseline_entry_without_readable_evidence_is_a_located_error(org: Path, tmp_path: Path, text: str,
                                                                       message: str) -> None:
    bad = write(tmp_path, "baseline.json", text)
    result = run_cli("check", str(org), "--baseline", str(bad), "--as-of", "2026-01-01")
    assert result.code == 2
    assert f"{bad}:{message}" in result.out


# A departed engineer's key that reads a scratch bucket, and a role everyone may assume that reads the logs bucket;
# then (REACHES) the key's service is granted the 33.7M-record database and the role another store of unknown size.
REACH = """
policylint: 1
people:
  - {id: kim.jh, status: departed, departed: 2025-06-14}
  - {id: lee.sy, status: active}
principals:
  - {id: order-sync, type: service, owner: lee.sy}
credentials:
  - {id: ak-7731, type: access_key, principal: order-sync, holders: [kim.jh], status: active, created: 2025-12-01,
     last_used: 2025-12-30}
roles:
  - {id: open-reader, assumable_by: ["*"], grants: [{resource: logs-bucket, actions: [read]}]}
resources:
  - {id: scratch, type: bucket, data: [customer_contact], records: 10, logging: true, log_retention_days: 800,
     monitoring: true}
  - {id: logs-bucket, type: bucket, data: [customer_contact], logging: true, log_retention_days: 800, monitoring: true}
  - {id: customers-db, type: database, data: [customer_pii], records: 33700000, logging: true,
     log_retention_days: 800, monitoring: true}
  - {id: orders-db, type: database, data: [customer_orders], logging: true, log_retention_days: 800,
     monitoring: true}
grants:
  - {to: order-sync, resource: scratch, actions: [read]}
"""
REACHES = """  - {to: order-sync, resource: customers-db, actions: [read]}
  - {to: open-reader, resource: orders-db, actions: [read, write, delete]}
"""


def test_a_baselined_finding_whose_subject_comes_to_reach_more_customer_data_is_reported_again(
        tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    inventory = baselined(tmp_path / "org", REACH, baseline)
    document = json.loads(baseline.read_text())
    reached = {e["rule"]: document["reached"][e["reached"]] for e in document["findings"]}
    assert reached["PL101"] == {"logs-bucket": None, "scratch": 10}  # logs-bucket: through open-reader
    assert reached["PL202"] == {"logs-bucket": None}  # unknown, not 0
    inventory.write_text(REACH + REACHES)
    result = run_cli("check", str(tmp_path / "org"), "--baseline", str(baseline), "--as-of", "2026-01-01",
                     "--format", "json")
    assert result.code == 1
    assert sorted((f["rule"], f["message"]) for f in json.loads(result.out)["findings"]) == [
        ("PL101", "access_key ak-7731 is active but held by kim.jh (departed 2025-06-14) (worse than the baseline: "
                  "+ customers-db (33,700,000 records); + orders-db (records unknown))"),
        # a store of unknown size is a new member, though the records the message counts stay 0
        ("PL202", 'role open-reader is assumable by "*" and reaches 0 customer records (customer_contact, '
                  "customer_orders); it grants: logs-bucket, orders-db (worse than the baseline: + delete on "
                  "orders-db with no condition; + read on orders-db with no condition; + write on orders-db with "
                  "no condition; + customer_orders; + orders-db (records unknown))"),
    ]


PL106_ORG = """
policylint: 1
people:
  - {id: lee.sy, status: active}
principals:
  - {id: legacy-batch, type: service, owner: lee.sy}
credentials:
KEYS
"""


def keys(count: int) -> str:
    return PL106_ORG.replace("KEYS", "".join(
        f"  - {{id: ak-{n}, type: access_key, principal: legacy-batch, status: active, created: 2025-12-01, "
        f"last_used: 2025-12-30}}\n" for n in range(count)))


def test_a_baselined_finding_whose_tested_count_grows_is_reported_again_and_one_that_only_ages_is_not(
        tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    inventory = baselined(tmp_path / "org", keys(2), baseline)
    [entry] = [e for e in json.loads(baseline.read_text())["findings"] if e["rule"] == "PL106"]
    assert entry["counts"] == {"active_access_keys": 2}
    # months later, the same two keys: unused longer, older (PL104 and PL105 appear: new findings, not PL106)
    later = run_cli("check", str(tmp_path / "org"), "--baseline", str(baseline), "--as-of", "2026-06-01",
                    "--format", "json", "--select", "PL106")
    assert (later.code, found(later.out)) == (0, [])
    inventory.write_text(keys(5))
    code, new, document = check(str(tmp_path / "org"), "--baseline", str(baseline))
    assert (code, new) == (1, [("PL106", "legacy-batch")])
    assert document["findings"][0]["message"] == (  # type: ignore[index]
        "legacy-batch has 5 active access keys (worse than the baseline: active_access_keys 5 (accepted: 2))")


def test_a_baseline_entry_whose_fingerprint_is_not_its_own_rule_and_subjects_is_a_located_error(
        org: Path, tmp_path: Path) -> None:
    """Labelled as a harmless PL106, the entry holds the fingerprint of the critical PL101 on ak-7731."""
    forged = fingerprint("PL101", "credential", "ak-7731")
    for version, evidence in ((2, ', "severity": "medium", "lists": {}, "reached": {}'), (1, "")):
        bad = write(tmp_path, "baseline.json", f"""
            {{"policylint-baseline": {version}, "findings": [
              {{"rule": "PL106", "subject": "principal:legacy-batch", "fingerprint": "{forged}"{evidence}}}
            ]}}
        """)
        result = run_cli("check", str(org), "--baseline", str(bad), "--as-of", "2026-01-01")
        assert result.code == 2
        assert (f"{bad}:2:3: error: expected the fingerprint of PL106 principal:legacy-batch, "
                f"{fingerprint('PL106', 'principal', 'legacy-batch')}, found '{forged}': the entry would suppress "
                "a finding other than the one it names; write the baseline again with `policylint baseline`"
                ) in result.out
        assert "CRITICAL PL101 access_key ak-7731" in result.out  # not suppressed


@pytest.mark.parametrize("entry", [
    '{"fingerprint": "FP", "severity": "critical", "lists": {}, "reached": {}}',
    '{"rule": "PL101", "subject": "ak-7731", "fingerprint": "FP", "severity": "critical", "lists": {}, "reached": {}}',
])
def test_a_baseline_entry_without_its_rule_and_subject_is_a_located_error(org: Path, tmp_path: Path,
                                                                          entry: str) -> None:
    bad = write(tmp_path, "baseline.json", '{"policylint-baseline": 2, "findings": [\n  ' + entry.replace(
        "FP", fingerprint("PL101", "credential", "ak-7731")) + "\n]}")
    result = run_cli("check", str(org), "--baseline", str(bad), "--as-of", "2026-01-01")
    assert result.code == 2
    assert (f"{bad}:2:3: error: expected a baseline entry with its rule and subject (KIND:ID), as `policylint "
            "baseline` writes them, found rule") in result.out
    assert "CRITICAL PL101 access_key ak-7731" in result.out


OPEN_STORE = """
policylint: 1
resources:
  - {id: orders-db, type: database, data: [customer_pii], records: 5000}
grants:
  - {to: "*", resource: orders-db, actions: ACTIONS}
"""


def test_a_baselined_grant_that_widens_is_reported_again_and_one_that_narrows_is_not(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    inventory = baselined(tmp_path / "org", OPEN_STORE.replace("ACTIONS", "[read, write]"), baseline)
    assert json.loads(baseline.read_text())["findings"][0]["lists"]["grants"] == [
        '["orders-db", "read", null, []]', '["orders-db", "write", null, []]']
    inventory.write_text(OPEN_STORE.replace("ACTIONS", "[read]"))
    assert check(str(inventory.parent), "--baseline", str(baseline))[:2] == (0, [])
    inventory.write_text(OPEN_STORE.replace("ACTIONS", "[read, delete]"))
    code, findings, document = check(str(inventory.parent), "--baseline", str(baseline))
    assert (code, findings) == (1, [("PL216", "orders-db")])
    assert document["findings"][0]["message"].endswith(  # type: ignore[index]
        "(worse than the baseline: + delete on orders-db with no condition)")


def test_a_baseline_of_the_second_format_accepts_any_grant_on_a_resource_it_names_and_says_to_write_it_again(
        tmp_path: Path) -> None:
    """Before grants were recorded by action, a grant was its resource's id: such a baseline accepted the grant
    however it widened. It still does (a team's CI does not break on the upgrade), and says so."""
    baseline = tmp_path / "baseline.json"
    inventory = baselined(tmp_path / "org", OPEN_STORE.replace("ACTIONS", "[read]"), baseline)
    document = json.loads(baseline.read_text())
    document["policylint-baseline"] = 2
    document["findings"][0]["lists"]["grants"] = ["orders-db"]
    baseline.write_text(json.dumps(document, indent=2))
    inventory.write_text(OPEN_STORE.replace("ACTIONS", "[read, write, delete]"))
    result = run_cli("check", str(inventory.parent), "--baseline", str(baseline), "--as-of", "2026-01-01")
    assert result.code == 0, result.out
    assert (f"{baseline}:1:1: note: this baseline names each grant by its resource alone (a file of the second "
            "format), so a grant on a resource it names stays suppressed however it widens (read to admin, a "
            "condition or an exclusion dropped): write it again with `policylint baseline`") in result.out
    document["findings"][0]["lists"]["grants"] = ["another-db"]  # what it named: nothing on orders-db accepted
    baseline.write_text(json.dumps(document, indent=2))
    assert check(str(inventory.parent), "--baseline", str(baseline))[:2] == (1, [("PL216", "orders-db")])


def test_a_subject_whose_name_is_not_utf8_is_baselined_and_its_file_holds_nothing_raw(tmp_path: Path) -> None:
    """A bare policy document named with bytes that are not UTF-8 made its fingerprint, and so every run, crash
    (exit 3); the baseline file is for review: no raw control, bidi or lone surrogate in it."""
    policy = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
    folder = tmp_path / "iam"
    folder.mkdir()
    (folder / "ok.json").write_text(policy)
    with open(os.fsencode(folder) + b"/pol\xff" + "\u202e".encode() + b".json", "w") as written:
        written.write(policy)
    result = run_cli("baseline", str(folder), "-o", str(tmp_path / "baseline.json"), "--as-of", "2026-01-01")
    assert result.code == 0, result.out + result.err
    text = (tmp_path / "baseline.json").read_text(encoding="utf-8", errors="strict")
    assert "\u202e" not in text and "\\u202e" in text
    assert [e["subject"].rsplit("/", 1)[1] for e in json.loads(text)["findings"]] == ["ok.json", "pol\udcff\u202e.json"]


def test_a_second_format_baseline_holding_grant_keys_reads_them_as_grants(tmp_path: Path) -> None:
    """Baselines written between the two formats hold grants by action under format 2: read as they say, an
    unchanged grant is not worse (read as a resource's id, `+ admin on orders-db` was reported of what it held)."""
    baseline = tmp_path / "baseline.json"
    inventory = baselined(tmp_path / "org", OPEN_STORE.replace("ACTIONS", "[read]"), baseline)
    document = json.loads(baseline.read_text())
    document["policylint-baseline"] = 2
    baseline.write_text(json.dumps(document, indent=2))
    assert check(str(inventory.parent), "--baseline", str(baseline))[:2] == (0, [])
    inventory.write_text(OPEN_STORE.replace("ACTIONS", "[read, write]"))
    assert check(str(inventory.parent), "--baseline", str(baseline))[:2] == (1, [("PL216", "orders-db")])


def test_a_baseline_with_two_entries_for_one_finding_is_a_located_error(tmp_path: Path) -> None:
    """`policylint baseline` writes one entry per finding; a second one (accepting more, say) is not read."""
    baseline = tmp_path / "baseline.json"
    inventory = baselined(tmp_path / "org", OPEN_STORE.replace("ACTIONS", "[read]"), baseline)
    document = json.loads(baseline.read_text())
    wider = {**document["findings"][0], "lists": {"grants": ['["orders-db", "*", null, []]']}}
    document["findings"].append(wider)
    baseline.write_text(json.dumps(document, indent=2))
    inventory.write_text(OPEN_STORE.replace("ACTIONS", "[read, write]"))
    result = run_cli("check", str(inventory.parent), "--baseline", str(baseline), "--as-of", "2026-01-01")
    assert result.code == 2
    assert "error: expected one entry per finding, found a second for PL216 resource:orders-db" in result.out
