"""A plan's AWS data stores and what is attached to them, as the CloudFormation properties they amount to
(`plan_aws` translates identities and policies, `plan_aws_keys` keys; `plan_cfn` says how values become
properties), and the helpers the key translation shares.

- A store names the key that encrypts it (DynamoDB `server_side_encryption`, RDS `kms_key_id`, a secret's
  `kms_key_id`, `aws_s3_bucket_server_side_encryption_configuration`): the key protects it.
- A bucket's inline `policy` (AWS provider v3) is an `AWS::S3::BucketPolicy`, as `aws_s3_bucket_policy` is; an
  `aws_s3_access_point` an `AWS::S3::AccessPoint`, whose policy gives its grants on the bucket;
  `aws_dynamodb_resource_policy` the table's `ResourcePolicy`. A policy attribute the provider computes (no
  expression sets it) is not the configuration's: it is read from the resource it belongs to.
- A secret is an `AWS::SecretsManager::Secret`: its tags classify it as a bucket's do; its `policy`, or an
  `aws_secretsmanager_secret_policy`, an `AWS::SecretsManager::ResourcePolicy`.
- An `aws_cloudtrail` is an `AWS::CloudTrail::Trail`: the stores whose data-event reads it records log. A part of
  a selector not known until apply may select less: that selector records nothing (fail closed), as does a trail
  whose `enable_logging` is not known.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from policylint.sources.terraform.plan_cfn import Reader, Translation, configured, policy_text, tags
from policylint.sources.terraform.plan_read import Plan, TfResource

_STORES = {"aws_s3_bucket": ("AWS::S3::Bucket", "BucketName", "bucket"),
           "aws_dynamodb_table": ("AWS::DynamoDB::Table", "TableName", "name"),
           "aws_db_instance": ("AWS::RDS::DBInstance", "DBInstanceIdentifier", "identifier"),
           "aws_rds_cluster": ("AWS::RDS::DBCluster", "DBClusterIdentifier", "cluster_identifier")}
# known values by which one resource names another of the plan (a state's ARNs): resource type -> attributes
_KNOWN_BY = {"aws_dynamodb_table": ("arn",), "aws_secretsmanager_secret": ("arn", "id"),
             "aws_s3_access_point": ("arn",), "aws_iam_role": ("arn",), "aws_iam_user": ("arn",)}


class Known:
    """The plan's resources by the ARN their values know, looked up, not scanned: a state's policy names its table
    or secret by ARN, and each lookup costs the same however large the plan."""

    def __init__(self, plan: Plan) -> None:
        self._by: dict[tuple[str, str], str] = {}
        for resource in plan.resources:
            for attr in _KNOWN_BY.get(resource.type, ()):
                value = resource.values.get(attr)
                if isinstance(value, str) and value:
                    self._by.setdefault((resource.type, value), resource.address)

    def of(self, tf_type: str, value: Any) -> str | None:
        return self._by.get((tf_type, value)) if isinstance(value, str) else None


# -- stores -------------------------------------------------------------------------------------------------------

def _store(t: Translation, r: TfResource) -> None:
    kind, name_property, attr = _STORES[r.type]
    props: dict[str, Any] = {name_property: t.text_of(r, attr), "Tags": tags(t, r)}
    if r.type == "aws_s3_bucket" and any(isinstance(x, dict) and x.get("target_bucket")
                                         for x in r.values.get("logging") or ()):
        props["LoggingConfiguration"] = {}
    if r.type == "aws_dynamodb_table" and is_true(_nested(t, r, "server_side_encryption", "enabled")):
        props["SSESpecification"] = {"SSEEnabled": True, "KMSMasterKeyId": key_ref(
            t, _nested(t, r, "server_side_encryption", "kms_key_arn"))}
    if r.type in ("aws_db_instance", "aws_rds_cluster"):
        props["KmsKeyId"] = key_ref(t, t.text_of(r, "kms_key_id")) or None
        props["EnableCloudwatchLogsExports"] = r.values.get("enabled_cloudwatch_logs_exports") or None
    t.add(r, kind, props)
    policy = configured_policy(t, r, "policy") if r.type == "aws_s3_bucket" else None
    if policy is not None:  # AWS provider v3: the bucket's own `policy`
        t.add(r, "AWS::S3::BucketPolicy", {"Bucket": {"Ref": r.address}, "PolicyDocument": policy},
              logical=f"{r.address}#policy")


def _nested(t: Translation, r: TfResource, *path: str) -> Any:
    """A value in nested blocks (the first block of each): the plan's; not known until apply, what the one resource
    its expression references stands for (`kms_key_arn = aws_kms_key.k.arn`), or else an open parameter."""
    value: Any = r.values
    mark: Any = r.unknown
    for step in path:
        value, mark = _first(_mapping(value).get(step)), mark if mark is True else _first(_mapping(mark).get(step))
        if mark is True:
            attr = ".".join(path)
            return t.reference(r, attr) or t.open(r, attr)
    return value


def _first(value: Any) -> Any:
    return (value[0] if value else None) if isinstance(value, list) else value


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def key_ref(t: Translation, value: Any) -> Any:
    """A key a store names by the id or ARN the plan knows (a state's), as a `Ref` to the plan's key: the reader
    names a key by the name it gives it, not by AWS's id."""
    key = t.key_by_id.get(value) if isinstance(value, str) else None
    return {"Ref": key} if key is not None else value


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def configured_policy(t: Translation, r: TfResource, attr: str = "policy") -> Any:
    """A policy attribute the configuration sets: its document, or what stands for one not known until apply."""
    return policy_text(t, r, attr) if configured(t, r, attr) else None


def _bucket_policy(t: Translation, r: TfResource) -> None:
    bucket = t.text_of(r, "bucket")
    own = _named_store(t, bucket)
    t.add(r, "AWS::S3::BucketPolicy", {"Bucket": {"Ref": own} if own else bucket, "PolicyDocument": policy_text(t, r)})


def _named_store(t: Translation, name: Any) -> str | None:
    if isinstance(name, dict):
        ref = name.get("Ref")
        return ref if isinstance(ref, str) and ref in t.resources else None
    return t.named("AWS::S3::Bucket", name)


def _bucket_logging(t: Translation, r: TfResource) -> None:
    own = _named_store(t, t.text_of(r, "bucket"))
    if own is not None:
        t.resources[own]["Properties"]["LoggingConfiguration"] = {}


def _bucket_encryption(t: Translation, r: TfResource) -> None:
    """`aws_s3_bucket_server_side_encryption_configuration`: the key that encrypts the plan's bucket by default."""
    own = _named_store(t, t.text_of(r, "bucket"))
    key = _nested(t, r, "rule", "apply_server_side_encryption_by_default", "kms_master_key_id")
    if own is not None and key:
        t.resources[own]["Properties"]["BucketEncryption"] = {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_ref(t, key)}}]}


def _access_point(t: Translation, r: TfResource) -> None:
    """`aws_s3_access_point`: its policy's grants are on its bucket (`cfn_policies`)."""
    bucket = t.text_of(r, "bucket")
    own = _named_store(t, bucket)
    t.add(r, "AWS::S3::AccessPoint", {"Bucket": {"Ref": own} if own else bucket, "Name": t.text_of(r, "name"),
                                      "Policy": configured_policy(t, r, "policy")})


def _access_point_policy(t: Translation, r: TfResource, known: Known) -> None:
    """`aws_s3control_access_point_policy`: the policy of the plan's access point it names; of another, an access
    point whose bucket is not known (its grants stay on the statements' ARNs, and are seen: `cfn_policies`)."""
    arn = t.value(r, "access_point_arn")
    own = referenced(t, arn, "AWS::S3::AccessPoint") or known.of("aws_s3_access_point", arn)
    if own is not None:
        t.resources[own]["Properties"]["Policy"] = policy_text(t, r)
        return
    t.add(r, "AWS::S3::AccessPoint", {"Bucket": t.open(r, "access_point_arn"), "Policy": policy_text(t, r)})


def referenced(t: Translation, value: Any, kind: str) -> str | None:
    """The plan's resource of the type that a `Ref` or `Fn::GetAtt` stands for."""
    if not isinstance(value, dict):
        return None
    logical = value.get("Ref") or (value.get("Fn::GetAtt") or [None])[0]
    return logical if isinstance(logical, str) and t.resources.get(logical, {}).get("Type") == kind else None


def _table_policy(t: Translation, r: TfResource, known: Known) -> None:
    """`aws_dynamodb_resource_policy`: the `ResourcePolicy` of the plan's table (or of the table whose stream) it
    names. One whose table is not known until apply may be any of the plan's tables: each gets it (fail closed); a
    table the plan does not hold has no node here to carry it (left to the source that defines that table)."""
    arn = t.value(r, "resource_arn")
    own = referenced(t, arn, "AWS::DynamoDB::Table") or \
        known.of("aws_dynamodb_table", arn.split("/stream/")[0] if isinstance(arn, str) else None)
    document = policy_text(t, r)
    opened = isinstance(arn, dict) and own is None
    tables = [own] if own else [k for k, v in t.resources.items() if v["Type"] == "AWS::DynamoDB::Table" and opened]
    for table in tables:
        t.resources[table]["Properties"]["ResourcePolicy"] = {"PolicyDocument": document}


def _secret(t: Translation, r: TfResource) -> None:
    t.add(r, "AWS::SecretsManager::Secret", {"Name": t.text_of(r, "name"),
                                             "KmsKeyId": key_ref(t, t.text_of(r, "kms_key_id")), "Tags": tags(t, r)})
    policy = configured_policy(t, r, "policy")
    if policy is not None:
        t.add(r, "AWS::SecretsManager::ResourcePolicy", {"SecretId": {"Ref": r.address}, "ResourcePolicy": policy},
              logical=f"{r.address}#policy")


def _secret_policy(t: Translation, r: TfResource, known: Known) -> None:
    """`aws_secretsmanager_secret_policy`: as the secret's `policy` attribute is read; a secret not known until
    apply is any secret (an open parameter)."""
    arn = t.value(r, "secret_arn")
    own = referenced(t, arn, "AWS::SecretsManager::Secret") or known.of("aws_secretsmanager_secret", arn)
    target = {"Ref": own} if own else arn if isinstance(arn, str) else t.open(r, "secret_arn")
    t.add(r, "AWS::SecretsManager::ResourcePolicy", {"SecretId": target, "ResourcePolicy": policy_text(t, r)})


# -- trails -------------------------------------------------------------------------------------------------------

def _trail(t: Translation, r: TfResource) -> None:
    """`aws_cloudtrail`: see the module's docstring."""
    logging = r.values.get("enable_logging")
    t.add(r, "AWS::CloudTrail::Trail", {
        "TrailName": t.text_of(r, "name"),
        "IsLogging": r.unknown.get("enable_logging") is not True and (logging is None or is_true(logging)),
        "EventSelectors": [_selector(s) for s in _known_blocks(r, "event_selector")] or None,
        "AdvancedEventSelectors": [_advanced(s) for s in _known_blocks(r, "advanced_event_selector")] or None})


def _known_blocks(r: TfResource, attr: str) -> list[dict[str, Any]]:
    """The blocks of a nested attribute that nothing unknown until apply is part of."""
    marks = r.unknown.get(attr)
    if marks is True:
        return []
    return [block for index, block in enumerate(r.values.get(attr) or ()) if isinstance(block, dict)
            and not _has_unknown(marks[index] if isinstance(marks, list) and index < len(marks) else None)]


def _has_unknown(mark: Any) -> bool:
    if isinstance(mark, dict):
        return any(_has_unknown(m) for m in mark.values())
    if isinstance(mark, list):
        return any(_has_unknown(m) for m in mark)
    return mark is True


def _selector(block: dict[str, Any]) -> dict[str, Any]:
    return {"ReadWriteType": block.get("read_write_type") or "All",
            "DataResources": [{"Type": d.get("type"), "Values": d.get("values") or []}
                              for d in block.get("data_resource") or () if isinstance(d, dict)]}


_FIELDS = {"field": "Field", "equals": "Equals", "not_equals": "NotEquals", "starts_with": "StartsWith",
           "not_starts_with": "NotStartsWith", "ends_with": "EndsWith", "not_ends_with": "NotEndsWith"}


def _advanced(block: dict[str, Any]) -> dict[str, Any]:
    """An advanced selector's field selectors, each only with the conditions it sets (Terraform lists every one)."""
    return {"Name": block.get("name"),
            "FieldSelectors": [{_FIELDS[k]: v for k, v in f.items() if k in _FIELDS and v not in (None, [])}
                               for f in block.get("field_selector") or () if isinstance(f, dict)]}


Linker = Callable[[Translation, TfResource, Known], None]
FIRST: dict[str, Reader] = {**dict.fromkeys(_STORES, _store), "aws_secretsmanager_secret": _secret}
THEN: dict[str, Reader] = {"aws_s3_bucket_policy": _bucket_policy, "aws_s3_bucket_logging": _bucket_logging,
                           "aws_s3_bucket_server_side_encryption_configuration": _bucket_encryption,
                           "aws_s3_access_point": _access_point, "aws_cloudtrail": _trail}
LAST: dict[str, Linker] = {"aws_secretsmanager_secret_policy": _secret_policy,
                           "aws_s3control_access_point_policy": _access_point_policy,
                           "aws_dynamodb_resource_policy": _table_policy}
