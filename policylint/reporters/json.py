"""The JSON contract that tools and later formats build on (see README, "JSON output")."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from policylint.exposure import Exposure, Listed
from policylint.findings import Finding
from policylint.graph import Step
from policylint.jsonout import indented_with, placeholder
from policylint.model import Location
from policylint.redact import printable_json
from policylint.report import Report
from policylint.reporters.summary import by_severity, unclassified


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "severity": f.severity,
        "title": f.title,
        "subject": {"kind": f.subject_kind, "id": f.subject_id},
        "message": f.message,
        "location": _location(f.location),
        "path": [step.shown for step in f.path],
        "steps": steps(f.path),
        "fingerprint": f.fingerprint,
    }


def steps(path: tuple[Step, ...]) -> list[dict[str, Any]]:
    """The typed steps beside `path` (whose strings stay for compatibility): relation null on the first step."""
    return [{"id": s.node, "kind": s.kind, "relation": s.relation or None, "access": list(s.access),
             "condition": s.condition or None, "through": s.through or None} for s in path]


def _location(location: Location) -> dict[str, Any]:
    return {"file": location.file, "line": location.line, "column": location.column}


def render(report: Report) -> str:
    return "".join(stream(report))


def stream(report: Report) -> Iterator[str]:
    """The document in pieces, its findings one by one as they are made (`jsonout.indented_with`)."""
    token = placeholder()
    document: dict[str, Any] = {
        "as_of": report.as_of.isoformat(),
        **({"base": report.base} if report.base is not None else {}),
        "findings": token,
        **({"resolved": [_finding(f) for f in report.resolved]} if report.base is not None else {}),
        "suppressed": [
            {**_finding(s.finding), "suppressed_by": s.by, "reason": s.reason, "owner": s.owner,
             "expires": s.expires.isoformat() if s.expires else None, "suppression": _location(s.location)}
            for s in report.suppressed
        ],
        "notices": [{**_location(n.location), "message": n.message} for n in report.notices],
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
            "customer_data_resources": report.customer_resources,
            "suppressed": len(report.suppressed) + report.unlisted_suppressed,
            "skipped_files": [{"file": file, "reason": reason} for file, reason in report.skipped],
            **({"warning": note} if (note := unclassified(report)) else {}),
        },
    }
    yield from (printable_json(piece) for piece in indented_with(document, token, map(_finding, report.findings)))
    yield "\n"


def render_reach(as_of: str, exposures: Listed, notes: tuple[str, ...] = ()) -> str:
    return "".join(stream_reach(as_of, exposures, notes))


def stream_reach(as_of: str, exposures: Listed, notes: tuple[str, ...] = ()) -> Iterator[str]:
    """One document, `{as_of, notes, identities: [...]}`, written as the listing is read, identity by identity."""
    token = placeholder()
    head = {"as_of": as_of, "notes": list(notes), "identities": token}
    yield from (printable_json(piece) for piece in indented_with(head, token, map(identity, exposures)))
    yield "\n"


def stream_lines(as_of: str, exposures: Listed, notes: tuple[str, ...] = ()) -> Iterator[str]:
    """JSON Lines: one identity per line, each the object the JSON document lists (`as_of` and `notes` are not
    identities: the CLI prints the notes on standard error)."""
    for e in exposures:
        yield printable_json(json.dumps(identity(e), ensure_ascii=False)) + "\n"


def identity(e: Exposure) -> dict[str, Any]:
    return {
        "id": e.id,
        "kind": e.kind,
        **({"status": e.status, "display_name": e.display_name} if e.status is not None else {}),
        "records": e.records,
        "resources_of_unknown_size": e.unknown,
        "reached": e.reached,
        "resources": [
            {"id": r.id, "classes": list(r.classes), "records": r.records,
             "path": [step.shown for step in r.path], "steps": steps(r.path)}
            for r in e.resources
        ],
    }
