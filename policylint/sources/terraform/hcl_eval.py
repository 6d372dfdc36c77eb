"""HCL expressions evaluated as Terraform would before apply, over python-hcl2's raw Lark tree (`hcl_parse`).

What the configuration decides is computed: literals, templates and heredocs, operators, conditionals, `for`
expressions, splats, indexes, and the functions configurations use to build policies and names (`jsonencode`,
`format`, `merge`, `concat`, `lookup`, `try`, `file`, `templatefile`, ...). What it does not decide is an `Open`
naming why, and what only exists once applied is a `Cfn` intrinsic (`hcl_values`). Names (`var.x`, `local.y`,
`aws_iam_role.app.arn`, `module.m.out`, `data.t.n.json`) are looked up in the module instance (`hcl_module`)
through the `Names` interface, so this module knows expressions, not modules.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import re2  # type: ignore[import-untyped]  # linear time: `regex`, `replace` patterns are the configuration's
from lark import Token, Tree

from policylint.sources.terraform.hcl_parse import JsonExpr, expression, unescape
from policylint.sources.terraform.hcl_values import Cfn, Encoded, Missing, Open, encode, first_open, joined, plain
from policylint.yamlsafe import load_all

_SKIP = frozenset({"new_line_or_comment"})
_DEEPEST = 200  # nested evaluations (a local naming a local naming ...) before the value is taken as open


class Names(Protocol):
    """What a module instance answers: the root of a reference (`var`, `local`, `aws_iam_role`, `data`, ...) with
    the steps after it; and a file a function reads."""

    def lookup(self, root: str, steps: list[str | int | Any], scope: Scope) -> Any: ...

    def read_file(self, path: str) -> str | Open: ...

    @property
    def budget(self) -> Budget: ...


class TfSet(list[Any]):
    """A set (`toset`, a `set(…)` variable): a list in every use, but iterated by `dynamic` and `for_each` with each
    element its own key, as Terraform does."""


class TooLarge(Exception):
    """The configuration asks for more evaluation than any real one needs (nested `for`s over large ranges)."""


class Budget:
    """How much evaluation a run may spend: every `for` item, splat item, range item and instance costs one."""

    LIMIT = 500_000

    def __init__(self) -> None:
        self.spent = 0

    def spend(self, count: int = 1) -> None:
        self.spent += count
        if self.spent > self.LIMIT:
            raise TooLarge(f"a configuration that needs more than {self.LIMIT:,} evaluation steps")


@dataclass
class Scope:
    names: Names
    variables: dict[str, Any] = field(default_factory=dict)  # `each`, `count`, a `for`'s, a template file's
    depth: int = 0

    def with_vars(self, **values: Any) -> Scope:
        return Scope(self.names, {**self.variables, **values}, self.depth)


def evaluate(expr: Tree[Any] | JsonExpr, scope: Scope) -> Any:
    """The expression's value; a reference to what is not there is `Open`, never an exception."""
    if scope.depth > _DEEPEST:
        return Open("an expression nested or referenced too deeply to follow")
    try:
        return _eval(expr, Scope(scope.names, scope.variables, scope.depth + 1))
    except Missing as missing:
        return Open(str(missing) or "a reference to what is not there")
    except RecursionError:
        return Open("an expression nested too deeply to follow")
    except TooLarge as large:
        return Open(f"{large} (not evaluated)")
    except (ValueError, OverflowError, ArithmeticError):  # a number past Python's limits: Terraform refuses it too
        return Open("a value too large to evaluate")


def _eval(node: Any, scope: Scope) -> Any:
    if isinstance(node, JsonExpr):
        return _json(node.value, scope)
    if isinstance(node, Token):
        return str(node)
    handler = _HANDLERS.get(node.data)
    if handler is None:
        return Open(f"an HCL construct not evaluated ({node.data})")
    return handler(node, scope)


def _kids(node: Tree[Any]) -> list[Any]:
    return [c for c in node.children if not (isinstance(c, Tree) and c.data in _SKIP)]


def _trees(node: Tree[Any]) -> list[Tree[Any]]:
    """A node's child nodes, comments and line breaks left out; kept on the node (trees are read many times)."""
    found: list[Tree[Any]] | None = getattr(node, "_policylint_trees", None)
    if found is None:
        found = [c for c in node.children if isinstance(c, Tree) and c.data not in _SKIP]
        node._policylint_trees = found  # type: ignore[attr-defined]
    return found


def _expr_term(node: Tree[Any], scope: Scope) -> Any:
    trees = _trees(node)
    return _eval(trees[0], scope) if trees else None


def _literal(node: Tree[Any], scope: Scope) -> Any:
    return {"true": True, "false": False, "null": None}[str(node.children[0])]


def _int(node: Tree[Any], scope: Scope) -> Any:
    return int(str(node.children[0]))


def _float(node: Tree[Any], scope: Scope) -> Any:
    return float(str(node.children[0]))


def _identifier(node: Tree[Any], scope: Scope) -> Any:
    return _reference(node, scope)


def _string(node: Tree[Any], scope: Scope) -> Any:
    parts: list[Any] = []
    trees = _trees(node)
    if len(trees) == 1 and isinstance(trees[0].children[0], Tree) and trees[0].children[0].data == "interpolation":
        return _eval(_trees(trees[0].children[0])[0], scope)  # `"${x}"` is x itself, not its text
    for part in trees:
        inner = part.children[0]
        if isinstance(inner, Token):
            parts.append(unescape(str(inner)))
        elif inner.data == "interpolation":
            parts.append(_eval(_trees(inner)[0], scope))
        else:
            return Open("a template directive (%{ if } / %{ for }) not evaluated")
    return joined(parts)


def _heredoc(node: Tree[Any], scope: Scope) -> Any:
    raw = str(node.children[0])
    lines = raw.split("\n")
    body = lines[1:-2]  # the marker line, the body, the closing marker, the empty string after its newline
    if node.data == "heredoc_template_trim":
        indents = [len(line) - len(line.lstrip(" \t")) for line in body if line.strip()]
        cut = min(indents, default=0)
        body = [line[cut:] for line in body]
    return template("\n".join(body) + ("\n" if body else ""), scope)


def template(text: str, scope: Scope) -> Any:
    """A template's text (a heredoc's body, a `templatefile`'s file, a `.tf.json` string) evaluated."""
    parts: list[Any] = []
    pieces = list(_template_parts(text))
    if len(pieces) == 2 and pieces[0] == ("", pieces[0][1]) and pieces[1] == ("", None) and pieces[0][1] \
            and not pieces[0][1].startswith("%"):  # `${x}` alone is x itself, not its text
        tree = expression(pieces[0][1].strip().strip("~").strip())
        return Open("an interpolation that does not parse") if tree is None else _eval(tree, scope)
    for literal, inner in pieces:
        parts.append(literal)
        if inner is None:
            continue
        if inner.startswith("%"):
            return Open("a template directive (%{ if } / %{ for }) not evaluated")
        tree = expression(inner.strip().strip("~").strip())
        parts.append(Open("an interpolation that does not parse") if tree is None else _eval(tree, scope))
    return joined(parts)


def _template_parts(text: str) -> Iterator[tuple[str, str | None]]:
    """(literal text, the interpolation after it: its expression, or `%…` for a directive) pairs."""
    start = 0
    literal: list[str] = []
    index = 0
    while index < len(text):
        two = text[index:index + 2]
        if two in ("$$", "%%") and text[index + 2:index + 3] == "{":
            literal.append(text[start:index + 1])
            start = index = index + 2
            continue
        if two in ("${", "%{"):
            end = _closing(text, index + 2)
            literal.append(text[start:index])
            inner = text[index + 2:end]
            yield "".join(literal), ("%" + inner if two == "%{" else inner)
            literal = []
            start = index = end + 1
            continue
        index += 1
    yield "".join(literal) + text[start:], None


def _closing(text: str, index: int) -> int:
    """The index of the `}` closing an interpolation opened before `index`: nested braces and strings skipped."""
    depth = 0
    quoted = False
    while index < len(text):
        char = text[index]
        if quoted:
            if char == "\\":
                index += 1
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return index
            depth -= 1
        index += 1
    return len(text)


def _json(value: Any, scope: Scope) -> Any:
    """Terraform's JSON syntax: strings are templates, the rest is literal."""
    if isinstance(value, str):
        return template(value, scope) if ("${" in value or "%{" in value) else value
    if isinstance(value, dict):
        return {k: _json(v, scope) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v, scope) for v in value]
    return value


def _tuple(node: Tree[Any], scope: Scope) -> Any:
    return [_eval(item, scope) for item in _trees(node)]


def _object(node: Tree[Any], scope: Scope) -> Any:
    result: dict[str, Any] = {}
    for element in _trees(node):
        key_node, value_node = _trees(element)[0], _trees(element)[-1]
        key = _key(key_node, scope)
        if isinstance(key, Open | Cfn):
            return Open("an object key not known here")
        result[str(key) if not isinstance(key, bool) else str(key).lower()] = _eval(value_node, scope)
    return result


def _key(node: Tree[Any], scope: Scope) -> Any:
    inner = _trees(node)[0]
    if inner.data == "keyword":
        return str(inner.children[0])
    term = _trees(inner)
    if inner.data == "expr_term" and len(term) == 1 and term[0].data == "identifier":
        return str(term[0].children[0])  # a bare name is the key itself
    value = _eval(inner, scope)
    return value if not isinstance(value, Encoded) else Open("an object key not known here")


def _conditional(node: Tree[Any], scope: Scope) -> Any:
    condition, yes, no = _trees(node)
    decided = _eval(condition, scope)
    if isinstance(decided, bool):
        return _eval(yes, scope) if decided else _eval(no, scope)
    first, second = _eval(yes, scope), _eval(no, scope)
    return first if first == second else Open("a condition not known here chooses between two values")


_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: a / b, "%": lambda a, b: math.fmod(a, b),
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b, ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b,
    "&&": lambda a, b: bool(a) and bool(b), "||": lambda a, b: bool(a) or bool(b),
}


def _binary(node: Tree[Any], scope: Scope) -> Any:
    left_node, term = _trees(node)[0], _trees(node)[1]
    operator_node, right_node = _trees(term)[0], _trees(term)[-1]
    operator = str(operator_node.children[0])
    left, right = _eval(left_node, scope), _eval(right_node, scope)
    if operator in ("==", "!=") and plain(left) and plain(right):
        return _OPERATORS[operator](left, right)
    if operator == "&&" and (left is False or right is False):
        return False
    if operator == "||" and (left is True or right is True):
        return True
    if not (_scalar(left) and _scalar(right)):
        return Open(f"an operation ({operator}) on values not known here")
    left, right = _number(left, operator), _number(right, operator)
    if operator in _ARITHMETIC and not (_numeric(left) and _numeric(right)):
        return Open(f"an operation ({operator}) on text, which Terraform refuses")
    try:
        result = _OPERATORS[operator](left, right)
    except (TypeError, ZeroDivisionError, ValueError):
        return Open(f"an operation ({operator}) Terraform would refuse")
    return int(result) if isinstance(result, float) and result.is_integer() and operator != "/" else result


_ARITHMETIC = frozenset({"+", "-", "*", "/", "%", "<", ">", "<=", ">="})


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: Any, operator: str) -> Any:
    if operator in ("&&", "||") or isinstance(value, bool) or not isinstance(value, str):
        return value
    try:
        return float(value) if "." in value or "e" in value.lower() else int(value)
    except ValueError:
        return value


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def _unary(node: Tree[Any], scope: Scope) -> Any:
    operator, operand = str(node.children[0]), _eval(_trees(node)[0], scope)
    if operator == "!":
        return (not operand) if isinstance(operand, bool) else Open("a negation of a value not known here")
    number = _number(operand, "-")
    return -number if isinstance(number, int | float) and not isinstance(number, bool) else Open(
        "a negative of a value not known here")


# -- references, indexes, splats -----------------------------------------------------------------------------------


def _reference(node: Tree[Any], scope: Scope) -> Any:
    """A traversal (`var.x`, `aws_iam_role.app[0].arn`): its root looked up, then each step applied."""
    steps: list[Any] = []
    current = node
    while True:
        if current.data == "expr_term" and len(_trees(current)) == 1 and not _parenthesised(current):
            current = _trees(current)[0]
        elif current.data == "get_attr_expr_term":
            inner, attr = _trees(current)
            steps.append(_attr_name(attr))
            current = inner
        elif current.data == "index_expr_term":
            inner, index = _trees(current)
            steps.append(_index_value(index, scope))
            current = inner
        else:
            break
    steps.reverse()
    if current.data != "identifier":
        return _apply(_eval(current, scope), steps)
    root = str(current.children[0])
    if root in scope.variables:
        return _apply(scope.variables[root], steps)
    return scope.names.lookup(root, steps, scope)


def _parenthesised(node: Tree[Any]) -> bool:
    return any(isinstance(c, Token) and c.type == "LPAR" for c in node.children)


def _attr_name(node: Tree[Any]) -> str:
    return str(_trees(node)[0].children[0])


def _index_value(node: Tree[Any], scope: Scope) -> Any:
    if node.data == "short_index":
        return int(str(node.children[-1]))
    return _eval(_trees(node)[0], scope)


def _traversal(node: Tree[Any], scope: Scope) -> Any:
    return _reference(node, scope)


def _apply(value: Any, steps: list[Any]) -> Any:
    for step in steps:
        value = step_into(value, step)
    return value


def step_into(value: Any, step: Any) -> Any:
    """One attribute or index of a value; a missing one raises `Missing` (Terraform refuses the reference)."""
    if isinstance(value, Open):
        return value
    if isinstance(step, Open | Cfn | Encoded):
        return Open("an index not known here")
    attribute = getattr(value, "attribute", None)
    if attribute is not None and isinstance(step, str):
        return attribute(step)
    if isinstance(value, Cfn | Encoded):
        return Open("a part of a value known only after apply")
    if isinstance(value, dict):
        key = str(step).lower() if isinstance(step, bool) else str(step)
        if key in value:
            return value[key]
        raise Missing(f"a key ({key}) the object does not have")
    if isinstance(value, list):
        try:
            index = int(step)
        except (TypeError, ValueError):
            raise Missing(f"a list indexed by {step!r}") from None
        if 0 <= index < len(value):
            return value[index]
        raise Missing(f"an index ({index}) past the end of a list of {len(value)}")
    raise Missing(f"an attribute ({step}) of a {type(value).__name__}")


def _splat(node: Tree[Any], scope: Scope) -> Any:
    inner, splat = _trees(node)
    value = _eval(inner, scope)
    if isinstance(value, Open):
        return value
    items = value if isinstance(value, list) else [] if value is None else [value]
    scope.names.budget.spend(len(items))
    steps: list[Any] = []
    for step in _trees(splat):
        steps.append(_attr_name(step) if step.data == "get_attr" else _index_value(step, scope))
    return [_apply(item, steps) for item in items]


# -- for expressions ---------------------------------------------------------------------------------------------


def _for_parts(node: Tree[Any]) -> tuple[Tree[Any], list[Tree[Any]], Tree[Any] | None, bool]:
    intro = next(c for c in _trees(node) if c.data == "for_intro")
    condition = next((c for c in _trees(node) if c.data == "for_cond"), None)
    body = [c for c in _trees(node) if c.data not in ("for_intro", "for_cond")]
    grouped = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in node.children)
    return intro, body, condition, grouped


def _for_items(intro: Tree[Any], scope: Scope) -> Iterator[Scope] | Open:
    names = [str(c.children[0]) for c in _trees(intro) if c.data == "identifier"]
    collection = _eval(next(c for c in _trees(intro) if c.data != "identifier"), scope)
    if not plain_collection(collection):
        return Open("a for expression over a collection not known here")
    pairs = sorted(collection.items()) if isinstance(collection, dict) else (  # Terraform: maps in key order
        [(v, v) for v in collection] if isinstance(collection, TfSet) else list(enumerate(collection)))

    def scopes() -> Iterator[Scope]:
        for key, value in pairs:
            scope.names.budget.spend()
            yield (scope.with_vars(**{names[0]: key, names[1]: value}) if len(names) == 2
                   else scope.with_vars(**{names[0]: value}))

    return scopes()


def plain_collection(value: Any) -> bool:
    return isinstance(value, dict | list)


def _for_tuple(node: Tree[Any], scope: Scope) -> Any:
    intro, body, condition, _ = _for_parts(node)
    items = _for_items(intro, scope)
    if isinstance(items, Open):
        return items
    result = []
    for inner in items:
        keep = _eval(_trees(condition)[0], inner) if condition is not None else True
        if keep is True:
            result.append(_eval(body[0], inner))
        elif not isinstance(keep, bool):
            return Open("a for expression's condition not known here")
    return result


def _for_object(node: Tree[Any], scope: Scope) -> Any:
    intro, body, condition, grouped = _for_parts(node)
    items = _for_items(intro, scope)
    if isinstance(items, Open):
        return items
    result: dict[str, Any] = {}
    for inner in items:
        keep = _eval(_trees(condition)[0], inner) if condition is not None else True
        if keep is not True:
            if not isinstance(keep, bool):
                return Open("a for expression's condition not known here")
            continue
        key = _eval(body[0], inner)
        if not isinstance(key, str | int | float | bool):
            return Open("a for expression's key not known here")
        value = _eval(body[1], inner)
        if grouped:
            result.setdefault(str(key), []).append(value)
        else:
            result[str(key)] = value
    return result


# -- functions -----------------------------------------------------------------------------------------------------


def _call(node: Tree[Any], scope: Scope) -> Any:
    names = [c for c in _trees(node) if c.data == "identifier"]
    name = str(names[0].children[0])
    if len(names) > 1:
        return Open(f"a provider function ({'::'.join(str(n.children[0]) for n in names)}) not evaluated")
    arguments = next((c for c in _trees(node) if c.data == "arguments"), None)
    nodes = _trees(arguments) if arguments is not None else []
    expand = arguments is not None and any(isinstance(c, Token) and c.type == "ELLIPSIS"
                                           for c in arguments.children)
    if name in ("try", "can"):
        return _try(nodes, scope, name == "can")
    function = FUNCTIONS.get(name)
    if function is None:
        return Open(f"the function {name}() not evaluated")
    values = [_eval(n, scope) for n in nodes]
    if expand and values:
        last = values.pop()
        if not isinstance(last, list):
            return Open(f"{name}(...) expanding a value not known here")
        values += last
    if name in STRUCTURAL:
        try:
            return function(scope, *values)
        except (TypeError, ValueError, KeyError, IndexError, AttributeError):
            return Open(f"{name}() of values Terraform would refuse")
    unknown = next((v for v in values if not plain(v)), None)
    if unknown is not None:
        return first_open(unknown) or Open(f"{name}() of a value known only after apply")
    try:
        return function(scope, *values)
    except TooLarge:
        raise
    except Exception:  # what Terraform would refuse (a bad pattern, a wrong type): not known here
        return Open(f"{name}() of values Terraform would refuse")


def _try(nodes: list[Tree[Any]], scope: Scope, can: bool) -> Any:
    for node in nodes:
        try:
            value = _eval(node, scope)
        except Missing:
            continue
        if can:
            return True if plain(value) else Open("can() of a value not known here")
        return value
    return False if can else Open("try() with no argument that evaluates")


def _tolist(scope: Scope, value: Any) -> Any:
    return list(value) if isinstance(value, list) else Open("tolist() of a value not known here")


def _toset(scope: Scope, value: Any) -> Any:
    if not isinstance(value, list):
        return Open("toset() of a value not known here")
    if not all(plain(v) for v in value):
        return list(value)
    unique = {json.dumps(v, sort_keys=True): v for v in value}
    return TfSet([unique[k] for k in sorted(unique)] if all(isinstance(v, str) for v in value)
                 else list(unique.values()))


def _merge(scope: Scope, *maps: Any) -> Any:
    result: dict[str, Any] = {}
    for item in maps:
        if item is None:
            continue
        if not isinstance(item, dict):
            return Open("merge() of a value not known here")
        result.update(item)
    return result


def _concat(scope: Scope, *lists: Any) -> Any:
    result: list[Any] = []
    for item in lists:
        if not isinstance(item, list):
            return Open("concat() of a value not known here")
        result += item
    return result


def _flatten(scope: Scope, value: Any) -> Any:
    if not isinstance(value, list):
        return Open("flatten() of a value not known here")
    result: list[Any] = []
    for item in value:
        if isinstance(item, list):
            inner = _flatten(scope, item)
            if isinstance(inner, Open):
                return inner
            result += inner
        else:
            result.append(item)
    return result


def _lookup(scope: Scope, mapping: Any, key: Any, *default: Any) -> Any:
    if not isinstance(mapping, dict) or not isinstance(key, str):
        return Open("lookup() in a map not known here")
    if key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise Missing(f"a key ({key}) the map does not have")


def _element(scope: Scope, items: Any, index: Any) -> Any:
    if not isinstance(items, list) or not isinstance(index, int) or not items:
        return Open("element() of a list not known here")
    return items[index % len(items)]


def _coalesce(scope: Scope, *values: Any) -> Any:
    for value in values:
        if isinstance(value, Open | Cfn):
            return value
        if value is not None and value != "":
            return value
    return Open("coalesce() with no value")


def _one(scope: Scope, value: Any) -> Any:
    if not isinstance(value, list) or len(value) > 1:
        return Open("one() of a value not known here")
    return value[0] if value else None


def _values(scope: Scope, mapping: Any) -> Any:
    return [mapping[k] for k in sorted(mapping)] if isinstance(mapping, dict) else Open("values() of a value "
                                                                                        "not known here")


def _jsonencode(scope: Scope, value: Any) -> Any:
    return encode(value)


def _file(scope: Scope, path: str) -> Any:
    return scope.names.read_file(path)


def _templatefile(scope: Scope, path: Any, variables: Any = None) -> Any:
    if not isinstance(path, str) or not isinstance(variables, dict | None):
        return Open("templatefile() of a path or variables not known here")
    text = scope.names.read_file(path)
    if isinstance(text, Open):
        return text
    return template(text, Scope(scope.names, dict(variables or {}), scope.depth + 1))


def _format(scope: Scope, spec: str, *values: Any) -> str:
    """Terraform's `format`: Go's verbs with flags, width and precision, and argument indexes (`%[2]s`)."""
    position = 0

    def one(match: re.Match[str]) -> str:
        nonlocal position
        if match.group(0) == "%%":
            return "%"
        index, flags, width, precision, verb = match.groups()
        position = int(index) - 1 if index else position
        value = values[position]
        position += 1
        if verb == "q":
            text = json.dumps(value)
        elif verb == "d":
            text = format(int(value), f"{'+' if '+' in flags else ''}{'0' if '0' in flags and '-' not in flags else ''}"
                                      f"{width or ''}d")
        elif verb in "fFeEgG":
            text = format(float(value), f"{width or ''}{'.' + precision if precision else ''}{verb}")
        elif verb == "v" and not isinstance(value, str):
            text = json.dumps(value)
        else:
            text = str(value).lower() if isinstance(value, bool) else str(value)
            text = text[:int(precision)] if precision and verb == "s" else text
        pad = int(width) if width and verb not in "dfFeEgG" else 0
        return text.ljust(pad) if "-" in flags else text.rjust(pad)

    return re.sub(r"%%|%(?:\[(\d+)\])?([-+# 0]*)(\d*)(?:\.(\d+))?([a-zA-Z])", one, spec)


def _split(scope: Scope, separator: str, text: str) -> list[str]:
    return text.split(separator) if separator else list(text)


def _replace(scope: Scope, text: str, old: str, new: str) -> str:
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        return str(re2.sub(old[1:-1], re.sub(r"\$\{?(\w+)\}?", r"\\\1", new), text))
    return text.replace(old, new)


def _range(scope: Scope, *bounds: Any) -> list[Any]:
    numbers = [int(b) for b in bounds]
    start, stop, step = (0, numbers[0], 1) if len(numbers) == 1 else (*numbers, 1)[:3]
    if abs((stop - start) // (step or 1)) > 1024:
        raise ValueError("too long a range")
    scope.names.budget.spend(abs((stop - start) // (step or 1)))
    return list(range(start, stop, step))


def _yamldecode(scope: Scope, text: str) -> Any:
    documents = load_all(text, "yamldecode()")  # the project's safe YAML loader: plain data, bounded
    return _plain_data(documents[0]) if documents else None


def _plain_data(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_data(v) for v in value]
    return value


def _csvdecode(scope: Scope, text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _regex(scope: Scope, pattern: str, text: str, every: bool = False) -> Any:
    compiled = re2.compile(pattern)
    matches = [_groups(m) for m in compiled.finditer(text)]
    if every:
        return matches
    if not matches:
        raise ValueError("no match")
    return matches[0]


def _groups(match: Any) -> Any:
    named = match.groupdict()
    if named:
        return dict(named)
    return list(match.groups()) if match.groups() else match.group(0)


def _setproduct(scope: Scope, *sets: Any) -> Any:
    if not all(isinstance(s, list) for s in sets):
        return Open("setproduct() of a value not known here")
    scope.names.budget.spend(math.prod(len(s) for s in sets))
    return [list(p) for p in itertools.product(*sets)]


STRUCTURAL = frozenset({"jsonencode", "merge", "concat", "flatten", "lookup", "element", "coalesce", "one",
                        "tolist", "toset", "values", "templatefile", "length", "compact", "distinct", "keys"})

FUNCTIONS: dict[str, Callable[..., Any]] = {
    "jsonencode": _jsonencode,
    "jsondecode": lambda s, text: json.loads(text),
    "yamlencode": lambda s, value: Open("yamlencode() not evaluated"),
    "format": _format,
    "formatlist": lambda s, spec, *lists: [_format(s, spec, *row) for row in zip(*lists, strict=True)],
    "join": lambda s, separator, items: separator.join(str(i) for i in items),
    "split": _split,
    "lower": lambda s, text: text.lower(),
    "upper": lambda s, text: text.upper(),
    "title": lambda s, text: text.title(),
    "trimspace": lambda s, text: text.strip(),
    "trim": lambda s, text, chars: text.strip(chars),
    "trimprefix": lambda s, text, prefix: text[len(prefix):] if text.startswith(prefix) else text,
    "trimsuffix": lambda s, text, suffix: text[:-len(suffix)] if suffix and text.endswith(suffix) else text,
    "replace": _replace,
    "substr": lambda s, text, offset, length: text[offset:] if length < 0 else text[offset:offset + length],
    "startswith": lambda s, text, prefix: text.startswith(prefix),
    "endswith": lambda s, text, suffix: text.endswith(suffix),
    "strcontains": lambda s, text, part: part in text,
    "tostring": lambda s, value: value if isinstance(value, str) else json.dumps(value).strip('"'),
    "tonumber": lambda s, value: _number(value, "+"),
    "tobool": lambda s, value: value if isinstance(value, bool) else {"true": True, "false": False}[value],
    "tolist": _tolist,
    "toset": _toset,
    "tomap": lambda s, value: dict(value),
    "merge": _merge,
    "concat": _concat,
    "flatten": _flatten,
    "lookup": _lookup,
    "element": _element,
    "coalesce": _coalesce,
    "coalescelist": lambda s, *lists: next((v for v in lists if v), []),
    "one": _one,
    "length": lambda s, value: len(value) if isinstance(value, list | dict | str) else Open(
        "length() of a value not known here"),
    "keys": lambda s, value: sorted(value) if isinstance(value, dict) else Open("keys() of a value not known here"),
    "values": _values,
    "compact": lambda s, items: [i for i in items if i not in (None, "")] if isinstance(items, list) else Open(
        "compact() of a value not known here"),
    "distinct": lambda s, items: [v for i, v in enumerate(items) if v not in items[:i]] if isinstance(
        items, list) else Open("distinct() of a value not known here"),
    "contains": lambda s, items, value: value in items,
    "index": lambda s, items, value: items.index(value),
    "reverse": lambda s, items: list(reversed(items)),
    "sort": lambda s, items: sorted(str(i) for i in items),
    "slice": lambda s, items, start, end: items[start:end],
    "zipmap": lambda s, keys, values: dict(zip(keys, values, strict=True)),
    "setunion": lambda s, *sets: sorted({json.dumps(v) for x in sets for v in x}) and _toset(s, [
        v for x in sets for v in x]),
    "range": _range,
    "max": lambda s, *numbers: max(numbers),
    "min": lambda s, *numbers: min(numbers),
    "abs": lambda s, number: abs(number),
    "file": _file,
    "yamldecode": _yamldecode,
    "csvdecode": _csvdecode,
    "regex": _regex,
    "regexall": lambda s, pattern, text: _regex(s, pattern, text, True),
    "setproduct": _setproduct,
    "setsubtract": lambda s, a, b: [v for v in a if v not in b],
    "setintersection": lambda s, first, *rest: [v for v in first if all(v in r for r in rest)],
    "sensitive": lambda s, value: value,
    "nonsensitive": lambda s, value: value,
    "alltrue": lambda s, items: all(v is True or v == "true" for v in items),
    "anytrue": lambda s, items: any(v is True or v == "true" for v in items),
    "sum": lambda s, items: sum(_number(v, "+") for v in items),
    "fileexists": lambda s, path: not isinstance(s.names.read_file(path), Open),
    "chomp": lambda s, text: text.rstrip("\r\n"),
    "indent": lambda s, spaces, text: text.replace("\n", "\n" + " " * spaces),
    "urlencode": lambda s, text: __import__("urllib.parse").parse.quote(text, safe=""),
    "strrev": lambda s, text: text[::-1],
    "transpose": lambda s, mapping: {v: sorted(k for k, vs in mapping.items() if v in vs)
                                     for vs in mapping.values() for v in vs},
    "matchkeys": lambda s, values, keys, wanted: [v for v, k in zip(values, keys, strict=True) if k in wanted],
    "templatefile": _templatefile,
    "base64encode": lambda s, text: Open("base64encode() not evaluated"),
}


_HANDLERS: dict[str, Callable[[Tree[Any], Scope], Any]] = {
    "expr_term": lambda node, scope: (_reference(node, scope) if _is_reference(node) else _expr_term(node, scope)),
    "literal_value": _literal,
    "int_lit": _int,
    "float_lit": _float,
    "identifier": _identifier,
    "string": _string,
    "template_string": lambda node, scope: unescape(str(node.children[0])[2:-2]),
    "heredoc_template": _heredoc,
    "heredoc_template_trim": _heredoc,
    "tuple": _tuple,
    "object": _object,
    "conditional": _conditional,
    "binary_op": _binary,
    "unary_op": _unary,
    "get_attr_expr_term": _traversal,
    "index_expr_term": _traversal,
    "attr_splat_expr_term": _splat,
    "full_splat_expr_term": _splat,
    "for_tuple_expr": _for_tuple,
    "for_object_expr": _for_object,
    "function_call": _call,
}


def _is_reference(node: Tree[Any]) -> bool:
    trees = _trees(node)
    return (len(trees) == 1 and not _parenthesised(node)
            and trees[0].data in ("identifier", "get_attr_expr_term", "index_expr_term"))
