"""What a finding is, kept beside it, so that a baseline (or a diff's base) tells the same finding from a worse one.

A finding's evidence is the members of the list facts that make it a finding: the lists its rule's `match` tests
(`contains`, `minItems`) and those its message names. Where the match tests a list with `contains`, only the items
that satisfy it count (for PL301, the readers who left after the last rotation): a new active reader does not make
that finding worse, a reader who departs does, and rotating the key narrows it. With the lists: the record count
the message states, and the severity. Day counts are left out on purpose: they grow every day by themselves.

A finding is the same or narrower than an accepted one while each list is a subset of the accepted list, the
record count is not higher and the severity not more severe; `added` says what makes it worse otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from policylint.facts_schema import facts_schema
from policylint.fastschema import Check, compile_schema
from policylint.rules import PLACEHOLDER, SEVERITIES, Rule

MAX_ADDED = 10  # members named in a "worse" note; then how many more


class Member(NamedTuple):
    """One item of a list fact: `key` is what is compared (the item's id), `shown` how a message names it.
    A tuple, not a dataclass: a finding may have thousands (a key's readers), and a tuple is made 4 times faster."""

    key: str
    shown: str


@dataclass(frozen=True, slots=True)
class Evidence:
    lists: tuple[tuple[str, tuple[Member, ...]], ...] = ()  # (fact path such as "readers" or "reach.classes", members)
    records: int | None = None  # the record count the message states; None: none stated, or unknown
    severity: str | None = None  # None: not recorded


@dataclass(frozen=True, slots=True)
class Plan:
    """Where a rule's evidence is in its subject's facts: read once per rule from its match and message."""

    lists: tuple[tuple[str, tuple[Check, ...] | None], ...]  # fact path, checks an item must pass one of (None: all)
    records: str | None  # fact path of the record count the message names


def plan_of(rule: Rule) -> Plan:
    tested: dict[str, list[Check] | None] = {}
    _tested_lists(rule.match, rule.match, (), tested, depth=0)
    named = PLACEHOLDER.findall(rule.message)
    for path in named:
        if any(_is_list(kind, path) for kind in rule.subjects):
            tested.setdefault(path, None)
    records = next((path for path in named if path.split(".")[-1] == "records"), None)
    return Plan(tuple((path, None if checks is None else tuple(checks)) for path, checks in sorted(tested.items())),
                records)


def _is_list(kind: str, path: str) -> bool:
    schema: Any = facts_schema(kind)
    for step in path.split("."):
        schema = (schema or {}).get("properties", {}).get(step)
    return isinstance(schema, dict) and schema.get("type") == "array"


def _tested_lists(schema: Any, root: Any, path: tuple[str, ...], found: dict[str, list[Check] | None],
                  depth: int) -> None:
    """Each fact path the schema tests as a list, with the `contains` subschemas that pick the items that count.
    What is under `not` picks nothing (an item that must be absent is no member of the finding)."""
    if not isinstance(schema, dict) or depth > 20:  # 20: a $ref cycle ends here
        return
    name = ".".join(path)
    if path and "contains" in schema:
        checks = found.setdefault(name, [])
        if checks is not None:
            checks.append(_compiled(schema["contains"], root))
    elif path and "minItems" in schema:
        found[name] = None
    reference = schema.get("$ref")
    if isinstance(reference, str) and reference.startswith("#/$defs/"):
        _tested_lists((root.get("$defs") or {}).get(reference[len("#/$defs/"):]), root, path, found, depth + 1)
    for branch in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(branch) or ():
            _tested_lists(sub, root, path, found, depth + 1)
    for key, sub in (schema.get("properties") or {}).items():
        _tested_lists(sub, root, (*path, key), found, depth + 1)


def _compiled(schema: Any, root: Any) -> Check:
    """A subschema checked on its own keeps the rule's definitions its `$ref`s name."""
    if isinstance(schema, dict) and isinstance(root, dict) and "$defs" in root:
        schema = {**schema, "$defs": root["$defs"]}
    return compile_schema(schema)


def added(now: Evidence, accepted: Evidence) -> tuple[str, ...]:
    """What `now` has that `accepted` has not, as a person reads it; empty when it is the same or narrower.
    An unknown record count is not narrower than a known one, nor a known one than an unknown (fail closed)."""
    known = {path: {m.key for m in members} for path, members in accepted.lists}
    new = [m.shown for path, members in now.lists for m in members if m.key not in known.get(path, ())]
    notes = [f"+ {shown}" for shown in new[:MAX_ADDED]]
    if len(new) > MAX_ADDED:
        notes.append(f"+ {len(new) - MAX_ADDED:,} more")
    if now.records != accepted.records and (now.records is None or accepted.records is None
                                            or now.records > accepted.records):
        notes.append(f"{_count(now.records)} records (accepted: {_count(accepted.records)})")
    if (now.severity in SEVERITIES and accepted.severity in SEVERITIES
            and SEVERITIES.index(now.severity) < SEVERITIES.index(accepted.severity)):
        notes.append(f"severity {now.severity} (accepted: {accepted.severity})")
    return tuple(notes)


def _count(records: int | None) -> str:
    return "unknown" if records is None else f"{records:,}"


def evidence_json(evidence: Evidence) -> dict[str, Any]:
    """The evidence as JSON: member keys only (a message names the members of the finding it is about)."""
    return {
        "severity": evidence.severity,
        **({"records": evidence.records} if evidence.records is not None else {}),
        "lists": {path: [m.key for m in members] for path, members in evidence.lists},
    }


def evidence_from_json(document: Any) -> Evidence:
    """The evidence `evidence_json` wrote; ValueError (saying what was expected) for anything else."""
    if not isinstance(document, dict):
        raise ValueError(f"expected evidence (severity, lists), found {type(document).__name__}")
    severity, records, lists = document.get("severity"), document.get("records"), document.get("lists")
    if severity not in SEVERITIES:
        raise ValueError(f"expected severity to be one of {', '.join(SEVERITIES)}, found {severity!r}")
    if records is not None and (isinstance(records, bool) or not isinstance(records, int) or records < 0):
        raise ValueError(f"expected records to be a whole number, found {records!r}")
    if not isinstance(lists, dict) or not all(
            isinstance(keys, list) and all(isinstance(k, str) for k in keys) for keys in lists.values()):
        raise ValueError("expected lists to map each fact to a list of member ids, found "
                         f"{'no lists' if lists is None else repr(lists)[:80]}")
    members = tuple((str(path), tuple(Member(k, k) for k in sorted(set(keys)))) for path, keys in sorted(lists.items()))
    return Evidence(members, records, severity)
