"""The pipeline end to end: files → inventory → graph → reach → facts → rules → findings (a Report).

Each stage is timed, so the benchmark reads the same code path the CLI runs.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from policylint import suppress
from policylint.errors import InputError
from policylint.facts import Context, build_context, facts_of
from policylint.findings import Evaluator, Finding, Notice, Suppression, select_rules
from policylint.graph import Graph, Index, build_graph, build_index, path_ids
from policylint.inventory import load_paths
from policylint.join import join
from policylint.model import Inventory, Person, Principal
from policylint.reach import Reach, compute_reach
from policylint.rules import Rule, builtin_policies, load_rules
from policylint.sources import Options

DEFAULT_PATTERNS = ("customer*",)


@dataclass
class Timer:
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - start)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """A run builds millions of long-lived, acyclic objects; the cyclic collector would rescan them again and
    again for nothing (measured: about a tenth of an enterprise-sized run). Reference counting still frees."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything known about the inventory before any rule runs."""

    inventory: Inventory
    index: Index
    graph: Graph
    reach: Reach
    context: Context
    errors: list[InputError]
    files: list[str]
    commented: list[str]  # files holding an inline ignore comment


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


def analyse(paths: list[str], as_of: date, patterns: tuple[str, ...] = DEFAULT_PATTERNS,
            timer: Timer | None = None, settings: Settings | None = None) -> Analysis:
    timer = timer or Timer()
    with timer.stage("load"):
        if settings is None:
            loaded = load_paths(paths)
        else:
            loaded = load_paths(paths, settings.options, settings.exclude, settings.exclude_root)
    with timer.stage("graph"):
        inventory, join_errors = join(loaded.inventory)
        index = build_index(inventory)
        graph = build_graph(inventory, index)
        errors = [*loaded.errors, *join_errors, *unattached_grants(inventory, index)]
    with timer.stage("reach"):
        reach = compute_reach(graph, inventory, patterns)
        context = build_context(inventory, index, graph, reach, as_of, patterns)
    return Analysis(inventory, index, graph, reach, context, sorted(errors, key=lambda e: e.location),
                    loaded.files, loaded.commented)


def unattached_grants(inventory: Inventory, index: Index) -> list[InputError]:
    """A direct grant whose resource is undefined and whose `to` names no node has no node to report it on."""
    return [
        InputError(grant.location, f"expected the grant's resource to be defined, found {grant.resource!r} defined "
                                   f"nowhere (granted to {grant.to!r}, which is no node either)")
        for grant in inventory.grants
        if grant.resource not in index.nodes and (grant.to or "") not in index.nodes
    ]


def rule_set(policies: list[Path], select: tuple[str, ...] = (), ignore: tuple[str, ...] = (),
             extra: tuple[Rule, ...] = ()) -> tuple[list[Rule], list[InputError]]:
    rules, errors = load_rules([builtin_policies(), *policies])
    return select_rules(sorted([*rules, *extra], key=lambda r: r.id), select, ignore), errors


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a run is asked to do, from the command line and the configuration file together."""

    paths: tuple[str, ...]
    as_of: date
    patterns: tuple[str, ...] = DEFAULT_PATTERNS
    policies: tuple[Path, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)  # rule id -> severity, overriding the rule's own
    exclude: tuple[str, ...] = ()  # globs of walked files to leave out, relative to exclude_root
    exclude_root: str = "."
    options: Options = field(default_factory=Options)
    exceptions: str | None = None  # exceptions file
    baseline: str | None = None  # baseline file
    report_files: tuple[str, ...] | None = None  # pre-commit: only findings located in, or whose path passes
    # through a definition in, these files (the whole inventory is still read)
    extra_rules: tuple[Rule, ...] = ()  # rules computed outside the facts (diff's PL900), selectable like any other


def check(paths: list[str], as_of: date, *, policies: list[Path] | None = None,
          patterns: tuple[str, ...] = DEFAULT_PATTERNS, select: tuple[str, ...] = (), ignore: tuple[str, ...] = (),
          timer: Timer | None = None) -> Report:
    """A check with only the common settings (tests, the benchmark); `run` takes them all."""
    return run(Settings(tuple(paths), as_of, patterns, tuple(policies or ()), select, ignore), timer)


def run(settings: Settings, timer: Timer | None = None) -> Report:
    return evaluate(settings, timer)[0]


def evaluate(settings: Settings, timer: Timer | None = None) -> tuple[Report, Analysis]:
    """The report, and the analysis behind it (for `diff`, which compares the reach of two inventories)."""
    with cyclic_gc_paused():
        return _run(settings, timer or Timer())


def _run(settings: Settings, timer: Timer) -> tuple[Report, Analysis]:
    with timer.stage("rules"):
        rules, rule_errors = rule_set(list(settings.policies), settings.select, settings.ignore, settings.extra_rules)
        rules = [replace(r, severity=settings.severity[r.id]) if r.id in settings.severity else r for r in rules]
    analysis = analyse(list(settings.paths), settings.as_of, settings.patterns, timer, settings)
    evaluator = Evaluator(rules)
    facts_seconds = rules_seconds = 0.0
    clock = time.perf_counter
    for node in analysis.inventory.nodes():  # facts and rules interleave, so no facts list is ever held
        started = clock()
        facts = facts_of(node, analysis.context)
        built = clock()
        evaluator.feed(node, facts)
        facts_seconds += built - started
        rules_seconds += clock() - built
    timer.add("facts", facts_seconds)
    timer.add("rules", rules_seconds)
    with timer.stage("suppress"):
        # suppressions are judged on every finding (so "matches nothing" is true), then --changed narrows
        kept, suppressed, notices, errors = _suppress(sorted(evaluator.findings), analysis.commented, rules, settings)
        if settings.report_files is not None:
            kept = touching(kept, settings.report_files, analysis)
            shown = {id(f) for f in touching([s.finding for s in suppressed], settings.report_files, analysis)}
            suppressed = [s for s in suppressed if id(s.finding) in shown]
    identities: tuple[Person | Principal, ...] = (*analysis.inventory.people, *analysis.inventory.principals)
    exposed = sum(1 for node in identities if node.id in analysis.reach.next_hop)
    report = Report(settings.as_of, kept, sorted([*rule_errors, *analysis.errors, *errors], key=lambda e: e.location),
                    len(analysis.files), tuple(rules), exposed, tuple(suppressed), tuple(notices))
    return report, analysis


REFERENCE_DEPTH = 3  # how far a subject's facts look through the names it refers to (holders → group → members)


def touching(findings: list[Finding], files: tuple[str, ...], analysis: Analysis) -> list[Finding]:
    """The findings a change to `files` can have caused: located in one of them, or whose evidence path, or whose
    subject's references (owner, holders, members… a few steps deep), name a node or a grant defined in one."""
    wanted = {Path(f).resolve() for f in files}
    seen_files: dict[str, bool] = {}

    def in_wanted(file: str) -> bool:
        if file not in seen_files:
            seen_files[file] = Path(file).resolve() in wanted
        return seen_files[file]

    changed = {n.id for n in analysis.inventory.nodes() if in_wanted(n.location.file)}
    for grant in analysis.inventory.grants:  # a direct grant is an edge, not a node: both its ends are affected
        if in_wanted(grant.location.file):
            changed.update((grant.to or "", grant.resource))
    references = analysis.context.references

    def refers_to_change(node_id: str) -> bool:
        frontier, seen = [node_id], {node_id}
        for _ in range(REFERENCE_DEPTH):
            following = []
            for name in frontier:
                for _field, target in references.get(name, ()):
                    if target in changed:
                        return True
                    if target not in seen:
                        seen.add(target)
                        following.append(target)
            frontier = following
        return False

    def touches(finding: Finding) -> bool:
        return (in_wanted(finding.location.file) or finding.subject_id in changed
                or any(node_id in changed for node_id in path_ids(finding.path))
                or refers_to_change(finding.subject_id))

    return [f for f in findings if touches(f)]


def _suppress(findings: list[Finding], files: list[str], rules: list[Rule], settings: Settings
              ) -> tuple[list[Finding], list[Suppression], list[Notice], list[InputError]]:
    exceptions, errors = suppress.scan_inline(files)
    if settings.exceptions:
        listed, listed_errors = suppress.load_exceptions(settings.exceptions)
        exceptions += listed
        errors += listed_errors
    baseline: list[suppress.BaselineEntry] = []
    if settings.baseline:
        baseline, baseline_errors = suppress.load_baseline(settings.baseline)
        errors += baseline_errors
    known = {r.id for r in load_rules([builtin_policies(), *settings.policies])[0]} | {
        r.id for r in settings.extra_rules}
    errors += suppress.unknown_rules(exceptions, known)
    if not exceptions and not baseline:
        return findings, [], [], errors
    kept, suppressed, notices = suppress.apply(findings, suppress.Suppressions(tuple(exceptions), tuple(baseline)),
                                               settings.as_of, {r.id for r in rules})
    return kept, suppressed, notices, errors
