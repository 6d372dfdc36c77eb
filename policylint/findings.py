"""Rules applied to facts: findings, with messages, evidence paths and stable fingerprints."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache, lru_cache
from typing import Any, Literal

from policylint.errors import UsageError
from policylint.evidence import Counts, Evidence, Member, Plan, added, grant_key, plan_of
from policylint.facts import Facts
from policylint.graph import Step
from policylint.model import Location, Node
from policylint.redact import redact
from policylint.rules import PLACEHOLDER, SEVERITIES, Rule

MAX_LISTED = 10  # a list in a message names this many items, then says how many more (facts keep them all)
# The same ids are shown again and again (a key's 2,000 readers, for each of 30 keys): the check is the cost.
_redact = lru_cache(maxsize=1 << 16)(redact)


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    location: Location
    rule: str
    subject_kind: str
    subject_id: str
    severity: str
    title: str
    message: str
    path: tuple[Step, ...]  # the evidence path, typed (reporters render it)
    fingerprint: str
    # what was found, for telling a worse finding from the accepted one; the fingerprint says which finding it is
    evidence: Evidence = field(default=Evidence(), compare=False)


@dataclass(frozen=True, slots=True)
class Suppression:
    """A finding that an exception, an inline comment or the baseline keeps out of the report."""

    finding: Finding
    by: Literal["exception", "inline", "baseline"]
    reason: str
    owner: str | None
    expires: date | None
    location: Location  # where the exception or baseline entry is written


@dataclass(frozen=True, slots=True)
class Notice:
    """Information that is not a finding: a baseline entry or an exception that no longer matches anything, a
    base's input error in a `diff`, or the one note that no HR roster was read (`pipeline.roster_notice`)."""

    location: Location
    message: str


def fingerprint(rule: str, kind: str, node_id: str) -> str:
    """Stable when lines move or messages are reworded: what is flagged, not where it is written."""
    return hashlib.sha256(f"{rule}\0{kind}\0{node_id}".encode("utf-8", "surrogatepass")).hexdigest()[:16]


def at_or_above(severity: str, threshold: str) -> bool:
    return SEVERITIES.index(severity) <= SEVERITIES.index(threshold)


def select_rules(rules: list[Rule], select: tuple[str, ...], ignore: tuple[str, ...]) -> list[Rule]:
    """--select / --ignore: rule ids or prefixes (PL1 selects PL101…PL199), any case. A selector that names no
    rule is a usage error: a misspelt --select would otherwise run nothing and pass."""
    select, ignore = tuple(s.upper() for s in select), tuple(s.upper() for s in ignore)
    for selector in (*select, *ignore):
        if not any(r.id.startswith(selector) for r in rules):
            raise UsageError(f"--select/--ignore {selector!r} names no rule; `policylint rules` lists them")
    chosen = [r for r in rules if not select or r.id.startswith(select)]
    return [r for r in chosen if not r.id.startswith(ignore)] if ignore else chosen


class Evaluator:
    """Holds the rules by subject kind; feeds it (node, facts) pairs one at a time, every node of the inventory.

    A finding's evidence holds the records of each customer-data resource its subject reaches; the facts of a node
    name those resources by id only, so their records are taken from the resources' own facts as they are fed, and
    written into the findings when they are read (`findings`)."""

    def __init__(self, rules: list[Rule], steps: Callable[[Node], tuple[Step, ...]] | None = None,
                 records: Mapping[str, int | None] | None = None) -> None:
        """`steps`: a finding's evidence path (`facts.evidence_steps` on the run's context); None: paths unknown.
        `records`: every resource's records by id, when known before the nodes are fed (a run's inventory): each
        finding is then made with them, and none is made again when they are read."""
        self.steps = steps
        self.by_kind: dict[str, list[tuple[Rule, Plan]]] = {}
        for rule in rules:
            plan = plan_of(rule)
            for kind in rule.subjects:
                self.by_kind.setdefault(kind, []).append((rule, plan))
        self._findings: list[Finding] = []
        self._records: dict[str, int | None] = dict(records or {})  # resource id -> its records (None: unknown)
        self._seeded = records is not None
        self._sized = 0  # the findings before this one have their resources' records
        # one (resource, records) pair per resource, shared by every set that holds it: the distinct sets of the
        # enterprise benchmark's findings hold 664,011 entries between them, and grow with the square of its size
        self._pairs: dict[str, tuple[str, int | None]] = {}
        # Many subjects reach the same resources (300,000 keys, 19,000 sets): each set is held once. The facts of
        # nodes that reach one set share one list (`facts._reach`), so the list itself, kept alive here, is the key.
        self._reached: dict[int, tuple[list[str], Counts]] = {}

    def _reached_of(self, resources: list[str]) -> Counts:
        known = self._reached.get(id(resources))
        if known is not None and known[0] is resources:
            return known[1]
        records, pairs = self._records, self._pairs
        found = tuple(pairs.get(resource) or pairs.setdefault(resource, (resource, records.get(resource)))
                      for resource in sorted(set(map(str, resources))))
        self._reached[id(resources)] = (resources, found)
        return found

    def note(self, node: Node, facts: Facts) -> None:
        """A node whose rules are not run (its findings are known): a resource's records still size the others'."""
        if node.kind == "resource" and not self._seeded:
            self._records[node.id] = record_count(facts.get("records"))

    def feed(self, node: Node, facts: Facts) -> None:
        self.note(node, facts)
        for rule, plan in self.by_kind.get(node.kind, ()):
            if rule.matches(facts):
                path = self.steps(node) if self.steps is not None else ()
                self._findings.append(make_finding(rule, node, facts, path, plan, self._reached_of))

    @property
    def findings(self) -> list[Finding]:
        if self._sized < len(self._findings) and not self._seeded:
            sized: dict[int, Counts] = {}  # by the id of the set `_reached_of` holds once
            for number in range(self._sized, len(self._findings)):
                finding = self._findings[number]
                reached = finding.evidence.reached
                if reached:
                    if id(reached) not in sized:
                        sized[id(reached)] = tuple((resource, self._records.get(resource)) for resource, _ in reached)
                    self._findings[number] = replace(finding, evidence=replace(finding.evidence,
                                                                                reached=sized[id(reached)]))
            self._sized = len(self._findings)
        return self._findings


def make_finding(rule: Rule, node: Node, facts: Facts, path: tuple[Step, ...] = (), plan: Plan | None = None,
                 reached: Callable[[list[str]], Counts] | None = None) -> Finding:
    """`path`: the evidence path (`facts.evidence_steps`); `plan`: where the rule's evidence is in the facts
    (`plan_of(rule)`, which an evaluator reads once);
    `reached`: the resources reached, with their records, of a `reach.resources` list (`reached_of`)."""
    return Finding(
        location=node.location,
        rule=rule.id,
        subject_kind=node.kind,
        subject_id=node.id,
        severity=rule.severity,
        title=rule.title,
        message=render_message(rule.message, facts),
        path=path,
        fingerprint=fingerprint(rule.id, node.kind, node.id),
        evidence=evidence_of(plan or plan_of(rule), rule.severity, facts, reached=reached),
    )


def worsened(finding: Finding, accepted: Evidence) -> tuple[str, ...]:
    """What the finding has that the accepted evidence has not (`+ choi (departed 2025-08-01)`, a higher record
    count or severity), as a person reads it; empty while it is the same or narrower."""
    return added(finding.evidence, accepted)


def worse_than(finding: Finding, earlier: Finding) -> tuple[str, ...]:
    """`worsened`, against the same finding as it was before (a diff's base)."""
    return added(finding.evidence, earlier.evidence, "at the base")


def evidence_of(plan: Plan, severity: str, facts: Facts, records: Mapping[str, int | None] | None = None,
                reached: Callable[[list[str]], Counts] | None = None) -> Evidence:
    """The evidence of a finding on `facts` (evidence.py says what it holds). `records`: the records of each
    resource by id; a resource it does not know holds an unknown number (the Evaluator fills them in later).
    `reached`: how a `reach.resources` list becomes (id, records) pairs, when not with `records`."""
    lists = []
    for path, checks in plan.lists:
        value = _at(facts, path)
        if isinstance(value, list):
            items = value if checks is None else [item for item in value if any(check(item) for check in checks)]
            lists.append((path, _members(items)))
    resources = _at(facts, "reach.resources")
    return Evidence(
        tuple(lists),
        record_count(_at(facts, plan.records)) if plan.records else None,
        severity,
        () if not isinstance(resources, list) else (reached or reached_of)(resources) if records is None
        else reached_of(resources, records),
        tuple((path, record_count(_at(facts, path))) for path in plan.counts),
    )


def reached_of(resources: list[str], records: Mapping[str, int | None] | None = None) -> Counts:
    return tuple((str(resource), (records or {}).get(str(resource))) for resource in sorted(set(resources)))


def record_count(value: Any) -> int | None:
    """A count as evidence holds it: a whole number, else None (unknown)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _at(facts: Facts, path: str) -> Any:
    found: Any = facts
    for step in path.split("."):
        found = found.get(step) if isinstance(found, dict) else None
    return found


def _members(items: list[Any]) -> tuple[Member, ...]:
    members = {}
    for item in items:
        for key, shown in _keyed(item):
            if _redact(key) != key:  # what looks like secret material is kept as a digest: compared, never written
                key = f"sha256:{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}"
            members[key] = _member(key, shown)
    return tuple(members[key] for key in sorted(members))


# One member per (key, shown), shared by the findings that name it: a large organisation's keys name the same few
# hundred thousand readers millions of times between them.
_member = lru_cache(maxsize=1 << 18)(Member)


def _keyed(item: Any) -> list[tuple[str, str]]:
    """The members an item of a list fact makes, (key, shown): one, except a grant, which makes one per action, so
    that widening it (read to admin, a condition or an exclusion dropped) adds a member (`evidence.grant_key`)."""
    if isinstance(item, dict) and "resource" in item and isinstance(item.get("actions"), list):
        resource, condition = str(item["resource"]), item.get("condition")
        excluding = sorted({str(glob) for glob in item.get("excluding") or ()})
        actions: list[str | None] = [*sorted({str(action) for action in item["actions"]})] or [None]
        qualified = (f" if {condition}" if condition is not None else " with no condition") + \
            (f" except {', '.join(excluding)}" if excluding else "")
        return [(grant_key(resource, action, None if condition is None else str(condition), excluding),
                 _redact(f"{_ACTIONS.get(action or '', action or 'no action')} on {resource}{qualified}"))
                for action in actions]
    return [(_key(item), _shown_item(item) if isinstance(item, dict) else _shown(item))]


_ACTIONS = {"*": "* (every action)"}  # how a worse note names a grant's action


def _key(item: Any) -> str:
    """An item of a list fact by what it is, not by how it stands: a reader by id, a role by its id, a place a name
    appears by field and owner (a grant: `_keyed`)."""
    if isinstance(item, str):
        return item
    if not isinstance(item, dict):
        return json.dumps(item, default=str)
    name = item.get("id") or item.get("resource") or item.get("role")
    if name is not None:
        return str(name)
    if "field" in item and "in" in item:
        return f"{item['field']} of {item['in']}" + (f" via {item['via']}" if item.get("via") else "")
    if "field" in item and "name" in item:
        return f"{item['field']}: {item['name']}"
    return json.dumps(item, sort_keys=True, default=str)


def render_message(template: str, facts: Facts) -> str:
    parts = []
    for literal, steps in _template(template):
        parts.append(literal)
        if steps:
            found: Any = facts
            for step in steps:
                found = found.get(step) if isinstance(found, dict) else None
            parts.append(_shown(found))
    return "".join(parts)


@cache
def _template(template: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A message template split once into (literal text, placeholder path) pairs."""
    pieces = PLACEHOLDER.split(template)  # literal, name, literal, name, ..., literal
    return tuple((pieces[i], tuple(pieces[i + 1].split(".")) if i + 1 < len(pieces) else ())
                 for i in range(0, len(pieces), 2))


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        shown = ", ".join(_shown(v) for v in value[:MAX_LISTED]) or "none"
        return shown + (f" and {len(value) - MAX_LISTED:,} more" if len(value) > MAX_LISTED else "")
    if isinstance(value, dict):
        return _shown_item(value)
    return _redact(str(value))


def _shown_item(item: dict[str, Any]) -> str:
    """A list item of the facts as a person reads it: `kim.jh (departed 2025-06-14)`, `members of auth-platform`."""
    if "status" in item and "field" not in item:  # a person (a reader, a holder): one text each, however often named
        person = (item.get("id"), item["status"], item.get("departed"), item.get("departed_basis"))
        if person[0] and all(value is None or isinstance(value, str) for value in person):
            return _shown_person(*person)
    return _shown_listed(item)


@lru_cache(maxsize=1 << 18)
def _shown_person(name: str | None, status: str | None, departed: str | None, basis: str | None) -> str:
    return _shown_listed({"id": name, "status": status, "departed": departed, "departed_basis": basis})


def _shown_listed(item: dict[str, Any]) -> str:
    if "field" in item and "in" in item:
        via = f" via {item['via']}" if item.get("via") else ""
        return f"{item['field']} of {item['in']}{via}"
    if "field" in item and "name" in item:
        found = "defined nowhere" if item.get("found") is None else f"a {item['found']}"
        return f"{item['field']}: {item['name']} ({found})"
    name = _shown(item.get("id") or item.get("resource") or item.get("role"))
    status = item.get("status")
    if status and status != "active":
        departed = item.get("departed")
        basis = f" per {item['departed_basis']}" if departed and item.get("departed_basis") else ""
        return f"{name} ({status}{' ' + departed if departed else ''}{basis})"
    return name
