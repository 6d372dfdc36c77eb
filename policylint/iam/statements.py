"""IAM policy documents read into statements, each checked and located; ARNs turned into policylint ids."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import unquote

from policylint.errors import InputError
from policylint.iam.conditions import narrows_who
from policylint.model import Location
from policylint.redact import redact
from policylint.yamlsafe import YMap, YSeq

_ACTION = re.compile(r"[A-Za-z0-9*?-]+:[A-Za-z0-9*?]+\Z")
_PRINCIPAL_KINDS = ("AWS", "Service", "Federated", "CanonicalUser")
_EQUALITY = frozenset(("Bool", "StringEquals", "NumericEquals", "DateEquals"))  # named: the others (ArnEquals globs)


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement as written (actions and ARNs not yet expanded); `condition` is its Condition as short text."""

    effect: Literal["Allow", "Deny"]
    actions: tuple[str, ...]
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...]
    not_resources: tuple[str, ...] | None
    condition: str | None
    policy: str
    location: Location
    principals: tuple[str, ...] = ()  # resource and trust policies: "AWS:<arn or account>", "Service:<name>", "*"
    not_principals: tuple[str, ...] | None = None
    narrows_who: bool = False  # its Condition limits who may act (`conditions`): a `*` principal is not anyone


def glob_match(text: str, glob: str, *, text_is_glob: bool = False) -> bool:
    """IAM wildcard matching (`*` any run, `?` one character, nothing else special), case-sensitive like ARNs.
    With `text_is_glob`, a `?` does not stand for a wildcard of the text (so that one glob covers another).

    The pieces between `*`s are found in turn, each at its first place after the previous one (the first place is
    never worse: the `*` after it takes what is left), so time grows with the text times the pieces' `?`s at most.
    A regex of `.*`s backtracks: a policy's `role/*a*a*a*a*a*a*a*a*a*b` against a 60-letter role name took minutes.
    """
    if "*" not in glob and "?" not in glob:
        return text == glob
    if "*" not in glob:
        return len(text) == len(glob) and _piece_at(text, 0, glob, text_is_glob)
    head, *middle, tail = glob.split("*")
    end = len(text) - len(tail)
    if end < len(head) or not _piece_at(text, 0, head, text_is_glob) or not _piece_at(text, end, tail, text_is_glob):
        return False
    at = len(head)
    for piece in middle:
        found = _find_piece(text, piece, at, end, text_is_glob)
        if found < 0:
            return False
        at = found + len(piece)
    return True


def _piece_at(text: str, at: int, piece: str, text_is_glob: bool) -> bool:
    """Whether a piece of a glob (no `*`; `?` one character) matches the text at `at`."""
    if "?" not in piece:
        return text.startswith(piece, at)
    if at + len(piece) > len(text):
        return False
    return all(c == p if p != "?" else not (text_is_glob and c in "*?")
               for c, p in zip(text[at:at + len(piece)], piece, strict=True))


def _find_piece(text: str, piece: str, start: int, end: int, text_is_glob: bool) -> int:
    """The first place in text[start:end] where the piece matches, or -1."""
    if "?" not in piece:
        return text.find(piece, start, end)
    for at in range(start, end - len(piece) + 1):
        if _piece_at(text, at, piece, text_is_glob):
            return at
    return -1


@lru_cache(maxsize=65536)
def globs_overlap(first: str, second: str) -> bool:
    """Whether some text matches both IAM globs (`*` any run, `?` one character): whether an ARN pattern of a policy
    and an ARN format of the action data can name the same resource."""
    if "*" not in first and "?" not in first and "*" not in second and "?" not in second:
        return first == second
    head, tail = _fixed_ends(first), _fixed_ends(second)
    if not (head[0].startswith(tail[0]) or tail[0].startswith(head[0])) \
            or not (head[1].endswith(tail[1]) or tail[1].endswith(head[1])):
        return False  # the text each must begin or end with differs: most pairs, decided without the table
    rows, cols = len(first), len(second)
    # below[j]: first[i + 1:] and second[j:] have a common match (the row under the one being filled)
    below = [False] * cols + [True]
    for j in range(cols - 1, -1, -1):
        below[j] = second[j] == "*" and below[j + 1]
    for i in range(rows - 1, -1, -1):
        a = first[i]
        row = [False] * cols + [a == "*" and below[cols]]
        for j in range(cols - 1, -1, -1):
            b = second[j]
            if a == "*" or b == "*":  # a star matches nothing more (next of its glob), or takes the other's next
                row[j] = below[j] or row[j + 1]
            else:
                row[j] = (a == b or "?" in (a, b)) and below[j + 1]
        below = row
    return below[0]


def _fixed_ends(glob: str) -> tuple[str, str]:
    """The text before a glob's first wildcard and after its last."""
    cut = [i for i, c in enumerate(glob) if c in "*?"]
    return (glob[:cut[0]], glob[cut[-1] + 1:]) if cut else (glob, glob)


def allows_star_star(statement: Statement) -> bool:
    """An Allow of every action on every resource, without condition (CIS AWS Foundations: no `*:*` policies)."""
    return (statement.effect == "Allow" and statement.condition is None and statement.not_actions is None
            and statement.not_resources is None and bool({"*", "*:*"} & set(statement.actions))
            and "*" in statement.resources)


def access_control_id(account: str) -> str:
    return f"aws:iam::{account}:access-control"


VARIABLE = re.compile(r"\$\{[^}]*\}")  # `${aws:username}`, `${bucket_arn}`, an ARN format's `${BucketName}`
_IAM_ARN = re.compile(r"arn:[^:]*:iam:")
# How a grant's condition starts when a template, not the policy, left part of a statement open (its Resource or
# Action read as `*`, its Effect as Allow, its Condition as unknown: fail closed): a CloudFormation value not known
# before deployment (`!Ref` a parameter), a Terraform placeholder (`${bucket_arn}`)
OPEN_IN_TEMPLATE = "template leaves open: "
TEMPLATE_PLACEHOLDER = "template placeholder "
# an IAM policy variable (`${aws:username}`, `${s3:prefix}`, `${*}`); any other `${…}` is a template's placeholder
# (Terraform's `${bucket_arn}`, `${AWS::Region}` of a CloudFormation body copied as is), which IAM would reject
_IAM_VARIABLE = re.compile(r"\$\{(?:[*?$]|[A-Za-z][\w-]*:[^:}][^}]*)\}")


def template_placeholders(text: str) -> list[str]:
    return [m for m in VARIABLE.findall(text) if not _IAM_VARIABLE.fullmatch(m)]


def read_placeholders(arn: str) -> str:
    """A Resource with template placeholders as what it may be once filled: each one `*` (fail closed), and `*`
    when that leaves no ARN (`${bucket_arn}/*`)."""
    read = VARIABLE.sub(lambda m: m[0] if _IAM_VARIABLE.fullmatch(m[0]) else "*", arn)
    return read if is_arn(read) else "*"


def arn_to_id(arn: str) -> str:
    """The policylint id (or id glob) an ARN (or ARN glob) names: `aws:` + the ARN after its partition.

    S3 object ARNs name their bucket (`arn:aws:s3:::b/*` -> `aws:s3:::b`), DynamoDB index and stream ARNs their
    table: the data store is what the graph knows. `rds-db:connect`'s database users name every RDS database of
    their account and region (fail closed). `*` is every AWS id, `aws:*`.
    """
    if arn.startswith("*"):
        # `*` alone, or an ARN whose beginning a template leaves open (`${LogGroup.Arn}:log-stream:*`,
        # `${var.bucket}/*` with the bucket not known): any ARN it could be, every AWS id (fail closed)
        return "aws:*"
    if "${" in arn and not _IAM_ARN.match(arn):
        # a policy variable (`table/${aws:username}`) is each caller's own value: a store of any name (fail closed);
        # in an IAM ARN (`user/${aws:username}`) it names the caller itself, which the escalation checks read
        arn = VARIABLE.sub("*", arn)
    parts = arn.split(":", 5)
    if parts[0] != "arn" or len(parts) < 3:
        raise ValueError(f"expected an ARN 'arn:partition:service:region:account:resource' or '*', found {arn!r}")
    rest = parts[2:]
    if len(rest) == 4:
        service, region, account, resource = rest
        if service == "s3" and not region and not account and "/" in resource:
            resource = resource.split("/", 1)[0]
        elif service == "dynamodb" and resource.startswith("table/"):
            resource = "/".join(resource.split("/", 2)[:2])
        elif service == "rds-db":  # IAM database authentication names a database user by the DB's resource id
            # (db-ABC…), which no export joins to the instance: every database of the account and region
            service, resource = "rds", "*"
        rest = [service, region, account, resource]
    return "aws:" + ":".join(rest)


def names_whole_store(arn: str) -> bool:
    """Whether an ARN (glob) covers all the data of each store its id names, so that denying it, or leaving it out
    with NotResource, takes the store away. A bucket-only ARN (`arn:aws:s3:::b`) leaves its objects; an object
    prefix (`b/archive/*`) or a DynamoDB index leaves the rest of the data: excluding the store would hide a path."""
    parts = arn.split(":", 5)
    if "${" in arn:  # a policy variable: which store it names depends on who asks, so it takes no store away
        return False
    if arn == "*" or len(parts) != 6:
        return True
    service, resource = parts[2], parts[5]
    if service == "s3" and not parts[3] and not parts[4]:
        bucket, slash, key = resource.partition("/")
        return key == "*" if slash else bucket.endswith("*")
    if service == "dynamodb" and resource.startswith("table/"):
        return resource.count("/") == 1  # `table/t` or `table/t*`; `table/t/index/*` is not the table's data
    return True


def is_arn(text: str) -> bool:
    """`*`, or an ARN with all six parts; a shorter one only when it ends in a wildcard (`arn:aws:s3:*`); or one whose
    beginning a template leaves open (`*:log-stream:*`: read as any ARN, see `arn_to_id`)."""
    if text == "*" or text.startswith("*:"):
        return True
    parts = text.split(":", 5)
    return parts[0] == "arn" and (len(parts) == 6 or (len(parts) >= 3 and text.endswith("*")))


def decode_document(document: Any, path: str, at: Location) -> tuple[Any, list[InputError]]:
    """A policy given as text (URL-encoded JSON, as authorization details prints some) as data."""
    if not isinstance(document, str):
        return document, []
    text = unquote(document) if document.lstrip().startswith("%") else document
    try:
        return json.loads(text), []
    except ValueError as error:
        return None, [InputError(at, f"expected a policy document as JSON, found text that does not parse ({error})")]
    except RecursionError:
        return None, [InputError(at, "expected a policy document as JSON, found nesting too deep to read")]


class _Reader:
    """Reads one document's statements, recording located errors; positions come from YMap/YSeq when present."""

    def __init__(self, policy: str, path: str, position: Location | None) -> None:
        self.policy = policy
        self.path = path
        self.fallback = position or Location(path, 1, 1)
        self.errors: list[InputError] = []

    def at(self, container: Any, key: Any = None) -> Location:
        if isinstance(container, YMap):
            line, column = container.value_pos.get(key, container.pos)
            return Location(self.path, line, column)
        if isinstance(container, YSeq):
            line, column = container.item_pos[key] if isinstance(key, int) else container.pos
            return Location(self.path, line, column)
        return self.fallback

    def fail(self, where: Location, message: str) -> None:
        self.errors.append(InputError(where, f"policy {self.policy!r}: {message}"))

    def statements(self, document: Any) -> list[Statement]:
        if not isinstance(document, dict):
            self.fail(self.at(document), f"expected a policy document (a mapping with 'Statement'), "
                                         f"found {_kind(document)}")
            return []
        if "Statement" not in document:
            self.fail(self.at(document), "expected a 'Statement' in the policy document, found none")
            return []
        items = document["Statement"]
        if isinstance(items, dict):
            return self.statement(items, self.at(document, "Statement"))
        if not isinstance(items, list):
            self.fail(self.at(document, "Statement"), f"expected 'Statement' to be a list or a mapping, "
                                                      f"found {_kind(items)}")
            return []
        return [s for i, item in enumerate(items) for s in self.statement(item, self.at(items, i))]

    def statement(self, item: Any, where: Location) -> list[Statement]:
        """The statement, as several when only some of its Action or Resource entries are template placeholders:
        only what those give holds as the template is filled in (`_split_placeholders`); the literal entries hold
        as written."""
        found = self.read(item, where)
        if found is None:
            return []
        return _split_placeholders(found, _filled_in(item))

    def read(self, item: Any, where: Location) -> Statement | None:
        if not isinstance(item, dict):
            self.fail(where, f"expected a statement (a mapping with 'Effect'), found {_kind(item)}")
            return None
        before = len(self.errors)
        effect = item.get("Effect")
        if effect not in ("Allow", "Deny") and not _is_placeholder(effect):
            found = "none" if effect is None else repr(effect)
            self.fail(self.at(item, "Effect") if "Effect" in item else where,
                      f"expected 'Effect' to be 'Allow' or 'Deny', found {found}")
        actions, not_actions = self.either(item, "Action", "NotAction", where, self.action)
        principals, not_principals = self.principal_pair(item)
        required = not principals and not_principals is None  # identity policies name resources; trust ones may not
        resources, not_resources = self.either(item, "Resource", "NotResource", where, self.resource, required)
        condition = self.condition(item)
        if len(self.errors) > before:
            return None
        # an Effect a template fills in may be Allow: read as one, under the placeholder's condition (fail closed)
        return Statement("Deny" if effect == "Deny" else "Allow", actions, not_actions, resources, not_resources,
                         condition, self.policy, where, principals, not_principals,
                         narrows_who(item.get("Condition")))

    def either(self, item: Any, key: str, not_key: str, where: Location, check: Any,
               required: bool = True) -> tuple[tuple[str, ...], tuple[str, ...] | None]:
        if key in item and not_key in item:
            self.fail(self.at(item, not_key), f"expected either '{key}' or '{not_key}', found both")
            return (), None
        if not_key in item:
            return (), self.strings(item, not_key, check)
        if key in item:
            return self.strings(item, key, check), None
        if required:
            self.fail(where, f"expected '{key}' or '{not_key}' in the statement, found neither")
        return (), None

    def strings(self, item: Any, key: str, check: Any) -> tuple[str, ...]:
        value = item[key]
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            self.fail(self.at(item, key), f"expected '{key}' to be a string or a non-empty list of strings, "
                                          f"found {_kind(value)}")
            return ()
        for index, text in enumerate(values):
            problem = check(text)
            if problem:
                self.fail(self.at(value, index) if isinstance(value, list) else self.at(item, key),
                          f"expected {problem} in '{key}', found {redact(text)!r}")
        return tuple(values)

    @staticmethod
    def action(text: str) -> str | None:
        if text == "*" or _ACTION.match(text) or template_placeholders(text):
            return None
        return "an action 'service:Action' or '*'"

    @staticmethod
    def resource(text: str) -> str | None:
        # one that begins with `*` is one whose beginning a template left open (`${var.bucket}/*`, the bucket not
        # known): any resource (`arn_to_id`), never an error that takes the statement's known resources with it
        if is_arn(text) or text.startswith("*") or template_placeholders(text):
            return None
        return "an ARN 'arn:partition:service:region:account:resource' or '*'"

    def principal_pair(self, item: Any) -> tuple[tuple[str, ...], tuple[str, ...] | None]:
        principals = self.principal(item, "Principal") if "Principal" in item else ()
        not_principals = self.principal(item, "NotPrincipal") if "NotPrincipal" in item else None
        return principals, not_principals

    def principal(self, item: Any, key: str) -> tuple[str, ...]:
        value = item[key]
        if value == "*":
            return ("*",)
        if not isinstance(value, dict) or not value:
            self.fail(self.at(item, key), f"expected '{key}' to be '*' or a mapping of AWS/Service/Federated to "
                                          f"names, found {_kind(value)}")
            return ()
        found: list[str] = []
        for kind, names in value.items():
            listed = [names] if isinstance(names, str) else names
            if kind not in _PRINCIPAL_KINDS or not isinstance(listed, list) \
                    or not all(isinstance(n, str) for n in listed):
                self.fail(self.at(value, kind), f"expected one of {', '.join(_PRINCIPAL_KINDS)} naming a string or "
                                                f"a list of strings, found {kind!r}: {_kind(names)}")
                continue
            found.extend("*" if kind == "AWS" and n == "*" else f"{kind}:{n}" for n in listed)
        return tuple(found)

    def condition(self, item: Any) -> str | None:
        """The Condition as text; what a template fills in (the whole block, or an operator's keys) is left out
        here and said by the statement's placeholder condition (`_filled_in`)."""
        if "Condition" not in item or _is_placeholder(item["Condition"]):
            return None
        block = item["Condition"]
        if isinstance(block, dict):
            block = {k: v for k, v in block.items() if not _is_placeholder(v)}
        if not isinstance(block, dict) or not all(isinstance(v, dict) for v in block.values()):
            self.fail(self.at(item, "Condition"), f"expected 'Condition' to map operators to mappings of condition "
                                                  f"keys to values, found {_kind(item['Condition'])}")
            return None
        return condition_text(block) or None


def _split_placeholders(statement: Statement, filled_in: list[str]) -> list[Statement]:
    """What the statement gives as written, and what it gives as a template fills it in. A template placeholder is
    read as `*` in Action and Resource, and names nothing in NotAction and NotResource (`_carve`): what it opens
    holds only as the template is filled in, its condition says so, and a Deny of it takes nothing away (fail
    closed). Only the entries with a placeholder are so marked: `["*", "${extra}/*"]` still gives `*` as written,
    and `["s3:GetObject", "${more}"]` still denies s3:GetObject. An Effect or a Condition a template fills in
    (`filled_in`), or a placeholder in NotAction or NotResource, marks the whole statement."""
    whole = [*filled_in, *(t for t in (*(statement.not_actions or ()), *(statement.not_resources or ()))
                           if template_placeholders(t))]
    if whole:
        return [_placeholder(statement, [*whole, *statement.actions, *statement.resources])]
    open_actions = tuple(a for a in statement.actions if template_placeholders(a))
    open_resources = tuple(r for r in statement.resources if template_placeholders(r))
    return split_open(statement, open_actions, open_resources,
                      lambda part: _placeholder(part, [*open_resources, *open_actions]),
                      lambda part: _placeholder(part, list(open_actions)))


def split_open(statement: Statement, open_actions: tuple[str, ...], open_resources: tuple[str, ...],
               on_open_resources: Callable[[Statement], Statement],
               on_open_actions: Callable[[Statement], Statement]) -> list[Statement]:
    """The statement in parts, when a template leaves some of its actions or resources open: its written actions on
    its written resources as they are; every action on its open resources, and its open actions on its written
    resources, each marked by the caller (the condition that says what is open)."""
    if not open_actions and not open_resources:
        return [statement]
    actions = tuple(a for a in statement.actions if a not in open_actions)
    resources = tuple(r for r in statement.resources if r not in open_resources)
    any_resource = bool(resources) or not statement.resources  # a trust statement names none
    found = []
    if (actions or statement.not_actions is not None) and any_resource:
        found.append(replace(statement, actions=actions, resources=resources))
    if open_resources:
        found.append(on_open_resources(replace(statement, resources=open_resources)))
    if open_actions and any_resource:
        found.append(on_open_actions(replace(statement, actions=open_actions, resources=resources)))
    return found


def _placeholder(statement: Statement, texts: list[str]) -> Statement:
    placeholders = dict.fromkeys(redact(p) for r in texts for p in template_placeholders(r))
    condition = TEMPLATE_PLACEHOLDER + ", ".join(placeholders) + \
        (f" and {statement.condition}" if statement.condition else "")
    resources = tuple(read_placeholders(r) if template_placeholders(r) else r for r in statement.resources)
    actions = tuple(_read_action(a) if template_placeholders(a) else a for a in statement.actions)
    not_actions = statement.not_actions
    if not_actions is not None:
        not_actions = tuple(a for a in not_actions if not template_placeholders(a))
        if not not_actions:  # every action it left out is one the template fills in: it may leave out none
            actions, not_actions = ("*",), None
    return replace(statement, actions=actions, not_actions=not_actions, resources=resources, condition=condition)


def _read_action(action: str) -> str:
    """An action with template placeholders as what it may be once filled: each one `*`, and `*` when that leaves
    no action (`${service}-x`)."""
    read = VARIABLE.sub(lambda m: m[0] if _IAM_VARIABLE.fullmatch(m[0]) else "*", action)
    return read if read == "*" or _ACTION.match(read) else "*"


def _is_placeholder(value: Any) -> bool:
    """A text that a template fills in (`"${effect}"`), where IAM expects a word or a mapping."""
    return isinstance(value, str) and bool(template_placeholders(value))


def _filled_in(item: dict[str, Any]) -> list[str]:
    """The texts of a statement's Effect and Condition (the block, or an operator's keys) that a template fills
    in: the statement holds only as it is filled in."""
    block = item.get("Condition")
    parts = [item.get("Effect"), *(block.values() if isinstance(block, dict) else [block])]
    return [str(part) for part in parts if part not in ("Allow", "Deny") and _is_placeholder(part)]


def condition_text(block: dict[str, Any]) -> str:
    """`{"Bool": {"aws:MultiFactorAuthPresent": "true"}}` -> `aws:MultiFactorAuthPresent=true`; other operators
    are named (`StringLike aws:userid=AIDA*`); clauses, which must all hold, are joined by ` and ` in sorted order.
    One text per condition, whatever the order it is written in, and one condition per text: an operator, key or
    value that holds a separator (a space, as ` and ` holds, `=`, `,`, a bracket or a quote) is written quoted, so
    a value can never read as a clause of its own (a finding's evidence compares conditions by their text). A value
    that looks like secret material is shown `<redacted>`; when the masked part held wildcards, it says how many
    (`<redacted> [2 wildcards]`), so that `token=<secret>` and `token=*` are two texts. Two literal secrets still
    read alike: no digest of a secret is ever shown (a short password is found from its hash in seconds)."""
    clauses = []
    for operator, keys in block.items():
        for key, value in keys.items():
            values = [str(v).lower() if isinstance(v, bool) else str(v) for v in
                      (value if isinstance(value, list) else [value])]
            shown = ",".join(_quoted(_redacted(v)) for v in values)
            shown = f"[{shown}]" if len(values) > 1 else shown
            prefix = "" if operator in _EQUALITY else f"{_quoted(str(operator))} "
            clauses.append(f"{prefix}{_quoted(str(key))}={shown}")
    return " and ".join(sorted(clauses))


def _redacted(value: str) -> str:
    shown = redact(value)
    hidden = sum(value.count(c) - shown.count(c) for c in "*?")
    return shown if hidden <= 0 else f"{shown} [{hidden} wildcard{'s' if hidden > 1 else ''}]"


_SEPARATOR = re.compile(r"[\s=,\[\]\"]|^$")  # `" and "` holds spaces


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False) if _SEPARATOR.search(text) else text


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, str):
        return f"a string {redact(value)!r}"
    if isinstance(value, bool):
        return f"a boolean {value}"
    if isinstance(value, int | float):
        return f"a number {value}"
    if isinstance(value, list):
        return "an empty list" if not value else "a list"
    return "a mapping" if isinstance(value, dict) else type(value).__name__


def parse_policy(document: Any, policy: str, path: str,
                 position: Location | None) -> tuple[list[Statement], list[InputError]]:
    """The statements of one policy document (a mapping, or its JSON text, URL-encoded or not).

    A malformed statement is a located error and is left out; the others are kept. `position` locates the
    document when it carries no positions of its own (plain JSON data, or text).
    """
    reader = _Reader(policy, path, position)
    data, errors = decode_document(document, path, reader.fallback)
    if errors:
        return [], [InputError(e.location, f"policy {policy!r}: {e.message}") for e in errors]
    return reader.statements(data), reader.errors
