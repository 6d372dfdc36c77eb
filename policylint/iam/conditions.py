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
admits everyone else, and a value with any wildcard (`o-*`, `A*`, `arn:aws:iam::*:role/*`: S3 calls only a
fixed value non-public), a policy variable, or addresses that together are every address (`0.0.0.0/0`,
`0.0.0.0/1` with `128.0.0.0/1`, `::/0`) names anyone. Keys that say how the call is made rather than who makes it
(kms:ViaService, aws:PrincipalServiceName, sts:ExternalId: a `*` trust with an external id is assumable by anyone
who knows the string) narrow nothing. One narrowing clause is enough: the clauses of a Condition must all hold.
"""

from __future__ import annotations

import ipaddress
from typing import Any

# The condition keys that name who the caller is or where the call comes from (lower case: keys are not
# case-sensitive): the AWS global keys of S3's and steampipe's lists, the organisation paths and the newer
# aws:SourceOrgID/Paths, and kms:CallerAccount, which pins the caller's account in a key policy.
WHO_KEYS = frozenset({
    "aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn",
    "aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:sourceorgid", "aws:sourceorgpaths",
    "aws:sourcevpce", "aws:sourcevpc", "aws:sourceip", "aws:userid", "aws:username", "kms:calleraccount",
})
_NARROWING = frozenset({"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress"})
_ARN_KEYS = frozenset({"aws:principalarn", "aws:sourcearn"})
_EVERY_V4 = ipaddress.IPv4Network("0.0.0.0/0")
_EVERY_V6 = ipaddress.IPv6Network("::/0")


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
    listed = [str(value).strip() for value in (values if isinstance(values, list) else [values])]
    if key == "aws:sourceip" and _every_address(listed):
        return False
    return bool(listed) and all(_fixed(key, value) for value in listed)


def _every_address(listed: list[str]) -> bool:
    """Whether the CIDR ranges together hold every IPv4 or every IPv6 address (`0.0.0.0/1` and `128.0.0.0/1`)."""
    v4: list[ipaddress.IPv4Network] = []
    v6: list[ipaddress.IPv6Network] = []
    for value in listed:
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            continue  # not an address: `_fixed` judges it
        if isinstance(network, ipaddress.IPv4Network):
            v4.append(network)
        else:
            v6.append(network)
    return _EVERY_V4 in ipaddress.collapse_addresses(v4) or _EVERY_V6 in ipaddress.collapse_addresses(v6)


def _fixed(key: str, value: str) -> bool:
    """A value that names something someone owns: no wildcard at all (`*` or `?`), no policy variable, and for an
    ARN all six parts."""
    if not value or any(c in value for c in "*?") or "${" in value:
        return False
    return key not in _ARN_KEYS or len(value.split(":", 5)) == 6
