"""Ids of the Kubernetes nodes (the contract's `k8s:<cluster>:…` namespace), in one place.

A manifest does not say which cluster it is applied to: every object belongs to the cluster `default`.
"""

from __future__ import annotations

CLUSTER = "default"
SCOPE = f"k8s:{CLUSTER}"
PREFIX = f"{SCOPE}:"
ACCESS_CONTROL_ID = f"{PREFIX}access-control"
ALL = "*"  # the namespace of a cluster-wide grant: a glob over every namespace
TOKEN_SUFFIX = "#token"
SERVICE_ACCOUNT_PREFIX = f"{PREFIX}serviceaccount:"
USER_PREFIX = f"{PREFIX}user:"
GROUP_PREFIX = f"{PREFIX}group:"
SECRETS_PREFIX = f"{PREFIX}secrets:"
ROLE_BINDING_PREFIX = f"{PREFIX}rolebinding:"
CLUSTER_ROLE_BINDING_PREFIX = f"{PREFIX}clusterrolebinding:"
ROLE_PREFIX = f"{PREFIX}role:"
CLUSTER_ROLE_PREFIX = f"{PREFIX}clusterrole:"


def service_account(namespace: str, name: str) -> str:
    return f"{SERVICE_ACCOUNT_PREFIX}{namespace}/{name}"


def token_key(namespace: str, name: str) -> str:
    """The key that mints tokens for a service account; `*` in either part makes it a glob."""
    return service_account(namespace, name) + TOKEN_SUFFIX


def user(name: str) -> str:
    return USER_PREFIX + name


def group(name: str) -> str:
    return GROUP_PREFIX + name


def secrets(namespace: str) -> str:
    """The secrets of a namespace as one resource (`*`: a glob over every namespace's secrets)."""
    return SECRETS_PREFIX + namespace


def secret(namespace: str, name: str) -> str:
    return f"{PREFIX}secret:{namespace}/{name}"


def role_binding(namespace: str, name: str) -> str:
    return f"{ROLE_BINDING_PREFIX}{namespace}/{name}"


def cluster_role_binding(name: str) -> str:
    return CLUSTER_ROLE_BINDING_PREFIX + name


def role(namespace: str, name: str) -> str:
    return f"{ROLE_PREFIX}{namespace}/{name}"


def cluster_role(name: str) -> str:
    return CLUSTER_ROLE_PREFIX + name
