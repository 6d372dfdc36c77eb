"""Whether a policy Condition narrows *who* may act: what turns a `"*"` principal into "not anyone".

A resource or trust policy that allows `"Principal": "*"` (or a NotPrincipal) lets anyone act, unless its Condition
pins the caller to something someone owns: an organisation, an account, a principal, a source resource, a network.
Amazon S3 judges a bucket policy public the same way ("Blocking public access to your Amazon S3 storage", section
"The meaning of public": a fixed aws:SourceIp, aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceOwner,
aws:SourceAccount or aws:userid makes it non-public), and so does steampipe-mod-aws-perimeter's
resource_policy_public_access (aws:PrincipalAccount, aws:PrincipalArn, aws:PrincipalOrgID, aws:SourceAccount,
aws:SourceArn, aws:SourceOwner under StringEquals, StringEqualsIgnoreCase, StringLike, ArnEquals or ArnLike;
inverse operators narrow nothing). A condition on anything else (aws:SecureTransport, aws:CurrentTime,
s3:x-amz-acl) leaves the principal open.

A clause narrows only with a positive operator and values that are all fixed: a `...IfExists` operator or
`ForAllValues:` passes when the key is absent (an anonymous caller has no aws:PrincipalOrgID), `StringNotEquals`
admits everyone else, and `"*"`, a policy variable or `0.0.0.0/0` names anyone. One narrowing clause is enough:
the clauses of a Condition must all hold.
"""

from __future__ import annotations

from typing import Any

# The condition keys that name who the caller is or where the call comes from (lower case: keys are not
# case-sensitive): the AWS global keys of S3's and steampipe's lists, the organisation paths and the newer
# aws:SourceOrgID/Paths, the caller's service, and the service-specific keys that pin the caller's account or
# path (sts:ExternalId in a trust policy, kms:CallerAccount and kms:ViaService in a key policy).
WHO_KEYS = frozenset({
    "aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn",
    "aws:principalservicename", "aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:sourceorgid",
    "aws:sourceorgpaths", "aws:sourcevpce", "aws:sourcevpc", "aws:sourceip", "aws:userid", "aws:username",
    "sts:externalid", "kms:calleraccount", "kms:viaservice",
})
_NARROWING = frozenset({"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress"})
_ARN_KEYS = frozenset({"aws:principalarn", "aws:sourcearn"})
_EVERY_ADDRESS = frozenset({"0.0.0.0/0", "::/0"})


def narrows_who(block: Any) -> bool:
    """Whether a Condition block (`{operator: {key: value or values}}`) limits who may act."""
    if not isinstance(block, dict):
        return False
    return any(_narrows(str(operator), str(key), values) for operator, keys in block.items()
               if isinstance(keys, dict) for key, values in keys.items())


def _narrows(operator: str, key: str, values: Any) -> bool:
    name = operator.lower()
    if name.startswith("forallvalues:") or name.endswith("ifexists"):
        return False  # true when the key is absent: an anonymous caller passes
    name = name.removeprefix("foranyvalue:")
    key = key.lower()
    if name not in _NARROWING or key not in WHO_KEYS or (name == "ipaddress") != (key == "aws:sourceip"):
        return False
    listed = values if isinstance(values, list) else [values]
    return bool(listed) and all(_fixed(key, str(value)) for value in listed)


def _fixed(key: str, value: str) -> bool:
    """A value that names something someone owns: not only wildcards, no policy variable, not every address, and
    for an ARN an account that is not a wildcard (`arn:aws:iam::*:role/x` is that role name in any account)."""
    if not value.strip("*?") or "${" in value or value in _EVERY_ADDRESS:
        return False
    if key in _ARN_KEYS:
        parts = value.split(":", 5)  # an S3 ARN has no account: then its bucket must be named
        fixed = parts[4] if len(parts) == 6 and parts[4] else parts[-1].strip("*?/")
        return len(parts) == 6 and bool(fixed) and not any(c in parts[4] for c in "*?")
    return True
