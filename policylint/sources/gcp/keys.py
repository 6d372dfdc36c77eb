"""`gcloud iam service-accounts keys list` (service-account keys → credentials) and `gcloud kms keys list`
(Cloud KMS keys → keys), each as `--format=yaml` (a `---` stream) or `--format=json` (an array)."""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any, Literal

from policylint.errors import InputError
from policylint.flags import GCP_EXTERNAL_KEY, GCP_USER_MANAGED, GCP_USER_PROVIDED, LAST_USE_UNKNOWN
from policylint.model import Credential, Inventory, Key, Principal
from policylint.sources.base import Fragment
from policylint.sources.gcp.common import Reader, records, shown
from policylint.sources.gcp.members import PREFIX, member_node

_SA_KEY_NAME = re.compile(r"projects/(?P<project>[^/\s]+)/serviceAccounts/(?P<email>[^/\s]+)/keys/(?P<key>[^/\s]+)")
_KMS_KEY_NAME = re.compile(r"projects/(?P<project>[^/\s]+)/locations/[^/\s]+/keyRings/[^/\s]+/cryptoKeys/[^/\s]+")
_DURATION = re.compile(r"(?P<seconds>\d{1,18})(?:\.\d{1,9})?s")  # bounded: ceil(float("9" * 400) / DAY) raises
NEVER = date(9999, 12, 31)  # validBeforeTime of a key that does not expire
_PURPOSES: dict[str, Literal["signing", "encryption"]] = {
    "ENCRYPT_DECRYPT": "encryption",
    "RAW_ENCRYPT_DECRYPT": "encryption",
    "ASYMMETRIC_DECRYPT": "encryption",
    "KEY_ENCAPSULATION": "encryption",
    "ASYMMETRIC_SIGN": "signing",
    "MAC": "signing",
}
_STORAGE = {"SOFTWARE": "kms", "HSM": "hsm", "EXTERNAL": "kms", "EXTERNAL_VPC": "kms"}
DAY = 86400


def load_service_account_keys(documents: list[Any], path: str) -> Fragment:
    """User-managed keys become `access_key` credentials of their service account.

    System-managed keys are left out: Google holds their private halves, nobody can download them, and Google
    rotates them within two weeks; they are no credential anyone holds."""
    reader = Reader(path)
    credentials: list[Credential] = []
    accounts: dict[str, Principal] = {}
    for item in records(documents, reader, "a service-account key"):
        credential = reader.guarded(_credential, item, reader)
        if credential is None or credential.principal is None:
            continue
        account = member_node(credential.principal[len(PREFIX):], credential.location)
        if isinstance(account, Principal):
            accounts.setdefault(account.id, account)
        credentials.append(credential)
    return Fragment(Inventory(credentials=tuple(credentials)), reader.errors,
                    Inventory(principals=tuple(accounts.values())))


def _credential(item: Any, reader: Reader) -> Credential | None:
    name = reader.text(item, "name", "projects/P/serviceAccounts/EMAIL/keys/KEY_ID")
    match = _SA_KEY_NAME.fullmatch(name)
    if match is None:
        raise InputError(reader.of(item, "name"), f"expected name to be projects/P/serviceAccounts/EMAIL/keys/KEY_ID,"
                                                  f" found {shown(name)}")
    key_type = item.get("keyType")
    if key_type not in ("USER_MANAGED", "SYSTEM_MANAGED"):
        raise InputError(reader.of(item, "keyType"), f"expected keyType USER_MANAGED or SYSTEM_MANAGED, "
                                                     f"found {shown(key_type)}")
    disabled = item.get("disabled", False)
    if not isinstance(disabled, bool):
        raise InputError(reader.of(item, "disabled"), f"expected disabled to be true or false, found {shown(disabled)}")
    created = reader.day(item, "validAfterTime", required=True)
    expires = reader.day(item, "validBeforeTime")
    if key_type == "SYSTEM_MANAGED":
        return None
    # `keys list` says nothing of use: the key's last use is unknown, not "never" (PL104 must not guess)
    flags = (GCP_USER_MANAGED, LAST_USE_UNKNOWN,
             *((GCP_USER_PROVIDED,) if item.get("keyOrigin") == "USER_PROVIDED" else ()))
    principal = f"{PREFIX}serviceAccount:{match['email']}"
    return Credential(f"{principal}#key-{match['key']}", reader.at(item.pos), "access_key", principal, None,
                      "inactive" if disabled else "active", created=created,
                      expires=None if expires == NEVER else expires, flags=flags)


def load_kms_keys(documents: list[Any], path: str) -> Fragment:
    reader = Reader(path)
    keys = [key for item in records(documents, reader, "a Cloud KMS key")
            if (key := reader.guarded(_kms_key, item, reader)) is not None]
    return Fragment(Inventory(keys=tuple(keys)), reader.errors)


def _kms_key(item: Any, reader: Reader) -> Key:
    """A CryptoKey: `primary` is its current version (symmetric keys only); rotating makes a new primary."""
    name = reader.text(item, "name", "projects/P/locations/L/keyRings/R/cryptoKeys/K")
    match = _KMS_KEY_NAME.fullmatch(name)
    if match is None:
        raise InputError(reader.of(item, "name"), f"expected name to be projects/P/locations/L/keyRings/R/"
                                                  f"cryptoKeys/K, found {shown(name)}")
    purpose = item.get("purpose")
    if not isinstance(purpose, str) or purpose not in _PURPOSES:  # a list or a mapping cannot even be looked up
        raise InputError(reader.of(item, "purpose"), f"expected purpose to be one of {', '.join(_PURPOSES)}, "
                                                     f"found {shown(purpose)}")
    rotation_days = _rotation_days(item, reader)
    version = _version(item, reader)
    level = version.get("protectionLevel", "SOFTWARE")
    if not isinstance(level, str) or level not in _STORAGE:
        raise InputError(reader.of(version, "protectionLevel"), f"expected protectionLevel to be one of "
                                                                f"{', '.join(_STORAGE)}, found {shown(level)}")
    rotated = reader.day(version, "createTime") if "primary" in item else None
    created = reader.day(item, "createTime") or rotated
    # only symmetric ENCRYPT_DECRYPT keys can rotate by themselves: for the others, automatic rotation is moot
    auto_rotate = rotation_days is not None if purpose == "ENCRYPT_DECRYPT" else None
    return Key(PREFIX + name, reader.at(item.pos), _PURPOSES[purpose], _STORAGE[level], created, rotated,
               rotation_days, auto_rotate=auto_rotate, scope=f"{PREFIX}projects/{match['project']}",
               flags=(GCP_EXTERNAL_KEY,) if level.startswith("EXTERNAL") else ())


def _rotation_days(item: Any, reader: Reader) -> int | None:
    """`rotationPeriod: 7776000s` in whole days, rounded up (so 90 days and a second is more than 90)."""
    period = item.get("rotationPeriod")
    if period is None:
        return None
    match = _DURATION.fullmatch(period) if isinstance(period, str) else None
    if match is None or period.startswith("0"):
        raise InputError(reader.of(item, "rotationPeriod"), f"expected rotationPeriod to be a duration in seconds "
                                                            f"such as 7776000s, found {shown(period)}")
    return math.ceil(float(period[:-1]) / DAY)


def _version(item: Any, reader: Reader) -> Any:
    """The primary version, or (asymmetric keys have none) the template new versions are made from."""
    for key in ("primary", "versionTemplate"):
        version = item.get(key)
        if version is None:
            continue
        if not isinstance(version, dict):
            raise InputError(reader.of(item, key), f"expected {key} to be a mapping, found {shown(version)}")
        return version
    return item
