"""What the three gcloud formats share: located errors, list outputs, timestamps."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, TypeVar

from policylint.errors import InputError, found
from policylint.model import Location
from policylint.yamlsafe import YMap, YSeq, position_of

T = TypeVar("T")
# RFC 3339 as gcloud prints it: 2020-04-12T04:44:38Z, 2026-12-24T19:30:56.405919Z, or with an offset
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")


def shown(value: Any) -> str:
    """A found value, as an error message names it (secret-looking text masked)."""
    return found(value, none="nothing")


class Reader:
    """Located values of one file, and the errors of the entries it drops."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.errors: list[InputError] = []

    def at(self, pos: tuple[int, int]) -> Location:
        return Location(self.path, *pos)

    def of(self, item: YMap, key: str | None = None) -> Location:
        """Where a mapping stands, or where the value of its `key` stands (the mapping, when the key is absent)."""
        if key is not None and key in item.value_pos:
            return self.at(item.value_pos[key])
        return self.at(item.pos)

    def text(self, item: YMap, key: str, what: str) -> str:
        value = item.get(key)
        if not isinstance(value, str) or not value:
            raise InputError(self.of(item, key), f"expected {key} to be {what}, found {shown(value)}")
        return value

    def optional_text(self, item: YMap, key: str, what: str) -> str | None:
        return None if item.get(key) is None else self.text(item, key, what)

    def guarded(self, make: Callable[..., T], *args: Any) -> T | None:
        """What `make(*args)` builds, or None after recording its located error (the entry is dropped)."""
        try:
            return make(*args)
        except InputError as error:
            self.errors.append(error)
            return None

    def day(self, item: YMap, key: str, *, required: bool = False) -> date | None:
        """The date of an RFC 3339 timestamp field."""
        value = item.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not _TIMESTAMP.fullmatch(value):
            raise InputError(self.of(item, key), f"expected {key} to be an RFC 3339 timestamp such as "
                                                 f"2024-01-31T12:00:00Z, found {shown(value)}")
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            raise InputError(self.of(item, key), f"expected {key} to be a real date, found {value!r}") from None


def records(documents: list[Any], reader: Reader, what: str) -> Iterator[YMap]:
    """The records of a gcloud list output: a YAML stream of mappings (`---` before each) or a JSON array.

    A single mapping (`describe` output) is one record; a record that is not a mapping is a located error.
    """
    for document in documents:
        items: list[Any] = list(document) if isinstance(document, YSeq) else [document]
        for index, item in enumerate(items):
            if isinstance(item, YMap):
                yield item
            else:
                pos = document.item_pos[index] if isinstance(document, YSeq) else position_of(item)
                reader.errors.append(InputError(reader.at(pos), f"expected each record to be {what} (a mapping),"
                                                                f" found {shown(item)}"))
