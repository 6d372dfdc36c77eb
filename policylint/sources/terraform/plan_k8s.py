"""A plan's Kubernetes provider resources written as the manifests they amount to, read by the Kubernetes reader
(`sources/kubernetes/build.py`): a Role in Terraform means what the same Role in YAML means.

- `kubernetes_role`, `_cluster_role`, `_role_binding`, `_cluster_role_binding`, `_service_account`, `_secret` and
  `_namespace`, each with its `_v1` twin (the same schema), are the object of their kind: the provider's `metadata`
  block is the object's metadata, `rule` blocks its `rules`, `aggregation_rule` its `aggregationRule`, `role_ref`
  its `roleRef`, `subject` blocks its `subjects`, with the API's camelCase names. A namespaced object whose
  metadata names no namespace is in `default`, as the provider puts it. A Secret's data is never read.
- `kubernetes_manifest` holds a whole object in `manifest`: it is that object, whatever its kind (the reader keeps
  the RBAC ones).
- Every object is located at its resource's address. A name the plan leaves unknown (`generate_name`) is the
  object's file and address (as `plan` names what it leaves unnamed).
- A manifest does not say which cluster it is applied to (every one is `k8s:default`); a plan's provider
  configuration is a cluster, so its objects are a cluster of their own, named by the plan's file
  (`k8s:envs%2Fprod%2Fplan.json:…`), and an aliased configuration's by the file and the configuration
  (`….kubernetes.east`): two plans' `ci-admin` bindings are two. An HCL root's default configuration stays
  `k8s:default` (`Plan.cluster`). `plan_k8s_cluster` names them, and keeps the Kubernetes reader's cross-file
  `link`, which completes `k8s:default`, from resolving them with another cluster's roles.

What the plan leaves open fails closed: a subject is anyone the template leaves open (the group
`*anyone-if:<condition>` whose member is `*`), and the binding holds under the condition saying so; a rule's
API groups, resources or verbs are `*`; a role reference names no role that exists, so the binding is unresolved
and grants everything (`k8s-role-unresolved`, with a condition naming the reference); an aggregation selector
matches every ClusterRole under a condition saying so; unknown labels and annotations are left out. A namespace is
any namespace: `*` (the Kubernetes reader's "every namespace", which no real one can be), so a RoleBinding there
grants in every namespace (kube-system's secrets too) under a condition saying so, and a ServiceAccount subject it
names without a namespace is anyone the template leaves open.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from policylint.errors import InputError
from policylint.iam.statements import OPEN_IN_TEMPLATE
from policylint.iam.trust import ANYONE_IF
from policylint.model import EVERYONE, Group, Inventory, Location, Role
from policylint.sources.base import Fragment, Options
from policylint.sources.kubernetes import names
from policylint.sources.kubernetes.build import RBAC_GROUP, build
from policylint.sources.kubernetes.manifests import Manifest, describe
from policylint.sources.terraform.plan_cfn import Translation, y
from policylint.sources.terraform.plan_k8s_cluster import DEFAULT, KEY, in_cluster, label
from policylint.sources.terraform.plan_open import Naming, Opened, Places, attribute, joined, resolved
from policylint.sources.terraform.plan_read import TfResource

_KINDS = {"kubernetes_role": (RBAC_GROUP, "Role"), "kubernetes_cluster_role": (RBAC_GROUP, "ClusterRole"),
          "kubernetes_role_binding": (RBAC_GROUP, "RoleBinding"),
          "kubernetes_cluster_role_binding": (RBAC_GROUP, "ClusterRoleBinding"),
          "kubernetes_service_account": ("", "ServiceAccount"), "kubernetes_secret": ("", "Secret"),
          "kubernetes_namespace": ("", "Namespace")}
_CLUSTER_SCOPED = {"ClusterRole", "ClusterRoleBinding", "Namespace"}
_CAMEL = {"api_groups": "apiGroups", "resource_names": "resourceNames", "non_resource_urls": "nonResourceURLs",
          "api_group": "apiGroup", "cluster_role_selectors": "clusterRoleSelectors", "match_labels": "matchLabels",
          "match_expressions": "matchExpressions"}
_METADATA = ("name", "namespace", "labels", "annotations")
_EVERYTHING = {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}
_OPEN_GROUP = names.group(OPEN_IN_TEMPLATE)
# read field by field below; a Secret's data is never carried (nothing reads it, and it must never be shown)
_READ_APART = ("metadata", "rules", "aggregationRule", "roleRef", "subjects", "data", "stringData", "binaryData")


def k8s_fragment(t: Translation, path: str, options: Options, unnamed: str) -> Fragment:
    """The plan's Kubernetes objects, one cluster per provider configuration they use (see the module docstring)."""
    by_address = {r.address: r for r in t.plan.resources if r.type.startswith("kubernetes_")}
    clusters: dict[str, list[TfResource]] = {}
    for resource in by_address.values():
        clusters.setdefault(resource.provider if KEY.fullmatch(resource.provider) else DEFAULT, []).append(resource)
    return joined(Fragment(Inventory(), []), *(
        _cluster(t, resources, by_address, path, options, unnamed, label(t.plan.cluster, unnamed, key))
        for key, resources in sorted(clusters.items())))


def _cluster(t: Translation, resources: list[TfResource], by_address: dict[str, TfResource], path: str,
             options: Options, unnamed: str, cluster: str | None) -> Fragment:
    objects = _Objects(t, by_address, f"{unnamed}:", path)
    manifests: list[Manifest] = []
    errors: list[InputError] = []
    for resource in resources:
        manifest = objects.manifest(resource, errors)
        if manifest is not None:
            manifests.append(manifest)
    if not manifests:
        return Fragment(Inventory(), errors)
    built = build(path, manifests, [], options.classification_keys, options.namespace_for(path))
    fragment = joined(_opened(objects.places.relocated(built), objects.anywhere), Fragment(Inventory(), errors))
    return fragment if cluster is None else in_cluster(fragment, cluster)


class _Objects:
    def __init__(self, t: Translation, by_address: dict[str, TfResource], unnamed: str, path: str) -> None:
        self.t = t
        self.by_address = by_address
        self.unnamed = unnamed
        self.path = path
        self.places = Places()
        self.naming = Naming(self.name_of, self.name_of)
        self.anywhere: dict[str, str] = {}  # a RoleBinding whose namespace is not known -> what says so

    def name_of(self, r: TfResource) -> str | None:
        """A referenced object's name (`kubernetes_namespace_v1.team.metadata[0].name`)."""
        metadata = r.values.get("metadata")
        first = metadata[0] if isinstance(metadata, list) and metadata else {}
        name = first.get("name") if isinstance(first, dict) else None
        return name if isinstance(name, str) and name else None

    def manifest(self, r: TfResource, errors: list[InputError]) -> Manifest | None:
        if r.type == "kubernetes_manifest":
            body = self.plain(attribute(r, "manifest"))
            return self.object(r, body, errors)
        group, kind = _KINDS.get(r.type.removesuffix("_v1"), (None, None))
        if kind is None or group is None:
            return None
        body = {"apiVersion": f"{group}/v1" if group else "v1", "kind": kind,
                "metadata": _first(self.plain(attribute(r, "metadata")))}
        if kind in ("Role", "ClusterRole"):
            body["rules"] = _camel(self.plain(attribute(r, "rule")))
            aggregation = _first(_camel(self.plain(attribute(r, "aggregation_rule"))))
            if aggregation:
                body["aggregationRule"] = aggregation
        elif kind.endswith("Binding"):
            body["roleRef"] = _first(_camel(self.plain(attribute(r, "role_ref"))))
            body["subjects"] = _camel(self.plain(attribute(r, "subject")))
        elif kind == "Secret":
            body["type"] = self.plain(attribute(r, "type"))
        if kind not in _CLUSTER_SCOPED and isinstance(body["metadata"], dict):
            body["metadata"].setdefault("namespace", "default")  # the provider's default
        return self.object(r, body, errors)

    def plain(self, value: Any) -> Any:
        """The value with an HCL configuration's stand-ins read (`plan_open`): text, or `Opened`."""
        if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("Ref", "Fn::GetAtt", "Fn::Join"):
            return resolved(self.t, value, self.naming, self.by_address)
        if isinstance(value, dict):
            return {k: self.plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.plain(v) for v in value]
        return value

    def object(self, r: TfResource, body: Any, errors: list[InputError]) -> Manifest | None:
        api_version, kind = (body.get("apiVersion"), body.get("kind")) if isinstance(body, dict) else (None, None)
        if not isinstance(api_version, str) or not isinstance(kind, str) or not api_version or not kind:
            shown = f"apiVersion {describe(api_version)} and kind {describe(kind)}" if isinstance(body, dict) \
                else describe(body)
            errors.append(InputError(r.location, f"expected {r.address} to hold a Kubernetes object with apiVersion "
                                                 f"and kind, found {shown}"))
            return None
        namespace = body["metadata"].get("namespace") if isinstance(body.get("metadata"), dict) else None
        body = _closed(body, r, self.unnamed)
        if isinstance(namespace, Opened) and kind == "RoleBinding" and body["metadata"].get("namespace") == names.ALL:
            self.anywhere[names.role_binding(names.ALL, body["metadata"]["name"])] = namespace.what
        group, _, version = api_version.rpartition("/")
        pos = self.places.pos(r.location)
        return Manifest(group, version, kind, y(body, pos), Location(self.path, *pos))


def _closed(body: dict[str, Any], r: TfResource, unnamed: str) -> dict[str, Any]:
    """The object with what the plan leaves open read failing closed (see the module docstring)."""
    closed = {k: _text(v) for k, v in body.items() if k not in _READ_APART}
    metadata = body.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    closed["metadata"] = {k: v for k, v in metadata.items() if k not in _METADATA and not isinstance(v, Opened)}
    name = metadata.get("name")
    closed["metadata"]["name"] = name if isinstance(name, str) and name else unnamed + r.address
    namespace = metadata.get("namespace")
    if isinstance(namespace, str) and namespace:
        closed["metadata"]["namespace"] = namespace
    elif isinstance(namespace, Opened) and body.get("kind") not in _CLUSTER_SCOPED:
        # not known until apply: any namespace (`*`, which no real one is), not `default`: bound there, a binding
        # grants in every namespace (kube-system's secrets too), and a ServiceAccount it names without a namespace
        # is anyone the template leaves open
        closed["metadata"]["namespace"] = names.ALL
        subjects = body.get("subjects")
        if isinstance(subjects, list):
            body = {**body, "subjects": [{**s, "namespace": namespace} if isinstance(s, dict) and s.get(
                "kind") == "ServiceAccount" and not s.get("namespace") else s for s in subjects]}
    for key in ("labels", "annotations"):
        if isinstance(metadata.get(key), dict):
            closed["metadata"][key] = {k: v for k, v in metadata[key].items() if isinstance(v, str)}
    if "rules" in body:
        closed["rules"] = _rules(body["rules"])
    if "aggregationRule" in body:
        closed["aggregationRule"] = _aggregation(body["aggregationRule"])
    if "roleRef" in body:
        closed["roleRef"] = _role_ref(body["roleRef"])
    if "subjects" in body:
        subjects = body["subjects"]
        closed["subjects"] = [_subject(s) for s in subjects] if isinstance(subjects, list) else \
            [_subject(subjects)] if isinstance(subjects, Opened) else subjects
    return closed


def _rules(rules: Any) -> Any:
    if isinstance(rules, Opened):
        return [_EVERYTHING]
    if not isinstance(rules, list):
        return rules
    return [_EVERYTHING if isinstance(rule, Opened) else
            {k: _everything(v) for k, v in rule.items() if v is not None} if isinstance(rule, dict) else rule
            for rule in rules]


def _everything(value: Any) -> Any:
    if isinstance(value, Opened):
        return ["*"]
    return ["*" if isinstance(v, Opened) else v for v in value] if isinstance(value, list) else value


def _aggregation(rule: Any) -> Any:
    """A selector not known until apply is a label that is not label syntax: the reader takes it to match every
    ClusterRole, under a condition saying so."""
    opened = _first_opened(rule)
    if opened is None:
        return rule
    return {"clusterRoleSelectors": [{"matchLabels": {opened.what: "true"}}]}


def _role_ref(ref: Any) -> Any:
    if isinstance(ref, Opened):
        return {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": ref.what}
    if not isinstance(ref, dict):
        return ref
    kind = ref.get("kind")
    return {**{k: _text(v) for k, v in ref.items()}, "kind": "ClusterRole" if isinstance(kind, Opened) else kind}


def _subject(subject: Any) -> Any:
    opened = _first_opened(subject)
    if opened is not None:
        return {"apiGroup": RBAC_GROUP, "kind": "Group", "name": OPEN_IN_TEMPLATE + opened.what}
    if isinstance(subject, dict):
        return {k: v for k, v in subject.items() if v not in (None, "")}
    return subject


def _first_opened(value: Any) -> Opened | None:
    if isinstance(value, Opened):
        return value
    parts = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return next((o for o in map(_first_opened, parts) if o is not None), None)


def _text(value: Any) -> Any:
    """Elsewhere, an open value is the text saying what it is."""
    if isinstance(value, Opened):
        return value.what
    if isinstance(value, dict):
        return {k: _text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_text(v) for v in value]
    return value


def _first(value: Any) -> Any:
    """A block the provider writes as a list of one (`metadata`, `role_ref`)."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _camel(value: Any) -> Any:
    if isinstance(value, dict):
        return {_CAMEL.get(k, k): _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _opened(fragment: Fragment, anywhere: dict[str, str]) -> Fragment:
    """Each open subject (a group named for what is open) as anyone the template leaves open, and its binding held
    under that condition; a binding in any namespace (`anywhere`) held under a condition saying so."""
    roles: list[Role] = []
    groups: dict[str, Location] = {}
    for role in fragment.inventory.roles:
        open_ids = [a for a in role.assumable_by if a.startswith(_OPEN_GROUP)]
        texts = [a.removeprefix(names.GROUP_PREFIX) for a in open_ids]
        whats = [t.removeprefix(OPEN_IN_TEMPLATE) for t in texts]
        whats += [f"{anywhere[role.id]}: any namespace"] if role.id in anywhere else []
        if not whats:
            roles.append(role)
            continue
        groups.update((ANYONE_IF + text, role.location) for text in texts)
        assumable = tuple(ANYONE_IF + a.removeprefix(names.GROUP_PREFIX) if a in open_ids else a
                          for a in role.assumable_by)
        roles.append(replace(role, assumable_by=assumable, condition=OPEN_IN_TEMPLATE + "; ".join(whats)))
    implied = fragment.implied
    kept = tuple(g for g in implied.groups if not g.id.startswith(_OPEN_GROUP))
    added = tuple(Group(gid, where, (EVERYONE,)) for gid, where in groups.items())
    return Fragment(replace(fragment.inventory, roles=tuple(roles)), fragment.errors,
                    replace(implied, groups=(*kept, *added)))

