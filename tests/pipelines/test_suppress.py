"""Baselines, exceptions that expire, and inline ignore comments, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
    assert set(document["findings"][0]) == {"rule", "subject", "severity", "title", "fingerprint"}
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
    assert "suppressed" not in quiet.out
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
