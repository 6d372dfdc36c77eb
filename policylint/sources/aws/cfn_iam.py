"""IAM in a CloudFormation template: users, groups, roles and instance profiles, the policies they hold (inline,
`AWS::IAM::Policy`, `AWS::IAM::RolePolicy` / `UserPolicy` / `GroupPolicy`, `AWS::IAM::ManagedPolicy`, AWS-managed by
ARN), access keys, login profiles, and who may assume each role.

The statements an identity holds, from every policy attached to it, are evaluated together (an explicit deny in
one policy removes what another allows); a group's policies are evaluated for the group, so a deny attached to a
user does not narrow what its groups grant (fail closed). A trust policy that names the template's own account
(`arn:aws:iam::cfn:root`, or the bare account) delegates to IAM: the role is then also assumable by each identity
of the template whose policies allow `sts:AssumeRole` on it. Those allowed it on a role the template does not define
(or on a glob) are grouped as an export's are (`allowed-to-assume:`), for `link` to join to the roles of other files.

Each policy the template writes (not the AWS-managed ones it attaches by ARN: nobody can change those) is linted
(`iam.lint`), and the identities holding it carry its flags; a role also carries those of its trust policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from typing import Any

from policylint.errors import InputError
from policylint.iam.lint import lint
from policylint.iam.managed_policies import aws_managed_document, aws_managed_name, unknown_policy_grant
from policylint.iam.policy import (
    STAR_STAR,
    Statement,
    evaluate,
    implied_principal,
    parse_policy,
    principals_of,
    root_id,
)
from policylint.iam.statements import OPEN_IN_TEMPLATE, globs_overlap
from policylint.iam.trust import SERVICE_PREFIX, assumer_conditions, trust_condition, trust_routes
from policylint.model import EVERYONE, Credential, Grant, Group, Location, Principal, Role
from policylint.sources.aws.cfn_opened import Opened
from policylint.sources.aws.cfn_policies import principal_ids
from policylint.sources.aws.cfn_template import CfnResource, CfnTemplate, Named
from policylint.sources.aws.cfn_values import Found, Implied, account_roots, tags_of
from policylint.sources.aws.intrinsics import ACCOUNT, UNRESOLVED, describe
from policylint.sources.aws.permissions import assumers_group_id
from policylint.yamlsafe import YMap

_EMAIL_TAGS = ("email", "e-mail", "mail")
_OWNER_TAGS = ("owner", "owner-email", "technical-owner")  # as `documents` reads an export's
_KEY_STATUS = {"Active": "active", "Inactive": "inactive"}
# the properties that attach a policy resource to identities, by name (as `Ref` gives them), and the kind they name
_NAMES = (("Users", "user"), ("Groups", "group"), ("Roles", "role"))
_ONE_NAME = {"AWS::IAM::UserPolicy": ("UserName", "user"), "AWS::IAM::GroupPolicy": ("GroupName", "group"),
             "AWS::IAM::RolePolicy": ("RoleName", "role")}


_Policy = tuple[list[Statement], list[Grant], tuple[str, ...]]  # its statements, or the grant of one not known;
# its lint flags


@dataclass
class _Holder:
    """An identity (user, group, role) and the policies it holds; `resource` is None for one the template names
    (in a policy's `Users`, `Groups`, `Roles`) but does not define: its grants are then given to it by id."""

    id: str
    location: Location
    resource: CfnResource | None = None
    named: Named | None = None
    statements: list[Statement] = field(default_factory=list)
    unknown: list[Grant] = field(default_factory=list)  # policies whose content the template does not show
    flags: dict[str, None] = field(default_factory=dict)  # the lint flags of the policies it holds

    def take(self, policy: _Policy) -> None:
        self.statements += policy[0]
        self.unknown += policy[1]
        self.flags.update(dict.fromkeys(policy[2]))


class Iam:
    def __init__(self, template: CfnTemplate, found: Found, implied: Implied) -> None:
        self.template = template
        self.found = found
        self.implied = implied
        self.holders: dict[str, _Holder] = {}
        self.members: dict[str, dict[str, None]] = {}  # group id -> user ids
        self.member_at: dict[str, Location] = {}  # group id -> where the template first adds to it
        self.managed: dict[str, _Policy] = {}  # template managed policy ARN -> what it holds
        self.profiles: dict[str, list[str]] = {}  # role id -> instance profiles holding it
        self.opened = Opened(template)  # what the template's undetermined values widen

    @property
    def errors(self) -> list[InputError]:
        return self.found.errors

    def build(self) -> None:
        t = self.template
        for resource in t.of_type("AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Role"):
            self._holder(resource)
        for resource in t.of_type("AWS::IAM::ManagedPolicy"):
            self._managed_policy(resource)
        for holder in list(self.holders.values()):
            if holder.resource is not None:  # one a policy names but the template does not define attaches nothing
                self._attached(holder)
        for resource in t.of_type("AWS::IAM::Policy", *_ONE_NAME):
            self._policy(resource)
        for resource in t.of_type("AWS::IAM::UserToGroupAddition"):
            self._addition(resource)
        for resource in t.of_type("AWS::IAM::InstanceProfile"):
            self._instance_profile(resource)
        for resource in t.of_type("AWS::IAM::VirtualMFADevice"):
            self._mfa_device(resource)
        for resource in t.of_type("AWS::IAM::AccessKey"):
            self._access_key(resource)
        evaluations = {hid: self._evaluate(h) for hid, h in self.holders.items()}
        for hid, holder in self.holders.items():
            self._define(holder, *evaluations[hid], evaluations)
        self._assumers(evaluations)
        for group, members in self.members.items():
            if group not in self.holders or self.holders[group].resource is None:
                self.implied.add(Group(group, self.member_at[group], tuple(members)))

    def _add_member(self, group: str, user: str, where: Location) -> None:
        self.members.setdefault(group, {})[user] = None
        self.member_at.setdefault(group, where)

    # -- reading ------------------------------------------------------------------------------------------------

    def _holder(self, resource: CfnResource) -> None:
        named = self.template.named(resource.logical)
        assert named is not None  # users, groups and roles always have names
        if named.id in self.holders:
            first = self.holders[named.id]
            where = f"{first.resource.logical}, line {first.location.line}" if first.resource else \
                f"line {first.location.line}"  # the logical id: a Terraform address, where the line is the plan's
            self.errors.append(InputError(resource.location, f"expected each IAM name once in the template, found "
                                                             f"{named.name!r} again (first as {where})"))
            return
        props = self.found.properties(resource)
        holder = self.holders[named.id] = _Holder(named.id, resource.location, resource, named)
        for index, policy in enumerate(self.found.list_of(props, "Policies", "inline policies")):
            where = props["Policies"].item_pos[index]
            if not isinstance(policy, YMap) or "PolicyDocument" not in policy:
                self.found.error(where, f"expected an inline policy (PolicyName, PolicyDocument), found "
                                        f"{describe(policy)}")
                continue
            name = policy.get("PolicyName")
            holder.take(self._statements(policy, "PolicyDocument", str(name or resource.logical)))
        if named.kind.noun == "user":
            for group in self.template.ids("group", self.found.strings(props, "Groups")):
                self._add_member(group, named.id, self.found.at(props.value_pos["Groups"]))

    def _statements(self, props: YMap, key: str, policy: str) -> _Policy:
        """A policy's statements; an unknown document is an unknown policy (`iam.managed_policies`)."""
        where = self.found.at(props.value_pos[key] if key in props else props.pos)
        documents = self.found.documents(props, key, f"policy {policy!r}")
        if documents is None:
            # a document not known before deployment: anything (fail closed), and the path says why
            return [], [replace(unknown_policy_grant(policy, where),
                                condition=f"{OPEN_IN_TEMPLATE}the document of policy {policy!r}")], ()
        statements: list[Statement] = []
        flags: list[str] = []
        for document in documents:
            found, errors = self.opened.parse(document, policy, where)
            found = self.opened.mark(found)
            statements += found
            flags += lint(found)
            self.errors.extend(errors)
        return statements, [], tuple(flags)

    def _managed_policy(self, resource: CfnResource) -> None:
        named = self.template.named(resource.logical)
        assert named is not None
        props = self.found.properties(resource)
        policy = self.managed[named.arn] = self._statements(props, "PolicyDocument", named.arn)
        for holder in self._holders_named(props):
            holder.take(policy)

    def _attached(self, holder: _Holder) -> None:
        """The managed policies a user, group or role names in `ManagedPolicyArns`."""
        assert holder.resource is not None
        props = self.found.properties(holder.resource)
        where = self.found.at(props.value_pos.get("ManagedPolicyArns", props.pos))
        for arn in self.found.strings(props, "ManagedPolicyArns"):
            own = [a for a in self.managed if a == arn or (UNRESOLVED in arn and globs_overlap(a, arn))]
            for policy in own:
                holder.take(self.managed[policy])
            name = None if own else aws_managed_name(arn)
            document = aws_managed_document(name) if name else None
            if document is not None:
                statements, errors = parse_policy(document, arn, self.template.path, where)
                holder.statements += statements
                self.errors.extend(errors)
            elif not own:
                holder.unknown.append(unknown_policy_grant(arn, where))

    def _policy(self, resource: CfnResource) -> None:
        """An `AWS::IAM::Policy`, or a `RolePolicy` / `UserPolicy` / `GroupPolicy` naming its one identity: held
        like an inline policy of each identity it names."""
        props = self.found.properties(resource)
        name = props.get("PolicyName")
        policy = self._statements(props, "PolicyDocument", str(name if name else resource.logical))
        one = _ONE_NAME.get(resource.type)
        for holder in self._holders_named(props, (one,), required=True) if one else self._holders_named(props):
            holder.take(policy)

    def _holders_named(self, props: YMap, keys: tuple[tuple[str, str], ...] = _NAMES,
                       required: bool = False) -> list[_Holder]:
        """The identities a policy names in `keys` (`Users`, `Groups`, `Roles`: names, as `Ref` gives them)."""
        found = []
        for key, noun in keys:
            for node_id in self.template.ids(noun, self.found.strings(props, key, required)):
                if node_id not in self.holders:  # defined elsewhere: the grants are given to it by id
                    where = self.found.at(props.value_pos[key])
                    self.holders[node_id] = _Holder(node_id, where)
                    self.found.imply(node_id, where)
                found.append(self.holders[node_id])
        return found

    def _addition(self, resource: CfnResource) -> None:
        props = self.found.properties(resource)
        groups = self.template.ids("group", self.found.strings(props, "GroupName", required=True))
        users = self.template.ids("user", self.found.strings(props, "Users", required=True))
        for group in groups:
            for user in users:
                self._add_member(group, user, resource.location)
                if user not in self.holders:
                    self.found.imply(user, resource.location)

    def _instance_profile(self, resource: CfnResource) -> None:
        named = self.template.named(resource.logical)
        assert named is not None
        props = self.found.properties(resource)
        self.found.principals.append(Principal(named.id, resource.location, "service"))
        for role in self.template.ids("role", self.found.strings(props, "Roles", required=True)):
            self.profiles.setdefault(role, []).append(named.id)
            if role not in self.holders:
                self.found.imply(role, resource.location)

    def _mfa_device(self, resource: CfnResource) -> None:
        props = self.found.properties(resource)
        self.found.mfa.update(self.template.ids("user", self.found.strings(props, "Users", required=True)))

    def _access_key(self, resource: CfnResource) -> None:
        props = self.found.properties(resource)
        names = self.found.strings(props, "UserName", required=True)
        status = props.get("Status", "Active")
        if status != UNRESOLVED and (not isinstance(status, str) or status not in _KEY_STATUS):  # a list: unhashable
            where = self.found.at(props.value_pos["Status"])
            self.errors.append(InputError(where, f"expected 'Status' to be Active or Inactive, "
                                                 f"found {describe(status)}"))
            return
        if not names:
            return
        users = self.template.ids("user", names)
        user = users[0] if len(users) == 1 else None  # a name not known before deployment: whose key stays open
        if user is None:
            key_id = f"aws:iam::{ACCOUNT}:access-key/{self.template.generated(resource.logical)}"
        else:
            key_id = f"{user}#{resource.logical}"
            if user not in self.holders:
                self.found.imply(user, resource.location)
        self.found.credentials.append(Credential(key_id, resource.location, "access_key", user, None,
                                                 _KEY_STATUS.get(status, "active")))  # type: ignore[arg-type]

    # -- the model ----------------------------------------------------------------------------------------------

    def _evaluate(self, holder: _Holder) -> tuple[list[Grant], bool, tuple[tuple[str, tuple[str, ...]], ...]]:
        result = evaluate(holder.statements, ACCOUNT, holder.location)
        assume = tuple((glob, excluding) for glob, excluding, _ in result.assume)
        return [*result.grants, *holder.unknown], result.star_star, assume

    def _define(self, holder: _Holder, grants: list[Grant], star: bool, assume: Any,
                evaluations: dict[str, Any]) -> None:
        named, resource = holder.named, holder.resource
        flags = tuple(sorted({*holder.flags, *((STAR_STAR,) if star else ())}))
        if named is None or resource is None or named.kind.noun != "role":
            self.found.grants.extend(replace(g, to=holder.id) for g in grants)
        if named is None or resource is None:
            return
        if named.kind.noun == "role":
            assumable, trust_flags, condition, conditions = self._trust(resource, named, evaluations)
            flags = tuple(sorted({*flags, *trust_flags}))
            self.found.roles.append(Role(named.id, resource.location, tuple(assumable), tuple(grants), flags,
                                         condition, conditions))
        elif named.kind.noun == "group":
            self.found.groups.append(Group(named.id, resource.location, tuple(self.members.get(named.id, ())), flags))
        else:
            self.found.principals.append(self._user(resource, named, flags))

    def _user(self, resource: CfnResource, named: Named, flags: tuple[str, ...]) -> Principal:
        props = self.found.properties(resource)
        tags = tags_of(props, self.found)
        emails = [v for k, v in tags.items() if k.lower() in _EMAIL_TAGS and UNRESOLVED not in v]
        given = named.name != self.template.generated(resource.logical)
        identifiers = tuple(dict.fromkeys([*emails, *([named.name] if given else [])]))
        if props.get("LoginProfile") is None:
            # a person's by an e-mail tag (a CLI user who signs in through SSO), as an authorization-details export
            # reads it; else a service's, whose owner tag names who answers for it
            if emails:
                return Principal(named.id, resource.location, "user", identifiers=identifiers, flags=flags)
            owner = next((v for k, v in tags.items() if k.lower() in _OWNER_TAGS and v and UNRESOLVED not in v), None)
            return Principal(named.id, resource.location, "service", owner=owner, flags=flags)
        login = self.found.at(props.key_pos["LoginProfile"])
        self.found.credentials.append(Credential(f"{named.id}#password", login, "password", named.id, None,
                                                 "active", mfa=True if named.id in self.found.mfa else None))
        return Principal(named.id, resource.location, "user", identifiers=identifiers, flags=flags)

    def _trust(self, resource: CfnResource, named: Named, evaluations: dict[str, Any]) -> tuple[
            list[str], tuple[str, ...], str | None, tuple[tuple[str, str], ...]]:
        """Who may assume the role, the lint flags of its trust policy, the condition it may be assumed under, and
        each assumer's own (`Role.conditions`)."""
        props = self.found.properties(resource)
        key = "AssumeRolePolicyDocument"
        where = self.found.at(props.value_pos[key]) if key in props else resource.location
        documents = self.found.documents(props, key, f"role {named.logical!r}", "trust policy")
        ids: list[str] = [EVERYONE] if documents is None else []  # a trust policy not known: anyone (fail closed)
        services: list[str] = []
        flags: list[str] = []
        trust: list[Statement] = []
        for document in documents or ():
            statements, errors = self.opened.parse(account_roots(document), "trust policy", None)
            statements = self.opened.mark(statements)  # a principal the template leaves open is not "anyone"
            found, more = principals_of(statements, ACCOUNT)
            ids += found
            services += more
            flags += lint(statements)
            trust += statements
            self.errors.extend(errors)
        assumable = principal_ids(self.found, ids, where)
        for service in dict.fromkeys(services):
            assumable.append(SERVICE_PREFIX + service)
            self.implied.add(implied_principal(SERVICE_PREFIX + service, ACCOUNT, where))
        delegated = []
        if root_id(ACCOUNT) in assumable:  # the account delegates to IAM: whoever may sts:AssumeRole it
            delegated = [hid for hid, (_, _, assume) in evaluations.items()
                         if hid != named.id and _may_assume(assume, named)]
        assumable = list(dict.fromkeys([*assumable, *delegated, *self.profiles.get(named.id, [])]))
        if documents is None:
            return assumable, tuple(flags), self._unknown_trust(resource, named), ()
        routes = self._routes(trust, {*ids, *(SERVICE_PREFIX + s for s in services)}, where)
        routes += [(hid, condition) for who, condition in list(routes) if who == root_id(ACCOUNT)
                   for hid in delegated]
        return assumable, tuple(flags), trust_condition(trust), assumer_conditions(routes, assumable)

    def _routes(self, trust: list[Statement], allowed: set[str], where: Location) -> list[tuple[str, str | None]]:
        """`trust_routes`, each principal as `principal_ids` names it (a glob: the template's roles it names)."""
        return [(who, condition) for named, condition in trust_routes(trust, ACCOUNT) if named in allowed
                for who in principal_ids(self.found, [named], where)]

    def _assumers(self, evaluations: dict[str, Any]) -> None:
        """The identities allowed sts:AssumeRole on a role the template does not define, or on a glob (another
        template's role, another Terraform root's, an export's), as the export's reader groups them (`allowed-to-
        assume:<id glob>`, implied: several files' groups of one id gather their members); `link` (link.py) makes
        each role that trusts the account and matches assumable by them, whichever file defines it."""
        own = {n.id for r in self.template.of_type("AWS::IAM::Role") if (n := self.template.named(r.logical))}
        holders: dict[tuple[str, tuple[str, ...]], dict[str, Location]] = {}
        for hid, (_, _, assume) in evaluations.items():
            for glob, excluding in assume:
                if glob not in own:
                    holders.setdefault((glob, excluding), {}).setdefault(hid, self.holders[hid].location)
        for (glob, excluding), found in holders.items():
            where = next(iter(found.values()))
            self.implied.add(Group(assumers_group_id(ACCOUNT, glob, excluding), where, tuple(found)))

    def _unknown_trust(self, resource: CfnResource, named: Named) -> str:
        """Why a role whose trust policy is not known is assumable by anyone: what the template leaves open
        (`aws_iam_role.app.assume_role_policy (known after apply)`), so that what is found says so."""
        whats = self.opened.whats(resource.properties, "AssumeRolePolicyDocument")
        return OPEN_IN_TEMPLATE + ("; ".join(dict.fromkeys(whats)) or f"the trust policy of role {named.logical!r}")


def _may_assume(assume: tuple[tuple[str, tuple[str, ...]], ...], role: Named) -> bool:
    return any((fnmatchcase(role.id, glob) or globs_overlap(glob, role.pattern))
               and not any(fnmatchcase(role.id, e) for e in excluding) for glob, excluding in assume)
