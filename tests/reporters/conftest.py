"""Reports for the reporter tests, built by the real pipeline on `fixtures/`, and the golden-file comparison.

Golden files are `golden/<scenario>.<format>.<ext>`, compared exactly. After an intended change of output, rewrite
them and review the diff like code:

    POLICYLINT_UPDATE_GOLDEN=1 python -m pytest tests/reporters
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from policylint.findings import Finding, Notice, Suppression, fingerprint
from policylint.graph import Step
from policylint.model import Location
from policylint.pipeline import run
from policylint.report import Report
from policylint.settings import Settings

from helpers import AS_OF

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
GOLDEN = HERE / "golden"
# a few rules keep the golden files readable; PL301 finds nothing here, so the formats show a rule that passed
SELECTED = ("PL101", "PL104", "PL105", "PL106", "PL301", "PL402", "ACME")
SCENARIOS = ("check", "diff")


def pipeline(*files: str, select: tuple[str, ...] = SELECTED) -> Report:
    """The real pipeline on fixture files, named relative to `fixtures/` so outputs hold no machine's paths."""
    return run(Settings(tuple(files), AS_OF, policies=(Path("policies"),), select=select)).report


def build_scenario(name: str) -> Report:
    if name == "check":  # findings, an input error, suppressions of each kind, notices
        return with_suppressions(pipeline("org.yaml", "broken.yaml"))
    if name == "diff":  # the findings are the new ones; one finding of the base revision is gone
        return replace(pipeline("org.yaml"), resolved=(resolved_finding(),), base="main")
    raise ValueError(name)


def with_suppressions(report: Report) -> Report:
    """Moves three findings into `suppressed`, one per kind of suppression, and adds two notices."""
    by_key = {(f.rule, f.subject_id): f for f in report.findings}
    suppressed = (
        Suppression(by_key["PL105", "ak-7732"], "exception", "rotation scheduled with the vault migration", "lee.sy",
                    date(2026, 3, 31), Location("exceptions.yaml", 4, 5)),
        Suppression(by_key["PL106", "order-sync"], "inline", "second key is the rollover key", None, None,
                    Location("org.yaml", 8, 60)),
        Suppression(by_key["ACME001", "billing,export:100%"], "baseline", "accepted when policylint was adopted",
                    None, None, Location(".policylint-baseline.yaml", 7, 3)),
    )
    gone = {s.finding for s in suppressed}
    notices = (
        Notice(Location(".policylint-baseline.yaml", 12, 3), "baseline entry PL101 tok-old matches no finding"),
        Notice(Location("exceptions.yaml", 9, 5), "exception for PL203 partner-analytics matches nothing"),
    )
    return replace(report, findings=[f for f in report.findings if f not in gone], suppressed=suppressed,
                   notices=notices)


def resolved_finding() -> Finding:
    return Finding(Location("org.yaml", 17, 5), "PL101", "credential", "ak-6120", "critical",
                   "Active credential held by a departed or suspended person",
                   "access_key ak-6120 is active but held by kim.jh (departed 2025-06-14)",
                   (Step("kim.jh", "person"), Step("ak-6120", "credential", "holds"),
                    Step("order-sync", "principal", "authenticates"), Step("customer-db-reader", "role", "assumes"),
                    Step("customer-db", "resource", "grants", ("read",))),
                   fingerprint("PL101", "credential", "ak-6120"))


@pytest.fixture
def in_fixtures(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(FIXTURES)
    return FIXTURES


@pytest.fixture
def report(in_fixtures: Path) -> Report:
    """Every selected rule, findings at each severity, an input error; nothing hand-built."""
    return pipeline("org.yaml", "broken.yaml")


@pytest.fixture
def scenario(in_fixtures: Path) -> Callable[[str], Report]:
    return build_scenario


@pytest.fixture(name="pipeline")
def pipeline_fixture(in_fixtures: Path) -> Callable[..., Report]:
    return pipeline


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    return compare_golden


def compare_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("POLICYLINT_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.exists(), f"no golden file {path}; create it with POLICYLINT_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs; POLICYLINT_UPDATE_GOLDEN=1 rewrites it"
