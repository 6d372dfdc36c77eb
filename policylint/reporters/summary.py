"""Counts shared by the reporters."""

from __future__ import annotations

from policylint.pipeline import Report
from policylint.rules import SEVERITIES


def by_severity(report: Report) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for finding in report.findings:
        counts[finding.severity] += 1
    return counts
