"""AWS across files: a role that trusts another account is assumable by that account's identities allowed to.

A trust policy naming another account (its root, or any principal of it, which the trust reads as its root) lets
in whoever of that account holds `sts:AssumeRole` on the role. Each authorization-details file lists its own
account's holders of each such pattern as a group `aws:iam::<acct>:allowed-to-assume:<id glob>`; once all files
are merged, every role that trusts `aws:iam::<acct>:root` gains the groups of that account whose glob matches it.
"""

from __future__ import annotations

from dataclasses import replace

from policylint.iam.statements import glob_match
from policylint.model import Inventory
from policylint.sources.aws.permissions import ASSUMERS

_ROOT = ":root"


def link(inventory: Inventory) -> Inventory:
    by_account: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {}  # account -> (group id, glob, excluding)
    for group in inventory.groups:
        head, found, pattern = group.id.partition(ASSUMERS)
        if found and head.startswith("aws:iam::"):
            glob, _, excepted = pattern.partition(" except ")
            by_account.setdefault(head.split(":")[3], []).append(
                (group.id, glob, tuple(excepted.split(",")) if excepted else ()))
    if not by_account:
        return inventory
    roles = []
    for role in inventory.roles:
        added = [group for name in role.assumable_by if name.startswith("aws:iam::") and name.endswith(_ROOT)
                 for group, glob, excluding in by_account.get(name.split(":")[3], ())
                 if glob_match(role.id, glob) and not any(glob_match(role.id, e) for e in excluding)
                 and group not in role.assumable_by]
        roles.append(replace(role, assumable_by=(*role.assumable_by, *dict.fromkeys(added))) if added else role)
    return replace(inventory, roles=tuple(roles))
