"""The node digest's bytes: equal facts give one digest however their objects are shared or made, and a difference
a rule could see gives another."""

from __future__ import annotations

import sys
from datetime import date

from policylint.nodedigest import _hashed


def test_equal_facts_are_one_digest_however_their_objects_are_made() -> None:
    shared = ["s3:accounts-db", "s3:orders"]
    once = {"reach": {"resources": shared, "path": shared}, "id": sys.intern("svc-" + "billing")}
    copied = {"reach": {"resources": list(shared), "path": [str(s) for s in shared]},
              "id": "".join(["svc-", "billing"])}
    assert _hashed(once) == _hashed(copied)


def test_what_a_rule_can_tell_apart_is_another_digest() -> None:
    assert _hashed({"mfa": True}) != _hashed({"mfa": 1})
    assert _hashed({"a": 1, "b": 2}) != _hashed({"b": 2, "a": 1})  # facts are built in one order: another is a change
    assert _hashed(["x"]) != _hashed([["x"]])
    assert _hashed({"records": 1.0}) != _hashed({"records": 1})


def test_a_lone_surrogate_and_a_value_marshal_cannot_write_still_digest() -> None:
    assert _hashed({"id": "bad\udc80"}) == _hashed({"id": "bad\udc80"}) != _hashed({"id": "bad"})
    assert _hashed({"day": date(2026, 1, 1)}) == _hashed({"day": date(2026, 1, 1)}) != _hashed({"day": "2026-01-01"})
