"""An HR roster as CSV: a header row, then one person per row.

Columns are found by name, ignoring case, spaces, '_', '-' and '.' ("Work_Email" is "work email"): the first of
each field's DEFAULT_COLUMNS present in the header, or the column `Options.roster_columns` names for that field.
- id: the user name (other user-name columns present become aliases); with no id column, the first e-mail.
- email: every e-mail column present (or the configured one), in DEFAULT_COLUMNS order.
- status: see STATUSES; a blank status with a departure date is departed; a blank status without one counts as
  active and says so (`contradictions`, rule PL003): an unknown is never read as "left"; any other word is an error.
- departed: the departure date (see `_date` for the formats read; a day and month that could be swapped are an
  error, never a guess). Every departure column present is read (a blank `termination date` must not hide a filled
  `last day`): the earliest date wins, as the person was gone from then, and columns that give different dates
  are a contradiction the person carries (rule PL003).
- name, team: the person's name and team or department, only shown (`reach`), never joined on (names are too
  loose to join on); the first of their columns present that is not blank in the row.
- manager: accepted so a configuration may name it; not read.
The delimiter is the one of ',', ';' or a tab that the header line holds most of.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date

from policylint.errors import InputError
from policylint.model import Inventory, Location, Person, PersonStatus
from policylint.sources.base import Fragment, Options
from policylint.sources.hr._shared import (
    Problem,
    display_text,
    distinct,
    one_per_user_name,
    person_id,
    shown,
    timestamp_date,
)
from policylint.sources.hr.roster_csv_names import DEFAULT_COLUMNS as DEFAULT_COLUMNS  # detection, without the reader
from policylint.sources.hr.roster_csv_names import NAME as NAME
from policylint.sources.hr.roster_csv_names import delimiter, first_line, normal
from policylint.sources.hr.roster_csv_names import detect as detect

STATUSES: dict[str, PersonStatus] = {
    **dict.fromkeys(("active", "employed", "current", "staged", "provisioned", "recovery", "locked out",
                     "password expired"), "active"),  # the last five: Okta's own statuses, as its reports say them
    **dict.fromkeys(("terminated", "departed", "left", "inactive", "offboarded", "former", "deprovisioned",
                     "deactivated", "resigned", "retired", "separated"), "departed"),
    "suspended": "suspended",
    **dict.fromkeys(("leave", "on leave", "leave of absence", "loa"), "leave"),
}
_YEAR_FIRST = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})")
_YEAR_LAST = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
_DAY_MONTH_NAME = re.compile(r"(\d{1,2})[ -]([a-z]{3,9})\.?[ -](\d{4})", re.IGNORECASE)
_MONTH_NAME_DAY = re.compile(r"([a-z]{3,9})\.? (\d{1,2}),? (\d{4})", re.IGNORECASE)


def load(path: str, text: str, options: Options) -> Fragment:
    rows = _Rows(text)
    header = rows.header(path)
    columns = _Columns(path, header, rows.header_line, options)
    errors: list[InputError] = []
    people: list[Person] = []
    try:
        for line, cells in rows:
            try:
                people.append(columns.person(line, cells))
            except Problem as problem:
                column = rows.cell_column(int(problem.steps[0])) if problem.steps else (0, 1)
                errors.append(InputError(Location(path, line + column[0], column[1]), problem.message))
    except csv.Error as exc:
        errors.append(InputError(Location(path, rows.line, 1), f"expected a well-formed CSV row, found {exc}"))
    return Fragment(Inventory(people=tuple(one_per_user_name(people, errors))), errors)


class _Rows:
    """The records of a CSV text with the line each starts on, and its raw text for locating a cell."""

    def __init__(self, text: str) -> None:
        self.lines = io.StringIO(text, newline="")
        self.taken: list[str] = []
        self.delimiter = delimiter(first_line(text))
        self.reader = csv.reader(self._take(), delimiter=self.delimiter, strict=True)
        self.line = 1  # where the record being read starts
        self.header_line = 1
        self.raw = ""  # the text of the record being read

    def _take(self) -> Iterator[str]:
        for line in self.lines:
            self.taken.append(line)
            yield line

    def _next(self) -> list[str] | None:
        """The next record that has a non-blank cell; None at the end."""
        for cells in self.reader:
            if any(c.strip() for c in cells):
                return cells
            self._advance()
        return None

    def _advance(self) -> None:
        self.line = self.reader.line_num + 1
        self.taken.clear()

    def header(self, path: str) -> list[str]:
        try:
            cells = self._next()
        except csv.Error as exc:
            raise InputError(Location(path, self.line, 1), f"expected a CSV header row, found {exc}") from None
        if cells is None:
            raise InputError(Location(path, 1, 1), "expected a CSV header row, found an empty file")
        self.header_line = self.line
        self.raw = "".join(self.taken)
        self._advance()
        return cells

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        while (cells := self._next()) is not None:
            self.raw = "".join(self.taken)
            yield self.line, cells
            self._advance()

    def cell_column(self, index: int) -> tuple[int, int]:
        """(lines after the record's first, column) where cell `index` of the current record starts."""
        line, column, quoted, cell = 0, 1, False, 0
        raw = self.raw
        for at, char in enumerate(raw):
            if cell == index:
                return line, column
            if char == '"':
                quoted = not quoted
            elif char == self.delimiter and not quoted:
                cell += 1
            if char == "\n" or (char == "\r" and raw[at + 1 : at + 2] != "\n"):
                line, column = line + 1, 1
            else:
                column += 1
        return line, column


class _Columns:
    """Which cell holds which field, from the header and the configuration."""

    def __init__(self, path: str, header: list[str], line: int, options: Options) -> None:
        self.path = path
        self.header = header
        try:
            found = _find_columns(header, options)
        except Problem as problem:
            raise InputError(Location(path, line, 1), problem.message) from None
        self.ids, self.emails = found["id"], found["email"]
        self.status, self.departed = found["status"][0], found["departed"]
        self.names, self.teams = found["name"], found["team"]

    def person(self, line: int, cells: list[str]) -> Person:
        if len(cells) != len(self.header):
            raise Problem(f"expected {len(self.header)} cells as in the header, found {len(cells)}")
        emails = distinct(cells[i] for i in self.emails)
        id_cell = self.ids[0] if self.ids else self.emails[0]
        name = cells[id_cell].strip() or (emails[0] if emails and not self.ids else "")
        try:
            user_name = person_id(name, f"a user name in {self.header[id_cell]!r}")
        except Problem as problem:
            raise problem.under(id_cell) from None
        departed, contradictions = self._date(cells)
        status = self._status(cells, departed)
        if not status:
            contradictions.append(f"no status in {self.header[self.status]!r}; counted as active")
        aliases = distinct((cells[i] for i in self.ids[1:]), besides=(user_name, *emails))
        return Person(user_name, Location(self.path, line, 1), status or "active", departed, emails, aliases,
                      contradictions=tuple(contradictions), display_name=_first(cells, self.names),
                      team=_first(cells, self.teams))

    def _status(self, cells: list[str], departed: date | None) -> PersonStatus | None:
        """The row's status; None when the cell is blank and no departure date says more."""
        text = cells[self.status]
        if not text.strip():
            return None if departed is None else "departed"
        status = STATUSES.get(normal(text))
        if status is None:
            raise Problem(f"expected a status in {self.header[self.status]!r} (active, departed, suspended, leave,"
                          f" or a word for one of them), found {shown(text.strip())}", (self.status,))
        return status

    def _date(self, cells: list[str]) -> tuple[date | None, list[str]]:
        """The earliest date of the row's departure columns, and a contradiction when they give different ones."""
        dates: list[tuple[date, str]] = []
        for index in self.departed:
            try:
                when = _date(cells[index].strip(), self.header[index])
            except Problem as problem:
                raise problem.under(index) from None
            if when is not None:
                dates.append((when, self.header[index]))
        if not dates:
            return None, []
        earliest = min(when for when, _ in dates)
        if all(when == earliest for when, _ in dates):
            return earliest, []
        given = "; ".join(f"{column!r} says {when.isoformat()}" for when, column in dates)
        return earliest, [f"the departure dates disagree ({given}); counted from the earliest,"
                          f" {earliest.isoformat()}"]


def _first(cells: list[str], columns: list[int]) -> str | None:
    """The first of these cells that is not blank, trimmed."""
    return next((text for i in columns if (text := display_text(cells[i]))), None)


def _find_columns(header: list[str], options: Options) -> dict[str, list[int]]:
    """For each field, the indexes of the columns that hold it, in the order of preference."""
    names = [normal(n) for n in header]
    unknown = sorted(set(options.roster_columns) - set(DEFAULT_COLUMNS))
    if unknown:
        raise Problem(f"expected roster_columns fields among {', '.join(DEFAULT_COLUMNS)}, found"
                      f" {', '.join(map(repr, unknown))}")
    columns = ", ".join(map(repr, header))
    found: dict[str, list[int]] = {}
    for field, aliases in DEFAULT_COLUMNS.items():
        configured = options.roster_columns.get(field)
        wanted = (normal(configured),) if configured is not None else aliases
        for name in wanted:
            if names.count(name) > 1:
                raise Problem(f"expected each column once, found {name!r} {names.count(name)} times")
        found[field] = [names.index(n) for n in wanted if n in names]
        if configured is not None and not found[field]:
            raise Problem(f"expected the column {configured!r} (roster_columns.{field}), found the columns {columns}")
    if not found["status"]:
        raise Problem(f"expected a status column ({', '.join(DEFAULT_COLUMNS['status'])}), found the columns"
                      f" {columns}")
    if not found["id"] and not found["email"]:
        raise Problem(f"expected a user name or e-mail column ({', '.join(DEFAULT_COLUMNS['id'])};"
                      f" {', '.join(DEFAULT_COLUMNS['email'])}), found the columns {columns}")
    return found


def _date(text: str, column: str) -> date | None:
    """ISO 8601 (a date-time counts as its UTC date), year first with '/' or '.', a month by name, or a day and
    month that cannot be swapped (one of them over 12, or both the same). 03/04/2025 is an error, not a guess."""
    if not text:
        return None
    expected = (f"expected a date in {column!r} (YYYY-MM-DD, a month by name such as 14 Jun 2025, or a day and"
                f" month that cannot be swapped), found {shown(text)}")
    try:
        if text[:4].isdigit() and text[4:5] == "-":
            return timestamp_date(text, "a date")
        if match := _YEAR_FIRST.fullmatch(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _YEAR_LAST.fullmatch(text):
            day, month = _day_and_month(int(match[1]), int(match[3]))
            if day is None or month is None:
                raise Problem(f"{expected}: the day and the month could be either way round")
            return date(int(match[4]), month, day)
        if match := _DAY_MONTH_NAME.fullmatch(text):
            return date(int(match[3]), _month(match[2]), int(match[1]))
        if match := _MONTH_NAME_DAY.fullmatch(text):
            return date(int(match[3]), _month(match[1]), int(match[2]))
    except Problem as problem:
        raise Problem(expected) if problem.message.startswith("expected a date,") else problem from None
    except ValueError:  # a day or a month out of range, or a word that names no month
        raise Problem(expected) from None
    raise Problem(expected)


def _day_and_month(first: int, second: int) -> tuple[int | None, int | None]:
    """(day, month) of a date written with both numbers first; (None, None) when either order could be meant."""
    if first > 12 or first == second:
        return first, second
    if second > 12:
        return second, first
    return None, None


def _month(name: str) -> int:
    name = name.casefold()
    for number, full in enumerate(_FULL_MONTHS, start=1):
        if name in (full, full[:3]) or (number == 9 and name == "sept"):
            return number
    raise ValueError(name)


_FULL_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                "november", "december")
