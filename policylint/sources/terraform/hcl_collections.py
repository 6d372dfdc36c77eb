"""Terraform's collection functions (`concat`, `merge`, `toset`, `keys`, `length`, …) over what the configuration
decides in part: a list, set or map with known items and open parts (`hcl_values.Partial`: `concat(["kim"],
var.extra)` holds "kim" and more) keeps its known items through them, so that the instances a `for_each` over it
makes are kept (and one open instance besides: fail closed both ways). A value not known here at all is open, as
in `hcl_functions`, which registers these."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from policylint.sources.terraform.hcl_scope import Scope, TfSet
from policylint.sources.terraform.hcl_values import AtLeast, Missing, Open, Partial, first_open, partial, plain


def _known_list(value: Any) -> list[Any] | None:
    """The known items of a list or set with open parts (`Partial`); None for any other value."""
    return value.known if isinstance(value, Partial) and isinstance(value.known, list) else None


def _known_map(value: Any) -> dict[str, Any] | None:
    """The known entries of a map with open parts (`Partial`); None for any other value."""
    return value.known if isinstance(value, Partial) and isinstance(value.known, dict) else None


def _opened(value: Any) -> Open:
    """What stands for an open value's items (a `Partial`'s rest, or the `Open` itself)."""
    return first_open(value) or Open("a value not known here")


def _tolist(scope: Scope, value: Any) -> Any:
    known = _known_list(value)
    if known is not None and isinstance(value, Partial):
        return partial(list(known), value.rest, value.prefix)
    return list(value) if isinstance(value, list) else Open("tolist() of a value not known here")


def _toset(scope: Scope, value: Any) -> Any:
    known = _known_list(value)
    if known is not None:
        return partial(_toset(scope, known), _opened(value))
    if not isinstance(value, list):
        return Open("toset() of a value not known here")
    if not all(plain(v) for v in value):
        return list(value)
    unique = {json.dumps(v, sort_keys=True): v for v in value}
    return TfSet([unique[k] for k in sorted(unique)] if all(isinstance(v, str) for v in value)
                 else list(unique.values()))


def _merge(scope: Scope, *maps: Any) -> Any:
    """`merge`: later maps win. A map not known here may give any key, and a new value to every key before it."""
    result: dict[str, Any] = {}
    rest: Open | None = None
    for item in maps:
        if item is None:
            continue
        if isinstance(item, Open):
            opened = _opened(item)
            rest = rest or opened
            result = dict.fromkeys(result, opened)
            result.update(_known_map(item) or {})
        elif isinstance(item, dict):
            result.update(item)
        else:
            return Open("merge() of a value not known here")
    return result if rest is None else partial(result, rest)


def _concat(scope: Scope, *lists: Any) -> Any:
    """`concat`; a list not known here makes a list of the known items and more (`Partial`)."""
    result: list[Any] = []
    rest: Open | None = None
    prefix = 0
    for item in lists:
        if isinstance(item, Open):
            if rest is None:
                prefix = len(result) + (item.prefix if isinstance(item, Partial) else 0)
            rest = rest or _opened(item)
            result += _known_list(item) or []
        elif isinstance(item, list):
            result += item
        else:
            return Open("concat() of a value not known here")
    return result if rest is None else partial(result, rest, prefix)


def _flatten(scope: Scope, value: Any) -> Any:
    """`flatten`; a list with open parts (`Partial`), in it or as it, makes one (an open item stays an item)."""
    known = _known_list(value)
    if not isinstance(value, list) and known is None:
        return Open("flatten() of a value not known here")
    result: list[Any] = []
    rest = _opened(value) if known is not None else None
    for item in value if known is None else known:
        inner = _known_list(item)
        if isinstance(item, list) or inner is not None:
            flat = _flatten(scope, item)
            if isinstance(flat, Open):
                rest = rest or _opened(flat)
            result += _known_list(flat) or (flat if isinstance(flat, list) else [])
        else:
            result.append(item)
    return result if rest is None else partial(result, rest)


def on_known(function: Callable[[Scope, Any], Any]) -> Callable[[Scope, Any], Any]:
    """A function of one list applied to a `Partial`'s known items: its known items, and the same rest."""
    def lifted(scope: Scope, value: Any) -> Any:
        known = _known_list(value)
        if known is None:
            return function(scope, value)
        made = function(scope, known)
        return partial(made, _opened(value)) if isinstance(made, list) else _opened(value)
    return lifted


def _setunion(scope: Scope, *sets: Any) -> Any:
    items: list[Any] = []
    rest: Open | None = None
    for item in sets:
        if isinstance(item, Open):
            rest = rest or _opened(item)
            items += _known_list(item) or []
        elif isinstance(item, list):
            items += item
        else:
            return Open("setunion() of a value not known here")
    union = _toset(scope, items)
    return union if rest is None else partial(union, rest)


def _length(scope: Scope, value: Any) -> Any:
    """`length`; of a collection with open parts, a number not known here but at least its known items'."""
    if isinstance(value, Partial):
        return AtLeast(value.reason, len(value.known))
    return len(value) if isinstance(value, list | dict | str) else Open("length() of a value not known here")


def _keys(scope: Scope, value: Any) -> Any:
    known = _known_map(value)
    if known is not None:
        return partial(sorted(known), _opened(value))
    return sorted(value) if isinstance(value, dict) else Open("keys() of a value not known here")


def _lookup(scope: Scope, mapping: Any, key: Any, *default: Any) -> Any:
    known = _known_map(mapping)
    if known is not None and isinstance(key, str):
        return known[key] if key in known else _opened(mapping)  # a key not known here may be in the open part
    if not isinstance(mapping, dict) or not isinstance(key, str):
        return Open("lookup() in a map not known here")
    if key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise Missing(f"a key ({key}) the map does not have")


def _values(scope: Scope, mapping: Any) -> Any:
    known = _known_map(mapping)
    if known is not None:
        return partial([known[k] for k in sorted(known)], _opened(mapping))
    return [mapping[k] for k in sorted(mapping)] if isinstance(mapping, dict) else Open("values() of a value "
                                                                                        "not known here")


COLLECTIONS: dict[str, Callable[..., Any]] = {
    "tolist": _tolist,
    "toset": _toset,
    "merge": _merge,
    "concat": _concat,
    "flatten": _flatten,
    "setunion": _setunion,
    "length": _length,
    "keys": _keys,
    "lookup": _lookup,
    "values": _values,
    "compact": on_known(lambda s, items: [i for i in items if i not in (None, "")] if isinstance(items, list)
                        else Open("compact() of a value not known here")),
}
