"""RBAC policy rules: parsing them, matching them as the API server does, and aggregated ClusterRoles.

Matching follows the RBAC authorizer: a rule allows (group, resource, verb) when each of apiGroups, resources and
verbs names it or holds `*`; `*/sub` in resources matches that subresource of every resource.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from policylint.errors import InputError
from policylint.model import Location
from policylint.sources.kubernetes.manifests import describe
from policylint.yamlsafe import YMap, YSeq

WILDCARD = "*"


@dataclass(frozen=True, slots=True)
class PolicyRule:
    api_groups: frozenset[str]
    resources: frozenset[str]
    verbs: frozenset[str]
    names: tuple[str, ...]  # resourceNames; () = every name
    location: Location | None  # None: a built-in role, known by its name (no file defines it)

    def allows(self, group: str, resource: str, verb: str) -> bool:
        return (
            (WILDCARD in self.api_groups or group in self.api_groups)
            and (WILDCARD in self.verbs or verb in self.verbs)
            and self.matches_resource(resource)
        )

    def matches_resource(self, resource: str) -> bool:
        if WILDCARD in self.resources or resource in self.resources:
            return True
        _, slash, sub = resource.partition("/")
        return bool(slash) and f"*/{sub}" in self.resources

    @property
    def is_wildcard(self) -> bool:
        """`*` verbs on `*` resources of `*` API groups: everything a Role or ClusterRole can grant."""
        return WILDCARD in self.api_groups and WILDCARD in self.resources and WILDCARD in self.verbs


@dataclass(frozen=True, slots=True)
class RoleDefinition:
    """A Role or ClusterRole: its own rules, its labels and, for an aggregated ClusterRole, its label selectors."""

    rules: tuple[PolicyRule, ...]
    labels: Mapping[str, str]
    selectors: tuple[Selector, ...] | None  # None: not aggregated
    location: Location | None


@dataclass(frozen=True, slots=True)
class Selector:
    """A label selector of an aggregationRule: matchLabels and matchExpressions, all of which must hold."""

    labels: tuple[tuple[str, str], ...]
    expressions: tuple[tuple[str, str, frozenset[str]], ...]  # (key, operator, values)

    def matches(self, labels: Mapping[str, str]) -> bool:
        if any(labels.get(key) != value for key, value in self.labels):
            return False
        for key, operator, values in self.expressions:
            present = key in labels
            listed = present and labels[key] in values
            held = {"In": listed, "NotIn": not listed, "Exists": present, "DoesNotExist": not present}[operator]
            if not held:
                return False
        return True


def as_written(name: str, written: frozenset[str]) -> str:
    """A verb or resource as a rule that allows it names it: itself, or the wildcard that matched it."""
    if name in written:
        return name
    return "*" if WILDCARD in written else "*/" + name.partition("/")[2]


def parse_rules(body: YMap, path: str, errors: list[InputError]) -> tuple[PolicyRule, ...]:
    """The `rules` of a Role or ClusterRole; a malformed rule is a located error and is left out."""
    rules = body.get("rules")
    if rules is None:
        return ()
    if not isinstance(rules, YSeq):
        errors.append(InputError(Location(path, *body.value_pos["rules"]),
                                 f"expected rules to be a list of policy rules, found {describe(rules)}"))
        return ()
    parsed = []
    for item, pos in zip(rules, rules.item_pos, strict=True):
        try:
            parsed.append(_rule(item, Location(path, *pos)))
        except InputError as error:
            errors.append(error)
    return tuple(parsed)


def _rule(item: Any, where: Location) -> PolicyRule:
    if not isinstance(item, YMap):
        raise InputError(where, f"expected a policy rule (a mapping with verbs and resources), found {describe(item)}")
    lists = {key: _strings(item, key, where) for key in ("apiGroups", "resources", "verbs", "resourceNames",
                                                          "nonResourceURLs")}
    if not lists["verbs"]:
        raise InputError(where, "expected a policy rule with at least one verb, found none")
    return PolicyRule(frozenset(lists["apiGroups"]), frozenset(lists["resources"]), frozenset(lists["verbs"]),
                      tuple(lists["resourceNames"]), where)


def _strings(item: YMap, key: str, where: Location) -> tuple[str, ...]:
    value = item.get(key)
    if value is None:
        return ()
    if not isinstance(value, YSeq) or not all(isinstance(v, str) for v in value):
        at = Location(where.file, *item.value_pos[key])
        raise InputError(at, f"expected {key} to be a list of strings, found {describe(value)}")
    return tuple(value)


def parse_selectors(body: YMap, path: str, errors: list[InputError]) -> tuple[Selector, ...] | None:
    """The clusterRoleSelectors of an aggregationRule; None when the ClusterRole is not aggregated."""
    rule = body.get("aggregationRule")
    if rule is None:
        return None
    where = Location(path, *body.value_pos["aggregationRule"])
    selectors = rule.get("clusterRoleSelectors") if isinstance(rule, YMap) else None
    if not isinstance(selectors, YSeq):
        errors.append(InputError(where, "expected aggregationRule.clusterRoleSelectors to be a list of label "
                                        f"selectors, found {describe(selectors)}"))
        return ()
    parsed = []
    for item, pos in zip(selectors, selectors.item_pos, strict=True):
        try:
            parsed.append(_selector(item, Location(path, *pos)))
        except InputError as error:
            errors.append(error)
    return tuple(parsed)


_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def _selector(item: Any, where: Location) -> Selector:
    if not isinstance(item, YMap):
        raise InputError(where, f"expected a label selector (matchLabels, matchExpressions), found {describe(item)}")
    labels = item.get("matchLabels") or {}
    expressions = item.get("matchExpressions") or []
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        raise InputError(where, f"expected matchLabels to map label names to strings, found {describe(labels)}")
    if not isinstance(expressions, list):
        raise InputError(where, f"expected matchExpressions to be a list, found {describe(expressions)}")
    parsed = []
    for expression in expressions:
        operator = expression.get("operator") if isinstance(expression, YMap) else None
        key = expression.get("key") if isinstance(expression, YMap) else None
        values = (expression.get("values") or []) if isinstance(expression, YMap) else []
        if operator not in _OPERATORS or not isinstance(key, str) or not isinstance(values, list):
            raise InputError(where, "expected matchExpressions entries with key, operator (In, NotIn, Exists,"
                                    f" DoesNotExist) and values, found {describe(expression)}")
        parsed.append((key, operator, frozenset(str(v) for v in values)))
    return Selector(tuple(sorted((str(k), v) for k, v in labels.items())), tuple(parsed))


def effective_rules(name: str, cluster_roles: Mapping[str, RoleDefinition]) -> tuple[PolicyRule, ...]:
    """A ClusterRole's rules; an aggregated one has the rules of every ClusterRole its selectors match, transitively
    (as the aggregation controller computes them: a component that is itself aggregated brings its aggregate)."""
    resolved: dict[str, tuple[PolicyRule, ...]] = {}
    pending = [name]
    # the aggregated roles reachable from `name`, then a fixpoint over them (aggregation may be cyclic)
    aggregated: list[str] = []
    while pending:
        current = pending.pop()
        definition = cluster_roles.get(current)
        if definition is None or current in resolved or current in aggregated:
            continue
        if definition.selectors is None:
            resolved[current] = definition.rules
            continue
        aggregated.append(current)
        pending.extend(_components(current, definition.selectors, cluster_roles))
    for role in aggregated:
        resolved[role] = ()
    changed = True
    while changed:
        changed = False
        for role in aggregated:
            definition = cluster_roles[role]
            union = _unique(r for c in _components(role, definition.selectors or (), cluster_roles)
                            for r in resolved.get(c, ()))
            if union != resolved[role]:
                resolved[role], changed = union, True
    return resolved.get(name, ())


def _components(name: str, selectors: Iterable[Selector], cluster_roles: Mapping[str, RoleDefinition]) -> list[str]:
    return [other for other, definition in cluster_roles.items()
            if other != name and any(s.matches(definition.labels) for s in selectors)]


def _unique(rules: Iterable[PolicyRule]) -> tuple[PolicyRule, ...]:
    return tuple(dict.fromkeys(rules))
