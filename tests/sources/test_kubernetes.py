"""The Kubernetes RBAC source: the corpus manifests, each construct of issue 3, cross-file linking, bad input."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from policylint.facts import build_context, facts_of
from policylint.graph import build_graph, build_index
from policylint.inventory import load_paths
from policylint.join import join
from policylint.model import Credential, Grant, Group, Inventory, Key, Location, Principal, Resource, Role
from policylint.pipeline import run
from policylint.reach import compute_reach
from policylint.settings import DEFAULT_PATTERNS, Settings
from policylint.sources import SOURCES, Fragment, Options
from policylint.sources import kubernetes as k8s
from policylint.sources.kubernetes.aggregation import parse_selector, selector_text
from policylint.sources.kubernetes.rules import Selector

from helpers import AS_OF, CORPUS, run_cli, write

RBAC = CORPUS / "k8s-rbac"
AC = "k8s:default:access-control"
ALL_TOKENS = "k8s:default:serviceaccount:*/*#token"
ALL_SECRETS = "k8s:default:secrets:*"
UNKNOWN = "rules of {} unknown (defined in no file read with this one, and not built in): assumed to allow everything"


def corpus(name: str) -> str:
    return str(RBAC / name)


def load(path: str | Path) -> Fragment:
    return k8s.load(str(path), Path(path).read_text(encoding="utf-8"), Options())


def merged(*paths: str | Path) -> Inventory:
    """The merged inventory before the cross-file `link` (which `load_paths` runs unless told not to)."""
    loaded = load_paths([str(p) for p in paths], link=False)
    assert [str(e) for e in loaded.errors] == []
    return loaded.inventory


def by_id(nodes: tuple[Any, ...]) -> dict[str, Any]:
    return {node.id: node for node in nodes}


def grants(role: Role) -> list[tuple[str, tuple[str, ...], str | None, str | None, tuple[str, ...]]]:
    return [(g.resource, g.actions, g.condition, g.via, g.actions_given) for g in role.grants]


def facts(paths: list[Path], node_id: str, *, linked: bool = False) -> dict[str, Any]:
    """The facts of one node, with the cross-file `link` applied to the merged inventory when asked."""
    loaded = load_paths([str(p) for p in paths], link=False)
    assert [str(e) for e in loaded.errors] == []
    inventory, errors = join(k8s.link(loaded.inventory) if linked else loaded.inventory)
    assert errors == []
    index = build_index(inventory)
    graph = build_graph(inventory, index)
    reach = compute_reach(graph, inventory, DEFAULT_PATTERNS)
    context = build_context(inventory, index, graph, reach, AS_OF, DEFAULT_PATTERNS)
    return facts_of(index.nodes[node_id], context)


# -- the corpus

CORPUS_COUNTS = {  # file: (principals, groups, roles, keys, resources, credentials, direct grants), implied included
    "argo-cd__argocd-application-controller-clusterrole.yaml": (0, 0, 1, 0, 1, 0, 0),
    "argo-cd__argocd-application-controller-clusterrolebinding.yaml": (1, 0, 1, 1, 2, 0, 0),
    "argo-cd__argocd-server-clusterrole.yaml": (0, 0, 1, 0, 1, 0, 0),
    "argo-cd__namespace-install.yaml": (7, 0, 12, 7, 2, 0, 0),
    "argocd-image-updater__install.yaml": (1, 0, 4, 1, 2, 0, 0),
    "ingress-nginx__cloud_deploy.yaml": (2, 0, 8, 2, 2, 0, 0),
    "kube-state-metrics__autosharding_role-binding.yaml": (1, 0, 1, 1, 2, 0, 0),
    "kube-state-metrics__autosharding_role.yaml": (0, 0, 1, 0, 2, 0, 0),
    "kube-state-metrics__cluster-role-binding.yaml": (1, 0, 1, 1, 2, 0, 0),
    "kube-state-metrics__cluster-role.yaml": (0, 0, 1, 0, 1, 0, 0),
    "kube-state-metrics__service-account.yaml": (1, 0, 0, 1, 2, 0, 0),
    "kubernetes__bootstrappolicy-testdata-cluster-role-bindings.yaml": (2, 4, 6, 0, 1, 0, 1),
    "prometheus-operator__prometheus-cluster-role.yaml": (0, 0, 1, 0, 1, 0, 0),
    "prometheus-operator__prometheus-operator-cluster-role-binding.yaml": (1, 0, 1, 1, 2, 0, 0),
    "prometheus-operator__prometheus-operator-cluster-role.yaml": (0, 0, 1, 0, 1, 0, 0),
    "prometheus-operator__prometheus-operator-crd-cluster-roles.yaml": (0, 0, 2, 0, 1, 0, 0),
    "prometheus-operator__prometheus-operator-service-account.yaml": (1, 0, 0, 1, 2, 0, 0),
}


def counts(inventory: Inventory) -> tuple[int, ...]:
    return tuple(len(getattr(inventory, f)) for f in ("principals", "groups", "roles", "keys", "resources",
                                                        "credentials", "grants"))


@pytest.mark.parametrize("name", sorted(CORPUS_COUNTS))
def test_every_corpus_file_loads_alone(name: str) -> None:
    assert counts(merged(corpus(name))) == CORPUS_COUNTS[name]


def test_every_corpus_file_is_detected_as_kubernetes_and_by_nothing_else() -> None:
    files = sorted(RBAC.glob("*.yaml"))
    assert sorted(p.name for p in files) == sorted(CORPUS_COUNTS)
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert [name for name, source in SOURCES.items() if source.detect(str(path), text)] == ["kubernetes"], path


def test_the_corpus_folder_loads_as_one_cluster() -> None:
    # 15 identities: argocd's controller in `argocd` (its ClusterRoleBinding) and in `default` (namespace-install,
    # which names no namespace), 6 more argo-cd accounts, argocd-image-updater (in `argocd`, where its install
    # manifest's ClusterRoleBinding names it), 2 ingress-nginx, kube-state-metrics (defined once, named by two
    # bindings), prometheus-operator, and the bootstrap users kube-controller-manager and kube-proxy
    inventory = merged(RBAC)
    assert counts(inventory) == (15, 4, 42, 13, 5, 0, 1)
    assert sorted(r.id for r in inventory.resources) == [
        AC, "k8s:default:secrets:argocd", "k8s:default:secrets:default", "k8s:default:secrets:ingress-nginx",
        "k8s:default:secrets:kube-system"]
    # in kube-system, but not an account the control plane runs as: an ordinary one, which needs an owner
    account = by_id(inventory.principals)["k8s:default:serviceaccount:kube-system/kube-state-metrics"]
    assert account == Principal(account.id, Location(corpus("kube-state-metrics__service-account.yaml"), 1, 1),
                                "service")


def test_ingress_nginx_reads_secrets_of_its_namespace_and_of_the_whole_cluster() -> None:
    path = corpus("ingress-nginx__cloud_deploy.yaml")
    fragment = load(path)
    assert fragment.errors == []
    roles = by_id(fragment.inventory.roles)
    controller = "k8s:default:serviceaccount:ingress-nginx/ingress-nginx"
    cluster = roles["k8s:default:clusterrolebinding:ingress-nginx"]
    assert cluster.location == Location(path, 285, 1)
    assert cluster.assumable_by == (controller,)
    assert cluster.flags == ("k8s-read-secrets-cluster",)
    given = ("list secrets", "watch secrets")
    assert grants(cluster) == [(ALL_SECRETS, ("read",), None, "ClusterRole/ingress-nginx", given),
                               (ALL_TOKENS, ("read",), None, "ClusterRole/ingress-nginx", given)]
    assert [g.location for g in cluster.grants] == [Location(path, 155, 3)] * 2  # the rule in the ClusterRole
    local = roles["k8s:default:rolebinding:ingress-nginx/ingress-nginx"]
    assert local.flags == ("k8s-read-secrets-namespace",)
    assert [g.resource for g in local.grants] == ["k8s:default:secrets:ingress-nginx",
                                                  "k8s:default:serviceaccount:ingress-nginx/*#token"]
    # the admission patcher updates the validating webhook configuration: control of what the API server admits
    admission = roles["k8s:default:clusterrolebinding:ingress-nginx-admission"]
    assert admission.flags == ("k8s-admission-webhooks",)
    assert grants(admission) == [(AC, ("admin",), None, "ClusterRole/ingress-nginx-admission",
                                  ("update validatingwebhookconfigurations",))]
    assert admission.grants[0].location == Location(path, 237, 3)
    assert fragment.inventory.keys[0] == Key(
        controller + "#token", Location(path, 9, 1), "signing", "kms", signs_for=(controller,), scope="k8s:default",
        flags=("k8s-serviceaccount-token",))
    assert fragment.implied.resources == (
        Resource(AC, Location(path, 1, 1), "access_control", scope="k8s:default"),
        Resource("k8s:default:secrets:ingress-nginx", Location(path, 1, 1), "secrets", scope="k8s:default"))


def test_argo_cd_namespace_install_puts_unnamespaced_objects_in_default() -> None:
    path = corpus("argo-cd__namespace-install.yaml")
    roles = by_id(load(path).inventory.roles)
    notifications = roles["k8s:default:rolebinding:default/argocd-notifications-controller"]
    assert notifications.assumable_by == ("k8s:default:serviceaccount:default/argocd-notifications-controller",)
    # list/watch on every secret, and get on one named secret: the named read adds nothing, it is merged
    assert grants(notifications) == [
        ("k8s:default:secrets:default", ("read",), None, "Role/argocd-notifications-controller",
         ("list secrets", "watch secrets", "get secrets")),
        ("k8s:default:serviceaccount:default/*#token", ("read",), None, "Role/argocd-notifications-controller",
         ("list secrets", "watch secrets", "get secrets")),
    ]
    redis = roles["k8s:default:rolebinding:default/argocd-redis"]
    assert grants(redis) == [
        ("k8s:default:secrets:default", ("read",), "resourceNames: argocd-redis", "Role/argocd-redis",
         ("get secrets",)),
        ("k8s:default:serviceaccount:default/*#token", ("read",), "resourceNames: argocd-redis", "Role/argocd-redis",
         ("get secrets",)),
    ]
    definition = roles["k8s:default:role:default/argocd-redis"]
    assert definition.assumable_by == () and definition.grants == redis.grants


def test_argo_cd_server_cluster_role_reads_and_patches_everything() -> None:
    role = load(corpus("argo-cd__argocd-server-clusterrole.yaml")).inventory.roles[0]
    assert role.id == "k8s:default:clusterrole:argocd-server"
    # its labels, since it grants something: an aggregationRule of another file may select it
    # `*` resources include the webhook configurations (patch) and nodes/proxy (get): control of the cluster
    assert role.flags == ("k8s-read-secrets-cluster", "k8s-admission-webhooks", "k8s-nodes-proxy",
                          "k8s-label:app.kubernetes.io/component=server",
                          "k8s-label:app.kubernetes.io/name=argocd-server",
                          "k8s-label:app.kubernetes.io/part-of=argocd")
    assert grants(role) == [
        (ALL_SECRETS, ("read",), None, "ClusterRole/argocd-server", ("get *",)),
        (ALL_TOKENS, ("read", "write"), None, "ClusterRole/argocd-server", ("get *", "patch *", "create jobs")),
        (AC, ("admin",), None, "ClusterRole/argocd-server", ("patch *", "get *")),
    ]


def test_bootstrap_bindings_a_v1beta1_list() -> None:
    path = corpus("kubernetes__bootstrappolicy-testdata-cluster-role-bindings.yaml")
    fragment = load(path)
    assert fragment.errors == []
    roles = by_id(fragment.inventory.roles)
    admin = roles["k8s:default:clusterrolebinding:cluster-admin"]
    assert admin.location == Location(path, 3, 3)
    assert admin.assumable_by == ("k8s:default:group:system:masters",)
    assert admin.flags == ("builtin", "k8s-cluster-admin", "k8s-read-secrets-cluster")
    assert grants(admin) == [(ALL_SECRETS, ("read", "*"), None, "ClusterRole/cluster-admin", ("* *",)),
                             (ALL_TOKENS, ("admin", "*"), None, "ClusterRole/cluster-admin", ("* *",)),
                             (AC, ("admin",), None, "ClusterRole/cluster-admin", ("* *",))]
    assert roles["k8s:default:clusterrolebinding:system:kube-controller-manager"].flags == (
        "builtin", "k8s-read-secrets-cluster")
    assert roles["k8s:default:clusterrolebinding:system:discovery"].grants == ()
    controller_manager = Principal("k8s:default:user:system:kube-controller-manager", Location(path, 66, 5),
                                   "service", flags=("builtin",))
    assert fragment.implied.principals[0] == controller_manager
    assert fragment.implied.groups == (
        Group("k8s:default:group:system:masters", Location(path, 15, 5), (), ("builtin", "k8s-cluster-admin")),
        Group("k8s:default:group:system:authenticated", Location(path, 30, 5),
              (controller_manager.id, "k8s:default:user:system:kube-proxy"), ("builtin",)),
        Group("k8s:default:group:system:unauthenticated", Location(path, 33, 5), ("*",), ("builtin",)),
        Group("k8s:default:group:system:nodes", Location(path, 81, 5), (), ("builtin",)),
    )
    assert fragment.implied.grants == (
        Grant(AC, ("admin",), Location(path, 15, 5), to="k8s:default:group:system:masters",
              via="group system:masters (bypasses RBAC)", actions_given=("* *",)),)


def test_aggregated_cluster_roles_of_prometheus_operator_grant_nothing_tracked() -> None:
    roles = load(corpus("prometheus-operator__prometheus-operator-crd-cluster-roles.yaml")).inventory.roles
    assert [(r.id, r.grants, r.flags) for r in roles] == [("k8s:default:clusterrole:prometheus-crd-view", (), ()),
                                                         ("k8s:default:clusterrole:prometheus-crd-edit", (), ())]


# -- across files


def test_a_binding_whose_role_is_in_another_file_fails_closed_alone() -> None:
    path = corpus("kube-state-metrics__cluster-role-binding.yaml")
    (binding,) = load(path).inventory.roles
    ref = Location(path, 9, 1)
    condition = UNKNOWN.format("ClusterRole/kube-state-metrics")
    assert binding.flags == ("k8s-role-unresolved",)
    assert [(g.resource, g.actions, g.condition, g.location) for g in binding.grants] == [
        (AC, ("admin",), condition, ref), (ALL_SECRETS, ("read",), condition, ref),
        (ALL_TOKENS, ("admin",), condition, ref)]


def test_link_gives_a_binding_the_rules_of_its_role_in_another_file() -> None:
    inventory = k8s.link(merged(corpus("kube-state-metrics__cluster-role-binding.yaml"),
                                corpus("kube-state-metrics__cluster-role.yaml")))
    binding = by_id(inventory.roles)["k8s:default:clusterrolebinding:kube-state-metrics"]
    assert binding.flags == ("k8s-read-secrets-cluster",)
    given = ("list secrets", "watch secrets")
    assert grants(binding) == [(ALL_SECRETS, ("read",), None, "ClusterRole/kube-state-metrics", given),
                               (ALL_TOKENS, ("read",), None, "ClusterRole/kube-state-metrics", given)]
    assert binding.grants[0].location == Location(corpus("kube-state-metrics__cluster-role.yaml"), 10, 5)


def test_link_resolves_a_role_binding_to_a_role_that_grants_nothing_tracked() -> None:
    inventory = k8s.link(merged(corpus("kube-state-metrics__autosharding_role-binding.yaml"),
                                corpus("kube-state-metrics__autosharding_role.yaml")))
    binding = by_id(inventory.roles)["k8s:default:rolebinding:kube-system/kube-state-metrics"]
    assert (binding.assumable_by, binding.grants, binding.flags) == (
        ("k8s:default:serviceaccount:kube-system/kube-state-metrics",), (), ())


def test_link_narrows_a_cluster_role_to_the_namespace_of_a_role_binding(tmp_path: Path) -> None:
    write(tmp_path, "binding.yaml", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: app-controller, namespace: team-a}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: argocd-application-controller}
        subjects:
        - {kind: ServiceAccount, name: argocd-application-controller}
        """)
    role = corpus("argo-cd__argocd-application-controller-clusterrole.yaml")
    inventory = k8s.link(merged(tmp_path / "binding.yaml", role))
    binding = by_id(inventory.roles)["k8s:default:rolebinding:team-a/app-controller"]
    # `*` on `*` in one namespace: its secrets and its service accounts, not the cluster's access control
    assert binding.flags == ("k8s-cluster-admin", "k8s-read-secrets-namespace")
    assert [(g.resource, g.actions) for g in binding.grants] == [
        ("k8s:default:secrets:team-a", ("read", "*")), ("k8s:default:serviceaccount:team-a/*#token", ("admin", "*"))]


def test_link_keeps_fail_closed_grants_when_no_file_defines_the_role() -> None:
    inventory = merged(corpus("prometheus-operator__prometheus-operator-cluster-role-binding.yaml"))
    assert k8s.link(inventory) == inventory


def test_link_completes_the_groups_of_service_accounts_across_files(tmp_path: Path) -> None:
    write(tmp_path, "bindings.yaml", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: all-accounts-view, namespace: payments}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
        subjects:
        - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:serviceaccounts:payments"}
        """)
    write(tmp_path, "accounts.yaml", """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: api, namespace: payments}
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: api, namespace: shipping}
        """)
    inventory = merged(tmp_path)
    assert by_id(inventory.groups)["k8s:default:group:system:serviceaccounts:payments"].members == ()
    linked = by_id(k8s.link(inventory).groups)["k8s:default:group:system:serviceaccounts:payments"]
    assert linked.members == ("k8s:default:serviceaccount:payments/api",)


def test_reading_secrets_in_kube_system_reaches_what_its_service_accounts_reach(tmp_path: Path) -> None:
    """The question of the issue: the reader reaches customer data through a kube-system account of another file."""
    write(tmp_path, "org.yaml", """
        policylint: 1
        resources:
          - {id: customer-db, type: database, data: [customer_pii], records: 1000}
        roles:
          - id: db-backup
            assumable_by: [k8s:default:serviceaccount:kube-system/backup]
            grants: [{resource: customer-db, actions: [read]}]
        """)
    write(tmp_path, "accounts.yaml", """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: backup, namespace: kube-system}
        """)
    write(tmp_path, "rbac.yaml", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: secret-reader, namespace: kube-system}
        rules:
        - {apiGroups: [""], resources: [secrets], verbs: [get]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: oncall, namespace: kube-system}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-reader}
        subjects:
        - {apiGroup: rbac.authorization.k8s.io, kind: User, name: jane@acme.example}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: oncall, namespace: payments}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
        subjects:
        - {apiGroup: rbac.authorization.k8s.io, kind: User, name: bob@acme.example}
        """)
    analysis = run(Settings((str(tmp_path),), AS_OF), findings=False).analysis
    jane = facts_of(analysis.index.nodes["k8s:default:user:jane@acme.example"], analysis.context)
    assert jane["reach"]["resources"] == ["customer-db"]
    assert jane["reach"]["path"] == [
        "k8s:default:user:jane@acme.example", "k8s:default:rolebinding:kube-system/oncall",
        "k8s:default:serviceaccount:kube-system/backup#token", "k8s:default:serviceaccount:kube-system/backup",
        "db-backup", "customer-db"]
    bob = facts_of(analysis.index.nodes["k8s:default:user:bob@acme.example"], analysis.context)
    assert bob["reach"]["customer_data"] is False  # `view` reads no secrets, and payments is not kube-system


def test_a_cluster_role_of_another_file_reaches_through_link_only(tmp_path: Path) -> None:
    write(tmp_path, "org.yaml", """
        policylint: 1
        resources:
          - {id: orders, type: bucket, data: [customer_orders], records: 5}
        roles:
          - id: orders-reader
            assumable_by: [k8s:default:serviceaccount:shop/api]
            grants: [{resource: orders, actions: [read]}]
        """)
    write(tmp_path, "account.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api, namespace: shop}\n")
    write(tmp_path, "role.yaml", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: pod-runner}
        rules:
        - {apiGroups: [""], resources: [pods], verbs: [create]}
        """)
    write(tmp_path, "binding.yaml", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: ci, namespace: shop}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-runner}
        subjects:
        - {kind: ServiceAccount, name: ci, namespace: build}
        """)
    paths = sorted(tmp_path.iterdir())
    ci = "k8s:default:serviceaccount:build/ci"
    linked = facts(paths, ci, linked=True)
    assert linked["reach"]["path"] == [ci, "k8s:default:rolebinding:shop/ci",
                                       "k8s:default:serviceaccount:shop/api#token",
                                       "k8s:default:serviceaccount:shop/api", "orders-reader", "orders"]
    assert linked["assumes"] == [{"role": "k8s:default:rolebinding:shop/ci", "flags": []}]
    # without link the binding fails closed: it still reaches the orders, under the "rules unknown" condition
    alone = facts(paths, ci)
    assert alone["reach"]["resources"] == ["orders"]
    assert alone["assumes"] == [{"role": "k8s:default:rolebinding:shop/ci", "flags": ["k8s-role-unresolved"]}]


# -- aggregated ClusterRoles across files

SECRETS_VIEWER = """
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: vault-secrets-view
      labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
    rules:
    - {apiGroups: [""], resources: [secrets], verbs: [get, list]}
    """
FRANK_VIEWS_PAYMENTS = """
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata: {name: frank-view, namespace: payments}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
    subjects: [{kind: User, name: frank@shop.example}]
    """
CUSTOMER_SECRETS = """
    policylint: 1
    annotate:
      - {match: "k8s:default:secrets:payments", data: [customer_payment], records: 100}
      - {match: "k8s:default:secrets:other", data: [customer_payment], records: 7}
    """
NAMESPACES = "apiVersion: v1\nkind: Namespace\nmetadata: {name: payments}\n---\n" \
             "apiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n"


def reached(folder: Path) -> dict[str, list[tuple[str, list[str]]]]:
    """Who reaches which customer data, and by which path, as `policylint reach --format json` says."""
    run = run_cli("reach", str(folder), "--format", "json", "--as-of", "2026-01-01")
    assert run.code == 0, run.err
    return {i["id"]: [(r["id"], r["path"]) for r in i["resources"]] for i in json.loads(run.out)["identities"]}


@pytest.mark.parametrize("layout", ["two files", "one file"])
def test_a_part_labelled_aggregate_to_view_widens_every_binding_of_view(tmp_path: Path, layout: str) -> None:
    if layout == "two files":
        write(tmp_path, "crd-role.yaml", SECRETS_VIEWER)
        write(tmp_path, "binding.yaml", FRANK_VIEWS_PAYMENTS)
    else:
        write(tmp_path, "rbac.yaml", SECRETS_VIEWER + "---" + FRANK_VIEWS_PAYMENTS)
    write(tmp_path, "data.yaml", CUSTOMER_SECRETS)
    write(tmp_path, "namespaces.yaml", NAMESPACES)
    frank, binding = "k8s:default:user:frank@shop.example", "k8s:default:rolebinding:payments/frank-view"
    assert reached(tmp_path) == {frank: [("k8s:default:secrets:payments", [frank, binding,
                                                                           "k8s:default:secrets:payments"])]}
    run = run_cli("facts", frank, str(tmp_path), "--as-of", "2026-01-01")
    # `view`, widened by a part that reads secrets, reads every secret of payments (PL217)
    assert json.loads(run.out)["assumes"] == [{"role": binding,
                                               "flags": ["k8s-read-secrets-namespace", "k8s-aggregated:view"]}]


def test_a_role_binding_of_an_aggregated_cluster_role_stays_in_its_namespace(tmp_path: Path) -> None:
    write(tmp_path, "crd-role.yaml", SECRETS_VIEWER)
    write(tmp_path, "binding.yaml", FRANK_VIEWS_PAYMENTS)
    write(tmp_path, "data.yaml", CUSTOMER_SECRETS)
    write(tmp_path, "namespaces.yaml", NAMESPACES)
    assert [r for r, _ in reached(tmp_path)["k8s:default:user:frank@shop.example"]] == [
        "k8s:default:secrets:payments"]  # not k8s:default:secrets:other
    inventory = k8s.link(merged(tmp_path / "crd-role.yaml", tmp_path / "binding.yaml"))
    binding = by_id(inventory.roles)["k8s:default:rolebinding:payments/frank-view"]
    given = ("get secrets", "list secrets")
    assert grants(binding) == [
        ("k8s:default:secrets:payments", ("read",), None, "ClusterRole/view", given),
        ("k8s:default:serviceaccount:payments/*#token", ("read",), None, "ClusterRole/view", given)]
    assert binding.grants[0].location == Location(str(tmp_path / "crd-role.yaml"), 7, 3)  # the part's rule
    assert binding.flags == ("k8s-read-secrets-namespace", "k8s-aggregated:view")


AGGREGATED_READER = """
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata: {name: aggregated-reader}
    aggregationRule:
      clusterRoleSelectors:
      - matchLabels: {rbac.shop.example/aggregate-to-reader: "true"}
    rules: []
    """


def test_a_custom_aggregated_cluster_role_takes_its_parts_from_other_files(tmp_path: Path) -> None:
    write(tmp_path, "roles.yaml", AGGREGATED_READER)
    write(tmp_path, "agg-part.yaml", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: secrets-part
          labels: {rbac.shop.example/aggregate-to-reader: "true"}
        rules:
        - {apiGroups: ["*"], resources: ["*"], verbs: [get]}
        """)
    write(tmp_path, "bindings.yaml", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: carol-agg}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: aggregated-reader}
        subjects: [{kind: User, name: carol@shop.example}]
        """)
    write(tmp_path, "data.yaml", CUSTOMER_SECRETS)
    write(tmp_path, "namespaces.yaml", NAMESPACES)
    carol = "k8s:default:user:carol@shop.example"
    # `get` on `*` reads every secret, and is also `get nodes/proxy`: the kubelet API, admin on the cluster
    assert reached(tmp_path)[carol] == [
        ("k8s:default:secrets:payments", [carol, "k8s:default:clusterrolebinding:carol-agg", AC,
                                          "k8s:default:secrets:payments"]),
        ("k8s:default:secrets:other", [carol, "k8s:default:clusterrolebinding:carol-agg", AC,
                                       "k8s:default:secrets:other"])]
    roles = by_id(k8s.link(merged(tmp_path / "roles.yaml", tmp_path / "agg-part.yaml",
                                  tmp_path / "bindings.yaml")).roles)
    binding = roles["k8s:default:clusterrolebinding:carol-agg"]
    # resolved in `link` (the role is in another file), then widened by the part of a third file
    assert binding.flags == ("k8s-read-secrets-cluster", "k8s-nodes-proxy", "k8s-aggregated:aggregated-reader")
    assert grants(binding) == [(ALL_SECRETS, ("read",), None, "ClusterRole/aggregated-reader", ("get *",)),
                               (ALL_TOKENS, ("read",), None, "ClusterRole/aggregated-reader", ("get *",)),
                               (AC, ("admin",), None, "ClusterRole/aggregated-reader", ("get *",))]
    aggregated = roles["k8s:default:clusterrole:aggregated-reader"]
    assert aggregated.flags == ("k8s-read-secrets-cluster", "k8s-nodes-proxy",
                                "k8s-aggregates:rbac.shop.example/aggregate-to-reader=true")
    assert aggregated.grants == binding.grants
    assert roles["k8s:default:clusterrole:secrets-part"].flags == (
        "k8s-read-secrets-cluster", "k8s-nodes-proxy", "k8s-label:rbac.shop.example/aggregate-to-reader=true")


@pytest.mark.parametrize(("label", "role", "widened"), [
    ("aggregate-to-view", "view", True),
    ("aggregate-to-view", "edit", True),
    ("aggregate-to-view", "admin", True),
    ("aggregate-to-edit", "view", False),
    ("aggregate-to-edit", "edit", True),
    ("aggregate-to-edit", "admin", True),
    ("aggregate-to-admin", "edit", False),
    ("aggregate-to-admin", "admin", True),
])
def test_the_built_in_aggregation_chain_view_into_edit_into_admin(tmp_path: Path, label: str, role: str,
                                                                  widened: bool) -> None:
    # impersonating users: only the part gives it (edit and admin already read secrets), cluster-wide only
    write(tmp_path, "part.yaml", f"""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: impersonation-part
          labels: {{rbac.authorization.k8s.io/{label}: "true"}}
        rules:
        - {{apiGroups: [""], resources: [users], verbs: [impersonate]}}
        """)
    write(tmp_path, "binding.yaml", f"""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {{name: team}}
        roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {role}}}
        subjects: [{{kind: Group, name: team}}]
        """)
    (binding,) = [r for r in k8s.link(merged(tmp_path)).roles if "binding" in r.id]
    impersonation = (AC, ("admin",), None, f"ClusterRole/{role}", ("impersonate users",))
    assert (impersonation in grants(binding)) is widened
    assert binding.flags[-1] == f"k8s-aggregated:{role}"


PARTS = """
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: reader
      labels: {tier: secrets-reader}
    rules:
    - {apiGroups: [""], resources: [secrets], verbs: [watch]}
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: runner
      labels: {tier: jobs}
    rules:
    - {apiGroups: [batch], resources: [jobs], verbs: [create]}
    """


def aggregator(expression: str) -> str:
    return f"""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {{name: monitoring}}
        aggregationRule:
          clusterRoleSelectors:
          - matchExpressions: [{expression}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {{name: monitoring, namespace: monitoring}}
        roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: monitoring}}
        subjects: [{{kind: ServiceAccount, name: prometheus}}]
        """


@pytest.mark.parametrize(("case", "expression", "selector", "given"), [
    ("in", "{key: tier, operator: In, values: [secrets-reader]}", "tier in (secrets-reader)",
     {"watch secrets"}),
    ("exists", "{key: tier, operator: Exists}", "tier", {"watch secrets", "create jobs"}),
    ("in, no such value", "{key: tier, operator: In, values: [frontend, backend]}", "tier in (backend,frontend)",
     set()),
])
def test_match_expressions_are_evaluated_across_files(tmp_path: Path, case: str, expression: str, selector: str,
                                                     given: set[str]) -> None:
    write(tmp_path, "parts.yaml", PARTS)
    write(tmp_path, "monitoring.yaml", aggregator(expression))
    roles = by_id(k8s.link(merged(tmp_path)).roles)
    assert roles["k8s:default:clusterrole:monitoring"].flags[-1] == f"k8s-aggregates:{selector}"
    binding = roles["k8s:default:rolebinding:monitoring/monitoring"]
    assert {a for g in binding.grants for a in g.actions_given} == given
    assert {g.condition for g in binding.grants} <= {None}
    assert {g.resource for g in binding.grants} <= {"k8s:default:secrets:monitoring",
                                                   "k8s:default:serviceaccount:monitoring/*#token"}


def test_a_selector_that_is_not_label_syntax_fails_closed_with_a_condition(tmp_path: Path) -> None:
    # the API server rejects such a selector: whatever is applied instead, assume it matches every ClusterRole
    write(tmp_path, "parts.yaml", PARTS)
    write(tmp_path, "monitoring.yaml", aggregator("{key: tier, operator: In, values: [secrets reader]}"))
    roles = by_id(k8s.link(merged(tmp_path)).roles)
    assert roles["k8s:default:clusterrole:monitoring"].flags[-1] == 'k8s-aggregates:tier in ("secrets reader")'
    binding = roles["k8s:default:rolebinding:monitoring/monitoring"]
    assumed = ('aggregationRule of ClusterRole/monitoring: selector tier in ("secrets reader") is not label syntax,'
               " assumed to match every ClusterRole")
    # the built-in cluster-admin too: `*` on `*`, in the binding's namespace
    assert [(g.resource, g.actions, g.condition) for g in binding.grants] == [
        ("k8s:default:secrets:monitoring", ("read", "*"), assumed),
        ("k8s:default:serviceaccount:monitoring/*#token", ("read", "write", "admin", "*"), assumed)]
    assert {"watch secrets", "create jobs"} <= set(binding.grants[1].actions_given)  # and the parts of the file
    assert binding.flags == ("k8s-cluster-admin", "k8s-aggregated:monitoring")


def test_aggregation_across_files_is_transitive_and_may_be_cyclic(tmp_path: Path) -> None:
    for name, selects in (("a", "b"), ("b", "a")):
        write(tmp_path, f"{name}.yaml", f"""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: {name}
              labels: {{aggregate-to-{selects}: "true"}}
            aggregationRule:
              clusterRoleSelectors:
              - matchLabels: {{aggregate-to-{name}: "true"}}
            """)
    write(tmp_path, "part.yaml", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: part
          labels: {aggregate-to-a: "true"}
        rules:
        - {apiGroups: [""], resources: [pods], verbs: [create]}
        """)
    roles = by_id(k8s.link(merged(tmp_path)).roles)
    for name in ("a", "b"):
        assert grants(roles[f"k8s:default:clusterrole:{name}"]) == [
            (ALL_TOKENS, ("write",), None, f"ClusterRole/{name}", ("create pods",))]


@pytest.mark.parametrize(("case", "text", "selector"), [
    ("labels", "app=web,tier=", Selector((("app", "web"), ("tier", "")), ())),
    ("expressions", "a in (x,y),b notin (z),c,!d", Selector((), (
        ("a", "In", frozenset({"x", "y"})), ("b", "NotIn", frozenset({"z"})), ("c", "Exists", frozenset()),
        ("d", "DoesNotExist", frozenset())))),
    ("empty: every ClusterRole", "", Selector((), ())),
    ("quoted", 'tier in ("a b")', None),
    ("trailing comma", "app=web,", None),
    ("negated value", "!app=web", None),
])
def test_selectors_read_back_from_their_flags(case: str, text: str, selector: Selector | None) -> None:
    assert parse_selector(text) == selector
    if selector is not None:
        assert parse_selector(selector_text(selector)) == selector


# -- constructs


def test_an_aggregated_cluster_role_takes_the_rules_of_the_roles_its_selectors_match(tmp_path: Path) -> None:
    path = write(tmp_path, "aggregate.yaml", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: monitoring}
        aggregationRule:
          clusterRoleSelectors:
          - matchLabels: {rbac.example.com/aggregate-to-monitoring: "true"}
          - matchExpressions:
            - {key: tier, operator: In, values: [secrets-reader]}
        rules: []
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: monitoring-pods
          labels: {rbac.example.com/aggregate-to-monitoring: "true"}
        rules:
        - {apiGroups: [""], resources: [pods], verbs: [create]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: monitoring-secrets
          labels: {tier: secrets-reader}
        rules:
        - {apiGroups: [""], resources: [secrets], verbs: [watch]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: not-selected
          labels: {tier: frontend}
        rules:
        - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: monitoring}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: monitoring}
        subjects:
        - {kind: ServiceAccount, name: prometheus, namespace: monitoring}
        """)
    fragment = load(path)
    roles = by_id(fragment.inventory.roles)
    binding = roles["k8s:default:clusterrolebinding:monitoring"]
    assert binding.flags == ("k8s-read-secrets-cluster", "k8s-aggregated:monitoring")
    assert grants(binding) == [
        (ALL_TOKENS, ("read", "write"), None, "ClusterRole/monitoring", ("create pods", "watch secrets")),
        (ALL_SECRETS, ("read",), None, "ClusterRole/monitoring", ("watch secrets",)),
    ]
    assert [g.location.line for g in binding.grants] == [17, 25]  # the components' rules
    aggregated = roles["k8s:default:clusterrole:monitoring"]
    assert aggregated.grants == binding.grants
    assert aggregated.flags == ("k8s-read-secrets-cluster",
                                "k8s-aggregates:rbac.example.com/aggregate-to-monitoring=true",
                                "k8s-aggregates:tier in (secrets-reader)")
    assert roles["k8s:default:clusterrole:monitoring-secrets"].flags == ("k8s-read-secrets-cluster",
                                                                        "k8s-label:tier=secrets-reader")
    # every part is in the file: `link` finds nothing more
    assert k8s.link(fragment.inventory) == fragment.inventory


def test_a_component_in_the_file_widens_the_built_in_view(tmp_path: Path) -> None:
    path = write(tmp_path, "view.yaml", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: secrets-viewer
          labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
        rules:
        - {apiGroups: [""], resources: [secrets], verbs: [get]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: auditors, namespace: kube-system}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
        subjects:
        - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: auditors}
        """)
    binding = by_id(load(path).inventory.roles)["k8s:default:rolebinding:kube-system/auditors"]
    assert binding.flags == ("k8s-read-secrets-cluster", "k8s-aggregated:view")
    assert [g.resource for g in binding.grants] == ["k8s:default:secrets:kube-system",
                                                    "k8s:default:serviceaccount:kube-system/*#token"]


@pytest.mark.parametrize(("role", "flags", "resources"), [
    ("view", ("k8s-aggregated:view",), []),
    ("edit", ("k8s-read-secrets-namespace", "k8s-aggregated:edit"),
     ["k8s:default:secrets:apps", "k8s:default:serviceaccount:apps/*#token"]),
    ("admin", ("k8s-read-secrets-namespace", "k8s-aggregated:admin"),
     ["k8s:default:secrets:apps", "k8s:default:serviceaccount:apps/*#token"]),
    ("cluster-admin", ("k8s-cluster-admin", "k8s-read-secrets-namespace"),
     ["k8s:default:secrets:apps", "k8s:default:serviceaccount:apps/*#token"]),
    ("system:node-proxier", (), []),
    ("system:kubelet-api-admin", (), []),  # nodes/proxy: nodes are cluster-scoped, a RoleBinding gives nothing
])
def test_built_in_cluster_roles_bound_in_a_namespace(tmp_path: Path, role: str, flags: tuple[str, ...],
                                                     resources: list[str]) -> None:
    path = write(tmp_path, "binding.yaml", f"""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {{name: team, namespace: apps}}
        roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "{role}"}}
        subjects:
        - {{apiGroup: rbac.authorization.k8s.io, kind: Group, name: team}}
        """)
    (binding,) = load(path).inventory.roles
    assert binding.flags == flags
    assert [g.resource for g in binding.grants] == resources


ESCALATION = """
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata: {name: powers}
    rules:
    - {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [view]}
    - {apiGroups: [""], resources: [users, groups], verbs: [impersonate]}
    - {apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate], resourceNames: [deployer, backup]}
    - {apiGroups: [""], resources: [serviceaccounts/token], verbs: [create], resourceNames: [builder]}
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata: {name: powers}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: powers}
    subjects:
    - {apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:serviceaccount:ci:runner"}
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata: {name: powers, namespace: apps}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: powers}
    subjects:
    - {kind: ServiceAccount, name: runner}
    """


def test_escalation_and_impersonation_cluster_wide_and_in_a_namespace(tmp_path: Path) -> None:
    path = write(tmp_path, "powers.yaml", ESCALATION)
    fragment = load(path)
    roles = by_id(fragment.inventory.roles)
    cluster = roles["k8s:default:clusterrolebinding:powers"]
    # a User named system:serviceaccount:<ns>:<name> is that service account
    assert cluster.assumable_by == ("k8s:default:serviceaccount:ci/runner",)
    via = "ClusterRole/powers"
    assert [(g.resource, g.actions, g.condition, g.actions_given) for g in cluster.grants] == [
        (ALL_SECRETS, ("read",), "resourceNames: view", ("bind clusterroles",)),
        (ALL_TOKENS, ("admin",), "resourceNames: view", ("bind clusterroles",)),
        # bind limited to `view` would be admin under a condition: impersonating any user already is, unconditionally
        (AC, ("admin",), None, ("impersonate users", "impersonate groups", "bind clusterroles")),
        ("k8s:default:serviceaccount:*/deployer#token", ("admin",), None, ("impersonate serviceaccounts",)),
        ("k8s:default:serviceaccount:*/backup#token", ("admin",), None, ("impersonate serviceaccounts",)),
        ("k8s:default:serviceaccount:*/builder#token", ("write",), None, ("create serviceaccounts/token",)),
    ]
    assert {g.via for g in cluster.grants} == {via}
    # in a namespace: impersonating users and groups is out of reach (they are cluster-scoped), bind is namespaced
    local = roles["k8s:default:rolebinding:apps/powers"]
    assert local.assumable_by == ("k8s:default:serviceaccount:apps/runner",)
    assert [(g.resource, g.condition) for g in local.grants] == [
        ("k8s:default:secrets:apps", "resourceNames: view"),
        ("k8s:default:serviceaccount:apps/*#token", "resourceNames: view"),
        ("k8s:default:serviceaccount:apps/deployer#token", None),
        ("k8s:default:serviceaccount:apps/backup#token", None),
        ("k8s:default:serviceaccount:apps/builder#token", None),
    ]
    assert [p.id for p in fragment.implied.principals] == ["k8s:default:serviceaccount:ci/runner",
                                                           "k8s:default:serviceaccount:apps/runner"]


def test_kubectl_json_list_with_v1alpha1_objects(tmp_path: Path) -> None:
    path = write(tmp_path, "rbac.json", """
        {
            "apiVersion": "v1",
            "items": [
                {
                    "apiVersion": "rbac.authorization.k8s.io/v1alpha1",
                    "kind": "ClusterRoleBinding",
                    "metadata": {"name": "ops"},
                    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                "name": "cluster-admin"},
                    "subjects": [{"kind": "Group", "name": "ops", "apiGroup": "rbac.authorization.k8s.io"}]
                }
            ],
            "kind": "List",
            "metadata": {"resourceVersion": ""}
        }
        """)
    assert k8s.detect(str(path), path.read_text(encoding="utf-8"))
    fragment = load(path)
    assert fragment.errors == []
    (binding,) = fragment.inventory.roles
    assert (binding.id, binding.location, binding.assumable_by, binding.flags) == (
        "k8s:default:clusterrolebinding:ops", Location(str(path), 4, 9), ("k8s:default:group:ops",),
        ("k8s-cluster-admin", "k8s-read-secrets-cluster"))


def test_service_account_groups_and_users_of_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "groups.yaml", """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: api, namespace: shop}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: everyone, namespace: shop}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
        subjects:
        - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:serviceaccounts:shop"}
        - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:serviceaccounts"}
        - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:authenticated"}
        - {kind: ServiceAccount, name: worker}
        - {kind: ServiceAccount, name: batch, namespace: jobs}
        - {apiGroup: rbac.authorization.k8s.io, kind: User, name: lee.sy}
        """)
    fragment = load(path)
    shop = ("k8s:default:serviceaccount:shop/api", "k8s:default:serviceaccount:shop/worker")
    every = (*shop, "k8s:default:serviceaccount:jobs/batch")
    assert [(g.id, g.members, g.flags) for g in fragment.implied.groups] == [
        ("k8s:default:group:system:serviceaccounts:shop", shop, ("builtin",)),
        ("k8s:default:group:system:serviceaccounts", every, ("builtin",)),
        ("k8s:default:group:system:authenticated", (*every, "k8s:default:user:lee.sy"), ("builtin",)),
    ]
    assert fragment.implied.principals[-1] == Principal("k8s:default:user:lee.sy", Location(str(path), 15, 3),
                                                        "user", identifiers=("lee.sy",))
    assert [r.id for r in fragment.implied.resources] == [AC, "k8s:default:secrets:shop", "k8s:default:secrets:jobs"]


def test_legacy_token_secrets_are_credentials(tmp_path: Path) -> None:
    path = write(tmp_path, "tokens.yaml", """
        apiVersion: v1
        kind: Secret
        metadata:
          annotations: {kubernetes.io/service-account.name: deployer}
          creationTimestamp: "2021-03-04T09:12:44Z"
          labels: {kubernetes.io/legacy-token-last-used: "2025-11-20"}
          name: deployer-token
          namespace: ci
        type: kubernetes.io/service-account-token
        data: {token: ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNkluZ3lJbjA=}
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          annotations: {kubernetes.io/service-account.name: builder}
          labels: {kubernetes.io/legacy-token-invalid-since: "2025-09-01"}
          name: builder-token
          namespace: ci
        type: kubernetes.io/service-account-token
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: db-password, namespace: payments}
        type: Opaque
        """)
    fragment = load(path)
    assert fragment.errors == []
    assert fragment.inventory.credentials == (
        Credential("k8s:default:secret:ci/deployer-token", Location(str(path), 1, 1), "token",
                   "k8s:default:serviceaccount:ci/deployer", None, "active", date(2021, 3, 4), date(2025, 11, 20),
                   flags=("k8s-legacy-token",)),
        Credential("k8s:default:secret:ci/builder-token", Location(str(path), 12, 1), "token",
                   "k8s:default:serviceaccount:ci/builder", None, "inactive", flags=("k8s-legacy-token",)),
    )
    assert [p.id for p in fragment.implied.principals] == ["k8s:default:serviceaccount:ci/deployer",
                                                           "k8s:default:serviceaccount:ci/builder"]
    assert [r.id for r in fragment.implied.resources] == [AC, "k8s:default:secrets:ci", "k8s:default:secrets:payments"]


def test_other_kinds_are_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, "app.yaml", """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api, namespace: shop}
        spec: {template: {spec: {serviceAccountName: api}}}
        ---
        apiVersion: iam.cnrm.cloud.google.com/v1beta1
        kind: Role
        metadata: {name: not-rbac}
        """)
    fragment = load(path)
    assert (fragment.inventory, fragment.errors, fragment.implied) == (Inventory(), [], Inventory())


def test_a_service_account_defined_in_two_files_is_a_duplicate(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        write(tmp_path, name, "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api, namespace: shop}\n")
    loaded = load_paths([str(tmp_path)])
    assert [str(e) for e in loaded.errors] == [
        f"{tmp_path / 'b.yaml'}:1:1: error: expected each id once in the inventory, found"
        f" 'k8s:default:serviceaccount:shop/api' again (a principal first defined at {tmp_path / 'a.yaml'}:1:1)",
        f"{tmp_path / 'b.yaml'}:1:1: error: expected each id once in the inventory, found"
        f" 'k8s:default:serviceaccount:shop/api#token' again (a key first defined at {tmp_path / 'a.yaml'}:1:1)",
    ]


# -- detection and bad input


@pytest.mark.parametrize(("case", "text", "ours"), [
    ("manifest", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n", True),
    ("list, kind at the end", "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Secret\nkind: List\n", True),
    ("after a separator", "# rbac\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n", True),
    ("json", '{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "a"}}', True),
    ("native", "policylint: 1\npeople: []\n", False),
    ("helm template", "{{- if .Values.rbac.create }}\napiVersion: v1\nkind: ServiceAccount\n", False),
    ("helm value", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .Release.Name }}\n", False),
    ("nested apiVersion", "Resources:\n  Role:\n    apiVersion: v1\n    kind: Role\n", False),
    ("gcp policy", "bindings:\n- members: [user:a@b.c]\n  role: roles/owner\netag: x\nversion: 1\n", False),
    ("scim json", '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a"}', False),
])
def test_detection(case: str, text: str, ours: bool) -> None:
    assert k8s.detect("f.yaml", text) is ours


def test_a_broken_document_is_reported_and_the_others_still_load(tmp_path: Path) -> None:
    path = write(tmp_path, "deploy.yaml", """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: first, namespace: apps}
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: broken
            namespace: apps
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: last, namespace: apps}
        """)
    fragment = load(path)
    assert [str(e) for e in fragment.errors] == [
        f"{path}:9:14: error: invalid YAML: mapping values are not allowed in this context"]
    assert [(p.id, p.location) for p in fragment.inventory.principals] == [
        ("k8s:default:serviceaccount:apps/first", Location(str(path), 1, 1)),
        ("k8s:default:serviceaccount:apps/last", Location(str(path), 11, 1))]


MALFORMED = [
    ("binding without roleRef", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: no-ref, namespace: apps}
        subjects:
        - {kind: ServiceAccount, name: api}
        """, "1:1: error: expected roleRef of RoleBinding 'no-ref' to name a Role or ClusterRole (kind, name), found"
             " no roleRef"),
    ("cluster binding to a Role", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: odd}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: view}
        """, "4:1: error: expected roleRef of ClusterRoleBinding 'odd' to name a ClusterRole (kind, name), found kind"
             " the string 'Role'"),
    ("subjects not a list", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: one-subject}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
        subjects: {kind: User, name: jane}
        """, "5:11: error: expected subjects to be a list of User, Group or ServiceAccount subjects, found a mapping"),
    ("list with a non-mapping item", """
        apiVersion: v1
        kind: List
        items:
        - just a string
        """, "4:3: error: expected a Kubernetes object (a mapping with apiVersion and kind), found the string"
             " 'just a string'"),
    ("items not a list", "apiVersion: v1\nkind: List\nitems: 3\n",
     "3:8: error: expected items of a List to be a list, found the number 3"),
    ("a scalar document", "apiVersion: v1\nkind: List\n---\nhello\n",
     "3:1: error: expected a Kubernetes object (a mapping with apiVersion and kind), found the string 'hello'"),
    ("no kind", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n---\napiVersion: v1\nmetadata: {name: b}\n",
     "5:1: error: expected a Kubernetes object with apiVersion and kind, found no kind"),
    ("no name", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {namespace: apps}\n",
     "1:1: error: expected metadata.name of the ServiceAccount to be a string, found nothing"),
    ("namespace not a string", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a, namespace: [x]}\n",
     "1:1: error: expected metadata.namespace of ServiceAccount 'a' to be a string, found a list"),
    ("rules not a list", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: r}
        rules: {verbs: [get]}
        """, "4:8: error: expected rules to be a list of policy rules, found a mapping"),
    ("verbs not a list", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: r, namespace: apps}
        rules:
        - {apiGroups: [""], resources: [secrets], verbs: get}
        """, "5:50: error: expected verbs to be a list of strings, found the string 'get'"),
    ("rule without verbs", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: r, namespace: apps}
        rules:
        - {apiGroups: [""], resources: [secrets]}
        """, "5:3: error: expected a policy rule with at least one verb, found none"),
    ("bad selector", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: r}
        aggregationRule:
          clusterRoleSelectors:
          - matchExpressions: [{key: tier, operator: Like, values: [a]}]
        """, "6:5: error: expected matchExpressions entries with key, operator (In, NotIn, Exists, DoesNotExist) and"
             " values, found a mapping"),
    ("service account without namespace in a cluster binding", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: b}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
        subjects:
        - {kind: ServiceAccount, name: api}
        """, "6:3: error: expected a namespace for ServiceAccount subject 'api' of a ClusterRoleBinding, found none"),
    ("unknown subject kind", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: b}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
        subjects:
        - {kind: Robot, name: r2d2}
        """, "6:3: error: expected subject kind User, Group or ServiceAccount, found the string 'Robot'"),
    ("token secret without its account", """
        apiVersion: v1
        kind: Secret
        metadata: {name: t, namespace: apps}
        type: kubernetes.io/service-account-token
        """, "1:1: error: expected annotation kubernetes.io/service-account.name naming the service account of"
             " kubernetes.io/service-account-token Secret 't', found none"),
    ("token last used not a date", """
        apiVersion: v1
        kind: Secret
        metadata:
          name: t
          namespace: apps
          annotations: {kubernetes.io/service-account.name: api}
          labels: {kubernetes.io/legacy-token-last-used: last tuesday}
        type: kubernetes.io/service-account-token
        """, "7:50: error: expected label kubernetes.io/legacy-token-last-used to be a date YYYY-MM-DD, found the"
             " string 'last tuesday'"),
]


@pytest.mark.parametrize(("case", "text", "error"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_input_is_a_located_error(tmp_path: Path, case: str, text: str, error: str) -> None:
    path = write(tmp_path, "rbac.yaml", text)
    run = run_cli("check", str(path), "--as-of", "2026-01-01")
    assert run.code == 2
    assert [line for line in (run.out + run.err).splitlines() if ": error: " in line] == [f"{path}:{error}"]


@pytest.mark.parametrize(("namespace", "flags"), [
    (None, ("k8s-read-secrets-cluster",)),
    ("kube-system", ("k8s-read-secrets-cluster",)),
    ("monitoring", ("k8s-read-secrets-namespace",)),
])
def test_link_flags_secret_readers_by_the_scope_of_the_binding(tmp_path: Path, namespace: str | None,
                                                                flags: tuple[str, ...]) -> None:
    # prometheus-operator's ClusterRole has `*` on configmaps and secrets: `*` is a read too
    kind = "RoleBinding" if namespace else "ClusterRoleBinding"
    write(tmp_path, "binding.yaml", f"""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: {kind}
        metadata: {{name: operator, namespace: {namespace or '~'}}}
        roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: prometheus-operator}}
        subjects:
        - {{kind: ServiceAccount, name: prometheus-operator, namespace: monitoring}}
        """)
    role = corpus("prometheus-operator__prometheus-operator-cluster-role.yaml")
    (binding,) = [r for r in k8s.link(merged(tmp_path / "binding.yaml", role)).roles if "binding" in r.id]
    assert binding.flags == flags
    scope = namespace or "*"
    assert [(g.resource, g.actions, g.actions_given) for g in binding.grants] == [
        (f"k8s:default:serviceaccount:{scope}/*#token", ("*",), ("* statefulsets", "* secrets")),
        (f"k8s:default:secrets:{scope}", ("*",), ("* secrets",))]


def test_secrets_annotated_as_customer_data_are_reached_by_their_readers(tmp_path: Path) -> None:
    write(tmp_path, "annotations.yaml", """
        policylint: 1
        annotate:
          - {match: "k8s:default:secrets:payments", data: [customer_card_tokens], records: 250}
        """)
    write(tmp_path, "rbac.yaml", """
        apiVersion: v1
        kind: Namespace
        metadata: {name: payments}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: backup-operator}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:node}
        subjects:
        - {kind: ServiceAccount, name: velero, namespace: backup}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: shop-view, namespace: shop}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
        subjects:
        - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: shop-devs}
        """)
    analysis = run(Settings((str(tmp_path),), AS_OF), findings=False).analysis
    assert [str(e) for e in analysis.errors] == []
    velero = facts_of(analysis.index.nodes["k8s:default:serviceaccount:backup/velero"], analysis.context)
    assert (velero["reach"]["resources"], velero["reach"]["records"]) == (["k8s:default:secrets:payments"], 250)
    assert velero["reach"]["path"] == ["k8s:default:serviceaccount:backup/velero",
                                       "k8s:default:clusterrolebinding:backup-operator", "k8s:default:secrets:payments"]
    devs = facts_of(analysis.index.nodes["k8s:default:group:shop-devs"], analysis.context)
    assert devs["reach"]["customer_data"] is False  # edit reads secrets, but in shop only


def test_the_pipeline_links_bindings_to_roles_of_other_files(tmp_path: Path) -> None:
    write(tmp_path, "role.yaml", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: pod-runner}
        rules:
        - {apiGroups: [""], resources: [pods], verbs: [create]}
        """)
    write(tmp_path, "binding.yaml", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: ci, namespace: shop}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-runner}
        subjects:
        - {kind: ServiceAccount, name: ci, namespace: build}
        """)
    run = run_cli("facts", "k8s:default:serviceaccount:build/ci", str(tmp_path), "--as-of", "2026-01-01")
    assert run.code == 0, run.err
    assert json.loads(run.out)["assumes"] == [{"role": "k8s:default:rolebinding:shop/ci", "flags": []}]


def test_a_namespace_label_classifies_its_secrets_as_customer_data(tmp_path: Path) -> None:
    write(tmp_path, "ns.yaml", """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: payments
          labels: {data-classification: "customer_payment, customer_pii"}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: debug, namespace: payments}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
        subjects:
        - {kind: User, name: dana@example.com}
        """)
    write(tmp_path, "other.yaml", """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: api, namespace: payments}
        """)
    run = run_cli("reach", str(tmp_path), "--format", "json", "--as-of", "2026-01-01")
    [dana] = json.loads(run.out)["identities"]
    assert dana["id"] == "k8s:default:user:dana@example.com"
    assert [(r["id"], r["classes"]) for r in dana["resources"]] == [
        ("k8s:default:secrets:payments", ["customer_payment", "customer_pii"])]


def test_an_owner_annotation_names_who_answers_for_a_service_account(tmp_path: Path) -> None:
    write(tmp_path, "sa.yaml", """
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: api
          namespace: payments
          annotations: {owner: lee.sy@x.com}
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: batch, namespace: payments}
        """)
    write(tmp_path, "people.yaml", "policylint: 1\npeople: [{id: lee.sy, status: active, emails: [lee.sy@x.com]}]")
    run = run_cli("check", str(tmp_path), "--as-of", "2026-01-01", "--select", "PL103", "--format", "json")
    flagged = [f["subject"]["id"] for f in json.loads(run.out)["findings"]]
    assert flagged == ["k8s:default:serviceaccount:payments/batch"]  # api's owner joined to lee.sy
