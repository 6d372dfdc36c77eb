"""What every cluster has: the ClusterRoles of the RBAC bootstrap policy, so that bindings to them resolve without a
file (the bindings and identities that are the control plane's own: `bootstrap.py`).

Only the rules that matter to the model are kept (secrets, pods and workload controllers, service-account tokens,
impersonation, escalate/bind, wildcards, the powers over the cluster of `powers.py`); a role listed with no rules
grants nothing the model tracks. Source: the bootstrap policy of kubernetes/kubernetes
(plugin/pkg/auth/authorizer/rbac/bootstrappolicy, testdata cluster-roles.yaml). `admin`, `edit` and `view` are
aggregated, as in a cluster, so a ClusterRole labelled `rbac.authorization.k8s.io/aggregate-to-edit: "true"` in any
file read widens `edit` and `admin`.
"""

from __future__ import annotations

from types import MappingProxyType

from policylint.sources.kubernetes.rules import PolicyRule, RoleDefinition, Selector

_AGGREGATE = "rbac.authorization.k8s.io/aggregate-to-"
_WRITE = ("create", "delete", "deletecollection", "patch", "update")
_READ = ("get", "list", "watch")


def _rule(groups: tuple[str, ...], resources: tuple[str, ...], verbs: tuple[str, ...]) -> PolicyRule:
    return PolicyRule(frozenset(groups), frozenset(resources), frozenset(verbs), (), None)


def _plain(*rules: PolicyRule, labels: dict[str, str] | None = None) -> RoleDefinition:
    return RoleDefinition(tuple(rules), MappingProxyType(labels or {}), None, None)


def _aggregated(to: str, labels: dict[str, str] | None = None) -> RoleDefinition:
    return RoleDefinition((), MappingProxyType(labels or {}), (Selector(((_AGGREGATE + to, "true"),), ()),), None)


_NOTHING_TRACKED = (
    "system:auth-delegator", "system:basic-user", "system:discovery", "system:heapster", "system:kube-aggregator",
    "system:kube-dns", "system:kube-scheduler", "system:monitoring",
    "system:node-bootstrapper", "system:node-problem-detector", "system:node-proxier",
    "system:persistent-volume-provisioner", "system:public-info-viewer", "system:service-account-issuer-discovery",
    "system:volume-scheduler", "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
    "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
    "system:certificates.k8s.io:kube-apiserver-client-approver",
    "system:certificates.k8s.io:kube-apiserver-client-kubelet-approver",
    "system:certificates.k8s.io:kubelet-serving-approver", "system:certificates.k8s.io:legacy-unknown-approver",
)

BUILTIN_CLUSTER_ROLES: MappingProxyType[str, RoleDefinition] = MappingProxyType({
    "cluster-admin": _plain(_rule(("*",), ("*",), ("*",))),
    "admin": _aggregated("admin"),
    "edit": _aggregated("edit", {_AGGREGATE + "admin": "true"}),
    "view": _aggregated("view", {_AGGREGATE + "edit": "true"}),
    "system:aggregate-to-admin": _plain(labels={_AGGREGATE + "admin": "true"}),
    "system:aggregate-to-edit": _plain(
        _rule(("",), ("pods/attach", "pods/exec", "secrets"), _READ),
        _rule(("",), ("serviceaccounts",), ("impersonate",)),
        _rule(("",), ("pods", "pods/attach", "pods/exec"), _WRITE),
        _rule(("",), ("replicationcontrollers", "secrets", "serviceaccounts"), _WRITE),
        _rule(("",), ("serviceaccounts/token",), ("create",)),
        _rule(("apps",), ("daemonsets", "deployments", "replicasets", "statefulsets"), _WRITE),
        _rule(("batch",), ("cronjobs", "jobs"), _WRITE),
        _rule(("extensions",), ("daemonsets", "deployments", "replicasets"), _WRITE),
        labels={_AGGREGATE + "edit": "true"},
    ),
    "system:aggregate-to-view": _plain(labels={_AGGREGATE + "view": "true"}),
    "system:kube-controller-manager": _plain(
        _rule(("",), ("secrets",), ("get", "create", "update", "delete")),
        _rule(("*",), ("*",), ("list", "watch")),
        _rule(("",), ("serviceaccounts/token",), ("create",)),
    ),
    "system:node": _plain(
        _rule(("",), ("secrets",), _READ),
        _rule(("",), ("pods",), ("create", "delete")),
        _rule(("",), ("serviceaccounts/token",), ("create",)),
    ),
    "system:kubelet-api-admin": _plain(
        _rule(("",), ("nodes/proxy", "nodes/metrics", "nodes/spec", "nodes/stats", "nodes/log"), ("*",)),
    ),
    **{name: _plain() for name in _NOTHING_TRACKED},
})
