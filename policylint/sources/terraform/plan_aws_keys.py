"""A plan's AWS KMS keys, their policies and aliases, and KMS grants, as the CloudFormation properties they amount
to (`plan_aws_data` translates stores; `plan_cfn` says how values become properties).

- A key whose configuration sets no `policy` has AWS's default key policy (no `KeyPolicy`), unless an
  `aws_kms_key_policy` names it: that is its `KeyPolicy` (one whose key is not known until apply: each of the plan's
  keys also gets it). `enable_key_rotation` is `EnableKeyRotation`; not known until apply, it is off (fail
  closed). An `aws_kms_alias` is an `AWS::KMS::Alias`: a grant on the alias's ARN reaches the key.
- CloudFormation has no KMS grant. An `aws_kms_grant` gives its grantee the operations on the key, a path that no
  key policy shows: on the plan's own key it is one more document of the key's policy (the reader takes each
  document's readers, as it does each branch of an `Fn::If`); on a key the plan does not hold, the grantee's own
  policy on the key's ARN (a grant on a key not known until apply: on every key, said so).
"""

from __future__ import annotations

import json
import re
from typing import Any

from policylint.sources.terraform.plan_aws_data import Known, Linker, configured_policy, is_true, referenced
from policylint.sources.terraform.plan_cfn import Reader, Translation, policy_text
from policylint.sources.terraform.plan_read import TfResource

_VERSION = "2012-10-17"
_IDENTITY_ARN = re.compile(r"arn:aws[\w-]*:iam::\d{12}:(role|user)/(?:[^/]+/)*([^/]+)")


def _key(t: Translation, r: TfResource) -> None:
    policy = configured_policy(t, r, "policy")
    rotates = r.unknown.get("enable_key_rotation") is not True and is_true(r.values.get("enable_key_rotation"))
    days = r.values.get("rotation_period_in_days")
    t.add(r, "AWS::KMS::Key", {"KeyPolicy": policy, "EnableKeyRotation": rotates,
                               "KeyUsage": r.values.get("key_usage") or "ENCRYPT_DECRYPT",
                               "KeySpec": r.values.get("customer_master_key_spec") or "SYMMETRIC_DEFAULT",
                               "RotationPeriodInDays": days if rotates and isinstance(days, int) else None})


def _key_policy(t: Translation, r: TfResource) -> None:
    """`aws_kms_key_policy`: the policy of the plan's key it names, as the key's `policy` attribute would be. One
    whose key is not known until apply may be any of the plan's keys: each also gets it (fail closed). A key the
    plan does not hold has no node here to carry it (left to the source that defines that key)."""
    key_id = t.value(r, "key_id")
    key = _own_key(t, key_id)
    if key is not None:
        t.resources[key]["Properties"]["KeyPolicy"] = policy_text(t, r)
    elif isinstance(key_id, dict):
        for other in _keys(t):
            _add_key_document(t, other, policy_text(t, r))


def _own_key(t: Translation, key_id: Any) -> str | None:
    if isinstance(key_id, dict):
        return referenced(t, key_id, "AWS::KMS::Key")
    return t.key_by_id.get(key_id) if isinstance(key_id, str) else None


def _keys(t: Translation) -> list[str]:
    return [logical for logical, body in t.resources.items() if body["Type"] == "AWS::KMS::Key"]


def _add_key_document(t: Translation, key: str, document: Any) -> None:
    """One more document of a key's policy: the key is readable by the readers of each."""
    props = t.resources[key]["Properties"]
    current = _parsed(props.get("KeyPolicy", _default_key_policy()))
    document = _parsed(document)
    if current is None or document is None:
        return  # a policy that is not JSON: the reader reports it, and the key's readers are not known (exit 2)
    if isinstance(current, dict) and "Statement" not in current:
        return  # a policy not known until apply: anyone reads the key already
    if isinstance(document, dict) and "Statement" not in document:
        props["KeyPolicy"] = document  # a document not known until apply: anyone (fail closed)
        return
    props["KeyPolicy"] = [*(current if isinstance(current, list) else [current]), document]


def _parsed(document: Any) -> Any:
    """A policy document as a mapping (a list of them stays one); None for text that is not a JSON object."""
    if not isinstance(document, str):
        return document
    try:
        found = json.loads(document)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def _default_key_policy() -> dict[str, Any]:
    """What AWS gives a key created without a policy: the account, that is its IAM policies, decides."""
    return {"Version": _VERSION, "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                                                "Principal": {"AWS": {"Ref": "AWS::AccountId"}},
                                                "Action": "kms:*", "Resource": "*"}]}


def _alias(t: Translation, r: TfResource) -> None:
    target = t.value(r, "target_key_id")
    key = _own_key(t, target)
    t.add(r, "AWS::KMS::Alias", {"AliasName": t.text_of(r, "name"),
                                 "TargetKeyId": {"Ref": key} if key else target if isinstance(target, str) else None})


def _grant(t: Translation, r: TfResource, known: Known) -> None:
    """`aws_kms_grant`: see the module's docstring."""
    key_id = t.value(r, "key_id")
    key = _own_key(t, key_id)
    grantee = t.value(r, "grantee_principal")
    statement = {"Effect": "Allow", "Action": _operations(t, r), "Resource": "*", **_constraints(r)}
    if key is not None:
        kind = "Service" if isinstance(grantee, str) and grantee.endswith(".amazonaws.com") else "AWS"
        principal = grantee if isinstance(grantee, str | dict) else t.open(r, "grantee_principal")
        _add_key_document(t, key, {"Version": _VERSION, "Statement": [{**statement, "Principal": {kind: principal}}]})
        return
    statement["Resource"] = key_id if isinstance(key_id, str) and key_id.startswith("arn:") else \
        f"arn:aws:kms:*:*:key/{key_id}" if isinstance(key_id, str) else t.open(r, "key_id")
    holders = _grantees(t, r, grantee, known)
    t.add(r, "AWS::IAM::Policy", {"PolicyName": r.address, **holders,
                                  "PolicyDocument": {"Version": _VERSION, "Statement": [statement]}})


def _operations(t: Translation, r: TfResource) -> list[str]:
    """The grant's operations as KMS actions; not known until apply: every one."""
    found = t.items(r, "operations")
    if not found or not all(isinstance(op, str) for op in found):
        return ["kms:*"]
    return [f"kms:{op}" for op in found]


def _constraints(r: TfResource) -> dict[str, Any]:
    """The encryption context a grant requires, as the condition it amounts to (still a path: fail closed); not
    known until apply, none (the wider grant)."""
    if r.unknown.get("constraints") is True:
        return {}
    pairs: dict[str, Any] = {}
    for block in r.values.get("constraints") or ():
        for attr in ("encryption_context_equals", "encryption_context_subset"):
            context = block.get(attr) if isinstance(block, dict) else None
            pairs.update({f"kms:EncryptionContext:{k}": v for k, v in (context or {}).items()})
    return {"Condition": {"StringEquals": pairs}} if pairs else {}


def _grantees(t: Translation, r: TfResource, grantee: Any, known: Known) -> dict[str, list[Any]]:
    """Who holds a grant on a key the plan does not hold, as an identity policy names them: the plan's user or
    role, or the one an IAM ARN names; one not known until apply may be any of the plan's users and roles."""
    for kind, noun in (("AWS::IAM::Role", "Roles"), ("AWS::IAM::User", "Users")):
        own = referenced(t, grantee, kind) or known.of(f"aws_iam_{noun[:-1].lower()}", grantee)
        if own is not None:
            return {noun: [{"Ref": own}]}
    named = _IDENTITY_ARN.fullmatch(grantee) if isinstance(grantee, str) else None
    if named is not None:
        return {"Roles" if named.group(1) == "role" else "Users": [named.group(2)]}
    opened = t.open(r, "grantee_principal")
    return {"Roles": [opened], "Users": [opened]}


FIRST: dict[str, Reader] = {"aws_kms_key": _key}
THEN: dict[str, Reader] = {"aws_kms_key_policy": _key_policy, "aws_kms_alias": _alias}
LAST: dict[str, Linker] = {"aws_kms_grant": _grant}  # after the key policies it adds to
