"""Across files, after the merge: bindings whose role another file defines, aggregated ClusterRoles whose parts other
files define, and the built-in groups' members.

A source reads one file at a time, but a RoleBinding and its Role often live in different files. Each Role and
ClusterRole is also a model role (`k8s:default:role:<ns>/<name>`, `k8s:default:clusterrole:<name>`) whose grants
are the role bound at its widest; a binding that could not be resolved in its own file carries the flag
`k8s-role-unresolved` and fail-closed grants. `link` gives such a binding the grants of its role, narrowed to the
binding's namespace for a RoleBinding to a ClusterRole (access-control admin, which only a cluster-wide binding
gives, is dropped; `*` namespaces become the binding's), and recomputes its flags: reading secrets (cluster-wide or in
kube-system, or every secret of another namespace), and the powers over the cluster (`powers.py`), which only a
ClusterRoleBinding holds and none that also escalates. A binding whose role is defined nowhere keeps its fail-closed
grants.

An aggregated ClusterRole (one with an `aggregationRule`, and the built-in `admin`, `edit` and `view`) gains the
grants of every ClusterRole of the inventory its selectors match (`aggregation.py`), and so does every binding of it
(flagged `k8s-aggregated:<name>`, or resolved here), narrowed the same way; grants it already had stay as they were.

It also gives `system:serviceaccounts`, `system:serviceaccounts:<ns>` and `system:authenticated` every service
account (and user) of the whole inventory as members.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from policylint.flags import (
    BUILTIN,
    K8S_AGGREGATED,
    K8S_CLUSTER_ADMIN,
    K8S_READ_SECRETS_CLUSTER,
    K8S_READ_SECRETS_NAMESPACE,
    K8S_ROLE_UNRESOLVED,
)
from policylint.model import Grant, Group, Inventory, Role
from policylint.sources.kubernetes import bootstrap, names
from policylint.sources.kubernetes.access import NOWHERE, POWER_FLAGS, merged, reads_every_secret
from policylint.sources.kubernetes.aggregation import Aggregate, aggregates
from policylint.sources.kubernetes.subjects import group_members

_GROUP_NAMES = names.GROUP_PREFIX + "system:"
_POWERS = tuple(POWER_FLAGS.values())
# the flags worked out from what a role grants, in the order `build` writes them, before every other flag
_DERIVED = (BUILTIN, K8S_CLUSTER_ADMIN, K8S_READ_SECRETS_CLUSTER, K8S_READ_SECRETS_NAMESPACE, *_POWERS)


def link(inventory: Inventory) -> Inventory:
    definitions = {r.id: r for r in inventory.roles
                   if r.id.startswith((names.ROLE_PREFIX, names.CLUSTER_ROLE_PREFIX))}
    aggregated = aggregates(inventory.roles)
    roles = tuple(_linked(role, definitions, aggregated) for role in inventory.roles)
    accounts = [p.id for p in inventory.principals if p.id.startswith(names.SERVICE_ACCOUNT_PREFIX)]
    users = [p.id for p in inventory.principals if p.id.startswith(names.USER_PREFIX)]
    groups = tuple(_completed(g, accounts, users) if g.id.startswith(_GROUP_NAMES) else g for g in inventory.groups)
    return replace(inventory, roles=roles, groups=groups)


def _linked(role: Role, definitions: dict[str, Role], aggregated: dict[str, Aggregate]) -> Role:
    if K8S_ROLE_UNRESOLVED in role.flags:
        return _still_builtin(_resolved(role, definitions, aggregated))
    if role.id.startswith(names.CLUSTER_ROLE_PREFIX):
        name: str | None = role.id[len(names.CLUSTER_ROLE_PREFIX):]
    else:
        name = next((f[len(K8S_AGGREGATED):] for f in role.flags if f.startswith(K8S_AGGREGATED)), None)
    aggregate = aggregated.get(name) if name is not None else None
    return role if aggregate is None else _still_builtin(_widened(role, aggregate))


def _still_builtin(binding: Role) -> Role:
    """A bootstrap binding whose role, as other files define or widen it, reads more than the bootstrap's own is the
    cluster users' (`bootstrap.reads_within`)."""
    if BUILTIN not in binding.flags or bootstrap.reads_within(binding.id, binding.flags):
        return binding
    return replace(binding, flags=tuple(f for f in binding.flags if f != BUILTIN))


def _resolved(binding: Role, definitions: dict[str, Role], aggregated: dict[str, Aggregate]) -> Role:
    via = binding.grants[0].via if binding.grants else None
    if via is None:
        return binding
    kind, _, name = via.partition("/")
    namespace = _namespace(binding)
    definition = definitions.get(names.role(namespace, name) if kind == "Role" else names.cluster_role(name))
    if definition is None:
        return binding
    aggregate = aggregated.get(name) if kind == "ClusterRole" else None
    flags = tuple(f for f in binding.flags if f != K8S_ROLE_UNRESOLVED)
    if aggregate is not None:
        return _widened(replace(binding, grants=(), flags=(*flags, K8S_AGGREGATED + name)), aggregate)
    grants = tuple(g for g in (_narrowed(grant, namespace) for grant in definition.grants) if g is not None)
    derived = [f for f in (K8S_CLUSTER_ADMIN, K8S_READ_SECRETS_CLUSTER) if f in definition.flags]
    if namespace == names.ALL:  # the role's own, worked out cluster-wide (a Role's are always none)
        derived += [f for f in definition.flags if f in _POWERS]
    return replace(binding, grants=grants, flags=_with(flags, derived, grants, namespace))


def _widened(role: Role, aggregate: Aggregate) -> Role:
    """An aggregated ClusterRole, or a binding of one, with the grants of all its parts (in the binding's scope)."""
    namespace = _namespace(role)
    added = (g for g in (_narrowed(grant, namespace) for grant in aggregate.grants) if g is not None)
    grants = merged((*role.grants, *(replace(g, location=role.location) if g.location is NOWHERE else g
                                     for g in added)))
    derived = [K8S_CLUSTER_ADMIN] if aggregate.admin else []
    derived += [K8S_READ_SECRETS_CLUSTER] if aggregate.reads else []
    if namespace == names.ALL and not aggregate.escalates:  # a part that escalates takes the powers' place
        derived += aggregate.powers
    return replace(role, grants=grants, flags=_with(role.flags, derived, grants, namespace))


def _with(flags: tuple[str, ...], derived: Iterable[str], grants: tuple[Grant, ...], namespace: str
          ) -> tuple[str, ...]:
    """The flags with those worked out from the role as bound in `namespace` added, first and where `build` puts
    them. The powers are worked out anew rather than added: a part of another file that escalates takes their
    place (PL205 reports it then), and a flag left over would hide that finding."""
    wanted = {f for f in derived if f != K8S_READ_SECRETS_CLUSTER or namespace in (names.ALL, "kube-system")}
    if reads_every_secret(grants, namespace):
        wanted.add(K8S_READ_SECRETS_NAMESPACE)
    kept = [f for f in flags if f not in _POWERS]
    first = [f for f in _DERIVED if f in kept or f in wanted]
    return (*first, *(f for f in kept if f not in first))


def _namespace(role: Role) -> str:
    """The namespace a RoleBinding binds in; `*` for everything else."""
    if role.id.startswith(names.ROLE_BINDING_PREFIX):
        return role.id[len(names.ROLE_BINDING_PREFIX):].partition("/")[0]
    return names.ALL


def _narrowed(grant: Grant, namespace: str) -> Grant | None:
    """A grant of a role bound cluster-wide, as the same role bound in `namespace` grants it."""
    if namespace == names.ALL:
        return grant
    if grant.resource == names.ACCESS_CONTROL_ID:
        return None
    for prefix in (names.SECRETS_PREFIX, names.SERVICE_ACCOUNT_PREFIX):
        if grant.resource.startswith(prefix + names.ALL):
            return replace(grant, resource=prefix + namespace + grant.resource[len(prefix) + 1:])
    return grant  # a Role's grants are already in its own namespace, the only one its bindings can be in


def _completed(group: Group, accounts: list[str], users: list[str]) -> Group:
    name = group.id[len(names.GROUP_PREFIX):]
    wanted = group_members(name, accounts, users)
    if not wanted:
        return group
    return replace(group, members=tuple(dict.fromkeys((*group.members, *wanted))))
