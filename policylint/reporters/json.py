"""The JSON contract that tools and later formats build on (see README, "JSON output")."""

from __future__ import annotations

import json
from typing import Any

from policylint.exposure import Exposure
from policylint.pipeline import Report
from policylint.reporters.summary import by_severity


def render(report: Report) -> str:
    document = {
        "as_of": report.as_of.isoformat(),
        "findings": [
            {
                "rule": f.rule,
                "severity": f.severity,
                "title": f.title,
                "subject": {"kind": f.subject_kind, "id": f.subject_id},
                "message": f.message,
                "location": {"file": f.location.file, "line": f.location.line, "column": f.location.column},
                "path": list(f.path),
                "fingerprint": f.fingerprint,
            }
            for f in report.findings
        ],
        "errors": [
            {"file": e.location.file, "line": e.location.line, "column": e.location.column, "message": e.message}
            for e in report.errors
        ],
        "summary": {
            "files": report.files,
            "rules": len(report.rules),
            "findings": len(report.findings),
            "by_severity": by_severity(report),
            "errors": len(report.errors),
            "identities_reaching_customer_data": report.exposed_identities,
        },
    }
    return _dump(document)


def render_reach(as_of: str, exposures: list[Exposure]) -> str:
    document = {
        "as_of": as_of,
        "identities": [
            {
                "id": e.id,
                "kind": e.kind,
                **({"status": e.status} if e.kind == "person" else {}),
                "records": e.records,
                "resources": [
                    {"id": r.id, "classes": list(r.classes), "records": r.records, "path": list(r.path)}
                    for r in e.resources
                ],
            }
            for e in exposures
        ],
    }
    return _dump(document)


def _dump(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
