"""What makes a file a bare IAM policy document (or the AWS CLI's output around one), without the reader: the
registry asks this of every file (`is_document` of a parsed one, for the second look), and the reader
(`policy_document`: what the document's statements mean) is imported only when a run has one."""

from __future__ import annotations

import re
from typing import Any

NAME = "aws-iam-policy"
# Its first lines (after any blanks): an object whose first key is one of a document's or of the CLI's output around
# one, and a `Statement` holding an `Effect`. What this misses (keys written with escapes, an `Effect` past the
# first 4 KB) the parsed second look (`is_document`) finds.
_OPENING = re.compile(r'[\ufeff \t\r\n]*(\{)\s*"(?:Version|Id|Statement|PolicyVersion|PolicyName|PolicyDocument|'
                      r'RoleName|UserName|GroupName)"\s*:')
_STATEMENT = re.compile(r'"Statement"\s*:\s*[\[{]')
_EFFECT = re.compile(r'"Effect"\s*:')
_HEAD = 4096
_WRAPPED = ("RoleName", "UserName", "GroupName")  # get-role-policy and its kin: the document is `PolicyDocument`


def detect(path: str, text: str) -> bool:
    opening = _OPENING.match(text)
    if opening is None:
        return False
    head = text[opening.start(1):opening.start(1) + _HEAD]
    statement = _STATEMENT.search(head)
    return statement is not None and _EFFECT.search(head, statement.end()) is not None


def is_document(value: Any) -> bool:
    """Whether a parsed JSON value is a policy document (or the CLI's output around one): an object whose
    `Statement`, a list or an object, holds a statement with an `Effect`; or the CLI's output around a document
    given as (URL-encoded) JSON text, which `load` reads or reports."""
    document = document_of(value) if isinstance(value, dict) else None
    if isinstance(document, str):
        return bool(document.strip())  # an empty one: `--generate-cli-skeleton`, no policy yet
    statements = document.get("Statement") if isinstance(document, dict) else None
    listed = statements if isinstance(statements, list) else [statements]
    return any(isinstance(s, dict) and "Effect" in s for s in listed)


def document_of(value: dict[Any, Any]) -> Any:
    """The policy document in the CLI's output around one, or the value itself."""
    version = value.get("PolicyVersion")
    if isinstance(version, dict) and "Document" in version:
        return version["Document"]
    if "PolicyDocument" in value and ("PolicyName" in value or any(k in value for k in _WRAPPED)):
        return value["PolicyDocument"]
    return value
