"""The AWS account of a plan's IAM resources, from the ARNs its managed resources' values know (a state's; a plan's
resources that exist already, and its `prior_state`'s: `arn:aws:iam::123456789012:role/app`). A data source's ARN
(`aws_caller_identity`: who ran Terraform) names no resource of the plan and is not read.

The CloudFormation reader names every IAM id in the template's unknown account (`intrinsics.ACCOUNT`, `cfn`): this
module is the one place a Terraform id leaves it.
- One account in the IAM resources' ARNs: it is every IAM id's account (`aws:iam::cfn:role/app` becomes
  `aws:iam::123456789012:role/app`, the id an authorization-details export gives that role), the account root and
  its access-control resource included. Keys and stores keep the template's unknown region and account.
- None, and no provider configuration names one: every id keeps `cfn`, or takes the account the plan's folder labels
  (`plan.by_provider`). A provider configuration that names one is as good as an ARN in it (`allowed_account_ids`:
  Terraform refuses to run in any other), whether or not any IAM name is known.
- Several: each resource whose ARN is known takes its own account (and what it holds: `…/deploy#password`); every
  other id takes the provider configuration's account, else keeps `cfn`, or takes the label. `Accounts.used` says
  which ARN gave each id; a source has no channel for notices, so the ids themselves say it.

An IAM resource whose ARN is known exists in that account, so an authorization-details export of the account
defines it too: two views of one identity. The plan's node is then implied (`Fragment.implied`): it is the node when
nothing else defines that id, and gives way to the export's definition without a duplicate-id error, as a
template's `cfn` ids never meet an export's. What the plan grants a role is kept either way, as grants given
directly to it (`Inventory.grants`, `to`), so reach never loses the plan's permissions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any, cast

from policylint.iam.statements import arn_to_id
from policylint.model import Grant, Inventory, Location, Role
from policylint.sources.aws.intrinsics import ACCOUNT
from policylint.sources.base import Fragment

_IAM_ARN = re.compile(r"arn:aws[\w-]*:iam::(\d{12}):(?:user|role|group|policy|instance-profile)/\S+")
_TEMPLATE = f"aws:iam::{ACCOUNT}:"
_IN_TEMPLATE = f":{ACCOUNT}:{ACCOUNT}:"  # a key's or store's id in the template's region and account
_TEMPLATE_REGIONAL = re.compile(rf"(aws:[\w-]+:){ACCOUNT}:{ACCOUNT}:")


@dataclass(frozen=True, slots=True)
class Accounts:
    """What the ARNs of a plan's IAM resources say about their accounts."""

    single: str | None = None  # the one account they name, if exactly one
    used: dict[str, str] = field(default_factory=dict)  # the template's id -> the ARN that gave its own id
    region: str | None = None  # the one region of the regional resources, when known (a provider's, the ARNs')
    label: str | None = None  # where none is named: the account the configuration's folder labels (`plan.by_provider`)

    def id_of(self, template_id: str) -> str:
        """The id a template id (`aws:iam::cfn:role/app`, `…/deploy#password`, `aws:kms:cfn:cfn:key/…`) takes: with
        one account, every id is in it (keys and stores in its region, when known); else its own ARN's, or the
        label's (keys and stores in the template's unknown region)."""
        if self.single is not None:
            return _in_account(template_id, self.single, self.region)
        head, mark, rest = template_id.partition("#")
        arn = self.used.get(head)
        if arn is not None:
            return arn_to_id(arn) + mark + rest
        return template_id if self.label is None else _in_account(template_id, self.label, None)


def _in_account(template_id: str, account: str, region: str | None) -> str:
    renamed = template_id.replace(_TEMPLATE, f"aws:iam::{account}:")
    return _TEMPLATE_REGIONAL.sub(lambda m: f"{m.group(1)}{region or ACCOUNT}:{account}:", renamed)


def accounts_of(arns: list[str], provider: str | None = None) -> Accounts:
    """The accounts the IAM resources' ARNs name, and the account the provider configuration names (though no
    resource's name is known: every IAM name left open is still in it); and the template id each ARN stands for."""
    used: dict[str, str] = {}
    named: set[str] = {provider} if provider is not None else set()
    for arn in arns:
        match = _IAM_ARN.fullmatch(arn)
        if match is not None:
            named.add(match.group(1))
            used[arn_to_id(arn).replace(f"aws:iam::{match.group(1)}:", _TEMPLATE, 1)] = arn
    return Accounts(next(iter(named)) if len(named) == 1 else None, used)


def in_account(fragment: Fragment, accounts: Accounts) -> Fragment:
    """The fragment with every IAM id its account's, and each identity whose ARN is known implied (see above)."""
    if not accounts.used and accounts.single is None and accounts.label is None:
        return fragment
    defined = _renamed(fragment.inventory, accounts)
    existing = {arn_to_id(arn) for arn in accounts.used.values()}
    kept, given = _split(defined, existing)
    implied = _renamed(fragment.implied, accounts)
    return Fragment(kept, fragment.errors, _joined(implied, given))


def _split(inventory: Inventory, existing: set[str]) -> tuple[Inventory, Inventory]:
    """What stays defined, and the identities that exist already (roles without their grants, lifted to `to`)."""
    moved: dict[str, list[Any]] = {f.name: [] for f in fields(Inventory)}
    kept: dict[str, list[Any]] = {f.name: [] for f in fields(Inventory)}
    grants: list[Grant] = []
    for f in fields(Inventory):
        for item in getattr(inventory, f.name):
            if getattr(item, "id", None) not in existing:
                kept[f.name].append(item)
            elif isinstance(item, Role):
                grants += [replace(grant, to=item.id) for grant in item.grants]
                moved[f.name].append(replace(item, grants=()))
            else:
                moved[f.name].append(item)
    kept["grants"] += grants
    return (Inventory(**{k: tuple(v) for k, v in kept.items()}),
            Inventory(**{k: tuple(v) for k, v in moved.items()}))


def _joined(first: Inventory, second: Inventory) -> Inventory:
    return Inventory(**{f.name: getattr(first, f.name) + getattr(second, f.name) for f in fields(Inventory)})


def _renamed(inventory: Inventory, accounts: Accounts) -> Inventory:
    return cast(Inventory, _rename(inventory, accounts))


def _rename(value: Any, accounts: Accounts) -> Any:
    """Every id, member, holder, grant target and condition text of a record, in its account."""
    if isinstance(value, str):
        return accounts.id_of(value) if _TEMPLATE in value or _IN_TEMPLATE in value else value
    if isinstance(value, tuple):
        return tuple(_rename(item, accounts) for item in value)
    if isinstance(value, Location) or not is_dataclass(value) or isinstance(value, type):
        return value
    changes = {f.name: _rename(getattr(value, f.name), accounts) for f in fields(value) if f.init}
    return replace(value, **changes)


def region_of(arns: list[str]) -> str | None:
    """The one region the plan's regional resources' known ARNs name (`arn:aws:kms:eu-west-1:…`), if exactly one."""
    regions = {m.group(1) for m in (_REGIONAL.match(arn) for arn in arns) if m is not None}
    return regions.pop() if len(regions) == 1 else None


_REGIONAL = re.compile(r"arn:aws[\w-]*:[\w-]+:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:")


def in_template_account(value: Any, account: str | None, region: str | None = None) -> Any:
    """A translated value with every ARN in `account` (and `region`) written in the template's unknown ones instead
    (`arn:aws:iam::123456789012:role/app` as `arn:aws:iam::cfn:role/app`, `arn:aws:kms:eu-west-1:123456789012:key/…`
    as `arn:aws:kms:cfn:cfn:key/…`), so that the CloudFormation reader meets the plan's own identities, keys and
    stores in what its policies name, before `in_account` gives the IAM ids their account back: a trust in the
    account's own root is the account's, not a foreign one."""
    if account is None:
        return value
    if isinstance(value, str):
        if "arn:" not in value:
            return value
        if region is not None:  # a regional resource of the plan's own region and account: the template's
            value = value.replace(f":{region}:{account}:", f":{ACCOUNT}:{ACCOUNT}:")
        return value.replace(f":iam::{account}:", f":iam::{ACCOUNT}:")  # another region's: as named
    if isinstance(value, dict):
        return {k: in_template_account(v, account, region) for k, v in value.items()}
    if isinstance(value, list):
        return [in_template_account(v, account, region) for v in value]
    return value


_ARN_KINDS = {"aws_iam_user": "user", "aws_iam_role": "role", "aws_iam_group": "group", "aws_iam_policy": "policy",
              "aws_iam_instance_profile": "instance-profile"}


def provider_arns(resources: list[Any], account: str | None) -> list[str]:
    """The ARNs a configuration's IAM resources will have in the account its provider names (`allowed_account_ids`,
    `assume_role`), as a state would know them: none when it names none."""
    if account is None:
        return []
    arns = []
    for resource in resources:
        kind = _ARN_KINDS.get(resource.type)
        name = resource.values.get("name")
        if kind is not None and isinstance(name, str):
            path = resource.values.get("path") if isinstance(resource.values.get("path"), str) else "/"
            arns.append(f"arn:aws:iam::{account}:{kind}{path}{name}")
    return arns
