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
from policylint.sources.aws.authz_names import NAME as NAME  # detection, imported without the reader
from policylint.sources.aws.authz_names import cfn_resources as cfn_resources
from policylint.sources.aws.authz_names import detect as detect
from policylint.sources.aws.documents import read_document
from policylint.sources.aws.link import link
from policylint.sources.aws.locate import Locator
from policylint.sources.aws.permissions import build
from policylint.sources.base import Fragment, Options
from policylint.yamlsafe import MAX_DIGITS

__all__ = ["NAME", "cfn_resources", "detect", "link", "load"]


class _TooManyDigits(ValueError):
    def __init__(self, digits: str) -> None:
        super().__init__(digits)
        self.digits = digits


def _bounded_int(digits: str) -> int:
    """int() refuses past 4,300 digits (and is quadratic before): a number that long is refused where it stands."""
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise _TooManyDigits(digits)
    return int(digits)


def _position(text: str, digits: str) -> tuple[int, int]:
    match = re.search(rf"(?<![\w.]){re.escape(digits)}(?![\w.])", text)
    start = match.start() if match else 0
    return text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start)


def load(path: str, text: str, options: Options) -> Fragment:
    try:
        data = json.loads(text, parse_int=_bounded_int)
    except _TooManyDigits as error:
        raise InputError(Location(path, *_position(text, error.digits)),
                         f"expected a number of at most {MAX_DIGITS} digits, found one of "
                         f"{len(error.digits.lstrip('-')):,} digits") from None
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
    inventory, implied = build(document, truncated=further_page(data))
    return Fragment(inventory, document.errors, implied)


def further_page(data: dict[str, object]) -> bool:
    """Whether a page says another follows, so it may not list every role of its account: the API's `IsTruncated`
    or `Marker`, or the `NextToken` the AWS CLI writes instead of both (`--max-items`). A marker against a false
    `IsTruncated` is a contradiction, read as a further page (fail closed); an empty or null one is the last page."""
    return data.get("IsTruncated") not in (None, False) or any(
        data.get(key) not in (None, "") for key in ("NextToken", "Marker"))
