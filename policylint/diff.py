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
from policylint.config import Config, load_config
from policylint.errors import PolicylintError, UsageError
from policylint.findings import Finding, Notice, fingerprint
from policylint.graph import display_path
from policylint.model import Location, Person, Principal
from policylint.pipeline import Analysis, Report, Settings, Timer, evaluate, touching
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


def diff(settings: Settings, base: str, timer: Timer | None = None, config: Config | None = None) -> Report:
    """`config`: the configuration file the inventory's paths came from; when it is in the repository, the base is
    read where the base's own version of it says (a renamed folder). The rules, their selection and severities
    are the working tree's, so that the two sides are judged alike. The base's suppressions are not applied: a
    finding suppressed in the working tree is still a finding, not a resolved one."""
    root = gitrev.repository_root(Path.cwd())
    commit = gitrev.resolve_revision(root, base)
    if NEW_REACH not in settings.extra_rules:
        settings = replace(settings, extra_rules=(*settings.extra_rules, NEW_REACH))
    head_report, head = evaluate(settings, timer)
    layout = _base_layout(config, root, commit) if config is not None else None
    old_paths, base_exclude = layout if layout is not None else (settings.paths, None)
    for path in (*settings.paths, *old_paths, settings.exclude_root):
        gitrev.inside(root, Path(path))
    with tempfile.TemporaryDirectory(prefix="policylint-base-") as folder:
        copy = Path(folder)
        gitrev.export(root, commit, [Path(p) for p in old_paths], copy)
        base_settings = replace(
            settings, paths=tuple(_moved(copy, root, p) for p in old_paths), baseline=None, exceptions=None,
            exclude=settings.exclude if base_exclude is None else base_exclude,
            exclude_root=_moved(copy, root, settings.exclude_root),
            report_files=None if settings.report_files is None else tuple(
                _moved(copy, root, p) for p in settings.report_files if _in_repo(root, p)),
        )
        base_report, base_analysis = evaluate(base_settings)
        resolved = _resolved(base_report.findings, head_report, copy, root)
        base_notices = [Notice(e.location, f"at {base}: {e.message}") for e in base_report.errors]
    known = {f.fingerprint for f in base_report.findings}
    new = [f for f in head_report.findings if f.fingerprint not in known]
    ran = {r.id: r for r in head_report.rules}
    reach = new_reach(base_analysis, head, ran[NEW_REACH.id]) if NEW_REACH.id in ran else []
    if settings.report_files is not None:
        reach = touching(reach, settings.report_files, head)
    notices = tuple(sorted([*head_report.notices, *_relocated(base_notices, copy, root)], key=lambda n: n.location))
    return replace(head_report, findings=sorted([*new, *reach]), resolved=tuple(resolved), base=base,
                   notices=notices)


def _in_repo(root: Path, path: str) -> bool:
    try:
        Path(path).resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def _moved(copy: Path, root: Path, path: str) -> str:
    """Where a working-tree path is in the copy of the base."""
    return str(copy / gitrev.inside(root, Path(path)))


def _relocated(notices: list[Notice], copy: Path, root: Path) -> list[Notice]:
    return [replace(n, location=replace(n.location, file=_original(n.location.file, copy, root))) for n in notices]


def _original(file: str, copy: Path, root: Path) -> str:
    """A file of the base copy, named as the working tree names it (relative to the working directory when it can)."""
    try:
        original = root.resolve() / Path(file).resolve().relative_to(copy.resolve())
    except ValueError:
        return file
    here = Path.cwd().resolve()
    return str(original.relative_to(here)) if original.is_relative_to(here) else str(original)


def _resolved(before: list[Finding], head: Report, copy: Path, root: Path) -> list[Finding]:
    """The base's findings that are gone from the working tree (suppressed ones are not gone), shown at the paths
    their files have in the working tree."""
    remaining = {f.fingerprint for f in head.findings} | {s.finding.fingerprint for s in head.suppressed}
    return sorted(replace(f, location=replace(f.location, file=_original(f.location.file, copy, root)))
                  for f in before if f.fingerprint not in remaining)


def new_reach(base: Analysis, head: Analysis, rule: Rule = NEW_REACH) -> list[Finding]:
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
        findings.append(Finding(node.location, rule.id, node.kind, node.id, rule.severity, rule.title, message,
                                tuple(path), fingerprint(rule.id, node.kind, node.id)))
    return findings


def _base_layout(config: Config, root: Path, commit: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """Where the inventory was at the base (`paths`, `exclude`) by the base's own configuration file, when the
    working tree's comes from the repository and existed there; None to use the working tree's."""
    if config.file is None:
        return None
    try:
        place = gitrev.inside(root, Path(config.file))
    except UsageError:
        return None
    with tempfile.TemporaryDirectory(prefix="policylint-base-config-") as folder:
        copy = Path(folder)
        gitrev.export(root, commit, [Path(config.file)], copy)
        if not (copy / place).is_file():
            return None
        try:
            old = load_config(copy / place)
        except PolicylintError:
            return None  # a base whose configuration does not load is read by the working tree's
        root_at_base = str(copy / Path(place).parent)
        paths = old.paths or (root_at_base,)
        return tuple(_original(p, copy, root) for p in paths), old.exclude
