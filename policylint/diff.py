"""What a change does to access, compared with the inventory at a git revision: `policylint diff --base REF`, and
the pre-commit hook (`check --changed`, which is a diff against HEAD).

The base inventory is copied out of git (never touching the working tree or index) into a temporary folder and
checked with the same settings as the working tree; what the comparison needs of it is cached by the content of
the base's inventory paths (`basecache`), so a second commit costs about one analysis. The report holds:
- the findings that are new (by fingerprint: rule, kind, subject), or worse than at the base (the evidence of the
  same finding grew: a new departed reader, more records), and those resolved (`Report.resolved`);
- **new reach**: each identity that gains a path to a customer-data resource it could not reach at the base, as a
  finding of the built-in rule PL900, with the path to one newly reached resource and the records newly exposed.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from policylint import basecache, diffcached, gitrev
from policylint.config import shown_path
from policylint.diffbase import HEAD as HEAD
from policylint.diffbase import Layout, base_of, keep_as_next_head, layout_at, moved, next_head_key, relative
from policylint.diffcached import is_new, marked
from policylint.errors import InputError, UsageError, file_error
from policylint.evidence import Digests
from policylint.findings import Finding, Notice, fingerprint
from policylint.graph import path_steps
from policylint.model import Location, Person, Principal
from policylint.pipeline import Analysis, Known, Result, Timer, run, selected_rules
from policylint.reach import follow, paths_to
from policylint.report import Report, copy_named, mapped
from policylint.rules import Rule
from policylint.settings import Settings


def _computed(rule_id: str, title: str, subjects: tuple[str, ...], message: str, rationale: str, remediation: str,
              references: tuple[str, ...]) -> Rule:
    """A built-in rule that `diff` computes by comparing two sides, never from one node's facts (`match` never
    fires); selectable, severity-configurable and suppressible like any other."""
    return Rule(id=rule_id, title=title, severity="high", subjects=subjects, match={}, message=message,
                rationale=rationale, remediation=remediation, references=references,
                location=Location("policylint/diff.py", 1, 1), matches=lambda facts: False)


NEW_REACH = _computed(
    rule_id="PL900",
    title="New path to customer data",
    subjects=("person", "principal"),
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
)
NO_LONGER_READ = _computed(
    rule_id="PL901",
    title="Inventory file no longer read",
    subjects=(),  # a file, not a node of the inventory: nothing is fed to it
    message="{id} was read at the base and is not read now",
    rationale=(
        "A file whose findings stop being reported because it is no longer read (a configuration that now excludes "
        "it, a change that makes it unrecognisable, a file untracked but still present) looks exactly like a fix: "
        "its findings show as resolved. Nothing about the access it describes has changed."
    ),
    remediation=(
        "If the file should still be checked, make it readable again or take it back into `paths`. If it really "
        "stopped being an inventory, approve the change: the finding is not raised again once it is on the base."
    ),
    references=("NIST SP 800-53 Rev. 5, CM-3 Configuration Change Control; CA-7 Continuous Monitoring",),
)
CONFIG_CHANGED = _computed(
    rule_id="PL902",
    title="Configuration changes what is checked",
    subjects=(),  # a file, not a node of the inventory
    message="{id} changes what is checked",
    rationale=(
        "Both sides of a comparison are judged by the working tree's configuration, so a change that ignores a rule, "
        "narrows the customer-data patterns, excludes a folder or lowers a severity removes findings from both sides "
        "at once and passes its own review. The change to the configuration is the decision a reviewer must see."
    ),
    remediation=(
        "Check that the configuration change is intended. If it is, approve it (the finding is not raised again once "
        "it is on the base); if not, revert the setting."
    ),
    references=("NIST SP 800-53 Rev. 5, CM-3 Configuration Change Control; CM-5 Access Restrictions for Change",),
)
ROSTER_GONE = _computed(
    rule_id="PL903",
    title="HR roster no longer read",
    subjects=(),  # the inventory as a whole: nothing is fed to it
    message="{id} held the HR roster at the base, and is no longer read",
    rationale=(
        "Without a roster nobody can be known to have left: every finding about leavers (active credentials of "
        "departed people, leavers still named, signing keys they could copy) disappears at once and looks resolved. "
        "Deleting, renaming or excluding the roster export is the easiest way to make a leaver's access pass."
    ),
    remediation=(
        "Keep the roster export among the inputs (a renamed or moved file: update `paths`). If the roster really "
        "moved out of this repository, approve the change and leave the leaver rules out with `ignore:`."
    ),
    references=("NIST SP 800-53 Rev. 5, PS-4 Personnel Termination; AC-2 Account Management",),
)
DIFF_RULES = (NEW_REACH, NO_LONGER_READ, CONFIG_CHANGED, ROSTER_GONE)


def diff(settings: Settings, base: str, timer: Timer | None = None, *, base_layout: bool = False,
         staged: bool = False) -> Report:
    """`base_layout`: the inventory's paths came from the configuration file; when that file is in the repository,
    the base is read where the base's own version of it says (a renamed folder). The rules, their selection and
    severities are the working tree's, so that the two sides are judged alike. The base's suppressions are not
    applied: a finding suppressed in the working tree is still a finding, not a resolved one.

    `staged` (the pre-commit hook): the new side is what is staged, copied out of the index, not the working tree
    (an untracked file, or an unstaged edit, is not part of the commit). A repository with no commit yet compared
    with HEAD (the first commit's hook) has an empty base."""
    root = _repository(settings)
    commit = None if base == HEAD and not gitrev.has_commits(root) else gitrev.resolve_revision(root, base)
    settings = replace(settings, options=replace(settings.options, check_globs=False),  # judged by `check`
                       cache_within=str(root),  # the copies' files are cached in the repository's own folder
                       extra_rules=(*settings.extra_rules,
                                              *(r for r in DIFF_RULES if r not in settings.extra_rules)))
    layout = layout_at(settings.config, root, commit) if base_layout and commit is not None else None
    timer = timer or Timer()
    before = (basecache.Base(basecache.Findings(), {}, ()) if commit is None
              else base_of(settings, root, commit, layout, timer))
    changed = _changed_config(settings, layout)
    rules, rule_errors = selected_rules(settings)
    if not staged:  # the working tree's files may be a tree's analysed before (a clean checkout)
        cached = diffcached.worktree_of(settings, root, before, rule_errors) if commit is not None else None
        told = _told(cached, settings, root, before, base, rules, changed, lambda: rule_errors, staged=False)
        if told is not None:
            timer.said.append("the working tree: told from its cached analysis and the base's (no file read)")
            return told
        head = run(replace(settings, options=replace(settings.options, links_within=str(root))), timer,
                   known=_known(before, commit))
        return _compared(head, before, base, _file_rules(_side(head, root), before, root, changed, staged=False))
    for path in (*settings.paths, settings.exclude_root):
        gitrev.inside(root, Path(path))
    # what is staged may have been analysed before (a hook run again, a commit the inventory is not in)
    next_head = next_head_key(settings, root, base_layout)  # the staged tree's key, once: to read, then to keep
    cached = diffcached.head_of(settings, before, next_head, rule_errors, root) if commit is not None else None
    told = _told(cached, settings, root, before, base, rules, changed,
                 lambda: [*rule_errors, *_unstaged_inputs(settings, root)], staged=True)
    if told is not None:
        timer.said.append("what is staged: told from its cached analysis and the base's (no file read)")
        return told
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="policylint-staged-") as folder:
        copy = Path(folder)
        link_errors = gitrev.export(root, gitrev.INDEX, [Path(p) for p in settings.paths], copy)
        head = run(replace(settings, paths=tuple(moved(copy, root, p) for p in settings.paths),
                           exclude_root=moved(copy, root, settings.exclude_root), copy_of=(str(copy), str(root))),
                   timer, known=_known(before, commit))
        report = _compared(head, before, base, _file_rules(_side(head, copy), before, root, changed, staged=True))
        timer.said.append(f"what is staged: analysed in {time.perf_counter() - started:.1f} s")
        if base == HEAD:  # what is staged is the next HEAD: kept, so the next commit's hook finds it cached
            keep_as_next_head(settings, root, copy, head, before, link_errors, next_head)
        unstaged = _unstaged_inputs(settings, root)
        shown = mapped(replace(report, errors=[*report.errors, *link_errors, *unstaged]), copy_named(copy, root),
                       rule_text=False)
        # in order by the names shown (the copy's sort elsewhere: a file finding of the working tree among them)
        return replace(shown, findings=sorted(shown.findings), errors=sorted(shown.errors, key=lambda e: e.location),
                       notices=tuple(sorted(shown.notices, key=lambda n: n.location)))


def _told(cached: diffcached.Cached | None, settings: Settings, root: Path, before: basecache.Base, base: str,
          rules: list[Rule], changed: Callable[[Side], list[Finding]], errors: Callable[[], list[InputError]], *,
          staged: bool) -> Report | None:
    """The comparison told from the new side's cached analysis and the base's, when it can be (`diffcached`)."""
    if cached is None:
        return None
    side = Side(frozenset(cached.side.files), dict(cached.summary.skipped), frozenset(cached.side.roster),
                {r.id: r for r in rules})
    return diffcached.compared(settings, cached, before, base, rules, root,
                               _file_rules(side, before, root, changed, staged=staged), errors())


def _unstaged_inputs(settings: Settings, root: Path) -> list[InputError]:
    """The hook judges what is staged, by the configuration, rules, exceptions and baseline of the working tree: one
    of those with changes that are not staged would judge the commit by something it does not contain (an unstaged
    exception passing a staged problem). Each is an input error, so the hook fails visibly instead. A
    `pyproject.toml` counts only for what its `[tool.policylint]` decides (it has other business)."""
    config = settings.config.file
    shared = config is not None and Path(config).name == "pyproject.toml"
    files = [Path(p) for p in (settings.exceptions, settings.baseline, *settings.policies,
                               None if shared else config) if p is not None]
    errors = [file_error(shown_path(str(root / name)), "expected it as staged, found changes that are not (the hook "
                                                       "would judge the commit by the working tree's version): stage "
                                                       "them with `git add`, or stash them")
              for name in gitrev.unstaged(root, [p for p in files if _in_repository(root, p)])]
    if config is not None and shared and _in_repository(root, Path(config)):
        staged = layout_at(settings.config, root, gitrev.INDEX)
        if staged is not None and staged.changes:
            errors.append(file_error(shown_path(config), f"expected [tool.policylint] as staged, found changes that "
                                                         f"are not ({'; '.join(staged.changes)}): stage them with "
                                                         "`git add`, or stash them"))
    return errors


def _in_repository(root: Path, path: Path) -> bool:
    try:
        gitrev.inside(root, path)
    except UsageError:
        return False
    return True


def _known(before: basecache.Base, commit: str | None) -> Known | None:
    """What the head's run may take from the base: each node's digest (its rules run only where it differs). With
    no commit yet, nothing; the digests are still taken, for the first commit's analysis to be kept."""
    return Known({}) if commit is None else before.known


def _changed_config(settings: Settings, layout: Layout | None) -> Callable[[Side], list[Finding]]:
    """PL902: the configuration file changes what is checked or how it is judged (the two sides are judged by the
    working tree's settings, so a change that ignores a rule would otherwise pass its own review). It runs whatever
    `select`/`ignore` say: the configuration it reports could otherwise switch it off in the same change."""
    def findings(head: Side) -> list[Finding]:
        rule = head.rules.get(CONFIG_CHANGED.id, CONFIG_CHANGED)
        if layout is None or not layout.changes or settings.config.file is None:
            return []
        file = shown_path(settings.config.file)
        return [Finding(Location(file, 1, 1), rule.id, "file", file, rule.severity, rule.title,
                        f"{file} changes what is checked: {'; '.join(layout.changes)}", (),
                        fingerprint(rule.id, "file", file))]
    return findings


def _repository(settings: Settings) -> Path:
    """The repository of the working directory, else of the configuration file (a hook or CI step run from
    elsewhere with `--config`)."""
    try:
        return gitrev.repository_root(Path.cwd())
    except UsageError:
        if settings.config.file is None:
            raise
        return gitrev.repository_root(Path(settings.config.file).resolve().parent)


@dataclass(frozen=True, slots=True)
class Side:
    """What the rules on files (PL901-PL903) need of the head: the files it read, why it skipped others, the files
    that defined people (each relative to the repository), and the rules that ran."""

    files: frozenset[str]
    skipped: dict[str, str]
    roster: frozenset[str]
    rules: dict[str, Rule]


def _side(head: Result, side: Path) -> Side:
    return Side(frozenset(relative(f, side) for f in head.analysis.files),
                {relative(f, side): reason for f, reason in head.analysis.skipped},
                frozenset(relative(p.location.file, side) for p in head.analysis.inventory.people),
                {r.id: r for r in head.report.rules})


def _file_rules(head: Side, before: basecache.Base, root: Path, changed: Callable[[Side], list[Finding]], *,
                staged: bool) -> list[Finding]:
    return [*_unread(head, before, root, staged=staged), *changed(head), *_roster_gone(head, before, root)]


def _compared(head: Result, before: basecache.Base, base: str, unread: list[Finding]) -> Report:
    digests = Digests()
    new = [marked(f, before) for f in head.report.findings if is_new(f, before, digests)]
    ran = {r.id: r for r in head.report.rules}
    reach = new_reach(before.reached, head.analysis, ran[NEW_REACH.id]) if NEW_REACH.id in ran else []
    remaining = {f.fingerprint for f in head.report.findings} | {s.finding.fingerprint for s in head.report.suppressed}
    resolved = tuple(sorted(  # a node the head did not judge has the base's findings: none of them is resolved
        found for fingerprint in before.findings.fingerprints() if fingerprint not in remaining
        and before.findings.subject(fingerprint) not in head.unevaluated
        and (found := before.findings.get(fingerprint)) is not None))
    earlier = (Notice(n.location, f"at {base}: {n.message}") for n in before.notices)
    notices = tuple(sorted([*head.report.notices, *earlier], key=lambda n: n.location))
    return replace(head.report, findings=sorted([*new, *reach, *unread]), resolved=resolved, base=base,
                   notices=notices)


def _roster_gone(head: Side, before: basecache.Base, root: Path) -> list[Finding]:
    """PL903: files that held people (an HR roster) at the base are no longer read and no new file holds people in
    their place (a renamed or re-exported roster is a new file that does): each gone file's leavers would look
    resolved. Fires on the first gone file, naming how many."""
    rule = head.rules.get(ROSTER_GONE.id)
    if rule is None or not before.roster:
        return []
    now = head.roster
    gone = [f for f in before.roster if f not in now]
    if not gone or now - set(before.roster):
        return []
    name = gone[0]
    others = f" (and {len(gone) - 1} more)" if len(gone) > 1 else ""
    left = "no roster is read now" if not now else f"only {', '.join(sorted(now))} is read now"
    return [_file_finding(rule, root, name, f"{name}{others} held the HR roster at the base, and {left}: the leavers "
                                            "it named look resolved, though nobody's access changed")]


def _file_finding(rule: Rule, root: Path, name: str, message: str) -> Finding:
    """A finding of a computed rule on a file of the repository (`name`, relative to it), located at its first
    line as the working directory names it."""
    where = Path(os.path.abspath(root / name))
    here = Path.cwd().resolve()
    shown = str(where.relative_to(here)) if where.is_relative_to(here) else str(where)
    return Finding(Location(shown, 1, 1), rule.id, "file", name, rule.severity, rule.title, message, (),
                   fingerprint(rule.id, "file", name))


def _unread(head: Side, before: basecache.Base, root: Path, *, staged: bool) -> list[Finding]:
    """PL901: each file the base read that is still there (staged, or in the working tree) but is not read now."""
    rule = head.rules.get(NO_LONGER_READ.id)
    if rule is None or not before.files:
        return []
    skipped = head.skipped
    gone = [f for f in before.files if f not in head.files]
    present = gitrev.staged_paths(root, gone) if staged else {f for f in gone if (root / f).exists()}
    unknown = "excluded by the configuration, or outside its paths"
    return [_file_finding(rule, root, name, f"{name} was read at the base and is not read now "
                                            f"({skipped.get(name, unknown)}): its findings look resolved, but what "
                                            "it describes has not changed")
            for name in sorted(present)]


def new_reach(before: Mapping[str, frozenset[str]], head: Analysis, rule: Rule = NEW_REACH) -> list[Finding]:
    """Identities of the head that reach customer-data resources they did not reach at the base."""
    findings = []
    paths: dict[str, dict[str, str | None]] = {}  # resource -> next hops of shortest paths to it, built on demand
    identities: list[Person | Principal] = [*head.inventory.people, *head.inventory.principals]
    nothing: frozenset[str] = frozenset()
    for node in identities:
        had = before.get(node.id, nothing)
        bits = head.reach.resource_bits(node.id)
        if not bits or head.reach.resource_ids(bits) <= had:  # each distinct set decoded once
            continue
        gained = sorted((r for r in head.reach.resources_in(bits) if r.id not in had),
                        key=lambda r: (-(r.records or 0), r.id))
        first = gained[0].id
        if first not in paths:
            paths[first] = paths_to(head.graph, first)
        path = path_steps(follow(paths[first], node.id), head.graph) if node.id in paths[first] else ()
        records = sum(r.records or 0 for r in gained)
        names = ", ".join(r.id for r in gained)
        message = (f"{node.id} gains a path to customer data: {names} ({records:,} records newly exposed)")
        findings.append(Finding(node.location, rule.id, node.kind, node.id, rule.severity, rule.title, message,
                                path, fingerprint(rule.id, node.kind, node.id)))
    return findings


