"""What a run found, for the reporters: the one record that crosses from the pipeline to every output format.

Reporters import this module and nothing of the pipeline, so a format can never reach back into the analysis.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from policylint.errors import InputError
from policylint.findings import Finding, Notice, Suppression
from policylint.graph import Step
from policylint.model import Location
from policylint.rules import Rule

Change = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class Report:
    as_of: date
    findings: list[Finding]
    errors: list[InputError]
    files: int
    rules: tuple[Rule, ...]  # the rules that ran, with their metadata (SARIF describes each)
    exposed_identities: int
    suppressed: tuple[Suppression, ...] = ()
    notices: tuple[Notice, ...] = ()
    resolved: tuple[Finding, ...] = ()  # `diff`: findings of the base that are gone
    base: str | None = None  # `diff`: the base revision; its findings are the new ones
    skipped: tuple[tuple[str, str], ...] = ()  # (file, reason) for each walked file no source reads
    customer_resources: int | None = None  # resources classified as customer data; 0 is said out loud
    inputs: tuple[str, ...] = ()  # the inventory files read (a report is never written over one of them)
    # when nothing is customer data: the customer-data patterns, the data classes present (none matches them), and
    # whether unclassified stores counted (`--unclassified customer`), so the warning can say what to do
    patterns: tuple[str, ...] = ()
    data_classes: tuple[str, ...] = ()
    unclassified: str = "known"
    unlisted_suppressed: int = 0  # suppressed findings not listed (no --show-suppressed): still counted


def mapped(report: Report, change: Change, *, rule_text: bool) -> Report:
    """The report with `change` applied to every string an input can have put in it (and to rule documentation when
    `rule_text`): the one place that knows which fields those are (redaction, escaping, and `diff` naming the files of
    a copy as the working tree names them)."""
    return replace(
        report,
        findings=[_finding(f, change) for f in report.findings],
        errors=[_error(e, change) for e in report.errors],
        rules=tuple(_rule(r, change, rule_text) for r in report.rules),
        suppressed=tuple(mapped_suppression(s, change) for s in report.suppressed),
        notices=tuple(Notice(_location(n.location, change), change(n.message)) for n in report.notices),
        resolved=tuple(_finding(f, change) for f in report.resolved),
        base=None if report.base is None else change(report.base),
        skipped=tuple((change(file), change(reason)) for file, reason in report.skipped),
        inputs=tuple(change(file) for file in report.inputs),
        patterns=tuple(change(p) for p in report.patterns),
        data_classes=tuple(change(c) for c in report.data_classes),
    )


def _location(location: Location, change: Change) -> Location:
    return replace(location, file=change(location.file))


def _finding(finding: Finding, change: Change) -> Finding:
    """The finding with its strings changed; itself where nothing changes (300,000 findings: no copy each)."""
    file, rule, subject, title, message = (change(text) for text in (
        finding.location.file, finding.rule, finding.subject_id, finding.title, finding.message))
    path = mapped_path(finding.path, change)
    if (file, rule, subject, title, message) == (finding.location.file, finding.rule, finding.subject_id,
                                                 finding.title, finding.message) and path == finding.path:
        return finding
    return replace(finding, location=replace(finding.location, file=file), rule=rule, subject_id=subject,
                   title=title, message=message, path=path)


def mapped_path(path: tuple[Step, ...], change: Change) -> tuple[Step, ...]:
    """A path with `change` applied to what an input can have put in its steps: ids, conditions, glob sets."""
    return tuple(mapped_step(step, change) for step in path)


def mapped_step(step: Step, change: Change) -> Step:
    """One step changed, the step itself where it changes nothing (steps are shared by many paths)."""
    node, condition, through = change(step.node), change(step.condition), change(step.through)
    if node == step.node and condition == step.condition and through == step.through:
        return step
    return replace(step, node=node, condition=condition, through=through)


def mapped_suppression(suppression: Suppression, change: Change) -> Suppression:
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


def copy_named(copy: Path, root: Path) -> Change:
    """Names of a copy's files (a diff's side read from a git tree), in locations and in messages, as the working
    tree names them."""
    prefixes = sorted({str(copy), str(copy.resolve())}, key=len, reverse=True)
    instead = _shown_root(root)

    def change(text: str) -> str:
        for prefix in prefixes:
            if prefix in text:
                text = text.replace(prefix + "/", "" if instead == "." else instead + "/").replace(prefix, instead)
        return text

    return change


def tree_named(root: Path) -> Change:
    """A file named relative to the repository (`inv/people.yaml`), as `copy_named` names it in a copy."""
    instead = _shown_root(root)

    def change(relative: str) -> str:
        return relative if instead == "." or Path(relative).is_absolute() else f"{instead}/{relative}"

    return change


def _shown_root(root: Path) -> str:
    """The repository as a report names it: relative to the working directory when inside it, else absolute."""
    here = Path.cwd().resolve()
    shown = root.resolve()
    return str(shown.relative_to(here)) if shown.is_relative_to(here) else str(shown)
