"""Binding subjects (`User`, `Group`, `ServiceAccount`) to the identities of the model.

Subjects are implied nodes (`Fragment.implied`): many files name the same user, group or service account, and a
`ServiceAccount` object, where there is one, defines it. The users, groups and service accounts the control plane
runs as (`bootstrap.py`) are flagged `builtin`: known to the platform, not orphans. Any other `system:` user or
group, and any other account of kube-system, is an ordinary one, and so is an account the file's own bindings placed
in kube-system (`k8s-namespace-from:bindings`: the file does not say it is the cluster's).
"""

from __future__ import annotations

from dataclasses import dataclass

from policylint.errors import InputError
from policylint.flags import BUILTIN, K8S_CLUSTER_ADMIN, K8S_NAMESPACE_FROM, K8S_SERVICEACCOUNT_TOKEN
from policylint.model import Group, Key, Location, Principal
from policylint.sources.kubernetes import bootstrap, names
from policylint.sources.kubernetes.manifests import describe
from policylint.yamlsafe import YMap, YSeq

MASTERS = "system:masters"
SERVICE_ACCOUNT_USER = "system:serviceaccount:"  # a service account named as a User: system:serviceaccount:<ns>:<sa>
ALL_SERVICE_ACCOUNTS = "system:serviceaccounts"  # and system:serviceaccounts:<ns>, for one namespace
AUTHENTICATED = "system:authenticated"
UNAUTHENTICATED = "system:unauthenticated"
EVERYONE = "*"
_INFERRED = K8S_NAMESPACE_FROM + "bindings"  # the file's bindings, not the file, put the account in its namespace


@dataclass(frozen=True, slots=True)
class Subject:
    kind: str  # User, Group, ServiceAccount
    name: str
    namespace: str | None  # service accounts only
    location: Location

    @property
    def id(self) -> str:
        if self.kind == "ServiceAccount":
            return names.service_account(self.namespace or "", self.name)
        if self.kind == "Group":
            return names.group(self.name)
        return names.user(self.name)


def parse_subjects(body: YMap, path: str, namespace: str | None, errors: list[InputError]) -> list[Subject] | None:
    """A binding's subjects; None when `subjects` is not a list (the binding is then dropped)."""
    subjects = body.get("subjects")
    if subjects is None:
        return []
    if not isinstance(subjects, YSeq):
        errors.append(InputError(Location(path, *body.value_pos["subjects"]),
                                 f"expected subjects to be a list of User, Group or ServiceAccount subjects, found"
                                 f" {describe(subjects)}"))
        return None
    parsed = []
    for item, pos in zip(subjects, subjects.item_pos, strict=True):
        try:
            parsed.append(_subject(item, Location(path, *pos), namespace))
        except InputError as error:
            errors.append(error)
    return parsed


def _subject(item: object, where: Location, namespace: str | None) -> Subject:
    if not isinstance(item, YMap):
        raise InputError(where, f"expected a subject (a mapping with kind and name), found {describe(item)}")
    kind, name = item.get("kind"), item.get("name")
    if kind not in ("User", "Group", "ServiceAccount"):
        raise InputError(where, f"expected subject kind User, Group or ServiceAccount, found {describe(kind)}")
    if not isinstance(name, str) or not name:
        raise InputError(where, f"expected the {kind} subject's name to be a string, found {describe(name)}")
    if kind == "User" and name.startswith(SERVICE_ACCOUNT_USER) and name.count(":") == 3:
        _, _, sa_namespace, sa_name = name.split(":")
        return Subject("ServiceAccount", sa_name, sa_namespace, where)
    if kind != "ServiceAccount":
        return Subject(kind, name, None, where)
    given = item.get("namespace")
    if given is not None and not isinstance(given, str):
        raise InputError(where, f"expected the ServiceAccount subject's namespace to be a string, found"
                                f" {describe(given)}")
    if not given and namespace is None:
        raise InputError(where, f"expected a namespace for ServiceAccount subject {name!r} of a"
                                " ClusterRoleBinding, found none")
    return Subject(kind, name, given or namespace, where)


def service_account_nodes(namespace: str, name: str, where: Location, flags: tuple[str, ...] = ()
                          ) -> tuple[Principal, Key]:
    """A service account, and the key its tokens are minted with (see the package docstring)."""
    account = names.service_account(namespace, name)
    if bootstrap.is_account(namespace, name) and _INFERRED not in flags:
        flags = (BUILTIN, *flags)
    return (Principal(account, where, "service", flags=flags),
            Key(names.token_key(namespace, name), where, "signing", "kms", signs_for=(account,),
                scope=names.SCOPE, flags=(K8S_SERVICEACCOUNT_TOKEN,)))


def user_node(name: str, where: Location) -> Principal:
    """A user; `system:` names are reserved for the platform's components, so not a person's account (and with no
    owner, PL103 reports one that is not the control plane's)."""
    if name.startswith("system:"):
        return Principal(names.user(name), where, "service", flags=(BUILTIN,) if bootstrap.is_user(name) else ())
    return Principal(names.user(name), where, "user", identifiers=(name,))


def group_node(name: str, where: Location, accounts: list[str], users: list[str]) -> Group:
    """A group; the built-in groups of service accounts and of authenticated users list the members this file
    knows (the cross-file `link` completes them)."""
    flags = (BUILTIN, K8S_CLUSTER_ADMIN) if name == MASTERS else (BUILTIN,) if bootstrap.is_group(name) else ()
    return Group(names.group(name), where, group_members(name, accounts, users), flags)


def group_members(name: str, accounts: list[str], users: list[str]) -> tuple[str, ...]:
    if name == ALL_SERVICE_ACCOUNTS:
        return tuple(accounts)
    if name.startswith(ALL_SERVICE_ACCOUNTS + ":"):
        prefix = names.service_account(name[len(ALL_SERVICE_ACCOUNTS) + 1:], "")
        return tuple(a for a in accounts if a.startswith(prefix))
    if name == AUTHENTICATED:
        return (*accounts, *users)
    if name == UNAUTHENTICATED:
        return (EVERYONE,)  # anonymous requests: anyone who can reach the API server
    return ()
