"""What a GCP role lets its holders do, in the model's terms.

A binding names a role, not permissions. Basic roles and the common predefined data, key and IAM roles are in
`KNOWN`, read from Google's role reference; any other predefined role `roles/SERVICE.NAME` is judged by its name
(`…admin` → everything, `…viewer`/`…reader` → read, anything else → read and write): the judgement errs towards
more access, since a missed path to customer data is the worst mistake. A custom role (`projects/P/roles/X`,
`organizations/O/roles/X`) names permissions this file does not hold: its holders are assumed to read, write and
delete everything under the binding and to use its keys, but not to change access control or act as service
accounts (saying so for every custom role would drown the real escalations); its role carries `gcp-custom-role`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policylint.flags import GCP_BASIC_ROLE, GCP_CUSTOM_ROLE
from policylint.model import Action

ALL: tuple[Action, ...] = ("*",)
READ: tuple[Action, ...] = ("read",)
WRITE: tuple[Action, ...] = ("write",)
READ_WRITE: tuple[Action, ...] = ("read", "write")
EDIT: tuple[Action, ...] = ("read", "write", "delete")


@dataclass(frozen=True, slots=True)
class Meaning:
    """What holding a role on a resource gives: actions on the data and on the KMS keys under it, admin on its
    access control (setIamPolicy), and acting as its service accounts (actAs, tokens, keys)."""

    data: tuple[Action, ...] = ()
    keys: tuple[Action, ...] = ()
    control: bool = False
    act_as: bool = False
    flags: tuple[str, ...] = ()


_ACT_AS = Meaning(act_as=True)
_CONTROL = Meaning(control=True)
_NONE = Meaning()

KNOWN: dict[str, Meaning] = {
    # basic roles (CIS GCP 1.5): Editor also creates service-account keys and acts as service accounts
    # (iam.serviceAccountKeys.create, iam.serviceAccounts.actAs), and is assumed to use KMS keys (not checked
    # against Google's permission list: failing closed); Viewer reads BigQuery data through the datasets'
    # default READER grant to project viewers, so it counts as reading
    "roles/owner": Meaning(ALL, ALL, control=True, act_as=True, flags=(GCP_BASIC_ROLE,)),
    "roles/editor": Meaning(EDIT, READ_WRITE, act_as=True, flags=(GCP_BASIC_ROLE,)),
    "roles/viewer": Meaning(READ),
    "roles/browser": _NONE,
    # access control
    "roles/resourcemanager.projectIamAdmin": _CONTROL,
    "roles/resourcemanager.organizationAdmin": _CONTROL,
    "roles/resourcemanager.folderAdmin": _CONTROL,
    "roles/resourcemanager.folderIamAdmin": _CONTROL,
    "roles/iam.securityAdmin": _CONTROL,
    "roles/iam.roleAdmin": _CONTROL,  # can add permissions to the custom roles it is bound to
    "roles/iam.organizationRoleAdmin": _CONTROL,
    "roles/iam.securityReviewer": _NONE,
    # acting as service accounts (CIS GCP 1.6)
    "roles/iam.serviceAccountUser": _ACT_AS,
    "roles/iam.serviceAccountTokenCreator": _ACT_AS,
    "roles/iam.serviceAccountKeyAdmin": _ACT_AS,
    "roles/iam.serviceAccountAdmin": _ACT_AS,  # sets the service accounts' own IAM policies
    "roles/iam.workloadIdentityUser": _ACT_AS,
    "roles/iam.serviceAccountViewer": _NONE,
    # Cloud Storage
    "roles/storage.admin": Meaning(ALL),
    "roles/storage.objectAdmin": Meaning(ALL),
    "roles/storage.objectUser": Meaning(EDIT),
    "roles/storage.objectViewer": Meaning(READ),
    "roles/storage.objectCreator": Meaning(WRITE),
    "roles/storage.legacyBucketOwner": Meaning(ALL),
    "roles/storage.legacyBucketWriter": Meaning(EDIT),
    "roles/storage.legacyBucketReader": Meaning(READ),  # lists object names
    "roles/storage.legacyObjectOwner": Meaning(ALL),
    "roles/storage.legacyObjectReader": Meaning(READ),
    # BigQuery
    "roles/bigquery.admin": Meaning(ALL),
    "roles/bigquery.dataOwner": Meaning(ALL),
    "roles/bigquery.dataEditor": Meaning(EDIT),
    "roles/bigquery.dataViewer": Meaning(READ),
    "roles/bigquery.user": _NONE,  # runs jobs and creates datasets; reads no table it is not granted
    "roles/bigquery.jobUser": _NONE,
    "roles/bigquery.metadataViewer": _NONE,
    "roles/bigquery.readSessionUser": _NONE,
    # databases
    "roles/cloudsql.admin": Meaning(ALL),
    "roles/cloudsql.editor": Meaning(EDIT),
    "roles/cloudsql.client": Meaning(READ_WRITE),
    "roles/cloudsql.instanceUser": Meaning(READ_WRITE),
    "roles/cloudsql.viewer": _NONE,
    "roles/spanner.admin": Meaning(ALL),
    "roles/spanner.databaseAdmin": Meaning(ALL),
    "roles/spanner.databaseUser": Meaning(EDIT),
    "roles/spanner.databaseReader": Meaning(READ),
    "roles/spanner.viewer": _NONE,
    "roles/datastore.owner": Meaning(ALL),
    "roles/datastore.user": Meaning(EDIT),
    "roles/datastore.viewer": Meaning(READ),
    "roles/bigtable.admin": Meaning(ALL),
    "roles/bigtable.user": Meaning(EDIT),
    "roles/bigtable.reader": Meaning(READ),
    # Secret Manager and Pub/Sub
    "roles/secretmanager.admin": Meaning(ALL),
    "roles/secretmanager.secretAccessor": Meaning(READ),
    "roles/secretmanager.secretVersionManager": Meaning(("write", "delete")),
    "roles/secretmanager.viewer": _NONE,
    "roles/pubsub.admin": Meaning(ALL),
    "roles/pubsub.editor": Meaning(EDIT),
    "roles/pubsub.subscriber": Meaning(READ),
    "roles/pubsub.publisher": Meaning(WRITE),
    "roles/pubsub.viewer": _NONE,
    # Cloud KMS: these act on keys only (CIS GCP 1.11 separates their admins from their users)
    "roles/cloudkms.admin": Meaning(keys=("admin",)),  # sets the keys' IAM policies, so can grant itself use
    "roles/cloudkms.cryptoKeyEncrypterDecrypter": Meaning(keys=READ_WRITE),
    "roles/cloudkms.cryptoKeyDecrypter": Meaning(keys=READ),
    "roles/cloudkms.cryptoKeyEncrypter": Meaning(keys=WRITE),
    "roles/cloudkms.cryptoOperator": Meaning(keys=READ_WRITE),
    "roles/cloudkms.signer": Meaning(keys=READ),
    "roles/cloudkms.signerVerifier": Meaning(keys=READ),
    "roles/cloudkms.publicKeyViewer": _NONE,
    "roles/cloudkms.viewer": _NONE,
    # operations roles that read or write no data
    "roles/logging.logWriter": _NONE,
    "roles/monitoring.metricWriter": _NONE,
    "roles/monitoring.viewer": _NONE,
    "roles/cloudtrace.agent": _NONE,
    "roles/errorreporting.writer": _NONE,
    "roles/serviceusage.serviceUsageConsumer": _NONE,
    "roles/compute.networkAdmin": _NONE,
    "roles/compute.networkViewer": _NONE,
    "roles/compute.securityAdmin": _NONE,  # firewall rules and SSL certificates
    "roles/compute.viewer": _NONE,
}
_PREDEFINED = re.compile(r"roles/(?P<service>[A-Za-z0-9]+)\.(?P<name>[A-Za-z0-9.]+)")
_CUSTOM = re.compile(r"(?:projects|organizations)/[^/\s]+/roles/[A-Za-z0-9_.]+")


def is_service_agent_role(role: str) -> bool:
    """A role Google grants its own service agents (`roles/pubsub.serviceAgent`, `roles/containerregistry.ServiceAgent`)
    when a service is turned on: its holders are Google's, and it is in every project that uses the service."""
    predefined = _PREDEFINED.fullmatch(role)
    return predefined is not None and predefined["name"].lower().endswith("serviceagent")


def is_role_name(role: str) -> bool:
    return role in KNOWN or _PREDEFINED.fullmatch(role) is not None or _CUSTOM.fullmatch(role) is not None


def meaning_of(role: str) -> Meaning:
    """What the role gives (for a name that passes `is_role_name`)."""
    known = KNOWN.get(role)
    if known is not None:
        return known
    predefined = _PREDEFINED.fullmatch(role)
    if predefined is None:  # a custom role: unknown permissions
        return Meaning(EDIT, READ_WRITE, flags=(GCP_CUSTOM_ROLE,))
    actions = _by_name(predefined["name"].lower())
    return Meaning(keys=actions) if predefined["service"] == "cloudkms" else Meaning(actions)


def _by_name(name: str) -> tuple[Action, ...]:
    if "admin" in name or "owner" in name:
        return ALL
    if "viewer" in name or "reader" in name:
        return READ
    return READ_WRITE
