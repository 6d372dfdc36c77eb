"""What a platform file's grants name and no file defines: implied targets.

An IAM policy naming `arn:aws:s3:::orders` in an authorization-details export is no broken reference: the export
lists no buckets. Such a target is implied (flag `implied`): an unclassified store, or a key, in the scope its id
gives, located at the first grant naming it, which a definition in any file replaces (`merge`) and `annotate:`
can classify. The inventory stage does it once per file of a platform source (`with_implied_targets`), where the
source that read the file is known: no source repeats it, the merge keeps one of several implied copies, and it
runs before `link`, so that Kubernetes completes the built-in groups of the service accounts it implies.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import replace
from typing import Literal

from policylint.flags import IMPLIED
from policylint.model import Inventory, Key, Location, Node, Principal, Resource
from policylint.sources.base import Fragment
from policylint.sources.kubernetes_names import ID_PREFIX as K8S_IDS

_NOT_LITERAL = re.compile(r"[*?\[]|\$\{")  # a glob, or an IAM policy variable (`${aws:username}`): many ids
_AWS_IDENTITIES = frozenset({"iam", "sts"})  # ids of identities, not stores: an export lists its account's own
UNKNOWN_TYPE = "unknown"
_KMS_SIGNING = ("kms:sign", "kms:verify", "kms:generatemac", "kms:verifymac")
_KMS_ENCRYPTION = ("kms:decrypt", "kms:encrypt", "kms:reencrypt", "kms:generatedatakey", "kms:derivesharedsecret")


def with_implied_targets(fragment: Fragment) -> Fragment:
    """The fragment, also implying what its grants name literally and it defines nowhere (see the module docstring)."""
    targets = implied_targets(fragment.inventory, fragment.implied)
    if not targets:
        return fragment
    implied = fragment.implied
    return replace(fragment, implied=replace(
        implied, principals=(*implied.principals, *(n for n in targets if isinstance(n, Principal))),
        keys=(*implied.keys, *(n for n in targets if isinstance(n, Key))),
        resources=(*implied.resources, *(n for n in targets if isinstance(n, Resource)))))


def implied_targets(*parts: Inventory) -> list[Node]:
    """The nodes the grants of `parts` imply: for each literal id none of them defines, at its first grant."""
    defined = {node.id for part in parts for node in part.nodes()}
    first: dict[str, Location] = {}
    given: dict[str, set[str]] = {}  # the platform's actions on it, for what a key is used for
    for part in parts:
        for grant in (*(g for role in part.roles for g in role.grants), *part.grants):
            name = grant.resource
            if not name or name in defined or _NOT_LITERAL.search(name) is not None:
                continue
            if name not in first or grant.location < first[name]:
                first[name] = grant.location
            given.setdefault(name, set()).update(grant.actions_given)
    found: dict[str, Node] = {}
    for name, where in first.items():
        for node in implied_by(name, where, frozenset(given[name])):
            if node.id not in defined:
                found.setdefault(node.id, node)
    return list(found.values())


def implied_by(name: str, where: Location, given: frozenset[str] = frozenset()) -> tuple[Node, ...]:
    """What a literal id no file defines stands for, read off the id: an AWS store or KMS key (`given`: the
    actions granted on it), a Kubernetes service account's token key and the account, or else a resource of
    unknown type in its platform's scope."""
    if name.startswith("aws:"):
        return _aws_target(name, where, given)
    account = _service_account(name, where) if name.startswith(K8S_IDS) else ()
    return account or (Resource(name, where, UNKNOWN_TYPE, scope=_platform_scope(name), flags=(IMPLIED,)),)


def _service_account(name: str, where: Location) -> tuple[Node, ...]:
    """A Kubernetes service account's token key (`k8s:…:serviceaccount:NS/NAME#token`) and the account; () for
    another id. The Kubernetes reader is imported here, for a Kubernetes id: a run without one never loads it."""
    from policylint.sources.kubernetes import names as k8s_names
    from policylint.sources.kubernetes.subjects import service_account_nodes

    if not (name.startswith(k8s_names.SERVICE_ACCOUNT_PREFIX) and name.endswith(k8s_names.TOKEN_SUFFIX)):
        return ()
    namespace, _, account = name[len(k8s_names.SERVICE_ACCOUNT_PREFIX):-len(k8s_names.TOKEN_SUFFIX)].partition("/")
    principal, key = service_account_nodes(namespace, account, where)
    return principal, replace(key, flags=(*key.flags, IMPLIED))


def _aws_target(name: str, where: Location, given: frozenset[str]) -> tuple[Node, ...]:
    """`aws:<service>:<region>:<account>:<resource>` (`iam.statements.arn_to_id`). The scope is the account when
    the id names one (a bucket's does not; CloudFormation's `cfn` is any account): `aws` is inside every account's."""
    parts = name.split(":", 4)
    if len(parts) < 5 or not parts[4]:
        return (Resource(name, where, UNKNOWN_TYPE, scope="aws", flags=(IMPLIED,)),)
    _, service, _, account, resource = parts
    if service in _AWS_IDENTITIES:
        return ()  # an identity no file defines: still a broken reference (PL001), perhaps a deleted one
    scope = f"aws:{account}" if account.isdigit() else "aws"
    if service == "kms":  # a key, or an alias of one
        return (Key(name, where, _kms_purpose(given), "kms", scope=scope, flags=(IMPLIED,)),)
    return (Resource(name, where, _aws_type(service, account, resource), scope=scope, flags=(IMPLIED,)),)


def _kms_purpose(given: frozenset[str]) -> Literal["signing", "encryption"]:
    """Encryption when what the grants allow on the key encrypts or decrypts and nothing of it could sign; else
    signing, the riskier, as CloudFormation reads a key of unknown usage (`kms:*`, `NotAction`, only `DescribeKey`)."""
    actions = {a.lower() for a in given}
    if any(a.startswith("notaction") or any(fnmatch.fnmatchcase(s, a) for s in _KMS_SIGNING) for a in actions):
        return "signing"
    return "encryption" if any(a.startswith(_KMS_ENCRYPTION) for a in actions) else "signing"


def _aws_type(service: str, account: str, resource: str) -> str:
    """CloudFormation's noun for the stores it defines (bucket, table, database); else `<service>:<type>`
    (`lambda:function`, `secretsmanager:secret`), or the service alone when the ARN has no type (`sns`, `sqs`)."""
    if service == "s3" and not account and "/" not in resource:
        return "bucket"
    if service == "dynamodb" and resource.startswith("table/"):
        return "table"
    if service == "rds" and resource.startswith(("db:", "cluster:")):
        return "database"
    kind = re.split(r"[/:]", resource, maxsplit=1)
    return f"{service}:{kind[0]}" if len(kind) > 1 else service


def _platform_scope(name: str) -> str | None:
    """The widest scope of a platform id (`k8s:<cluster>`, a GCP project, `gcp`); None for an id of no platform."""
    head, colon, rest = name.partition(":")
    if not colon:
        return None
    if head == "k8s":
        return f"k8s:{rest.partition(':')[0]}"
    project = re.match(r"projects/([^/_][^/]*)", rest) if head == "gcp" else None
    return f"gcp:projects/{project[1]}" if project else head
