"""What RBAC rules let a subject do, as grants of the model.

These kinds of access matter to reach (issue 3), each checked against every rule as the authorizer would:
- `secrets`: get/list/watch on secrets. Grants `read` on the namespace's secrets resource and, because reading
  secrets yields the service-account tokens stored there, the use of every service-account token key in scope.
- `act-as`: create/update/patch of pods or workload controllers (a pod runs as any service account of its
  namespace), exec/attach into pods, `create serviceaccounts/token`, `impersonate serviceaccounts`. Grants the use
  of the token keys of the service accounts in scope (only those named, for token requests and impersonation
  restricted by resourceNames).
- `escalate`: `escalate`/`bind` on roles or clusterroles (and so `*` on `*`). Bound cluster-wide: `admin` on the
  cluster's access control. Bound in a namespace: whatever a namespace can hold, i.e. its secrets and its service
  accounts.
- `impersonate`: impersonation of users or groups (for instance `system:masters`). Users and groups are
  cluster-scoped, so only a ClusterRoleBinding gives it: `admin` on the cluster's access control.
- `certificates`, `webhooks`, `nodes-proxy`: the powers over the whole cluster of `powers.py`; like impersonation,
  only a ClusterRoleBinding gives them, as `admin` on the cluster's access control.

A grant restricted by resourceNames that cannot be narrowed further keeps the names as its `condition`: it still
counts for reach (fail closed) and the names show in evidence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

from policylint.flags import K8S_ADMISSION_WEBHOOKS, K8S_NODES_PROXY, K8S_SIGNS_CERTIFICATES
from policylint.model import Action, Grant, Location
from policylint.sources.kubernetes import names, powers
from policylint.sources.kubernetes.names import ALL
from policylint.sources.kubernetes.rules import WILDCARD, PolicyRule, as_written

AccessKind = Literal["secrets", "act-as", "escalate", "impersonate", "certificates", "webhooks", "nodes-proxy"]
# the flag of each power over the cluster, in the order flags are written
POWER_FLAGS: dict[AccessKind, str] = {"certificates": K8S_SIGNS_CERTIFICATES, "webhooks": K8S_ADMISSION_WEBHOOKS,
                                      "nodes-proxy": K8S_NODES_PROXY}
_ESCALATING = frozenset({"escalate", "impersonate"})
READ_VERBS = ("get", "list", "watch")
_CHANGE = ("create", "update", "patch")
_RBAC = "rbac.authorization.k8s.io"
# (kind, API group, resources, verbs, whether resourceNames narrow it)
_CHECKS: tuple[tuple[AccessKind, str, tuple[str, ...], tuple[str, ...], bool], ...] = (
    ("secrets", "", ("secrets",), READ_VERBS, True),
    ("act-as", "", ("pods", "replicationcontrollers"), _CHANGE, False),
    ("act-as", "", ("pods/exec", "pods/attach"), ("create", "get"), False),
    ("act-as", "", ("pods/ephemeralcontainers",), ("update", "patch"), False),
    ("act-as", "apps", ("daemonsets", "deployments", "replicasets", "statefulsets"), _CHANGE, False),
    ("act-as", "extensions", ("daemonsets", "deployments", "replicasets"), _CHANGE, False),
    ("act-as", "batch", ("cronjobs", "jobs"), _CHANGE, False),
    ("act-as", "", ("serviceaccounts/token",), ("create",), True),
    ("act-as", "", ("serviceaccounts",), ("impersonate",), True),
    ("impersonate", "", ("users", "groups"), ("impersonate",), True),
    ("escalate", _RBAC, ("roles", "clusterroles"), ("escalate", "bind"), True),
    ("webhooks", powers.ADMISSION, powers.WEBHOOK_CONFIGURATIONS, _CHANGE, False),  # names do not narrow it
    ("nodes-proxy", "", ("nodes/proxy",), ("get", "create"), True),
)
NOWHERE = Location("", 0, 0)  # the location of a built-in role's rule: each role it is given to places it
_ACTIONS: dict[str, Action] = {
    "get": "read", "list": "read", "watch": "read", "create": "write", "update": "write", "patch": "write",
    "escalate": "admin", "bind": "admin", "impersonate": "admin",
}


@dataclass(frozen=True, slots=True)
class Access:
    kind: AccessKind
    names: tuple[str, ...]  # resourceNames that narrow it; () = every name
    given: tuple[str, ...]  # the operations as the platform names them, e.g. "get secrets"
    location: Location | None  # the rule; None for a built-in role


def accesses(rules: Iterable[PolicyRule]) -> list[Access]:
    rules = tuple(rules)
    found = []
    for rule in rules:
        for kind, group, resources, verbs, narrowed in _CHECKS:
            given = tuple(dict.fromkeys(f"{as_written(verb, rule.verbs)} {as_written(resource, rule.resources)}"
                                        for resource in resources for verb in verbs
                                        if rule.allows(group, resource, verb)))
            if given:
                found.append(Access(kind, rule.names if narrowed else (), given, rule.location))
    found += [Access("certificates", signers, given, where)
              for signers, given, where in powers.certificate_powers(rules)]
    return found


def unknown_role(location: Location) -> list[Access]:
    """Fail closed: a role whose rules are not known is taken to allow everything."""
    return [Access("escalate", (), ("* *",), location), Access("impersonate", (), ("* *",), location)]


def reads_secrets_in(found: Iterable[Access], scope: str) -> bool:
    """The flag `k8s-read-secrets-cluster`: secrets read cluster-wide or in kube-system."""
    return scope in (ALL, "kube-system") and any(a.kind == "secrets" for a in found)


def reads_every_secret(grants: Iterable[Grant], namespace: str) -> bool:
    """The flag `k8s-read-secrets-namespace`: get, list or watch on every secret of one namespace that is not
    kube-system (`reads_secrets_in` covers those), read off the grants as bound, so that `link` can tell too."""
    if namespace in (ALL, "kube-system"):
        return False
    held = names.secrets(namespace)
    return any(g.resource == held and g.condition is None and any(_reads_secrets(o) for o in g.actions_given)
               for g in grants)


def _reads_secrets(given: str) -> bool:
    verb, _, resource = given.partition(" ")
    return verb in (*READ_VERBS, WILDCARD) and resource in ("secrets", WILDCARD)


def control_flags(found: Iterable[Access], scope: str) -> tuple[str, ...]:
    """The powers over the cluster a binding at `scope` holds, as flags; none where it also escalates, binds or
    impersonates, which give it the same control (PL205 reports that one cause)."""
    kinds = {a.kind for a in found}
    if scope != ALL or kinds & _ESCALATING:
        return ()
    return tuple(flag for kind, flag in POWER_FLAGS.items() if kind in kinds)


def escalates(found: Iterable[Access]) -> bool:
    """Whether a role, bound cluster-wide, is admin on access control other than through a power of `powers.py`."""
    return any(a.kind in _ESCALATING for a in found)


def grants_at(found: Iterable[Access], scope: str, via: str, fallback: Location,
              condition: str | None = None) -> tuple[Grant, ...]:
    """The grants of these accesses bound at `scope`: a namespace, or ALL for a ClusterRoleBinding."""
    collected: dict[tuple[str, str | None], tuple[set[Action], list[str], Location]] = {}

    def add(resource: str, actions: Iterable[Action], given: tuple[str, ...], narrowed: str | None,
            where: Location) -> None:
        held, operations, _ = collected.setdefault((resource, narrowed), (set(), [], where))
        held.update(actions)
        operations.extend(g for g in given if g not in operations)

    for access in found:
        where = access.location or fallback
        narrowed = condition or (f"resourceNames: {', '.join(access.names)}" if access.names else None)
        actions = {_ACTIONS.get(g.split(" ", 1)[0], "*") for g in access.given}
        if access.kind == "secrets":
            add(names.secrets(scope), actions, access.given, narrowed, where)
            add(names.token_key(scope, ALL), actions, access.given, narrowed, where)
        elif access.kind == "act-as" and access.names and not condition:
            for name in access.names:
                add(names.token_key(scope, name), actions, access.given, None, where)
        elif access.kind == "act-as":
            add(names.token_key(scope, ALL), actions, access.given, narrowed, where)
        elif access.kind == "escalate":
            if scope == ALL:
                add(names.ACCESS_CONTROL_ID, ("admin",), access.given, narrowed, where)
            add(names.secrets(scope), ("read",), access.given, narrowed, where)
            add(names.token_key(scope, ALL), ("admin",), access.given, narrowed, where)
        elif scope == ALL:  # impersonating users and groups, the powers: cluster-scoped only
            add(names.ACCESS_CONTROL_ID, ("admin",), access.given, narrowed, where)
    for resource, narrowed in list(collected):  # an unconditional grant already holds what a narrowed one gives
        if narrowed is not None and (resource, None) in collected:
            actions, given, _ = collected.pop((resource, narrowed))
            add(resource, actions, tuple(given), None, fallback)
    return tuple(
        Grant(resource, tuple(sorted(actions, key=_ORDER.index)), where, condition=narrowed, via=via,
              actions_given=tuple(given))
        for (resource, narrowed), (actions, given, where) in collected.items()
    )


def merged(grants: Iterable[Grant]) -> tuple[Grant, ...]:
    """Grants as `grants_at` would have collected them: one per resource and condition (actions and operations
    joined, the first one's location and via), and a conditional grant folded into an unconditional one."""
    collected: dict[tuple[str, str | None], Grant] = {}
    for grant in grants:
        key = (grant.resource, grant.condition)
        first = collected.get(key)
        collected[key] = grant if first is None else _joined(first, grant)
    for resource, condition in list(collected):
        if condition is not None and (resource, None) in collected:
            folded = collected.pop((resource, condition))
            collected[(resource, None)] = _joined(collected[(resource, None)], folded)
    return tuple(collected.values())


def _joined(first: Grant, other: Grant) -> Grant:
    actions = tuple(sorted({*first.actions, *other.actions}, key=_ORDER.index))
    return replace(first, actions=actions, actions_given=tuple(dict.fromkeys((*first.actions_given,
                                                                             *other.actions_given))))


_ORDER: list[Action] = ["read", "write", "delete", "admin", "*"]
