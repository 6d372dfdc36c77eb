"""The compiled schema check agrees with the `jsonschema` package: on random schemas and documents, on every
built-in rule against every fixture's facts, and on the inventory schema against every fixture."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from policylint.facts import facts_of
from policylint.fastschema import compile_schema, json_equal
from policylint.pipeline import run
from policylint.rules import builtin_policies, load_rules
from policylint.settings import Settings
from policylint.validate import check_for, packaged_schema
from policylint.yamlsafe import load_one

from helpers import REPO

scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([0.0, 1.0, 2.5, -1.5]),
                    st.sampled_from(["", "a", "kim", "customer_pii", "2025-01-01"]))
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["a", "b", "status", "reach"]), inner, max_size=3)),
    max_leaves=8,
)
names = st.sampled_from(["a", "b", "status", "reach"])
types = st.sampled_from(["object", "array", "string", "number", "integer", "boolean", "null"])


def schemas() -> st.SearchStrategy[Any]:
    leaf = st.one_of(
        st.booleans(),
        st.builds(lambda t: {"type": t}, st.one_of(types, st.lists(types, min_size=1, max_size=2, unique=True))),
        st.builds(lambda v: {"const": v}, scalars),
        st.builds(lambda v: {"enum": v}, st.lists(scalars, min_size=1, max_size=3)),
        st.builds(lambda k, n: {k: n}, st.sampled_from(["minimum", "maximum", "exclusiveMinimum",
                                                        "exclusiveMaximum"]), st.integers(-2, 2)),
        st.builds(lambda k, n: {k: n}, st.sampled_from(["minItems", "maxItems", "minLength", "maxLength",
                                                        "minProperties", "maxProperties"]), st.integers(0, 2)),
        st.builds(lambda p: {"pattern": p}, st.sampled_from(["^c", "a", "^\\d{4}-", "pii$"])),
        st.builds(lambda r: {"required": r}, st.lists(names, max_size=2, unique=True)),
        st.just({"uniqueItems": True}),
    )

    def compound(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(
            st.builds(lambda p: {"properties": p}, st.dictionaries(names, inner, max_size=2)),
            st.builds(lambda p, a: {"properties": p, "additionalProperties": a},
                      st.dictionaries(names, inner, max_size=2), inner),
            st.builds(lambda s: {"items": s}, inner),
            st.builds(lambda s: {"contains": s}, inner),
            st.builds(lambda s: {"not": s}, inner),
            st.builds(lambda k, s: {k: s}, st.sampled_from(["anyOf", "allOf", "oneOf"]),
                      st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda i, t, e: {"if": i, "then": t, "else": e}, inner, inner, inner),
            st.builds(lambda a, b: {**a, **b} if isinstance(a, dict) and isinstance(b, dict) else a, inner, inner),
        )

    return st.recursive(leaf, compound, max_leaves=6)


@pytest.mark.slow  # 1,500 random cases: ~5 s
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas(), documents)
def test_agrees_with_jsonschema_on_random_schemas(schema: Any, document: Any) -> None:
    assert compile_schema(schema)(document) == Draft202012Validator(schema).is_valid(document), (schema, document)


@given(documents, documents)
def test_json_equality(a: Any, b: Any) -> None:
    assert json_equal(a, b) == Draft202012Validator({"const": a}).is_valid(b)


def test_unsupported_keywords_fall_back_to_jsonschema() -> None:
    schema = {"properties": {"a": {"multipleOf": 3}}, "propertyNames": {"pattern": "^[a-z]$"}}
    check = compile_schema(schema)
    assert check({"a": 6}) and not check({"a": 7}) and not check({"AB": 1})


def test_agrees_on_every_builtin_rule_and_every_fixture() -> None:
    rules, errors = load_rules([builtin_policies()])
    assert errors == []
    fixtures = sorted((REPO / "tests" / "rules").glob("*/*.yaml"))
    compared = 0
    for fixture in fixtures:
        analysis = run(Settings((str(fixture),), date(2026, 1, 1)), findings=False).analysis
        for node in analysis.inventory.nodes():
            facts = facts_of(node, analysis.context)
            for rule in rules:
                if node.kind in rule.subjects:
                    assert rule.matches(facts) == Draft202012Validator(rule.match).is_valid(facts), (rule.id, node.id)
                    compared += 1
        document = load_one(fixture.read_text(encoding="utf-8"), str(fixture))
        assert check_for("inventory")(document) == Draft202012Validator(packaged_schema("inventory")).is_valid(
            document)
    assert compared > 1000
