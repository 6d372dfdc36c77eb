"""GitHub Actions workflow commands: the toolkit's escaping, one command per line, a plain summary at the end."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from policylint.report import Report
from policylint.reporters import github

from helpers import run_cli, write


@pytest.mark.parametrize("name", ["check", "diff"])
def test_output_matches_the_golden_file(name: str, scenario: Callable[[str], Report],
                                        golden: Callable[[str, str], None]) -> None:
    golden(f"{name}.github.txt", github.render(scenario(name)))


@pytest.mark.parametrize(("text", "data", "prop"), [
    pytest.param(text, data, prop, id=case) for case, text, data, prop in [
        ("plain", "ak-7731", "ak-7731", "ak-7731"),
        ("percent first, so escapes are not escaped twice", "100% %0A", "100%25 %250A", "100%25 %250A"),
        ("line breaks", "one\r\ntwo\nthree", "one%0D%0Atwo%0Athree", "one%0D%0Atwo%0Athree"),
        ("separators only in properties", "a:b,c", "a:b,c", "a%3Ab%2Cc"),
        ("a command in the text", "x\n::error::y", "x%0A::error::y", "x%0A%3A%3Aerror%3A%3Ay"),
        ("non-ASCII", "kim.jh → 인사", "kim.jh → 인사", "kim.jh → 인사"),
    ]
])
def test_values_are_escaped_as_the_actions_toolkit_does(text: str, data: str, prop: str) -> None:
    assert github.escape_data(text) == data
    assert github.escape_property(text) == prop


def test_each_finding_is_a_command_by_severity(report: Report) -> None:
    lines = github.render(report).splitlines()
    assert [line.split("::")[1] for line in lines[:-1]] == [
        "error file=broken.yaml,line=4,col=27,title=policylint input error",
        "notice file=org.yaml,line=8,col=5,title=ACME001 Service identity%3A review ownership%2C 100%25 of them",
        "notice file=org.yaml,line=8,col=5,title=PL106 More than one active access key for one principal",
        "notice file=org.yaml,line=9,col=5,title=ACME001 Service identity%3A review ownership%2C 100%25 of them",
        "error file=org.yaml,line=18,col=5,title=PL101 Active credential held by a departed or suspended person",
        "warning file=org.yaml,line=20,col=5,title=PL104 Active credential unused for 45 days or more",
        "warning file=org.yaml,line=20,col=5,title=PL105 Long-lived key or client secret not rotated in 90 days",
        "error file=org.yaml,line=23,col=5,title=PL402 Customer data without access monitoring",
    ]


def test_the_message_holds_the_evidence_path_on_an_escaped_new_line(report: Report) -> None:
    lines = github.render(report).splitlines()
    pl101 = next(line for line in lines if "title=PL101 " in line)
    assert pl101.split("::", 2)[2] == ("access_key ak-7731 is active but held by kim.jh (departed 2025-06-14)%0A"
                                       "path: kim.jh –holds→ ak-7731"
                                       " –authenticates as→ order-sync –assumes→ customer-db-reader –read→ customer-db")
    billing = next(line for line in lines if ",line=9," in line)
    assert billing.split("::", 2)[2] == ("service billing,export:100%25 is owned by lee.sy: confirm the owner, "
                                         "then close")


def test_no_input_can_end_a_command_or_start_another(report: Report) -> None:
    hostile = "x\r\n::error file=evil.yaml::injected %0A, y: z"
    finding = replace(report.findings[0], message=hostile, title=hostile,
                      location=replace(report.findings[0].location, file="a,b:c\n::d.yaml"))
    lines = github.render(replace(report, findings=[finding], errors=[])).splitlines()
    assert len(lines) == 2
    # control characters from inputs are shown as escapes (redact.printable) before the toolkit's own escaping
    assert lines[0] == ("::notice file=a%2Cb%3Ac\\x0a%3A%3Ad.yaml,line=8,col=5,"
                        "title=ACME001 x\\x0d\\x0a%3A%3Aerror file=evil.yaml%3A%3Ainjected %250A%2C y%3A z"
                        "::x\\x0d\\x0a::error file=evil.yaml::injected %250A, y: z%0A"
                        "path: order-sync –assumes→ customer-db-reader –read→ customer-db")


def test_the_summary_is_a_plain_last_line(scenario: Callable[[str], Report]) -> None:
    check, diff = github.render(scenario("check")), github.render(scenario("diff"))
    assert check.endswith("\npolicylint: 4 findings (1 critical, 1 high, 1 medium, 1 info) in 2 files as of "
                          "2026-01-01; 1 input error, 3 suppressed.\n")
    assert diff.splitlines()[-1] == ("policylint: 7 findings (1 critical, 1 high, 2 medium, 1 low, 2 info) in 1 file "
                                     "as of 2026-01-01; 1 resolved.")
    notices = [line for line in check.splitlines() if "title=policylint notice" in line]
    assert notices == [
        "::notice file=.policylint-baseline.yaml,line=12,col=3,title=policylint notice::baseline entry PL101 tok-old "
        "matches no finding",
        "::notice file=exceptions.yaml,line=9,col=5,title=policylint notice::exception for PL203 partner-analytics "
        "matches nothing",
    ]


def test_the_cli_writes_workflow_commands(tmp_path: Path, in_fixtures: Path) -> None:
    org = write(tmp_path, "org.yaml", (in_fixtures / "org.yaml").read_text(encoding="utf-8"))
    broken = write(tmp_path, "broken.yaml", (in_fixtures / "broken.yaml").read_text(encoding="utf-8"))
    result = run_cli("check", str(org), "--format", "github", "--as-of", "2026-01-01")
    assert result.code == 1
    lines = result.out.splitlines()
    assert all(line.startswith(("::error file=", "::warning file=", "::notice file=")) for line in lines[:-1])
    assert len(lines) == 6 and lines[-1].startswith("policylint: 5 findings")
    failed = run_cli("check", str(org), str(broken), "--format", "github", "--as-of", "2026-01-01")
    assert failed.code == 2
    assert failed.out.splitlines()[0].startswith(f"::error file={github.escape_property(str(broken))},line=4,col=27,")
