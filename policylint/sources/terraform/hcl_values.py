"""The values an HCL expression evaluates to, beyond plain JSON: what the configuration leaves open, and what only
exists once applied (a resource's ARN), written as the CloudFormation intrinsic that stands for it.

- `Open`: a value the configuration does not decide (a variable without a default, a data source other than a
  policy document, a remote module's output). It becomes a template parameter without a default, which the
  CloudFormation reader reads as `*` under a condition naming why ("template leaves open: parameter var.account_id
  (a variable without a default) has no Default"): fail closed, and said in the evidence.
- `Cfn`: an attribute of one of the configuration's own resources that Terraform computes (`aws_iam_role.app.arn`:
  `Fn::GetAtt`, `aws_iam_policy.p.arn` and `.id`: `Ref`), or text built around one (`Fn::Join`).
- `Encoded`: the JSON text `jsonencode` or a policy document data source writes, kept as its structure while it
  holds an `Open` or a `Cfn`: the reader reads a policy document given as an object, intrinsics and all.
- `Partial`: a list, set or map of which the configuration decides some items and leaves the rest open
  (`concat(["kim"], var.extra)`, `merge({ kim = {} }, var.more)`). It is an `Open` wherever a value is used, and
  only `for_each`, `count`, `dynamic`, `for` and the collection functions read its known items: the instances they
  make are kept, and one open instance stands for the rest (fail closed both ways).
- `AtLeast`: a number not known here but at least `least` (the `length` of a `Partial`): a `count` of it makes
  that many instances and an open one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Open:
    reason: str  # the parameter's name: what is open and why


@dataclass(frozen=True, slots=True, eq=False)
class Partial(Open):
    known: list[Any] | dict[str, Any]  # a `TfSet` for a set
    prefix: int = 0  # how many of a list's known items lead it (indexes known here); the rest may be anywhere

    @property
    def rest(self) -> Open:
        """What stands for the items not known here."""
        return Open(self.reason)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Partial) and (self.reason, self.known, self.prefix)
                == (other.reason, other.known, other.prefix) and type(self.known) is type(other.known))

    def __hash__(self) -> int:
        return hash(self.reason)


@dataclass(frozen=True, slots=True)
class AtLeast(Open):
    least: int


def partial(known: list[Any] | dict[str, Any], rest: Open, prefix: int = 0) -> Partial:
    """A collection with these known items and more that `rest` stands for."""
    return Partial(rest.reason, known, prefix)


@dataclass(frozen=True, slots=True)
class Cfn:
    value: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Encoded:
    value: Any


class Missing(Exception):
    """A reference to an attribute, key or index that is not there (`try` and `can` catch it)."""


class TooLarge(Exception):
    """The configuration asks for more than any real one needs (text, lists or numbers past the bounds below, nested
    `for`s over large ranges): what asks for it is not evaluated, and the error says where (`hcl_scope.Budget`)."""


MOST_TEXT = 1_000_000  # characters of one string: a policy document is at most a few thousand
MOST_DIGITS = 1_000  # of a number (Terraform's are 512-bit floats; Python refuses to print ints past 4,300 digits)


def bounded_text(length: int, what: str) -> None:
    """Refuse text longer than `MOST_TEXT` before it is made (`"${local.a}${local.a}"` doubling, `indent(1e9, x)`)."""
    if length > MOST_TEXT:
        raise TooLarge(f"{what} of {length:,} characters (at most {MOST_TEXT:,})")


def plain(value: Any) -> bool:
    """Whether the value is plain JSON (no `Open`, `Cfn`, `Encoded`, nor a reference to a resource)."""
    if isinstance(value, dict):
        return all(plain(v) for v in value.values())
    if isinstance(value, list):
        return all(plain(v) for v in value)
    return value is None or isinstance(value, str | int | float | bool)


def first_open(value: Any) -> Open | None:
    if isinstance(value, Partial):
        return value.rest
    if isinstance(value, Open):
        return value
    if isinstance(value, dict):
        return next((o for o in map(first_open, value.values()) if o is not None), None)
    if isinstance(value, list):
        return next((o for o in map(first_open, value) if o is not None), None)
    return None


def encode(value: Any) -> Any:
    """`jsonencode`: the text, or the structure while a part of it is not known here. A policy document whose
    statement list, or a statement of it, is not known here is a document not known here (fail closed)."""
    if plain(value):
        return json.dumps(value, separators=(",", ":"))
    statements = value.get("Statement") if isinstance(value, dict) else None
    if isinstance(statements, Open) or (isinstance(statements, list) and any(isinstance(s, Open) for s in statements)):
        return first_open(statements)
    return Encoded(value)


def text(value: Any) -> Any:
    """A value as a template's text: a string, or a `Cfn` / `Open` that stands for one."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if isinstance(value, Cfn | Open):
        return value
    if value is None:
        return ""
    return Open("a collection used as text")


def joined(parts: list[Any]) -> Any:
    """A template's parts as one string, or an `Fn::Join` of the parts where one is not known here."""
    texts = [text(p) for p in parts]
    bounded_text(sum(len(t) for t in texts if isinstance(t, str)), "a template making text")
    if all(isinstance(t, str) for t in texts):
        return "".join(texts)
    merged: list[Any] = []
    for part in texts:
        if part == "":
            continue
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    return merged[0] if len(merged) == 1 else Cfn({"Fn::Join": ["", merged]})


def template_value(value: Any, parameters: dict[str, None]) -> Any:
    """A value as the CloudFormation template says it: `Open` a `Ref` to a parameter (added to `parameters`),
    `Cfn` its intrinsic, `Encoded` its structure (a policy document as an object), a whole resource `Open`."""
    if isinstance(value, Open):
        parameters[value.reason] = None
        return {"Ref": value.reason}
    if isinstance(value, Cfn):
        return {k: template_value(v, parameters) for k, v in value.value.items()}
    if isinstance(value, Encoded):
        return template_value(value.value, parameters)
    if isinstance(value, dict):
        return {str(k): template_value(v, parameters) for k, v in value.items()}
    if isinstance(value, list):
        return [template_value(v, parameters) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return template_value(Open("a whole resource or module used as a value"), parameters)


ARITHMETIC = frozenset({"+", "-", "*", "/", "%", "<", ">", "<=", ">="})


def numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def number(value: Any, operator: str = "+") -> Any:
    """A value as an operator's operand: text that is a number is that number (Terraform converts it)."""
    if operator in ("&&", "||") or isinstance(value, bool) or not isinstance(value, str):
        return value
    try:
        return float(value) if "." in value or "e" in value.lower() else int(value)
    except ValueError:
        return value
