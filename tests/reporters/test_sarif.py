"""SARIF: valid against the official 2.1.0 schema, every rule described, levels, code flows, suppressions, diffs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator, FormatChecker

from policylint import __version__
from policylint.report import Report
from policylint.reporters import sarif

from helpers import run_cli, write

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
# RFC 3986 characters; jsonschema only checks the `uri` formats when rfc3987 is installed, so check them here
URI_CHARACTERS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
FORMATS = FormatChecker()
FORMATS.checks("uri")(lambda value: not isinstance(value, str) or bool(
    re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value) and URI_CHARACTERS.fullmatch(value)))
FORMATS.checks("uri-reference")(lambda value: not isinstance(value, str) or bool(URI_CHARACTERS.fullmatch(value)))
VALIDATOR = Draft4Validator(SCHEMA, format_checker=FORMATS)  # the schema declares draft-04


def valid_sarif(text: str) -> dict[str, Any]:
    """Every SARIF document a test produces goes through here: parsed, and valid against the official schema."""
    assert text.endswith("}\n")
    document: dict[str, Any] = json.loads(text)
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(document)]
    assert problems == []
    return document


def results(document: dict[str, Any]) -> list[dict[str, Any]]:
    run: dict[str, Any] = document["runs"][0]
    found: list[dict[str, Any]] = run["results"]
    return found


def where(result: dict[str, Any]) -> tuple[str, int]:
    return place(result["locations"][0])


def place(location: dict[str, Any]) -> tuple[str, int]:
    physical = location["physicalLocation"]
    return physical["artifactLocation"]["uri"], physical["region"]["startLine"]


def located(file: str, line: int, column: int) -> dict[str, Any]:
    return {"physicalLocation": {"artifactLocation": {"uri": file, "uriBaseId": "%SRCROOT%"},
                                 "region": {"startLine": line, "startColumn": column}}}


@pytest.mark.parametrize("name", ["check", "diff"])
def test_output_matches_the_golden_file(name: str, scenario: Callable[[str], Report],
                                        golden: Callable[[str, str], None]) -> None:
    text = sarif.render(scenario(name))
    valid_sarif(text)
    golden(f"{name}.sarif", text)


def test_the_schema_validation_catches_a_broken_document(report: Report) -> None:
    document = json.loads(sarif.render(report))
    document["runs"][0]["results"][0]["level"] = "critical"
    del document["runs"][0]["tool"]["driver"]["name"]
    assert len(list(VALIDATOR.iter_errors(document))) == 2


def test_every_rule_that_ran_is_described(pipeline: Callable[..., Report]) -> None:
    report = pipeline("org.yaml", select=())
    driver = valid_sarif(sarif.render(report))["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("policylint", __version__)
    assert [r["id"] for r in driver["rules"]] == sorted(rule.id for rule in report.rules)
    assert "ACME001" in {r["id"] for r in driver["rules"]}  # the fixture's own rule beside the built-in ones
    by_id = {r["id"]: r for r in driver["rules"]}
    assert by_id["PL101"]["name"] == "ActiveCredentialHeldByADepartedOrSuspendedPerson"
    assert by_id["PL101"]["properties"] == {"tags": ["security", "credential"], "precision": "very-high",
                                            "security-severity": "9.5"}
    assert by_id["PL101"]["help"]["text"].startswith("A person who has left still has a working copy")
    assert "How to fix it:\nRevoke or rotate the credential now" in by_id["PL101"]["help"]["text"]
    assert "\n- NIST SP 800-53 Rev. 5, PS-4" in by_id["PL101"]["help"]["markdown"]
    assert "helpUri" not in by_id["PL101"]  # its references are citations, not links
    assert by_id["ACME001"]["helpUri"] == "https://example.com/handbook/ownership?rule=ACME001&v=1"
    for rule in report.rules:
        described = by_id[rule.id]
        assert described["defaultConfiguration"]["level"] == sarif.LEVELS[rule.severity]
        assert described["properties"]["security-severity"] == sarif.SECURITY_SEVERITY[rule.severity]
        assert described["shortDescription"]["text"] == rule.title


def github_band(score: float) -> str:
    """How GitHub code scanning ranks a security-severity score."""
    if score > 0:
        return "critical" if score >= 9 else "high" if score >= 7 else "medium" if score >= 4 else "low"
    return "none"


@pytest.mark.parametrize(("severity", "level", "band"), [
    ("critical", "error", "critical"), ("high", "error", "high"), ("medium", "warning", "medium"),
    ("low", "note", "low"), ("info", "note", "none"),
])
def test_severity_maps_to_level_and_to_githubs_severity_bands(severity: str, level: str, band: str) -> None:
    assert sarif.LEVELS[severity] == level
    assert github_band(float(sarif.SECURITY_SEVERITY[severity])) == band


def test_each_finding_is_a_result_at_its_place(report: Report) -> None:
    found = {(r["ruleId"], r["level"], *where(r)) for r in results(valid_sarif(sarif.render(report)))}
    assert found == {
        ("ACME001", "note", "org.yaml", 8), ("PL106", "note", "org.yaml", 8), ("ACME001", "note", "org.yaml", 9),
        ("PL101", "error", "org.yaml", 18), ("PL104", "warning", "org.yaml", 20), ("PL105", "warning", "org.yaml", 20),
        ("PL402", "error", "org.yaml", 23),
    }


def test_results_point_into_the_rule_list_and_carry_the_fingerprint(report: Report) -> None:
    document = valid_sarif(sarif.render(report))
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    for result, finding in zip(results(document), report.findings, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding.rule
        assert result["partialFingerprints"] == {"policylintFingerprint/v1": finding.fingerprint}
        assert "baselineState" not in result and "suppressions" not in result


def test_the_evidence_path_is_a_code_flow_and_part_of_the_message(report: Report) -> None:
    by_rule = {r["ruleId"]: r for r in results(valid_sarif(sarif.render(report)))}
    pl101 = by_rule["PL101"]
    assert pl101["message"]["text"] == ("access_key ak-7731 is active but held by kim.jh (departed 2025-06-14); "
                                        "path: kim.jh –holds→ ak-7731"
                                        " –authenticates as→ order-sync –assumes→ customer-db-reader"
                                        " –read→ customer-db")
    [flow] = pl101["codeFlows"]
    steps = [step["location"] for step in flow["threadFlows"][0]["locations"]]
    assert [step["message"]["text"] for step in steps] == [
        "kim.jh", "–holds→ ak-7731", "–authenticates as→ order-sync", "–assumes→ customer-db-reader",
        "–read→ customer-db"]
    # only the subject's own place is known; the other nodes are not given invented locations
    assert [place(step) if "physicalLocation" in step else None for step in steps] == [
        None, ("org.yaml", 18), None, None, None]
    assert "codeFlows" not in by_rule["PL402"]
    assert "path" not in by_rule["PL402"]["message"]["text"]


def test_suppressed_findings_are_results_with_their_justification(scenario: Callable[[str], Report]) -> None:
    report = scenario("check")
    suppressed = [r for r in results(valid_sarif(sarif.render(report))) if "suppressions" in r]
    assert [(r["ruleId"], r["suppressions"]) for r in suppressed] == [  # in the order of the findings
        ("PL106", [{"kind": "inSource", "status": "accepted",
                    "justification": "second key is the rollover key (inline)",
                    "location": located("org.yaml", 8, 60)}]),
        ("ACME001", [{"kind": "external", "status": "accepted",
                      "justification": "accepted when policylint was adopted (baseline)",
                      "location": located(".policylint-baseline.yaml", 7, 3)}]),
        ("PL105", [{"kind": "external", "status": "accepted",
                    "justification": "rotation scheduled with the vault migration (exception; owner: lee.sy; "
                                     "expires 2026-03-31)",
                    "location": located("exceptions.yaml", 4, 5)}]),
    ]
    assert len(results(valid_sarif(sarif.render(report)))) == len(report.findings) + 3


def test_a_diff_marks_new_findings_and_the_resolved_ones_as_absent(scenario: Callable[[str], Report]) -> None:
    report = scenario("diff")
    states = [(r["ruleId"], r["baselineState"], *where(r)) for r in results(valid_sarif(sarif.render(report)))]
    assert states[-1] == ("PL101", "absent", "org.yaml", 17)
    assert {state for _, state, *_ in states[:-1]} == {"new"}
    assert len(states) == len(report.findings) + 1


def test_input_errors_and_notices_are_tool_notifications(scenario: Callable[[str], Report]) -> None:
    [invocation] = valid_sarif(sarif.render(scenario("check")))["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert [(n["level"], *where(n), n["message"]["text"]) for n in invocation["toolExecutionNotifications"]] == [
        ("error", "broken.yaml", 4, "expected one of 'active', 'departed', 'suspended', 'leave', found the string "
                                    "'retired' (at people[0].status)"),
        ("note", ".policylint-baseline.yaml", 12, "baseline entry PL101 tok-old matches no finding"),
        ("note", "exceptions.yaml", 9, "exception for PL203 partner-analytics matches nothing"),
    ]


def test_a_clean_run_succeeds_without_notifications(pipeline: Callable[..., Report]) -> None:
    document = valid_sarif(sarif.render(pipeline("org.yaml", select=("PL301",))))
    assert document["runs"][0]["invocations"] == [{"executionSuccessful": True}]
    assert results(document) == []


@pytest.mark.parametrize(("file", "artifact"), [
    pytest.param(file, artifact, id=case) for case, file, artifact in [
        ("relative", "org.yaml", {"uri": "org.yaml", "uriBaseId": "%SRCROOT%"}),
        ("dot segments", "./inv/../inv/org.yaml", {"uri": "inv/org.yaml", "uriBaseId": "%SRCROOT%"}),
        ("backslashes", "inv\\org.yaml", {"uri": "inv/org.yaml", "uriBaseId": "%SRCROOT%"}),
        ("reserved characters", "my inv/a:b#1%.yaml",
         {"uri": "my%20inv/a%3Ab%231%25.yaml", "uriBaseId": "%SRCROOT%"}),
        ("non-ASCII", "인사/org.yaml", {"uri": "%EC%9D%B8%EC%82%AC/org.yaml", "uriBaseId": "%SRCROOT%"}),
        ("absolute", "/srv/inv/org.yaml", {"uri": "file:///srv/inv/org.yaml"}),
        ("windows drive", "C:\\inv\\org.yaml", {"uri": "file:///C:/inv/org.yaml"}),
    ]
])
def test_files_become_uris(file: str, artifact: dict[str, str], report: Report) -> None:
    assert sarif.artifact(file) == artifact
    moved = replace(report, findings=[replace(f, location=replace(f.location, file=file)) for f in report.findings])
    assert results(valid_sarif(sarif.render(moved)))[0]["locations"][0]["physicalLocation"]["artifactLocation"] == \
        artifact


def test_the_cli_writes_sarif(tmp_path: Path, in_fixtures: Path) -> None:
    org = write(tmp_path, "org.yaml", (in_fixtures / "org.yaml").read_text(encoding="utf-8"))
    result = run_cli("check", str(org), "--format", "sarif", "--as-of", "2026-01-01")
    assert result.code == 1
    document = valid_sarif(result.out)
    assert {r["ruleId"] for r in results(document)} == {"PL101", "PL104", "PL105", "PL106", "PL402"}
    assert document["runs"][0]["invocations"] == [{"executionSuccessful": True}]


def test_the_cli_reports_input_errors_in_sarif_and_exits_2(tmp_path: Path, in_fixtures: Path) -> None:
    broken = write(tmp_path, "broken.yaml", (in_fixtures / "broken.yaml").read_text(encoding="utf-8"))
    result = run_cli("check", str(broken), "--format", "sarif", "--as-of", "2026-01-01")
    assert result.code == 2
    [invocation] = valid_sarif(result.out)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    # the error and the warning that nothing is customer data (no account there needs a roster: no note)
    assert [n["level"] for n in invocation["toolExecutionNotifications"]] == ["error", "warning"]


def test_a_file_name_that_is_not_utf8_is_a_uri_of_its_bytes_never_a_crash() -> None:
    """A name on disk that is not UTF-8 reaches Python with its bytes as lone surrogates (an attacker can commit
    one); the whole report crashed on it (exit 3), hiding every other file's findings."""
    assert sarif.artifact("inv/pol\udcff\udcfe.json") == {"uri": "inv/pol%FF%FE.json", "uriBaseId": "%SRCROOT%"}
    assert sarif.artifact("/abs/x\ud800.json") == {"uri": "file:///abs/x%ED%A0%80.json"}
