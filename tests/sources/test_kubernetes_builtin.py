"""What counts as the platform's own in a Kubernetes manifest (flag `builtin`), and the findings on secret readers
and powers over the cluster: the bootstrap policy's bindings with their own roles and subjects, the users and
groups the control plane runs as, and no name, label or inferred namespace that would let a file pass for them."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from policylint.inventory import load_paths
from policylint.model import Group, Principal, Role
from policylint.sources import Options
from policylint.sources import kubernetes as k8s

from helpers import CORPUS, run_cli, write

BOOTSTRAP = """
    apiVersion: rbac.authorization.k8s.io/v1
    kind: {kind}
    metadata:
      annotations:
        rbac.authorization.kubernetes.io/autoupdate: "true"
      labels:
        kubernetes.io/bootstrapping: rbac-defaults
      name: {name}{namespace}
    roleRef:
      apiGroup: rbac.authorization.k8s.io
      kind: {role_kind}
      name: {role}
    subjects:
    {subjects}
    """
SA = "- kind: ServiceAccount\n  name: {}\n  namespace: {}"
KCM = "system:kube-controller-manager"
USER = "- apiGroup: rbac.authorization.k8s.io\n  kind: User\n  name: {}"
GROUP = "- apiGroup: rbac.authorization.k8s.io\n  kind: Group\n  name: {}"


def binding(name: str, role: str, *subjects: str, namespace: str | None = None, role_kind: str = "ClusterRole"
            ) -> str:
    """A binding as the API server's bootstrap writes it (labels, annotation), each subject one YAML item."""
    kind = "RoleBinding" if namespace else "ClusterRoleBinding"
    indented = "\n".join("    " + line for s in subjects for line in s.splitlines()).lstrip()
    return textwrap.dedent(BOOTSTRAP).format(
        kind=kind, name=name, namespace=f"\n  namespace: {namespace}" if namespace else "", role_kind=role_kind,
        role=role, subjects=indented.replace("\n    ", "\n")).lstrip("\n")


def manifests(*documents: str) -> str:
    """One YAML stream of documents written each at its own indentation."""
    return "---\n".join(textwrap.dedent(d).strip("\n") + "\n" for d in documents)


def load(path: Path) -> k8s.Fragment:
    fragment = k8s.load(str(path), path.read_text(encoding="utf-8"), Options())
    assert fragment.errors == []
    return fragment


def roles(*paths: Path) -> dict[str, Role]:
    """The roles of the files after the cross-file `link`."""
    loaded = load_paths([str(p) for p in paths])
    assert [str(e) for e in loaded.errors] == []
    return {r.id: r for r in loaded.inventory.roles}


def identities(path: Path) -> dict[str, tuple[str, ...]]:
    fragment = load(path)
    nodes: list[Principal | Group] = [*fragment.inventory.principals, *fragment.implied.principals,
                                      *fragment.implied.groups]
    return {n.id: n.flags for n in nodes}


def check(path: Path, *rules: str) -> list[dict[str, Any]]:
    run = run_cli("check", str(path), "--as-of", "2026-01-01", "--format", "json",
                  *(a for r in rules for a in ("--select", r)))
    assert run.code in (0, 1), run.err
    findings: list[dict[str, Any]] = json.loads(run.out)["findings"]
    return findings


def found(path: Path, *rules: str) -> list[tuple[str, str]]:
    return sorted((f["rule"], f["subject"]["id"]) for f in check(path, *rules))


# -- bindings: the bootstrap policy's own, not whatever is named or labelled like them

SECRET_READER = """
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: dns-metrics
    rules:
    - apiGroups: [""]
      resources: [secrets]
      verbs: [get, list]
    """


def test_a_system_name_and_the_bootstrap_label_make_no_binding_the_platforms_own(tmp_path: Path) -> None:
    """R1 #3: `system:coredns-metrics`, labelled rbac-defaults, gives CoreDNS's account secrets cluster-wide."""
    path = write(tmp_path, "rbac.yaml", manifests(SECRET_READER, binding(
        "system:coredns-metrics", "dns-metrics", SA.format("coredns", "kube-system"))))
    bound = load(path).inventory.roles[1]
    assert (bound.id, bound.flags) == ("k8s:default:clusterrolebinding:system:coredns-metrics",
                                       ("k8s-read-secrets-cluster",))
    assert found(path, "PL206") == [("PL206", "k8s:default:serviceaccount:kube-system/coredns")]


def test_a_system_user_of_a_system_named_role_binding_reads_customer_data(tmp_path: Path) -> None:
    """R1 #3: RoleBinding payments/system:payments-debug for User system:oncall-debugger, whose name makes it no
    component of the control plane: the namespace's customer data is reported, and the user needs an owner."""
    write(tmp_path, "data.yaml", """
        policylint: 1
        annotate:
          - {match: "k8s:default:secrets:payments", data: [customer_payment]}
        """)
    write(tmp_path, "debug.yaml", manifests("""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: secret-reader, namespace: payments}
        rules:
        - {apiGroups: [""], resources: [secrets], verbs: [get, list]}
        """, binding("system:payments-debug", "secret-reader", USER.format("system:oncall-debugger"),
                     namespace="payments", role_kind="Role")))
    user = "k8s:default:user:system:oncall-debugger"
    assert identities(tmp_path / "debug.yaml")[user] == ()
    assert found(tmp_path, "PL103", "PL217") == [("PL103", user), ("PL217", user)]
    assert [f["path"] for f in check(tmp_path, "PL217")] == [
        [user, "k8s:default:rolebinding:payments/system:payments-debug", "k8s:default:secrets:payments"]]


@pytest.mark.parametrize(("case", "manifest"), [
    ("cluster role binding of policy.go", binding(
        KCM, KCM, USER.format(KCM))),
    ("the DNS add-on's", binding("system:kube-dns", "system:kube-dns", SA.format("kube-dns", "kube-system"))),
    ("a controller's (controller_policy.go)", binding(
        "system:controller:generic-garbage-collector", "system:controller:generic-garbage-collector",
        SA.format("generic-garbage-collector", "kube-system"))),
    ("kube-system's (namespace_policy.go)", binding(
        "system:controller:token-cleaner", "system:controller:token-cleaner", SA.format("token-cleaner", "kube-system"),
        namespace="kube-system", role_kind="Role")),
    ("kube-public's, for an account of kube-system", binding(
        "system:controller:bootstrap-signer", "system:controller:bootstrap-signer",
        SA.format("bootstrap-signer", "kube-system"), namespace="kube-public", role_kind="Role")),
    ("leader locking, two subjects", binding(
        "system::leader-locking-kube-scheduler", "system::leader-locking-kube-scheduler",
        USER.format("system:kube-scheduler"), SA.format("kube-scheduler", "kube-system"), namespace="kube-system",
        role_kind="Role")),
    ("fewer subjects than the bootstrap's", binding(
        "system:public-info-viewer", "system:public-info-viewer", GROUP.format("system:authenticated"))),
])
def test_the_bootstrap_policys_bindings_are_built_in(tmp_path: Path, case: str, manifest: str) -> None:
    assert load(write(tmp_path, "rbac.yaml", manifest)).inventory.roles[0].flags[:1] == ("builtin",)


@pytest.mark.parametrize(("case", "manifest"), [
    ("a name of none of them", binding(
        "system:controller:superadmin", "system:controller:superadmin", SA.format("superadmin", "kube-system"))),
    ("its name, another role", binding(
        "system:kube-dns", "cluster-admin", SA.format("kube-dns", "kube-system"))),
    ("its name, one subject more", binding(
        KCM, KCM, USER.format(KCM),
        USER.format("jane@acme.example"))),
    ("its name and role, another account", binding(
        "system:controller:token-cleaner", "system:controller:token-cleaner", SA.format("token-cleaner", "default"),
        namespace="kube-system", role_kind="Role")),
    ("its name, in another namespace", binding(
        "system:controller:token-cleaner", "system:controller:token-cleaner", SA.format("token-cleaner", "kube-system"),
        namespace="payments", role_kind="Role")),
    ("a cluster role binding named like a role binding", binding(
        "system:controller:token-cleaner", "system:controller:token-cleaner",
        SA.format("token-cleaner", "kube-system"))),
])
def test_a_binding_that_is_not_the_bootstraps_own_is_not_built_in(tmp_path: Path, case: str, manifest: str) -> None:
    assert "builtin" not in load(write(tmp_path, "rbac.yaml", manifest)).inventory.roles[0].flags


def test_a_bootstrap_binding_whose_role_reads_more_than_the_bootstraps_is_not_built_in(tmp_path: Path) -> None:
    """The role a bootstrap binding names is read from the files: one that reads secrets where the bootstrap's
    does not makes the binding the cluster users' own, in the file and across files (`link`)."""
    dns_role = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          labels: {kubernetes.io/bootstrapping: rbac-defaults}
          name: system:kube-dns
        rules:
        - {apiGroups: [""], resources: [endpoints, services, secrets], verbs: [list, watch]}
        """
    dns = binding("system:kube-dns", "system:kube-dns", SA.format("kube-dns", "kube-system"))
    alone = write(tmp_path / "one", "rbac.yaml", manifests(dns_role, dns))
    assert load(alone).inventory.roles[1].flags == ("k8s-read-secrets-cluster",)
    assert found(alone, "PL206") == [("PL206", "k8s:default:serviceaccount:kube-system/kube-dns")]

    cloud_role = write(tmp_path / "two", "role.yaml", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: "system:controller:cloud-provider", namespace: kube-system}
        rules:
        - {apiGroups: [""], resources: [configmaps, secrets], verbs: [create, get, list, watch]}
        """)
    cloud = write(tmp_path / "two", "binding.yaml", binding(
        "system:controller:cloud-provider", "system:controller:cloud-provider",
        SA.format("cloud-provider", "kube-system"),
        namespace="kube-system", role_kind="Role"))
    assert load(cloud).inventory.roles[0].flags == ("builtin", "k8s-role-unresolved")  # until link reads the role
    bound = roles(cloud_role, cloud)["k8s:default:rolebinding:kube-system/system:controller:cloud-provider"]
    assert bound.flags == ("k8s-read-secrets-cluster",)
    assert found(tmp_path / "two", "PL206") == [("PL206", "k8s:default:serviceaccount:kube-system/cloud-provider")]


def test_a_bootstrap_binding_keeps_its_own_secret_reads_across_files(tmp_path: Path) -> None:
    token_cleaner = write(tmp_path, "role.yaml", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          annotations: {rbac.authorization.kubernetes.io/autoupdate: "true"}
          labels: {kubernetes.io/bootstrapping: rbac-defaults}
          name: system:controller:token-cleaner
          namespace: kube-system
        rules:
        - {apiGroups: [""], resources: [secrets], verbs: [delete, get, list, watch]}
        - {apiGroups: ["", events.k8s.io], resources: [events], verbs: [create, patch, update]}
        """)
    bound = write(tmp_path, "binding.yaml", binding(
        "system:controller:token-cleaner", "system:controller:token-cleaner", SA.format("token-cleaner", "kube-system"),
        namespace="kube-system", role_kind="Role"))
    assert roles(token_cleaner, bound)["k8s:default:rolebinding:kube-system/system:controller:token-cleaner"].flags == (
        "builtin", "k8s-read-secrets-cluster")
    assert found(tmp_path, "PL206", "PL103") == []


# -- users, groups and service accounts

USERS = "\n".join(USER.format(u) for u in (
    "system:kube-controller-manager", "system:kube-scheduler", "system:kube-proxy", "system:apiserver",
    "system:anonymous", "system:node:ip-10-0-1-23.ec2.internal", "system:oncall-debugger", '"system:node:"',
    "system:nodes", "system:masters"))
GROUPS = "\n".join(GROUP.format(g) for g in (
    "system:masters", "system:nodes", "system:authenticated", "system:unauthenticated", "system:serviceaccounts",
    "system:serviceaccounts:shop", "system:monitoring", "system:bootstrappers",
    "system:bootstrappers:kubeadm:default-node-token", "system:oncall", "system:serviceaccounts-all"))


def test_only_the_control_planes_users_and_groups_are_built_in(tmp_path: Path) -> None:
    path = write(tmp_path, "rbac.yaml", binding("viewers", "view", USERS, GROUPS))
    found_flags = identities(path)
    user, group = "k8s:default:user:", "k8s:default:group:"
    assert {i: f for i, f in found_flags.items() if i.startswith(user)} == {
        user + "system:kube-controller-manager": ("builtin",), user + "system:kube-scheduler": ("builtin",),
        user + "system:kube-proxy": ("builtin",), user + "system:apiserver": ("builtin",),
        user + "system:anonymous": ("builtin",), user + "system:node:ip-10-0-1-23.ec2.internal": ("builtin",),
        user + "system:oncall-debugger": (), user + "system:node:": (), user + "system:nodes": (),
        user + "system:masters": (),
    }
    assert {i: f for i, f in found_flags.items() if i.startswith(group)} == {
        group + "system:masters": ("builtin", "k8s-cluster-admin"), group + "system:nodes": ("builtin",),
        group + "system:authenticated": ("builtin",), group + "system:unauthenticated": ("builtin",),
        group + "system:serviceaccounts": ("builtin",), group + "system:serviceaccounts:shop": ("builtin",),
        group + "system:monitoring": ("builtin",), group + "system:bootstrappers": ("builtin",),
        group + "system:bootstrappers:kubeadm:default-node-token": ("builtin",),
        group + "system:oncall": (), group + "system:serviceaccounts-all": (),
    }


MOVED = """
    apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: kube-proxy
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      name: reader
    rules:
    - {apiGroups: [""], resources: [secrets], verbs: [get, list, watch]}
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata:
      name: reader
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
    subjects:
    - {kind: ServiceAccount, name: kube-proxy}
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata:
      name: kubeadm:node-proxier
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:node-proxier}
    subjects:
    - {kind: ServiceAccount, name: kube-proxy, namespace: kube-system}
    """


def test_an_account_moved_into_kube_system_by_the_files_bindings_is_not_built_in(tmp_path: Path) -> None:
    """R1 #4: an unnamespaced ServiceAccount `kube-proxy`, placed in kube-system by a ClusterRoleBinding of the same
    file, was taken for kubeadm's kube-proxy and its secrets reader went silent. Placed there by the configuration
    (`kubernetes-namespaces`), it is the cluster's kube-proxy: the user said so."""
    path = write(tmp_path, "install.yaml", MOVED)
    account = "k8s:default:serviceaccount:kube-system/kube-proxy"
    assert identities(path) == {account: ("k8s-namespace-from:bindings",)}
    assert found(path, "PL103", "PL206") == [("PL103", account), ("PL206", account)]
    configured = Options(kubernetes_namespaces=(("install.yaml", "kube-system"),), globs_root=str(tmp_path))
    fragment = k8s.load(str(path), path.read_text(encoding="utf-8"), configured)
    assert [p.flags for p in fragment.inventory.principals] == [("builtin", "k8s-namespace-from:config")]


def test_the_dns_add_ons_bootstrap_binding_needs_no_owner(tmp_path: Path) -> None:
    """R3 #2: the bootstrap policy binds system:kube-dns to kube-system/kube-dns (every GKE cluster has it)."""
    dns = binding("system:kube-dns", "system:kube-dns", SA.format("kube-dns", "kube-system"))
    path = write(tmp_path, "rbac.yaml", dns)
    assert identities(path) == {"k8s:default:serviceaccount:kube-system/kube-dns": ("builtin",)}
    assert found(path, "PL103") == []


def test_the_corpus_bootstrap_bindings_stay_built_in() -> None:
    path = CORPUS / "k8s-rbac" / "kubernetes__bootstrappolicy-testdata-cluster-role-bindings.yaml"
    assert all(r.flags[:1] == ("builtin",) for r in load(path).inventory.roles)


# -- one cause, one finding, in plain words

OPS = """
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: ops-aggregate
    aggregationRule:
      clusterRoleSelectors:
      - matchLabels:
          example.com/aggregate-to-ops: "true"
    rules: []
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: ops-nodes
      labels:
        example.com/aggregate-to-ops: "true"
    rules:
    - apiGroups: [""]
      resources: [nodes/proxy]
      verbs: [get]
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: csr-approver
    rules:
    - apiGroups: [certificates.k8s.io]
      resources: [certificatesigningrequests/approval]
      verbs: [update]
    - apiGroups: [certificates.k8s.io]
      resources: [signers]
      resourceNames: [kubernetes.io/kube-apiserver-client]
      verbs: [approve]
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: webhook-editor
    rules:
    - apiGroups: [admissionregistration.k8s.io]
      resources: [mutatingwebhookconfigurations]
      verbs: [create, update, patch]
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata:
      name: ops-aggregate
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ops-aggregate}
    subjects:
    - {kind: ServiceAccount, name: ops-bot, namespace: ops}
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata:
      name: csr-approver
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: csr-approver}
    subjects:
    - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: oncall}
    """


def test_a_power_over_the_cluster_is_reported_once_on_the_binding_that_gives_it(tmp_path: Path) -> None:
    """R2 #6, R3 #5: on the ClusterRoleBinding, not also on its ClusterRole ("bound to none", though bound, or
    bound through an aggregate); a ClusterRole bound to no one (webhook-editor) gives the power to no one."""
    path = write(tmp_path, "ops.yaml", OPS)
    assert found(path, "PL218", "PL219", "PL220") == [
        ("PL218", "k8s:default:clusterrolebinding:csr-approver"),
        ("PL220", "k8s:default:clusterrolebinding:ops-aggregate"),
    ]
    messages = {f["rule"]: f["message"] for f in check(path, "PL218", "PL220")}
    assert messages["PL220"].endswith("; bound to k8s:default:serviceaccount:ops/ops-bot")


def test_a_cluster_admin_is_reported_as_such_and_not_also_as_a_secret_reader(tmp_path: Path) -> None:
    path = write(tmp_path, "admins.yaml", """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: superadmin, namespace: kube-system}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: superadmin
          labels: {kubernetes.io/bootstrapping: rbac-defaults}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
        subjects:
        - {kind: ServiceAccount, name: superadmin, namespace: kube-system}
        """)
    account = "k8s:default:serviceaccount:kube-system/superadmin"
    assert found(path, "PL206", "PL207", "PL217") == [("PL207", account)]


def test_a_secret_readers_message_names_the_binding_that_gives_it_the_secrets() -> None:
    """R2 #15: ingress-nginx's controller is bound in its namespace and cluster-wide; the cluster-wide binding is
    what reads secrets everywhere, and the message says so in plain words."""
    path = CORPUS / "k8s-rbac" / "ingress-nginx__cloud_deploy.yaml"
    messages = [f["message"] for f in check(path, "PL206")
                if f["subject"]["id"] == "k8s:default:serviceaccount:ingress-nginx/ingress-nginx"]
    assert messages == ["principal k8s:default:serviceaccount:ingress-nginx/ingress-nginx can read secrets"
                        " cluster-wide or in kube-system, bound by k8s:default:clusterrolebinding:ingress-nginx"]


def test_a_namespace_secret_readers_message_names_its_role_binding(tmp_path: Path) -> None:
    path = write(tmp_path, "ci.yaml", """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: builder, namespace: ci}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: secret-reader, namespace: ci}
        rules:
        - {apiGroups: [""], resources: [secrets], verbs: [get, list, watch]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: builder-secrets, namespace: ci}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-reader}
        subjects:
        - {kind: ServiceAccount, name: builder, namespace: ci}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: builder-view, namespace: ci}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
        subjects:
        - {kind: ServiceAccount, name: builder, namespace: ci}
        """)
    assert [f["message"] for f in check(path, "PL217")] == [
        "principal k8s:default:serviceaccount:ci/builder can read every secret of a namespace (get, list or watch on"
        " secrets, no resourceNames), bound by k8s:default:rolebinding:ci/builder-secrets"]
