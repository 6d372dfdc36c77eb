"""Across files, after the merge: bindings whose role another file defines, and the built-in groups' members.

A source reads one file at a time, but a RoleBinding and its Role often live in different files. Each Role and
ClusterRole is also a model role (`k8s:default:role:<ns>/<name>`, `k8s:default:clusterrole:<name>`) whose grants
are the role bound at its widest; a binding that could not be resolved in its own file carries the flag
`k8s-role-unresolved` and fail-closed grants. `link` gives such a binding the grants of its role, narrowed to the
binding's namespace for a RoleBinding to a ClusterRole (access-control admin, which only a cluster-wide binding
gives, is dropped; `*` namespaces become the binding's), and recomputes its flags. A binding whose role is defined
nowhere keeps its fail-closed grants. It also gives `system:serviceaccounts`, `system:serviceaccounts:<ns>` and
`system:authenticated` every service account (and user) of the whole inventory as members.
"""

from __future__ import annotations

from dataclasses import replace

from policylint.model import Grant, Group, Inventory, Role
from policylint.sources.kubernetes import names
from policylint.sources.kubernetes.build import READ_SECRETS_CLUSTER, UNRESOLVED
from policylint.sources.kubernetes.subjects import CLUSTER_ADMIN, group_members

_GROUP_NAMES = names.GROUP_PREFIX + "system:"


def link(inventory: Inventory) -> Inventory:
    definitions = {r.id: r for r in inventory.roles
                   if r.id.startswith((names.ROLE_PREFIX, names.CLUSTER_ROLE_PREFIX))}
    roles = tuple(_resolved(role, definitions) if UNRESOLVED in role.flags else role for role in inventory.roles)
    accounts = [p.id for p in inventory.principals if p.id.startswith(names.SERVICE_ACCOUNT_PREFIX)]
    users = [p.id for p in inventory.principals if p.id.startswith(names.USER_PREFIX)]
    groups = tuple(_completed(g, accounts, users) if g.id.startswith(_GROUP_NAMES) else g for g in inventory.groups)
    return replace(inventory, roles=roles, groups=groups)


def _resolved(binding: Role, definitions: dict[str, Role]) -> Role:
    via = binding.grants[0].via if binding.grants else None
    if via is None:
        return binding
    kind, _, name = via.partition("/")
    if binding.id.startswith(names.ROLE_BINDING_PREFIX):
        namespace = binding.id[len(names.ROLE_BINDING_PREFIX):].partition("/")[0]
    else:
        namespace = names.ALL
    definition = definitions.get(names.role(namespace, name) if kind == "Role" else names.cluster_role(name))
    if definition is None:
        return binding
    grants = tuple(g for g in (_narrowed(grant, namespace) for grant in definition.grants) if g is not None)
    flags = [f for f in binding.flags if f != UNRESOLVED]
    if CLUSTER_ADMIN in definition.flags:
        flags.append(CLUSTER_ADMIN)
    if READ_SECRETS_CLUSTER in definition.flags and namespace in (names.ALL, "kube-system"):
        flags.append(READ_SECRETS_CLUSTER)  # the role reads secrets, and the binding is cluster-wide or kube-system
    return replace(binding, grants=grants, flags=tuple(flags))


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
