"""Keys and data stores in a CloudFormation template: `AWS::KMS::Key` (and its aliases), S3 buckets and their
bucket policies, DynamoDB tables, RDS / Neptune / DocumentDB instances and clusters, Secrets Manager secrets, and
CloudTrail data events.

- A key is readable by the principals its key policy allows to use it or to change who may (`kms:Decrypt`,
  `kms:Sign`, `kms:CreateGrant`, `kms:PutKeyPolicy`, …), with any condition (fail closed; `*` under a condition
  on who, such as kms:CallerAccount, is everyone that condition admits: `trust.anyone`). A statement naming
  the account itself (`arn:aws:iam::cfn:root`) means that IAM policies decide: the root principal is a reader, and
  every identity whose IAM grants name the key reaches it through those grants (an IAM grant reaches a key even
  when its key policy would not delegate to IAM: fail closed). Deny statements of a key policy are not applied; a
  key policy the template does not show (`Fn::ImportValue`) lets anyone read the key; no `KeyPolicy` is AWS's
  default one, the account's root.
- `logging` is true for a bucket with `LoggingConfiguration`, and for a bucket or table whose data events a trail
  of the same template records (reads included, the whole store, an `IsLogging` trail); a trail in another
  file cannot be seen from this one, so it does not count. A database logs when it exports its `audit` log. A
  secret always logs: Secrets Manager records every retrieval (`GetSecretValue`) in CloudTrail as a management
  event, which every account's event history keeps without a trail. A store's tags classify it (`Options`).
- Bucket, queue and topic policies: `cfn_policies`.
"""

from __future__ import annotations

from typing import Any, Literal

from policylint.iam.policy import root_id
from policylint.iam.resource_policy import key_readers
from policylint.model import EVERYONE, Key, Resource
from policylint.sources.aws.cfn_opened import Opened
from policylint.sources.aws.cfn_policies import ResourcePolicies, principal_ids
from policylint.sources.aws.cfn_template import SCOPE, CfnResource, CfnTemplate, Named
from policylint.sources.aws.cfn_values import Found, account_roots, tags_of
from policylint.sources.aws.intrinsics import ACCOUNT, UNRESOLVED, describe
from policylint.sources.base import Options
from policylint.yamlsafe import MAX_DIGITS, YMap

STORES = ("bucket", "table", "database", "secret")
_PURPOSE: dict[str, Literal["signing", "encryption"]] = {
    "ENCRYPT_DECRYPT": "encryption", "KEY_AGREEMENT": "encryption", "SIGN_VERIFY": "signing",
    "GENERATE_VERIFY_MAC": "signing"}
_DATA_EVENTS = {"bucket": ("AWS::S3::Object", "arn:aws:s3"), "table": ("AWS::DynamoDB::Table", "arn:aws:dynamodb")}


class Data:
    def __init__(self, template: CfnTemplate, found: Found, options: Options) -> None:
        self.template = template
        self.found = found
        self.options = options
        self.keys = template.own("key")
        self.aliases: dict[str, str] = {}  # alias name (alias/x) -> key id
        self.protects: dict[str, list[str]] = {}  # key id -> stores it encrypts

    def build(self) -> None:
        t = self.template
        for resource in t.of_type("AWS::KMS::Alias"):
            self._alias(resource)
        logged = self._trails()
        for resource in t.resources:
            named = t.named(resource.logical)
            if named is not None and named.kind.noun in STORES:
                self._store(resource, named, logged)
        for resource in t.of_type("AWS::KMS::Key"):
            self._key(resource)
        ResourcePolicies(t, self.found, Opened(t)).build()

    def patterns(self) -> dict[str, list[str]]:
        """Key and store id -> the globs that may name it (its own, and its aliases' for a key)."""
        found = {n.id: [n.pattern] for n in self.template.own("key", *STORES)}
        for alias, key in self.aliases.items():
            found.setdefault(key, []).append(f"aws:kms:*:*:{alias}")  # any region and account, as the key's
        return found

    # -- keys ---------------------------------------------------------------------------------------------------

    def _alias(self, resource: CfnResource) -> None:
        props = self.found.properties(resource)
        name, target = props.get("AliasName"), props.get("TargetKeyId")
        key = self._key_named(target)
        if isinstance(name, str) and UNRESOLVED not in name and key is not None:
            self.aliases[name] = key

    def _key_named(self, value: Any) -> str | None:
        """The template's key a `KMSMasterKeyID`-like value names: its id, ARN, alias name or alias ARN."""
        if not isinstance(value, str):
            return None
        for key in self.keys:
            if value in (key.name, key.arn):
                return key.id
        alias = value.split(":", 5)[-1] if value.startswith("arn:") else value
        return self.aliases.get(alias)

    _NOT_ROTATABLE = ("SIGN_VERIFY", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT")

    def _key(self, resource: CfnResource) -> None:
        named = self.template.named(resource.logical)
        assert named is not None
        props = self.found.properties(resource)
        usage = props.get("KeyUsage", "ENCRYPT_DECRYPT")
        if usage != UNRESOLVED and (not isinstance(usage, str) or usage not in _PURPOSE):  # a list: unhashable
            self.found.error(props.value_pos["KeyUsage"], f"expected 'KeyUsage' to be one of {', '.join(_PURPOSE)}, "
                                                          f"found {describe(usage)}")
            return
        spec = props.get("KeySpec", "SYMMETRIC_DEFAULT")
        # AWS rotates only symmetric encryption keys by itself: an asymmetric or HMAC key is not judged on it (None)
        rotatable = usage not in self._NOT_ROTATABLE and spec in ("SYMMETRIC_DEFAULT", UNRESOLVED)
        rotates = str(props.get("EnableKeyRotation", False)).lower() == "true"
        days = props.get("RotationPeriodInDays", 365)
        if rotates and not (isinstance(days, int | str) and str(days).isascii() and str(days).isdigit()
                            and len(str(days)) <= MAX_DIGITS):
            self.found.error(props.value_pos["RotationPeriodInDays"],
                             f"expected 'RotationPeriodInDays' to be a number of days, found {describe(days)}")
            return
        readers = self._readers(props, named)
        self.found.keys.append(Key(
            named.id, resource.location, _PURPOSE.get(usage, "signing"), "kms",  # not known: signing, the riskier
            rotation_days=int(days) if rotates else None, readable_by=tuple(readers),
            protects=tuple(dict.fromkeys(self.protects.get(named.id, ()))), auto_rotate=rotates if rotatable else None,
            scope=SCOPE))

    def _readers(self, props: YMap, named: Named) -> list[str]:
        document = props.get("KeyPolicy")
        if document is None:  # the default key policy: the account, that is its IAM policies, decides
            self.found.imply(root_id(ACCOUNT), self.found.at(props.pos))
            return [root_id(ACCOUNT)]
        where = self.found.at(props.value_pos["KeyPolicy"])
        documents = self.found.documents(props, "KeyPolicy", f"key {named.logical!r}", "key policy")
        ids = [EVERYONE] if documents is None else []  # a key policy not known: anyone (fail closed)
        for document in documents or ():
            opened = Opened(self.template)
            statements, errors = opened.parse(account_roots(document), f"key policy of {named.logical}", where)
            self.found.errors.extend(errors)
            statements = opened.mark_principals(statements)  # an open principal is not "anyone"
            ids += key_readers(statements, ACCOUNT)
        return principal_ids(self.found, ids, where)

    # -- stores -------------------------------------------------------------------------------------------------

    def _store(self, resource: CfnResource, named: Named, logged: set[str]) -> None:
        props = self.found.properties(resource)
        tags = tags_of(props, self.found)
        data = [c for k in self.options.classification_keys if k in tags
                for c in tags[k].replace(",", " ").split()]  # one left open (`*`) may be any: `reach` counts it
        records = self._records(props, tags)
        noun = named.kind.noun
        if noun == "bucket":
            logging = "LoggingConfiguration" in props or named.id in logged
        elif noun == "table":
            logging = named.id in logged
        elif noun == "secret":
            logging = True
        else:
            logging = "audit" in self.found.strings(props, "EnableCloudwatchLogsExports")
        for key in self._encryption_keys(props):
            self.protects.setdefault(key, []).append(named.id)
        self.found.resources.append(Resource(named.id, resource.location, noun, tuple(dict.fromkeys(data)),
                                             records, logging, scope=SCOPE))

    def _records(self, props: YMap, tags: dict[str, str]) -> int | None:
        text = tags.get("records")
        if text is None:
            return None
        digits = text.replace("_", "")
        if digits.isascii() and digits.isdigit() and len(digits) <= MAX_DIGITS:  # int() of 5,000 digits raises
            return int(digits)
        pos = next((props["Tags"].item_pos[i] for i, t in enumerate(props["Tags"])
                    if isinstance(t, dict) and t.get("Key") == "records"),
                   props.pos)
        self.found.error(pos, f"expected the 'records' tag to be a whole number, found {describe(text)}")
        return None

    def _encryption_keys(self, props: YMap) -> list[str]:
        """The template's keys a store names for encryption at rest (S3, DynamoDB, RDS properties)."""
        found = self.found
        values: list[Any] = [props.get("KmsKeyId"),
                             found.mapping(props, "SSESpecification", "an encryption setting").get("KMSMasterKeyId")]
        encryption = found.mapping(props, "BucketEncryption", "an encryption setting")
        configured = encryption.get("ServerSideEncryptionConfiguration")
        rules = [] if configured == UNRESOLVED else found.list_of(encryption, "ServerSideEncryptionConfiguration",
                                                                   "encryption rules")
        for index, rule in enumerate(rules):
            if isinstance(rule, YMap):
                values.append(found.mapping(rule, "ServerSideEncryptionByDefault", "an encryption default")
                              .get("KMSMasterKeyID"))
            elif rule != UNRESOLVED:
                found.error(encryption["ServerSideEncryptionConfiguration"].item_pos[index],
                            f"expected an encryption rule (a mapping), found {describe(rule)}")
        return [k for k in (self._key_named(v) for v in values) if k is not None]

    def _trails(self) -> set[str]:
        """Ids of the template's buckets and tables whose data-event reads an `IsLogging` trail records whole."""
        stores = [n for n in self.template.own("bucket", "table")]
        covered: set[str] = set()
        for resource in self.template.of_type("AWS::CloudTrail::Trail"):
            props = self.found.properties(resource)
            if str(props.get("IsLogging", True)).lower() == "false":
                continue
            for selector in self.found.list_of(props, "EventSelectors", "event selectors"):
                if isinstance(selector, dict) and selector.get("ReadWriteType", "All") != "WriteOnly":
                    covered.update(s.id for s in stores if _selects(selector, s))
            for selector in self.found.list_of(props, "AdvancedEventSelectors", "advanced event selectors"):
                if isinstance(selector, dict):
                    covered.update(s.id for s in stores if _advanced_selects(selector, s))
        return covered


def _selects(selector: dict[str, Any], store: Named) -> bool:
    kind, everything = _DATA_EVENTS[store.kind.noun]
    for resource in selector.get("DataResources") or ():
        if not isinstance(resource, dict) or resource.get("Type") != kind:
            continue
        values = resource.get("Values") or ()
        if any(isinstance(v, str) and _names_whole(v, store, everything) for v in values):
            return True
    return False


def _names_whole(value: str, store: Named, everything: str) -> bool:
    """A data-resource value that selects the whole store: every store of its kind, or exactly this one."""
    if value.rstrip(":") in (everything, everything + ":::"):
        return True
    if store.kind.noun == "bucket":
        return value == store.arn + "/"
    parts, arn = value.split(":", 5), store.arn.split(":", 5)
    return len(parts) == 6 and parts[5] == arn[5] and parts[2] == arn[2] and UNRESOLVED not in parts[5] \
        and all(p in (a, UNRESOLVED) for p, a in zip(parts[3:5], arn[3:5], strict=True))


def _advanced_selects(selector: dict[str, Any], store: Named) -> bool:
    kind, _ = _DATA_EVENTS[store.kind.noun]
    fields = {f.get("Field"): f for f in selector.get("FieldSelectors") or () if isinstance(f, dict)}
    if (fields.get("eventCategory") or {}).get("Equals") != ["Data"] \
            or kind not in ((fields.get("resources.type") or {}).get("Equals") or ()):
        return False
    if (fields.get("readOnly") or {}).get("Equals") == ["false"]:
        return False
    arn = fields.get("resources.ARN")
    if arn is None:
        return True
    whole = store.arn + "/" if store.kind.noun == "bucket" else store.arn
    if set(arn) - {"Field", "StartsWith", "Equals"}:
        return False  # a selector that excludes (NotEquals, NotStartsWith, EndsWith…) may exclude this store
    return any(whole.startswith(p) for p in arn.get("StartsWith") or () if isinstance(p, str)) \
        or whole in (arn.get("Equals") or ())

