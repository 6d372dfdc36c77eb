"""Aggregated ClusterRoles over the whole inventory, and the flags that carry labels and selectors across files.

A ClusterRole with an `aggregationRule` has the rules of every other ClusterRole one of its label selectors matches
(the aggregation controller keeps them in sync, transitively), wherever that ClusterRole's manifest is. A file's
`build` aggregates what the file and the built-in roles hold; the model has no labels, so these flags carry what
`link` needs to aggregate over the merged inventory:
- `k8s-label:<key>=<value>` on a ClusterRole, one per label, when it grants something or is aggregated itself (any
  other ClusterRole adds nothing to an aggregate);
- `k8s-aggregates:<selector>` on an aggregated ClusterRole, one per clusterRoleSelector, written as `kubectl -l`
  reads them: `key=value`, `key in (a,b)`, `key notin (a,b)`, `key` (exists), `!key` (does not exist), joined by
  commas (all must hold); nothing after the colon is the empty selector, which matches every ClusterRole;
- `k8s-aggregated:<name>` on a binding of the aggregated ClusterRole `<name>`: its grants may be empty (a binding of
  `view` grants nothing tracked until some part reads secrets), so nothing else names its role.

A key or value that is not label syntax (the API server would reject it) is written quoted, and a selector that
does not read back is taken to match every ClusterRole, with a condition saying so on the grants it brings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache

from policylint.flags import K8S_AGGREGATES, K8S_CLUSTER_ADMIN, K8S_LABEL, K8S_READ_SECRETS_CLUSTER
from policylint.model import Grant, Role
from policylint.sources.kubernetes import names
from policylint.sources.kubernetes.access import (
    NOWHERE,
    POWER_FLAGS,
    accesses,
    control_flags,
    escalates,
    grants_at,
    merged,
    reads_secrets_in,
)
from policylint.sources.kubernetes.builtin import BUILTIN_CLUSTER_ROLES
from policylint.sources.kubernetes.rules import RoleDefinition, Selector

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_./-]*")
_VALUE = re.compile(r"[A-Za-z0-9_.-]*")
_LISTED = re.compile(r"[A-Za-z0-9_.-]+")
_TERM = re.compile(r"(?P<absent>!)?(?P<key>[A-Za-z0-9][A-Za-z0-9_./-]*)"
                   r"(?:=(?P<value>[A-Za-z0-9_.-]*)|(?P<operator> in | notin )\((?P<values>[A-Za-z0-9_.,-]*)\))?"
                   r"(?:,(?=.)|$)")
_OPERATORS = {" in ": "In", " notin ": "NotIn"}


@dataclass(frozen=True, slots=True)
class Aggregate:
    """What a ClusterRole grants bound cluster-wide (`via` itself; a built-in rule's grant is located NOWHERE),
    whether a part has `*` on `*`, whether it reads secrets, the powers over the cluster its parts hold (their flags,
    `powers.py`), and whether a part escalates, binds or impersonates (which takes the powers' place)."""

    grants: tuple[Grant, ...]
    admin: bool
    reads: bool
    powers: tuple[str, ...] = ()
    escalates: bool = False


@dataclass(frozen=True, slots=True)
class _ClusterRole:
    labels: Mapping[str, str]
    selectors: tuple[str, ...] | None  # as written in the flags; None: not aggregated
    own: Aggregate


def flags_of(definition: RoleDefinition, grants_something: bool) -> tuple[str, ...]:
    """The `k8s-label:` and `k8s-aggregates:` flags of a ClusterRole."""
    selectors = () if definition.selectors is None else definition.selectors
    labels = definition.labels if grants_something or definition.selectors is not None else {}
    return (*(f"{K8S_LABEL}{key}={value}" for key, value in sorted(labels.items())),
            *(K8S_AGGREGATES + selector_text(s) for s in selectors))


def selector_text(selector: Selector) -> str:
    terms = [f"{_written(key, _KEY)}={_written(value, _VALUE)}" for key, value in selector.labels]
    for key, operator, values in selector.expressions:
        if operator in ("In", "NotIn"):
            listed = ",".join(_written(v, _LISTED) for v in sorted(values))
            terms.append(f"{_written(key, _KEY)} {operator.lower()} ({listed})")
        else:
            terms.append(("" if operator == "Exists" else "!") + _written(key, _KEY))
    return ",".join(terms)


def _written(text: str, syntax: re.Pattern[str]) -> str:
    return text if syntax.fullmatch(text) else json.dumps(text)  # quoted: reads back as no selector at all


def parse_selector(text: str) -> Selector | None:
    """A selector as `selector_text` writes it; None when it does not read back."""
    labels: list[tuple[str, str]] = []
    expressions: list[tuple[str, str, frozenset[str]]] = []
    position = 0
    while position < len(text):
        term = _TERM.match(text, position)
        if term is None or (term["absent"] and (term["value"] is not None or term["operator"])):
            return None
        if term["value"] is not None:
            labels.append((term["key"], term["value"]))
        elif term["operator"]:
            values = frozenset(term["values"].split(",")) if term["values"] else frozenset()
            if "" in values:
                return None
            expressions.append((term["key"], _OPERATORS[term["operator"]], values))
        else:
            expressions.append((term["key"], "DoesNotExist" if term["absent"] else "Exists", frozenset()))
        position = term.end()
    return Selector(tuple(sorted(labels)), tuple(expressions))


def aggregates(roles: Iterable[Role]) -> dict[str, Aggregate]:
    """Every aggregated ClusterRole of the inventory or built in, by name, with all its parts: a fixpoint, since a
    part may be aggregated itself (and aggregation may be cyclic)."""
    known = {**_builtins(), **{r.id[len(names.CLUSTER_ROLE_PREFIX):]: _from_node(r) for r in roles
                               if r.id.startswith(names.CLUSTER_ROLE_PREFIX)}}
    parts = {name: _parts(name, role.selectors, known) for name, role in known.items() if role.selectors is not None}
    found = {name: replace(known[name].own, grants=_via(known[name].own.grants, name, None)) for name in parts}
    changed = True
    while changed:
        changed = False
        for name, matched in parts.items():
            widened = _widened(name, found[name], [(found.get(p, known[p].own), c) for p, c in matched])
            if widened != found[name]:
                found[name], changed = widened, True
    return found


def _parts(name: str, selectors: tuple[str, ...], known: Mapping[str, _ClusterRole]) -> list[tuple[str, str | None]]:
    """The ClusterRoles the selectors match, each with the condition it is matched under (None: surely)."""
    parsed = [(text, parse_selector(text)) for text in selectors]
    unread = [text for text, selector in parsed if selector is None]
    matched: list[tuple[str, str | None]] = []
    for other, role in known.items():
        if other == name:
            continue
        if any(selector is not None and selector.matches(role.labels) for _, selector in parsed):
            matched.append((other, None))
        elif unread:
            matched.append((other, f"aggregationRule of ClusterRole/{name}: selector {unread[0]} is not label"
                                   " syntax, assumed to match every ClusterRole"))
    return matched


def _widened(name: str, current: Aggregate, parts: list[tuple[Aggregate, str | None]]) -> Aggregate:
    grants = [*current.grants, *(g for part, condition in parts for g in _via(part.grants, name, condition))]
    held = {f for a in (current, *(p for p, _ in parts)) for f in a.powers}
    return Aggregate(merged(grants), current.admin or any(p.admin for p, _ in parts),
                     current.reads or any(p.reads for p, _ in parts),
                     tuple(f for f in POWER_FLAGS.values() if f in held),
                     current.escalates or any(p.escalates for p, _ in parts))


def _via(grants: tuple[Grant, ...], name: str, condition: str | None) -> tuple[Grant, ...]:
    """A part's grants as the aggregate grants them; an assumed match puts its condition first."""
    return tuple(replace(g, via=f"ClusterRole/{name}", condition=_assuming(condition, g.condition)) for g in grants)


def _assuming(condition: str | None, held: str | None) -> str | None:
    if condition is None or condition in (held or "").split("; "):
        return held  # a cycle of assumed matches brings the same assumption back: once is enough
    return condition if held is None else f"{condition}; {held}"


def _from_node(role: Role) -> _ClusterRole:
    labels = dict(_label(f[len(K8S_LABEL):]) for f in role.flags if f.startswith(K8S_LABEL))
    selectors = tuple(f[len(K8S_AGGREGATES):] for f in role.flags if f.startswith(K8S_AGGREGATES))
    powers = tuple(f for f in role.flags if f in POWER_FLAGS.values())
    # admin on access control without a power's flag: it escalates, binds or impersonates (`control_flags`)
    admin_on_access = any(g.resource == names.ACCESS_CONTROL_ID for g in role.grants) and not powers
    return _ClusterRole(labels, selectors or None,
                        Aggregate(role.grants, K8S_CLUSTER_ADMIN in role.flags, K8S_READ_SECRETS_CLUSTER in role.flags,
                                  powers, admin_on_access))


def _label(text: str) -> tuple[str, str]:
    key, _, value = text.partition("=")
    return key, value


@cache
def _builtins() -> dict[str, _ClusterRole]:
    return {name: _builtin(name, definition) for name, definition in BUILTIN_CLUSTER_ROLES.items()}


def _builtin(name: str, definition: RoleDefinition) -> _ClusterRole:
    found = accesses(definition.rules)
    selectors = None if definition.selectors is None else tuple(selector_text(s) for s in definition.selectors)
    admin = name == "cluster-admin" or any(r.is_wildcard for r in definition.rules)
    own = Aggregate(grants_at(found, names.ALL, f"ClusterRole/{name}", NOWHERE), admin,
                    reads_secrets_in(found, names.ALL), control_flags(found, names.ALL), escalates(found))
    return _ClusterRole(definition.labels, selectors, own)
