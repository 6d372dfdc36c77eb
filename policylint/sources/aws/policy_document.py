"""A bare IAM policy document (`{"Version": …, "Statement": […]}`), as `parliament --file` reads it: one subject
located at its file, so a repository of policy files (kept beside Terraform or the CDK) is linted, not rejected.
Also the AWS CLI's output around one: `aws iam get-policy-version` (`{"PolicyVersion": {"Document": …}}`) and
`get-role-policy`, `get-user-policy`, `get-group-policy` (`{"RoleName": …, "PolicyName": …, "PolicyDocument": …}`).

The document becomes a role (flag `aws-policy-document`): it holds the grants of its identity statements (those
that name no principal), evaluated for an account it does not name (`cfn`, as a CloudFormation template's: admin on
that account's access control counts in every account, fail closed), so the rules on what a policy gives apply to
it (`*` on `*`, escalation), and the lint flags of `iam.lint` (unknown actions, resource mismatches, Allow with
NotAction/NotResource, credential exposure, any principal). Its id is `aws:policy-document:` and the file's path
relative to the run's root, so the same file has the same id in the working tree and in a `diff`'s copy.

Statements that name a Principal are a trust or a resource policy. Those that allow assuming a role make the
document the role they are the trust of: whoever they name may assume it. The others give their actions to the
principals they name (`iam.resource_policy`: `*` is everyone, an ARN its own principal): on each store or key their
ARNs name literally, and otherwise (`"Resource": "*"`, as a key or queue policy writes "this resource", or a glob)
on the resource the document is attached to, which it does not name: the document's own `#key` (readable by the
principals a key policy lets use it) or `#resource`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from policylint.errors import InputError
from policylint.flags import AWS_POLICY_DOCUMENT
from policylint.iam import actions
from policylint.iam.lint import lint
from policylint.iam.policy import STAR_STAR, access_control_id, evaluate, parse_policy
from policylint.iam.resource_policy import grants_by_principal, key_readers, names_principals
from policylint.iam.statements import Statement
from policylint.iam.trust import (
    SERVICE_PREFIX,
    assumer_conditions,
    assumes,
    implied_node,
    principals_of,
    trust_condition,
    trust_routes,
)
from policylint.model import (
    ACCESS_CONTROL,
    EVERYONE,
    Grant,
    Group,
    Inventory,
    Key,
    Location,
    Node,
    Principal,
    Resource,
    Role,
)
from policylint.sources.aws.cfn_template import SCOPE
from policylint.sources.aws.intrinsics import ACCOUNT, describe
from policylint.sources.aws.policy_document_names import NAME as NAME  # detection, imported without the reader
from policylint.sources.aws.policy_document_names import detect as detect
from policylint.sources.aws.policy_document_names import document_of
from policylint.sources.aws.policy_document_names import is_document as is_document
from policylint.sources.base import Fragment, Options
from policylint.yamlsafe import YMap, load_one

PREFIX = "aws:policy-document:"
_SIGNING = ("kms:sign", "kms:verify", "kms:generatemac", "kms:verifymac")


def load(path: str, text: str, options: Options) -> Fragment:
    top = load_one(text.lstrip("\ufeff"), path)
    if not isinstance(top, YMap):
        raise InputError(Location(path, 1, 1), f"expected an IAM policy document (a JSON object with 'Statement'), "
                                               f"found {describe(top)}")
    at = Location(path, *top.pos)
    statements, errors = parse_policy(document_of(top), Path(path).name, path, at)
    own = PREFIX + options.place(path)
    named = [s for s in statements if names_principals(s)]
    evaluation = evaluate([s for s in statements if not names_principals(s)], ACCOUNT, at)
    flags = {AWS_POLICY_DOCUMENT, *lint(statements), *((STAR_STAR,) if evaluation.star_star else ())}
    ids, services = principals_of(named, ACCOUNT)  # its trust statements: who may assume it
    assumable = [*ids, *(SERVICE_PREFIX + s for s in services)]
    role = Role(own, at, tuple(assumable), evaluation.grants, tuple(sorted(flags)), trust_condition(named),
                assumer_conditions(trust_routes(named, ACCOUNT), assumable))
    attached = _Attached(own, at)
    given = _resource_grants([s for s in named if s.resources or s.not_resources is not None or not assumes(s)],
                             at, attached)
    defined = Inventory(roles=(role,), grants=tuple(given), keys=attached.keys(), resources=attached.resources())
    implied = {n.id: n for n in _implied([*assumable, *(g.to or "" for g in given), *attached.readers], at,
                                         _own_accounts(statements))}
    control = Resource(access_control_id(ACCOUNT), at, ACCESS_CONTROL, scope=SCOPE)
    return Fragment(defined, errors, Inventory(
        principals=tuple(n for n in implied.values() if isinstance(n, Principal)),
        groups=tuple(n for n in implied.values() if isinstance(n, Group)),
        roles=tuple(n for n in implied.values() if isinstance(n, Role)), resources=(control,)))


def _resource_grants(statements: list[Statement], at: Location, attached: _Attached) -> list[Grant]:
    """The grants of a resource policy's statements: on what their ARNs name literally, else on the resource the
    document is attached to (`"Resource": "*"`, and a statement with none, such as a repository policy's)."""
    read = [s if s.resources or s.not_resources is not None else replace(s, resources=("*",)) for s in statements]
    readers = set(key_readers(read, None))
    found: dict[tuple[Any, ...], Grant] = {}
    for grants in grants_by_principal(read, ACCOUNT, at, None).values():
        for grant in grants:
            if grant.resource != "*" and not any(c in grant.resource for c in "*?["):
                found.setdefault((grant.to, grant.resource, grant.actions, grant.condition), grant)
            elif grant.resource.startswith("aws:kms:"):
                attached.read_by(grant, grant.to in readers)
            else:
                moved = replace(attached.grant(grant), excluding=())
                found.setdefault((moved.to, moved.resource, moved.actions, moved.condition), moved)
    return list(found.values())


class _Attached:
    """The resource a resource policy is attached to and does not name: a key (`#key`), or another (`#resource`),
    made when a statement's grants land on it."""

    def __init__(self, own: str, at: Location) -> None:
        self.own = own
        self.at = at
        self.readers: list[str] = []
        self.signing = False
        self.services: dict[str, None] = {}
        self.key = False

    def read_by(self, grant: Grant, reads: bool) -> None:
        """A grant on the key: its holder reads with the key when the policy lets it use the key (`reads`); the key
        signs when what is given may sign (a NotAction may: signing is the riskier, as CloudFormation reads it)."""
        self.key = True
        given = grant.actions_given
        self.signing |= any(a.startswith("NotAction ") for a in given) \
            or any(actions.matcher(given).match(s) for s in _SIGNING)
        if reads and grant.to is not None and grant.to not in self.readers:
            self.readers.append(grant.to)

    def grant(self, grant: Grant) -> Grant:
        self.services[grant.resource.split(":")[1] if grant.resource.count(":") > 1 else "*"] = None
        return replace(grant, resource=self.own + "#resource")

    def keys(self) -> tuple[Key, ...]:
        if not self.key:
            return ()
        return (Key(self.own + "#key", self.at, "signing" if self.signing else "encryption", "kms",
                    readable_by=tuple(self.readers), scope=SCOPE),)

    def resources(self) -> tuple[Resource, ...]:
        if not self.services:
            return ()
        kinds = list(self.services)
        return (Resource(self.own + "#resource", self.at, kinds[0] if len(kinds) == 1 and kinds[0] != "*" else
                         "unknown", scope=SCOPE),)


def _own_accounts(statements: list[Statement]) -> set[str]:
    """The accounts the document's own ARNs name (`arn:aws:s3:…:111122223333:…`): what it knows of its account."""
    arns = (r for s in statements for r in (*s.resources, *(s.not_resources or ())))
    return {parts[4] for parts in (r.split(":", 5) for r in arns) if len(parts) == 6 and parts[4].isdigit()}


def _implied(ids: list[str], at: Location, own: set[str]) -> list[Node]:
    """The principals a document names and no file may define. A bare document does not know its account: an
    account it names is another one (its root is external, not `aws-root`, and its users and roles external
    principals), unless its own ARNs name that account (`own`)."""
    found = []
    for node_id in dict.fromkeys(ids):
        named = node_id.split(":", 4)[3] if node_id.startswith("aws:iam::") else ACCOUNT
        node = implied_node(node_id, named if named in own else ACCOUNT, at) \
            if node_id and node_id != EVERYONE else None
        if node is not None:
            found.append(node)
    return found
