"""A variable's value converted to its type constraint as far as it changes what a configuration grants: the
defaults of `optional(type, default)` attributes of objects, at any depth (`map(object({keys = optional(bool,
true)}))`), and primitive values converted as Terraform converts them (`enabled = "true"` in a tfvars file is the
bool `true` for a `bool` variable, `"2"` the number 2, a number the string of its digits). Terraform converts before
any expression sees the value; an attribute left out would otherwise be a reference to what is not there, and a
`"false"` left as text would be true in a condition. A value Terraform cannot convert is `Mismatch`."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from lark import Token, Tree

from policylint.sources.terraform.hcl_eval import evaluate
from policylint.sources.terraform.hcl_parse import JsonExpr, expression
from policylint.sources.terraform.hcl_scope import Scope, TfSet
from policylint.sources.terraform.hcl_values import MOST_DIGITS, Partial, partial

_COLLECTIONS = frozenset({"map", "list", "set"})
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")  # what Terraform reads as a number from text


class Mismatch(Exception):
    """A value Terraform cannot convert to the variable's type (it refuses the configuration): why, and where in the
    value (`["lee"].key`)."""

    def __init__(self, why: str, at: str = "") -> None:
        super().__init__(why)
        self.why = why
        self.at = at

    def within(self, step: str) -> Mismatch:
        return Mismatch(self.why, step + self.at)

    def __str__(self) -> str:
        return f"at {self.at}: {self.why}" if self.at else self.why


def conform(value: Any, constraint: Tree[Any] | JsonExpr, scope: Scope) -> Any:
    """The value with the defaults its type constraint gives, and its primitives converted; a value Terraform cannot
    convert, at any depth (a map's element, an object's attribute), is `Mismatch`. What is not known here (`Open`,
    an intrinsic, a whole resource) is taken as it is: it may convert."""
    if isinstance(constraint, JsonExpr):  # `.tf.json`: the constraint is written as a string
        parsed = expression(constraint.value) if isinstance(constraint.value, str) else None
        return value if parsed is None else conform(value, parsed, scope)
    name, arguments = _call(constraint)
    if isinstance(value, Partial) and name in _COLLECTIONS and arguments \
            and isinstance(value.known, dict if name == "map" else list):  # its known items converted, the rest open
        return partial(_collection(value.known, name, arguments[0], scope), value.rest, value.prefix)
    if value is None or not _known(value):
        return value
    if name in _PRIMITIVES and not arguments:
        return _PRIMITIVES[name](value)
    if name in _COLLECTIONS and arguments:
        return _collection(value, name, arguments[0], scope)
    if name == "object" and arguments:
        if not isinstance(value, dict):
            raise _required("an object", value)
        return _object(value, arguments[0], scope)
    kinds = _elements(arguments[0]) if name == "tuple" and arguments else None
    return value if kinds is None else _tuple(value, kinds, scope)


def _known(value: Any) -> bool:
    """Whether the value is one whose kind is known here (plain data), which a type may refuse."""
    return isinstance(value, str | int | float | bool | dict | list)


def _collection(value: Any, name: str, element: Tree[Any], scope: Scope) -> Any:
    """A `map(T)`, `list(T)` or `set(T)`: a map of an object or map, a list or set of a list; each element its type."""
    if name == "map":
        if not isinstance(value, dict):
            raise _required("a map", value)
        return {k: _inside(f"[{_key(k)}]", v, element, scope) for k, v in value.items()}
    if not isinstance(value, list):
        raise _required(f"a {name}", value)
    items = [_inside(f"[{i}]", v, element, scope) for i, v in enumerate(value)]
    return TfSet(items) if name == "set" else items


def _tuple(value: Any, kinds: list[Tree[Any]], scope: Scope) -> Any:
    if not isinstance(value, list):
        raise _required("a tuple", value)
    if len(value) != len(kinds):
        raise Mismatch(f"a tuple of {len(kinds)} elements is required, found a list of {len(value)}")
    return [_inside(f"[{i}]", v, kind, scope) for i, (v, kind) in enumerate(zip(value, kinds, strict=True))]


def _inside(step: str, value: Any, constraint: Tree[Any], scope: Scope) -> Any:
    """An element converted to its type; a `Mismatch` in it says where it is."""
    try:
        return conform(value, constraint, scope)
    except Mismatch as mismatch:
        raise mismatch.within(step) from None


def _key(key: str) -> str:
    """A map key as an error shows it: quoted, and cut short (it is the configuration's text)."""
    return json.dumps(key if len(key) <= _SHOWN_KEY else key[:_SHOWN_KEY] + "…", ensure_ascii=False)


_SHOWN_KEY = 60


def _required(what: str, value: Any) -> Mismatch:
    return Mismatch(f"{what} is required, found {_kind(value)}")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an object" if isinstance(value, dict) else "a list"


def _string(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if isinstance(value, dict | list):
        raise _required("a string", value)
    return value


def _number(value: Any) -> Any:
    if isinstance(value, bool | dict | list):
        raise _required("a number", value)
    if isinstance(value, str):
        if _NUMBER.fullmatch(value) is None or len(value) > MOST_DIGITS:
            raise _required("a number", value)
        if not any(c in value for c in ".eE"):
            return int(value)
        found = float(value)
        return int(found) if found.is_integer() else found
    return value


def _bool(value: Any) -> Any:
    if isinstance(value, str):
        if value not in _BOOLS:
            raise Mismatch('a bool is required; to convert from string, use lowercase "true" or "false", found a '
                           'string')
        return _BOOLS[value]
    if isinstance(value, int | float | dict | list) and not isinstance(value, bool):
        raise _required("a bool", value)
    return value


_BOOLS = {"true": True, "false": False, "1": True, "0": False}
_PRIMITIVES: dict[str, Callable[[Any], Any]] = {"string": _string, "number": _number, "bool": _bool}


def _object(value: dict[str, Any], attributes: Tree[Any], scope: Scope) -> dict[str, Any]:
    """An object: each attribute its type, an `optional` one left out its default (null if none); an attribute
    neither given nor optional is Terraform's error."""
    result = dict(value)
    for key, kind in _attributes(attributes):
        name, arguments = _call(kind)
        if name == "optional" and arguments:
            if result.get(key) is None:
                result[key] = evaluate(arguments[1], scope) if len(arguments) > 1 else None
            result[key] = _inside(f".{key}", result[key], arguments[0], scope)
        elif key in result:
            result[key] = _inside(f".{key}", result[key], kind, scope)
        else:
            raise Mismatch(f'attribute "{key}" is required')
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


def _elements(node: Tree[Any]) -> list[Tree[Any]] | None:
    """A tuple type's element types: each of `[string, number]`; None where it is not written so."""
    while isinstance(node, Tree) and node.data == "expr_term" and len(_trees(node)) == 1:
        node = _trees(node)[0]
    return _trees(node) if isinstance(node, Tree) and node.data == "tuple" else None


def _trees(node: Tree[Any]) -> list[Tree[Any]]:
    return [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
