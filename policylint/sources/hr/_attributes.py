"""SCIM attributes: names match ignoring case (RFC 7643 §2.1), and a problem says the steps to where it is."""

from __future__ import annotations

from typing import Any

from policylint.sources.hr._shared import Problem, shown


class Fields:
    """A SCIM object's attributes by lower-cased name (names ignore case), keeping the names as written."""

    def __init__(self, mapping: dict[str, Any]) -> None:
        self.mapping = mapping
        self.names: dict[str, str] = {}
        for name in mapping:
            first = self.names.setdefault(name.lower(), name)
            if first != name:
                raise Problem(f"expected each attribute once (SCIM attribute names ignore case), found {first!r}"
                              f" and {name!r}", (name,))

    def get(self, name: str) -> Any:
        written = self.names.get(name)
        return None if written is None else self.mapping[written]

    def key(self, name: str) -> str:
        return self.names.get(name, name)


def fields_of(value: Any, what: str) -> Fields:
    if not isinstance(value, dict):
        raise Problem(f"expected {what}, a mapping, found {shown(value)}")
    return Fields(value)


def inner(fields: Fields, *steps: str | int, what: str) -> Fields:
    """The attributes of the mapping at `steps` (the first a lower-cased name), its problems located there."""
    value: Any = fields.get(str(steps[0]))
    for step in steps[1:]:
        value = value[step]
    try:
        return fields_of(value, what)
    except Problem as problem:
        raise problem.under(fields.key(str(steps[0])), *steps[1:]) from None


def indexes_of(fields: Fields, name: str) -> range:
    """The indexes of the multi-valued attribute `name` (none when it is absent or null)."""
    value = fields.get(name)
    if value is None:
        return range(0)
    if not isinstance(value, list):
        raise Problem(f"expected {fields.key(name)}, a list, found {shown(value)}", (fields.key(name),))
    return range(len(value))


def schemas_of(fields: Fields) -> set[str]:
    schemas = fields.get("schemas")
    if schemas is None:
        return set()
    if not isinstance(schemas, list) or not all(isinstance(s, str) for s in schemas):
        raise Problem(f"expected schemas, a list of URNs, found {shown(schemas)}", (fields.key("schemas"),))
    return {s.lower() for s in schemas}
