"""Secrets of type `kubernetes.io/service-account-token`: legacy, never-expiring tokens, as credentials (KEP-2799).

The token controller fills such a Secret with a token of the service account its annotation names; the token works
until the Secret is deleted. Since Kubernetes 1.29 the cluster labels the date it was last used, and, once unused
for long, the date it was invalidated (the Secret is then deleted after a grace period).
"""

from __future__ import annotations

from datetime import date

from policylint.errors import InputError
from policylint.flags import K8S_LEGACY_TOKEN
from policylint.model import Credential, CredentialStatus, Location
from policylint.sources.kubernetes import names
from policylint.sources.kubernetes.manifests import Manifest, describe
from policylint.yamlsafe import YMap

TYPE = "kubernetes.io/service-account-token"
SA_NAME_ANNOTATION = "kubernetes.io/service-account.name"
LAST_USED_LABEL = "kubernetes.io/legacy-token-last-used"
INVALID_SINCE_LABEL = "kubernetes.io/legacy-token-invalid-since"


def legacy_token(manifest: Manifest, name: str, namespace: str, errors: list[InputError]
                 ) -> tuple[Credential, str] | None:
    """The credential of a token Secret and the name of its service account; None (and a located error) when it
    names no service account."""
    account = manifest.string_map("annotations").get(SA_NAME_ANNOTATION)
    where = manifest.location
    if not account:
        errors.append(InputError(where, f"expected annotation {SA_NAME_ANNOTATION} naming the service account of"
                                        f" {TYPE} Secret {name!r}, found none"))
        return None
    status: CredentialStatus = "inactive" if INVALID_SINCE_LABEL in manifest.string_map("labels") else "active"
    return Credential(
        names.secret(namespace, name), where, "token", names.service_account(namespace, account), None, status,
        _date(manifest.metadata, "creationTimestamp", "metadata.creationTimestamp", errors, where),
        _date(manifest.meta("labels"), LAST_USED_LABEL, f"label {LAST_USED_LABEL}", errors, where),
        flags=(K8S_LEGACY_TOKEN,),
    ), account


def _date(holder: object, key: str, shown: str, errors: list[InputError], where: Location) -> date | None:
    """A date, or the date part of a timestamp; a bad one is a located error (the credential is still kept)."""
    if not isinstance(holder, YMap) or holder.get(key) is None:
        return None
    text = holder[key]
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError:
        errors.append(InputError(Location(where.file, *holder.value_pos[key]),
                                 f"expected {shown} to be a date YYYY-MM-DD, found {describe(text)}"))
        return None
