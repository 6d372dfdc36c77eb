"""Terraform's built-in functions, as far as configurations use them to build names and policies. Each takes the
scope first; a function given a value not known here is open unless it is one that passes structure through
(`STRUCTURAL`: `merge`, `concat`, `jsonencode`, …), which handles open parts itself: the collection functions
(`hcl_collections`) keep what is known of a collection with open parts. `hcl_eval` adds `templatefile`, which
evaluates a template."""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import re
from collections.abc import Callable
from typing import Any

import re2  # type: ignore[import-untyped]  # linear time: `regex`, `replace` patterns are the configuration's

from policylint.sources.terraform.hcl_collections import COLLECTIONS, on_known
from policylint.sources.terraform.hcl_scope import Scope
from policylint.sources.terraform.hcl_values import (
    MOST_TEXT,
    Cfn,
    Open,
    TooLarge,
    bounded_text,
    encode,
    number,
)
from policylint.yamlsafe import load_all


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


def _jsonencode(scope: Scope, value: Any) -> Any:
    return encode(value)


def _file(scope: Scope, path: str) -> Any:
    return scope.names.read_file(path)


def _format(scope: Scope, spec: str, *values: Any) -> str:
    """Terraform's `format`: Go's verbs with flags, width and precision, and argument indexes (`%[2]s`); a width or
    precision past `MOST_TEXT` is refused before any text is made (`%0999999999d`)."""
    position = 0
    made = 0

    def one(match: re.Match[str]) -> str:
        nonlocal position, made
        if match.group(0) == "%%":
            return "%"
        index, flags, width, precision, verb = match.groups()
        for given in (width, precision):
            if given and (len(given) > 7 or int(given) > MOST_TEXT):
                raise TooLarge(f"format() padding to {given} characters (at most {MOST_TEXT:,})")
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
        made += max(pad, len(text))
        bounded_text(made, "format() making text")
        return text.ljust(pad) if "-" in flags else text.rjust(pad)

    return re.sub(r"%%|%(?:\[(\d+)\])?([-+# 0]*)(\d*)(?:\.(\d+))?([a-zA-Z])", one, spec)


def _split(scope: Scope, separator: str, text: str) -> list[str]:
    scope.names.budget.spend(text.count(separator) if separator else len(text))
    return text.split(separator) if separator else list(text)


def _join(scope: Scope, separator: str, items: list[Any]) -> str:
    bounded_text(sum(len(str(i)) for i in items) + len(separator) * len(items), "join() making text")
    return separator.join(str(i) for i in items)


def _indent(scope: Scope, spaces: int, text: str) -> str:
    bounded_text(len(text) + spaces * text.count("\n"), "indent() making text")
    return text.replace("\n", "\n" + " " * spaces)


def _replace(scope: Scope, text: str, old: str, new: str) -> str:
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        pattern, template = re2.compile(old[1:-1]), re.sub(r"\$\{?(\w+)\}?", r"\\\1", new)
        made = len(text)
        for match in pattern.finditer(text):  # what it makes, counted before it is made, a step a match
            scope.names.budget.spend()
            made += _expanded(template, match)
            bounded_text(made, "replace() making text")
        return str(pattern.sub(template, text))
    if old:
        bounded_text(len(text) + text.count(old) * max(len(new) - len(old), 0), "replace() making text")
    else:
        bounded_text(len(text) + (len(text) + 1) * len(new), "replace() making text")
    return text.replace(old, new)


_GROUP = re.compile(r"\\(\d+|\w+)")


def _expanded(template: str, match: Any) -> int:
    """How long a regex replacement's text is for one match: the template with each group reference as its group."""
    total = len(_GROUP.sub("", template))
    for reference in _GROUP.findall(template):
        group = match.group(int(reference) if reference.isdigit() else reference)
        total += len(group or "")
    return total


def _range(scope: Scope, *bounds: Any) -> list[Any]:
    numbers = [int(b) for b in bounds]
    start, stop, step = (0, numbers[0], 1) if len(numbers) == 1 else (*numbers, 1)[:3]
    if abs((stop - start) // (step or 1)) > 1024:
        raise ValueError("too long a range")
    scope.names.budget.spend(abs((stop - start) // (step or 1)))
    return list(range(start, stop, step))


def _jsondecode(scope: Scope, text: str) -> Any:
    """`jsondecode`; a lone surrogate escape (`"\\ud800"`, which UTF-8 cannot encode) is U+FFFD, as Go decodes it."""
    value = json.loads(text)
    return _replaced(value) if _SURROGATE_ESCAPE.search(text) else value


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _replaced(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_replaced(k): _replaced(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_replaced(v) for v in value]
    return value


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
    matches = []
    for match in compiled.finditer(text):
        scope.names.budget.spend()
        matches.append(_groups(match))
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


def _key(value: Any) -> str:
    """A plain value as a key, for the set functions to run in linear time."""
    return json.dumps(value, sort_keys=True, default=repr)


@on_known
def _distinct(scope: Scope, items: Any) -> Any:
    if not isinstance(items, list):
        return Open("distinct() of a value not known here")
    first: dict[str, Any] = {}
    for item in items:
        first.setdefault(_key(item), item)
    return list(first.values())


def _subtract(scope: Scope, first: list[Any], second: list[Any]) -> list[Any]:
    taken = {_key(v) for v in second}
    return [v for v in first if _key(v) not in taken]


def _intersection(scope: Scope, first: list[Any], *rest: list[Any]) -> list[Any]:
    others = [{_key(v) for v in r} for r in rest]
    return [v for v in first if all(_key(v) in o for o in others)]


def _matchkeys(scope: Scope, values: list[Any], keys: list[Any], wanted: list[Any]) -> list[Any]:
    chosen = {_key(v) for v in wanted}
    return [v for v, k in zip(values, keys, strict=True) if _key(k) in chosen]


def _transpose(scope: Scope, mapping: dict[str, list[str]]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for key in sorted(mapping):
        for value in mapping[key]:
            result.setdefault(value, []).append(key)
    return result


def _formatlist(scope: Scope, spec: str, *lists: Any) -> list[str]:
    rows = [_format(scope, spec, *row) for row in zip(*lists, strict=True)]
    bounded_text(sum(len(r) for r in rows), "formatlist() making text")
    return rows


def _setproduct(scope: Scope, *sets: Any) -> Any:
    if not all(isinstance(s, list) for s in sets):
        return Open("setproduct() of a value not known here")
    scope.names.budget.spend(math.prod(len(s) for s in sets))
    return [list(p) for p in itertools.product(*sets)]


# what a function's pass over its arguments costs (`Budget.spend`): the size of what it walks (encodes, flattens,
# compares by value), or the length of the collections it scans; any other costs only what it makes
WALKING = frozenset({"jsonencode", "flatten", "toset", "distinct", "setunion", "setsubtract", "setintersection",
                     "matchkeys", "contains", "index", "sort", "transpose", "yamlencode", "tostring"})
LINEAR = frozenset({"concat", "merge", "keys", "values", "compact", "reverse", "slice", "zipmap", "join",
                    "formatlist", "alltrue", "anytrue", "sum", "max", "min", "setproduct", "coalescelist"})

STRUCTURAL = frozenset({"jsonencode", "merge", "concat", "flatten", "lookup", "element", "coalesce", "one",
                        "tolist", "toset", "values", "templatefile", "length", "compact", "distinct", "keys",
                        "setunion"})

BUILT_IN: dict[str, Callable[..., Any]] = {
    **COLLECTIONS,
    "jsonencode": _jsonencode,
    "jsondecode": _jsondecode,
    "yamlencode": lambda s, value: Open("yamlencode() not evaluated"),
    "format": _format,
    "formatlist": _formatlist,
    "join": _join,
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
    "tonumber": lambda s, value: number(value, "+"),
    "tobool": lambda s, value: value if isinstance(value, bool) else {"true": True, "false": False}[value],
    "tomap": lambda s, value: dict(value),
    "element": _element,
    "coalesce": _coalesce,
    "coalescelist": lambda s, *lists: next((v for v in lists if v), []),
    "one": _one,
    "distinct": _distinct,
    "contains": lambda s, items, value: value in items,
    "index": lambda s, items, value: items.index(value),
    "reverse": lambda s, items: list(reversed(items)),
    "sort": lambda s, items: sorted(str(i) for i in items),
    "slice": lambda s, items, start, end: items[start:end],
    "zipmap": lambda s, keys, values: dict(zip(keys, values, strict=True)),
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
    "setsubtract": _subtract,
    "setintersection": _intersection,
    "sensitive": lambda s, value: value,
    "nonsensitive": lambda s, value: value,
    "alltrue": lambda s, items: all(v is True or v == "true" for v in items),
    "anytrue": lambda s, items: any(v is True or v == "true" for v in items),
    "sum": lambda s, items: sum(number(v, "+") for v in items),
    "fileexists": lambda s, path: not isinstance(s.names.read_file(path), Open),
    "chomp": lambda s, text: text.rstrip("\r\n"),
    "indent": _indent,
    "urlencode": lambda s, text: __import__("urllib.parse").parse.quote(text, safe=""),
    "strrev": lambda s, text: text[::-1],
    "transpose": _transpose,
    "matchkeys": _matchkeys,
    "base64encode": lambda s, text: Open("base64encode() not evaluated"),
}
