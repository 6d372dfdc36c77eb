"""A bare IAM policy document (`{"Version": …, "Statement": […]}`), as `parliament --file` reads it: one subject
located at its file, so a repository of policy files (kept beside Terraform or the CDK) is linted, not rejected.

The document becomes a role that nobody is known to assume (flag `aws-policy-document`): it holds the grants of
its statements, evaluated for an account it does not name (`cfn`, as a CloudFormation template's: admin on that
account's access control counts in every account, fail closed), so the rules on what a policy gives apply to it
(`*` on `*`, escalation), and the lint flags of `iam.lint` (unknown actions, resource mismatches, Allow with
NotAction/NotResource, credential exposure, any principal). Its id is `aws:policy-document:` and the file's path
relative to the run's root, so the same file has the same id in the working tree and in a `diff`'s copy.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from policylint.errors import InputError
from policylint.flags import AWS_POLICY_DOCUMENT
from policylint.iam.lint import lint
from policylint.iam.policy import STAR_STAR, access_control_id, evaluate, parse_policy
from policylint.model import ACCESS_CONTROL, Inventory, Location, Resource, Role
from policylint.sources.aws.cfn_template import SCOPE
from policylint.sources.aws.intrinsics import ACCOUNT, describe
from policylint.sources.base import Fragment, Options
from policylint.yamlsafe import YMap, load_one

NAME = "aws-iam-policy"
PREFIX = "aws:policy-document:"
_TOP = re.compile(r'\A\ufeff?\s*\{\s*"(?:Version|Id|Statement)"\s*:')
_STATEMENT = re.compile(r'"Statement"\s*:\s*[\[{]\s*(?:\{\s*)?"(?:Sid|Effect|Action|NotAction|Resource|Principal)"')
_HEAD = 4096


def detect(path: str, text: str) -> bool:
    return _TOP.search(text, 0, _HEAD) is not None and _STATEMENT.search(text, 0, _HEAD) is not None


def load(path: str, text: str, options: Options) -> Fragment:
    document = load_one(text.lstrip("\ufeff"), path)
    if not isinstance(document, YMap):
        raise InputError(Location(path, 1, 1), f"expected an IAM policy document (a JSON object with 'Statement'), "
                                               f"found {describe(document)}")
    at = Location(path, *document.pos)
    statements, errors = parse_policy(document, Path(path).name, path, at)
    evaluation = evaluate(statements, ACCOUNT, at)
    flags = {AWS_POLICY_DOCUMENT, *lint(statements), *((STAR_STAR,) if evaluation.star_star else ())}
    role = Role(document_id(path, options.globs_root), at, (), evaluation.grants, tuple(sorted(flags)))
    control = Resource(access_control_id(ACCOUNT), at, ACCESS_CONTROL, scope=SCOPE)
    return Fragment(Inventory(roles=(role,)), errors, Inventory(resources=(control,)))


def document_id(path: str, root: str) -> str:
    """`aws:policy-document:` and the path relative to the root (posix), or absolute when outside it."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, os.path.abspath(root))
    shown = absolute if relative == os.pardir or relative.startswith(os.pardir + os.sep) else relative
    return PREFIX + Path(shown).as_posix()
