"""Counts shared by the reporters."""

from __future__ import annotations

from policylint.report import Report
from policylint.rules import SEVERITIES


def by_severity(report: Report) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for finding in report.findings:
        counts[finding.severity] += 1
    return counts


UNCLASSIFIED = ("no resource is classified as customer data, so who can reach it is unknown, not none: classify "
                "the data stores (`data:` in the native format, a data-classification tag or label, or `annotate:`), "
                "or run with --unclassified customer to count every unclassified data store as customer data")
NO_STORES = ("no data store is defined, so who can reach customer data is unknown, not none: add the files that "
             "define the stores the grants name (native `resources:`, CloudFormation, Kubernetes secrets), or "
             "`annotate:` them")
MAX_CLASSES = 10


def unclassified(report: Report) -> str | None:
    """Said in every format when nothing is customer data: "0 identities can reach it" would read as "safe"."""
    if report.customer_resources != 0:
        return None
    if report.data_classes:
        classes = ", ".join(report.data_classes[:MAX_CLASSES]) + (
            f" and {len(report.data_classes) - MAX_CLASSES} more" if len(report.data_classes) > MAX_CLASSES else "")
        return (f"no data class matches the customer-data patterns ({', '.join(report.patterns)}), so who can "
                f"reach customer data is unknown, not none: the classes present are {classes}; name the customer "
                "ones with --customer-data or `customer-data:` in the configuration")
    return NO_STORES if report.unclassified == "customer" else UNCLASSIFIED


def skipped(report: Report) -> str | None:
    """`3 files skipped: 2 not access-control data, 1 not a data file` (--verbose lists them)."""
    if not report.skipped:
        return None
    reasons: dict[str, int] = {}
    for _file, reason in report.skipped:
        reasons[reason] = reasons.get(reason, 0) + 1
    count = len(report.skipped)
    listed = ", ".join(f"{n} {reason}" for reason, n in sorted(reasons.items(), key=lambda item: (-item[1], item[0])))
    return f"{count} file{'s' if count != 1 else ''} skipped: {listed} (--verbose lists them)"
