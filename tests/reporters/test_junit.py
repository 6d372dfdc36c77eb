"""JUnit XML: well-formed whatever the input holds, counts that add up, a suite per rule that ran."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from policylint.report import Report
from policylint.reporters import junit

from helpers import run_cli, write


def parsed(text: str) -> ET.Element:
    assert text.startswith("<?xml version='1.0' encoding='utf-8'?>\n<testsuites ") and text.endswith("</testsuites>\n")
    return ET.fromstring(text)


def counts(element: ET.Element) -> tuple[int, ...]:
    return tuple(int(element.get(key, "-1")) for key in ("tests", "failures", "errors", "skipped"))


def cases(root: ET.Element) -> list[tuple[str, str, str | None, str | None, str | None]]:
    """(suite, case, file, line, outcome) for every test case, in document order."""
    found = []
    for suite in root.iter("testsuite"):
        for case in suite.iter("testcase"):
            outcome = next((child.tag for child in case if child.tag in ("failure", "error", "skipped")), None)
            found.append((suite.get("name", ""), case.get("name", ""), case.get("file"), case.get("line"), outcome))
    return found


@pytest.mark.parametrize("name", ["check", "diff"])
def test_output_matches_the_golden_file(name: str, scenario: Callable[[str], Report],
                                        golden: Callable[[str, str], None]) -> None:
    text = junit.render(scenario(name))
    parsed(text)
    golden(f"{name}.junit.xml", text)


def test_a_suite_per_rule_a_failing_case_per_finding_and_an_input_suite(report: Report) -> None:
    root = parsed(junit.render(report))
    assert [s.get("name") for s in root.iter("testsuite")] == [
        "ACME001 Service identity: review ownership, 100% of them",
        "PL101 Active credential held by a departed or suspended person",
        "PL104 Active credential unused for 45 days or more",
        "PL105 Long-lived key or client secret not rotated in 90 days",
        "PL106 More than one active access key for one principal",
        "PL301 Signing key reachable by someone who left after its last rotation",
        "PL402 Customer data without access monitoring",
        "input",
    ]
    assert [case[1:] for case in cases(root)] == [
        ("principal:order-sync", "org.yaml", "8", "failure"),
        ("principal:billing,export:100%", "org.yaml", "9", "failure"),
        ("credential:ak-7731", "org.yaml", "18", "failure"),
        ("credential:ak-7732", "org.yaml", "20", "failure"),
        ("credential:ak-7732", "org.yaml", "20", "failure"),
        ("principal:order-sync", "org.yaml", "8", "failure"),
        ("no findings", None, None, None),  # PL301 ran and found nothing
        ("resource:customer-db", "org.yaml", "23", "failure"),
        ("broken.yaml:4:27", "broken.yaml", "4", "error"),
    ]


def test_counts_add_up(scenario: Callable[[str], Report]) -> None:
    report = scenario("check")
    root = parsed(junit.render(report))
    suites = root.findall("testsuite")
    assert counts(root) == (len(cases(root)), len(report.findings), len(report.errors), len(report.suppressed))
    assert counts(root) == tuple(sum(column) for column in zip(*map(counts, suites), strict=True))
    for suite in suites:
        outcomes = [case[4] for case in cases(suite)]
        assert counts(suite) == (len(outcomes), outcomes.count("failure"), outcomes.count("error"),
                                 outcomes.count("skipped"))


def test_a_failure_carries_severity_message_location_and_path(report: Report) -> None:
    root = parsed(junit.render(report))
    failure = root.find("testsuite/testcase[@classname='PL101']/failure")
    assert failure is not None
    assert failure.attrib == {"message": "access_key ak-7731 is active but held by kim.jh (departed 2025-06-14)",
                              "type": "critical"}
    assert failure.text == ("access_key ak-7731 is active but held by kim.jh (departed 2025-06-14)\n"
                            "at org.yaml:18:5\n"
                            "path: kim.jh –holds→ ak-7731"
                            " –authenticates as→ order-sync –assumes→ customer-db-reader –read→ customer-db")


def test_suppressed_findings_are_skipped_with_the_reason(scenario: Callable[[str], Report]) -> None:
    root = parsed(junit.render(scenario("check")))
    skipped = root.find("testsuite/testcase[@classname='PL105']/skipped")
    assert skipped is not None
    assert skipped.get("message") == ("rotation scheduled with the vault migration (suppressed by an exception at "
                                      "exceptions.yaml:4:5; owner: lee.sy; expires 2026-03-31)")


def test_notices_are_the_input_suites_output(scenario: Callable[[str], Report]) -> None:
    root = parsed(junit.render(scenario("check")))
    out = root.find("testsuite[@name='input']/system-out")
    assert out is not None
    assert out.text == (".policylint-baseline.yaml:12:3: note: baseline entry PL101 tok-old matches no finding\n"
                        "exceptions.yaml:9:5: note: exception for PL203 partner-analytics matches nothing")


@pytest.mark.parametrize(("text", "shown"), [
    pytest.param(text, shown, id=case) for case, text, shown in [
        ("markup", 'a <b> & "c" \'d\' ]]> e', 'a <b> & "c" \'d\' ]]> e'),
        ("newlines and tabs", "one\ntwo\tthree", "one\\x0atwo\\x09three"),  # no line of the file is an input's
        ("control characters XML cannot hold", "bell\x07 nul\x00 esc\x1b", "bell\\x07 nul\\x00 esc\\x1b"),
        ("a lone surrogate", "half \ud800 pair", "half \\ud800 pair"),
        ("non-ASCII", "인사 → ✓", "인사 → ✓"),
    ]
])
def test_any_text_stays_well_formed_and_round_trips(text: str, shown: str, report: Report) -> None:
    finding = replace(report.findings[0], message=text, subject_id=text, location=replace(
        report.findings[0].location, file=text))
    root = parsed(junit.render(replace(report, findings=[finding], errors=[])))
    case = root.find(f"testsuite/testcase[@classname='{finding.rule}']")
    assert case is not None
    failure = case.find("failure")
    assert failure is not None
    assert (case.get("name"), case.get("file"), failure.get("message")) == (f"principal:{shown}", shown, shown)
    assert failure.text is not None and failure.text.startswith(shown)


def test_a_clean_run_is_all_passing_suites(pipeline: Callable[..., Report]) -> None:
    report = pipeline("org.yaml", select=("PL301", "PL2"))
    root = parsed(junit.render(report))
    assert report.findings == [] and len(report.rules) >= 6
    assert counts(root) == (len(report.rules), 0, 0, 0)  # one passing case per rule that ran
    assert {case[1:] for case in cases(root)} == {("no findings", None, None, None)}


def test_the_cli_writes_junit(tmp_path: Path, in_fixtures: Path) -> None:
    org = write(tmp_path, "org.yaml", (in_fixtures / "org.yaml").read_text(encoding="utf-8"))
    result = run_cli("check", str(org), "--format", "junit", "--as-of", "2026-01-01")
    assert result.code == 1
    root = parsed(result.out)
    ran = len(list(root.iter("testsuite")))
    assert counts(root) == (ran, 5, 0, 0)  # every rule that ran is a suite: 5 with one finding each, the rest pass
    assert root.find(f"testsuite/testcase[@file='{org}']") is not None


def test_the_cli_reports_input_errors_in_junit_and_exits_2(tmp_path: Path, in_fixtures: Path) -> None:
    broken = write(tmp_path, "broken.yaml", (in_fixtures / "broken.yaml").read_text(encoding="utf-8"))
    result = run_cli("check", str(broken), "--format", "junit", "--as-of", "2026-01-01")
    assert result.code == 2
    root = parsed(result.out)
    # the error, and: nothing is customer data
    assert [case[4] for case in cases(root) if case[0] == "input"] == ["error", "skipped"]
    assert counts(root)[2] == 1
