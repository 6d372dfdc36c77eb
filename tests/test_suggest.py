"""The nearest ids to an unknown one: what a usage error suggests."""

from __future__ import annotations

import pytest

from policylint.suggest import did_you_mean, nearest

IDS = ["kim.jh", "lee.sy", "aws:iam::123456789012:user/kim.jh", "customer-db", "customer-db-reader", "orders-db"]


@pytest.mark.parametrize(("case", "name", "expected"), [
    ("another case", "KIM.JH", ["kim.jh", "aws:iam::123456789012:user/kim.jh"]),
    ("the id without its namespace", "user/kim.jh", ["aws:iam::123456789012:user/kim.jh", "kim.jh"]),
    ("a misspelling", "custmer-db", ["customer-db", "customer-db-reader"]),
    ("nothing near", "zzz", []),
])
def test_nearest(case: str, name: str, expected: list[str]) -> None:
    assert nearest(name, IDS) == expected


def test_the_suggestion_is_a_clause_or_nothing() -> None:
    assert did_you_mean("orders_db", IDS) == "; did you mean 'orders-db'?"
    assert did_you_mean("zzz", IDS) == ""
