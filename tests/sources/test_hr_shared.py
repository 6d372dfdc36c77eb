"""What the HR sources share: JSON positions found on demand, time stamps as UTC dates, user-name checks."""

from __future__ import annotations

import json
import random
from datetime import date

import pytest

from policylint.errors import InputError
from policylint.model import Location
from policylint.sources.hr._json import parse
from policylint.sources.hr._shared import Problem, distinct, person_id, timestamp_date

TEXT = '{\n  "a": [1, {"b": "x"}],\r\n\t"c": {"d": [true, null, "y"]},\n"e": "\\"e\\": 2", "f": {}}\n'


def brute_force(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def test_locations_in_any_order_match_counting_by_hand() -> None:
    document = parse(TEXT, "t.json")
    offsets = list(range(len(TEXT))) * 2
    random.Random(7).shuffle(offsets)
    for offset in offsets:
        assert document.location(offset) == Location("t.json", *brute_force(TEXT, offset))


@pytest.mark.parametrize(("steps", "expected"), [
    ((), '{\n  "a"'),
    (("a",), "[1, "),
    (("a", 1, "b"), '"x"'),
    (("c", "d", 2), '"y"'),
    (("c", "d", 9), "[true"),  # no such item: as near as exists
    (("e",), '"\\"e'),
    (("f", "g"), "{}}"),
    (("zz",), '{\n  "a"'),
])
def test_find_walks_keys_and_indexes(steps: tuple[str | int, ...], expected: str) -> None:
    document = parse(TEXT, "t.json")
    assert TEXT[document.find(document.root, steps):].startswith(expected)


def test_find_value_skips_a_key_of_the_same_name_with_another_value() -> None:
    text = '[{"name": {"login": "nested"}, "login": "kim"}]'
    document = parse(text, "t.json")
    (item,) = document.items(document.root)
    assert text[document.find_value(item, ("login",), "kim"):].startswith('"kim"')


def test_items_of_arrays() -> None:
    text = ' [ {"a": 1} ,\n2, "three" , [] ] '
    document = parse(text, "t.json")
    assert [text[i] for i in document.items(document.root)] == ["{", "2", '"', "["]
    assert parse("[]", "t.json").items(0) == []


@pytest.mark.parametrize(("text", "message"), [
    ('{"a": 1,}', "t.json:1:9: error: expected valid JSON, found a syntax error (Expecting property name enclosed"
                  " in double quotes)"),
    ('{"a": 1}\n{"b": 2}', "t.json:2:1: error: expected valid JSON, found a syntax error (Extra data)"),
    ('{"a": 1,\n "b": {"c": 1, "c": 2}}', "t.json:2:16: error: duplicate key 'c' in a mapping (first at line 2);"
                                          " each key may appear once"),
    ("[" * 5000 + "]" * 5000, "t.json:1:1: error: expected JSON nested less than a thousand levels deep, found"
                              " deeper nesting"),
])
def test_bad_json(text: str, message: str) -> None:
    with pytest.raises(InputError) as raised:
        parse(text, "t.json")
    assert str(raised.value) == message


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-06-14", date(2025, 6, 14)),
    ("2011-05-13T04:42:34Z", date(2011, 5, 13)),
    ("2011-08-01T18:29:49.793000Z", date(2011, 8, 1)),
    ("2025-06-14T23:40:00-07:00", date(2025, 6, 15)),
    ("2025-06-15T01:00:00+0900", date(2025, 6, 14)),
    ("2025-06-14T23:40:00", date(2025, 6, 14)),  # no offset: the date as written
    ("2025-06-14 23:40", date(2025, 6, 14)),
    ("2025-12-31T23:30:00.000-01:00", date(2026, 1, 1)),
])
def test_timestamps_are_utc_dates(text: str, expected: date) -> None:
    assert timestamp_date(text, "a date") == expected


@pytest.mark.parametrize("text", ["2025-02-30", "2025-06-14T25:00:00Z", "14/06/2025", "yesterday", "", "2025-6-1"])
def test_bad_timestamps(text: str) -> None:
    with pytest.raises(Problem, match="expected a date, an ISO 8601 date-time"):
        timestamp_date(text, "a date")


def test_a_timestamp_must_be_a_string() -> None:
    with pytest.raises(Problem, match="found the number 20250614"):
        timestamp_date(20250614, "a date")


def test_distinct_keeps_the_first_spelling_and_leaves_out_blanks() -> None:
    assert distinct(["Kim@A.example", " ", "kim@a.example", "lee@a.example "], besides=["LEE@A.EXAMPLE"]) == (
        "Kim@A.example",)


@pytest.mark.parametrize("value", ["kim", "kim.jh@acme.example", "ACME\\kim", "00u1a2b3"])
def test_user_names_that_are_ids(value: str) -> None:
    assert person_id(value, "userName") == value


@pytest.mark.parametrize("value", ["", "  ", "kim jh", "kim\tjh", "kim*", "team#1", None, 7, ["kim"]])
def test_user_names_that_are_not(value: object) -> None:
    with pytest.raises(Problem, match="expected userName"):
        person_id(value, "userName")


def test_the_shown_value_of_a_secret_is_masked() -> None:
    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6"
    with pytest.raises(Problem) as raised:
        person_id(token + " x", "userName")
    assert token not in raised.value.message and "<redacted>" in raised.value.message
    assert json.dumps(token) not in raised.value.message
