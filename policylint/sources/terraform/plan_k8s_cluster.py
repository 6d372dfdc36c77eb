"""The cluster a plan's Kubernetes objects are in (`plan_k8s`).

A manifest does not say which cluster it is applied to: the Kubernetes reader puts every object in `k8s:default`
and, once every file is read, completes bindings and aggregated ClusterRoles with the objects of other files
(`sources/kubernetes/link.py`). A plan's provider configuration is a cluster, so the objects of a plan are a
cluster of their own, named by the plan's file (`k8s:envs%2Fprod%2Fplan.json:…`); an aliased configuration's by
the file and the configuration (`….kubernetes.east`); an HCL root's default configuration stays `k8s:default`.
Two plans of two clusters then never define the same id, nor does a plan and a manifest.
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass, replace
from typing import Any, cast

from policylint.flags import K8S_AGGREGATED, K8S_ROLE_UNRESOLVED
from policylint.model import Inventory, Location, Role
from policylint.sources.base import Fragment
from policylint.sources.kubernetes import names

DEFAULT = "kubernetes"
KEY = re.compile(r"(?:[^:]+:)?kubernetes(?:\.[\w-]+)?")  # `kubernetes`, `kubernetes.east`, `module.m:kubernetes`
_UNSAFE = str.maketrans({":": "%3A", "*": "%2A", "?": "%3F", "[": "%5B", "]": "%5D"})


def label(cluster: str | None, unnamed: str, key: str) -> str | None:
    """The cluster of a provider configuration's objects: the plan's for the default one (None: `default`, as a
    manifest's: an HCL root's), else the file's (or folder's) and the configuration's
    (`envs%2Fprod%2Fplan.json.kubernetes.east`). Never a `:` (the id's next part) nor a glob character."""
    if key == DEFAULT:
        return None if cluster is None else cluster.translate(_UNSAFE)
    return f"{cluster or unnamed}.{key}".translate(_UNSAFE)


def in_cluster(fragment: Fragment, cluster: str) -> Fragment:
    """The fragment in the cluster `k8s:<label>` rather than the manifests' `k8s:default`: every id, member, grant
    target and scope. The Kubernetes reader's `link` completes what `k8s:default` objects of other files define;
    this cluster's objects are all in this plan, and `build` resolved them here. So that `link` never resolves them
    with another cluster's role of the same name, a binding's role named nowhere here, and an aggregated ClusterRole
    it binds, are named with the cluster (`ClusterRole/auditor in k8s:<label>`, `k8s-aggregated:edit in …`)."""
    prefix = f"k8s:{cluster}"

    def renamed(value: Any) -> Any:
        if isinstance(value, str):
            if value == names.SCOPE:
                return prefix
            return prefix + value[len(names.SCOPE):] if value.startswith(names.PREFIX) else value
        if isinstance(value, tuple):
            return tuple(renamed(item) for item in value)
        if isinstance(value, Location) or not is_dataclass(value) or isinstance(value, type):
            return value
        return replace(value, **{f.name: renamed(getattr(value, f.name)) for f in fields(value) if f.init})

    inventory = cast(Inventory, renamed(fragment.inventory))
    roles = tuple(_apart(role, prefix) for role in inventory.roles)
    return Fragment(replace(inventory, roles=roles), fragment.errors, cast(Inventory, renamed(fragment.implied)))


def _apart(role: Role, prefix: str) -> Role:
    mark = f" in {prefix}"
    flags = tuple(f + mark if f.startswith(K8S_AGGREGATED) else f for f in role.flags)
    if K8S_ROLE_UNRESOLVED in role.flags:
        return replace(role, flags=flags, grants=tuple(replace(g, via=g.via + mark) if g.via else g
                                                       for g in role.grants))
    return replace(role, flags=flags) if flags != role.flags else role
