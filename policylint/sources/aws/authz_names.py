"""What makes a file an authorization-details export, and when the cross-file `link` has anything to complete,
without the reader: the registry asks this of every file, and the reader (`authz`, `documents`, `permissions`,
`link`: what IAM policies mean) is imported only when a run has an export to read or records to link."""

from __future__ import annotations

import json
import re

from policylint.model import Inventory

NAME = "aws-authorization-details"
_MARKER = re.compile(r'"(?:User|Group|Role)DetailList"\s*:|"Policies"\s*:\s*\[\s*\{\s*"PolicyName"')
_HEAD = 4096
_CFN_TYPE = re.compile(r'"Type"\s*:\s*"AWS::')
_TOP_KEYS = frozenset({"UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"})


def detect(path: str, text: str) -> bool:
    """One of the detail lists' keys at the top level of a JSON object, and no CloudFormation `Resources` (a
    template's role holds `Policies` too). Parsed when it parses; broken JSON is claimed by its first few KB, so
    loading it says what is wrong (fail closed)."""
    if not text.lstrip("\ufeff \t\r\n").startswith("{") or _MARKER.search(text) is None:
        return False
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except (ValueError, RecursionError):
        return _MARKER.search(text, 0, _HEAD) is not None and not _CFN_TYPE.search(text, 0, _HEAD)
    return isinstance(data, dict) and bool(_TOP_KEYS & set(data)) and not cfn_resources(data)


def cfn_resources(data: dict[str, object]) -> bool:
    """Whether a parsed top level is a CloudFormation template's: `Resources` holding a `Type: AWS::…`."""
    resources = data.get("Resources")
    return "AWSTemplateFormatVersion" in data or (isinstance(resources, dict) and any(
        isinstance(r, dict) and str(r.get("Type", "")).startswith("AWS::") for r in resources.values()))


ACCOUNT_GROUPS = "aws:iam::"  # the ids of an account's groups, `link`'s among them (`allowed-to-assume:`, …)


def links(inventory: Inventory) -> bool:
    """Whether `link` can change anything: a group of an AWS account (whichever file defined it: an export, a
    CloudFormation template, a Terraform root, a native file). Wider than what `link` acts on (the `allowed-to-assume:`
    and `runs-code-as:` groups), never narrower: when this is False, `link` returns the inventory as it was."""
    return any(group.id.startswith(ACCOUNT_GROUPS) for group in inventory.groups)
