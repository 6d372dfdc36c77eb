"""A variable's value converted to its type constraint as far as it changes what a configuration grants: the
defaults of `optional(type, default)` attributes of objects, at any depth (`map(object({keys = optional(bool,
true)}))`). Terraform fills them in before any expression sees the value; an attribute left out would otherwise be
a reference to what is not there, and the resources built from it open."""

from __future__ import annotations

from typing import Any

from lark import Token, Tree

from policylint.sources.terraform.hcl_eval import evaluate
from policylint.sources.terraform.hcl_parse import JsonExpr, expression
from policylint.sources.terraform.hcl_scope import Scope, TfSet

_COLLECTIONS = frozenset({"map", "list", "set"})


def conform(value: Any, constraint: Tree[Any] | JsonExpr, scope: Scope) -> Any:
    """The value with the defaults its type constraint gives; anything else as it was."""
    if isinstance(constraint, JsonExpr):  # `.tf.json`: the constraint is written as a string
        parsed = expression(constraint.value) if isinstance(constraint.value, str) else None
        return value if parsed is None else conform(value, parsed, scope)
    name, arguments = _call(constraint)
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
