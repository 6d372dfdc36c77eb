"""The namespace of the objects a Kubernetes manifest leaves without one (issue 10, `namespaces.py`): the
configuration's `kubernetes-namespaces`, else the one namespace the file's bindings name its ServiceAccounts in,
else `default`, and each such account says which."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from policylint.model import Location, Principal
from policylint.sources import Options
from policylint.sources import kubernetes as k8s

from helpers import CORPUS, run_cli, write

RBAC = CORPUS / "k8s-rbac"
IMAGE_UPDATER = RBAC / "argocd-image-updater__install.yaml"
NAMESPACE_INSTALL = RBAC / "argo-cd__namespace-install.yaml"
CONTROLLER_BINDING = RBAC / "argo-cd__argocd-application-controller-clusterrolebinding.yaml"


def ids(nodes: tuple[Any, ...]) -> list[str]:
    return [n.id for n in nodes]


def load(path: Path, namespace: str | None = None) -> k8s.Fragment:
    options = Options(kubernetes_namespaces=((path.name, namespace),) if namespace else (), globs_root=str(path.parent))
    fragment = k8s.load(str(path), path.read_text(encoding="utf-8"), options)
    assert fragment.errors == []
    return fragment


def test_an_install_manifest_takes_the_namespace_its_cluster_role_binding_names() -> None:
    """argocd-image-updater's install.yaml: ServiceAccount, Role and RoleBinding without a namespace, and a
    ClusterRoleBinding naming the account in `argocd`. Read as `default`, it was two identities."""
    fragment = load(IMAGE_UPDATER)
    account = "k8s:default:serviceaccount:argocd/argocd-image-updater"
    assert fragment.inventory.principals == (
        Principal(account, Location(str(IMAGE_UPDATER), 1, 1), "service", flags=("k8s-namespace-from:bindings",)),)
    assert fragment.implied.principals == ()  # both bindings name the account the file defines
    assert ids(fragment.inventory.roles) == [
        "k8s:default:role:argocd/argocd-image-updater", "k8s:default:clusterrole:argocd-image-updater",
        "k8s:default:rolebinding:argocd/argocd-image-updater", "k8s:default:clusterrolebinding:argocd-image-updater"]
    roles = {r.id: r for r in fragment.inventory.roles}
    local = roles["k8s:default:rolebinding:argocd/argocd-image-updater"]
    assert local.assumable_by == (account,)
    # get/list/watch on every secret of argocd: the namespace-wide reader PL217 reports
    assert local.flags == ("k8s-read-secrets-namespace",)
    assert [g.resource for g in local.grants] == ["k8s:default:secrets:argocd",
                                                  "k8s:default:serviceaccount:argocd/*#token"]
    assert roles["k8s:default:clusterrolebinding:argocd-image-updater"].assumable_by == (account,)
    assert ids(fragment.implied.resources) == ["k8s:default:access-control", "k8s:default:secrets:argocd"]


def test_the_image_updater_is_one_identity_and_a_namespace_wide_secret_reader() -> None:
    run = run_cli("check", str(IMAGE_UPDATER), "--as-of", "2026-01-01", "--format", "json")
    findings = sorted((f["rule"], f["subject"]["id"]) for f in json.loads(run.out)["findings"])
    account = "k8s:default:serviceaccount:argocd/argocd-image-updater"
    assert findings == [("PL103", account), ("PL217", account)]


def test_a_manifest_whose_bindings_name_no_namespace_stays_in_default() -> None:
    """argo-cd's namespace-install.yaml binds its accounts with RoleBindings that name no namespace either: nothing
    in the file says where it goes, so `default`, as `kubectl apply` without `-n`, with no flag to explain."""
    fragment = load(NAMESPACE_INSTALL)
    accounts = [p for p in fragment.inventory.principals]
    assert len(accounts) == 7
    assert all(p.id.startswith("k8s:default:serviceaccount:default/") and p.flags == () for p in accounts)


def test_the_configured_namespace_wins_over_the_bindings() -> None:
    fragment = load(IMAGE_UPDATER, "argocd-image-updater")
    assert [(p.id, p.flags) for p in fragment.inventory.principals] == [
        ("k8s:default:serviceaccount:argocd-image-updater/argocd-image-updater", ("k8s-namespace-from:config",))]
    # the ClusterRoleBinding names `argocd` in so many words: that subject is another account, implied
    assert ids(fragment.implied.principals) == ["k8s:default:serviceaccount:argocd/argocd-image-updater"]
    assert "k8s:default:rolebinding:argocd-image-updater/argocd-image-updater" in ids(fragment.inventory.roles)


TWO_NAMESPACES = """
    apiVersion: v1
    kind: ServiceAccount
    metadata:
      labels: {app.kubernetes.io/name: external-secrets}
      name: external-secrets
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata: {name: external-secrets-controller}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
    subjects:
    - {kind: ServiceAccount, name: external-secrets, namespace: external-secrets}
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata: {name: external-secrets-staging}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
    subjects:
    - {apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:serviceaccount:staging:external-secrets"}
    """


def test_bindings_naming_two_namespaces_keep_default_and_say_why(tmp_path: Path) -> None:
    path = write(tmp_path, "install.yaml", TWO_NAMESPACES)
    fragment = load(path)
    assert [(p.id, p.flags) for p in fragment.inventory.principals] == [
        ("k8s:default:serviceaccount:default/external-secrets",
         ("k8s-namespace-ambiguous:external-secrets,staging",))]
    assert ids(fragment.implied.principals) == ["k8s:default:serviceaccount:external-secrets/external-secrets",
                                                "k8s:default:serviceaccount:staging/external-secrets"]
    run = run_cli("facts", "k8s:default:serviceaccount:default/external-secrets", str(path), "--as-of", "2026-01-01")
    assert json.loads(run.out)["flags"] == ["k8s-namespace-ambiguous:external-secrets,staging"]


def test_a_namespace_written_on_an_object_is_kept(tmp_path: Path) -> None:
    """Only objects that name no namespace move; a binding naming an account the file places in a namespace of
    its own does not count for the others."""
    path = write(tmp_path, "install.yaml", """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: agent, namespace: monitoring}
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: agent}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: agent}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
        subjects:
        - {kind: ServiceAccount, name: agent, namespace: monitoring}
        """)
    assert [(p.id, p.flags) for p in load(path).inventory.principals] == [
        ("k8s:default:serviceaccount:monitoring/agent", ()), ("k8s:default:serviceaccount:default/agent", ())]


def test_kubernetes_namespaces_in_the_configuration_joins_an_install_to_its_cluster_bindings(tmp_path: Path) -> None:
    """End to end, through the CLI: argo-cd's namespace-install.yaml applied with `-n argocd`, beside the
    ClusterRoleBinding of its application controller (which names `argocd`): one controller, not two."""
    deploy = tmp_path / "deploy" / "argocd"
    deploy.mkdir(parents=True)
    shutil.copy(NAMESPACE_INSTALL, deploy / "namespace-install.yaml")
    shutil.copy(CONTROLLER_BINDING, deploy / "controller-clusterrolebinding.yaml")
    controller = "k8s:default:serviceaccount:argocd/argocd-application-controller"

    def accounts() -> list[str]:
        run = run_cli("check", str(tmp_path), "--as-of", "2026-01-01", "--select", "PL103", "--format", "json",
                      *(("--config", str(tmp_path / ".policylint.yaml")) if (tmp_path / ".policylint.yaml").exists()
                        else ()))
        assert run.code == 1, run.err
        return sorted(f["subject"]["id"] for f in json.loads(run.out)["findings"])

    before = accounts()  # no owner anywhere: PL103 names every account
    assert len(before) == 8 and controller in before
    assert "k8s:default:serviceaccount:default/argocd-application-controller" in before
    write(tmp_path, ".policylint.yaml", """
        kubernetes-namespaces:
          "deploy/argocd/namespace-install.yaml": argocd
        """)
    after = accounts()
    assert len(after) == 7 and controller in after
    assert all(a.startswith("k8s:default:serviceaccount:argocd/") for a in after)
    run = run_cli("facts", controller, "--config", str(tmp_path / ".policylint.yaml"), "--as-of", "2026-01-01")
    assert run.code == 0, run.err
    facts = json.loads(run.out)
    assert facts["flags"] == ["k8s-namespace-from:config"]
    assert sorted(a["role"] for a in facts["assumes"]) == [
        "k8s:default:clusterrolebinding:argocd-application-controller",
        "k8s:default:rolebinding:argocd/argocd-application-controller"]
