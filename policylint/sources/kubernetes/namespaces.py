"""The namespace of the objects a manifest leaves without one (issue 10).

`kubectl apply -n NAMESPACE -f FILE` puts every namespaced object of the file that names no namespace in NAMESPACE;
the file alone does not say which. An install manifest (argo-cd's `install.yaml`, argocd-image-updater's) has
ServiceAccounts, Roles and RoleBindings without a namespace, and ClusterRoleBindings whose subjects name the same
accounts in the namespace it is meant for (`namespace: argocd`). Read as `default`, each such account would be two
identities, one with the Role's grants and one with the ClusterRole's. The file's namespace is, in order:
1. the one the configuration's `kubernetes-namespaces` gives the file's path (`k8s-namespace-from:config`);
2. the one namespace the file's bindings name its unnamespaced ServiceAccounts in, if they name exactly one
   (`k8s-namespace-from:bindings`);
3. `default`, where kubectl puts them without `-n`. When the bindings name those accounts in two namespaces or more,
   the file could be meant for either: each such account keeps `default` and says why
   (`k8s-namespace-ambiguous:<namespaces>`).
The flags are set on each ServiceAccount the file defines without a namespace. Every namespaced object of the file
without a namespace (Role, RoleBinding, Secret) goes with them, as with kubectl; a namespace written on an object
always wins.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from policylint.flags import K8S_NAMESPACE_AMBIGUOUS, K8S_NAMESPACE_FROM
from policylint.sources.kubernetes.manifests import Manifest
from policylint.sources.kubernetes.subjects import SERVICE_ACCOUNT_USER
from policylint.yamlsafe import YMap, YSeq

DEFAULT_NAMESPACE = "default"  # where `kubectl apply` puts an object whose manifest names no namespace
_RBAC = "rbac.authorization.k8s.io"
_BINDINGS = ("RoleBinding", "ClusterRoleBinding")


@dataclass(frozen=True, slots=True)
class Placement:
    namespace: str  # of the file's namespaced objects that name none
    flags: tuple[str, ...] = ()  # on each ServiceAccount the file defines without a namespace: why that namespace


def placement(manifests: list[Manifest], configured: str | None) -> Placement:
    if configured:
        return Placement(configured, (K8S_NAMESPACE_FROM + "config",))
    unnamed, written = _accounts(manifests)
    named = sorted({namespace for namespace, name in _subjects(manifests)
                    if name in unnamed and (namespace, name) not in written})
    if len(named) == 1:
        return Placement(named[0], (K8S_NAMESPACE_FROM + "bindings",))
    if len(named) > 1:
        return Placement(DEFAULT_NAMESPACE, (K8S_NAMESPACE_AMBIGUOUS + ",".join(named),))
    return Placement(DEFAULT_NAMESPACE)


def _accounts(manifests: list[Manifest]) -> tuple[set[str], set[tuple[str, str]]]:
    """The names of the ServiceAccounts without a namespace, and the (namespace, name) of those with one."""
    unnamed: set[str] = set()
    written: set[tuple[str, str]] = set()
    for manifest in manifests:
        name, namespace = manifest.meta("name"), manifest.meta("namespace")
        if (manifest.group, manifest.kind) != ("", "ServiceAccount") or not isinstance(name, str):
            continue
        if isinstance(namespace, str) and namespace:
            written.add((namespace, name))
        else:
            unnamed.add(name)
    return unnamed, written


def _subjects(manifests: list[Manifest]) -> Iterator[tuple[str, str]]:
    """(namespace, name) of every service account a binding of the file names with its namespace. Malformed subjects
    are left to `build`, which reports them."""
    for manifest in manifests:
        subjects = manifest.body.get("subjects")
        if manifest.group != _RBAC or manifest.kind not in _BINDINGS or not isinstance(subjects, YSeq):
            continue
        for subject in subjects:
            if not isinstance(subject, YMap) or not isinstance(name := subject.get("name"), str):
                continue
            namespace = subject.get("namespace")
            if subject.get("kind") == "ServiceAccount" and isinstance(namespace, str) and namespace:
                yield namespace, name
            elif subject.get("kind") == "User" and name.startswith(SERVICE_ACCOUNT_USER) and name.count(":") == 3:
                _, _, namespace, account = name.split(":")
                yield namespace, account
