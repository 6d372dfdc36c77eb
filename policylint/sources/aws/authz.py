"""`aws iam get-account-authorization-details` JSON: users, groups, roles and the managed policies they attach.

Parsed with `json.loads` (tens of MB at 20,000 users) and located by a scan of the text (`locate.py`): a user,
group, role or managed policy is located at its `"Arn"`, an inline policy at its `"PolicyName"`, and a statement
at its policy. Reading the document into identities is `documents.py`; what they may do is `permissions.py`.
"""

from __future__ import annotations

import json
import re

from policylint.errors import InputError
from policylint.model import Location
from policylint.sources.aws.documents import read_document
from policylint.sources.aws.link import link
from policylint.sources.aws.locate import Locator
from policylint.sources.aws.permissions import build
from policylint.sources.base import Fragment, Options

NAME = "aws-authorization-details"
__all__ = ["NAME", "detect", "link", "load"]
_MARKER = re.compile(r'"(?:User|Group|Role)DetailList"\s*:|"Policies"\s*:\s*\[\s*\{\s*"PolicyName"')
_HEAD = 4096


def detect(path: str, text: str) -> bool:
    """One of the detail lists' keys near the top of a JSON object."""
    return text.lstrip("\ufeff \t\r\n").startswith("{") and _MARKER.search(text, 0, _HEAD) is not None


def load(path: str, text: str, options: Options) -> Fragment:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(Location(path, error.lineno, error.colno),
                         f"expected JSON from 'aws iam get-account-authorization-details', found a syntax error: "
                         f"{error.msg}") from None
    except RecursionError:
        raise InputError(Location(path, 1, 1), "expected JSON nested less than a thousand levels deep, found deeper "
                                               "nesting") from None
    if not isinstance(data, dict):
        raise InputError(Location(path, 1, 1), "expected a JSON object with UserDetailList, GroupDetailList, "
                                               f"RoleDetailList and Policies, found a {type(data).__name__}")
    document = read_document(data, Locator(text, path))
    inventory, implied = build(document)
    return Fragment(inventory, document.errors, implied)
