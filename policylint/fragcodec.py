"""A file's `Fragment` as plain JSON data and back, for the fragment cache (`fragcache`): no code runs when an entry
is read, whatever the entry holds.

Each record is a list of its fields in declaration order, trailing defaults left out; a `Location` in the fragment's
own file is `[line, column]` (the file is the one being read, whatever it is called in this run), elsewhere
`[file, line, column]`; dates are ISO strings. The decoders are made once per record class from its type hints, so
a record type that gains a field is encoded with it, and an entry of another shape fails to decode (and is parsed
again) rather than being read wrongly.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import MISSING, fields
from datetime import date
from typing import Any

from policylint import model
from policylint.errors import InputError
from policylint.model import Inventory, Location
from policylint.sources.base import Fragment

Decoder = Callable[[Any], Any]
RECORDS: tuple[type, ...] = (model.Person, model.Principal, model.Group, model.Grant, model.Role, model.Credential,
                             model.Key, model.Resource, model.Annotation)
SECTIONS = tuple(f.name for f in fields(Inventory))


class NotCached(Exception):
    """The fragment holds something the cache does not keep (a bug report, a value of an unexpected type)."""


def encode(fragment: Fragment, path: str) -> dict[str, Any]:
    if any(type(error) is not InputError for error in fragment.errors):  # a SourceCrash is a bug: read it again
        raise NotCached("the fragment reports a bug")
    return {
        "inventory": _inventory(fragment.inventory, path),
        "implied": _inventory(fragment.implied, path),
        "errors": [[_location(e.location, path), e.message] for e in fragment.errors],
        "notes": [[_location(at, path), text] for at, text in fragment.notes],
    }


def decode(document: Any, path: str) -> Fragment:
    """The fragment an entry holds, its own locations in `path`; raises (ValueError, TypeError, KeyError, …) on an
    entry of any other shape."""
    located = _location_decoder(path)
    return Fragment(
        _inventory_of(document["inventory"], located),
        [InputError(located(at), _text(message)) for at, message in document["errors"]],
        _inventory_of(document["implied"], located),
        tuple((located(at), _text(text)) for at, text in document["notes"]),
    )


def _inventory(inventory: Inventory, path: str) -> dict[str, list[Any]]:
    return {name: [_record(item, path) for item in items] for name in SECTIONS if (items := getattr(inventory, name))}


def _record(item: Any, path: str) -> list[Any]:
    cls = type(item)
    values = [getattr(item, name) for name in _INIT_FIELDS[cls]]
    required, defaults = _REQUIRED[cls], _DEFAULTS[cls]
    end = len(values)
    while end > required and _same(values[end - 1], defaults[end - 1 - required]):
        end -= 1
    return [_value(v, path) for v in values[:end]]


def _same(value: Any, default: Any) -> bool:
    return type(value) is type(default) and value == default


def _value(value: Any, path: str) -> Any:
    if value is None or type(value) in (str, int, bool):
        return value
    if type(value) is tuple:
        return [_value(v, path) for v in value]
    if type(value) is Location:
        return _location(value, path)
    if type(value) is date:
        return value.isoformat()
    if type(value) in _INIT_FIELDS:
        return _record(value, path)
    raise NotCached(f"a value of type {type(value).__name__}")


def _location(at: Location, path: str) -> list[Any]:
    return [at.line, at.column] if at.file == path else [at.file, at.line, at.column]


def _location_decoder(path: str) -> Callable[[Any], Location]:
    def located(value: Any) -> Location:
        if len(value) == 2:
            return Location(path, _int(value[0]), _int(value[1]))
        file, line, column = value
        return Location(_text(file), _int(line), _int(column))
    return located


def _inventory_of(document: Any, located: Callable[[Any], Location]) -> Inventory:
    if not isinstance(document, dict) or not set(document) <= set(SECTIONS):
        raise ValueError("expected the sections of an inventory")
    return Inventory(**{name: tuple(_DECODE[_SECTION_TYPES[name]](item, located) for item in items)
                        for name, items in document.items()})


def _text(value: Any) -> str:
    """A string of the entry, one object per distinct value (inventories repeat statuses, types, names and dates by
    the million; the YAML loader shares them too, `yamlsafe._resolve`)."""
    if type(value) is not str:
        raise TypeError("expected a string")
    found = _SHARED.get(value)
    if found is None:
        if len(_SHARED) >= _SHARED_MAX:
            _SHARED.clear()
        found = _SHARED[value] = value
    return found


def _date(value: Any) -> date:
    text = _text(value)
    found = _DATES.get(text)
    if found is None:
        if len(_DATES) >= _SHARED_MAX:
            _DATES.clear()
        found = _DATES[text] = date.fromisoformat(text)
    return found


_SHARED: dict[str, str] = {}
_DATES: dict[str, date] = {}
_SHARED_MAX = 200_000


def _int(value: Any) -> int:
    if type(value) is not int:
        raise TypeError("expected an integer")
    return value


# One decoder per field type, made from the record classes' own type hints
def _decoder(hint: Any) -> Callable[[Any, Callable[[Any], Location]], Any]:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Location:
        return lambda value, located: located(value)
    if hint is str:
        return lambda value, located: _text(value)
    if hint is int:
        return lambda value, located: _int(value)
    if hint is bool:
        return lambda value, located: _boolean(value)
    if hint is date:
        return lambda value, located: _date(value)
    if origin is typing.Literal:
        allowed = frozenset(args)
        return lambda value, located: _one_of(value, allowed)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"no decoder for {hint!r}")
        within = _decoder(inner[0])
        return lambda value, located: None if value is None else within(value, located)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            each = _decoder(args[0])
            return lambda value, located: tuple(each(v, located) for v in _list(value))
        parts = [_decoder(a) for a in args]
        return lambda value, located: tuple(part(v, located) for part, v in zip(parts, _exactly(value, len(parts)),
                                                                                  strict=True))
    if hint in _SECTION_TYPES.values():
        return lambda value, located: _DECODE[hint](value, located)
    raise TypeError(f"no decoder for {hint!r}")


def _boolean(value: Any) -> bool:
    if type(value) is not bool:
        raise TypeError("expected a boolean")
    return value


def _one_of(value: Any, allowed: frozenset[Any]) -> Any:
    if type(value) is not str or value not in allowed:
        raise ValueError("expected one of the allowed values")
    return _text(value)


def _list(value: Any) -> list[Any]:
    if type(value) is not list:
        raise TypeError("expected a list")
    return value


def _exactly(value: Any, count: int) -> list[Any]:
    items = _list(value)
    if len(items) != count:
        raise ValueError("expected a list of another length")
    return items


def _record_decoder(cls: type) -> Callable[[Any, Callable[[Any], Location]], Any]:
    hints = typing.get_type_hints(cls, vars(model))
    names, required = _INIT_FIELDS[cls], _REQUIRED[cls]
    decoders = [_decoder(hints[name]) for name in names]

    def decoded(value: Any, located: Callable[[Any], Location]) -> Any:
        items = _list(value)
        if not required <= len(items) <= len(decoders):
            raise ValueError(f"expected {required} to {len(decoders)} fields of a {cls.__name__}")
        return cls(*[field_of(item, located) for field_of, item in zip(decoders, items, strict=False)])
    return decoded


_INIT_FIELDS: dict[type, tuple[str, ...]] = {cls: tuple(f.name for f in fields(cls) if f.init) for cls in RECORDS}
_DEFAULTS: dict[type, tuple[Any, ...]] = {
    cls: tuple(f.default for f in fields(cls) if f.init and f.default is not MISSING) for cls in RECORDS}
_REQUIRED: dict[type, int] = {cls: len(_INIT_FIELDS[cls]) - len(_DEFAULTS[cls]) for cls in RECORDS}
_SECTION_TYPES: dict[str, type] = {
    "people": model.Person, "principals": model.Principal, "groups": model.Group, "roles": model.Role,
    "grants": model.Grant, "credentials": model.Credential, "keys": model.Key, "resources": model.Resource,
    "annotations": model.Annotation,
}
_DECODE: dict[type, Callable[[Any, Callable[[Any], Location]], Any]] = {}
for _cls in RECORDS:
    _DECODE[_cls] = _record_decoder(_cls)
