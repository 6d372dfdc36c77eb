"""GitLab Code Quality: the fields GitLab reads, its severity scale, fingerprints unique and stable."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from policylint.report import Report
from policylint.reporters import gitlab

from helpers import run_cli, write

FIELDS = ["description", "check_name", "fingerprint", "severity", "location"]
GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def issues(text: str) -> list[dict[str, Any]]:
    """Parsed, and shaped as GitLab's Code Quality report requires."""
    assert text.endswith("]\n")
    found: list[dict[str, Any]] = json.loads(text)
    for issue in found:
        assert list(issue) == FIELDS
        assert isinstance(issue["description"], str) and issue["description"]
        assert issue["severity"] in GITLAB_SEVERITIES
        assert re.fullmatch(r"[0-9a-f]{32}", issue["fingerprint"])
        assert list(issue["location"]) == ["path", "lines"] and list(issue["location"]["lines"]) == ["begin"]
        assert isinstance(issue["location"]["lines"]["begin"], int) and issue["location"]["lines"]["begin"] >= 1
    assert len({issue["fingerprint"] for issue in found}) == len(found), "fingerprints must be unique"
    return found


@pytest.mark.parametrize("name", ["check", "diff"])
def test_output_matches_the_golden_file(name: str, scenario: Callable[[str], Report],
                                        golden: Callable[[str, str], None]) -> None:
    text = gitlab.render(scenario(name))
    issues(text)
    golden(f"{name}.gitlab.json", text)


def test_each_finding_and_input_error_is_an_issue_on_gitlabs_scale(report: Report) -> None:
    found = [(i["check_name"], i["severity"], i["location"]["path"], i["location"]["lines"]["begin"])
             for i in issues(gitlab.render(report))]
    assert found == [
        ("policylint-input-error", "blocker", "broken.yaml", 4),
        ("ACME001", "info", "org.yaml", 8),
        ("PL106", "minor", "org.yaml", 8),
        ("ACME001", "info", "org.yaml", 9),
        ("PL101", "blocker", "org.yaml", 18),
        ("PL104", "major", "org.yaml", 20),
        ("PL105", "major", "org.yaml", 20),
        ("PL402", "critical", "org.yaml", 23),
    ]


def test_the_description_names_rule_message_and_path(report: Report) -> None:
    by_check = {i["check_name"]: i["description"] for i in issues(gitlab.render(report))}
    assert by_check["PL101"] == ("PL101: access_key ak-7731 is active but held by kim.jh (departed 2025-06-14) "
                                 "(path: kim.jh –holds→ ak-7731"
                                 " –authenticates as→ order-sync –assumes→ customer-db-reader –read→ customer-db)")
    assert by_check["PL402"] == ("PL402: database customer-db holds customer data (customer_pii; records: 33,700,000) "
                                 "and nobody is alerted on its access")


def test_fingerprints_do_not_change_when_lines_move(report: Report) -> None:
    moved = replace(report, findings=[replace(f, location=replace(f.location, line=f.location.line + 40))
                                      for f in report.findings])
    before, after = issues(gitlab.render(report)), issues(gitlab.render(moved))
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    assert [i["location"]["lines"]["begin"] for i in after][1:] == [48, 48, 49, 58, 60, 60, 63]


def test_the_same_finding_twice_still_gets_two_fingerprints(report: Report) -> None:
    twice = replace(report, findings=[report.findings[0], report.findings[0]],
                    errors=[report.errors[0], report.errors[0]])
    assert len(issues(gitlab.render(twice))) == 4  # issues() asserts the fingerprints are unique


def test_paths_are_relative_with_forward_slashes(report: Report) -> None:
    moved = replace(report, findings=[replace(f, location=replace(f.location, file=".\\inv\\org.yaml"))
                                      for f in report.findings])
    assert {i["location"]["path"] for i in issues(gitlab.render(moved))} == {"broken.yaml", "inv/org.yaml"}


def test_the_cli_writes_a_code_quality_report(tmp_path: Path, in_fixtures: Path) -> None:
    org = write(tmp_path, "org.yaml", (in_fixtures / "org.yaml").read_text(encoding="utf-8"))
    result = run_cli("check", str(org), "--format", "gitlab", "--as-of", "2026-01-01")
    assert result.code == 1
    assert sorted(i["check_name"] for i in issues(result.out)) == ["PL101", "PL104", "PL105", "PL106", "PL402"]
    broken = write(tmp_path, "broken.yaml", (in_fixtures / "broken.yaml").read_text(encoding="utf-8"))
    failed = run_cli("check", str(broken), "--format", "gitlab", "--as-of", "2026-01-01")
    assert failed.code == 2
    assert [i["check_name"] for i in issues(failed.out)] == [  # broken.yaml: no account needs a roster
        "policylint-input-error", "policylint-nothing-is-customer-data"]
