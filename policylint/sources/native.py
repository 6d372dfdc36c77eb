"""The native inventory format, v1 (DESIGN.md): YAML whose top level has `policylint: 1`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from policylint.errors import InputError
from policylint.model import (
    Annotation,
    Credential,
    Grant,
    Group,
    Inventory,
    Key,
    Location,
    Person,
    Principal,
    Resource,
    Role,
)
from policylint.sources.base import Fragment, Options
from policylint.sources.native_marker import is_native
from policylint.validate import schema_errors
from policylint.yamlsafe import YMap, load_one

NAME = "native"
_DURATION = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def detect(path: str, text: str) -> bool:
    """Native files say so at their top level, in YAML or JSON of any layout (see `native_marker`)."""
    return is_native(text)


def load(path: str, text: str, options: Options) -> Fragment:
    document = load_one(text, path)
    if not isinstance(document, YMap):
        found = "an empty file" if document is None else f"a {type(document).__name__}"
        raise InputError(Location(path, 1, 1), f"expected a mapping with 'policylint: 1', found {found}")
    errors: list[InputError] = []
    broken: set[tuple[Any, ...]] = set()
    for error, where in schema_errors("inventory", document, path):
        errors.append(error)
        broken.add(tuple(where[:2]) if len(where) >= 2 else tuple(where[:1]))
    if ("policylint",) in broken or () in broken:
        return Fragment(Inventory(), errors)
    builder = _Builder(path, errors)
    sections: dict[str, list[Any]] = {}
    for section, make in _SECTIONS.items():
        items = document.get(section) or []
        if (section,) in broken:
            continue
        built = []
        for index, item in enumerate(items):
            if (section, index) not in broken:
                built.extend(builder.guarded(make, item))
        sections[_FIELDS.get(section, section)] = built
    return Fragment(Inventory(**{name: tuple(values) for name, values in sections.items()}), errors)


class _Builder:
    """Schema-valid mappings to model records; the few checks a schema cannot make (real dates) are here."""

    def __init__(self, path: str, errors: list[InputError]) -> None:
        self.path = path
        self.errors = errors

    def guarded(self, make: Callable[[_Builder, YMap], Any], item: YMap) -> list[Any]:
        try:
            return [make(self, item)]
        except InputError as error:
            self.errors.append(error)
            return []

    def at(self, item: YMap, key: str | None = None) -> Location:
        line, column = item.value_pos[key] if key is not None else item.pos
        return Location(self.path, line, column)

    def date(self, item: YMap, key: str) -> date | None:
        text = item.get(key)
        if text is None:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise InputError(self.at(item, key), f"expected a real date YYYY-MM-DD, found {text!r}") from None

    @staticmethod
    def count(item: YMap, key: str) -> int | None:
        """A schema-checked integer; JSON Schema also calls 10.0 an integer, the model keeps ints only."""
        value = item.get(key)
        return None if value is None else int(value)

    def person(self, item: YMap) -> Person:
        return Person(item["id"], self.at(item), item["status"], self.date(item, "departed"),
                      tuple(item.get("emails") or ()), tuple(item.get("aliases") or ()),
                      display_name=item.get("name") or None, team=item.get("team") or None)

    def principal(self, item: YMap) -> Principal:
        return Principal(item["id"], self.at(item), item["type"], item.get("person"), item.get("owner"))

    def group(self, item: YMap) -> Group:
        return Group(item["id"], self.at(item), tuple(item.get("members") or ()))

    def grant(self, item: YMap) -> Grant:
        return Grant(item["resource"], tuple(item["actions"]), self.at(item), item.get("to"))

    def role(self, item: YMap) -> Role:
        grants = tuple(self.grant(g) for g in item.get("grants") or ())
        return Role(item["id"], self.at(item), tuple(item.get("assumable_by") or ()), grants)

    def credential(self, item: YMap) -> Credential:
        holders = item.get("holders")
        return Credential(
            item["id"], self.at(item), item["type"], item["principal"],
            None if holders is None else tuple(holders), item["status"],
            self.date(item, "created"), self.date(item, "last_used"), self.date(item, "expires"), item.get("mfa"),
        )

    def key(self, item: YMap) -> Key:
        ttl = item.get("token_ttl")
        return Key(
            item["id"], self.at(item), item["purpose"], item["storage"],
            self.date(item, "created"), self.date(item, "rotated"), self.count(item, "rotation_days"),
            tuple(item.get("readable_by") or ()), tuple(item.get("signs_for") or ()),
            ttl, None if ttl is None else int(ttl[:-1]) * _DURATION[ttl[-1]], tuple(item.get("protects") or ()),
            scope=item.get("scope"),
        )

    def resource(self, item: YMap) -> Resource:
        return Resource(
            item["id"], self.at(item), item["type"], tuple(item.get("data") or ()), self.count(item, "records"),
            item.get("logging"), self.count(item, "log_retention_days"), item.get("monitoring"), item.get("scope"),
        )


    def annotation(self, item: YMap) -> Annotation:
        data = item.get("data")
        return Annotation(
            item["match"], self.at(item), None if data is None else tuple(data), self.count(item, "records"),
            item.get("logging"), self.count(item, "log_retention_days"), item.get("monitoring"),
        )


_SECTIONS: dict[str, Callable[[_Builder, YMap], Any]] = {
    "people": _Builder.person,
    "principals": _Builder.principal,
    "groups": _Builder.group,
    "roles": _Builder.role,
    "grants": _Builder.grant,
    "credentials": _Builder.credential,
    "keys": _Builder.key,
    "resources": _Builder.resource,
    "annotate": _Builder.annotation,
}
_FIELDS = {"annotate": "annotations"}  # section name in the file -> Inventory field, where they differ
