"""Every flag a source may set on a node: the one registry of the platform facts rules can test.

Sources import their flag names from here; `policylint schema facts KIND` publishes them as an enum; the README's
list is generated from `FLAGS` (`tests/test_flags.py` keeps the two equal); a rule whose match names a flag this
registry does not know fails to load (a typo would otherwise never match). A flag that carries a value is a
prefix (`k8s-label:app=web`): `PREFIXES` lists those, and a rule may name any value after one.
"""

from __future__ import annotations

# Any platform
BUILTIN = "builtin"
DELETED = "deleted"
PUBLIC = "public"
LAST_USE_UNKNOWN = "last-use-unknown"
IMPLIED = "implied"

# AWS
AWS_ROOT = "aws-root"
AWS_ALLOWS_STAR_STAR = "aws-allows-star-star"
AWS_POLICY_DOCUMENT = "aws-policy-document"
AWS_UNKNOWN_ACTION = "aws-unknown-action:"
AWS_RESOURCE_MISMATCH = "aws-resource-mismatch:"
AWS_ALLOW_NOT_ACTION = "aws-allow-not-action"
AWS_ALLOW_NOT_RESOURCE = "aws-allow-not-resource"
AWS_CREDENTIAL_EXPOSURE = "aws-credential-exposure:"
AWS_OPEN_PRINCIPAL = "aws-open-principal"

# Kubernetes
K8S_CLUSTER_ADMIN = "k8s-cluster-admin"
K8S_READ_SECRETS_CLUSTER = "k8s-read-secrets-cluster"
K8S_LEGACY_TOKEN = "k8s-legacy-token"
K8S_ROLE_UNRESOLVED = "k8s-role-unresolved"
K8S_SERVICEACCOUNT_TOKEN = "k8s-serviceaccount-token"
K8S_LABEL = "k8s-label:"
K8S_AGGREGATES = "k8s-aggregates:"
K8S_AGGREGATED = "k8s-aggregated:"
K8S_READ_SECRETS_NAMESPACE = "k8s-read-secrets-namespace"
K8S_SIGNS_CERTIFICATES = "k8s-signs-certificates"
K8S_ADMISSION_WEBHOOKS = "k8s-admission-webhooks"
K8S_NODES_PROXY = "k8s-nodes-proxy"
K8S_NAMESPACE_FROM = "k8s-namespace-from:"
K8S_NAMESPACE_AMBIGUOUS = "k8s-namespace-ambiguous:"

# GCP
GCP_BASIC_ROLE = "gcp-basic-role"
GCP_CUSTOM_ROLE = "gcp-custom-role"
GCP_CONVENIENCE = "gcp-convenience"
GCP_DOMAIN = "gcp-domain"
GCP_PRINCIPAL_SET = "gcp-principal-set"
GCP_FEDERATED = "gcp-federated"
GCP_USER_MANAGED = "gcp-user-managed"
GCP_USER_PROVIDED = "gcp-user-provided"
GCP_EXTERNAL_KEY = "gcp-external-key"
GCP_ACT_AS = "gcp-act-as"
GCP_RESOURCE_FROM = "gcp-resource-from:"

# name -> (the kinds it is set on, what it means). The README's table is generated from this.
FLAGS: dict[str, tuple[str, str]] = {
    BUILTIN: ("principal, group, role", "the platform's own identity (a Kubernetes control-plane account or "
              "`system:` group, an AWS service principal, a GCP service agent), or its own binding (a Kubernetes "
              "bootstrap role, a GCP service agent's role held by service agents only)"),
    DELETED: ("principal, group", "the platform says the identity was deleted, yet a policy still names it"),
    PUBLIC: ("role", "the grant is to everyone, signed in or not (GCP `allUsers`)"),
    LAST_USE_UNKNOWN: ("credential", "the export cannot say when the credential was last used"),
    IMPLIED: ("resource, key", "named by a platform policy and defined by no file read: a store's data is "
              "unclassified until an `annotate:` section says what it holds; a key is for what the grants do with it "
              "(signing when they could sign)"),
    AWS_ROOT: ("principal", "the AWS account's root user"),
    AWS_ALLOWS_STAR_STAR: ("principal, group, role", "a policy it holds allows `*` on `*`"),
    AWS_POLICY_DOCUMENT: ("role", "a bare IAM policy document, read on its own: which identity holds it is unknown"),
    AWS_UNKNOWN_ACTION: ("principal, group, role", "`aws-unknown-action:ACTION`: a policy it holds names an action "
                         "or service the AWS action data does not know (a typo, or newer than the data)"),
    AWS_RESOURCE_MISMATCH: ("principal, group, role", "`aws-resource-mismatch:ACTION`: a policy it holds allows the "
                            "action only on ARNs of resource types it does not act on"),
    AWS_ALLOW_NOT_ACTION: ("principal, group, role", "a policy it holds allows with `NotAction`: every other action"),
    AWS_ALLOW_NOT_RESOURCE: ("principal, group, role", "a policy it holds allows with `NotResource`: every other "
                             "resource"),
    AWS_CREDENTIAL_EXPOSURE: ("principal, group, role", "`aws-credential-exposure:ACTION`: a policy it holds allows "
                              "an action that returns credentials on every resource"),
    AWS_OPEN_PRINCIPAL: ("role", "a resource or trust policy it holds allows any principal (`*`, `NotPrincipal`) "
                         "without a condition on who (aws:PrincipalOrgID, aws:SourceVpce, …)"),
    K8S_CLUSTER_ADMIN: ("principal, group, role", "bound to `cluster-admin` or a role with every verb on every "
                        "resource, or a member of `system:masters`"),
    K8S_READ_SECRETS_CLUSTER: ("role", "reads Secrets cluster-wide or in `kube-system`"),
    K8S_LEGACY_TOKEN: ("credential", "a Secret of type `kubernetes.io/service-account-token`: a token that never "
                       "expires"),
    K8S_ROLE_UNRESOLVED: ("role", "a binding whose role no file defines: read as the widest grants (fail closed)"),
    K8S_SERVICEACCOUNT_TOKEN: ("key", "the cluster's service-account token signing key"),
    K8S_LABEL: ("role", "`k8s-label:KEY=VALUE`: a label of the ClusterRole, for aggregation"),
    K8S_AGGREGATES: ("role", "`k8s-aggregates:SELECTOR`: the ClusterRole aggregates the roles the selector matches"),
    K8S_AGGREGATED: ("role", "`k8s-aggregated:ROLE`: a binding's grants come from the aggregated ClusterRole ROLE"),
    K8S_READ_SECRETS_NAMESPACE: ("role", "reads every Secret of one namespace other than `kube-system` (get, list "
                                 "or watch without `resourceNames`)"),
    K8S_SIGNS_CERTIFICATES: ("role", "approves or signs CertificateSigningRequests for a signer of API client "
                             "certificates: credentials for any user, `system:masters` included (not set where the "
                             "role also escalates, binds, impersonates or holds `*`)"),
    K8S_ADMISSION_WEBHOOKS: ("role", "creates or changes admission webhook configurations: sees, and rewrites, what "
                             "the API server admits (not set where the role also escalates, binds, impersonates or "
                             "holds `*`)"),
    K8S_NODES_PROXY: ("role", "gets or creates `nodes/proxy`: the kubelet API, commands in any pod of the nodes "
                      "(not set where the role also escalates, binds, impersonates or holds `*`)"),
    K8S_NAMESPACE_FROM: ("principal", "`k8s-namespace-from:BASIS`: the manifest names no namespace for the service "
                         "account; it is the one `kubernetes-namespaces` gives the file (`config`) or the one the "
                         "file's bindings name it in (`bindings`)"),
    K8S_NAMESPACE_AMBIGUOUS: ("principal", "`k8s-namespace-ambiguous:NS,NS`: the manifest names no namespace and "
                              "the file's bindings name its service accounts in these namespaces: read in `default`"),
    GCP_BASIC_ROLE: ("role", "a basic role (`roles/owner`, `roles/editor`)"),
    GCP_CUSTOM_ROLE: ("role", "a custom role, whose permissions the dump does not list: read as edit (fail closed)"),
    GCP_CONVENIENCE: ("group", "a convenience member (`projectOwner:`, `projectEditor:`, `projectViewer:`)"),
    GCP_DOMAIN: ("group", "every account of a Google Workspace or Cloud Identity domain (`domain:`)"),
    GCP_PRINCIPAL_SET: ("principal, group", "a workload or workforce identity pool set (`principalSet://`)"),
    GCP_FEDERATED: ("principal", "one federated identity of a pool (`principal://`)"),
    GCP_USER_MANAGED: ("credential", "a service-account key the user manages (not rotated by Google)"),
    GCP_USER_PROVIDED: ("credential", "a service-account key whose public part the user uploaded"),
    GCP_EXTERNAL_KEY: ("key", "a Cloud KMS key whose material is held outside Google (EKM)"),
    GCP_ACT_AS: ("key", "stands for the service-account tokens of a project, which `iam.serviceAccounts.actAs` "
                 "and token creators can mint"),
    GCP_RESOURCE_FROM: ("role, resource", "`gcp-resource-from:BASIS`: what named the resource of the IAM policy "
                        "dump that defined it: `config` (`gcp-projects`), `document`, `custom-roles`, `path`, "
                        "`file-name`, `folder` or `fallback` (nothing did: the file's stem)"),
}
PREFIXES = frozenset(name for name in FLAGS if name.endswith(":"))


def is_known(flag: str) -> bool:
    return (flag in FLAGS and flag not in PREFIXES) or any(flag.startswith(p) and flag != p for p in PREFIXES)
