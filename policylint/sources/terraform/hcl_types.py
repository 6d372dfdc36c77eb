"""A variable's value converted to its type constraint as far as it changes what a configuration grants: the
defaults of `optional(type, default)` attributes of objects, at any depth (`map(object({keys = optional(bool,
true)}))`), and primitive values converted as Terraform converts them (`enabled = "true"` in a tfvars file is the
bool `true` for a `bool` variable, `"2"` the number 2, a number the string of its digits). Terraform converts before
any expression sees the value; an attribute left out would otherwise be a reference to what is not there, and a
`"false"` left as text would be true in a condition. A value Terraform cannot convert is `Mismatch`."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lark import Token, Tree

from policylint.sources.terraform.hcl_eval import evaluate
from policylint.sources.terraform.hcl_parse import JsonExpr, expression
from policylint.sources.terraform.hcl_scope import Scope, TfSet
from policylint.sources.terraform.hcl_values import MOST_DIGITS

_COLLECTIONS = frozenset({"map", "list", "set"})
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")  # what Terraform reads as a number from text


class Mismatch(Exception):
    """A value Terraform cannot convert to the variable's type (it refuses the configuration)."""


def conform(value: Any, constraint: Tree[Any] | JsonExpr, scope: Scope) -> Any:
    """The value with the defaults its type constraint gives, and its primitives converted; anything else as it
    was."""
    if isinstance(constraint, JsonExpr):  # `.tf.json`: the constraint is written as a string
        parsed = expression(constraint.value) if isinstance(constraint.value, str) else None
        return value if parsed is None else conform(value, parsed, scope)
    name, arguments = _call(constraint)
    if name in _PRIMITIVES and not arguments:
        return _PRIMITIVES[name](value)
    if name in _COLLECTIONS and arguments:
        if isinstance(value, dict):
            return {k: conform(v, arguments[0], scope) for k, v in value.items()}
        if isinstance(value, list):
            items = [conform(v, arguments[0], scope) for v in value]
            return TfSet(items) if name == "set" else items
        return value
    if name == "object" and arguments and isinstance(value, dict):
        return _object(value, arguments[0], scope)
    return value


def _string(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if isinstance(value, dict | list):
        raise Mismatch("a string is required")
    return value


def _number(value: Any) -> Any:
    if isinstance(value, bool | dict | list):
        raise Mismatch("a number is required")
    if isinstance(value, str):
        if _NUMBER.fullmatch(value) is None or len(value) > MOST_DIGITS:
            raise Mismatch("a number is required")
        if not any(c in value for c in ".eE"):
            return int(value)
        found = float(value)
        return int(found) if found.is_integer() else found
    return value


def _bool(value: Any) -> Any:
    if isinstance(value, str):
        if value not in _BOOLS:
            raise Mismatch('a bool is required; to convert from string, use lowercase "true"')
        return _BOOLS[value]
    if isinstance(value, int | float | dict | list) and not isinstance(value, bool):
        raise Mismatch("a bool is required")
    return value


_BOOLS = {"true": True, "false": False, "1": True, "0": False}
_PRIMITIVES: dict[str, Callable[[Any], Any]] = {"string": _string, "number": _number, "bool": _bool}


def _object(value: dict[str, Any], attributes: Tree[Any], scope: Scope) -> dict[str, Any]:
    result = dict(value)
    for key, kind in _attributes(attributes):
        name, arguments = _call(kind)
        if name == "optional" and arguments:
            if result.get(key) is None:
                result[key] = evaluate(arguments[1], scope) if len(arguments) > 1 else None
            if result[key] is not None:
                result[key] = conform(result[key], arguments[0], scope)
        elif key in result:
            result[key] = conform(result[key], kind, scope)
    return result


def _call(node: Tree[Any]) -> tuple[str, list[Tree[Any]]]:
    """A type expression as (its name, its arguments): `map(string)` is ("map", [string]), `string` ("string", [])."""
    while isinstance(node, Tree) and node.data == "expr_term" and len(_trees(node)) == 1:
        node = _trees(node)[0]
    if not isinstance(node, Tree):
        return "", []
    if node.data == "identifier":
        return str(node.children[0]), []
    if node.data == "function_call":
        names = [c for c in _trees(node) if c.data == "identifier"]
        arguments = next((c for c in _trees(node) if c.data == "arguments"), None)
        return str(names[0].children[0]), _trees(arguments) if arguments is not None else []
    return "", []


def _attributes(node: Tree[Any]) -> list[tuple[str, Tree[Any]]]:
    """An object type's attributes: (name, type expression) of each element of `{ name = type, ... }`."""
    while isinstance(node, Tree) and node.data == "expr_term" and len(_trees(node)) == 1:
        node = _trees(node)[0]
    if not isinstance(node, Tree) or node.data != "object":
        return []
    found = []
    for element in _trees(node):
        key, kind = _trees(element)[0], _trees(element)[-1]
        tokens = [t for t in key.scan_values(lambda v: isinstance(v, Token))]
        if tokens:
            found.append((str(tokens[0]).strip('"'), kind))
    return found


def _trees(node: Tree[Any]) -> list[Tree[Any]]:
    return [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
