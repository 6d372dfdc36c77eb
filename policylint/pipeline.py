"""The pipeline end to end: files → inventory → graph → reach → facts → rules → findings (a `Report`).

`run` is the one entry every command uses, with the `Settings` that `settings.resolve` made from the configuration
file and the command line. Each stage is timed, so the benchmark reads the same code path the CLI runs.
"""

from __future__ import annotations

import fnmatch
import gc
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from policylint import suppress
from policylint.errors import InputError
from policylint.facts import Context, build_context, evidence_steps, facts_of
from policylint.findings import Evaluator, Finding, Notice, Suppression, record_count
from policylint.fragcache import open_cache
from policylint.graph import Graph, Index, build_graph, build_index, is_glob
from policylint.inventory import load_paths
from policylint.join import join
from policylint.model import EVERYONE, Inventory, Location, Node, Person, Principal
from policylint.nodedigest import NodeDigests, placer
from policylint.reach import UNCLASSIFIED_CLASS, Reach, compute_reach, unclassified_as_customer
from policylint.report import Report, copy_named
from policylint.rules import Rule
from policylint.settings import Settings, rule_set
from policylint.walk import repository_top


class Progress(Protocol):
    """What a long run tells whoever shows its progress (the CLI, on a terminal): nothing here prints."""

    def files(self, done: int, total: int) -> None: ...

    def stage(self, name: str) -> None: ...


@dataclass
class Timer:
    seconds: dict[str, float] = field(default_factory=dict)
    progress: Progress | None = None  # told of each file read and each stage begun
    said: list[str] = field(default_factory=list)  # how the run went, for `-v` (a diff: what came from a cache)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.progress is not None:
            self.progress.stage(name)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - start)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds


@contextmanager
def cyclic_gc_paused(final: bool = False) -> Iterator[None]:
    """A run builds millions of long-lived, acyclic objects; the cyclic collector would rescan them again and
    again for nothing (measured: about a tenth of an enterprise-sized run). Reference counting still frees.

    `final`: the process keeps what the run made until it exits (a command's one run; not a diff's). It is then
    frozen out of the collector's sight, or the first collection after the pause scans every object of it (11 s at
    four times the enterprise size). A cycle it left as garbage is then never collected, so no other run is frozen:
    a diff's base would keep its garbage through the head's run (+46% peak memory on a Terraform repository)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if final:
            gc.freeze()
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
    skipped: tuple[tuple[str, str], ...] = ()  # (file, reason) for each walked file no source reads
    notes: tuple[tuple[Location, str], ...] = ()  # what the sources left unchecked (`Fragment.notes`)


@dataclass(frozen=True, slots=True)
class Known:
    """What another run with the same settings (a diff's base) was, node by node: each node's digest
    (`nodedigest`), and the files, relative to its root, that held an inline ignore comment."""

    digests: Mapping[str, str]
    commented: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Result:
    report: Report
    analysis: Analysis
    digests: dict[str, str] = field(default_factory=dict)  # node id -> its digest, when the run was given `known`
    # nodes whose findings are the known run's: the rules did not run on them, and the report holds none of theirs
    unevaluated: frozenset[str] = frozenset()
    # the findings as a diff's base is judged (inline comments applied; no exceptions file, no baseline): None when
    # they are the report's own
    as_base: tuple[Finding, ...] | None = None


def run(settings: Settings, timer: Timer | None = None, *, findings: bool = True, known: Known | None = None,
        final: bool = False) -> Result:
    """The inventory the settings name, analysed, and (unless `findings` is False, as for `reach` and `facts`)
    every selected rule applied and the suppressions judged.

    `known` (a diff): every node's digest is computed, and a node whose digest is the known one is not judged, unless
    a suppression could tell it apart (an inline comment in its file on either side, an exception whose subject
    matches it, a baseline entry on it): its findings are the known run's, and the comparison leaves it out.

    `final`: the process keeps the result until it exits (`cyclic_gc_paused`)."""
    timer = timer or Timer()
    with cyclic_gc_paused(final):
        with timer.stage("rules"):
            rules, rule_errors = selected_rules(settings) if findings else ([], [])
        analysis = _analyse(settings, timer)
        digests: dict[str, str] = {}
        unevaluated: set[str] = set()
        kept, suppressed, notices, errors, as_base = _findings(analysis, rules, settings, timer, known, digests,
                                                               unevaluated) if findings else ([], [], [], [], None)
        notices = [*roster_notice(analysis.inventory, rules, analysis.files),
                   *(Notice(at, text) for at, text in analysis.notes), *notices]
    identities: tuple[Person | Principal, ...] = (*analysis.inventory.people, *analysis.inventory.principals)
    exposed = sum(1 for node in identities if node.id in analysis.reach.next_hop)
    report = Report(settings.as_of, kept, sorted([*rule_errors, *analysis.errors, *errors], key=lambda e: e.location),
                    len(analysis.files), tuple(rules), exposed, tuple(suppressed), tuple(notices),
                    skipped=analysis.skipped, customer_resources=len(analysis.reach.resources),
                    inputs=tuple(analysis.files), patterns=settings.patterns,
                    data_classes=() if analysis.reach.resources else tuple(sorted(
                        {c for r in analysis.inventory.resources for c in r.data})),
                    unclassified=settings.unclassified)
    return Result(report, analysis, digests, frozenset(unevaluated), as_base)


def selected_rules(settings: Settings) -> tuple[list[Rule], list[InputError]]:
    """The rules a run applies, with the severities the settings give them, and the errors of their files."""
    rules, errors = rule_set(list(settings.policies), settings.select, settings.ignore, settings.extra_rules)
    return [replace(r, severity=settings.severity[r.id]) if r.id in settings.severity else r for r in rules], errors


def _analyse(settings: Settings, timer: Timer) -> Analysis:
    with timer.stage("load"):
        # files outside the root named from it, as the working tree names them (a copy mirrors its repository)
        top = settings.copy_of[0] if settings.copy_of else repository_top(settings.exclude_root)
        options = replace(settings.options, top=top)
        loaded = load_paths(list(settings.paths), options, settings.exclude, settings.exclude_root,
                            on_file=timer.progress.files if timer.progress is not None else None,
                            cache=open_cache(settings.exclude_root, settings.cache_within) if settings.cache
                            else None)
    with timer.stage("graph"):
        inventory, join_errors = join(loaded.inventory, settings.as_of)
        patterns = settings.patterns
        if settings.unclassified == "customer":
            inventory, patterns = unclassified_as_customer(inventory), (*patterns, UNCLASSIFIED_CLASS)
        index = build_index(inventory)
        graph = build_graph(inventory, index)
        errors = [*loaded.errors, *join_errors, *unattached_grants(inventory, index)]
    with timer.stage("reach"):
        reach = compute_reach(graph, inventory, patterns)
        named = copy_named(Path(settings.copy_of[0]), Path(settings.copy_of[1])) if settings.copy_of else str
        context = build_context(inventory, index, graph, reach, settings.as_of, patterns, named)
    skipped = tuple((s.path, s.reason) for s in loaded.skipped)
    return Analysis(inventory, index, graph, reach, context, sorted(errors, key=lambda e: e.location),
                    loaded.files, loaded.commented, skipped, loaded.notes)


# The rules whose subjects' facts only a roster can fill (people, their status, whose account is whose): with no
# roster they find nothing, whatever the inputs hold, and that must be said rather than read as "passed".
NEEDS_ROSTER = {
    "PL002": "accounts of nobody", "PL101": "credentials of leavers", "PL102": "leavers still named",
    "PL108": "credentials people share", "PL301": "signing keys leavers could copy",
    "PL304": "signing keys for everyone that people can read", "PL306": "customer-data keys people can read",
    "PL103": "whether a named owner is a current person; an identity with no owner at all is still reported",
}


def roster_notice(inventory: Inventory, rules: list[Rule], files: list[str]) -> list[Notice]:
    """Once per run with no HR roster (no person from an HR export or a native `people:` section) but accounts of
    people or owners that need one: who has left cannot be known, so the rules that need people are named as
    unchecked instead of each account being PL002. Located at the first such account (a folder of bare policies or
    an operator's manifests has none, and needs no roster)."""
    if inventory.people:
        return []
    unchecked = [f"{r.id} ({NEEDS_ROSTER[r.id]})" for r in sorted(rules, key=lambda r: r.id) if r.id in NEEDS_ROSTER]
    needing = min((p.location for p in inventory.principals if p.type == "user" or p.owner or p.person), default=None)
    if not unchecked or needing is None:
        return []
    return [Notice(needing,
                   "no HR roster among the inputs (no person from a SCIM, Okta or roster CSV export, nor a native "
                   "`people:` section), so who has left, and whose account is whose, cannot be known; not checked: "
                   f"{', '.join(unchecked)}. Add the roster export to the paths, or leave these rules out "
                   "(`ignore:` in the configuration) where there is no roster to add.")]


def unattached_grants(inventory: Inventory, index: Index) -> list[InputError]:
    """A direct grant whose resource is undefined and whose `to` names no node has no node to report it on."""
    return [
        InputError(grant.location, f"expected the grant's resource to be defined, found {grant.resource!r} defined "
                                   f"nowhere (granted to {grant.to!r}, which is no node either)")
        for grant in inventory.grants
        if grant.resource not in index.nodes and (grant.to or "") not in index.nodes
        and not (grant.to == EVERYONE and is_glob(grant.resource))  # reported on what it matches (facts `grants`)
    ]


def _findings(analysis: Analysis, rules: list[Rule], settings: Settings, timer: Timer, known: Known | None,
              digests: dict[str, str], unevaluated: set[str]
              ) -> tuple[list[Finding], list[Suppression], list[Notice], list[InputError], tuple[Finding, ...] | None]:
    context = analysis.context
    evaluator = Evaluator(rules, lambda node: evidence_steps(node, context),
                          records={r.id: record_count(r.records) for r in analysis.inventory.resources})
    loaded = _suppressions(analysis.commented, settings)
    digest = NodeDigests(context, settings.exclude_root).digest if known is not None else None
    touched = _touched(loaded, analysis.commented, known, settings.exclude_root) if known is not None else None
    facts_seconds = rules_seconds = digest_seconds = 0.0
    clock = time.perf_counter
    if timer.progress is not None:
        timer.progress.stage("facts and rules")
    for node in analysis.inventory.nodes():  # facts and rules interleave, so no facts list is ever held
        started = clock()
        facts = facts_of(node, analysis.context)
        built = clock()
        facts_seconds += built - started
        if digest is not None and known is not None and touched is not None:
            found = digests[node.id] = digest(node, facts)
            digest_seconds += clock() - built
            if known.digests.get(node.id) == found and not touched(node):
                evaluator.note(node, facts)
                unevaluated.add(node.id)
                continue
            built = clock()
        evaluator.feed(node, facts)
        rules_seconds += clock() - built
    timer.add("facts", facts_seconds)
    timer.add("rules", rules_seconds)
    if digest is not None:
        timer.add("digests", digest_seconds)
    with timer.stage("suppress"):
        judged = sorted(evaluator.findings)
        as_base = None
        if known is not None and (loaded.baseline or len(loaded.exceptions) > loaded.inline):
            inline = suppress.Suppressions(tuple(loaded.exceptions[:loaded.inline]), ())
            as_base = tuple(suppress.apply(judged, inline, settings.as_of, {r.id for r in rules})[0])
        return (*_suppress(judged, loaded, rules, settings), as_base)


@dataclass(frozen=True, slots=True)
class _Loaded:
    exceptions: list[suppress.Exception_]  # inline comments, then the exceptions file
    baseline: list[suppress.BaselineEntry]
    errors: list[InputError]
    inline: int  # how many of the exceptions are inline comments


def _suppressions(files: list[str], settings: Settings) -> _Loaded:
    exceptions, errors = suppress.scan_inline(files)
    inline = len(exceptions)
    if settings.exceptions:
        listed, listed_errors = suppress.load_exceptions(settings.exceptions, max_bytes=settings.options.max_file_bytes)
        exceptions += listed
        errors += listed_errors
    baseline: list[suppress.BaselineEntry] = []
    if settings.baseline:
        baseline, baseline_errors = suppress.load_baseline(settings.baseline, max_bytes=settings.options.max_file_bytes)
        errors += baseline_errors
    return _Loaded(exceptions, baseline, errors, inline)


def _touched(loaded: _Loaded, commented: list[str], known: Known, root: str) -> Callable[[Node], bool]:
    """Whether a suppression could treat the node's findings differently from the known run's: the node is in a
    file with an inline comment (here, or in the known run: a removed comment), an exception's subject matches it,
    or a baseline entry names it."""
    place = placer(root)
    files = {place(f) for f in commented} | known.commented
    subjects = {entry.subject for entry in loaded.baseline}  # `kind:id`, as a baseline names its subject
    globs = [fnmatch.translate(e.subject) for e in loaded.exceptions if e.file_line is None]
    pattern = re.compile("|".join(f"(?:{g})" for g in globs)) if globs else None

    def touched(node: Node) -> bool:
        return (place(node.location.file) in files or f"{node.kind}:{node.id}" in subjects
                or (pattern is not None and pattern.match(node.id) is not None))

    return touched


def _suppress(findings: list[Finding], loaded: _Loaded, rules: list[Rule], settings: Settings
              ) -> tuple[list[Finding], list[Suppression], list[Notice], list[InputError]]:
    exceptions, baseline, errors = loaded.exceptions, loaded.baseline, list(loaded.errors)
    known = {r.id for r in rule_set(list(settings.policies), extra=settings.extra_rules)[0]}
    errors += suppress.unknown_rules(exceptions, known)
    if not exceptions and not baseline:
        return findings, [], [], errors
    kept, suppressed, notices = suppress.apply(findings, suppress.Suppressions(tuple(exceptions), tuple(baseline)),
                                               settings.as_of, {r.id for r in rules})
    return kept, suppressed, notices, errors
