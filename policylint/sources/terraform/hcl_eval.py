"""HCL expressions evaluated as Terraform would before apply, over python-hcl2's raw Lark tree (`hcl_parse`).

What the configuration decides is computed: literals, templates and heredocs, operators, conditionals, `for`
expressions, splats, indexes, and the functions configurations use to build policies and names (`jsonencode`,
`format`, `merge`, `concat`, `lookup`, `try`, `file`, `templatefile`, ...). What it does not decide is an `Open`
naming why, and what only exists once applied is a `Cfn` intrinsic (`hcl_values`). Names (`var.x`, `local.y`,
`aws_iam_role.app.arn`, `module.m.out`, `data.t.n.json`) are looked up in the module instance (`hcl_module`)
through the `Names` interface, so this module knows expressions, not modules.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

from lark import Token, Tree

from policylint.model import Location
from policylint.sources.terraform.hcl_functions import BUILT_IN, LINEAR, STRUCTURAL, WALKING
from policylint.sources.terraform.hcl_parse import Attribute, JsonExpr, expression, unescape
from policylint.sources.terraform.hcl_scope import Scope, TfSet, TooLarge
from policylint.sources.terraform.hcl_values import (
    ARITHMETIC,
    MOST_DIGITS,
    Cfn,
    Encoded,
    Missing,
    Open,
    Partial,
    joined,
    number,
    numeric,
    partial,
)

_SKIP = frozenset({"new_line_or_comment"})
_DEEPEST = 200  # nested evaluations (a local naming a local naming ...) before the value is taken as open


def evaluate(expr: Tree[Any] | JsonExpr, scope: Scope, at: Location | None = None) -> Any:
    """The expression's value; a reference to what is not there is `Open`, never an exception. What is past the
    evaluation budget (`hcl_scope.Budget`) is `Open` too, and a located error at `at`, the argument written there;
    an expression evaluated for another (a local, a variable's default) without a place of its own is the error of
    the one that needs it."""
    if scope.depth > _DEEPEST:
        return Open("an expression nested or referenced too deeply to follow")
    budget = scope.names.budget
    mark = budget.enter()
    try:
        value = _value(expr, Scope(scope.names, scope.variables, scope.depth + 1, scope.template))
        budget.facts(value)
        return value
    except Missing as missing:
        return Open(str(missing) or "a reference to what is not there")
    except RecursionError:
        return Open("an expression nested too deeply to follow")
    except (TooLarge, ValueError, OverflowError, ArithmeticError) as large:  # ValueError: past Python's ints
        found = str(large) if isinstance(large, TooLarge) else "a number past what Terraform holds"
        if at is None and budget.outer:
            raise TooLarge(found) from None
        if at is not None:
            budget.fail(at, f"expected an expression within the bounds of any real configuration, found {found}: "
                            "it is read as not known here (fail closed)")
            budget.refund(mark)
        return Open(f"{found} (not evaluated)")
    finally:
        budget.leave()


def argument(attribute: Attribute, scope: Scope) -> Any:
    """An argument's value (`name = expression`), a `TooLarge` in it located at it."""
    return evaluate(attribute.expr, scope, attribute.location)


def _value(node: Any, scope: Scope) -> Any:
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
    return _value(trees[0], scope) if trees else None


def _literal(node: Tree[Any], scope: Scope) -> Any:
    return {"true": True, "false": False, "null": None}[str(node.children[0])]


def _int(node: Tree[Any], scope: Scope) -> Any:
    digits = str(node.children[0])
    if len(digits) > MOST_DIGITS:
        raise TooLarge(f"a number of {len(digits):,} digits (at most {MOST_DIGITS:,})")
    return int(digits)


def _float(node: Tree[Any], scope: Scope) -> Any:
    return float(str(node.children[0]))


def _identifier(node: Tree[Any], scope: Scope) -> Any:
    return _reference(node, scope)


def _string(node: Tree[Any], scope: Scope) -> Any:
    parts: list[Any] = []
    trees = _trees(node)
    if len(trees) == 1 and isinstance(trees[0].children[0], Tree) and trees[0].children[0].data == "interpolation":
        return _value(_trees(trees[0].children[0])[0], scope)  # `"${x}"` is x itself, not its text
    for part in trees:
        inner = part.children[0]
        if isinstance(inner, Token):
            parts.append(unescape(str(inner)))
        elif inner.data == "interpolation":
            parts.append(_value(_trees(inner)[0], scope))
        else:
            return Open("a template directive (%{ if } / %{ for }) not evaluated")
    return _made(joined(parts), scope)


def _made(value: Any, scope: Scope) -> Any:
    """A value an expression made, paid for: text by its length, a collection by its items."""
    if isinstance(value, str):
        scope.names.budget.text(value)
    else:
        scope.names.budget.spend(_items(value))
    return value


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
        return Open("an interpolation that does not parse") if tree is None else _value(tree, scope)
    for literal, inner in pieces:
        parts.append(literal)
        if inner is None:
            continue
        if inner.startswith("%"):
            return Open("a template directive (%{ if } / %{ for }) not evaluated")
        tree = expression(inner.strip().strip("~").strip())
        parts.append(Open("an interpolation that does not parse") if tree is None else _value(tree, scope))
    return _made(joined(parts), scope)


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
    return [_value(item, scope) for item in _trees(node)]


def _object(node: Tree[Any], scope: Scope) -> Any:
    result: dict[str, Any] = {}
    for element in _trees(node):
        key_node, value_node = _trees(element)[0], _trees(element)[-1]
        key = _key(key_node, scope)
        if isinstance(key, Open | Cfn):
            return Open("an object key not known here")
        result[str(key) if not isinstance(key, bool) else str(key).lower()] = _value(value_node, scope)
    return result


def _key(node: Tree[Any], scope: Scope) -> Any:
    inner = _trees(node)[0]
    if inner.data == "keyword":
        return str(inner.children[0])
    term = _trees(inner)
    if inner.data == "expr_term" and len(term) == 1 and term[0].data == "identifier":
        return str(term[0].children[0])  # a bare name is the key itself
    value = _value(inner, scope)
    return value if not isinstance(value, Encoded) else Open("an object key not known here")


def _conditional(node: Tree[Any], scope: Scope) -> Any:
    condition, yes, no = _trees(node)
    decided = _value(condition, scope)
    if isinstance(decided, bool):
        return _value(yes, scope) if decided else _value(no, scope)
    first, second = _value(yes, scope), _value(no, scope)
    return first if _equal(first, second, scope) else Open("a condition not known here chooses between two values")


def _equal(left: Any, right: Any, scope: Scope) -> bool:
    """Whether two values are equal, the comparison paid for (by the smaller one's size)."""
    budget = scope.names.budget
    if isinstance(left, list | dict) and isinstance(right, list | dict):
        budget.spend(min(budget.facts(left).size, budget.facts(right).size))
    return bool(left == right)


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
    left, right = _value(left_node, scope), _value(right_node, scope)
    budget = scope.names.budget
    if operator in ("==", "!=") and budget.facts(left).plain and budget.facts(right).plain:
        return _equal(left, right, scope) == (operator == "==")
    if operator == "&&" and (left is False or right is False):
        return False
    if operator == "||" and (left is True or right is True):
        return True
    if not (_scalar(left) and _scalar(right)):
        return Open(f"an operation ({operator}) on values not known here")
    left, right = number(left, operator), number(right, operator)
    if operator in ARITHMETIC and not (numeric(left) and numeric(right)):
        return Open(f"an operation ({operator}) on text, which Terraform refuses")
    try:
        result = _OPERATORS[operator](left, right)
    except (TypeError, ZeroDivisionError, ValueError):
        return Open(f"an operation ({operator}) Terraform would refuse")
    if isinstance(result, int) and result.bit_length() > _MOST_BITS:
        raise TooLarge(f"a number of more than {MOST_DIGITS:,} digits")
    return int(result) if isinstance(result, float) and result.is_integer() and operator != "/" else result


_MOST_BITS = int(MOST_DIGITS * math.log2(10))


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def _unary(node: Tree[Any], scope: Scope) -> Any:
    operator, operand = str(node.children[0]), _value(_trees(node)[0], scope)
    if operator == "!":
        return (not operand) if isinstance(operand, bool) else Open("a negation of a value not known here")
    value = number(operand, "-")
    return -value if numeric(value) else Open(
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
        return _apply(_value(current, scope), steps)
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
    return _value(_trees(node)[0], scope)


def _traversal(node: Tree[Any], scope: Scope) -> Any:
    return _reference(node, scope)


def _apply(value: Any, steps: list[Any]) -> Any:
    for step in steps:
        value = step_into(value, step)
    return value


def step_into(value: Any, step: Any) -> Any:
    """One attribute or index of a value; a missing one raises `Missing` (Terraform refuses the reference)."""
    if isinstance(value, Partial):
        return _step_into_partial(value, step)
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


def _step_into_partial(value: Partial, step: Any) -> Any:
    """A key or index of a collection with open parts: a known entry's, or a known item's of a list's leading
    known items; anything else may be in the open part."""
    if isinstance(value.known, dict) and isinstance(step, str | int | float | bool):
        key = str(step).lower() if isinstance(step, bool) else str(step)
        return value.known.get(key, value.rest)
    if isinstance(value.known, list) and isinstance(step, int) and not isinstance(step, bool) \
            and 0 <= step < value.prefix:
        return value.known[step]
    return value.rest


def _splat(node: Tree[Any], scope: Scope) -> Any:
    inner, splat = _trees(node)
    value = _value(inner, scope)
    known = value.known if isinstance(value, Partial) and isinstance(value.known, list) else None
    if isinstance(value, Open) and known is None:
        return value
    items = known if known is not None else value if isinstance(value, list) else [] if value is None else [value]
    scope.names.budget.spend(len(items))
    steps: list[Any] = []
    for step in _trees(splat):
        steps.append(_attr_name(step) if step.data == "get_attr" else _index_value(step, scope))
    made = [_apply(item, steps) for item in items]
    return partial(made, value.rest, value.prefix) if isinstance(value, Partial) else made


# -- for expressions ---------------------------------------------------------------------------------------------


def _for_parts(node: Tree[Any]) -> tuple[Tree[Any], list[Tree[Any]], Tree[Any] | None, bool]:
    intro = next(c for c in _trees(node) if c.data == "for_intro")
    condition = next((c for c in _trees(node) if c.data == "for_cond"), None)
    body = [c for c in _trees(node) if c.data not in ("for_intro", "for_cond")]
    grouped = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in node.children)
    return intro, body, condition, grouped


def _for_items(intro: Tree[Any], scope: Scope) -> tuple[Iterator[Scope], Open | None] | Open:
    """A scope per item of the collection, and what stands for the rest of a collection with open parts (whose
    known items only are iterated: what the `for` makes has open parts too)."""
    names = [str(c.children[0]) for c in _trees(intro) if c.data == "identifier"]
    collection = _value(next(c for c in _trees(intro) if c.data != "identifier"), scope)
    pairs = _pairs(collection)
    if pairs is None:
        return Open("a for expression over a collection not known here")

    def scopes() -> Iterator[Scope]:
        for key, value in pairs:
            scope.names.budget.spend()
            yield (scope.with_vars(**{names[0]: key, names[1]: value}) if len(names) == 2
                   else scope.with_vars(**{names[0]: value}))

    return scopes(), (collection.rest if isinstance(collection, Partial) else None)


def _pairs(collection: Any) -> list[tuple[Any, Any]] | None:
    """(key, value) of each item a `for` iterates: a map's in key order (as Terraform), a set's item as both, a
    list's index; of a collection with open parts, its known items (an index past its leading ones not known)."""
    if isinstance(collection, Partial):
        pairs = _pairs(collection.known)
        if pairs is not None and not isinstance(collection.known, dict | TfSet):
            pairs = [(i if i < collection.prefix else collection.rest, v) for i, v in pairs]
        return pairs
    if isinstance(collection, dict):
        return sorted(collection.items())
    if isinstance(collection, TfSet):
        return [(v, v) for v in collection]
    return list(enumerate(collection)) if isinstance(collection, list) else None


def _for_tuple(node: Tree[Any], scope: Scope) -> Any:
    intro, body, condition, _ = _for_parts(node)
    found = _for_items(intro, scope)
    if isinstance(found, Open):
        return found
    items, rest = found
    result = []
    made = _Made(scope)
    for inner in items:
        keep = _value(_trees(condition)[0], inner) if condition is not None else True
        if keep is True:
            result.append(made.add(_value(body[0], inner)))
        elif not isinstance(keep, bool):
            return Open("a for expression's condition not known here")
    return result if rest is None else partial(result, rest)


class _Made:
    """What a `for` expression has made so far, as written out: past `Budget.SIZE`, `TooLarge` (its items may each
    be large text, made anew per item)."""

    def __init__(self, scope: Scope) -> None:
        self.budget = scope.names.budget
        self.size = 0

    def add(self, value: Any) -> Any:
        self.size += self.budget.facts(value).size
        if self.size > self.budget.SIZE:
            raise TooLarge(f"a for expression making more than {self.budget.SIZE:,} items and characters")
        return value


def _for_object(node: Tree[Any], scope: Scope) -> Any:
    intro, body, condition, grouped = _for_parts(node)
    found = _for_items(intro, scope)
    if isinstance(found, Open):
        return found
    items, rest = found
    result: dict[str, Any] = {}
    made = _Made(scope)
    for inner in items:
        keep = _value(_trees(condition)[0], inner) if condition is not None else True
        if keep is not True:
            if not isinstance(keep, bool):
                return Open("a for expression's condition not known here")
            continue
        key = made.add(_value(body[0], inner))
        if not isinstance(key, str | int | float | bool):
            return Open("a for expression's key not known here")
        value = made.add(_value(body[1], inner))
        if grouped:
            result.setdefault(str(key), []).append(value)
        else:
            result[str(key)] = value
    if rest is None:
        return result
    if grouped:  # the open part may add to any group
        result = {k: partial(v, rest) for k, v in result.items()}
    return partial(result, rest)


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
    values = [_value(n, scope) for n in nodes]
    if expand and values:
        last = values.pop()
        if not isinstance(last, list):
            return Open(f"{name}(...) expanding a value not known here")
        values += last
    budget = scope.names.budget
    facts = [budget.facts(v) for v in values]
    budget.spend(sum(f.size if name in WALKING else _items(v) if name in LINEAR else 0
                     for f, v in zip(facts, values, strict=True)))
    if name in STRUCTURAL:
        try:
            return _made(function(scope, *values), scope)
        except (TypeError, ValueError, KeyError, IndexError, AttributeError):
            return Open(f"{name}() of values Terraform would refuse")
    unknown = next((f for f in facts if not f.plain), None)
    if unknown is not None:
        return unknown.opened or Open(f"{name}() of a value known only after apply")
    try:
        return _made(function(scope, *values), scope)
    except TooLarge:
        raise
    except Exception:  # what Terraform would refuse (a bad pattern, a wrong type): not known here
        return Open(f"{name}() of values Terraform would refuse")


def _items(value: Any) -> int:
    """How many items a function scanning a collection passes over (a collection with open parts: its known ones)."""
    value = value.known if isinstance(value, Partial) else value
    return len(value) if isinstance(value, list | dict) else 0


def _try(nodes: list[Tree[Any]], scope: Scope, can: bool) -> Any:
    for node in nodes:
        try:
            value = _value(node, scope)
        except Missing:
            continue
        if can:
            return True if scope.names.budget.facts(value).plain else Open("can() of a value not known here")
        return value
    return False if can else Open("try() with no argument that evaluates")


def _templatefile(scope: Scope, path: Any, variables: Any = None) -> Any:
    if scope.template:  # Terraform refuses it, and a template calling itself twice would double without end
        return Open("templatefile() called inside a template, which Terraform refuses")
    if not isinstance(path, str) or not isinstance(variables, dict | None):
        return Open("templatefile() of a path or variables not known here")
    text = scope.names.read_file(path)
    if isinstance(text, Open):
        return text
    return template(text, Scope(scope.names, dict(variables or {}), scope.depth + 1, template=True))


FUNCTIONS: dict[str, Callable[..., Any]] = {**BUILT_IN, "templatefile": _templatefile}


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
