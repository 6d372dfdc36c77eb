"""The pipeline end to end: files → inventory → graph → reach → facts → rules → findings (a Report).

Each stage is timed, so the benchmark reads the same code path the CLI runs.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from policylint.errors import InputError
from policylint.facts import Context, build_context, facts_of
from policylint.findings import Evaluator, Finding, select_rules
from policylint.graph import Graph, Index, build_graph, build_index
from policylint.inventory import load_paths
from policylint.join import join
from policylint.model import Inventory, Location, Person, Principal
from policylint.reach import Reach, compute_reach
from policylint.rules import Rule, builtin_policies, load_rules

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


@dataclass(frozen=True, slots=True)
class Suppression:
    """A finding that an exception, an inline comment or the baseline keeps out of the report."""

    finding: Finding
    by: str  # "exception" | "inline" | "baseline"
    reason: str
    owner: str | None
    expires: date | None
    location: Location  # where the exception or baseline entry is written


@dataclass(frozen=True, slots=True)
class Notice:
    """Information that is not a finding: a baseline entry or an exception that no longer matches anything."""

    location: Location
    message: str


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


def analyse(paths: list[str], as_of: date, patterns: tuple[str, ...] = DEFAULT_PATTERNS,
            timer: Timer | None = None) -> Analysis:
    timer = timer or Timer()
    with timer.stage("load"):
        loaded = load_paths(paths)
    with timer.stage("graph"):
        inventory, join_errors = join(loaded.inventory)
        index = build_index(inventory)
        graph = build_graph(inventory, index)
        errors = [*loaded.errors, *join_errors, *unattached_grants(inventory, index)]
    with timer.stage("reach"):
        reach = compute_reach(graph, inventory, patterns)
        context = build_context(inventory, index, graph, reach, as_of, patterns)
    return Analysis(inventory, index, graph, reach, context, sorted(errors, key=lambda e: e.location),
                    loaded.files)


def unattached_grants(inventory: Inventory, index: Index) -> list[InputError]:
    """A direct grant whose resource is undefined and whose `to` names no node has no node to report it on."""
    return [
        InputError(grant.location, f"expected the grant's resource to be defined, found {grant.resource!r} defined "
                                   f"nowhere (granted to {grant.to!r}, which is no node either)")
        for grant in inventory.grants
        if grant.resource not in index.nodes and (grant.to or "") not in index.nodes
    ]


def rule_set(policies: list[Path], select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()
             ) -> tuple[list[Rule], list[InputError]]:
    rules, errors = load_rules([builtin_policies(), *policies])
    return select_rules(rules, select, ignore), errors


def check(paths: list[str], as_of: date, *, policies: list[Path] | None = None,
          patterns: tuple[str, ...] = DEFAULT_PATTERNS, select: tuple[str, ...] = (), ignore: tuple[str, ...] = (),
          timer: Timer | None = None) -> Report:
    with cyclic_gc_paused():
        return _check(paths, as_of, policies or [], patterns, select, ignore, timer or Timer())


def _check(paths: list[str], as_of: date, policies: list[Path], patterns: tuple[str, ...], select: tuple[str, ...],
           ignore: tuple[str, ...], timer: Timer) -> Report:
    with timer.stage("rules"):
        rules, rule_errors = rule_set(policies, select, ignore)
    analysis = analyse(paths, as_of, patterns, timer)
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
    findings = sorted(evaluator.findings)
    identities: tuple[Person | Principal, ...] = (*analysis.inventory.people, *analysis.inventory.principals)
    exposed = sum(1 for node in identities if node.id in analysis.reach.next_hop)
    return Report(as_of, findings, sorted([*rule_errors, *analysis.errors], key=lambda e: e.location),
                  len(analysis.files), tuple(rules), exposed)
