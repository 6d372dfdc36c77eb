"""Issue 10 on the Kubernetes source: which kube-system accounts are the platform's own, namespace-wide secret
readers (`k8s-read-secrets-namespace`), and the powers over the cluster that need no escalation (`powers.py`):
approving or signing client certificates, admission webhook configurations, `nodes/proxy`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policylint.inventory import load_paths
from policylint.model import Inventory, Role
from policylint.sources import Options
from policylint.sources import kubernetes as k8s
from policylint.sources.kubernetes.powers import certificate_powers
from policylint.sources.kubernetes.rules import PolicyRule

from helpers import CORPUS, REPO, run_cli, write

AC = "k8s:default:access-control"
POWERS = ("k8s-signs-certificates", "k8s-admission-webhooks", "k8s-nodes-proxy")


def roles_of(path: Path) -> dict[str, Role]:
    fragment = k8s.load(str(path), path.read_text(encoding="utf-8"), Options())
    assert fragment.errors == []
    return {r.id: r for r in fragment.inventory.roles}


def linked(*paths: Path) -> dict[str, Role]:
    loaded = load_paths([str(p) for p in paths], link=False)
    assert [str(e) for e in loaded.errors] == []
    inventory: Inventory = k8s.link(loaded.inventory)
    return {r.id: r for r in inventory.roles}


def findings(path: Path, *rules: str) -> list[tuple[str, str]]:
    run = run_cli("check", str(path), "--as-of", "2026-01-01", "--format", "json",
                  *(a for r in rules for a in ("--select", r)))
    assert run.code in (0, 1), run.err
    return sorted((f["rule"], f["subject"]["id"]) for f in json.loads(run.out)["findings"])


# -- the platform's own accounts of kube-system

KUBE_SYSTEM = """
    apiVersion: v1
    kind: ServiceAccount
    metadata: {name: kube-proxy, namespace: kube-system}
    ---
    apiVersion: v1
    kind: ServiceAccount
    metadata: {name: coredns, namespace: kube-system}
    ---
    apiVersion: v1
    kind: ServiceAccount
    metadata: {name: generic-garbage-collector, namespace: kube-system}
    ---
    apiVersion: v1
    kind: ServiceAccount
    metadata: {name: superadmin, namespace: kube-system}
    ---
    apiVersion: v1
    kind: ServiceAccount
    metadata: {name: kube-proxy, namespace: default}
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata:
      labels: {kubernetes.io/bootstrapping: rbac-defaults}
      name: system:controller:superadmin
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
    subjects:
    - {kind: ServiceAccount, name: superadmin, namespace: kube-system}
    - {kind: ServiceAccount, name: certificate-controller, namespace: kube-system}
    """


def test_only_the_control_planes_accounts_of_kube_system_are_built_in(tmp_path: Path) -> None:
    path = write(tmp_path, "kube-system.yaml", KUBE_SYSTEM)
    fragment = k8s.load(str(path), path.read_text(encoding="utf-8"), Options())
    flags = {p.id: p.flags for p in (*fragment.inventory.principals, *fragment.implied.principals)}
    assert flags == {
        "k8s:default:serviceaccount:kube-system/kube-proxy": ("builtin",),  # kubeadm's add-ons
        "k8s:default:serviceaccount:kube-system/coredns": ("builtin",),
        "k8s:default:serviceaccount:kube-system/generic-garbage-collector": ("builtin",),  # a controller's
        "k8s:default:serviceaccount:kube-system/superadmin": (),  # planted: the bootstrap label excuses nothing
        "k8s:default:serviceaccount:default/kube-proxy": (),  # the name alone is not enough
        "k8s:default:serviceaccount:kube-system/certificate-controller": ("builtin",),
    }


def test_an_ordinary_account_of_kube_system_needs_an_owner_and_is_a_cluster_admin(tmp_path: Path) -> None:
    path = write(tmp_path, "kube-system.yaml", KUBE_SYSTEM)
    planted = "k8s:default:serviceaccount:kube-system/superadmin"
    assert findings(path, "PL103") == [("PL103", "k8s:default:serviceaccount:default/kube-proxy"),
                                       ("PL103", planted)]
    # cluster-admin is reported for both, built in or not: being the platform's own excuses no grant
    assert findings(path, "PL207") == [("PL207", "k8s:default:serviceaccount:kube-system/certificate-controller"),
                                       ("PL207", planted)]


def test_kube_state_metrics_of_the_corpus_is_an_ordinary_account() -> None:
    assert findings(CORPUS / "k8s-rbac" / "kube-state-metrics__service-account.yaml", "PL103") == [
        ("PL103", "k8s:default:serviceaccount:kube-system/kube-state-metrics")]


# -- reading every secret of a namespace

READER_ROLE = """
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata: {name: secret-reader}
    rules:
    - {apiGroups: [""], resources: [secrets], verbs: [list, watch]}
    """
NAMED_READER_ROLE = """
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata: {name: secret-reader}
    rules:
    - {apiGroups: [""], resources: [secrets], resourceNames: [tls-cert], verbs: [get]}
    """
BINDING = """
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata: {{name: reader, namespace: {namespace}}}
    roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}}
    subjects:
    - {{kind: ServiceAccount, name: app}}
    """


@pytest.mark.parametrize(("case", "role", "namespace", "flags"), [
    ("list and watch: every secret", READER_ROLE, "shop", ("k8s-read-secrets-namespace",)),
    ("one secret by name", NAMED_READER_ROLE, "shop", ()),
    ("kube-system is PL206's", READER_ROLE, "kube-system", ("k8s-read-secrets-cluster",)),
])
def test_a_role_binding_that_reads_every_secret_of_its_namespace(tmp_path: Path, case: str, role: str,
                                                                 namespace: str, flags: tuple[str, ...]) -> None:
    """In one file, and across two (the binding fails closed alone; `link` gives it the role's rules)."""
    write(tmp_path, "one/rbac.yaml", role + "---" + BINDING.format(namespace=namespace))
    binding = f"k8s:default:rolebinding:{namespace}/reader"
    assert roles_of(tmp_path / "one" / "rbac.yaml")[binding].flags == flags
    write(tmp_path, "two/role.yaml", role)
    write(tmp_path, "two/binding.yaml", BINDING.format(namespace=namespace))
    assert roles_of(tmp_path / "two" / "binding.yaml")[binding].flags == ("k8s-role-unresolved",)
    assert linked(tmp_path / "two" / "role.yaml", tmp_path / "two" / "binding.yaml")[binding].flags == flags


# -- the powers over the cluster

CSR_APPROVER = """
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata: {name: csr-approver}
    rules:
    - {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests], verbs: [get, list, watch]}
    - {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}
    - {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve]}
    """
CLUSTER_BINDING = """
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata: {{name: {name}}}
    roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {role}}}
    subjects:
    - {{kind: ServiceAccount, name: approver, namespace: platform}}
    """


def test_approving_client_certificates_is_admin_on_the_clusters_access_control(tmp_path: Path) -> None:
    path = write(tmp_path, "rbac.yaml", CSR_APPROVER + "---" + CLUSTER_BINDING.format(name="approver",
                                                                                      role="csr-approver"))
    binding = roles_of(path)["k8s:default:clusterrolebinding:approver"]
    assert binding.flags == ("k8s-signs-certificates",)
    assert [(g.resource, g.actions, g.condition, g.actions_given) for g in binding.grants] == [
        (AC, ("admin",), None, ("update certificatesigningrequests/approval", "approve signers"))]
    assert binding.grants[0].location.line == 6  # the approval rule


def rule(groups: list[str], resources: list[str], verbs: list[str], names: tuple[str, ...] = ()) -> PolicyRule:
    return PolicyRule(frozenset(groups), frozenset(resources), frozenset(verbs), names, None)


APPROVAL = rule(["certificates.k8s.io"], ["certificatesigningrequests/approval"], ["update"])
STATUS = rule(["certificates.k8s.io"], ["certificatesigningrequests/status"], ["patch"])


@pytest.mark.parametrize(("case", "rules", "found"), [
    ("every signer", [APPROVAL, rule(["certificates.k8s.io"], ["signers"], ["approve"])],
     [((), ("update certificatesigningrequests/approval", "approve signers"))]),
    ("the API client signer, by name",
     [APPROVAL, rule(["certificates.k8s.io"], ["signers"], ["approve"], ("kubernetes.io/kube-apiserver-client",))],
     [(("kubernetes.io/kube-apiserver-client",), ("update certificatesigningrequests/approval", "approve signers"))]),
    ("a domain's signers", [APPROVAL, rule(["certificates.k8s.io"], ["signers"], ["approve"], ("kubernetes.io/*",))],
     [(("kubernetes.io/*",), ("update certificatesigningrequests/approval", "approve signers"))]),
    ("signing, with wildcards", [STATUS, rule(["*"], ["*"], ["sign"])],
     [((), ("patch certificatesigningrequests/status", "sign *"))]),
    ("kubelet serving certificates only",
     [APPROVAL, rule(["certificates.k8s.io"], ["signers"], ["approve"], ("kubernetes.io/kubelet-serving",))], []),
    ("another domain's signer", [STATUS, rule(["certificates.k8s.io"], ["signers"], ["sign"],
                                              ("issuers.cert-manager.io/*",))], []),
    ("approval without a signer", [APPROVAL], []),
    ("a signer without approval", [rule(["certificates.k8s.io"], ["signers"], ["approve"])], []),
    ("approve, but sign's subresource", [STATUS, rule(["certificates.k8s.io"], ["signers"], ["approve"])], []),
    ("signers of another API group", [APPROVAL, rule(["cert-manager.io"], ["signers"], ["approve"])], []),
])
def test_approving_or_signing_takes_both_rules_and_a_client_signer(case: str, rules: list[PolicyRule],
                                                                  found: list[tuple[Any, ...]]) -> None:
    assert [(names, given) for names, given, _ in certificate_powers(rules)] == found


POWERS_ROLE = """
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata: {name: platform-agent}
    rules:
    - {apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations], verbs: [patch]}
    - {apiGroups: [""], resources: [nodes/proxy], resourceNames: [node-a], verbs: [get]}
    """


def test_webhooks_and_nodes_proxy_in_one_role_are_two_powers(tmp_path: Path) -> None:
    path = write(tmp_path, "rbac.yaml", POWERS_ROLE + "---" + CLUSTER_BINDING.format(name="agent",
                                                                                     role="platform-agent"))
    binding = roles_of(path)["k8s:default:clusterrolebinding:agent"]
    assert binding.flags == ("k8s-admission-webhooks", "k8s-nodes-proxy")
    # node names narrow nodes/proxy: a condition, shown in evidence; the webhook grant holds unconditionally
    assert [(g.resource, g.condition, g.actions_given) for g in binding.grants] == [
        (AC, None, ("patch mutatingwebhookconfigurations", "get nodes/proxy"))]
    # each power once, on the binding that gives it to someone, not also on the ClusterRole it names
    assert findings(path, "PL219", "PL220") == [
        ("PL219", "k8s:default:clusterrolebinding:agent"), ("PL220", "k8s:default:clusterrolebinding:agent")]


def test_a_power_bound_in_a_namespace_gives_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, "rbac.yaml", POWERS_ROLE + """---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: agent, namespace: platform}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: platform-agent}
        subjects:
        - {kind: ServiceAccount, name: agent}
        """)
    binding = roles_of(path)["k8s:default:rolebinding:platform/agent"]
    assert (binding.flags, binding.grants) == ((), ())


def test_escalation_takes_the_powers_place(tmp_path: Path) -> None:
    """A role that also binds roles is admin on access control through that: PL205 reports the one cause, and the
    powers' flags, which take PL205's place, are not set."""
    path = write(tmp_path, "rbac.yaml", POWERS_ROLE + """
    - {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}
    ---""" + CLUSTER_BINDING.format(name="agent", role="platform-agent"))
    binding = roles_of(path)["k8s:default:clusterrolebinding:agent"]
    assert binding.flags == ()
    assert [(g.resource, g.actions_given) for g in binding.grants if g.resource == AC] == [
        (AC, ("patch mutatingwebhookconfigurations", "bind clusterroles", "get nodes/proxy"))]


CERT_AGGREGATE = """
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata: {name: pki-operator}
    aggregationRule:
      clusterRoleSelectors:
      - matchLabels: {rbac.example.com/aggregate-to-pki: "true"}
    rules: []
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: pki-approver
      labels: {rbac.example.com/aggregate-to-pki: "true"}
    rules:
    - {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}
    - {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve]}
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata: {name: pki-operator}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pki-operator}
    subjects:
    - {kind: ServiceAccount, name: pki-operator, namespace: pki}
    """
ESCALATING_PART = """
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: pki-rbac
      labels: {rbac.example.com/aggregate-to-pki: "true"}
    rules:
    - {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate]}
    """


def test_a_part_of_another_file_that_escalates_takes_the_powers_place(tmp_path: Path) -> None:
    """The aggregate is a CSR approver in its own file; a part in another file makes it escalate too: `link` drops
    the power's flag, so PL205 reports it (a flag left behind would hide PL205's finding)."""
    write(tmp_path, "pki.yaml", CERT_AGGREGATE)
    alone = roles_of(tmp_path / "pki.yaml")
    assert alone["k8s:default:clusterrolebinding:pki-operator"].flags == ("k8s-signs-certificates",
                                                                         "k8s-aggregated:pki-operator")
    assert linked(tmp_path / "pki.yaml")["k8s:default:clusterrolebinding:pki-operator"].flags == (
        "k8s-signs-certificates", "k8s-aggregated:pki-operator")
    write(tmp_path, "rbac.yaml", ESCALATING_PART)
    roles = linked(tmp_path / "pki.yaml", tmp_path / "rbac.yaml")
    for role_id in ("k8s:default:clusterrolebinding:pki-operator", "k8s:default:clusterrole:pki-operator"):
        assert not set(roles[role_id].flags) & set(POWERS), role_id
        assert any(g.resource == AC and "escalate clusterroles" in g.actions_given for g in roles[role_id].grants)
    found = findings(tmp_path, "PL205", "PL218")
    assert [f for f in found if f[0] == "PL218"] == []  # pki-approver is bound only through the aggregate
    # reported once, on the binding that gives it (the ClusterRoles themselves are held by nobody)
    assert [f for f in found if f[0] == "PL205"] == [("PL205", "k8s:default:clusterrolebinding:pki-operator")]


def test_link_gives_a_binding_the_power_of_a_role_in_another_file(tmp_path: Path) -> None:
    write(tmp_path, "role.yaml", CSR_APPROVER)
    write(tmp_path, "binding.yaml", CLUSTER_BINDING.format(name="approver", role="csr-approver"))
    binding = linked(tmp_path / "role.yaml", tmp_path / "binding.yaml")["k8s:default:clusterrolebinding:approver"]
    assert binding.flags == ("k8s-signs-certificates",)
    assert [g.resource for g in binding.grants] == [AC]


def test_the_built_in_kubelet_api_admin_role_is_nodes_proxy(tmp_path: Path) -> None:
    path = write(tmp_path, "binding.yaml", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: "kubeadm:apiserver-kubelet-client"}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:kubelet-api-admin"}
        subjects:
        - {apiGroup: rbac.authorization.k8s.io, kind: User, name: kube-apiserver-kubelet-client}
        """)
    binding = roles_of(path)["k8s:default:clusterrolebinding:kubeadm:apiserver-kubelet-client"]
    assert binding.flags == ("k8s-nodes-proxy",)
    assert [(g.resource, g.actions_given) for g in binding.grants] == [(AC, ("* nodes/proxy",))]


def test_a_csr_approver_reaches_the_customer_data_of_the_cluster(tmp_path: Path) -> None:
    """Admin on the cluster's access control: a certificate for system:masters reads every namespace's secrets."""
    write(tmp_path, "rbac.yaml", CSR_APPROVER + "---" + CLUSTER_BINDING.format(name="approver", role="csr-approver"))
    write(tmp_path, "namespaces.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: payments}\n")
    write(tmp_path, "data.yaml", """
        policylint: 1
        annotate:
          - {match: "k8s:default:secrets:payments", data: [customer_payment], records: 40}
        """)
    run = run_cli("reach", str(tmp_path), "--format", "json", "--as-of", "2026-01-01")
    reached = {i["id"]: [(r["id"], r["path"]) for r in i["resources"]] for i in json.loads(run.out)["identities"]}
    approver = "k8s:default:serviceaccount:platform/approver"
    assert reached == {approver: [("k8s:default:secrets:payments", [
        approver, "k8s:default:clusterrolebinding:approver", AC, "k8s:default:secrets:payments"])]}


def test_a_power_flag_is_set_only_where_nothing_else_makes_the_role_admin_on_access_control() -> None:
    """The flags take PL205's place (its `not` on them): on every role of the fixtures and the corpus, a role with
    a power's flag is admin on the cluster's access control through the powers' operations alone."""
    paths = [REPO / "tests" / "rules" / rule for rule in ("PL205", "PL207", "PL218", "PL219", "PL220")]
    paths += [CORPUS / "k8s-rbac"]
    checked = 0
    for folder in paths:
        for path in sorted(folder.rglob("*.yaml")) if folder.is_dir() else [folder]:
            if not k8s.detect(str(path), path.read_text(encoding="utf-8")):
                continue
            for role in roles_of(path).values():
                if not set(role.flags) & set(POWERS):
                    continue
                checked += 1
                given = [o for g in role.grants if g.resource == AC for o in g.actions_given]
                assert given and all(o.partition(" ")[0] not in ("escalate", "bind", "impersonate") for o in given)
                assert "k8s-cluster-admin" not in role.flags and "k8s-role-unresolved" not in role.flags
    assert checked >= 20
