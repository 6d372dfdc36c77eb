"""The one door from inputs to outputs: a report whose every string that came from an input is redacted (for every
format) or escaped (for the human-readable ones), so no format has to remember to do it value by value.

`redacted` is applied once to every report and reach listing the registry (`reporters.CHECK`, `REACH`) renders;
the text, github and junit formats apply `escaped` first thing, gitlab and sarif to the text a person reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from policylint.errors import InputError
from policylint.exposure import ExposedResource, Exposure
from policylint.findings import Finding, Notice, Suppression
from policylint.model import Location
from policylint.redact import printable, redact
from policylint.report import Report
from policylint.rules import Rule

Change = Callable[[str], str]

# Report fields, by whether an input can put text in them: a field added to Report must be placed in one (a test
# fails otherwise), so nothing new reaches an output unredacted.
FROM_INPUTS = frozenset({"findings", "errors", "rules", "suppressed", "notices", "resolved", "base", "skipped"})
NOT_SHOWN_OR_OURS = frozenset({"as_of", "files", "exposed_identities", "customer_resources",
                               "inputs"})  # dates and counts; `inputs` is compared with -o, never shown


def redacted(report: Report) -> Report:
    """Every string from an input with its secrets masked (`redact`); rule documentation too (--policies)."""
    return _mapped(report, _memo(redact), rule_text=True)


def escaped(report: Report) -> Report:
    """Every string from an input with its control characters shown as escapes (`printable`)."""
    return _mapped(report, _memo(printable), rule_text=False)


def redacted_reach(exposures: list[Exposure]) -> list[Exposure]:
    return _mapped_reach(exposures, _memo(redact))


def escaped_reach(exposures: list[Exposure]) -> list[Exposure]:
    return _mapped_reach(exposures, _memo(printable))


def redacted_document(value: Any) -> Any:
    """A JSON document (the facts of a node) with every string, key or value, redacted."""
    change = _memo(redact)

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            return change(item)
        if isinstance(item, dict):
            return {walk(k): walk(v) for k, v in item.items()}
        if isinstance(item, list | tuple):
            return [walk(v) for v in item]
        return item

    return walk(value)


def _memo(change: Change) -> Change:
    """Ids repeat across paths and messages: each distinct string is changed once per report."""
    seen: dict[str, str] = {}

    def changed(text: str) -> str:
        if text not in seen:
            seen[text] = change(text)
        return seen[text]

    return changed


def _mapped(report: Report, change: Change, *, rule_text: bool) -> Report:
    return replace(
        report,
        findings=[_finding(f, change) for f in report.findings],
        errors=[_error(e, change) for e in report.errors],
        rules=tuple(_rule(r, change, rule_text) for r in report.rules),
        suppressed=tuple(_suppression(s, change) for s in report.suppressed),
        notices=tuple(Notice(_location(n.location, change), change(n.message)) for n in report.notices),
        resolved=tuple(_finding(f, change) for f in report.resolved),
        base=None if report.base is None else change(report.base),
        skipped=tuple((change(file), change(reason)) for file, reason in report.skipped),
    )


def _location(location: Location, change: Change) -> Location:
    return replace(location, file=change(location.file))


def _finding(finding: Finding, change: Change) -> Finding:
    return replace(finding, location=_location(finding.location, change), rule=change(finding.rule),
                   subject_id=change(finding.subject_id), title=change(finding.title),
                   message=change(finding.message), path=tuple(change(node) for node in finding.path))


def _suppression(suppression: Suppression, change: Change) -> Suppression:
    return replace(suppression, finding=_finding(suppression.finding, change), reason=change(suppression.reason),
                   owner=None if suppression.owner is None else change(suppression.owner),
                   location=_location(suppression.location, change))


def _error(error: InputError, change: Change) -> InputError:
    """The same error (its type keeps its exit code: a SourceCrash stays 3) with its file and message changed."""
    shown = type(error).__new__(type(error))
    shown.__dict__.update(vars(error))
    shown.location = _location(error.location, change)
    shown.message = change(error.message)
    shown.args = (shown.message,)
    return shown


def _rule(rule: Rule, change: Change, text: bool) -> Rule:
    if not text:
        return replace(rule, id=change(rule.id), title=change(rule.title))
    return replace(rule, id=change(rule.id), title=change(rule.title), message=change(rule.message),
                   rationale=change(rule.rationale), remediation=change(rule.remediation),
                   references=tuple(change(ref) for ref in rule.references))


def _mapped_reach(exposures: list[Exposure], change: Change) -> list[Exposure]:
    return [replace(e, id=change(e.id), status=None if e.status is None else change(e.status),
                    resources=tuple(_resource(r, change) for r in e.resources))
            for e in exposures]


def _resource(resource: ExposedResource, change: Change) -> ExposedResource:
    return replace(resource, id=change(resource.id), classes=tuple(change(c) for c in resource.classes),
                   path=tuple(change(node) for node in resource.path))
