"""What the HR roster sources agree on: person ids, time stamps as UTC dates, one person per user name."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from typing import Any

from policylint.errors import InputError, found
from policylint.model import Person

# Ids are unique across the inventory and must not hold what other ids use as syntax (DESIGN.md, native schema).
_BAD_ID = re.compile(r"[\s*#]")
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?[ ]?(Z|[+-]\d{2}(?::?\d{2})?)?)?",
    re.IGNORECASE,
)


class Problem(ValueError):
    """What is wrong with one value, in "expected …, found …" words, and the steps (keys, indexes) to the value
    from the record it belongs to, so the caller can say where it stands."""

    def __init__(self, message: str, steps: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.steps = steps

    def under(self, *steps: str | int) -> Problem:
        """The same problem, seen from further up: `steps` lead to where this one's steps start."""
        return Problem(self.message, (*steps, *self.steps))


def shown(value: Any) -> str:
    """A value as error messages show it: its kind, and a string's (redacted, shortened) text."""
    return found(value)


def display_text(value: Any) -> str | None:
    """A value only shown to people (a name, a team): its text, trimmed; None when it is empty or not text, as it
    is never joined on and leaving a person out for it would hide what the roster says about them."""
    return (value.strip() or None) if isinstance(value, str) else None


def person_id(value: Any, what: str) -> str:
    """A user name as a person id: a non-empty string without spaces, '*' or '#'."""
    if not isinstance(value, str) or not value.strip():
        raise Problem(f"expected {what}, a non-empty string, found {shown(value)}")
    if _BAD_ID.search(value):
        raise Problem(f"expected {what} without spaces, '*' or '#' (they cannot be policylint ids),"
                      f" found {shown(value)}")
    return value


def timestamp_date(value: Any, what: str) -> date:
    """The UTC calendar date of an ISO 8601 date or date-time ("2011-05-13T04:42:34Z" is 2011-05-13).

    A date-time with an offset is moved to UTC first, as every age in policylint is counted in UTC; one without
    an offset keeps the date it names."""
    if not isinstance(value, str):
        raise Problem(f"expected {what}, an ISO 8601 date-time, found {shown(value)}")
    match = _TIMESTAMP.fullmatch(value.strip())
    try:
        if match is None:
            raise ValueError(value)
        year, month, day, hour, minute, second, zone = match.groups()
        if hour is None:
            return date(int(year), int(month), int(day))
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
        if zone is None:
            return moment.date()
        return moment.replace(tzinfo=_zone(zone)).astimezone(timezone.utc).date()
    except ValueError:
        raise Problem(f"expected {what}, an ISO 8601 date-time such as 2025-06-14T09:30:00Z,"
                      f" found {shown(value)}") from None


def _zone(text: str) -> timezone:
    if text.upper() == "Z":
        return timezone.utc
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:] or 0)
    return timezone(timedelta(minutes=-minutes if text[0] == "-" else minutes))


def distinct(values: Iterable[str], *, besides: Iterable[str] = ()) -> tuple[str, ...]:
    """Non-empty values in order, once each ignoring case, leaving out those already in `besides`."""
    seen = {v.casefold() for v in besides}
    kept: list[str] = []
    for value in values:
        value = value.strip()
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            kept.append(value)
    return tuple(kept)


def one_per_user_name(people: Iterable[Person], errors: list[InputError]) -> list[Person]:
    """The people of one file, each user name once (ignoring case, as SCIM, Okta and e-mail do); a repeat is an
    error naming both lines, and only the first is kept."""
    first: dict[str, Person] = {}
    for person in people:
        seen = first.setdefault(person.id.casefold(), person)
        if seen is not person:
            errors.append(InputError(person.location, f"expected each user name once in the file, found"
                                                      f" {person.id!r} again (first at line {seen.location.line})"))
    return list(first.values())
