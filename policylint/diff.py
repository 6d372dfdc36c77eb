"""`policylint diff --base REF`: what a change does to access, compared with the inventory at a git revision.

The base inventory is copied out of git (never touching the working tree or index) into a temporary folder and
checked with the same settings as the working tree. The report holds:
- the findings that are new (by fingerprint: rule, kind, subject), and those resolved (`Report.resolved`);
- **new reach**: each identity that gains a path to a customer-data resource it could not reach at the base, as a
  finding of the built-in rule PL900, with the path to one newly reached resource and the records newly exposed.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from policylint import gitrev
from policylint.findings import Finding, fingerprint
from policylint.graph import display_path
from policylint.model import Location, Person, Principal
from policylint.pipeline import Analysis, Report, Settings, Timer, evaluate
from policylint.reach import follow, paths_to
from policylint.rules import Rule

NEW_REACH = Rule(
    id="PL900",
    title="New path to customer data",
    severity="high",
    subjects=("person", "principal"),
    match={},
    message="{id} gains a path to customer data",
    rationale=(
        "This change lets an identity reach customer data it could not reach before. Most paths to customer data "
        "are meant to exist, but each new one widens who can read customer records: it should be a decision a "
        "reviewer sees, not a side effect of a group membership or a role edit."
    ),
    remediation=(
        "Check that the identity needs this data. If it does, approve the change (the finding is not raised again "
        "once the change is on the base branch). If not, remove the membership, binding or grant that opens the path."
    ),
    references=("NIST SP 800-53 Rev. 5, AC-6 Least Privilege; CM-4 Impact Analyses",),
    location=Location("policylint/diff.py", 1, 1),
    matches=lambda facts: False,  # computed by comparing two inventories, never from one node's facts
)


def diff(settings: Settings, base: str, timer: Timer | None = None) -> Report:
    root = gitrev.repository_root(Path.cwd())
    commit = gitrev.resolve_revision(root, base)
    head_report, head = evaluate(settings, timer)
    with tempfile.TemporaryDirectory(prefix="policylint-base-") as folder:
        copy = Path(folder)
        gitrev.export(root, commit, [Path(p) for p in settings.paths], copy)
        moved = tuple(str(_inside(copy, root, Path(p))) for p in settings.paths)
        base_settings = replace(settings, paths=moved, baseline=None, exceptions=None, report_files=None,
                                exclude_root=str(_inside(copy, root, Path(settings.exclude_root))))
        base_report, base_analysis = evaluate(base_settings)
        resolved = _resolved(base_report.findings, head_report.findings, copy, root)
    known = {f.fingerprint for f in base_report.findings}
    new = [f for f in head_report.findings if f.fingerprint not in known]
    reach = new_reach(base_analysis, head)
    if settings.report_files is not None:
        reach = [f for f in reach if any(Path(f.location.file).resolve() == Path(p).resolve()
                                         for p in settings.report_files)]
    return replace(head_report, findings=sorted([*new, *reach]), resolved=tuple(resolved),
                   rules=(*head_report.rules, NEW_REACH), base=base)


def _inside(copy: Path, root: Path, path: Path) -> Path:
    """Where a working-tree path is in the copy of the base."""
    return copy / path.resolve().relative_to(root.resolve())


def _resolved(before: list[Finding], after: list[Finding], copy: Path, root: Path) -> list[Finding]:
    """The base's findings that are gone, shown at the working-tree paths their files had."""
    remaining = {f.fingerprint for f in after}
    shown = []
    here = Path.cwd().resolve()
    for finding in before:
        if finding.fingerprint in remaining:
            continue
        file = Path(finding.location.file)
        try:
            original = root.resolve() / file.resolve().relative_to(copy.resolve())
            file = original.relative_to(here) if original.is_relative_to(here) else original
        except ValueError:
            pass
        shown.append(replace(finding, location=replace(finding.location, file=str(file))))
    return sorted(shown)


def new_reach(base: Analysis, head: Analysis) -> list[Finding]:
    """Identities of the head that reach customer-data resources they did not reach at the base."""
    findings = []
    paths: dict[str, dict[str, str | None]] = {}  # resource -> next hops of shortest paths to it, built on demand
    identities: list[Person | Principal] = [*head.inventory.people, *head.inventory.principals]
    for node in identities:
        now = {r.id: r for r in head.reach.reached_resources(node.id)}
        before = {r.id for r in base.reach.reached_resources(node.id)}
        gained = sorted((r for rid, r in now.items() if rid not in before), key=lambda r: (-(r.records or 0), r.id))
        if not gained:
            continue
        first = gained[0].id
        if first not in paths:
            paths[first] = paths_to(head.graph, first)
        path = display_path(follow(paths[first], node.id), head.graph) if node.id in paths[first] else []
        records = sum(r.records or 0 for r in gained)
        names = ", ".join(r.id for r in gained)
        message = (f"{node.id} gains a path to customer data: {names} ({records:,} records newly exposed)")
        findings.append(Finding(node.location, NEW_REACH.id, node.kind, node.id, NEW_REACH.severity, NEW_REACH.title,
                                message, tuple(path), fingerprint(NEW_REACH.id, node.kind, node.id)))
    return findings
