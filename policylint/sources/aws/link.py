"""AWS across files: what a role of one file gains from the identities another file lists.

A trust policy naming another account (its root, or any principal of it, which the trust reads as its root) lets
in whoever of that account holds `sts:AssumeRole` on the role. Each authorization-details file lists its own
account's holders of each such pattern as a group `aws:iam::<acct>:allowed-to-assume:<id glob>`, and so does a
CloudFormation template (a Terraform configuration: one Terraform root) for the patterns no role of its own is
(`cfn_iam`); once all files are merged, every role that trusts `aws:iam::<acct>:root` gains the groups of that account
whose glob matches it, under the condition it trusts the root under (`Role.conditions`), but for a group whose
members all assume it already (the role's own template's, resolved there).

A role that trusts an AWS service (`aws:service:<principal>`) lets in whoever can run code as such a role (iam:PassRole
with lambda:CreateFunction, lambda:UpdateFunctionCode, …). Each authorization-details file lists them as groups
`aws:iam::<acct>:runs-code-as:<service>` (`permissions.runners_group_id`, with the id globs of the roles they may
pass when iam:PassRole names some); once all files are merged, every role that trusts the service joins the groups of
its account whose globs match it, whichever file defines it: the export itself, another page of it, a
CloudFormation template of the same repository, a native file. A role whose account is unknown (a template's `cfn`,
a native id) joins the groups of every account, whatever their globs (where and under which name it is deployed is
not known: fail closed). The holders' escalation grants then name the roles they reach this way, or say that no
role read trusts the service yet (`evaluate.naming_roles`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from policylint.iam.evaluate import naming_roles, narrowed_services
from policylint.iam.statements import glob_match
from policylint.iam.trust import SERVICE_PREFIX, assumer_conditions, service_name
from policylint.model import Grant, Group, Inventory, Role
from policylint.sources.aws.permissions import ASSUMERS, Runners, runners_of

_ROOT = ":root"
_ACCOUNT = re.compile(r"aws:iam::(\d{12}):")


def link(inventory: Inventory) -> Inventory:
    return _run_code_as(_assume(inventory))


_Assumers = dict[str, list[tuple[Group, str, tuple[str, ...]]]]  # account -> (group, glob, excluding)


def _assume(inventory: Inventory) -> Inventory:
    by_account: _Assumers = {}
    for group in inventory.groups:
        head, found, pattern = group.id.partition(ASSUMERS)
        if found and head.startswith("aws:iam::"):
            glob, _, excepted = pattern.partition(" except ")
            by_account.setdefault(head.split(":")[3], []).append(
                (group, glob, tuple(excepted.split(",")) if excepted else ()))
    if not by_account:
        return inventory
    return replace(inventory, roles=tuple(_assumed(role, by_account) for role in inventory.roles))


def _assumed(role: Role, by_account: _Assumers) -> Role:
    """The role assumable by the `allowed-to-assume:` groups of each account whose root it trusts that match it
    (but one whose members all assume it already: the role's own file's), under the root's condition if it has one.
    """
    have = set(role.assumable_by)
    added: dict[str, str] = {}  # group id -> the root it trusts
    for name in role.assumable_by:
        if name.startswith("aws:iam::") and name.endswith(_ROOT):
            for group, glob, excluding in by_account.get(name.split(":")[3], ()):
                if glob_match(role.id, glob) and not any(glob_match(role.id, e) for e in excluding) \
                        and group.id not in have and not have.issuperset(group.members):
                    added.setdefault(group.id, name)
    if not added:
        return role
    roots = dict(role.conditions)
    conditions = tuple((group, roots[root]) for group, root in added.items() if root in roots)
    return replace(role, assumable_by=(*role.assumable_by, *added), conditions=(*role.conditions, *conditions))


def _run_code_as(inventory: Inventory) -> Inventory:
    """Each role trusting a service joins the `runs-code-as:` groups it matches; the holders' grants name them."""
    runners = {g.id: found for g in inventory.groups if (found := runners_of(g.id)) is not None}
    if not runners:
        return inventory
    joined: dict[str, list[str]] = {group_id: [] for group_id in runners}
    added: dict[str, list[str]] = {}
    index = _index(runners)
    for role in inventory.roles:
        for group_id in _groups_of(role, index):
            joined[group_id].append(role.id)
            if group_id not in role.assumable_by:
                added.setdefault(role.id, []).append(group_id)
    member_of: dict[str, list[str]] = {}
    for group in inventory.groups:
        if group.id in runners:
            for member in group.members:
                member_of.setdefault(member, []).append(group.id)
    naming = _Naming(runners, joined, member_of)
    roles = tuple(_completed(role, added.get(role.id, ()), naming) for role in inventory.roles)
    grants = tuple(naming.named(g.to, g) if g.to in member_of else g for g in inventory.grants)
    return replace(inventory, roles=roles, grants=grants)


def _completed(role: Role, added: Sequence[str], naming: _Naming) -> Role:
    """The role assumable by the groups it joins (under the condition its trust lets their service in under, if
    any), its own grants naming the roles they reach."""
    assumable = (*role.assumable_by, *added)
    grants = tuple(naming.named(role.id, g) for g in role.grants) if role.id in naming.member_of else role.grants
    if assumable == role.assumable_by and grants == role.grants:
        return role
    own = dict(role.conditions)
    routes = [(group, own.get(a)) for group in added for a in role.assumable_by if a.startswith(SERVICE_PREFIX)
              and service_name(a.removeprefix(SERVICE_PREFIX)) == naming.runners[group][1]]
    conditions = (*role.conditions, *assumer_conditions(routes, added))
    return replace(role, assumable_by=assumable, grants=grants, conditions=conditions)


_Index = dict[tuple[str | None, str], list[tuple[str, tuple[str, ...]]]]


def _index(runners: dict[str, Runners]) -> _Index:
    """(account, service) -> the group ids with their role globs; (None, service) -> those of every account."""
    index: _Index = {}
    for group_id, (account, service, globs) in runners.items():
        index.setdefault((account, service), []).append((group_id, globs))
        index.setdefault((None, service), []).append((group_id, globs))
    return index


def _groups_of(role: Role, index: _Index) -> list[str]:
    """The `runs-code-as:` groups a role joins: of the services it trusts, of its account (every account when that is
    unknown), whose role globs (if any) match it."""
    services = dict.fromkeys(service_name(a.removeprefix(SERVICE_PREFIX)) for a in role.assumable_by
                             if a.startswith(SERVICE_PREFIX))
    known = _ACCOUNT.match(role.id)
    account = known.group(1) if known else None
    found: dict[str, None] = {}
    for service in services:
        for group_id, globs in index.get((account, service), ()):
            if account is None or not globs or any(glob_match(role.id, g) for g in globs):
                found[group_id] = None
    return list(found)


class _Naming:
    """Names, in each narrowed escalation grant, the roles its holder's groups of the grant's services reach."""

    def __init__(self, runners: dict[str, Runners], joined: dict[str, list[str]],
                 member_of: dict[str, list[str]]) -> None:
        self.runners = runners
        self.joined = joined
        self.member_of = member_of

    def named(self, holder: str, grant: Grant) -> Grant:
        services = narrowed_services(grant)
        if services is None:
            return grant
        groups = [g for g in self.member_of.get(holder, ()) if self.runners[g][1] in services]
        roles = sorted({r for g in groups for r in self.joined[g]})
        scopes = [self.runners[g][2] for g in groups]
        passable = sorted({glob for scope in scopes for glob in scope}) if scopes and all(scopes) else []
        return naming_roles(grant, roles, passable)
