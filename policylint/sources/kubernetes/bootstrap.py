"""What the control plane itself is (the flag `builtin`): the bootstrap policy's own bindings, and the users, groups and
service accounts it runs as. Known by what they are, never by a name or a label alone: anyone may create a binding
named `system:…` and labelled `kubernetes.io/bootstrapping: rbac-defaults`, or name a user `system:…` in a
certificate.

The API server creates, and keeps reconciling, the bindings of kubernetes/kubernetes'
`plugin/pkg/auth/authorizer/rbac/bootstrappolicy` (`policy.go`, `controller_policy.go`, `namespace_policy.go`, and
their testdata). A binding of the files is one of them when:
- its kind, namespace and name are one of theirs (`BINDINGS`);
- it references the same role;
- it names no subject theirs does not (one with fewer is still theirs: `system:node` has had none since 1.8);
- its role, as the files define it, reads no more secrets than the bootstrap's does (`reads_within`): the files
  may redefine `system:kube-dns` to read every secret, and the binding then gives what the bootstrap never did.

Users: the well-known ones of `k8s.io/apiserver/pkg/authentication/user` (the scheduler, the controller manager,
kube-proxy, the API server's loopback client, anonymous requests) and each node's kubelet (`system:node:<node>`).
Groups: the ones the authenticators put users in. Service accounts: those of kube-system the control plane runs
as (`CONTROL_PLANE_ACCOUNTS`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from policylint.flags import K8S_CLUSTER_ADMIN, K8S_READ_SECRETS_CLUSTER, K8S_READ_SECRETS_NAMESPACE
from policylint.sources.kubernetes import names

CONTROL_PLANE_NAMESPACE = "kube-system"
# The kube-controller-manager's controllers, each bound to `system:controller:<name>` (controller_policy.go,
# feature-gated ones included).
CONTROLLERS = frozenset({
    "attachdetach-controller", "certificate-controller", "clusterrole-aggregation-controller", "cronjob-controller",
    "daemon-set-controller", "deployment-controller", "device-taint-eviction-controller", "disruption-controller",
    "endpoint-controller", "endpointslice-controller", "endpointslicemirroring-controller",
    "ephemeral-volume-controller", "expand-controller", "generic-garbage-collector", "horizontal-pod-autoscaler",
    "job-controller", "kube-apiserver-serving-clustertrustbundle-publisher", "legacy-service-account-token-cleaner",
    "namespace-controller", "node-controller", "persistent-volume-binder", "pod-garbage-collector",
    "podcertificaterequestcleaner", "podcheckpoint-controller", "pv-protection-controller", "pvc-protection-controller",
    "replicaset-controller", "replication-controller", "resource-claim-controller", "resourcequota-controller",
    "root-ca-cert-publisher", "route-controller", "selinux-warning-controller", "service-account-controller",
    "service-cidrs-controller", "service-controller", "statefulset-controller", "storage-version-garbage-collector",
    "storage-version-migrator-controller", "ttl-after-finished-controller", "ttl-controller",
    "validatingadmissionpolicy-status-controller", "volumeattributesclass-protection-controller",
})
# The service accounts of kube-system the control plane runs as: the controllers; those namespace_policy.go binds
# (bootstrap-signer and token-cleaner, cloud-provider, the leader-election locks of the controller manager and the
# scheduler); kube-dns, which policy.go binds; and the two add-ons kubeadm installs in every cluster (kube-proxy's
# DaemonSet, CoreDNS). Any other account of kube-system (a monitoring agent, a CSI driver, a cloud controller manager,
# an account planted there) is the cluster users' own: it needs an owner like any other.
CONTROL_PLANE_ACCOUNTS = CONTROLLERS | {
    "bootstrap-signer", "token-cleaner", "cloud-provider", "kube-controller-manager", "kube-scheduler",  # namespaces
    "kube-dns",  # policy.go
    "kube-proxy", "coredns",  # kubeadm's add-ons
}
_SCHEDULER, _CONTROLLER_MANAGER, _PROXY = "system:kube-scheduler", "system:kube-controller-manager", "system:kube-proxy"
CONTROL_PLANE_USERS = frozenset({_SCHEDULER, _CONTROLLER_MANAGER, _PROXY, "system:apiserver", "system:anonymous"})
NODE_USER = "system:node:"  # + the node's name: its kubelet
CONTROL_PLANE_GROUPS = frozenset({"system:masters", "system:nodes", "system:monitoring", "system:authenticated",
                                  "system:unauthenticated", "system:serviceaccounts", "system:bootstrappers"})
_GROUP_PREFIXES = ("system:serviceaccounts:", "system:bootstrappers:")  # + a namespace; + a bootstrap token's group
_EXCUSED = (K8S_CLUSTER_ADMIN, K8S_READ_SECRETS_CLUSTER, K8S_READ_SECRETS_NAMESPACE)  # what `builtin` excuses
_READS = frozenset({K8S_READ_SECRETS_CLUSTER})


@dataclass(frozen=True, slots=True)
class Binding:
    """A binding of the bootstrap policy: the role it references (`Kind/name`, as a grant's `via`), the subjects it
    may name (node ids) and what its own role reads, among the flags `builtin` excuses."""

    role: str
    subjects: frozenset[str]
    reads: frozenset[str] = frozenset()


def is_user(name: str) -> bool:
    return name in CONTROL_PLANE_USERS or (name.startswith(NODE_USER) and len(name) > len(NODE_USER))


def is_group(name: str) -> bool:
    return name in CONTROL_PLANE_GROUPS or any(name.startswith(p) and len(name) > len(p) for p in _GROUP_PREFIXES)


def is_account(namespace: str, name: str) -> bool:
    return namespace == CONTROL_PLANE_NAMESPACE and name in CONTROL_PLANE_ACCOUNTS


def is_binding(binding_id: str, role: str, subjects: Iterable[str], flags: Iterable[str]) -> bool:
    """Whether a binding is the bootstrap's own (the module docstring)."""
    own = BINDINGS.get(binding_id)
    return (own is not None and own.role == role and own.subjects.issuperset(subjects)
            and reads_within(binding_id, flags))


def reads_within(binding_id: str, flags: Iterable[str]) -> bool:
    """Whether a bootstrap binding's role, with these flags, reads no more than the bootstrap's own role."""
    own = BINDINGS.get(binding_id)
    return own is not None and all(f in own.reads for f in flags if f in _EXCUSED)


def _cluster(name: str, *subjects: str, reads: frozenset[str] = frozenset()) -> tuple[str, Binding]:
    return names.cluster_role_binding(name), Binding(f"ClusterRole/{name}", frozenset(subjects), reads)


def _namespaced(namespace: str, name: str, *subjects: str, role: str | None = None,
                reads: frozenset[str] = frozenset()) -> tuple[str, Binding]:
    return names.role_binding(namespace, name), Binding(f"Role/{role or name}", frozenset(subjects), reads)


def _account(name: str) -> str:
    return names.service_account(CONTROL_PLANE_NAMESPACE, name)


_AUTHENTICATED, _UNAUTHENTICATED = names.group("system:authenticated"), names.group("system:unauthenticated")
# controllers whose bootstrap role reads secrets: get on secrets, or get, list or watch on every resource
_READING_CONTROLLERS = frozenset({"expand-controller", "generic-garbage-collector", "namespace-controller",
                                  "persistent-volume-binder", "resourcequota-controller",
                                  "storage-version-migrator-controller"})
_CONTROLLER = "system:controller:"
_KUBE_SYSTEM_READERS = ("bootstrap-signer", "token-cleaner")  # secrets of kube-system (bootstrap tokens)

BINDINGS: Mapping[str, Binding] = MappingProxyType(dict([
    # policy.go; a subject of an older release's (system:nodes, unauthenticated discovery) is still the bootstrap's
    _cluster("cluster-admin", names.group("system:masters"),
             reads=frozenset({K8S_CLUSTER_ADMIN, K8S_READ_SECRETS_CLUSTER})),
    _cluster("system:monitoring", names.group("system:monitoring")),
    _cluster("system:discovery", _AUTHENTICATED, _UNAUTHENTICATED),
    _cluster("system:basic-user", _AUTHENTICATED, _UNAUTHENTICATED),
    _cluster("system:public-info-viewer", _AUTHENTICATED, _UNAUTHENTICATED),
    _cluster("system:node-proxier", names.user(_PROXY)),
    _cluster("system:kube-controller-manager", names.user(_CONTROLLER_MANAGER), reads=_READS),
    _cluster("system:kube-dns", _account("kube-dns")),
    _cluster("system:kube-scheduler", names.user(_SCHEDULER)),
    _cluster("system:volume-scheduler", names.user(_SCHEDULER)),
    _cluster("system:node", names.group("system:nodes"), reads=_READS),
    _cluster("system:service-account-issuer-discovery", names.group("system:serviceaccounts")),
    # controller_policy.go
    *(_cluster(_CONTROLLER + c, _account(c), reads=_READS if c in _READING_CONTROLLERS else frozenset())
      for c in sorted(CONTROLLERS)),
    # namespace_policy.go
    _namespaced(CONTROL_PLANE_NAMESPACE, "system::extension-apiserver-authentication-reader",
                names.user(_CONTROLLER_MANAGER), names.user(_SCHEDULER),
                role="extension-apiserver-authentication-reader"),
    _namespaced(CONTROL_PLANE_NAMESPACE, "system::leader-locking-kube-controller-manager",
                names.user(_CONTROLLER_MANAGER), _account("kube-controller-manager")),
    _namespaced(CONTROL_PLANE_NAMESPACE, "system::leader-locking-kube-scheduler", names.user(_SCHEDULER),
                _account("kube-scheduler")),
    *(_namespaced(CONTROL_PLANE_NAMESPACE, _CONTROLLER + a, _account(a), reads=_READS) for a in _KUBE_SYSTEM_READERS),
    _namespaced(CONTROL_PLANE_NAMESPACE, _CONTROLLER + "cloud-provider", _account("cloud-provider")),
    _namespaced("kube-public", _CONTROLLER + "bootstrap-signer", _account("bootstrap-signer")),
]))
