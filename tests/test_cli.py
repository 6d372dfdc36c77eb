"""The command line, end to end: exit codes, the JSON contract, rule selection, user rules, the author commands."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers import REPO, run_cli, write

ORG = """
policylint: 1
people:
  - {id: kim.jh, status: departed, departed: 2025-06-14}
  - {id: lee.sy, status: active}
principals:
  - {id: order-sync, type: service, owner: lee.sy}
groups:
  - {id: auth-platform, members: [lee.sy]}
roles:
  - id: customer-db-reader
    assumable_by: [auth-platform, order-sync]
    grants:
      - {resource: customer-db, actions: [read]}
credentials:
  - {id: ak-7731, type: access_key, principal: order-sync, holders: [kim.jh], status: active,
     created: 2025-11-01, last_used: 2025-12-30}
resources:
  - {id: customer-db, type: database, data: [customer_pii], records: 33700000,
     logging: true, log_retention_days: 730, monitoring: true}
"""

USER_RULE = """
id: ACME001
title: Service principal without an owner team
severity: low
subject: principal
match:
  properties:
    type: {const: service}
message: "service {id} is owned by {owner.id}"
rationale: Teams own services, people move.
remediation: Name a team group as owner.
references: ["ACME platform handbook, ownership"]
"""


@pytest.fixture
def org(tmp_path: Path) -> Path:
    return write(tmp_path, "org.yaml", ORG)


# the evidence path of kim.jh's key to the customer database, typed (JSON `steps`)
KIM_STEPS = [
        {"id": "kim.jh", "kind": "person", "relation": None, "access": [], "condition": None, "through": None},
        {"id": "ak-7731", "kind": "credential", "relation": "holds", "access": [], "condition": None, "through": None},
        {"id": "order-sync", "kind": "principal", "relation": "authenticates", "access": [], "condition": None,
         "through": None},
        {"id": "customer-db-reader", "kind": "role", "relation": "assumes", "access": [], "condition": None,
         "through": None},
        {"id": "customer-db", "kind": "resource", "relation": "grants", "access": ["read"], "condition": None,
         "through": None}]

def test_text_output_is_located_like_a_compiler(org: Path) -> None:
    result = run_cli("check", str(org), "--as-of", "2026-01-01")
    assert result.code == 1
    lines = result.out.splitlines()
    assert f"{org}:15:5: CRITICAL PL101 access_key ak-7731 is active but held by kim.jh (departed 2025-06-14)" in lines
    assert ("    path: kim.jh –holds→ ak-7731 –authenticates as→ order-sync –assumes→ customer-db-reader –read→ "
            "customer-db") in lines
    assert re.match(r"1 finding \(1 critical\) in 1 file with \d+ rules as of 2026-01-01;", lines[-1])


def test_json_output_follows_the_contract(org: Path) -> None:
    result = run_cli("check", str(org), "--as-of", "2026-01-01", "--format", "json")
    assert result.code == 1
    document = json.loads(result.out)
    assert set(document) == {"as_of", "findings", "suppressed", "notices", "errors", "summary"}
    assert document["as_of"] == "2026-01-01"
    (finding,) = document["findings"]
    assert finding == {
        "rule": "PL101",
        "severity": "critical",
        "title": "Active credential held by a departed or suspended person",
        "subject": {"kind": "credential", "id": "ak-7731"},
        "message": "access_key ak-7731 is active but held by kim.jh (departed 2025-06-14)",
        "location": {"file": str(org), "line": 15, "column": 5},
        "path": ["kim.jh", "ak-7731", "order-sync", "customer-db-reader", "customer-db"],
        "steps": KIM_STEPS,
        "fingerprint": finding["fingerprint"],
    }
    assert len(finding["fingerprint"]) == 16
    assert document["errors"] == []
    assert document["summary"]["findings"] == 1


def test_fingerprint_survives_moved_lines(tmp_path: Path) -> None:
    a = write(tmp_path, "a/org.yaml", ORG)
    b = write(tmp_path, "b/org.yaml", ORG.replace("people:\n", "# a comment\n\npeople:\n"))
    first = json.loads(run_cli("check", str(a), "--as-of", "2026-01-01", "--format", "json").out)
    second = json.loads(run_cli("check", str(b), "--as-of", "2026-01-01", "--format", "json").out)
    assert first["findings"][0]["location"]["line"] != second["findings"][0]["location"]["line"]
    assert first["findings"][0]["fingerprint"] == second["findings"][0]["fingerprint"]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ((), 1),
        (("--fail-on", "critical"), 1),
        (("--ignore", "PL101"), 0),
        (("--ignore", "PL1"), 0),
        (("--select", "PL4"), 0),
        (("--select", "PL101", "--fail-on", "high"), 1),
    ],
    ids=["default", "fail-on-critical", "ignore-id", "ignore-prefix", "select-prefix", "select-id"],
)
def test_exit_codes_follow_fail_on_select_and_ignore(org: Path, args: tuple[str, ...], code: int) -> None:
    assert run_cli("check", str(org), "--as-of", "2026-01-01", *args).code == code


@pytest.mark.parametrize("selector", ["PL1O1", "XX"])
def test_a_selector_that_names_no_rule_is_a_usage_error(org: Path, selector: str) -> None:
    result = run_cli("check", str(org), "--select", selector)
    assert result.code == 2
    assert f"--select/--ignore '{selector}' names no rule" in result.err


def test_selectors_ignore_case(org: Path) -> None:
    assert run_cli("check", str(org), "--as-of", "2026-01-01", "--ignore", "pl101").code == 0


def test_findings_below_fail_on_are_shown_but_pass(tmp_path: Path) -> None:
    path = write(tmp_path, "org.yaml", ORG.replace("created: 2025-11-01, last_used: 2025-12-30",
                                                   "created: 2025-12-01, last_used: 2025-10-01"))
    result = run_cli("check", str(path), "--as-of", "2026-01-01", "--fail-on", "critical", "--ignore", "PL101")
    assert result.code == 0
    assert "MEDIUM PL104" in result.out


def test_as_of_moves_ages(org: Path) -> None:
    later = run_cli("check", str(org), "--as-of", "2026-03-01", "--select", "PL104")
    assert "ak-7731 is active but unused for 61 days" in later.out


def test_customer_data_patterns(org: Path) -> None:
    result = run_cli("reach", str(org), "--customer-data", "payment*", "--format", "json")
    assert json.loads(result.out)["identities"] == []


def test_user_rule_folder_works_like_the_builtin_one(org: Path, tmp_path: Path) -> None:
    write(tmp_path, "rules/acme001.yaml", USER_RULE)
    result = run_cli("check", str(org), "--as-of", "2026-01-01", "--policies", str(tmp_path / "rules"),
                     "--select", "ACME")
    assert result.code == 1
    assert f"{org}:6:5: LOW ACME001 service order-sync is owned by lee.sy" in result.out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("severity: low", "severity: urgent"), "rules/bad.yaml:3:11: error: expected one of 'critical'"),
        (("subject: principal", "subjekt: principal"), "rules/bad.yaml:4:1: error: unknown key 'subjekt'; did you "
                                                         "mean 'subject'?"),
        (("type: {const: service}", "type: {const: service, minimum: many}"),
         "rules/bad.yaml:7:37: error: expected a valid JSON Schema in match: 'many' is not of type 'number'"),
        (("{owner.id}", "{owner.secret}"), "rules/bad.yaml:8:10: error: expected message placeholders to name facts"
                                           " of principal, found {owner.secret}"),
    ],
    ids=["bad severity", "unknown key", "bad match schema", "unknown placeholder"],
)
def test_a_rule_that_fails_to_load_is_a_located_input_error(org: Path, tmp_path: Path,
                                                            change: tuple[str, str], message: str) -> None:
    write(tmp_path, "rules/bad.yaml", USER_RULE.replace(*change))
    result = run_cli("check", str(org), "--as-of", "2026-01-01", "--policies", str(tmp_path / "rules"))
    assert result.code == 2
    assert f"{tmp_path}/{message}" in result.out, result.out
    assert "CRITICAL PL101" in result.out  # the other rules still ran


def test_user_rule_cannot_reuse_a_builtin_id(org: Path, tmp_path: Path) -> None:
    write(tmp_path, "rules/x.yaml", USER_RULE.replace("ACME001", "PL101"))
    result = run_cli("check", str(org), "--policies", str(tmp_path / "rules"))
    assert result.code == 2
    assert "expected each rule id once, found PL101 again (first defined at" in result.out


def test_rules_lists_the_catalog_and_documents_one() -> None:
    listing = run_cli("rules")
    assert listing.code == 0
    assert "PL101    critical  credential" in listing.out
    doc = run_cli("rules", "PL301")
    assert doc.code == 0
    assert doc.out.startswith("PL301: Signing key reachable by someone who left after its last rotation")
    assert "NIST SP 800-57" in doc.out
    assert run_cli("rules", "PL999").code == 2


def test_facts_prints_what_rules_test(org: Path) -> None:
    result = run_cli("facts", "ak-7731", str(org), "--as-of", "2026-01-01")
    assert result.code == 0
    facts = json.loads(result.out)
    assert facts["holder_people"] == [{"id": "kim.jh", "status": "departed", "departed": "2025-06-14",
                                       "departed_basis": None}]
    assert facts["reach"]["records"] == 33_700_000
    missing = run_cli("facts", "nobody", str(org))
    assert missing.code == 2
    assert "no node with id 'nobody'" in missing.err


@pytest.mark.parametrize("what", [("inventory",), ("rule",), ("facts", "credential"), ("facts", "key")])
def test_schema_prints_json_schema(what: tuple[str, ...]) -> None:
    result = run_cli("schema", *what)
    assert result.code == 0
    assert json.loads(result.out)["$schema"].startswith("https://json-schema.org/draft/2020-12")


def test_schema_facts_needs_a_kind() -> None:
    assert run_cli("schema", "facts").code == 2


def test_reach_lists_people_first_with_paths(org: Path) -> None:
    result = run_cli("reach", str(org), "--as-of", "2026-01-01", "--format", "json")
    assert result.code == 0
    document = json.loads(result.out)
    assert document["as_of"] == "2026-01-01"
    assert [(i["id"], i["kind"]) for i in document["identities"]] == [
        ("kim.jh", "person"), ("lee.sy", "person"), ("order-sync", "principal")]
    kim = document["identities"][0]
    assert kim["status"] == "departed" and kim["records"] == 33_700_000
    assert kim["resources"] == [{"id": "customer-db", "classes": ["customer_pii"], "records": 33_700_000,
                                 "path": ["kim.jh", "ak-7731", "order-sync", "customer-db-reader", "customer-db"],
                                 "steps": KIM_STEPS}]
    text = run_cli("reach", str(org), "--as-of", "2026-01-01")
    assert "kim.jh (person, departed): 33,700,000 records in 1 resource" in text.out


def test_unknown_option_is_a_usage_error() -> None:
    result = run_cli("check", "--frobnicate")
    assert result.code == 2
    assert "No such option" in result.err


def test_internal_error_exits_3_without_traceback(org: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr("policylint.cli.run", broken)
    result = run_cli("check", str(org))
    assert result.code == 3
    assert "internal error: KeyError" in result.err and "please report it" in result.err
    assert "Traceback" not in result.err


@pytest.mark.slow  # a new Python process importing everything: 1-4 s
def test_python_dash_m_runs_the_cli(org: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "policylint", "check", str(org), "--as-of", "2026-01-01"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "CRITICAL PL101" in done.stdout


@pytest.mark.parametrize(
    ("match", "message"),
    [
        ("{properties: {type: {const: service}}, requried: [type]}",
         "rules/bad.yaml:5:47: error: unknown JSON Schema keyword 'requried' in match; did you mean 'required'?"),
        ("{$ref: '#/$defs/nope'}",
         "rules/bad.yaml:5:9: error: expected $ref to name a definition in this rule's $defs"),
        ("{$ref: 'https://example.com/schema.json'}", "error: expected $ref to name a definition"),
        ("{$dynamicRef: '#x'}", "error: unknown JSON Schema keyword '$dynamicRef' in match"),
    ],
    ids=["typo", "missing def", "remote ref", "dynamic ref"],
)
def test_a_match_that_would_silently_never_fire_is_refused(org: Path, tmp_path: Path, match: str,
                                                           message: str) -> None:
    rule = USER_RULE.replace("match:\n  properties:\n    type: {const: service}\n", f"match: {match}\n")
    write(tmp_path, "rules/bad.yaml", rule)
    result = run_cli("check", str(org), "--policies", str(tmp_path / "rules"))
    assert result.code == 2
    assert message in result.out, result.out


def test_a_local_ref_in_a_match_works(org: Path, tmp_path: Path) -> None:
    rule = USER_RULE.replace("match:\n  properties:\n    type: {const: service}\n",
                             "match:\n  $defs: {svc: {const: service}}\n"
                             "  properties:\n    type: {$ref: '#/$defs/svc'}\n")
    write(tmp_path, "rules/ok.yaml", rule)
    result = run_cli("check", str(org), "--as-of", "2026-01-01", "--policies", str(tmp_path / "rules"),
                     "--select", "ACME")
    assert result.code == 1
    assert "LOW ACME001 service order-sync" in result.out


def test_unreadable_entries_in_a_rule_folder_are_located_errors(org: Path, tmp_path: Path) -> None:
    (tmp_path / "rules" / "folder.yaml").mkdir(parents=True)
    (tmp_path / "rules" / "dangling.yaml").symlink_to(tmp_path / "nowhere")
    result = run_cli("check", str(org), "--policies", str(tmp_path / "rules"))
    assert result.code == 2
    assert f"{tmp_path}/rules/dangling.yaml:1:1: error: expected a file inside " in result.out  # it leads outside
    assert f"{tmp_path}/rules/folder.yaml:1:1: error: expected a regular file, found a folder" in result.out
    assert "Traceback" not in result.out + result.err


def test_policies_given_a_file(org: Path) -> None:
    result = run_cli("check", str(org), "--policies", str(org))
    assert result.code == 2
    assert "expected a folder of rule files, found a file" in result.out


def test_reach_lists_the_largest_resources_with_paths_and_counts_the_rest() -> None:
    acme = str(REPO / "examples" / "acme")
    every = json.loads(run_cli("reach", acme, "--as-of", "2026-11-27", "--format", "json", "--show", "all").out)
    two = json.loads(run_cli("reach", acme, "--as-of", "2026-11-27", "--format", "json", "--show", "2").out)
    kim_all = next(i for i in every["identities"] if i["id"] == "kim.jh")
    kim_two = next(i for i in two["identities"] if i["id"] == "kim.jh")
    assert (kim_two["records"], kim_two["reached"]) == (kim_all["records"], kim_all["reached"]) == (588_694_000, 10)
    assert kim_two["resources"] == kim_all["resources"][:2]  # the two largest, with the same paths
    assert [i["id"] for i in two["identities"]] == [i["id"] for i in every["identities"]]
    text = run_cli("reach", acme, "--as-of", "2026-11-27", "--show", "2")
    assert "  and 8 smaller resources (all of them: --show all)" in text.out
    bad = run_cli("reach", acme, "--show", "0")
    assert bad.code == 2 and "expected --show to be a positive number or 'all', found '0'" in bad.err
