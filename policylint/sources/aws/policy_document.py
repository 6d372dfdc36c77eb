"""A bare IAM policy document (`{"Version": …, "Statement": […]}`), as `parliament --file` reads: recognised so that
it is reported with its reason, not as an unknown file. On its own it names no identity that holds it, so it holds
no access-control data; policies count when a user, group or role attaches them (authorization details,
CloudFormation)."""

from __future__ import annotations

import re

from policylint.errors import InputError
from policylint.model import Location
from policylint.sources.base import Fragment, Options

NAME = "aws-iam-policy"
_TOP = re.compile(r'\A\ufeff?\s*\{\s*"(?:Version|Id|Statement)"\s*:')
_STATEMENT = re.compile(r'"Statement"\s*:\s*[\[{]\s*(?:\{\s*)?"(?:Sid|Effect|Action|NotAction|Resource|Principal)"')
_HEAD = 4096


def detect(path: str, text: str) -> bool:
    return _TOP.search(text, 0, _HEAD) is not None and _STATEMENT.search(text, 0, _HEAD) is not None


def load(path: str, text: str, options: Options) -> Fragment:
    raise InputError(Location(path, 1, 1), "expected an inventory file, found an IAM policy document: on its own it "
                                           "names no user, group or role that holds it (attach it to one in "
                                           "authorization details or CloudFormation)")
