"""The Kubernetes objects of one file to a model fragment (the design is in the package docstring)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from policylint.errors import InputError
from policylint.flags import (
    BUILTIN,
    K8S_AGGREGATED,
    K8S_CLUSTER_ADMIN,
    K8S_READ_SECRETS_CLUSTER,
    K8S_READ_SECRETS_NAMESPACE,
    K8S_ROLE_UNRESOLVED,
)
from policylint.model import (
    Grant,
    Group,
    Inventory,
    Key,
    Location,
    Principal,
    Resource,
    Role,
)
from policylint.sources.base import Fragment
from policylint.sources.kubernetes import bootstrap, names, tokens
from policylint.sources.kubernetes.access import (
    NOWHERE,
    Access,
    control_flags,
    grants_at,
    reads_every_secret,
    reads_secrets_in,
    unknown_role,
)
from policylint.sources.kubernetes.access import accesses as accesses_of
from policylint.sources.kubernetes.aggregation import flags_of
from policylint.sources.kubernetes.builtin import BUILTIN_CLUSTER_ROLES
from policylint.sources.kubernetes.manifests import Manifest, describe, field_found
from policylint.sources.kubernetes.namespaces import placement
from policylint.sources.kubernetes.rules import (
    PolicyRule,
    RoleDefinition,
    effective_rules,
    parse_rules,
    parse_selectors,
)
from policylint.sources.kubernetes.subjects import (
    MASTERS,
    Subject,
    group_node,
    parse_subjects,
    service_account_nodes,
    user_node,
)
from policylint.yamlsafe import YMap

RBAC_GROUP = "rbac.authorization.k8s.io"
_KINDS = {(RBAC_GROUP, k) for k in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")} | {
    ("", k) for k in ("ServiceAccount", "Secret", "Namespace")}
_CLUSTER_SCOPED = {"ClusterRole", "ClusterRoleBinding", "Namespace"}
_OWNER_KEYS = ("owner", "policylint.dev/owner", "app.kubernetes.io/owner", "team.owner")


@dataclass(frozen=True, slots=True)
class _Object:
    manifest: Manifest
    name: str
    namespace: str  # "" for cluster-scoped objects
    placed: bool = False  # the manifest names no namespace: the file's (`namespaces.py`)


def build(path: str, manifests: list[Manifest], errors: list[InputError],
          classification_keys: tuple[str, ...] = ("data-classification",), namespace: str | None = None) -> Fragment:
    """The fragment of one file; `namespace` is the one the configuration gives its objects that name none."""
    placed = placement(manifests, namespace)
    objects = [o for o in (_object(m, errors, placed.namespace) for m in manifests if (m.group, m.kind) in _KINDS)
               if o is not None]
    built = _File(path, errors)
    built.classification_keys = classification_keys
    built.placed_flags = placed.flags
    for obj in objects:
        if obj.manifest.kind in ("Role", "ClusterRole"):
            built.collect_role(obj)
    for obj in objects:
        _ADD[obj.manifest.kind](built, obj)
    return built.fragment()


def _object(manifest: Manifest, errors: list[InputError], file_namespace: str) -> _Object | None:
    name, namespace = manifest.meta("name"), manifest.meta("namespace")
    if not isinstance(name, str) or not name:
        errors.append(InputError(manifest.location, f"expected metadata.name of the {manifest.kind} to be a string,"
                                                    f" found {describe(name)}"))
        return None
    if manifest.kind in _CLUSTER_SCOPED:
        return _Object(manifest, name, "")
    if namespace is not None and (not isinstance(namespace, str) or not namespace):
        errors.append(InputError(manifest.location, f"expected metadata.namespace of {manifest.kind} {name!r} to be"
                                                    f" a string, found {describe(namespace)}"))
        return None
    return _Object(manifest, name, namespace or file_namespace, placed=not namespace)


class _File:
    """What one file defines and implies, gathered object by object."""

    def __init__(self, path: str, errors: list[InputError]) -> None:
        self.path = path
        self.errors = errors
        self.roles: dict[tuple[str, str], RoleDefinition] = {}
        self.cluster_roles: dict[str, RoleDefinition] = {}
        self.defined: dict[str, list[Any]] = {"principals": [], "roles": [], "credentials": [], "keys": []}
        self.implied_principals: dict[str, Principal] = {}
        self.implied_keys: dict[str, Key] = {}
        self.groups: dict[str, Location] = {}  # group name -> first subject naming it
        self.namespaces: dict[str, Location] = {}
        self.classification_keys: tuple[str, ...] = ("data-classification",)
        self.placed_flags: tuple[str, ...] = ()  # on its ServiceAccounts that name no namespace (`namespaces.py`)
        self.classified: dict[str, tuple[tuple[str, ...], Location]] = {}  # namespace -> (data classes, where)
        self.first: Location | None = None
        self.known: dict[str, RoleDefinition] | None = None  # ClusterRoles by name: built in, then this file's
        self.resolved: dict[tuple[str, str, str], tuple[tuple[PolicyRule, ...], list[Access]] | None] = {}
        self.rendered: dict[tuple[str, str], tuple[Grant, ...]] = {}  # (via, scope) -> grants

    # -- definitions of roles, first: a binding may come before its role in the file

    def collect_role(self, obj: _Object) -> None:
        body, where = obj.manifest.body, obj.manifest.location
        rules = parse_rules(body, self.path, self.errors)
        labels = MappingProxyType(obj.manifest.string_map("labels"))
        if obj.manifest.kind == "Role":
            self.roles[(obj.namespace, obj.name)] = RoleDefinition(rules, labels, None, where)
        else:
            selectors = parse_selectors(body, self.path, self.errors)
            self.cluster_roles[obj.name] = RoleDefinition(rules, labels, selectors, where)

    def add_cluster_role(self, obj: _Object) -> None:
        self._definition(obj, names.cluster_role(obj.name), names.ALL, "ClusterRole", "")

    def add_role(self, obj: _Object) -> None:
        self._seen(obj)
        self._definition(obj, names.role(obj.namespace, obj.name), obj.namespace, "Role", obj.namespace)

    def _definition(self, obj: _Object, role_id: str, scope: str, kind: str, namespace: str) -> None:
        """The role itself, as bound at its widest (cluster-wide for a ClusterRole): what `link` narrows."""
        via = f"{kind}/{obj.name}"
        rules, found = self._resolve(kind, obj.name, namespace) or ((), [])
        grants = grants_at(found, scope, via, obj.manifest.location)
        flags = self._flags(found, scope, rules, obj.name if kind == "ClusterRole" else None, grants)
        if kind == "ClusterRole":  # its labels and selectors, for the aggregation across files in `link`
            flags = (*flags, *flags_of(self.cluster_roles[obj.name], bool(grants)))
        self._note_scope(scope, obj.manifest.location)
        self.defined["roles"].append(Role(role_id, obj.manifest.location, (), grants, flags))

    # -- bindings

    def add_role_binding(self, obj: _Object) -> None:
        self._binding(obj, obj.namespace)

    def add_cluster_role_binding(self, obj: _Object) -> None:
        self._binding(obj, None)

    def _binding(self, obj: _Object, namespace: str | None) -> None:
        body, where = obj.manifest.body, obj.manifest.location
        reference = self._role_ref(obj, namespace)
        subjects = parse_subjects(body, self.path, namespace, self.errors)
        if reference is None or subjects is None:
            return
        kind, name, ref_where = reference
        scope = namespace if namespace is not None else names.ALL
        via = f"{kind}/{name}"
        resolved = self._resolve(kind, name, namespace or "")
        flags: tuple[str, ...]
        if resolved is None:
            grants = grants_at(unknown_role(ref_where), scope, via, ref_where,
                               condition=f"rules of {via} unknown (defined in no file read with this one, and not"
                                         " built in): assumed to allow everything")
            flags = (K8S_ROLE_UNRESOLVED,)
        else:
            rules, found = resolved
            grants = self._grants(found, scope, via, ref_where)
            flags = self._flags(found, scope, rules, name if kind == "ClusterRole" else None, grants)
            if kind == "ClusterRole" and self.known is not None and self.known[name].selectors is not None:
                flags = (*flags, K8S_AGGREGATED + name)  # other files may hold more of its parts: `link` adds them
        role_id = names.role_binding(obj.namespace, obj.name) if namespace else names.cluster_role_binding(obj.name)
        assumable = tuple(dict.fromkeys(self._subject(s) for s in subjects))
        if bootstrap.is_binding(role_id, via, assumable, flags):  # its name or label alone says nothing
            flags = (BUILTIN, *flags)
        self._seen(obj)
        self._note_scope(scope, where)
        self.defined["roles"].append(Role(role_id, where, assumable, grants, flags))

    def _role_ref(self, obj: _Object, namespace: str | None) -> tuple[str, str, Location] | None:
        body = obj.manifest.body
        ref = body.get("roleRef")
        where = Location(self.path, *body.key_pos["roleRef"]) if "roleRef" in body else obj.manifest.location
        kinds = ("Role", "ClusterRole") if namespace is not None else ("ClusterRole",)
        if not isinstance(ref, YMap):
            found = "no roleRef" if ref is None else describe(ref)
        elif ref.get("kind") not in kinds:
            found = field_found("kind", ref.get("kind"))
        elif not isinstance(ref.get("name"), str) or not ref["name"]:
            found = field_found("name", ref.get("name"))
        else:
            return ref["kind"], ref["name"], where
        self.errors.append(InputError(where, f"expected roleRef of {obj.manifest.kind} {obj.name!r} to name a"
                                             f" {' or '.join(kinds)} (kind, name), found {found}"))
        return None

    def _resolve(self, kind: str, name: str, namespace: str) -> tuple[tuple[PolicyRule, ...], list[Access]] | None:
        """The rules of a Role (in `namespace`) or ClusterRole of this file or built in, and what they allow;
        None when neither defines it. Worked out once per role: many bindings share one."""
        key = (kind, namespace if kind == "Role" else "", name)
        if key not in self.resolved:
            if kind == "Role":
                definition = self.roles.get((namespace, name))
                rules = None if definition is None else definition.rules
            else:
                if self.known is None:
                    self.known = {**BUILTIN_CLUSTER_ROLES, **self.cluster_roles}
                rules = effective_rules(name, self.known) if name in self.known else None
            self.resolved[key] = None if rules is None else (rules, accesses_of(rules))
        return self.resolved[key]

    def _grants(self, found: list[Access], scope: str, via: str, ref_where: Location) -> tuple[Grant, ...]:
        """The grants of a role bound at a scope, worked out once; a built-in role's rules are in no file, so its
        grants are located at each binding's roleRef."""
        cached = self.rendered.get((via, scope))
        if cached is None:
            cached = self.rendered[(via, scope)] = grants_at(found, scope, via, NOWHERE)
        return tuple(replace(g, location=ref_where) if g.location is NOWHERE else g for g in cached)

    def _flags(self, found: list[Access], scope: str, rules: tuple[PolicyRule, ...], cluster_role: str | None,
               grants: tuple[Grant, ...]) -> tuple[str, ...]:
        flags = []
        if cluster_role == "cluster-admin" or any(r.is_wildcard for r in rules):
            flags.append(K8S_CLUSTER_ADMIN)
        if reads_secrets_in(found, scope):
            flags.append(K8S_READ_SECRETS_CLUSTER)
        if reads_every_secret(grants, scope):
            flags.append(K8S_READ_SECRETS_NAMESPACE)
        return (*flags, *control_flags(found, scope))

    def _subject(self, subject: Subject) -> str:
        if subject.kind == "ServiceAccount":
            self._imply_account(subject.namespace or "", subject.name, subject.location)
        elif subject.kind == "User":
            self.implied_principals.setdefault(subject.id, user_node(subject.name, subject.location))
        else:
            self.groups.setdefault(subject.name, subject.location)
        return subject.id

    def _imply_account(self, namespace: str, name: str, where: Location) -> None:
        account, key = service_account_nodes(namespace, name, where)
        self.implied_principals.setdefault(account.id, account)
        self.implied_keys.setdefault(key.id, key)
        self.namespaces.setdefault(namespace, where)

    # -- service accounts, secrets, namespaces

    def add_service_account(self, obj: _Object) -> None:
        """An `owner` annotation or label (a roster id or e-mail; the join finds the person) names who answers for
        the account: RBAC itself has no owners, and PL103 asks for one."""
        account, key = service_account_nodes(obj.namespace, obj.name, obj.manifest.location,
                                             self.placed_flags if obj.placed else ())
        self._seen(obj)
        owner = next((value for field in ("annotations", "labels") if isinstance(meta := obj.manifest.meta(field), dict)
                      for name, value in meta.items() if name in _OWNER_KEYS and isinstance(value, str) and value),
                     None)
        self.defined["principals"].append(replace(account, owner=owner) if owner else account)
        self.defined["keys"].append(key)

    def add_secret(self, obj: _Object) -> None:
        self._seen(obj)
        if obj.manifest.body.get("type") != tokens.TYPE:
            return  # other secrets are part of their namespace's secrets resource
        token = tokens.legacy_token(obj.manifest, obj.name, obj.namespace, self.errors)
        if token is not None:
            credential, account = token
            self._imply_account(obj.namespace, account, obj.manifest.location)
            self.defined["credentials"].append(credential)

    def add_namespace(self, obj: _Object) -> None:
        """A Namespace labelled with a classification key (`data-classification: customer_pii`) classifies the
        namespace's secrets: the file then defines that resource rather than implying it."""
        self.namespaces.setdefault(obj.name, obj.manifest.location)
        labels = obj.manifest.meta("labels")
        if isinstance(labels, dict):
            data = [c for key in self.classification_keys if isinstance(labels.get(key), str)
                    for c in re.split(r"[\s,]+", labels[key]) if c]
            if data:
                self.classified[obj.name] = (tuple(dict.fromkeys(data)), obj.manifest.location)
        self._seen(obj)

    # -- the fragment

    def _seen(self, obj: _Object) -> None:
        self.first = self.first or obj.manifest.location
        if obj.namespace:
            self.namespaces.setdefault(obj.namespace, obj.manifest.location)

    def _note_scope(self, scope: str, where: Location) -> None:
        self.first = self.first or where
        if scope != names.ALL:
            self.namespaces.setdefault(scope, where)

    def fragment(self) -> Fragment:
        self.defined.setdefault("resources", []).extend(
            Resource(names.secrets(ns), where, "secrets", data, scope=names.SCOPE)
            for ns, (data, where) in self.classified.items())
        defined = Inventory(**{section: tuple(items) for section, items in self.defined.items()})
        if self.first is None:
            return Fragment(defined, self.errors)
        return Fragment(defined, self.errors, self._implied(defined))

    def _implied(self, defined: Inventory) -> Inventory:
        own = {p.id for p in defined.principals} | {k.id for k in defined.keys}
        principals = [p for p in self.implied_principals.values() if p.id not in own]
        keys = [k for k in self.implied_keys.values() if k.id not in own]
        accounts = [p.id for p in (*defined.principals, *principals) if p.id.startswith(names.SERVICE_ACCOUNT_PREFIX)]
        users = [p.id for p in principals if p.id.startswith(names.USER_PREFIX)]
        groups = [group_node(name, where, accounts, users) for name, where in self.groups.items()]
        grants = [_masters_grant(g) for g in groups if g.id == names.group(MASTERS)]
        first = self.first or Location(self.path, 1, 1)
        resources = [Resource(names.ACCESS_CONTROL_ID, first, "access_control", scope=names.SCOPE)]
        resources += [Resource(names.secrets(ns), where, "secrets", scope=names.SCOPE)
                      for ns, where in self.namespaces.items() if ns not in self.classified]
        return Inventory(principals=tuple(principals), groups=tuple(groups), grants=tuple(grants), keys=tuple(keys),
                         resources=tuple(resources))


_ADD = {
    "Role": _File.add_role,
    "ClusterRole": _File.add_cluster_role,
    "RoleBinding": _File.add_role_binding,
    "ClusterRoleBinding": _File.add_cluster_role_binding,
    "ServiceAccount": _File.add_service_account,
    "Secret": _File.add_secret,
    "Namespace": _File.add_namespace,
}


def _masters_grant(group: Group) -> Grant:
    """The authorizer lets system:masters do anything, whatever the bindings say."""
    return Grant(names.ACCESS_CONTROL_ID, ("admin",), group.location, to=group.id,
                 via="group system:masters (bypasses RBAC)", actions_given=("* *",))
