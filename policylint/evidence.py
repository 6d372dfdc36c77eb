"""What a finding is, kept beside it, so that a baseline (or a diff's base) tells the same finding from a worse one.

A finding's evidence is the members of the list facts that make it a finding: the lists its rule's `match` tests
(`contains`, `minItems`) and those its message names. Where the match tests a list with `contains`, only the items
that satisfy it count (for PL301, the readers who left after the last rotation): a new active reader does not make
that finding worse, a reader who departs does, and rotating the key narrows it. With the lists:

- what the subject reaches: every customer-data resource in its `reach.resources`, with the records each holds
  (None: unknown), whatever the rule tests. A departed holder's key that comes to reach a 33.7M-record database is
  a worse finding, not the accepted one;
- the counts the match tests with `minimum`/`exclusiveMinimum` (higher is worse: `active_access_keys`,
  `token_ttl_seconds`, `validity_days`), except ages, which grow every day by themselves (`grows_by_itself`);
- the record count the message states, and the severity.

A grant is a member per action it gives (`grant_key`: resource, action, condition, exclusions), so that widening
one (read to admin, a condition or an exclusion dropped) is worse; an accepted grant covers one that holds less (`*`
and admin cover every action, an unconditional grant a conditional one, a grant excluding fewer ids one excluding
more). A condition is compared whole: one with a clause added is another condition, so worse (fail closed).

A finding is the same or narrower than an accepted one while each list is a subset of the accepted list (a grant:
covered by it), it reaches no resource the accepted one did not, and no count (a resource's records, a tested count,
the stated records) is higher or has become unknown, and the severity is not more severe; `added` says what makes it
worse otherwise. An unknown count is never read as 0: it is not narrower than a known one, nor a known one than an
unknown (fail closed).
"""

from __future__ import annotations

import hashlib
import json
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


Counts = tuple[tuple[str, int | None], ...]  # (name, count; None: unknown), sorted by name


@dataclass(frozen=True, slots=True)
class Evidence:
    lists: tuple[tuple[str, tuple[Member, ...]], ...] = ()  # (fact path such as "readers" or "reach.classes", members)
    records: int | None = None  # the record count the message states; None: none stated, or unknown
    severity: str | None = None  # None: not recorded
    reached: Counts = ()  # the customer-data resources the subject reaches (reach.resources) and their records
    counts: Counts = ()  # the counts the match tests with a minimum, by fact path, ages left out


@dataclass(frozen=True, slots=True)
class Plan:
    """Where a rule's evidence is in its subject's facts: read once per rule from its match and message."""

    lists: tuple[tuple[str, tuple[Check, ...] | None], ...]  # fact path, checks an item must pass one of (None: all)
    records: str | None  # fact path of the record count the message names
    counts: tuple[str, ...] = ()  # fact paths of the counts the match tests with a minimum (ages left out)


def plan_of(rule: Rule) -> Plan:
    tested: dict[str, list[Check] | None] = {}
    minimums: set[str] = set()
    _tested_lists(rule.match, rule.match, (), tested, depth=0, minimums=minimums)
    named = PLACEHOLDER.findall(rule.message)
    for path in named:
        if any(_is_list(kind, path) for kind in rule.subjects):
            tested.setdefault(path, None)
    records = next((path for path in named if path.split(".")[-1] == "records"), None)
    counts = tuple(sorted(path for path in minimums if path != records and not grows_by_itself(path)))
    return Plan(tuple((path, None if checks is None else tuple(checks)) for path, checks in sorted(tested.items())),
                records, counts)


AGE_PREFIXES = ("days_", "age")  # days_since_created, days_since_last_used, days_unused, days_since_departed, …
AGE_SUFFIXES = ("_overdue_days",)  # rotation_overdue_days: days_since_rotated − rotation_days


def grows_by_itself(path: str) -> bool:
    """A count that grows every day with nothing changed (an age in days): no evidence, or every baselined finding
    would be worse the next morning. Told by the fact's name; the durations that stay as written (`validity_days`,
    `rotation_days`, `log_retention_days`, `token_ttl_seconds`) are not ages."""
    name = path.split(".")[-1]
    return name.startswith(AGE_PREFIXES) or name.endswith(AGE_SUFFIXES)


def _is_list(kind: str, path: str) -> bool:
    schema: Any = facts_schema(kind)
    for step in path.split("."):
        schema = (schema or {}).get("properties", {}).get(step)
    return isinstance(schema, dict) and schema.get("type") == "array"


def _tested_lists(schema: Any, root: Any, path: tuple[str, ...], found: dict[str, list[Check] | None],
                  depth: int, minimums: set[str] | None = None) -> None:
    """Each fact path the schema tests as a list, with the `contains` subschemas that pick the items that count, and
    (into `minimums`) each one it tests with a minimum. What is under `not` picks nothing (an item that must be
    absent is no member of the finding, a count that must be low no evidence that a higher one is worse)."""
    if not isinstance(schema, dict) or depth > 20:  # 20: a $ref cycle ends here
        return
    name = ".".join(path)
    if path and minimums is not None and ("minimum" in schema or "exclusiveMinimum" in schema):
        minimums.add(name)
    if path and "contains" in schema:
        checks = found.setdefault(name, [])
        if checks is not None:
            checks.append(_compiled(schema["contains"], root))
    elif path and "minItems" in schema:
        found[name] = None
    reference = schema.get("$ref")
    if isinstance(reference, str) and reference.startswith("#/$defs/"):
        _tested_lists((root.get("$defs") or {}).get(reference[len("#/$defs/"):]), root, path, found, depth + 1,
                      minimums)
    for branch in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(branch) or ():
            _tested_lists(sub, root, path, found, depth + 1, minimums)
    for key, sub in (schema.get("properties") or {}).items():
        _tested_lists(sub, root, (*path, key), found, depth + 1, minimums)


def _compiled(schema: Any, root: Any) -> Check:
    """A subschema checked on its own keeps the rule's definitions its `$ref`s name."""
    if isinstance(schema, dict) and isinstance(root, dict) and "$defs" in root:
        schema = {**schema, "$defs": root["$defs"]}
    return compile_schema(schema)


def added(now: Evidence, accepted: Evidence, was: str = "accepted") -> tuple[str, ...]:
    """What `now` has that `accepted` has not, as a person reads it; empty when it is the same or narrower. `was`
    names the earlier value (`accepted`, in a baseline; `at the base`, in a diff, where nobody accepted anything).
    An unknown count is not narrower than a known one, nor a known one than an unknown (fail closed)."""
    known = {path: {m.key for m in members} for path, members in accepted.lists}
    covering: dict[str, _Grants] = {}
    new = [m.shown for path, members in now.lists for m in members
           if m.key not in known.get(path, ()) and not _covered(path, m.key, known, covering)]
    reached = dict(accepted.reached)
    new += [f"{resource} ({_records(records)})" for resource, records in now.reached if resource not in reached]
    notes = [f"+ {shown}" for shown in new[:MAX_ADDED]]
    if len(new) > MAX_ADDED:
        notes.append(f"+ {len(new) - MAX_ADDED:,} more")
    grown = [f"{resource}: {_records(records)} ({was}: {_records(reached[resource])})"
             for resource, records in now.reached if resource in reached and _higher(records, reached[resource])]
    notes += grown[:MAX_ADDED]
    if len(grown) > MAX_ADDED:
        notes.append(f"{len(grown) - MAX_ADDED:,} more resources hold more records")
    counted = dict(accepted.counts)
    notes += [f"{path} {_count(count)} ({was}: {_count(counted[path]) if path in counted else 'not recorded'})"
              for path, count in now.counts if path not in counted or _higher(count, counted[path])]
    # the records stated are those of the resources reached (a store's own, a role's sum): said once, by resource
    said = any(resource not in reached or _higher(records, reached[resource]) for resource, records in now.reached)
    if _higher(now.records, accepted.records) and not said:
        notes.append(f"{_count(now.records)} records ({was}: {_count(accepted.records)})")
    if (now.severity in SEVERITIES and accepted.severity in SEVERITIES
            and SEVERITIES.index(now.severity) < SEVERITIES.index(accepted.severity)):
        notes.append(f"severity {now.severity} ({was}: {accepted.severity})")
    return tuple(notes)


GRANT_LISTS = frozenset({"grants"})  # the list facts whose items are grants (facts_schema.GRANTS)
EVERY_ACTION = frozenset({"*", "admin", "read", "write", "delete"})
WHOLE = {"*": EVERY_ACTION, "admin": EVERY_ACTION}  # what holding an action covers: admin can grant itself the rest


def grant_key(resource: str, action: str | None, condition: str | None, excluding: list[str]) -> str:
    """The member key of one action of a grant: JSON, so that `added` reads back which grant covers which (an
    unconditional grant covers a conditional one, `*` every action, one excluding fewer ids one excluding more)."""
    return json.dumps([resource, action, condition, excluding], ensure_ascii=False)


_Grants = dict[str, list[tuple[str | None, str | None, frozenset[str]]]]  # resource -> (action, condition, excluding)


def is_grant_key(key: str) -> bool:
    """Whether a member key is a grant's (`grant_key`), not a resource's id alone."""
    return _grant(key) is not None


def _grant(key: str) -> tuple[str, str | None, str | None, frozenset[str]] | None:
    try:
        value = json.loads(key) if key.startswith("[") else None
    except ValueError:
        return None
    if (isinstance(value, list) and len(value) == 4 and isinstance(value[0], str)
            and all(v is None or isinstance(v, str) for v in value[1:3])
            and isinstance(value[3], list) and all(isinstance(v, str) for v in value[3])):
        return value[0], value[1], value[2], frozenset(value[3])
    return None


def _covered(path: str, key: str, known: dict[str, set[str]], covering: dict[str, _Grants]) -> bool:
    """A grant's action that the accepted grants cover: one on the same resource with an action that holds it, no
    condition or the same one (`iam.statements.condition_text` writes one the same however its clauses are
    ordered), and no exclusion it lacks."""
    if path not in GRANT_LISTS or (grant := _grant(key)) is None:
        return False
    resource, action, condition, excluding = grant
    if path not in covering:
        covering[path] = {}
        for other in map(_grant, known.get(path, ())):
            if other is not None:
                covering[path].setdefault(other[0], []).append(other[1:])
    return any((action is None or action == held or action in WHOLE.get(held or "", ()))
               and (held_condition is None or held_condition == condition) and held_excluding <= excluding
               for held, held_condition, held_excluding in covering[path].get(resource, ()))


class Digests:
    """`digest` of many evidences, each distinct `reached` (shared by the findings that reach one set) hashed once."""

    def __init__(self) -> None:
        self._reached: dict[int, tuple[Counts, str]] = {}  # id -> (the tuple, kept alive so the id stays its own)

    def digest(self, evidence: Evidence) -> str:
        """One string for all that `added` compares: two evidences with equal digests add nothing to each other
        (member keys, not how they are shown; a list's order and repeats do not count). Equal digests are how a
        diff tells an unchanged finding without reading the base's copy of it."""
        known = self._reached.get(id(evidence.reached))
        if known is None or known[0] is not evidence.reached:
            known = self._reached[id(evidence.reached)] = (evidence.reached, _hashed(sorted(evidence.reached)))
        lists = sorted((path, sorted({m.key for m in members})) for path, members in evidence.lists)
        return _hashed([evidence.severity, evidence.records, lists, sorted(evidence.counts), known[1]])


def _hashed(value: Any) -> str:
    return hashlib.blake2b(json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


def _higher(now: int | None, accepted: int | None) -> bool:
    """Higher, or no longer comparable: an unknown count is never read as 0 (fail closed)."""
    return now != accepted and (now is None or accepted is None or now > accepted)


def _count(records: int | None) -> str:
    return "unknown" if records is None else f"{records:,}"


def _records(records: int | None) -> str:
    return "records unknown" if records is None else f"{records:,} records"


def evidence_json(evidence: Evidence) -> dict[str, Any]:
    """The evidence as JSON: member keys only (a message names the members of the finding it is about); `reached`:
    each customer-data resource reached and its records (null: unknown); `counts` when the rule tests any."""
    return {
        "severity": evidence.severity,
        **({"records": evidence.records} if evidence.records is not None else {}),
        "lists": {path: [m.key for m in members] for path, members in evidence.lists},
        **({"counts": dict(evidence.counts)} if evidence.counts else {}),
        "reached": dict(evidence.reached),
    }


def evidence_from_json(document: Any, reached: Counts | None = None) -> Evidence:
    """The evidence `evidence_json` wrote; ValueError (saying what was expected) for anything else, and for an
    evidence without `reached`, written before what a finding reaches was recorded: read as reaching nothing, it
    would call every finding worse (a stale pre-commit cache is rebuilt instead, a baseline must be written again).
    Without `counts` the finding counted nothing: a count it tests now is not recorded, so worse (fail closed)."""
    if not isinstance(document, dict):
        raise ValueError(f"expected evidence (severity, lists), found {type(document).__name__}")
    severity, records, lists = document.get("severity"), document.get("records"), document.get("lists")
    if severity not in SEVERITIES:
        raise ValueError(f"expected severity to be one of {', '.join(SEVERITIES)}, found {severity!r}")
    if records is not None and not _whole(records):
        raise ValueError(f"expected records to be a whole number, found {records!r}")
    if not isinstance(lists, dict) or not all(
            isinstance(keys, list) and all(isinstance(k, str) for k in keys) for keys in lists.values()):
        raise ValueError("expected lists to map each fact to a list of member ids, found "
                         f"{'no lists' if lists is None else repr(lists)[:80]}")
    members = tuple((str(path), tuple(Member(k, k) for k in sorted(set(keys)))) for path, keys in sorted(lists.items()))
    counts = _counts_from_json(document.get("counts", {}), "counts", "each fact to a whole number or null",
                               negative=True)
    if reached is not None:  # read once for every finding that reaches the same set (`basecache`)
        return Evidence(members, records, severity, reached, counts)
    if "reached" not in document:
        raise ValueError("expected reached (the customer-data resources the finding reaches, with their records), "
                         "found none (written before policylint recorded it)")
    return Evidence(members, records, severity, reached_from_json(document["reached"]), counts)


def reached_from_json(value: Any) -> Counts:
    """`reached` as `evidence_json` writes it: each resource id and its records; ValueError for anything else."""
    return _counts_from_json(value, "reached", "each resource id to its records (a whole number, or null when "
                             "unknown)", negative=False)


def _whole(value: Any, negative: bool = False) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and (negative or value >= 0)


def _counts_from_json(value: Any, name: str, expected: str, negative: bool) -> Counts:
    if not isinstance(value, dict) or not all(
            isinstance(key, str) and (count is None or _whole(count, negative)) for key, count in value.items()):
        raise ValueError(f"expected {name} to map {expected}, found {repr(value)[:80]}")
    return tuple(sorted(value.items()))
