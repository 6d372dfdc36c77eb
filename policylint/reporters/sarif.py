"""SARIF 2.1.0 as GitHub code scanning reads it: every rule that ran, one result per finding (suppressed ones too,
marked), the evidence path as a code flow, `diff` baseline states, and input errors as tool notifications."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from itertools import chain
from typing import Any
from urllib.parse import quote

from policylint import __version__
from policylint.errors import InputError
from policylint.findings import Finding, Notice, Suppression
from policylint.jsonout import indented_with, placeholder
from policylint.model import Location
from policylint.redact import printable, printable_json
from policylint.report import Report
from policylint.reporters.paths import compact, edge
from policylint.reporters.summary import unclassified
from policylint.rules import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/policylint/policylint"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "policylintFingerprint/v1"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub ranks alerts by this score: >= 9.0 critical, >= 7.0 high, >= 4.0 medium, > 0 low
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
SUPPRESSION_KINDS = {"exception": "external", "baseline": "external", "inline": "inSource"}
WORD = re.compile(r"[A-Za-z0-9]+")
WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:/")


def render(report: Report) -> str:
    return "".join(stream(report))


def stream(report: Report) -> Iterator[str]:
    """The document in pieces, its results one by one as they are made (`jsonout.indented_with`)."""
    rules = sorted(report.rules, key=lambda r: r.id)
    index = {rule.id: i for i, rule in enumerate(rules)}
    diff = report.base is not None  # a `diff` report: its findings are the new ones
    results = chain(
        (_result(f, index, baseline="new" if diff else None) for f in sorted(report.findings)),
        (_result(s.finding, index, suppression=s) for s in sorted(report.suppressed, key=_suppression_order)),
        (_result(f, index, baseline="absent") for f in sorted(report.resolved)),
    )
    token = placeholder()
    run = {
        "tool": {"driver": {"name": "policylint", "version": __version__, "informationUri": INFORMATION_URI,
                            "rules": [_rule(rule) for rule in rules]}},
        "invocations": [_invocation(report)],
        "columnKind": "unicodeCodePoints",  # YAML columns count characters
        "results": token,
        "properties": {"as_of": report.as_of.isoformat(), "files": report.files,
                       "identities_reaching_customer_data": report.exposed_identities},
    }
    document = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    yield from (printable_json(piece) for piece in indented_with(document, token, results))
    yield "\n"


def _rule(rule: Rule) -> dict[str, Any]:
    urls = [ref for ref in rule.references if _is_url(ref)]
    return {
        "id": rule.id,
        "name": "".join(word[0].upper() + word[1:] for word in WORD.findall(rule.title)),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale.strip()},
        "help": {"text": _help_text(rule), "markdown": _help_markdown(rule)},
        **({"helpUri": urls[0]} if urls else {}),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["security", *rule.subjects], "precision": "very-high",
                       "security-severity": SECURITY_SEVERITY[rule.severity]},
    }


def _help_text(rule: Rule) -> str:
    parts = [rule.rationale.strip(), f"How to fix it:\n{rule.remediation.strip()}"]
    if rule.references:
        parts.append("References:\n" + "\n".join(f"- {ref}" for ref in rule.references))
    return "\n\n".join(parts)


def _help_markdown(rule: Rule) -> str:
    parts = [rule.rationale.strip(), "**How to fix it**", rule.remediation.strip()]
    if rule.references:
        parts.append("**References**")
        parts.append("\n".join(f"- <{ref}>" if _is_url(ref) else f"- {ref}" for ref in rule.references))
    return "\n\n".join(parts)


def _is_url(reference: str) -> bool:
    return reference.startswith(("https://", "http://"))


def _result(finding: Finding, index: dict[str, int], *, baseline: str | None = None,
            suppression: Suppression | None = None) -> dict[str, Any]:
    path = f"; path: {compact(finding.path)}" if finding.path else ""
    return {
        "ruleId": finding.rule,
        **({"ruleIndex": index[finding.rule]} if finding.rule in index else {}),
        "level": LEVELS[finding.severity],
        "message": {"text": printable(f"{finding.message}{path}")},  # GitHub shows it: escaped as text is
        "locations": [_location(finding.location)],
        "partialFingerprints": {FINGERPRINT: finding.fingerprint},
        **({"codeFlows": [_code_flow(finding)]} if finding.path else {}),
        **({"baselineState": baseline} if baseline else {}),
        **({"suppressions": [_suppression(suppression)]} if suppression else {}),
    }


def _code_flow(finding: Finding) -> dict[str, Any]:
    """The path's steps in order, each message saying how it is reached (`–assumes→ role`); only the subject's own
    place in the files is known, so the rest are messages."""
    steps = [{"location": {**(_location(finding.location) if step.node == finding.subject_id else {}),
                           "message": {"text": printable(f"{edge(step).strip()} {step.node}" if n else step.node)}}}
             for n, step in enumerate(finding.path)]
    return {"threadFlows": [{"locations": steps}]}


def _suppression(suppression: Suppression) -> dict[str, Any]:
    about: list[str] = [suppression.by]
    if suppression.owner:
        about.append(f"owner: {suppression.owner}")
    if suppression.expires:
        about.append(f"expires {suppression.expires.isoformat()}")
    return {"kind": SUPPRESSION_KINDS[suppression.by], "status": "accepted",
            "justification": printable(f"{suppression.reason} ({'; '.join(about)})"),
            "location": _location(suppression.location)}


def _invocation(report: Report) -> dict[str, Any]:
    notifications = [*(_notification("error", e) for e in sorted(report.errors, key=_notice_order)),
                     *(_notification("note", n) for n in sorted(report.notices, key=_notice_order))]
    note = unclassified(report)
    if note is not None:
        notifications.append({"level": "warning", "message": {"text": note}})
    return {"executionSuccessful": not report.errors,
            **({"toolExecutionNotifications": notifications} if notifications else {})}


def _notification(level: str, item: InputError | Notice) -> dict[str, Any]:
    return {"level": level, "message": {"text": printable(item.message)}, "locations": [_location(item.location)]}


def _location(location: Location) -> dict[str, Any]:
    return {"physicalLocation": {"artifactLocation": artifact(location.file),
                                 "region": {"startLine": max(location.line, 1),
                                            "startColumn": max(location.column, 1)}}}


def artifact(file: str) -> dict[str, str]:
    """A relative file becomes a URI under the checkout (%SRCROOT%), an absolute one a file: URI."""
    path = file.replace("\\", "/")
    if WINDOWS_DRIVE.match(path):
        return {"uri": f"file:///{path[:2]}{_quoted(path[2:])}"}
    if path.startswith("/"):
        return {"uri": f"file://{_quoted(posixpath.normpath(path))}"}
    return {"uri": _quoted(posixpath.normpath(path)), "uriBaseId": SRCROOT}


def _quoted(path: str) -> str:
    """Percent-encoded; a name that is not UTF-8 on disk (Python holds its bytes as lone surrogates) as its bytes,
    any other lone surrogate as its own three bytes: a URI, never a crash."""
    try:
        return quote(path, errors="surrogateescape")
    except UnicodeEncodeError:
        return quote(path, errors="surrogatepass")


def _notice_order(item: InputError | Notice) -> tuple[Location, str]:
    return item.location, item.message


def _suppression_order(suppression: Suppression) -> tuple[Finding, str]:
    return suppression.finding, suppression.by
