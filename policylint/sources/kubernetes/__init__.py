"""Kubernetes RBAC manifests: ServiceAccount, Role, ClusterRole, RoleBinding, ClusterRoleBinding, legacy tokens.

Read: YAML or JSON streams of any number of documents, `kind: List` (and `RoleBindingList`, …), RBAC
`rbac.authorization.k8s.io/v1`, `v1beta1` and `v1alpha1`, core `v1` ServiceAccount, Secret and Namespace. Every
other kind (Deployments, CRDs, ConfigMaps, …) is ignored. A document that does not parse, or is not an object, is a
located error; the other documents of the file still load. A manifest says nothing of its cluster: everything is
in the cluster `default` (scope `k8s:default`). An object without `metadata.namespace` is in the namespace the
configuration's `kubernetes-namespaces` gives its file, else in the one namespace the file's bindings name its
ServiceAccounts in, else in `default`, where `kubectl apply` would put it (`namespaces.py`; flags
`k8s-namespace-from:` and `k8s-namespace-ambiguous:` on those ServiceAccounts).

How the objects become the model (ids in `names.py`):
- Each RoleBinding and ClusterRoleBinding is one `Role`, assumable by its subjects: `User` → principal
  `k8s:default:user:<name>` (type `user`, its name as identifier for joining people; `system:` users are
  `service`, and `builtin` when the control plane runs as them; `system:serviceaccount:<ns>:<sa>` is that service
  account), `Group` → group, `ServiceAccount` → service principal (namespace defaulting to the RoleBinding's).
  Subjects are implied nodes.
- Its grants come from the rules of the role it references (`access.py`): reading secrets, acting as service
  accounts, escalation. Only what leads somewhere in the graph becomes a grant; `Grant.via` names the role and
  `actions_given` the operations (`get secrets`). The role is resolved in the same file (a ClusterRole with an
  `aggregationRule` takes the rules of the ClusterRoles its selectors match there), or among the built-in
  ClusterRoles (`builtin.py`). Otherwise the binding is flagged `k8s-role-unresolved` and fails closed: its grants
  are everything its scope allows, with a condition saying so, until `link` (below) finds the role in another file.
  A binding of an aggregated ClusterRole (the built-in `admin`, `edit`, `view`, or one with an `aggregationRule`)
  is flagged `k8s-aggregated:<name>`: `link` adds the parts other files define.
- Each Role and ClusterRole is also a `Role` of its own (`k8s:default:role:<ns>/<name>`,
  `k8s:default:clusterrole:<name>`), assumable by nobody: its grants as if bound at its widest. They carry the
  role's rules across files for `link`, and show wildcard roles that nothing binds yet. A ClusterRole also carries
  its labels (`k8s-label:<key>=<value>`, when it grants something or is aggregated) and its aggregation selectors
  (`k8s-aggregates:<selector>`, in `kubectl -l` syntax): the model has no labels, `link` needs them
  (`aggregation.py`).
- Acting as a service account: in the graph only credentials, keys and people lead into principals. Each service
  account comes with a signing key `<service account id>#token` (storage `kms`: the API server mints tokens with
  the cluster's key and nobody reads it) that signs for it. Whatever lets a subject obtain a token of the service
  accounts of a namespace (get/list/watch secrets, create pods or workload controllers, exec into pods, create
  `serviceaccounts/token`, impersonate service accounts) is a grant on the glob
  `k8s:default:serviceaccount:<ns>/*#token` (`*/*` cluster-wide), so the subject reaches every service account in
  scope, whichever file defines it, and from there all they reach.
- `escalate`/`bind` on roles, `*` on `*`, impersonation of users or groups, and the group `system:masters` are
  `admin` on the cluster's access control `k8s:default:access-control` (an implied `access_control` resource).
  Bound in a namespace, escalation reaches that namespace's secrets and service accounts instead. So are, bound
  cluster-wide, approving or signing client certificates, changing admission webhook configurations and
  `nodes/proxy` (`powers.py`), each flagged on the binding unless it also escalates.
- The secrets of a namespace are one resource `k8s:default:secrets:<ns>` (type `secrets`, implied for each
  namespace a file mentions); a Secret of type `kubernetes.io/service-account-token` is a `Credential`
  (`k8s:default:secret:<ns>/<name>`, type `token`, flag `k8s-legacy-token`, never expires; last used from its
  `kubernetes.io/legacy-token-last-used` label; `inactive` once labelled `kubernetes.io/legacy-token-invalid-since`).
  Its holders are not named: whoever reads the namespace's secrets reaches its service account through the key.
- Groups `system:serviceaccounts`, `system:serviceaccounts:<ns>` and `system:authenticated` list as members the
  service accounts (and users) of the file, and of the whole inventory after `link`; `system:unauthenticated` has
  every identity (`*`). `system:masters` is flagged `builtin` and `k8s-cluster-admin`.
- Flags: `k8s-cluster-admin` on a binding of `cluster-admin` or of a role with `*` verbs on `*` resources in `*`
  API groups; `k8s-read-secrets-cluster` on a binding that reads secrets cluster-wide or in kube-system;
  `k8s-read-secrets-namespace` on one that reads every secret (no resourceNames) of another namespace;
  `k8s-signs-certificates`, `k8s-admission-webhooks`, `k8s-nodes-proxy` (`powers.py`); `builtin` on the users,
  groups and kube-system service accounts the control plane runs as (not every `system:` name, nor every account of
  kube-system, nor one the file's bindings placed there), and on the bootstrap policy's own bindings, with their
  roles and subjects (`bootstrap.py`: a `system:` name or the label `kubernetes.io/bootstrapping: rbac-defaults`
  alone says nothing); `k8s-label:`, `k8s-aggregates:` and `k8s-aggregated:` (above).

`link(inventory)` runs once on the merged inventory of all files (see `link.py`): it resolves the bindings whose
role another file defines, aggregates ClusterRoles over the whole inventory (a part labelled
`rbac.authorization.k8s.io/aggregate-to-view: "true"` in one file widens every binding of `view`, `edit` and
`admin`, each in its own scope), and completes the members of the built-in groups. A selector that is not label
syntax is taken to match every ClusterRole, under a condition saying so.

Not modelled: non-resource URLs, reads and writes of other resources (they lead nowhere in the graph), the data
of Secrets other than tokens (a manifest defines no data store: declare a namespace's secrets as customer data
with a native `annotate:` entry on `k8s:default:secrets:<ns>`), a certificate approval whose two rules come from
two different bindings, and MutatingAdmissionPolicies. The files
are taken as the whole cluster: a ClusterRole that only exists in the cluster (installed by an operator, say) is
not a part of any aggregate, and a built-in role is known by its bootstrap rules (`builtin.py`), not by what a
cluster has reconciled it to. Label syntax is not validated: a label the API server would reject still counts.
"""

from __future__ import annotations

from policylint.sources.base import Fragment, Options
from policylint.sources.kubernetes.build import build
from policylint.sources.kubernetes.link import link
from policylint.sources.kubernetes.manifests import read_manifests
from policylint.sources.kubernetes_names import NAME as NAME  # detection lives beside the reader, imported without it
from policylint.sources.kubernetes_names import detect as detect
from policylint.sources.kubernetes_names import is_template as is_template


def load(path: str, text: str, options: Options) -> Fragment:
    manifests, errors = read_manifests(path, text)
    return build(path, manifests, errors, options.classification_keys, options.namespace_for(path))


__all__ = ["NAME", "detect", "is_template", "link", "load"]
