"""A plan's Google Cloud service accounts, their keys, Cloud KMS keys, buckets and datasets.

- A `google_service_account` is the `service` principal `gcp:serviceAccount:EMAIL` the GCP reader makes of a
  member naming it (`members.member_node`), defined here.
- A `google_service_account_key` is the record `gcloud iam service-accounts keys list` prints for it, read by the
  GCP reader (`keys.load_service_account_keys`): a user-managed key (uploaded when it has `public_key_data`),
  named by the plan's key id, else by its address (a key is made on apply). A key the plan creates has no
  `valid_after` yet: when it was made is then not known (`created` None), not the day the plan was read.
- A `google_kms_crypto_key` is the record `gcloud kms keys list` prints (`keys.load_kms_keys`): `purpose`
  (ENCRYPT_DECRYPT by default), `rotation_period`, its version template's protection level; it protects the plan's
  buckets and datasets that name it for default encryption. A key ring is only a part of its keys' names.
- A `google_storage_bucket` and a `google_bigquery_dataset` are data stores (`bucket`, `dataset`) in their project
  (`plan_gcp_ids` names them), classified by the labels the configuration names (`classification-keys`, as AWS
  tags and Kubernetes labels are), with the `records` label's count; a bucket writing usage logs (`logging`) is
  logged, else whether its reads are logged is the project's audit configuration's, which is not known here.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from policylint.errors import InputError, found
from policylint.model import Inventory, Principal, Resource
from policylint.sources.base import Fragment, Options
from policylint.sources.gcp.keys import load_kms_keys, load_service_account_keys
from policylint.sources.gcp.members import PREFIX, member_node
from policylint.sources.terraform.plan_cfn import Translation, intrinsic, open_map, y
from policylint.sources.terraform.plan_gcp_ids import GcpNames, account_name, key_name
from policylint.sources.terraform.plan_open import Places, joined
from policylint.sources.terraform.plan_read import TfResource
from policylint.yamlsafe import YSeq

_NEVER = "9999-12-31T23:59:59Z"
_UNKNOWN_DAY = "1970-01-01T00:00:00Z"  # stands for a creation time the plan does not know (then `created` None)
_MAX_DIGITS = 18
OPEN_CLASS = "*"  # a label value left open: any class (`reach` counts it as customer data)


def stores_fragment(t: Translation, names: GcpNames, path: str, options: Options) -> Fragment:
    built = _Stores(t, names, path, options)
    for resource in t.plan.resources:
        reader = _READERS.get(resource.type)
        if reader is not None:
            reader(built, resource)
    return built.fragment()


class _Stores:
    def __init__(self, t: Translation, names: GcpNames, path: str, options: Options) -> None:
        self.t = t
        self.names = names
        self.path = path
        self.options = options
        self.accounts: list[Principal] = []
        self.sa_keys: list[dict[str, Any]] = []
        self.kms_keys: list[dict[str, Any]] = []
        self.resources: list[Resource] = []
        self.protects: dict[str, list[str]] = {}  # a KMS key's id -> the stores it encrypts
        self.errors: list[InputError] = []

    def account(self, r: TfResource) -> None:
        email = self.names.email(r)
        node = member_node(f"serviceAccount:{email}", r.location) if email else None
        if isinstance(node, Principal):
            self.accounts.append(node)

    def account_key(self, r: TfResource) -> None:
        given = self.names.text(r, "service_account_id", self.names.account_named)
        if not isinstance(given, str) or not given:
            return  # an account not known until apply: its key names nobody the graph could reach
        name = r.values.get("name")
        if not isinstance(name, str) or "/keys/" not in name:
            name = f"{account_name(given)}/keys/{_escaped(r.address)}"
        self.sa_keys.append(_record(r, {
            "name": name, "keyType": "USER_MANAGED",
            "keyOrigin": "USER_PROVIDED" if r.values.get("public_key_data") else "GOOGLE_PROVIDED",
            "keyAlgorithm": r.values.get("key_algorithm"),
            "validAfterTime": _text(r.values.get("valid_after")) or _UNKNOWN_DAY,
            "validBeforeTime": _text(r.values.get("valid_before")) or _NEVER, "disabled": False}))

    def kms_key(self, r: TfResource) -> None:
        name = self.names.key(r)
        if name is None:
            return  # a key ring not known until apply: no grant the plan makes can name this key either
        template = next((v for v in r.values.get("version_template") or () if isinstance(v, dict)), {})
        record = {"name": name, "purpose": _text(r.values.get("purpose")) or "ENCRYPT_DECRYPT",
                  "rotationPeriod": _text(r.values.get("rotation_period")),
                  "versionTemplate": {"algorithm": template.get("algorithm"),
                                      "protectionLevel": template.get("protection_level") or "SOFTWARE"}}
        self.kms_keys.append(_record(r, {k: v for k, v in record.items() if v is not None}))

    def bucket(self, r: TfResource) -> None:
        name = r.values.get("name")
        if not isinstance(name, str) or not name:
            return
        logged = any(isinstance(b, dict) and b.get("log_bucket") for b in r.values.get("logging") or ())
        self.store(r, self.names.bucket(name), "bucket", True if logged else None)
        for block in r.values.get("encryption") or ():
            self.encrypts(block, "default_kms_key_name", self.names.bucket(name))

    def dataset(self, r: TfResource) -> None:
        name = self.names.dataset(r)
        if not isinstance(name, str):
            return
        self.store(r, name, "dataset", None)
        for block in r.values.get("default_encryption_configuration") or ():
            self.encrypts(block, "kms_key_name", name)

    def store(self, r: TfResource, name: str, noun: str, logging: bool | None) -> None:
        labels = self.labels(r)
        data = [c for key in self.options.classification_keys if key in labels
                for c in re.split(r"[\s,]+", labels[key]) if c]
        project = name.split("/")[1]
        scope = "gcp" if project == "_" else f"{PREFIX}projects/{project}"
        self.resources.append(Resource(PREFIX + name, r.location, noun, tuple(dict.fromkeys(data)),
                                       self.records(r, labels), logging, scope=scope))

    def labels(self, r: TfResource) -> dict[str, str]:
        """A store's labels: its own under all it has (`effective_labels`, with the provider's `default_labels`).
        What is left open may set any class, as for AWS tags (`plan_cfn.open_map`): each classification key it may
        set is `OPEN_CLASS` (the GCP reader's labels hold text only), and so is each its own labels do not set when
        `effective_labels` is not known until apply under default labels (google 5 leaves a new store's unknown
        until apply without them: its own are all it has)."""
        keys = self.options.classification_keys
        own = _texts(open_map(self.t, r, "labels"), keys)
        every = _texts(open_map(self.t, r, "effective_labels"), keys)
        if r.unknown.get("effective_labels") is True and r.provider in self.t.plan.defaults:
            every = {**dict.fromkeys(keys, OPEN_CLASS), **own}
        return {**own, **every}

    def records(self, r: TfResource, labels: dict[str, str]) -> int | None:
        text = labels.get("records")
        if text is None:
            return None
        if text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS:
            return int(text)
        self.errors.append(InputError(r.location, f"expected the 'records' label to be a whole number, "
                                                  f"found {found(text)}"))
        return None

    def encrypts(self, block: Any, attr: str, store: str) -> None:
        if not isinstance(block, dict) or not isinstance(block.get(attr), str):
            return
        self.protects.setdefault(PREFIX + key_name(block[attr]), []).append(PREFIX + store)

    def fragment(self) -> Fragment:
        places = Places()
        accounts = places.relocated(load_service_account_keys([_listed(self.sa_keys, places)], self.path))
        keys = places.relocated(load_kms_keys([_listed(self.kms_keys, places)], self.path))
        unknown = {r["at"] for r in self.sa_keys if r["fields"]["validAfterTime"] == _UNKNOWN_DAY}
        credentials = tuple(replace(c, created=None) if c.location in unknown else c
                            for c in accounts.inventory.credentials)
        kms = tuple(replace(k, protects=tuple(self.protects.get(k.id, ()))) for k in keys.inventory.keys)
        own = Fragment(Inventory(principals=tuple(self.accounts), resources=tuple(self.resources)), self.errors)
        return joined(own, replace(accounts, inventory=Inventory(credentials=credentials)),
                      replace(keys, inventory=Inventory(keys=kms)))


def _record(r: TfResource, fields: dict[str, Any]) -> dict[str, Any]:
    return {"at": r.location, "fields": fields}


def _listed(records: list[dict[str, Any]], places: Places) -> YSeq:
    """The records as the JSON array gcloud prints, each located at its resource."""
    listed = YSeq(places.pos(records[0]["at"]) if records else (1, 1))
    for record in records:
        at = places.pos(record["at"])
        listed.append(y(record["fields"], at))
        listed.item_pos.append(at)
    return listed


def _texts(labels: dict[str, Any] | None, keys: tuple[str, ...]) -> dict[str, str]:
    """Labels as text: a classification key's value left open is `OPEN_CLASS`; another's is not known (a `records`
    count left open is not a malformed one)."""
    return {k: v if isinstance(v, str) else OPEN_CLASS for k, v in (labels or {}).items()
            if isinstance(v, str) or (k in keys and intrinsic(v))}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _escaped(address: str) -> str:
    return address.replace("%", "%25").replace("/", "%2F").replace(" ", "%20")


_READERS = {"google_service_account": _Stores.account, "google_service_account_key": _Stores.account_key,
            "google_kms_crypto_key": _Stores.kms_key, "google_storage_bucket": _Stores.bucket,
            "google_bigquery_dataset": _Stores.dataset}
