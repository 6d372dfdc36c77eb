"""Identities of an authorization-details document into the model, with what their policies let them do.

A user's permissions are its own policies and its groups' evaluated together: a Deny in any of them wins over an
Allow in another. To keep the output linear, each policy bundle (the user's own policies, each group's) is
evaluated under the denies of the whole set, and a group holds its grants itself (`Grant(to=group)`, reached by
membership) when the denies of no member change them; otherwise its members get that bundle's grants directly.
Evaluating bundle by bundle is exact for grants; a privilege-escalation method can need actions from several
bundles, so escalation is also checked on the whole set. Evaluations are cached by policies and denies, so
20,000 users sharing a few groups cost a few evaluations.

A role trusting its own account's root may be assumed by every identity of the account whose policies allow
`sts:AssumeRole` on it. Rather than listing them in every such role, one group per pattern they are allowed
(`aws:iam::<acct>:allowed-to-assume:<id glob>`) holds them, and each role it matches lists the group.

An export lists every role of its account with its trust policy, so an escalation that runs code as a role an AWS
service may assume (`escalation.ROLES`: iam:PassRole with lambda:CreateFunction, lambda:UpdateFunctionCode, …) gains
exactly the roles that trust that service, and of those, where it passes one, the roles iam:PassRole names: one
group per account, service and iam:PassRole's role globs (`aws:iam::<acct>:runs-code-as:<service principal>`, with
` passing <id glob> …` when it may not pass every role: `runners_group_id`) holds the identities that can. Which
roles trust the service is known once every file is read (a template's, a native file's, another page's): `link`
(link.py) makes each of them assumable by the group, and names them in the holders' grants. The escalation grant is
then no longer admin on the account's access control (`evaluate.to_service_roles`). A conditional escalation keeps
the fail-closed admin (a group membership could not show its condition), as does an account whose roles the file
does not list, and a page of a paged export (`IsTruncated`, `Marker` or the CLI's `NextToken`: the roles of the other
pages may never be read).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from policylint.flags import AWS_ALLOWS_STAR_STAR as STAR_STAR
from policylint.flags import AWS_ROOT as ROOT
from policylint.iam import escalation
from policylint.iam.evaluate import (
    Escalation,
    Evaluation,
    escalation_grants,
    escalations,
    evaluate,
    to_service_roles,
    touches,
)
from policylint.iam.managed_policies import unknown_policy_grant
from policylint.iam.statements import Statement, access_control_id, glob_match, parse_policy
from policylint.iam.trust import (
    SERVICE_PREFIX,
    assumer_conditions,
    implied_principal,
    principals_of,
    root_id,
    service_name,
    trust_condition,
    trust_routes,
)
from policylint.model import (
    ACCESS_CONTROL,
    Grant,
    Group,
    Inventory,
    Location,
    Principal,
    PrincipalType,
    Resource,
    Role,
)
from policylint.sources.aws.documents import Document, Identity, Policy

UNRESOLVED = "managed policy not in this file"
ASSUMERS = "allowed-to-assume:"
RUNS_AS = "runs-code-as:"
_PASSING = " passing "
_Assume = tuple[str, tuple[str, ...]]  # an id glob sts:AssumeRole is allowed on, and its exclusions
Runners = tuple[str, str, tuple[str, ...]]  # account, service principal, the id globs of the roles it may pass


@dataclass
class _State:
    document: Document
    evaluations: dict[tuple[object, ...], Evaluation] = field(default_factory=dict)
    escalations: dict[tuple[object, ...], tuple[Escalation, ...]] = field(default_factory=dict)
    extra: dict[tuple[int, int], tuple[Grant, ...]] = field(default_factory=dict)
    touching: dict[tuple[tuple[str, ...], Statement], bool] = field(default_factory=dict)
    assumers: dict[_Assume, dict[str, Location]] = field(default_factory=dict)  # pattern -> holders
    implied: dict[str, Principal | Group | Resource] = field(default_factory=dict)
    grants: list[Grant] = field(default_factory=list)
    by_name: dict[str, str] = field(default_factory=dict)  # `aws:iam::<acct>:role/<name>` -> the id with its path
    assume_groups: dict[str, Group] = field(default_factory=dict)
    trusts: dict[str, _Trust] = field(default_factory=dict)  # role id -> its trust policy, read once
    role_accounts: set[str] = field(default_factory=set)  # the accounts whose roles the file lists
    truncated: bool = False  # a page of a paged export: it does not list every role of its account
    # narrowed grant -> its services and the roles it may pass
    narrowed: dict[Grant, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)
    runners: dict[Runners, dict[str, Location]] = field(default_factory=dict)  # -> holders

    def evaluation(self, policies: tuple[Policy, ...], identity: Identity,
                   denies: tuple[Statement, ...] = ()) -> Evaluation:
        names = tuple(p.key for p in policies)
        denies = tuple(d for d in denies if self._touches(names, policies, d))
        key = (identity.account, *names, denies)
        found = self.evaluations.get(key)
        if found is None:
            first = next((p.statements[0].location for p in policies if p.statements), identity.location)
            found = evaluate((*(s for p in policies for s in p.statements), *denies), identity.account, first)
            found = self.evaluations[key] = self.narrow(found, identity.account)
        return found

    def narrow(self, evaluation: Evaluation, account: str) -> Evaluation:
        found = self.narrowed_escalations(evaluation.escalations, account)
        if found == evaluation.escalations:
            return evaluation
        old = set(escalation_grants(evaluation.escalations))
        kept = tuple(g for g in evaluation.grants if g not in old)
        return replace(evaluation, grants=(*kept, *escalation_grants(found)), escalations=found)

    def narrowed_escalations(self, found: tuple[Escalation, ...], account: str) -> tuple[Escalation, ...]:
        """`ROLES` escalations without condition, narrowed to the roles of the account that trust their services,
        when the file lists all of the account's roles, and no other gain is admin on the account already."""
        if not any(e.gain.kind == escalation.ROLES and e.grant.condition is None for e in found) \
                or any(e.gain.kind != escalation.ROLES for e in found) \
                or account not in self.role_accounts or self.truncated:
            return found
        result = []
        for each in found:
            if each.gain.kind == escalation.ROLES and each.grant.condition is None:
                services = tuple(service_name(s) for s in each.gain.services)
                each = replace(each, grant=to_service_roles(each))
                self.narrowed[each.grant] = (services, each.roles)
            result.append(each)
        return tuple(result)

    def beyond(self, part: Evaluation, shared: frozenset[Grant]) -> tuple[Grant, ...]:
        """The part's grants its group does not hold for every member."""
        key = (id(part), id(shared))
        found = self.extra.get(key)
        if found is None:
            found = self.extra[key] = tuple(g for g in part.grants if g not in shared)
        return found

    def _touches(self, names: tuple[str, ...], policies: tuple[Policy, ...], deny: Statement) -> bool:
        key = (names, deny)
        found = self.touching.get(key)
        if found is None:
            found = self.touching[key] = touches((s for p in policies for s in p.statements), deny)
        return found

    def escalation(self, policies: tuple[Policy, ...], identity: Identity) -> tuple[Escalation, ...]:
        key = ("escalation", identity.account, *(p.key for p in policies))
        found = self.escalations.get(key)
        if found is None:
            first = next((p.statements[0].location for p in policies if p.statements), identity.location)
            found = escalations((s for p in policies for s in p.statements), identity.account, first)
            found = self.escalations[key] = self.narrowed_escalations(found, identity.account)
        return found

    def runs_as(self, holder: str, grants: tuple[Grant, ...], at: Location) -> None:
        """The holder of a narrowed escalation joins the group of each service it can run code as."""
        for grant in grants:
            if not self.narrowed or grant.actions != ("write",) or not grant.resource.endswith(":access-control"):
                continue
            services, roles = self.narrowed.get(replace(grant, to=None), ((), ()))
            for service in services:
                account = grant.resource.split(":", 4)[3]
                self.runners.setdefault((account, service, roles), {}).setdefault(holder, at)

    def held(self, evaluation: Evaluation, holder: Identity) -> None:
        for glob, excluding, _ in evaluation.assume:
            self.assumers.setdefault((glob, excluding), {}).setdefault(holder.id, holder.location)

    def imply(self, node: Principal | Group | Resource) -> None:
        self.implied.setdefault(node.id, node)


_Trust = tuple[list[Statement], list[str], list[str]]  # a trust policy's statements, the ids and services it names


def build(document: Document, truncated: bool = False) -> tuple[Inventory, Inventory]:
    """The file's identities and what they may do, and what it implies; `truncated`: a page of a paged export."""
    state = _State(document, truncated=truncated)
    for identity in (*document.users, *document.roles):
        state.by_name[f"aws:iam::{identity.account}:{identity.kind}/{identity.name}"] = identity.id
    for role in document.roles:
        _read_trust(role, state)
    groups = {g.name: g for g in document.groups}
    users_of = _users_of(document, groups, state)
    sets = {u.id: _full_set(u, groups) for u in document.users}
    shared = {g.id: _shared(g, users_of.get(g.name, []), sets, state) for g in document.groups}
    for account, where in _accounts(document):
        state.imply(Resource(access_control_id(account), where, ACCESS_CONTROL, scope=f"aws:{account}"))
    built_groups = [_group(g, [u.id for u in users_of.get(g.name, [])], shared[g.id], state) for g in document.groups]
    principals = [_user(u, groups, sets[u.id], shared, state) for u in document.users]
    evaluated = [(r, state.evaluation(r.policies, r)) for r in document.roles]
    for role, evaluation in evaluated:
        state.held(evaluation, role)
        state.runs_as(role.id, evaluation.grants, role.location)
    for grant in state.grants:
        state.runs_as(grant.to or "", (grant,), grant.location)
    runner_groups = [_runner_group(key, holders) for key, holders in state.runners.items()]
    roles = [_role(r, e, state) for r, e in evaluated]
    _remaining_assumers(state)
    implied = list(state.implied.values())
    inventory = Inventory(principals=tuple(principals), groups=tuple(built_groups), roles=tuple(roles),
                          grants=tuple(state.grants))
    # implied: the pages of an export, or exports of one account by path, each list the holders they read
    listed = (*state.assume_groups.values(), *runner_groups)
    return inventory, Inventory(
        principals=tuple(n for n in implied if isinstance(n, Principal)),
        groups=(*(n for n in implied if isinstance(n, Group)), *listed),
        resources=tuple(n for n in implied if isinstance(n, Resource)),
        grants=tuple(root_grant(n) for n in implied if isinstance(n, Principal) and ROOT in n.flags))


def root_grant(root: Principal) -> Grant:
    """The root user may do anything in its account: admin on its access control."""
    return Grant(access_control_id(root.id.split(":")[3]), ("admin",), root.location, to=root.id,
                 via="account root user")


def _users_of(document: Document, groups: dict[str, Identity], state: _State) -> dict[str, list[Identity]]:
    """Group name -> its users; a group the file does not list is implied with them (its policies unknown)."""
    found: dict[str, list[Identity]] = {}
    for user in document.users:
        for name in dict.fromkeys(user.groups):
            found.setdefault(name, []).append(user)
    for name, users in found.items():
        if name not in groups:
            group_id = f"aws:iam::{users[0].account}:group/{name}"
            state.imply(Group(group_id, users[0].location, tuple(u.id for u in users)))
    return found


def _accounts(document: Document) -> list[tuple[str, Location]]:
    seen: dict[str, Location] = {}
    for identity in (*document.users, *document.groups, *document.roles):
        seen.setdefault(identity.account, identity.location)
    return list(seen.items())


def _full_set(user: Identity, groups: dict[str, Identity]) -> dict[str, Policy]:
    found = {p.key: p for p in user.policies}
    for name in user.groups:
        if name in groups:
            found.update((p.key, p) for p in groups[name].policies if p.key not in found)
    return found


def _denies_outside(policies: dict[str, Policy], bundle: tuple[Policy, ...]) -> tuple[Statement, ...]:
    inside = {p.key for p in bundle}
    return tuple(s for key, p in policies.items() if key not in inside and p.has_deny
                 for s in p.statements if s.effect == "Deny" and s.condition is None)


def _shared(group: Identity, users: list[Identity], sets: dict[str, dict[str, Policy]],
            state: _State) -> frozenset[Grant]:
    """The group's grants that the denies of no member's other policies change: the group holds these."""
    found = frozenset(state.evaluation(group.policies, group).grants)
    for user in users:
        denies = _denies_outside(sets[user.id], group.policies)
        if denies:
            found &= frozenset(state.evaluation(group.policies, group, denies).grants)
    return found


def _flags(identity: Identity) -> tuple[str, ...]:
    return ((STAR_STAR,) if any(p.star_star for p in identity.policies) else ()) + identity.lint_flags


def _unresolved(identity: Identity, to: str | None) -> list[Grant]:
    """An attached policy whose content neither the file nor the table of AWS-managed policies shows: assumed to
    allow reading, writing and deleting every AWS resource (fail closed), but not access control, and said so."""
    return [replace(unknown_policy_grant(arn, identity.location), to=to,
                    condition=f"{UNRESOLVED}: {arn} is not in the file, assumed to allow all but IAM")
            for arn in identity.unresolved]


def _direct(grants: tuple[Grant, ...], to: str) -> list[Grant]:
    return [Grant(g.resource, g.actions, g.location, to, g.excluding, g.condition, g.via, g.actions_given)
            for g in grants]


def _group(group: Identity, members: list[str], shared: frozenset[Grant], state: _State) -> Group:
    evaluation = state.evaluation(group.policies, group)
    state.grants.extend(_direct(tuple(g for g in evaluation.grants if g in shared), group.id))
    state.grants.extend(_unresolved(group, group.id))
    if len(shared) == len(evaluation.grants):
        state.held(evaluation, group)
    return Group(group.id, group.location, tuple(members), _flags(group))


def _user(user: Identity, groups: dict[str, Identity], policies: dict[str, Policy],
          shared: dict[str, frozenset[Grant]], state: _State) -> Principal:
    """The user's own bundle, and what the group bundles give it beyond what its groups hold for every member."""
    own_groups = [groups[name] for name in dict.fromkeys(user.groups) if name in groups]
    in_groups = {p.key for g in own_groups for p in g.policies}
    own = tuple(p for p in user.policies if p.key not in in_groups)
    parts = [state.evaluation(own, user, _denies_outside(policies, own))]
    for group in own_groups:
        part = state.evaluation(group.policies, group, _denies_outside(policies, group.policies))
        parts.append(part)
        state.grants.extend(_direct(state.beyond(part, shared[group.id]), user.id))
        if len(shared[group.id]) < len(state.evaluation(group.policies, group).grants):
            state.held(part, user)
    state.grants.extend(_direct(parts[0].grants, user.id))
    state.held(parts[0], user)
    # a method can need actions from several bundles: what the whole set gains beyond what a bundle gains already
    have = {e.gain for part in parts for e in part.escalations}
    if not any(gain.kind == escalation.IAM for gain in have):
        whole = state.escalation(tuple(policies.values()), user)
        state.grants.extend(_direct(escalation_grants(e for e in whole if e.gain not in have), user.id))
    state.grants.extend(_unresolved(user, user.id))
    kind: PrincipalType = "user" if user.console else "service"
    return Principal(user.id, user.location, kind, owner=None if kind == "user" else user.owner,
                     identifiers=user.identifiers, flags=_flags(user))


def _read_trust(role: Identity, state: _State) -> None:
    statements, errors = parse_policy(role.trust, "trust policy", role.location.file, role.location)
    state.document.errors.extend(errors)
    ids, services = principals_of(statements, role.account)
    state.trusts[role.id] = (statements, ids, services)
    state.role_accounts.add(role.account)


def _runner_group(key: Runners, holders: dict[str, Location]) -> Group:
    return Group(runners_group_id(*key), next(iter(holders.values())), tuple(holders))


def runners_group_id(account: str, service: str, roles: tuple[str, ...]) -> str:
    """The group of who can run code as a role of the account that trusts the service, of the roles whose id
    matches one of `roles` (none: every role)."""
    return f"aws:iam::{account}:{RUNS_AS}{service}" + (_PASSING + " ".join(roles) if roles else "")


def runners_of(group_id: str) -> Runners | None:
    """What `runners_group_id` made the id of; None for another id."""
    head, found, rest = group_id.partition(RUNS_AS)
    if not found or not head.startswith("aws:iam::"):
        return None
    service, _, roles = rest.partition(_PASSING)
    return head.split(":")[3], service, tuple(roles.split(" ")) if roles else ()


def _role(role: Identity, evaluation: Evaluation, state: _State) -> Role:
    statements, ids, services = state.trusts[role.id]
    assumable = [*(state.by_name.get(i, i) for i in ids), *(SERVICE_PREFIX + s for s in services)]
    for node_id in assumable:
        implied = implied_principal(node_id, role.account, role.location)
        if implied is not None:
            state.imply(implied)
    routes = [(state.by_name.get(who, who), condition) for who, condition in trust_routes(statements, role.account)]
    root = root_id(role.account)
    if root in ids:
        groups = [g for g in _assuming_groups(role, state) if g not in assumable]
        assumable.extend(groups)
        routes += [(g, condition) for g in groups for who, condition in routes if who == root]
    grants = (*evaluation.grants, *_unresolved(role, None))
    return Role(role.id, role.location, tuple(assumable), grants, _flags(role), trust_condition(statements),
                assumer_conditions(routes, assumable))


def _remaining_assumers(state: _State) -> None:
    """Groups also for the sts:AssumeRole patterns no role of this file matches: the role may be in another
    account's file, which `link` (link.py) joins them to when that role trusts this account."""
    for (glob, excluding), holders in state.assumers.items():
        for account in sorted({h.split(":", 4)[3] for h in holders if h.startswith("aws:iam::")}):
            prefix = f"aws:iam::{account}:"
            inside = {h: at for h, at in holders.items() if h.startswith(prefix)}
            group_id = assumers_group_id(account, glob, excluding)
            state.assume_groups.setdefault(group_id, Group(group_id, next(iter(inside.values())), tuple(inside)))


def assumers_group_id(account: str, glob: str, excluding: tuple[str, ...]) -> str:
    return f"aws:iam::{account}:{ASSUMERS}{glob}" + (f" except {','.join(excluding)}" if excluding else "")


def _assuming_groups(role: Identity, state: _State) -> list[str]:
    """The groups of same-account identities allowed sts:AssumeRole on the role (made when first needed)."""
    found = []
    prefix = f"aws:iam::{role.account}:"
    for (glob, excluding), holders in state.assumers.items():
        if not glob_match(role.id, glob) or any(glob_match(role.id, e) for e in excluding):
            continue
        inside = {h: at for h, at in holders.items() if h.startswith(prefix)}
        if inside:
            group_id = assumers_group_id(role.account, glob, excluding)
            state.assume_groups.setdefault(group_id, Group(group_id, next(iter(inside.values())), tuple(inside)))
            found.append(group_id)
    return found
