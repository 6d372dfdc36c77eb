"""GitLab Code Quality (a subset of the Code Climate issue format): a JSON array of issues, one per finding, input
error and notice, each with a fingerprint that is unique in the report and stable when lines move."""

from __future__ import annotations

import hashlib
import posixpath
from typing import Any

from policylint.jsonout import indented
from policylint.model import Location
from policylint.redact import printable, printable_json
from policylint.report import Report
from policylint.reporters.paths import compact
from policylint.reporters.summary import unclassified

SEVERITIES = {"critical": "blocker", "high": "critical", "medium": "major", "low": "minor", "info": "info"}
INPUT_ERROR = "policylint-input-error"
UNCLASSIFIED = "policylint-nothing-is-customer-data"
NOTICE = "policylint-notice"


def render(report: Report) -> str:
    seen: dict[str, int] = {}
    issues = [
        _issue(f"input error: {e.message}", INPUT_ERROR, _fingerprint(seen, "input", e.location.file, e.message),
               "blocker", e.location)
        for e in sorted(report.errors, key=lambda e: (e.location, e.message))
    ]
    for f in sorted(report.findings):
        path = f" (path: {compact(f.path)})" if f.path else ""
        issues.append(_issue(f"{f.rule}: {f.message}{path}", f.rule, _fingerprint(seen, f.fingerprint),
                             SEVERITIES[f.severity], f.location))
    for n in sorted(report.notices, key=lambda n: (n.location, n.message)):  # GitLab shows issues only
        issues.append(_issue(f"note: {n.message}", NOTICE, _fingerprint(seen, NOTICE, n.location.file, n.message),
                             "info", n.location))
    note = unclassified(report)
    if note is not None:  # GitLab shows issues only: "no issue" here would read as "safe"
        where = Location(report.inputs[0] if report.inputs else ".", 1, 1)
        issues.append(_issue(note, UNCLASSIFIED, _fingerprint(seen, UNCLASSIFIED), "info", where))
    return printable_json(indented(issues)) + "\n"


def _issue(description: str, check: str, fingerprint: str, severity: str, location: Location) -> dict[str, Any]:
    return {"description": printable(description), "check_name": check, "fingerprint": fingerprint,
            "severity": severity, "location": {"path": _path(location.file), "lines": {"begin": max(location.line, 1)}}}


def _fingerprint(seen: dict[str, int], *parts: str) -> str:
    """GitLab keeps one issue per fingerprint, so a repeat (a duplicated id, the same error twice) gets its own."""
    key = "\0".join(parts)
    repeat = seen.get(key, 0)
    seen[key] = repeat + 1
    return hashlib.sha256(f"{key}\0{repeat}".encode() if repeat else key.encode()).hexdigest()[:32]


def _path(file: str) -> str:
    """Relative to the project root, with forward slashes, as GitLab links it."""
    return posixpath.normpath(file.replace("\\", "/"))
